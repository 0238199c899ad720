"""The roll-ups: what each matter, meeting and vote contributes to the counters, kept up to date as they move.

One function per kind of source computes its whole contribution from the raw rows (``_matter_part`` …). A
change refreshes the source: the new contribution is computed, the one stored in ``Source`` is subtracted,
the difference is added to ``Counter`` for the region and every ancestor (and to ``Participant``), all in the
caller's transaction. ``rebuilding.rebuild()`` computes every contribution in bulk, one street's subtree at
a time, and writes the counters afresh. Both paths use the same contribution functions; the test compares
the result with ``plain`` (GROUP BY over the raw tables), written independently. The readers are in
``readers``.
"""

from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from yishi.matters.models import CLOSED_STATUSES, Matter, Status, Support
from yishi.meetings.models import Announcement, Attendance, Meeting, MeetingStatus, Platform, Session
from yishi.procedures.models import Transition, TransitionKind
from yishi.regions.models import PATH_WIDTH, Level, Region, ids_in_path
from yishi.reminders.models import Escalation
from yishi.votes.models import Participation, Vote, VoteResult
from yishi.works.models import Satisfaction, Work

from .models import Counter, Participant, Source
from .shapes import bucket_of, short_procedures

MATTER, MEETING, VOTE = "m", "g", "v"
CONSULT = "consult:"  # kept at the community only


def month_of(value) -> int:
    """The month ordinal of an aware datetime (in the site's time zone) or a date."""
    if isinstance(value, datetime):
        # astimezone directly: timezone.localtime's checks cost more than the conversion, a million times over.
        value = value.astimezone(timezone.get_default_timezone())
    return value.year * 12 + value.month - 1


