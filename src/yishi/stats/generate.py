"""Synthetic data at city, province and country scale for the figures' benchmark.

The region tree comes from the demo generator (``demo.generator.generate``: counties, streets, villages,
communities, compounds and households) once per city. Then, in bulk and without audit entries (one entry
records the generation), each community gets residents, matters with their whole history (transitions through
the eight steps or the short path, returns, supports, consultation sessions, tasks done on time or late,
satisfaction ratings) and held meetings with sign-ins, spread over the last two years. PostgreSQL gets COPY;
SQLite (for the tests) batched INSERTs. Finally the roll-ups are rebuilt. Deterministic per seed.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.utils import timezone

from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.demo.generator import generate as generate_city
from yishi.matters.models import Category, Channel, Matter, Status, Support
from yishi.meetings.models import Attendance, Meeting, MeetingStatus, Platform, Session, SessionForm
from yishi.people.models import Person
from yishi.procedures import definitions
from yishi.procedures.models import Transition, TransitionKind
from yishi.regions.models import Level, Region
from yishi.regions.services import bulk_insert_regions
from yishi.works.models import Satisfaction, Work, WorkStatus

from . import rebuilding


@dataclass(frozen=True)
class Size:
    provinces: int
    cities_per_province: int
    communities_per_city: int
    matters_per_community: float
    households_per_community: int


SIZES = {
    "tiny": Size(1, 1, 30, 17, 5),  # for the tests
    "city": Size(1, 1, 6000, 100_000 / 6000, 20),
    "province": Size(1, 9, 5556, 1_000_000 / 50_004, 5),
    "country": Size(12, 9, 5556, 1_000_000 / 50_004, 2),
}

CHANNELS = [
    (Channel.ONLINE, 40),
    (Channel.VISIT, 20),
    (Channel.HOTLINE, 12),
    (Channel.GRID_WORKER, 12),
    (Channel.SUGGESTION_BOX, 6),
    (Channel.SYMPOSIUM, 5),
    (Channel.SURVEY, 5),
]
RESIDENTS_PER_COMMUNITY = 12
UNUSABLE = "!"  # Django's mark of an unusable password: generated people cannot log in
MEETINGS_PER_COMMUNITY = 1.5  # over the two years (the report: 4,500 a year for 5,904 communities)


@dataclass
class Generated:
    regions: int = 0
    people: int = 0
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0
    rebuild_seconds: float = 0.0


class Writer:
    """Rows for one model, buffered and written with COPY (PostgreSQL) or executemany (SQLite)."""

    def __init__(self, model: type[models.Model], next_id: int, totals: dict):
        self.model, self.next_id, self.totals = model, next_id, totals
        fields = self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.defaults = {f.attname: (None if f.primary_key else f.get_default()) for f in fields}
        self.rows: list[tuple] = []

    def add(self, **values) -> int:
        pk = self.next_id
        self.next_id += 1
        values["id"] = pk
        d = self.defaults
        self.rows.append(tuple(values[a] if a in values else d[a] for a in self.attnames))
        if len(self.rows) >= 50_000:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                # Through the fields, as the ORM would: SQLite compares datetimes as text, so an aware value
                # must be stored in UTC without its offset, or a Beijing evening sorts into the next day.
                rows = [
                    tuple(f.get_db_prep_save(v, connection) for f, v in zip(self.fields, row, strict=True))
                    for row in self.rows
                ]
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608
        label = self.model._meta.label
        self.totals[label] = self.totals.get(label, 0) + len(self.rows)
        self.rows = []

    def finish(self) -> None:
        self.flush()
        if connection.vendor == "postgresql":
            table = self.model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"GREATEST((SELECT MAX(id) FROM {table}), 1))"
                )


def _next_id(model) -> int:
    return (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1


def _tree(size: Size, seed: int, log) -> list[Region]:
    """Provinces and cities, each city filled by the demo generator. Returns the provinces."""
    provinces = []
    for p in range(size.provinces):
        code = f"{51 + p:02d}0000000000"
        province = (
            Region.objects.filter(code=code).first()
            or bulk_insert_regions([Region(level=Level.PROVINCE, name=f"第{p + 1}省", code=code)])[0]
        )
        provinces.append(province)
        for c in range(size.cities_per_province):
            city_code = f"{51 + p:02d}{c + 1:02d}00000000"
            city = Region.objects.filter(code=city_code).first()
            if city is None:
                city = bulk_insert_regions(
                    [Region(parent=province, level=Level.CITY, name=f"第{c + 1}市", code=city_code)]
                )[0]
                # Two urban districts first, so that the generator gives them streets, communities and compounds.
                bulk_insert_regions(
                    [
                        Region(parent=city, level=Level.DISTRICT, name=name, code=f"{city_code[:4]}{k}000000")
                        for name, k in (("甲区", "02"), ("乙区", "03"))
                    ]
                )
            made = generate_city(
                city=city,
                communities=size.communities_per_city,
                seed=seed + 100 * p + c,
                households_per_community=size.households_per_community,
            )
            log(
                f"  city {city.name} of {province.name}: {made.regions} regions, {made.households} households "
                f"in {made.seconds:.0f} s"
            )
    return provinces


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class Life:
    """One matter's history, drawn at random and cut off at ``now``."""

    def __init__(self, w: "Filler", rng: random.Random):
        self.w, self.rng = w, rng

    def matter(self, region: int, pool: list[int], raised: datetime, now: datetime) -> None:
        w, rng = self.w, self.rng
        submitter = rng.choice(pool) if rng.random() < 0.75 else None
        channel = _weighted(rng, CHANNELS)
        if channel == Channel.ONLINE and submitter is None:
            submitter = rng.choice(pool)
        fields = {
            "region_id": region,
            "title": "楼道灯不亮",
            "description": "晚上看不见路，老人容易摔倒。",
            "category_id": rng.choice(w.categories),
            "channel": channel,
            "submitter_id": submitter,
            "raised_at": raised,
        }
        mid = w.matters.next_id
        supporters = [
            p for p in rng.sample(pool, min(len(pool), rng.choice([0, 0, 1, 1, 2, 3]))) if p != submitter
        ]
        for p in supporters:
            w.supports.add(matter_id=mid, person_id=p, at=raised + timedelta(hours=rng.uniform(1, 72)))
        screened = raised + timedelta(hours=rng.uniform(2, 24 * 7))
        if screened > now:
            w.matters.add(**fields, status=Status.NEW)
            return
        roll = rng.random()
        if roll < 0.20:
            status = (
                Status.DECLINED
                if roll < 0.10
                else Status.REFERRED
                if roll < 0.16
                else Status.MERGED
                if roll < 0.18
                else Status.WITHDRAWN
            )
            w.matters.add(**fields, status=status, closed_at=screened, public_reason="不属于社区议事范围")
            return
        procedure = definitions.EIGHT_STEPS if rng.random() < 0.8 else definitions.SHORT_PATH
        reason = "小事快办" if procedure.needs_reason else ""
        at = screened
        w.transitions.add(
            matter_id=mid,
            kind=TransitionKind.START,
            procedure_key=procedure.key,
            to_step="raise",
            reason=reason,
            at=at,
        )
        steps = [s.key for s in procedure.steps]
        i, status, closed, returned = 0, Status.OPEN, None, False
        while True:
            step = steps[i]
            took = timedelta(hours=0.5) if step == "raise" else timedelta(days=rng.expovariate(1 / 6) + 0.2)
            done = at + took
            if done > now:
                break
            if step in ("ideas", "consult"):
                w.sessions.add(
                    matter_id=mid,
                    form=SessionForm.CONSULTATION,
                    title="恳谈会",
                    held_at=done,
                    place="社区议事厅",
                    attendance=rng.randint(5, 30),
                    step_key=step,
                    recorded_at=done,
                )
            if step == "implement":
                for _ in range(rng.choice([1, 1, 2])):
                    due = timezone.localdate(at) + timedelta(days=14)
                    late = rng.random() < 0.2
                    done_at = datetime.combine(
                        due, datetime.min.time(), tzinfo=timezone.get_default_timezone()
                    ) + timedelta(days=rng.uniform(1, 10) if late else -rng.uniform(0, 10))
                    if done_at > now:
                        w.works.add(
                            matter_id=mid,
                            title="维修施工",
                            to_committee=True,  # the generated places have no units: the committee carries it out
                            due_on=due,
                            status=WorkStatus.OPEN,
                            assigned_at=at,
                        )
                    else:
                        w.works.add(
                            matter_id=mid,
                            title="维修施工",
                            to_committee=True,  # the generated places have no units: the committee carries it out
                            due_on=due,
                            status=WorkStatus.CONFIRMED,
                            assigned_at=at,
                            done_at=done_at,
                            confirmed_at=done_at,
                        )
                    done = max(done, done_at + timedelta(days=1))
                if done > now:
                    break
            if step == "vote" and not returned and rng.random() < 0.05:
                returned = True
                w.transitions.add(
                    matter_id=mid,
                    kind=TransitionKind.RETURN,
                    procedure_key=procedure.key,
                    from_step=step,
                    to_step="draft",
                    reason="表决未通过",
                    at=done,
                )
                at, i = done, steps.index("draft")
                continue
            if i + 1 == len(steps):
                w.transitions.add(
                    matter_id=mid,
                    kind=TransitionKind.RESOLVE,
                    procedure_key=procedure.key,
                    from_step=step,
                    to_step=step,
                    at=done,
                )
                status, closed, at = Status.RESOLVED, done, done
                if submitter and rng.random() < 0.6:
                    w.ratings.add(
                        matter_id=mid,
                        person_id=submitter,
                        rating=_weighted(rng, [(5, 45), (4, 30), (3, 15), (2, 6), (1, 4)]),
                        at=done + timedelta(days=rng.uniform(0, 9)),
                    )
                break
            if step != "raise" and rng.random() < 0.004:
                w.transitions.add(
                    matter_id=mid,
                    kind=TransitionKind.CLOSE_UNRESOLVED,
                    procedure_key=procedure.key,
                    from_step=step,
                    to_step=step,
                    reason="条件不具备",
                    at=done,
                )
                status, closed, at = Status.UNRESOLVED, done, done
                break
            w.transitions.add(
                matter_id=mid,
                kind=TransitionKind.ADVANCE,
                procedure_key=procedure.key,
                from_step=step,
                to_step=steps[i + 1],
                at=done,
            )
            at, i = done, i + 1
        w.matters.add(
            **fields,
            status=status,
            procedure_key=procedure.key,
            procedure_reason=reason,
            step_key=steps[i],
            step_since=at,
            closed_at=closed,
            supporter_count=len(supporters),
        )