def month_date(ordinal: int) -> date:
    return date(ordinal // 12, ordinal % 12 + 1, 1)


def local_day(value: datetime) -> date:
    return value.astimezone(timezone.get_default_timezone()).date()


# --- the region tree --------------------------------------------------------------------------------------


class Tree:
    """Ancestors and community of regions, read once per region (all of them when rebuilding)."""

    def __init__(self):
        self.path: dict[int, str] = {}
        self.level: dict[int, int] = {}
        self.by_path: dict[str, int] = {}

    def load_all(self) -> "Tree":
        for pk, path, level in Region.objects.values_list("pk", "path", "level").iterator(chunk_size=20000):
            self._add(pk, path, level)
        return self

    def _add(self, pk, path, level):
        self.path[pk], self.level[pk], self.by_path[path] = path, level, pk

    def know(self, region: Region) -> None:
        """A region the caller already holds (a path never changes once made): no query for it."""
        self._add(region.pk, region.path, region.level)

    def ensure(self, ids) -> None:
        """Know the regions ``ids`` and their ancestors: the regions, then those ancestors (ids cut from the
        paths) not known yet. Two plain reads; one query cutting the paths in SQL took Django longer to compile
        than both take to run."""
        missing = {i for i in ids if i not in self.path}
        if not missing:
            return
        rows = list(Region.objects.filter(pk__in=missing).values_list("pk", "path", "level").order_by())
        for row in rows:
            self._add(*row)
        above = {a for _pk, path, _level in rows for a in ids_in_path(path)} - self.path.keys()
        if above:
            for row in Region.objects.filter(pk__in=above).values_list("pk", "path", "level").order_by():
                self._add(*row)

    def ancestors(self, pk: int) -> list[int]:
        """The region and its ancestors, the region first."""
        p = self.path[pk]
        return [int(p[i : i + PATH_WIDTH]) for i in range(len(p) - PATH_WIDTH, -1, -PATH_WIDTH)]

    def community(self, pk: int) -> int | None:
        ancestors = self.ancestors(pk)
        self.ensure(ancestors)  # a region known on its own (``know``): its ancestors' levels are read now
        for anc in ancestors:
            if self.level[anc] == Level.COMMUNITY:
                return anc
        return None


# --- contributions ----------------------------------------------------------------------------------------


@dataclass
class Part:
    """A source's contribution: counter rows [region, month, dim, n] and participation [region, month, person, n],
    region being where it happened (not yet spread over the ancestors)."""

    counters: list = field(default_factory=list)
    people: list = field(default_factory=list)

    def add(self, region, month, dim, n=1):
        self.counters.append([region, month, dim, n])

    def person(self, region, month, person):
        if person is not None:
            self.people.append([region, month, person, 1])

    def as_json(self) -> dict:
        return {"c": self.counters, "p": self.people}


def _hours(delta) -> float:
    return delta.total_seconds() / 3600


@dataclass
class MatterRows:
    row: tuple
    transitions: list = field(default_factory=list)
    supports: list = field(default_factory=list)
    works: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    escalations: int = 0
    late_notices: int = 0
    electorate_differs: int = 0  # results recorded with an electorate other than the body as seated


MATTER_FIELDS = (
    "pk",
    "region_id",
    "category__key",
    "channel",
    "status",
    "raised_at",
    "closed_at",
    "submitter_id",
    "procedure_key",
)


BATCH = 2000


def _batches(ids: list[int]):
    """Explicit id lists of a bounded size: each child table is then read by its index on the parent's id (a
    sub-select over the region tree would let the planner scan the whole child table for every chunk)."""
    for i in range(0, len(ids), BATCH):
        yield ids[i : i + BATCH]


def _load_matters(q: Q) -> dict[int, MatterRows]:
    """Every raw row a matter's contribution depends on, for the matters matching ``q``, in a few queries."""
    out = {row[0]: MatterRows(row) for row in Matter.objects.filter(q).values_list(*MATTER_FIELDS).order_by()}
    for batch in _batches(sorted(out)):
        _load_matter_rows(out, batch)
    return out


def _load_matter_rows(out: dict[int, MatterRows], ids: list[int]) -> None:
    sub = {"matter_id__in": ids}
    for m, kind, frm, to, at in (
        Transition.objects.filter(**sub)
        .order_by("matter", "at", "pk")
        .values_list("matter", "kind", "from_step", "to_step", "at")
    ):
        out[m].transitions.append((kind, frm, to, at))
    for m, person, at in Support.objects.filter(**sub, from_matter__isnull=True).values_list(
        "matter", "person", "at"
    ):
        out[m].supports.append((person, at))
    for m, due, done in Work.objects.filter(**sub).values_list("matter", "due_on", "done_at"):
        out[m].works.append((due, done))
    for m, rating, at in Satisfaction.objects.filter(**sub).values_list("matter", "rating", "at"):
        out[m].ratings.append((rating, at))
    for m, at, form, meeting in Session.objects.filter(**sub).values_list(
        "matter", "held_at", "form", "meeting"
    ):
        out[m].sessions.append((at, form, meeting))
    for m, n in (
        Escalation.objects.filter(work__matter_id__in=ids)
        .values_list("work__matter")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[m].escalations = n
    late = Announcement.matters.through.objects.filter(**sub, announcement__late=True).exclude(
        announcement__meeting__status=MeetingStatus.CANCELLED
    )
    for m, n in late.values_list("matter").annotate(n=Count("id")).order_by():
        out[m].late_notices = n
    differs = VoteResult.objects.filter(**sub, seated__isnull=False).exclude(electorate=F("seated"))
    for m, n in differs.values_list("matter").annotate(n=Count("id")).order_by():
        out[m].electorate_differs = n


def _matter_part(data: MatterRows, tree: Tree, shorts: set[str]) -> Part:
    _pk, region, category, channel, status, raised_at, closed_at, submitter, procedure = data.row
    part = Part()
    raised = month_of(raised_at)
    dims = ("", f".c:{category}", f".h:{channel}")
    for d in dims:
        part.add(region, raised, f"raised{d}")
        part.add(region, raised, f"open{d}")
    part.person(region, raised, submitter)
    if status in CLOSED_STATUSES and closed_at is not None:
        closed = month_of(closed_at)
        part.add(region, closed, f"closed:{status}")
        for d in dims:
            part.add(region, closed, f"open{d}", -1)
        if status == Status.RESOLVED:
            part.add(region, closed, f"resolved.c:{category}")
            part.add(region, closed, f"resolved.h:{channel}")
            part.add(region, closed, f"res:{bucket_of(_hours(closed_at - raised_at))}")
        if status in (Status.RESOLVED, Status.UNRESOLVED):
            kinds = Tally()
            if procedure in shorts:
                kinds["short_path"] += 1
            if status == Status.UNRESOLVED:
                kinds["unresolved"] += 1
            kinds["returned"] += sum(1 for t in data.transitions if t[0] == TransitionKind.RETURN)
            kinds["escalated"] += data.escalations
            kinds["late_notice"] += data.late_notices
            kinds["electorate_differs"] += data.electorate_differs
            part.add(region, closed, "finished")
            if not +kinds:
                part.add(region, closed, "followed")
            for kind, n in (+kinds).items():
                part.add(region, closed, f"dev:{kind}", n)
    entered = {}
    for kind, frm, to, at in data.transitions:
        if kind == TransitionKind.START:
            part.add(region, month_of(at), "accepted")
        if kind in (TransitionKind.ADVANCE, TransitionKind.RESOLVE) and frm in entered:
            part.add(region, month_of(at), f"step:{frm}:{bucket_of(_hours(at - entered[frm]))}")
        if kind in (TransitionKind.START, TransitionKind.ADVANCE, TransitionKind.RETURN):
            entered[to] = at
    for person, at in data.supports:
        part.person(region, month_of(at), person)
    for due, done in data.works:
        m = month_of(due)
        part.add(region, m, "task.due")
        if done is None:
            part.add(region, m, f"task.open:{due.isoformat()}")
        else:
            part.add(region, m, "task.ontime" if local_day(done) <= due else "task.late")
    for rating, at in data.ratings:
        part.add(region, month_of(at), f"sat:{rating}")
    for at, form, meeting in data.sessions:
        # A session recorded on paper, outside any scheduled meeting, was a meeting held all the same (the
        # report counts its 议事协商会 among "meetings held"); one inside a meeting is counted by the meeting.
        if meeting is None:
            part.add(region, month_of(at), "meet")
            part.add(region, month_of(at), f"meet.f:{form}")
            part.add(region, month_of(at), f"meet.p:{Platform.OTHER}")
    community = tree.community(region) if data.sessions else None
    if community is not None:
        for at, _form, _meeting in data.sessions:
            part.add(community, month_of(at), f"{CONSULT}{local_day(at).isoformat()}")
    return part


def _load_meetings(q: Q) -> dict[int, tuple]:
    out = {
        row[0]: (row, [])
        for row in Meeting.objects.filter(q)
        .values_list("pk", "region_id", "status", "starts_at", "form", "platform")
        .order_by()
    }
    for batch in _batches(sorted(out)):
        for meeting, person, at in Attendance.objects.filter(
            meeting_id__in=batch, person__isnull=False
        ).values_list("meeting", "person", "at"):
            out[meeting][1].append((person, at))
    return out


def _meeting_part(data, tree: Tree) -> Part:
    (_pk, region, status, starts_at, form, platform), attendances = data
    part = Part()
    if status == MeetingStatus.HELD:
        m = month_of(starts_at)
        part.add(region, m, "meet")
        part.add(region, m, f"meet.f:{form}")
        part.add(region, m, f"meet.p:{platform}")
        community = tree.community(region)
        if community is not None:
            part.add(community, m, f"{CONSULT}{local_day(starts_at).isoformat()}")
    for person, at in attendances:
        part.person(region, month_of(at), person)
    return part


def _load_votes(q: Q) -> dict[int, tuple]:
    out = {
        pk: (region, []) for pk, region in Vote.objects.filter(q).values_list("pk", "region_id").order_by()
    }
    for batch in _batches(sorted(out)):
        for vote, person, at in Participation.objects.filter(
            vote_id__in=batch, elector__person__isnull=False
        ).values_list("vote", "elector__person", "at"):
            out[vote][1].append((person, at))
    return out


def _vote_part(data, tree: Tree) -> Part:
    region, participations = data
    part = Part()
    for person, at in participations:
        part.person(region, month_of(at), person)
    return part


def contributions(kind: str, q: Q, tree: Tree, shorts: set[str]) -> dict[int, Part]:
    if kind == MATTER:
        loaded = _load_matters(q)
        tree.ensure({d.row[1] for d in loaded.values()})
        return {pk: _matter_part(d, tree, shorts) for pk, d in loaded.items()}
    if kind == MEETING:
        loaded = _load_meetings(q)
        tree.ensure({d[0][1] for d in loaded.values()})
        return {pk: _meeting_part(d, tree) for pk, d in loaded.items()}
    loaded = _load_votes(q)
    tree.ensure({d[0] for d in loaded.values()})
    return {pk: _vote_part(d, tree) for pk, d in loaded.items()}


# --- spreading over the ancestors and writing -------------------------------------------------------------


def spread_counters(rows, tree: Tree, sign: int, into: dict) -> None:
    for region, month, dim, n in rows:
        targets = (region,) if dim.startswith(CONSULT) else tree.ancestors(region)
        for anc in targets:
            key = (anc, month, dim)
            into[key] = into.get(key, 0) + sign * n


def spread_people(rows, tree: Tree, sign: int, into: dict) -> None:
    """(region, year, person) → {month index: count change}."""
    for region, month, person, n in rows:
        year, index = divmod(month, 12)
        for anc in tree.ancestors(region):
            into.setdefault((anc, year, person), Tally())[index] += sign * n


def month_mask(counts) -> int:
    return sum(1 << i for i, c in enumerate(counts) if c)


def people_changes(region: int, year: int, old: list, new: list, into: dict) -> None:
    """The distinct-people counters that change when one person's months go from ``old`` to ``new``."""
    base = year * 12
    for i in range(12):
        if bool(old[i]) != bool(new[i]):
            key = (region, base + i, "people.m")
            into[key] = into.get(key, 0) + (1 if new[i] else -1)
    for q in range(4):
        was, now = any(old[3 * q : 3 * q + 3]), any(new[3 * q : 3 * q + 3])
        if was != now:
            key = (region, base + 3 * q, "people.q")
            into[key] = into.get(key, 0) + (1 if now else -1)
    if any(old) != any(new):
        key = (region, base, "people.y")
        into[key] = into.get(key, 0) + (1 if any(new) else -1)


def _add_to_counters(changes: dict) -> None:
    rows = [(r, m, d, n) for (r, m, d), n in changes.items() if n]
    if not rows:
        return
    table = Counter._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 500):
            batch = rows[i : i + 500]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (region_id, month, dim, n) VALUES {values} "  # noqa: S608 - fixed table name
                f"ON CONFLICT (region_id, month, dim) DO UPDATE SET n = {table}.n + EXCLUDED.n",
                [v for row in batch for v in row],
            )


def _apply_people(changes: dict, counter_changes: dict) -> None:
    changes = {k: v for k, v in changes.items() if +v or -v}
    if not changes:
        return
    regions = {k[0] for k in changes}
    years = {k[1] for k in changes}
    persons = {k[2] for k in changes}
    existing = {
        (p.region_id, p.year, p.person_id): p
        for p in Participant.objects.select_for_update().filter(
            region_id__in=regions, year__in=years, person_id__in=persons
        )
    }
    create, update, delete = [], [], []
    for key, delta in changes.items():
        row = existing.get(key)
        old = list(row.counts) if row else [0] * 12
        new = [old[i] + delta.get(i, 0) for i in range(12)]
        if any(c < 0 for c in new):
            raise ValueError(f"participation below zero for {key}")
        people_changes(key[0], key[1], old, new, counter_changes)
        if row is None:
            if any(new):
                create.append(
                    Participant(
                        region_id=key[0], year=key[1], person_id=key[2], counts=new, mask=month_mask(new)
                    )
                )
        elif any(new):
            row.counts, row.mask = new, month_mask(new)
            update.append(row)
        else:
            delete.append(row.pk)
    Participant.objects.bulk_create(create)
    Participant.objects.bulk_update(update, ["counts", "mask"])
    Participant.objects.filter(pk__in=delete).delete()