class Filler:
    def __init__(self, totals: dict):
        self.matters = Writer(Matter, _next_id(Matter), totals)
        self.transitions = Writer(Transition, _next_id(Transition), totals)
        self.supports = Writer(Support, _next_id(Support), totals)
        self.sessions = Writer(Session, _next_id(Session), totals)
        self.works = Writer(Work, _next_id(Work), totals)
        self.ratings = Writer(Satisfaction, _next_id(Satisfaction), totals)
        self.people = Writer(Person, _next_id(Person), totals)
        self.meetings = Writer(Meeting, _next_id(Meeting), totals)
        self.attendances = Writer(Attendance, _next_id(Attendance), totals)
        self.categories = list(Category.objects.values_list("pk", flat=True))

    def finish(self):
        # Parents before children: the foreign keys are checked row by row.
        for writer in (
            self.people,
            self.matters,
            self.transitions,
            self.supports,
            self.sessions,
            self.works,
            self.ratings,
            self.meetings,
            self.attendances,
        ):
            writer.finish()


def generate(*, size: str, seed: int = 1, log=print, rebuild: bool = True) -> Generated:
    spec = SIZES[size]
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    result = Generated()
    provinces = _tree(spec, seed, log)
    now = timezone.now()
    first = now - timedelta(days=730)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Parents are written before children but in separate COPY streams: check at commit.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        w = Filler(result.rows)
        life = Life(w, rng)
        convener = w.people.add(name="议事会召集人", password=UNUSABLE, date_joined=now)
        for province in provinces:
            places: dict[int, list[int]] = {}
            for pk, parent, level in (
                Region.objects.subtree(province)
                .filter(level__in=[Level.COMMUNITY, Level.COMPOUND])
                .values_list("pk", "parent_id", "level")
                .order_by("path")
            ):
                if level == Level.COMMUNITY:
                    places[pk] = [pk]
                elif parent in places:
                    places[parent].append(pk)
            for n, (community, spots) in enumerate(places.items()):
                pool = [
                    w.people.add(name=f"居民{k}", password=UNUSABLE, date_joined=first)
                    for k in range(RESIDENTS_PER_COMMUNITY)
                ]
                count = int(spec.matters_per_community) + (rng.random() < spec.matters_per_community % 1)
                for _ in range(count):
                    raised = first + timedelta(seconds=rng.uniform(0, (now - first).total_seconds()))
                    life.matter(
                        spots[-1] if len(spots) > 1 and rng.random() < 0.7 else spots[0], pool, raised, now
                    )
                meetings = int(MEETINGS_PER_COMMUNITY) + (rng.random() < MEETINGS_PER_COMMUNITY % 1)
                for _ in range(meetings):
                    starts = first + timedelta(seconds=rng.uniform(0, (now - first).total_seconds()))
                    mid = w.meetings.add(
                        region_id=community,
                        form=rng.choice(SessionForm.values),
                        platform=rng.choice(
                            [Platform.PARTY_HALL, Platform.BENCH, Platform.WOMEN_HOME, Platform.ONLINE]
                        ),
                        title="居民议事协商会",
                        starts_at=starts,
                        place="党群议事厅",
                        convener_id=convener,
                        status=MeetingStatus.HELD,
                        created_at=starts - timedelta(days=7),
                        announced_at=starts - timedelta(days=7),
                        ended_at=starts + timedelta(hours=2),
                    )
                    for person in rng.sample(pool, rng.randint(3, 8)):
                        w.attendances.add(
                            meeting_id=mid,
                            person_id=person,
                            name="居民",
                            method="staff",
                            at=starts + timedelta(minutes=rng.uniform(-20, 10)),
                        )
                if n % 5000 == 0:
                    log(
                        f"  {province.name}: {n}/{len(places)} communities, {w.matters.next_id} matters so far, "
                        f"{time.monotonic() - started:.0f} s"
                    )
        w.finish()
        record(
            actor=None,
            action=Action.STATS_GENERATE_FIGURES_DATA,
            target=provinces[0],
            data={
                "size": size,
                "seed": seed,
                "rows": result.rows,
                "seconds": round(time.monotonic() - started),
            },
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result.regions = Region.objects.count()
    result.people = result.rows.get("people.Person", 0)
    result.seconds = time.monotonic() - started
    if rebuild:
        result.rebuild_seconds = rebuilding.rebuild(verbose=log).seconds
    return result