def refresh(kind: str, ids) -> None:
    """Bring the counters up to date with sources ``ids`` of ``kind``, in the caller's transaction."""
    ids = sorted(set(ids))
    if not ids:
        return
    tree = Tree()
    # No savepoint: an error here fails the caller's change, which rolls back as a whole.
    with transaction.atomic(savepoint=False):
        stored = _stored(kind, ids)
        parts = contributions(kind, Q(pk__in=ids), tree, set(short_procedures()))
        changes = {pk: (_rows_of(stored.get(pk)), parts[pk].as_json() if pk in parts else None) for pk in ids}
        _apply(kind, changes, stored, tree)


def refresh_new_matter(matter: Matter) -> None:
    """``refresh`` for a matter created in the caller's transaction, from the instance just saved.

    Nothing can refer to it yet (no step, supporter, task, rating or session), so its row alone makes its
    contribution: the same ``_matter_part`` a recount applies, without reading back what was just written.
    """
    joined = {"category__key": matter.category.key}
    row = tuple(joined[name] if name in joined else getattr(matter, name) for name in MATTER_FIELDS)
    tree = Tree()
    if Matter.region.is_cached(matter):
        tree.know(matter.region)
    with transaction.atomic(savepoint=False):
        tree.ensure([matter.region_id])
        part = _matter_part(MatterRows(row), tree, set(short_procedures()))
        # No stored contribution to read: ids are never reused (a sequence; AUTOINCREMENT on SQLite), so none
        # exists for a new matter, and the source's unique key would refuse a second one.
        _apply(MATTER, {matter.pk: (_EMPTY, part.as_json())}, {}, tree)


def refresh_added_participation(participation: Participation) -> None:
    """``refresh`` for one participation added in the caller's transaction to a vote whose stored contribution
    is current: it gains that participation's ``_vote_part``, without reading back every participation."""
    person = participation.elector.person_id
    if person is None:
        return  # a household's seat: a recount skips it too, so nothing changes
    vote = participation.vote
    region = vote.region_id
    tree = Tree()
    if Vote.region.is_cached(vote):
        tree.know(vote.region)
    with transaction.atomic(savepoint=False):
        stored = _stored(VOTE, [participation.vote_id])
        old = _rows_of(stored.get(participation.vote_id))
        added = _vote_part((region, [(person, participation.at)]), tree).as_json()
        new = {"c": old["c"] + added["c"], "p": old["p"] + added["p"]}
        _apply(VOTE, {participation.vote_id: (old, new)}, stored, tree)


def _stored(kind: str, ids) -> dict:
    return {s.object_id: s for s in Source.objects.select_for_update().filter(kind=kind, object_id__in=ids)}


_EMPTY = {"c": [], "p": []}


def _rows_of(source) -> dict:
    return source.data if source is not None else _EMPTY


def _difference(old: list, new: list) -> tuple[list, list]:
    """The rows only in ``old`` and those only in ``new``, counted as multisets. Spreading just these moves the
    counters as spreading all of both would, at the cost of what changed: a vote's 8,000th ballot spreads one
    row, not 16,000."""
    before, after = Tally(map(tuple, old)), Tally(map(tuple, new))
    return list((before - after).elements()), list((after - before).elements())


def _apply(kind: str, changes: dict, stored: dict, tree: Tree) -> None:
    """Write each source's new rows ({pk: (old rows, new rows or None when it is gone)}) and add the
    difference to the counters and participants."""
    counters: dict = {}
    people: dict = {}
    for pk, (old_rows, new_rows) in changes.items():
        if old_rows == (new_rows or _EMPTY):
            continue
        new = new_rows or _EMPTY
        gone_c, added_c = _difference(old_rows["c"], new["c"])
        gone_p, added_p = _difference(old_rows["p"], new["p"])
        tree.ensure({r[0] for r in gone_c + added_c + gone_p + added_p})
        spread_counters(gone_c, tree, -1, counters)
        spread_counters(added_c, tree, 1, counters)
        spread_people(gone_p, tree, -1, people)
        spread_people(added_p, tree, 1, people)
        old = stored.get(pk)
        if new_rows is None:
            Source.objects.filter(kind=kind, object_id=pk).delete()
        elif old is None:
            Source.objects.create(kind=kind, object_id=pk, data=new_rows)
        else:
            old.data = new_rows
            old.save(update_fields=["data"])
    _apply_people(people, counters)
    _add_to_counters(counters)
