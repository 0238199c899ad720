"""The seed report's stories (S1–S4) and a few dozen everyday matters, made through the services.

Every matter is made the way the product makes it: raised online or recorded by staff, screened, and moved
step by step by the people who hold the authority. The services stamp their rows with the current time; each
step runs inside ``Clock.at(day)``, and once all are made the times each step stamped are moved back to its day
(the audit entries are never touched: they record when the demo was loaded, and the chain stays whole). Days
count back from today, so a demo loaded on 2026-11-28 reads as the report: S1's meeting on 10月15日, the repair
on 11月15日; S2's survey in December 2025 and its meeting and vote in January 2026. Surveys, votes, charges,
payments and the public fund are made through their services too: a show of hands and a paper count are
entered twice by two members of staff, and every payment has its receipt number.
"""

import io
import random
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from yishi.access.models import RoleAssignment
from yishi.access.roles import Role
from yishi.comments import services as comments
from yishi.comments.models import Comment
from yishi.funds import services as funds
from yishi.funds.models import ChargeRule, Exemption, Fund, FundEntry, Method, Payment, PaymentMethod
from yishi.funds.queries import collected
from yishi.matters import services as matters
from yishi.matters.models import Category, Channel, Matter, Photo, Support
from yishi.meetings.holding import record_session
from yishi.meetings.models import Session, SessionForm
from yishi.notices.models import Notice, NoticeKind
from yishi.notices.services import post_notice, publish_result
from yishi.people.models import Membership, Person
from yishi.plans.models import Consensus, PlanVersion
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import services as engine
from yishi.procedures.models import Transition
from yishi.regions.models import Household, Level, Region, Unit, UnitKind, dwelling_order
from yishi.regions.services import create_unit
from yishi.reviews.models import Review
from yishi.reviews.services import submit_review
from yishi.stats.rebuilding import rebuild as rebuild_figures
from yishi.surveys import services as surveys
from yishi.surveys.models import QuestionKind, Response, Survey
from yishi.surveys.queries import code_for
from yishi.votes import casting, drafting, tallies
from yishi.votes.models import (
    Ballot,
    Correction,
    ElectorateKind,
    Kind,
    NamedChoice,
    Participation,
    Proxy,
    TallyEntry,
    Vote,
    VoteResult,
)
from yishi.votes.tallies import record_result
from yishi.works.models import ProgressReport, Satisfaction, Supervision, Work
from yishi.works.services import assign_work, rate_result, report_progress, supervise

from .shared import REPRESENTATIVES, Demo, add_staff

S1_TITLE = "小区西侧小路积水，有老人摔伤"
S2_TITLE = "请专业绿化队管护小区绿化带"
S3_TITLE = "小区垃圾堆多年没人清理"
S4_METERS_TITLE = "储藏间没有电表，私拉电线有隐患"
S4_STRUCTURES_TITLE = "小区私搭乱建占用公共空间"

# Units the stories need beyond the city's four: (name, kind, registered at, serves, staff, phone, title, gender).
MORE_UNITS = [
    (
        "运河区环卫中心",
        UnitKind.GOVERNMENT,
        "运河区",
        ["丽景社区", "朝东社区"],
        "刘保国",
        "13900000015",
        "环卫中心班长",
        "M",
    ),
    (
        "新华区环卫中心",
        UnitKind.GOVERNMENT,
        "新华区",
        ["三角线社区"],
        "冯建军",
        "13900000016",
        "环卫中心班长",
        "M",
    ),
    (
        "新华区城管",
        UnitKind.URBAN_MANAGEMENT,
        "新华区",
        ["三角线社区"],
        "韩磊",
        "13900000017",
        "城管中队长",
        "M",
    ),
    (
        "国网沧州供电公司新华供电中心",
        UnitKind.OTHER,
        "新华区",
        ["三角线社区"],
        "杨帆",
        "13900000018",
        "供电服务经理",
        "M",
    ),
    (
        "馨泰花园小区物业服务公司",
        UnitKind.PROPERTY,
        "丽景社区",
        ["馨泰花园小区"],
        "郑丽娜",
        "13900000019",
        "物业经理",
        "F",
    ),
    (
        "沧州宏达建筑工程有限公司",
        UnitKind.CONTRACTOR,
        "沧州市",
        ["丽景社区", "朝东社区", "三角线社区"],
        "马志强",
        "13900000020",
        "项目经理",
        "M",
    ),
    (
        "沧州康健体育器材有限公司",
        UnitKind.CONTRACTOR,
        "沧州市",
        ["朝东社区"],
        "高文军",
        "13900000021",
        "安装队长",
        "M",
    ),
    (
        "沧州绿源园林绿化队",
        UnitKind.CONTRACTOR,
        "新华区",
        ["建材城小区"],
        "陈树林",
        "13900000022",
        "绿化队队长",
        "M",
    ),
]

PLACES_OF_MEETING = {
    "丽景社区": "社区协商议事厅",
    "朝东社区": "朝东社区党群议事厅",
    "三角线社区": "三角线社区“小板凳”议事会",
}

# The rows the services stamp with the current time, and their time fields.
STAMPED = (
    (Matter, ("raised_at", "step_since", "closed_at")),
    (Support, ("at",)),
    (Photo, ("at",)),
    (Transition, ("at",)),
    (Session, ("recorded_at",)),
    (PlanVersion, ("drafted_at",)),
    (Consensus, ("recorded_at",)),
    (Review, ("at",)),
    (VoteResult, ("recorded_at",)),
    (Work, ("assigned_at", "done_at", "confirmed_at")),
    (ProgressReport, ("at",)),
    (Supervision, ("at",)),
    (Notice, ("posted_at",)),
    (Satisfaction, ("at",)),
    (Survey, ("created_at", "opened_at", "closed_at")),
    (Response, ("submitted_at", "voided_at")),
    (Vote, ("created_at", "opened_at", "closed_at")),
    (Participation, ("at",)),
    (Ballot, ("cast_at",)),
    (NamedChoice, ("at",)),
    (TallyEntry, ("entered_at",)),
    (Proxy, ("recorded_at",)),
    (Correction, ("signed_at",)),
    (ChargeRule, ("created_at", "issued_at")),
    (Exemption, ("recorded_at",)),
    (Payment, ("recorded_at",)),
    (Fund, ("opened_at",)),
    (FundEntry, ("recorded_at",)),
    (Comment, ("created_at", "hidden_at")),
)


class Clock:
    """Days counted back from today; each step's real time span, and the day it is moved back to."""

    def __init__(self):
        self.today = timezone.localdate()
        self.steps: list[tuple[datetime, datetime, datetime]] = []  # (started, ended, the day it tells of)

    def date(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def day(self, days_ago: int, hour: int = 9, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(self.date(days_ago), time(hour, minute)))

    @contextmanager
    def at(self, when: datetime):
        """Run a step; what it stamps is moved back to ``when`` by ``backdate()``."""
        started = timezone.now()
        if when >= started:
            raise ValueError(f"a demo step must lie in the past, not at {when}")
        yield
        self.steps.append((started, timezone.now(), when))

    def backdate(self) -> None:
        """Move every time the steps stamped back to the day of the step that stamped it (one pass per table)."""
        if not self.steps:
            return
        starts = [started for started, _, _ in self.steps]
        first = starts[0]
        for model, fields in STAMPED:
            since = Q()
            for name in fields:
                since |= Q(**{f"{name}__gte": first})
            rows = list(model.objects.filter(since).only("pk", *fields))
            for row in rows:
                for name in fields:
                    value = getattr(row, name)
                    if value is None or value < first:
                        continue
                    _, ended, when = self.steps[bisect_right(starts, value) - 1]
                    if value > ended:
                        raise RuntimeError(
                            f"{model.__name__}.{name} of {row.pk} was stamped outside a demo step"
                        )
                    setattr(row, name, when)
            model.objects.bulk_update(rows, fields, batch_size=500)


def md(d: date | datetime) -> str:
    return f"{d.month}月{d.day}日"


def picture(kind: str) -> ContentFile:
    """A small drawn photo: the flooded lane, the repaired road, the rubbish heap, the cleared ground."""
    image = Image.new("RGB", (800, 600), (176, 190, 197))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, 800, 600), fill=(112, 110, 104))  # ground
    if kind == "flood":
        draw.ellipse((180, 380, 620, 540), fill=(70, 90, 110))
        draw.ellipse((250, 410, 520, 500), fill=(96, 120, 140))
    elif kind == "repaired":
        for x in (90, 290, 470, 640):
            draw.rectangle((x, 400, x + 110, 470), fill=(58, 58, 58))
    elif kind == "rubbish":
        draw.polygon([(150, 560), (300, 360), (420, 420), (560, 340), (690, 560)], fill=(120, 96, 60))
        for x, y in ((260, 470), (380, 440), (500, 500), (600, 460)):
            draw.ellipse((x, y, x + 50, y + 30), fill=(40, 110, 160))
    elif kind == "greenbelt":  # the green belt weeded, hedges trimmed, young trees planted
        draw.rectangle((0, 400, 800, 520), fill=(92, 140, 70))
        for x in range(40, 800, 120):
            draw.rectangle((x + 26, 300, x + 34, 420), fill=(96, 72, 48))
            draw.ellipse((x, 230, x + 60, 320), fill=(58, 120, 52))
    else:  # cleared
        draw.rectangle((60, 380, 740, 580), fill=(150, 150, 146))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name=f"{kind}.jpg")


@dataclass
class Town:
    demo: Demo
    clock: Clock
    regions: dict[str, Region]
    units: dict[str, Unit] = field(default_factory=dict)
    unit_staff: dict[str, Person] = field(default_factory=dict)
    secretary: dict[str, Person] = field(default_factory=dict)
    committee: dict[str, list[Person]] = field(default_factory=dict)  # the two committees, secretary first
    council: dict[str, list[Person]] = field(default_factory=dict)
    representatives: dict[str, list[Person]] = field(default_factory=dict)
    experts: dict[str, Person] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    pools: dict[str, list[Person]] = field(default_factory=dict)
    cursor: dict[str, int] = field(default_factory=dict)
    reserved: set[int] = field(default_factory=set)

    def community_of(self, region: Region) -> Region:
        return region if region.level == Level.COMMUNITY else self.community_of(region.parent)

    def pool(self, region: Region) -> list[Person]:
        """Residents with a phone living in ``region`` (a compound, or a community's compounds), no role held."""
        if region.name not in self.pools:
            if region.level == Level.COMMUNITY:
                people = [p for c in region.children.order_by("path") for p in self.pool(c)]
            else:
                people = list(
                    Person.objects.filter(memberships__household__region__parent=region, phone__isnull=False)
                    .exclude(roles__isnull=False)
                    .order_by("pk")
                )
            self.pools[region.name] = people
        return [p for p in self.pools[region.name] if p.pk not in self.reserved]

    def take(self, region: Region, n: int = 1, besides=()) -> list[Person]:
        """The next ``n`` residents of ``region`` in turn, so matters have different people behind them."""
        people = self.pool(region)
        skip = {p.pk for p in besides if p is not None}
        chosen: list[Person] = []
        i = self.cursor.get(region.name, 0)
        while len(chosen) < n:
            person = people[i % len(people)]
            i += 1
            if person.pk not in skip and person not in chosen:
                chosen.append(person)
        self.cursor[region.name] = i
        return chosen

    def one(self, region: Region, besides=()) -> Person:
        return self.take(region, 1, besides)[0]

    def no_phone(self, region: Region) -> Person:
        """An elderly resident without a mobile phone (one who comes to the office in person)."""
        return (
            Person.objects.filter(memberships__household__region__parent=region, phone__isnull=True)
            .order_by("pk")
            .first()
        )

    def printed_resident(self, community: str, compound: Region) -> Person:
        """The resident whose login ``load-demo`` prints for ``community``, if they live in ``compound``."""
        label = f"{Role.RESIDENT.label} · {community}"
        phone = next((login.phone for login in self.demo.logins if login.role == label), None)
        person = (
            phone
            and Person.objects.filter(phone=phone, memberships__household__region__parent=compound).first()
        )
        person = person or self.one(compound)
        self.reserved.add(person.pk)
        return person


def _town(demo: Demo) -> Town:
    town = Town(demo=demo, clock=Clock(), regions=demo.regions)
    r = demo.regions
    for name, kind, home, serves, staff, phone, title, gender in MORE_UNITS:
        unit = create_unit(
            actor=None, name=name, kind=kind, home_region=r[home], serves=[r[s] for s in serves]
        )
        add_staff(demo, staff, phone, Role.UNIT_STAFF, r[home], title=title, unit=unit, gender=gender)
    for assignment in (
        RoleAssignment.objects.active().select_related("person", "region", "unit").order_by("pk")
    ):
        person, region = assignment.person, assignment.region
        if assignment.role == Role.UNIT_STAFF:
            town.units[assignment.unit.name] = assignment.unit
            town.unit_staff.setdefault(assignment.unit.name, person)
        elif assignment.role == Role.COMMITTEE:
            town.secretary.setdefault(region.name, person)
            town.committee.setdefault(region.name, []).append(person)
        elif assignment.role == Role.COUNCIL:
            town.council.setdefault(region.name, []).append(person)
        elif assignment.role == Role.REPRESENTATIVE:
            town.representatives.setdefault(region.name, []).append(person)
        elif assignment.role == Role.EXPERT:
            town.experts[assignment.expertise] = person
    town.categories = {c.key: c for c in Category.objects.all()}
    return town


# ---------------------------------------------------------------------------------------------------------
def _given_to(part, secretary: Person) -> dict:
    """Whom a part's task goes to: the unit the plan names; the committee itself for a part the plan gives the
    residents' committee (居委会); else the secretary by name, who sees it carried out."""
    if part.unit_id:
        return {"unit": part.unit}
    if "居委会" in part.responsible:
        return {"to_committee": True}
    return {"assignee": secretary}


# A matter walked through its procedure by the people who hold the authority.


@dataclass
class M:
    """An everyday matter: where, what, how it came in, how many days ago, and how far it has gone."""

    place: str
    category: str
    channel: str
    title: str
    description: str
    days: int
    target: (
        str  # new, declined, referred, withdrawn, unresolved, merged, or the step it is now at, or resolved
    )
    location: str = ""
    back_to_back: bool = False
    supporters: int = 0
    procedure: str = "eight_steps"
    reason: str = (
        ""  # the procedure's reason, or the public reason for declining, referring, closing, withdrawing
    )
    referred_to: str = ""
    same_as: str = ""  # for a duplicate: the title of the matter it is merged into
    session: bool = False  # at "ideas": the talk is already held (not yet moved on)
    ideas: list[tuple[str, str]] = field(default_factory=list)
    summary: str = ""
    budget: int | None = None
    parts: list[tuple[str, str]] = field(default_factory=list)  # (what, unit name or who is responsible)
    revision: str = ""  # the summary of version 2, after a review asked for changes or a vote failed
    returned: str = ""  # "review" (changes asked) or "vote" (failed) on the way
    opinion: str = ""  # the expert's opinion asking for changes
    idle: int | None = None  # days since the last step (screening takes a few days; open matters move on)


EIGHT_PHASES = [
    "accept",
    "ideas",
    "draft",
    "consensus",
    "review",
    "vote",
    "assign",
    "report",
    "confirm",
    "publish",
]
SHORT_PHASES = ["accept", "consult", "assign", "report", "confirm", "publish"]
STOPS = {
    "ideas": 1,
    "draft": 2,
    "consensus": 3,
    "review": 4,
    "vote": 5,
    "implement": 8,
    "publish": 9,
    "resolved": 10,
}
SHORT_STOPS = {"consult": 1, "implement": 4, "publish": 5, "resolved": 6}


def _phases(spec: M) -> list[str]:
    if spec.target in ("declined", "referred", "merged"):
        return [spec.target]
    if spec.target == "withdrawn":
        return ["accept", "withdraw"]
    if spec.target == "unresolved":
        return ["accept", "ideas", "unresolved"]
    if spec.procedure == "short_path":
        phases = SHORT_PHASES[: SHORT_STOPS[spec.target]]
    else:
        phases = EIGHT_PHASES[: STOPS[spec.target]]
        if spec.target == "ideas" and spec.session:
            phases.append("session")
    if spec.target == "implement":
        phases[-1] = "progress"
    if spec.returned == "review":
        i = phases.index("review") if "review" in phases else None
        if i is not None:
            tail = [] if spec.target == "draft" else ["redraft", "reconsensus", "review"]
            phases[i : i + 1] = ["changes", *tail]
        elif spec.target == "draft":
            phases += ["draft", "consensus", "changes"]
    if spec.returned == "vote" and "vote" in phases:
        i = phases.index("vote")
        phases[i : i + 1] = ["failed_vote", "redraft", "reconsensus", "rereview", "vote"]
    return phases


class Walk:
    def __init__(self, town: Town, spec: M, found: dict[str, Matter]):
        self.town, self.spec, self.found = town, spec, found
        self.region = town.regions[spec.place]
        self.community = town.community_of(self.region)
        self.secretary = town.secretary[self.community.name]
        self.council = town.council[self.community.name]
        self.supporters: list[Person] = []
        self.matter: Matter | None = None

    def at(self, days_ago: int, hour: int, minute: int = 0):
        return self.town.clock.at(self.town.clock.day(days_ago, hour, minute))

    def run(self) -> Matter:
        spec, town = self.spec, self.town
        # Residents raise matters at all hours; the time is made up from the text, so it stays the same per load.
        raised = town.clock.day(spec.days, 7 + len(spec.title) * 7 % 15, len(spec.description) * 13 % 60)
        with town.clock.at(raised):
            self.raise_it()
        for k, person in enumerate(self.supporters):  # neighbours add their names in the hours after
            with town.clock.at(raised + timedelta(minutes=37 * (k + 1))):
                matters.support(actor=person, matter=self.matter)
        phases = _phases(spec) if spec.target != "new" else []
        if spec.idle is not None:
            span = spec.days - spec.idle
        elif spec.target in ("declined", "referred", "merged"):
            span = min(3, spec.days - 1)
        else:
            span = spec.days - 2
        if phases and span < len(phases):
            raise ValueError(f"{spec.title}: {len(phases)} steps need more than {span} days")
        self.days = {phase: spec.days - span * (i + 1) // len(phases) for i, phase in enumerate(phases)}
        for phase in phases:
            getattr(self, phase)(self.days[phase])
        town.demo.matters.append(self.matter)
        return self.matter

    # -- raising -----------------------------------------------------------------------------------------

    def raise_it(self):
        spec, town = self.spec, self.town
        category = town.categories[spec.category]
        submitter = None if spec.channel == Channel.SUGGESTION_BOX else town.one(self.region)
        if spec.channel == Channel.ONLINE:
            self.matter = matters.raise_matter(
                actor=submitter,
                region=self.region,
                title=spec.title,
                description=spec.description,
                category=category,
                location=spec.location,
                back_to_back=spec.back_to_back,
            )
        else:
            named = submitter if not spec.back_to_back else None
            self.matter = matters.record_matter(
                actor=self.secretary,
                region=self.region,
                title=spec.title,
                description=spec.description,
                category=category,
                channel=spec.channel,
                location=spec.location,
                submitter=named,
                submitter_name=named.name if named else "",
                back_to_back=spec.back_to_back,
            )
        self.supporters = (
            town.take(self.region, spec.supporters, besides=[submitter]) if spec.supporters else []
        )

    # -- screening ---------------------------------------------------------------------------------------

    def accept(self, d):
        spec = self.spec
        units = [self.town.units[who] for _, who in spec.parts if who in self.town.units]
        stakeholders = "；".join([f"{self.region.name}居民", *[u.name for u in units]])
        with self.at(d, 10):
            matters.accept(
                actor=self.secretary,
                matter=self.matter,
                procedure_key=spec.procedure,
                procedure_reason=spec.reason if spec.procedure != "eight_steps" else "",
                stakeholders=stakeholders,
            )

    def declined(self, d):
        with self.at(d, 10):
            matters.decline(actor=self.secretary, matter=self.matter, reason=self.spec.reason)

    def referred(self, d):
        with self.at(d, 10):
            matters.refer(
                actor=self.secretary, matter=self.matter, to=self.spec.referred_to, reason=self.spec.reason
            )

    def merged(self, d):
        with self.at(d, 10):
            matters.merge(actor=self.secretary, matter=self.matter, into=self.found[self.spec.same_as])

    def withdraw(self, d):
        with self.at(d, 15):
            # Accepted before it was withdrawn: the committee decides, at the submitter's request, in public.
            engine.withdraw(actor=self.secretary, matter=self.matter, reason=self.spec.reason)

    def unresolved(self, d):
        with self.at(d, 16):
            engine.close_unresolved(actor=self.secretary, matter=self.matter, reason=self.spec.reason)

    # -- consulting --------------------------------------------------------------------------------------

    def _session(self, d, hour, *, form, title, ideas):
        spec = self.spec
        units = [self.town.units[who] for _, who in spec.parts if who in self.town.units]
        staff = [self.town.unit_staff[u.name] for u in units]
        residents = [] if spec.back_to_back else [self.matter.submitter]
        people = list(
            dict.fromkeys(
                [
                    self.secretary,
                    *self.council[:3],
                    *[p for p in residents if p],
                    *self.supporters[:4],
                    *staff,
                ]
            )
        )
        when = self.town.clock.day(d, hour)
        with self.town.clock.at(when):
            return record_session(
                actor=self.secretary,
                matter=self.matter,
                title=title,
                held_at=when,
                place=PLACES_OF_MEETING[self.community.name],
                attendance=len(people) + 5,
                ideas=ideas,
                form=form,
                attendees=people,
                other_attendees="、".join(f"{u.name}负责人" for u in units),
            )

    def session(self, d):
        self._session(d, 9, form=SessionForm.TALK, title=f"“{self.spec.title}”恳谈会", ideas=self.spec.ideas)

    def ideas(self, d):
        self.session(d)
        with self.at(d, 17):
            engine.advance(actor=self.secretary, matter=self.matter)

    def _draft(self, d, summary, budget=None):
        parts = [
            {
                "what": what,
                "unit": self.town.units.get(who),
                "responsible": "" if who in self.town.units else who,
            }
            for what, who in self.spec.parts
        ]
        with self.at(d, 10):
            return draft_version(
                actor=self.council[0],
                matter=self.matter,
                summary=summary,
                parts=parts,
                budget=budget,
                timeline="方案通过后一个月内完成",
                beneficiaries=f"{self.region.name}居民",
            )

    def draft(self, d):
        self._draft(d, self.spec.summary, self.spec.budget)
        with self.at(d, 16):
            engine.advance(actor=self.secretary, matter=self.matter)

    def redraft(self, d):
        budget = int(self.spec.budget * 0.55) if self.spec.budget else None
        self._draft(d, self.spec.revision, budget)
        with self.at(d, 16):
            engine.advance(actor=self.secretary, matter=self.matter)

    def consensus(self, d):
        session = self._session(
            d,
            9,
            form=SessionForm.CONSULTATION,
            title=f"“{self.spec.title}”议事协商会",
            ideas=[("同意按方案实施，各责任方按分工落实", "参会各方")],
        )
        version = self.matter.plan_versions.order_by("-number").first()
        with self.at(d, 11, 30):
            record_consensus(
                actor=self.secretary,
                matter=self.matter,
                version=version,
                session=session,
                minutes=f"参会各方一致同意方案第{version.number}版：{version.summary}",
            )
        with self.at(d, 12):
            engine.advance(actor=self.secretary, matter=self.matter)

    def consult(self, d):
        """The short path's one meeting: talk, plan and agreement on the same day."""
        session = self._session(
            d, 9, form=SessionForm.CONSULTATION, title=f"“{self.spec.title}”议事协商会", ideas=self.spec.ideas
        )
        version = self._draft(d, self.spec.summary, self.spec.budget)
        with self.at(d, 11):
            record_consensus(
                actor=self.secretary,
                matter=self.matter,
                version=version,
                session=session,
                minutes=f"参会各方同意：{version.summary}",
            )
        with self.at(d, 16):
            engine.advance(actor=self.secretary, matter=self.matter)

    def reconsensus(self, d):
        version = self.matter.plan_versions.order_by("-number").first()
        with self.at(d, 10):
            record_consensus(
                actor=self.secretary,
                matter=self.matter,
                version=version,
                minutes=f"议事会与居民代表协商，同意修改后的方案第{version.number}版。",
            )
        with self.at(d, 16):
            engine.advance(actor=self.secretary, matter=self.matter)

    def changes(self, d):
        with self.at(d, 14):
            submit_review(
                actor=self.town.experts["social"],
                matter=self.matter,
                decision="changes",
                opinion=self.spec.opinion,
            )

    def review(self, d):
        with self.at(d, 10):
            submit_review(
                actor=self.town.experts["social"],
                matter=self.matter,
                decision="approve",
                opinion="方案听取了利害关系人意见，分工明确，社会风险可控，同意。",
            )
        with self.at(d, 15):
            submit_review(
                actor=self.town.experts["legal"],
                matter=self.matter,
                decision="approve",
                opinion="方案内容和程序符合法律法规及居民公约，同意提交居民代表会议表决。",
            )
        with self.at(d, 17):
            engine.advance(actor=self.secretary, matter=self.matter)

    def rereview(self, d):
        with self.at(d, 15):
            submit_review(
                actor=self.town.experts["legal"],
                matter=self.matter,
                decision="approve",
                opinion="修改后的方案合法可行，同意再次提交表决。",
            )
        with self.at(d, 17):
            engine.advance(actor=self.secretary, matter=self.matter)

    def _vote(self, d, in_favour):
        electorate = REPRESENTATIVES[self.community.name]
        present = electorate - 1
        with self.at(d, 15):
            record_result(
                actor=self.secretary,
                matter=self.matter,
                electorate=electorate,
                present=present,
                in_favour=in_favour,
                against=present - in_favour - 1,
                abstain=1,
            )

    def vote(self, d):
        electorate = REPRESENTATIVES[self.community.name]
        self._vote(d, electorate - 2)
        with self.at(d, 17):
            engine.advance(actor=self.secretary, matter=self.matter)

    def failed_vote(self, d):
        electorate = REPRESENTATIVES[self.community.name]
        self._vote(d, -(-electorate * 2 // 3) - 1)

    # -- carrying out ------------------------------------------------------------------------------------

    def assign(self, d):
        clock = self.town.clock
        version = self.matter.plan_versions.order_by("-number").first()
        finishing = self.spec.target != "implement"
        for k, part in enumerate(version.parts.all()):
            due = clock.date(max(1, self.days["report"] - 3)) if finishing else clock.date(-14 - 7 * k)
            with self.at(d, 10, k):
                assign_work(
                    actor=self.secretary,
                    matter=self.matter,
                    title=part.what,
                    due_on=due,
                    part=part,
                    **_given_to(part, self.secretary),
                )

    def _reporter(self, work: Work) -> Person:
        if work.unit_id:
            return self.town.unit_staff[work.unit.name]
        return self.secretary if work.to_committee else work.assignee

    def report(self, d):
        for k, work in enumerate(self.matter.works.order_by("pk")):
            with self.at(d, 16, k):
                report_progress(
                    actor=self._reporter(work), work=work, text=f"已完成：{work.title}。", done=True
                )

    def progress(self, d):
        for k, work in enumerate(self.matter.works.order_by("pk")):
            first = k == 0
            text = f"已完成：{work.title}，请居民验收。" if first else f"{work.title}：已安排人员，正在推进。"
            with self.at(d, 16, k):
                report_progress(actor=self._reporter(work), work=work, text=text, done=first)

    def confirm(self, d):
        people = [p for p in [self.matter.submitter, *self.supporters] if p]
        for k, work in enumerate(self.matter.works.order_by("pk")):
            with self.at(d, 10 + k):
                supervise(actor=people[k % len(people)], work=work, verdict="confirm", rating=5 - k % 2)
        with self.at(d, 17):
            engine.advance(actor=self.secretary, matter=self.matter)

    def publish(self, d):
        version = self.matter.plan_versions.order_by("-number").first()
        with self.at(d, 10):
            publish_result(
                actor=self.secretary,
                matter=self.matter,
                title=f"{self.spec.title}：办理结果公示",
                body=f"经社区协商议事，{version.summary}现已全部完成，并经居民验收确认。特此公示，"
                f"如有意见请在公示期内向{self.community.name}居委会反映。",
            )
        with self.at(d, 10, 5):
            engine.advance(actor=self.secretary, matter=self.matter)
        # Those who raised it or added their names rate the result; a few are only fairly pleased.
        raters = [p for p in [self.matter.submitter, *self.supporters] if p][:3]
        for k, person in enumerate(raters):
            with self.at(d, 10, 10 + k):
                rate_result(actor=person, matter=self.matter, rating=5 - (len(self.spec.title) + k) % 3)


# ---------------------------------------------------------------------------------------------------------
# The report's stories.


def _s1(town: Town) -> Matter:
    """S1: the flooded lane west of 万泰丽景小区, on the short path, resolved and posted."""
    c, r, u, staff = town.clock, town.regions, town.units, town.unit_staff
    compound = r["万泰丽景小区"]
    secretary, council = town.secretary["丽景社区"], town.council["丽景社区"]
    online = town.printed_resident("丽景社区", compound)
    visitor = town.one(compound)
    town.reserved.add(visitor.pk)
    env = town.categories["environment"]
    repair_day = c.date(13)

    with c.at(c.day(50, 8, 40)):
        main = matters.raise_matter(
            actor=online,
            region=compound,
            category=env,
            title=S1_TITLE,
            location="万泰丽景小区西侧小路",
            description="张书记，小区西边的那条路没法走了，昨天有个老邻居在那儿摔伤了。那条小路没有排水设施，"
            "低洼处长期存水，车来车往压出了一个大坑，一下雨就积水，实在不安全。",
            photos=[picture("flood")],
        )
    with c.at(c.day(50, 10, 20)):
        visit = matters.record_matter(
            actor=secretary,
            region=compound,
            category=env,
            channel=Channel.VISIT,
            title="西侧路段一下雨就积水",
            location="万泰丽景小区西侧小路",
            submitter=visitor,
            submitter_name=visitor.name,
            description="居民来社区反映：小区西侧那条路一下雨就积水，路面有个大坑，晚上看不清更容易摔倒，"
            "希望社区尽快想办法。",
        )
    with c.at(c.day(50, 10, 40)):
        matters.merge(
            actor=secretary,
            matter=visit,
            into=main,
            reason=f"与“{S1_TITLE}”是同一件事：来访居民作为附议人加入。",
        )
    for k, neighbour in enumerate(town.take(compound, 4)):
        with c.at(c.day(49, 9 + 2 * k)):
            matters.support(actor=neighbour, matter=main)
    with c.at(c.day(48, 9, 30)):
        matters.accept(
            actor=secretary,
            matter=main,
            procedure_key="short_path",
            procedure_reason="小型维修，无需公约和表决",
            region=compound,
            category=env,
            stakeholders="万泰丽景小区居民（特别是西侧楼栋住户）；万泰丽景小区物业服务公司；包片责任单位市消防救援支队、"
            "运河区消防救援大队；运河区城管",
        )

    meeting = c.day(44, 9, 30)
    reps = [p for p in town.representatives["丽景社区"] if p not in council][:3]
    people = [
        secretary,
        *council[:3],
        *reps,
        online,
        visitor,
        staff["万泰丽景小区物业服务公司"],
        staff["市消防救援支队"],
        staff["运河区消防救援大队"],
        staff["运河区城管"],
    ]
    with c.at(meeting):
        session = record_session(
            actor=secretary,
            matter=main,
            title="让居民出行安全，对低洼路段进行维修",
            held_at=meeting,
            place="社区协商议事厅",
            attendance=len(people) + 4,
            attendees=people,
            other_attendees="社区“两委”负责人、万泰丽景小区物业公司人员、居民代表；社区的市直、区直包片责任单位——"
            "市消防救援支队、运河区消防救援大队和运河区城管部门的负责人",
            ideas=[
                ("小路没有排水设施，低洼处长期存水，车辆碾压后形成大坑，要先把坑洼处填平压实。", online.name),
                ("市消防救援支队负责对该路段的坑洼处进行维修，委托施工方进场施工。", "市消防救援支队"),
                ("社区负责对辖区居民进行提示，施工前在楼道张贴通知、在居民群里告知。", "丽景社区"),
                ("物业服务公司负责维持现场秩序，施工期间引导车辆绕行。", "万泰丽景小区物业服务公司"),
                ("城管部门负责监督文明施工，渣土当天清运。", "运河区城管"),
                ("施工完成后请反映问题的居民一起验收。", "居民代表"),
            ],
        )
    parts = [
        {"what": "对西侧路段的坑洼处进行维修", "unit": u["市消防救援支队"], "due_on": repair_day},
        {
            "what": "对辖区居民进行施工提示",
            "responsible": "丽景社区居委会",
            "due_on": repair_day - timedelta(days=1),
        },
        {"what": "施工期间维持现场秩序", "unit": u["万泰丽景小区物业服务公司"], "due_on": repair_day},
        {"what": "监督文明施工", "unit": u["运河区城管"], "due_on": repair_day},
    ]
    with c.at(c.day(44, 11)):
        version = draft_version(
            actor=council[0],
            matter=main,
            parts=parts,
            summary="修复万泰丽景小区西侧小路的低洼坑洼路段，消除积水和摔伤隐患。市消防救援支队负责维修坑洼处；"
            "社区负责提示辖区居民；物业服务公司负责维持现场秩序；城管部门负责监督文明施工。",
            timeline=f"{md(repair_day)}施工方进场施工；施工后三日内回访居民并验收；结果在社区公示栏公示。",
            beneficiaries="万泰丽景小区居民；由反映问题的居民监督验收",
        )
    with c.at(c.day(44, 11, 30)):
        record_consensus(
            actor=secretary,
            matter=main,
            version=version,
            session=session,
            minutes="参会各方一致同意：市消防救援支队负责对该路段的坑洼处进行维修；社区负责对辖区居民进行提示；"
            "物业服务公司负责维持现场秩序；城管部门负责监督文明施工。并协商出后续工作的推进计划。",
        )
    with c.at(c.day(44, 12)):
        engine.advance(actor=secretary, matter=main)

    works = []
    for k, part in enumerate(version.parts.all()):
        with c.at(c.day(43, 10, k)):
            works.append(
                assign_work(
                    actor=secretary,
                    matter=main,
                    title=part.what,
                    due_on=part.due_on,
                    part=part,
                    **_given_to(part, secretary),
                )
            )
    repair, inform, order, supervise_work = works
    with c.at(c.day(22, 15)):
        report_progress(
            actor=staff["市消防救援支队"],
            work=repair,
            text=f"已委托施工方勘查现场，定于{md(repair_day)}进场施工。",
        )
    with c.at(c.day(14, 10)):
        report_progress(
            actor=secretary,
            work=inform,
            done=True,
            text="已在西侧楼栋张贴施工提示，并在居民微信群通知施工时间和绕行路线。",
        )
    with c.at(c.day(13, 17)):
        report_progress(
            actor=staff["市消防救援支队"],
            work=repair,
            done=True,
            photo=picture("repaired"),
            text="施工方今日进场施工，4处破损路面已维修，低洼处已填平压实。",
        )
    with c.at(c.day(13, 17, 30)):
        report_progress(
            actor=staff["万泰丽景小区物业服务公司"],
            work=order,
            done=True,
            text="施工期间安排保安在路口引导车辆绕行，现场秩序良好。",
        )
    with c.at(c.day(13, 18)):
        report_progress(
            actor=staff["运河区城管"],
            work=supervise_work,
            done=True,
            text="全程监督，施工文明有序，渣土已当天清运。",
        )
    verdicts = [
        (online, repair, 5, "路面平整了，下雨也不积水了，谢谢大家！"),
        (visitor, inform, 5, ""),
        (visitor, order, 4, "施工那天秩序不错。"),
        (online, supervise_work, 5, ""),
    ]
    for k, (who, work, rating, reason) in enumerate(verdicts):
        with c.at(c.day(12 - k // 2, 10 + k)):
            supervise(actor=who, work=work, verdict="confirm", rating=rating, reason=reason)
    with c.at(c.day(10, 9)):
        engine.advance(actor=secretary, matter=main)
    with c.at(c.day(8, 10)):
        publish_result(
            actor=secretary,
            matter=main,
            title="万泰丽景小区西侧路段维修完成",
            body=f"{md(c.date(44))}，社区召开“让居民出行安全，对低洼路段进行维修”议事协商会议，社区“两委”、物业公司、"
            "居民代表和市消防救援支队、运河区消防救援大队、运河区城管部门共同协商，明确了分工。"
            f"{md(repair_day)}，市消防救援支队委托施工方进场施工，参与协商议事的其他单位各负其责，"
            "当天4处破损路面得到维修。经反映问题的居民验收确认，现予公示。",
        )
    with c.at(c.day(8, 10, 5)):
        engine.advance(actor=secretary, matter=main)
    with c.at(c.day(7, 19)):
        rate_result(actor=online, matter=main, rating=5, comment="路修好了，下雨天出门放心多了。")
    with c.at(c.day(6, 9)):
        rate_result(actor=visitor, matter=main, rating=4, comment="维修及时，希望以后定期检查。")
    neighbours = town.take(compound, 3, besides=[online, visitor])
    _talk(
        town,
        main,
        [
            (
                49,
                20,
                neighbours[0],
                "我家就住西侧楼，晚上下班回来那段路黑，水坑根本看不见，上周电动车差点滑倒。",
                None,
            ),
            (
                49,
                21,
                secretary,
                "已收到，社区明天上午到现场查看，近期召集物业和包片单位一起商量维修办法。",
                0,
            ),
            (48, 7, neighbours[1], "建议维修时顺便在路边加个排水沟，不然填平了过两年还会积水。", None),
            (47, 7, neighbours[2], "物业收钱不办事，一帮骗子，早该换了！！！", None),
            (12, 19, online, "路修好了，下雨也不积水了，谢谢社区和各单位！", None),
        ],
        hide=(3, 47, 9, "含有对他人的侮辱性言语。对物业服务有意见，欢迎到社区或在此理性反映。"),
    )
    town.demo.matters += [main, visit]
    return main


# S2 took a year. Loaded on 2026-11-28 the demo reads as the report tells it: the survey went round in December
# 2025, three teams bid at the consultation meeting in January 2026, the representatives voted that month and
# the team started half a month later. ``before(y, m, d)`` is how many days before that day a date lies.
REPORT_DAY = date(2026, 11, 28)


def before(year: int, month: int, day: int) -> int:
    return (REPORT_DAY - date(year, month, day)).days


S2_SURVEY_TITLE = "建材城小区绿化带管护入户调查表"
S2_TEAM_VOTE = "建材城小区绿化队竞聘：举手表决选定管护绿化带的队伍"
# The three teams that answered the recruitment notice, as they presented themselves at the meeting.
S2_TEAMS = [
    {
        "label": "沧州绿源园林绿化队",
        "price": "12800",
        "description": "每周养护2次：施肥、浇灌、修剪，及时补植枯死树木，清除杂草；合同期一年，进场时先集中整治一次。",
    },
    {
        "label": "青禾绿化服务队",
        "price": "9600",
        "description": "每周养护1次：浇灌、修剪、除草；补植树木另行收费。",
    },
    {
        "label": "四季园艺养护队",
        "price": "16800",
        "description": "每周养护3次：施肥、浇灌、修剪、补植，含病虫害防治。",
    },
]
# The show of hands (option key → hands): 3 committee members, 3 of the owners' committee, 9 building heads.
S2_HANDS = {"1": 10, "2": 3, "3": 2}
S2_QUESTIONS = [
    {
        "kind": QuestionKind.SINGLE,
        "text": "您是否同意聘请专业绿化队管护小区绿化带？",
        "choices": ["同意", "不同意", "无所谓"],
    },
    {
        "kind": QuestionKind.SINGLE,
        "text": "绿化管护费用由全体住户分摊（常住户、空房户区别收费），您是否同意？",
        "choices": ["同意", "不同意"],
    },
    {
        "kind": QuestionKind.MULTIPLE,
        "text": "您希望绿化队提供哪些服务？（可多选）",
        "required": False,
        "choices": ["施肥、浇灌", "修剪树木花草", "补植枯死树木", "清理圈地种菜和饲养的鸡鸭兔", "病虫害防治"],
    },
]
S2_OCCUPIED, S2_VACANT = Decimal("150.00"), Decimal("100.00")


class GardeningTeam:
    """S2: 建材城小区 (200 households, no property company) hires a gardening team, step by step as it happened."""

    def __init__(self, town: Town):
        self.town, self.c = town, town.clock
        r = town.regions
        self.compound, self.community = r["建材城小区"], r["三角线社区"]
        self.secretary = town.secretary["三角线社区"]
        self.committee = town.committee["三角线社区"]  # the secretary first; the second enters check counts
        self.checker = self.committee[1]
        self.council = town.council["三角线社区"]
        self.owners = list(
            Person.objects.filter(roles__role=Role.OWNERS_COMMITTEE, roles__region=self.compound).order_by(
                "pk"
            )
        )
        self.heads = list(
            Person.objects.filter(roles__role=Role.BUILDING_HEAD, roles__region__parent=self.compound)
            .distinct()
            .order_by("pk")
        )
        self.team = town.units["沧州绿源园林绿化队"]
        self.team_staff = town.unit_staff["沧州绿源园林绿化队"]
        self.rng = random.Random(2025)  # made-up answers and payers, the same on every load
        self.households = list(
            Household.objects.filter(region__parent=self.compound)
            .select_related("region")
            .order_by(*dwelling_order(), "pk")
        )
        self.head_of = {
            m.household_id: m.person
            for m in Membership.objects.filter(household__in=self.households, is_head=True).select_related(
                "person"
            )
        }

    def at(self, y: int, m: int, d: int, hour: int = 9, minute: int = 0):
        return self.c.at(self.c.day(before(y, m, d), hour, minute))

    def date(self, y: int, m: int, d: int) -> date:
        return self.c.date(before(y, m, d))

    def run(self) -> Matter:
        self.raise_and_talk()
        self.survey()
        self.recruit()
        self.choose_team()
        self.review()
        self.representatives_vote()
        self.carry_out()
        self.share_the_cost()
        self.town.demo.matters.append(self.main)
        return self.main

    # -- November 2025: raised, screened, talked over -------------------------------------------------------

    def raise_and_talk(self):
        town, compound = self.town, self.compound
        self.raiser = town.printed_resident("三角线社区", compound)  # the resident login tells this story
        env = town.categories["environment"]
        with self.at(2025, 11, 12, 19, 30):
            self.main = matters.raise_matter(
                actor=self.raiser,
                region=compound,
                category=env,
                title=S2_TITLE,
                location="建材城小区中心绿化带",
                description="小区那条200米长的绿化带没有物业管护，杂草丛生，有的居民圈地种菜，还养了兔子、鸡鸭，"
                "严重影响小区环境。去年社区组织志愿者打理过，可手法不专业。能不能找专业队伍干这件事？",
            )
        self.supporters = town.take(compound, 9, besides=[self.raiser])
        for k, person in enumerate(self.supporters):
            with self.at(2025, 11, 13 + k // 3, 9 + 3 * (k % 3)):
                matters.support(actor=person, matter=self.main)
        with self.at(2025, 11, 17, 10):
            matters.accept(
                actor=self.secretary,
                matter=self.main,
                procedure_key="eight_steps",
                stakeholders="建材城小区200户居民（常住户、空房户）；小区业主委员会；各单元长；三角线社区“两委”",
            )
        talk = self.c.day(before(2025, 11, 27), 15)
        with self.c.at(talk):
            record_session(
                actor=self.secretary,
                matter=self.main,
                form=SessionForm.TALK,
                title="建材城小区绿化带管护座谈会",
                held_at=talk,
                place=PLACES_OF_MEETING["三角线社区"],
                attendance=len(self.committee) + len(self.owners) + len(self.heads) + 4,
                attendees=[*self.committee, *self.council[:2], *self.owners, *self.heads, self.raiser],
                other_attendees="社区党委负责人、社区居民委员会负责人、小区业主委员会负责人和单元长",
                ideas=[
                    (
                        "绿化带没人管，志愿者打理不专业，建议聘请专业绿化队；先入户发放调查表，征求每户的意见。",
                        "业主委员会",
                    ),
                    (
                        "调查表由单元长逐户发放、回收，社区和业委会录入；在外地的住户可以在手机上填写。",
                        "单元长",
                    ),
                    (
                        "面向社会公开招募绿化队，请报名的队伍说明价格和服务内容，再开会选定。",
                        "三角线社区居委会",
                    ),
                    ("费用由居民分摊，常住户和空房户区别收费，结余存入小区公共资金并公开收支。", "居民代表"),
                    ("圈地种菜、养鸡鸭兔子的，先上门劝导自行清理。", self.raiser.name),
                ],
            )

    # -- December 2025: the household survey (入户调查表), online and on paper ------------------------------

    def _answers(self, questions, *, agrees: bool = False) -> dict:
        rng = self.rng
        hire, share, services = questions
        r = rng.random()
        pick = 0 if agrees or r < 0.91 else (1 if r < 0.95 else 2)
        hire_choices, share_choices = list(hire.choices.all()), list(share.choices.all())
        answers = {hire.pk: hire_choices[pick].pk}
        answers[share.pk] = share_choices[0 if rng.random() < (0.94 if pick == 0 else 0.3) else 1].pk
        if pick != 1:  # those against hiring a team leave the services blank
            wanted = [
                choice.pk
                for choice, p in zip(services.choices.all(), (0.7, 0.8, 0.55, 0.6, 0.35), strict=True)
                if rng.random() < p
            ]
            answers[services.pk] = wanted or [list(services.choices.all())[1].pk]
        return answers

    def survey(self):
        rng = self.rng
        with self.at(2025, 11, 30, 16):
            survey = surveys.create_survey(
                actor=self.secretary,
                region=self.compound,
                matter=self.main,
                title=S2_SURVEY_TITLE,
                description="小区绿化带长约200米，没有物业管护。社区和业主委员会想听听每户的意见：是否聘请专业绿化队，"
                "费用怎么分摊。单元长入户发放纸质调查表（表上印有本户编码），也可以在手机上填写，每户填一份。",
            )
            for question in S2_QUESTIONS:
                surveys.add_question(actor=self.secretary, survey=survey, **question)
        with self.at(2025, 12, 1, 9):
            surveys.open_survey(actor=self.secretary, survey=survey)
        questions = list(survey.questions.prefetch_related("choices"))
        mine = next(h for h in self.households if self.head_of.get(h.pk) == self.raiser)
        with_phone = [
            h for h in self.households if h.pk in self.head_of and self.head_of[h.pk].phone and h != mine
        ]
        online = [mine, *rng.sample(with_phone, 39)]
        occupied = [h for h in self.households if not h.is_vacant and h not in online]
        away = set(rng.sample(occupied, 9))  # not at home when the building head called, no phone answer
        vacant = [h for h in self.households if h.is_vacant]
        reached = set(
            rng.sample(vacant, 12)
        )  # owners of empty flats reached by telephone, forms filled at the office
        paper = [
            h
            for h in self.households
            if (h in reached) or (not h.is_vacant and h not in online and h not in away)
        ]
        # Members answer online in the evenings of the first fortnight.
        for k, household in enumerate(online):
            with self.at(2025, 12, 1 + k * 11 // len(online), 19 + k % 3, k * 7 % 60):
                surveys.submit_response(
                    actor=self.head_of[household.pk],
                    survey=survey,
                    answers=self._answers(questions, agrees=household == mine),
                )
        # Building heads collect the paper forms door to door; staff key in a building's forms each afternoon.
        staff = [self.secretary, *self.owners]
        per_day = -(-len(paper) // 10)
        for k, household in enumerate(paper):
            day, n = divmod(k, per_day)
            with self.at(2025, 12, 3 + day, 14 + n * 4 // 60, n * 4 % 60):
                surveys.record_paper_response(
                    actor=staff[day % len(staff)],
                    survey=survey,
                    code=code_for(survey, household),
                    answers=self._answers(questions),
                )
        with self.at(2025, 12, 15, 17):
            surveys.close_survey(actor=self.secretary, survey=survey)
        with self.at(2025, 12, 16, 10):
            surveys.publish_results(actor=self.secretary, survey=survey, period_days=10)
        with self.at(2025, 12, 16, 16):
            engine.advance(actor=self.secretary, matter=self.main)
        hire = questions[0]
        self.responded = survey.responses.filter(voided_at__isnull=True).count()
        self.agreed = hire.answers.filter(
            choice=hire.choices.get(position=1), response__voided_at__isnull=True
        ).count()

    # -- December 2025: a first plan, and the public recruitment -----------------------------------------------

    def recruit(self):
        with self.at(2025, 12, 18, 10):
            draft_version(
                actor=self.council[0],
                matter=self.main,
                budget=None,
                summary=f"入户调查共收回{self.responded}份调查表，{self.agreed}户同意聘请专业绿化队。面向社会公开招募专业"
                "绿化队，负责建材城小区约200米绿化带的日常养护（施肥、浇灌、修剪、更换枯死树木）。通过网络群和"
                "张贴通知招募，报名的绿化队在议事协商会议上说明价格和服务内容，由社区“两委”成员、业主委员会成员"
                "和单元长举手表决选定。",
                cost_sharing="常住户每户每年150元，空房户每户每年100元；支付绿化队费用后的结余存入小区公共资金，收支公示。",
                parts=[
                    {"what": "通过网络群、张贴通知面向社会招募专业绿化队", "responsible": "三角线社区居委会"},
                    {"what": "组织议事协商会议，举手表决选定绿化队", "responsible": "三角线社区“两委”"},
                ],
            )
        with self.at(2025, 12, 18, 16):
            engine.advance(actor=self.secretary, matter=self.main)
        closes, meets = self.date(2026, 1, 5), self.date(2026, 1, 10)
        # No notice kind or service exists for an announcement like this: posted as the matter's progress.
        with self.at(2025, 12, 19, 9), transaction.atomic():
            post_notice(
                actor=self.secretary,
                region=self.community,
                matter=self.main,
                kind=NoticeKind.PROGRESS,
                period_days=20,
                title="建材城小区公开招募专业绿化队",
                body=f"建材城小区绿化带长约200米，现面向社会公开招募专业绿化队，负责绿化带的日常养护：施肥、浇灌、修剪、"
                f"更换枯死树木，合同期一年。报名时间：即日起至{md(closes)}，请到三角线社区居委会报名，写明年度报价和"
                f"服务内容。{md(meets)}上午在{PLACES_OF_MEETING['三角线社区']}召开议事协商会议，报名的绿化队当场说明"
                "价格和服务内容，由社区“两委”成员、业主委员会成员和单元长举手表决选定。本通知同时在小区居民群发布。",
            )

    # -- January 2026: three teams bid; the committees, the owners' committee and the building heads choose -----

    def choose_team(self):
        c = self.c
        electorate = [*self.committee, *self.owners, *self.heads]
        with self.at(2026, 1, 8, 16):
            vote = drafting.create_vote(
                actor=self.secretary,
                region=self.compound,
                question=S2_TEAM_VOTE,
                kind=Kind.OPTIONS,
                options=S2_TEAMS,
                electorate=ElectorateKind.LIST,
                people=electorate,
                preset="plurality",
                description="报名竞聘的3支绿化队在议事协商会议上说明价格和服务内容后，由社区“两委”成员、小区业主委员会成员"
                "和单元长举手表决，得票最多的绿化队当选。",
            )
        teams = {o.key: o for o in vote.options.all()}
        hands = [p for p in electorate if p != self.heads[-1]]  # one building head was away
        meeting = c.day(before(2026, 1, 10), 9, 30)
        tally = "，".join(f"{teams[k].label}{n}票" for k, n in S2_HANDS.items())
        with c.at(meeting):
            self.session = record_session(
                actor=self.secretary,
                matter=self.main,
                title="建材城小区绿化队竞聘议事协商会议",
                held_at=meeting,
                place=PLACES_OF_MEETING["三角线社区"],
                attendance=len(hands) + 6,
                attendees=[
                    *self.committee,
                    *self.owners,
                    *[p for p in self.heads if p in hands],
                    self.team_staff,
                ],
                other_attendees="报名竞聘的3支绿化队负责人：" + "、".join(t["label"] for t in S2_TEAMS),
                ideas=[
                    *[
                        (f"{t['label']}：年报价{t['price']}元。{t['description']}", t["label"])
                        for t in S2_TEAMS
                    ],
                    (f"举手表决结果：{tally}。", "三角线社区居委会"),
                ],
            )
        with self.at(2026, 1, 10, 10, 30):
            drafting.open_vote(actor=self.secretary, vote=vote)
        with self.at(2026, 1, 10, 10, 40):
            tallies.record_participation(actor=self.secretary, vote=vote, channel="hands", electors=hands)
        # Counted by the secretary, checked by a second member of the committee: accepted when both agree.
        with self.at(2026, 1, 10, 10, 45):
            tallies.enter_tally(actor=self.secretary, vote=vote, channel="hands", counts=S2_HANDS)
        with self.at(2026, 1, 10, 10, 50):
            tallies.enter_tally(actor=self.checker, vote=vote, channel="hands", counts=S2_HANDS)
        with self.at(2026, 1, 10, 11):
            vote = tallies.close_vote(actor=self.secretary, vote=vote)
        self.winner = vote.winner
        others = [t for k, t in teams.items() if k not in (self.winner.key, "abstain")]
        start, end = self.date(2026, 2, 5), self.date(2027, 2, 4)
        self.price = self.winner.price
        with self.at(2026, 1, 10, 15):
            self.version = draft_version(
                actor=self.council[0],
                matter=self.main,
                budget=self.price,
                summary=f"聘请举手表决选出的{self.winner.label}（年报价{self.price:.0f}元，每周养护2次）负责建材城小区约200米"
                "绿化带的日常养护：施肥、浇灌、修剪、更换枯死树木；进场时先集中清理杂草和圈占的菜地、鸡鸭兔笼舍。"
                "竞聘的另两支队伍：" + "、".join(f"{o.label}年报价{o.price:.0f}元" for o in others) + "。",
                cost_sharing="常住户每户每年150元，空房户每户每年100元，由业主委员会登记收取；支付绿化队费用后的结余存入"
                "小区公共资金，用于维护小区公共设施，收支定期公示。",
                timeline=f"方案表决通过后半个月内绿化队进场（{md(start)}），合同期一年，至{end.year}年{md(end)}。",
                beneficiaries="建材城小区200户居民；业主委员会和单元长监督养护质量",
                parts=[
                    {
                        "what": "进场整治：清除绿化带杂草，清理圈占的菜地和鸡鸭兔笼舍",
                        "unit": self.team,
                        "due_on": self.date(2026, 2, 28),
                    },
                    {
                        "what": "绿化带日常养护：每周2次施肥、浇灌、修剪，补植枯死树木（合同期一年）",
                        "unit": self.team,
                        "budget": self.price,
                        "due_on": end,
                    },
                    {
                        "what": "按常住户每年150元、空房户每年100元登记收取绿化费并记账",
                        "responsible": "建材城小区业主委员会",
                    },
                    {"what": "入户告知收费标准，协助收费", "responsible": "各单元长"},
                    {"what": "公示费用收支和结余使用情况", "responsible": "三角线社区居委会"},
                ],
            )
        with self.at(2026, 1, 10, 16):
            record_consensus(
                actor=self.secretary,
                matter=self.main,
                version=self.version,
                session=self.session,
                minutes=f"参会的社区“两委”成员、业主委员会成员和单元长举手表决（{tally}），选定{self.winner.label}；"
                "同意按常住户每年150元、空房户每年100元的标准分摊费用。方案第2版提交专家审查。",
            )
        with self.at(2026, 1, 11, 9):
            engine.advance(actor=self.secretary, matter=self.main)

    # -- January 2026: expert review and the representatives' vote -------------------------------------------

    def review(self):
        experts = self.town.experts
        with self.at(2026, 1, 14, 10):
            submit_review(
                actor=experts["social"],
                matter=self.main,
                decision="approve",
                opinion="方案经入户调查征求了全体住户意见，队伍经公开招募、举手表决选定，常住户与空房户区别收费合理，"
                "结余纳入小区公共资金并公示，社会风险可控，同意。",
            )
        with self.at(2026, 1, 15, 15):
            submit_review(
                actor=experts["legal"],
                matter=self.main,
                decision="approve",
                opinion="方案内容和程序符合法律法规及居民公约；建议与绿化队签订书面合同，写明服务标准和考核办法。"
                "同意提交居民代表会议表决。",
            )
        with self.at(2026, 1, 15, 17):
            engine.advance(actor=self.secretary, matter=self.main)

    def representatives_vote(self):
        reps = self.town.representatives["三角线社区"]
        with self.at(2026, 1, 15, 17, 30):
            vote = drafting.create_vote(
                actor=self.secretary,
                region=self.community,
                matter=self.main,
                question=f"是否同意聘请{self.winner.label}管护建材城小区绿化带，并按常住户每年150元、空房户每年100元分摊费用",
                description=f"居民代表可在{md(self.date(2026, 1, 16))}至{md(self.date(2026, 1, 19))}在网上投票，也可在"
                f"{md(self.date(2026, 1, 20))}居民代表会议上投纸质票；每人只投一次。",
            )
        with self.at(2026, 1, 16, 9):
            drafting.open_vote(actor=self.secretary, vote=vote)
        # Twelve vote online (the representative whose login the demo prints among them), one abstaining.
        online, paper = reps[:12], reps[12:28]  # the last two were absent
        for k, rep in enumerate(online):
            with self.at(2026, 1, 16 + k // 4, 19 + k % 3, k * 5):
                casting.cast_ballot(actor=rep, vote=vote, option="abstain" if k == 7 else "yes")
        # The sixteen at the meeting vote on paper; two staff count the ballots.
        with self.at(2026, 1, 20, 15):
            tallies.record_participation(actor=self.secretary, vote=vote, channel="paper", electors=paper)
        counted = {"yes": 13, "no": 1, "abstain": 2}
        with self.at(2026, 1, 20, 15, 20):
            tallies.enter_tally(actor=self.secretary, vote=vote, channel="paper", counts=counted)
        with self.at(2026, 1, 20, 15, 25):
            tallies.enter_tally(actor=self.checker, vote=vote, channel="paper", counts=counted)
        with self.at(2026, 1, 20, 15, 30):
            self.plan_vote = tallies.close_vote(actor=self.secretary, vote=vote)
        with self.at(2026, 1, 21, 9):
            engine.advance(actor=self.secretary, matter=self.main)

    # -- From February 2026: the team at work, tracked as tasks; the residents rate each quarter ----------------

    def carry_out(self):
        parts = list(self.version.parts.order_by("position"))
        clearing, care, fees, inform, disclose = parts
        bounds = [
            self.date(2026, 2, 5),
            self.date(2026, 5, 5),
            self.date(2026, 8, 5),
            self.date(2026, 11, 5),
            self.date(2027, 2, 5),
        ]
        contract_end = bounds[-1] - timedelta(days=1)
        tasks = [(clearing.what, clearing, self.team, None, clearing.due_on)]
        for k, name in enumerate(("第一季度", "第二季度", "第三季度", "第四季度")):
            first, last = bounds[k], bounds[k + 1] - timedelta(days=1)
            tasks.append((f"绿化带日常养护：{name}（{md(first)}—{md(last)}）", care, self.team, None, last))
        tasks += [
            (fees.what, fees, None, self.owners[0], contract_end),
            (inform.what, inform, None, self.heads[0], self.date(2026, 1, 31)),
            (disclose.what, disclose, None, None, contract_end),  # the residents' committee discloses itself
        ]
        works = []
        for k, (title, part, unit, person, due) in enumerate(tasks):
            with self.at(2026, 1, 21, 10, k):
                works.append(
                    assign_work(
                        actor=self.secretary,
                        matter=self.main,
                        title=title,
                        due_on=due,
                        part=part,
                        unit=unit,
                        assignee=person,
                        to_committee=unit is None and person is None,
                    )
                )
        clear, q1, q2, q3, q4, self.fee_work, told, self.disclose_work = works
        staff, who = self.team_staff, self.supporters
        with self.at(2026, 1, 24, 18):
            report_progress(
                actor=self.heads[0],
                work=told,
                done=True,
                text="各单元长已逐户送达收费标准通知，空房户业主已电话告知。",
            )
        with self.at(2026, 1, 26, 10):
            supervise(actor=who[0], work=told, verdict="confirm", rating=5)
        with self.at(2026, 2, 5, 8, 30):
            report_progress(
                actor=staff, work=clear, text="绿化队今天正式进场，先清理绿化带里的杂草和圈占的菜地。"
            )
        with self.at(2026, 2, 13, 17):
            report_progress(
                actor=staff,
                work=clear,
                done=True,
                photo=picture("greenbelt"),
                text="杂草已全部清除，圈占的菜地和鸡鸭兔笼舍已清理（住户已自行搬走家禽），请居民验收。",
            )
        with self.at(2026, 2, 14, 10):
            supervise(
                actor=self.raiser,
                work=clear,
                verdict="confirm",
                rating=5,
                reason="绿化带干净整齐了，比志愿者打理得专业多了，谢谢绿化队！",
            )
        with self.at(2026, 3, 20, 16):
            report_progress(actor=staff, work=q1, text="已完成春季施肥和修剪，补植枯死的冬青6棵、国槐2棵。")
        for work, (y, m, d), rating, reason, k in (
            (q1, (2026, 5, 4), 5, "", 1),
            (q2, (2026, 8, 4), 4, "养护认真，就是夏天浇水再勤一些更好。", 2),
            (q3, (2026, 11, 4), 5, "", 3),
        ):
            with self.at(y, m, d, 17):
                report_progress(
                    actor=staff,
                    work=work,
                    done=True,
                    text="本季度按合同每周养护2次，施肥、浇灌、修剪均已完成，养护记录已交业主委员会。",
                )
            with self.at(y, m, d + 2, 10):
                supervise(actor=who[k], work=work, verdict="confirm", rating=rating, reason=reason)
        with self.at(2026, 11, 20, 16):
            report_progress(actor=staff, work=q4, text="入冬前已完成树木涂白和浇灌封冻水，修剪了枯枝。")

    # -- The cost shared: charges, payments, the surplus into the compound's fund, disclosed ---------------------

    def share_the_cost(self):
        rng, owners = self.rng, self.owners
        start, end = self.date(2026, 2, 5), self.date(2027, 2, 4)
        with self.at(2026, 1, 21, 14):
            rule = funds.create_charge_rule(
                actor=self.secretary,
                compound=self.compound,
                matter=self.main,
                title="建材城小区2026年度绿化管护费",
                period_start=start,
                period_end=end,
                method=Method.OCCUPANCY,
                occupied_amount=S2_OCCUPIED,
                vacant_amount=S2_VACANT,
                contract_price=self.price,
            )
        with self.at(2026, 1, 22, 10):
            rule = funds.issue_charges(actor=self.secretary, rule=rule)
        # Half of the households have paid (three of them half of it so far); the other half are in arrears.
        charges = list(
            rule.charges.select_related("household").order_by(
                "household__region__path", "household__unit", "household__room"
            )
        )
        mine = next(ch for ch in charges if self.head_of.get(ch.household_id) == self.raiser)
        occupied = [ch for ch in charges if not ch.household.is_vacant and ch != mine]
        vacant = [ch for ch in charges if ch.household.is_vacant]
        payers = [mine, *rng.sample(occupied, 87), *rng.sample(vacant, 12)]
        partial = set(rng.sample(payers[1:88], 3))
        rng.shuffle(payers)
        days = before(2026, 1, 23) - before(2026, 3, 28)
        for k, charge in enumerate(payers):
            day = before(2026, 1, 23) - k * days // len(payers)
            with self.c.at(self.c.day(day, 9 + k % 9, k * 13 % 60)):
                funds.record_payment(
                    actor=owners[k % len(owners)],
                    charge=charge,
                    paid_on=self.c.date(day),
                    amount=charge.amount / 2 if charge in partial else charge.amount,
                    method=PaymentMethod.WECHAT if k % 5 < 2 else PaymentMethod.CASH,
                    receipt_no=f"LH2026-{k + 1:04d}",
                )
        money_in = collected(rule)
        if money_in <= self.price:
            raise RuntimeError(f"S2 collected {money_in}, not more than the team's price {self.price}")
        with self.at(2026, 3, 31, 16):
            funds.post_surplus(actor=owners[0], rule=rule, occurred_on=self.date(2026, 3, 31))
            report_progress(
                actor=owners[0],
                work=self.fee_work,
                text=f"已有{len(payers)}户交费，共{money_in}元（{len(partial)}户先交了一半）；超出绿化队合同价"
                f"{self.price}元的{money_in - self.price}元已存入小区公共资金。未交的住户继续由单元长上门提醒。",
            )
        with self.at(2026, 4, 8, 11):
            funds.record_fund_entry(
                actor=owners[0],
                compound=self.compound,
                kind="spending",
                amount="680.00",
                occurred_on=self.date(2026, 4, 8),
                description="购买绿化带养护工具：修枝剪4把、高枝锯1把、浇水软管50米",
                evidence_text="新华区建材五金店收据（编号0042），业主委员会三名委员签字确认。",
            )
        with self.at(2026, 6, 12, 15):
            funds.record_fund_entry(
                actor=owners[1],
                compound=self.compound,
                kind="spending",
                amount="96.00",
                occurred_on=self.date(2026, 6, 12),
                description="更换绿化带旁损坏的庭院灯灯泡2个",
                evidence_text="电料门市收据一张，单元长验收签字。",
            )
        # The disclosure is dated the day it is posted, so it is posted now: as of today.
        with self.c.at(timezone.now() - timedelta(minutes=5)):
            funds.publish_disclosure(actor=self.secretary, compound=self.compound, period_days=10)
            report_progress(
                actor=self.secretary,
                work=self.disclose_work,
                text="已在社区公示栏和小区居民群公示绿化费收缴情况和小区公共资金收支明细。",
            )
        self.rule = rule


def _s2(town: Town) -> Matter:
    """S2: 建材城小区's gardening team, at its real stage: chosen, voted, at work, its cost shared and half paid."""
    return GardeningTeam(town).run()


def _s3(town: Town) -> Matter:
    """S3: 戒毒所小区's rubbish heap: many voices, one matter; voted; three tasks in three states."""
    c, r, u, staff = town.clock, town.regions, town.units, town.unit_staff
    compound = r["戒毒所小区"]
    secretary, council = town.secretary["朝东社区"], town.council["朝东社区"]
    env = town.categories["environment"]
    raiser = town.printed_resident("朝东社区", compound)
    with c.at(c.day(180, 20, 10)):
        main = matters.raise_matter(
            actor=raiser,
            region=compound,
            category=env,
            title=S3_TITLE,
            location="戒毒所小区东北角空地",
            description="小区东北角的空地上堆了多年的垃圾，夏天臭味大、蚊蝇多，孩子们也没地方玩。居民反映过好多次，"
            "希望彻底清走，把地面硬化，最好再装点健身器材。",
            photos=[picture("rubbish")],
        )
    duplicates = []
    callers = town.take(compound, 3, besides=[raiser])
    with c.at(c.day(178, 9, 40)):
        duplicates.append(
            matters.record_matter(
                actor=secretary,
                region=compound,
                category=env,
                channel=Channel.HOTLINE,
                title="垃圾堆散发臭味",
                description="居民来电：东北角垃圾堆天一热就发臭，窗户都不敢开。",
                submitter=callers[0],
                submitter_name=callers[0].name,
            )
        )
    with c.at(c.day(176, 14)):
        duplicates.append(
            matters.record_matter(
                actor=secretary,
                region=compound,
                category=env,
                channel=Channel.GRID_WORKER,
                title="东北角空地垃圾堆积、蚊蝇滋生",
                description="网格员巡查：戒毒所小区东北角空地建筑垃圾和生活垃圾混堆，蚊蝇滋生，有居民继续往里倒垃圾。",
                submitter_name="网格员",
            )
        )
    with c.at(c.day(175, 9)):
        duplicates.append(
            matters.record_matter(
                actor=secretary,
                region=compound,
                category=env,
                channel=Channel.SUGGESTION_BOX,
                back_to_back=True,
                title="垃圾堆清走后能不能装健身器材",
                description="意见箱来信：垃圾堆清走以后，希望把空地利用起来，装些健身器材。",
            )
        )
    elderly = town.no_phone(compound)
    with c.at(c.day(173, 10)):
        duplicates.append(
            matters.record_matter(
                actor=secretary,
                region=compound,
                category=env,
                channel=Channel.VISIT,
                title="老人来访反映垃圾堆问题",
                description="老人来社区反映：垃圾堆就在楼下，老鼠多，反映好几年了，希望这次真能解决。",
                submitter=elderly,
                submitter_name=elderly.name if elderly else "",
            )
        )
    with c.at(c.day(172, 21)):
        duplicates.append(
            matters.raise_matter(
                actor=callers[1],
                region=compound,
                category=env,
                title="垃圾堆问题反映多次了，什么时候解决？",
                description="小区垃圾堆的问题大家反映过很多次了，一直没人管，希望社区重视。",
            )
        )
    for k, dup in enumerate(duplicates):
        with c.at(c.day(170, 9, 10 + k)):
            matters.merge(
                actor=secretary,
                matter=dup,
                into=main,
                reason="同一事项：戒毒所小区垃圾堆，居民多次反映，合并办理。",
            )
    for k, person in enumerate(town.take(compound, 14, besides=[raiser, *callers])):
        with c.at(c.day(179 - k // 2, 8 + k % 2 * 10)):
            matters.support(actor=person, matter=main)
    supporters = list(Person.objects.filter(supports__matter=main).order_by("supports__at", "pk"))
    with c.at(c.day(170, 10)):
        matters.accept(
            actor=secretary,
            matter=main,
            procedure_key="eight_steps",
            stakeholders="戒毒所小区居民；运河区环卫中心；施工单位；朝东社区“两委”",
        )

    talk = c.day(160, 15)
    with c.at(talk):
        record_session(
            actor=secretary,
            matter=main,
            form=SessionForm.TALK,
            title="戒毒所小区环境问题恳谈会",
            held_at=talk,
            place=PLACES_OF_MEETING["朝东社区"],
            attendance=22,
            attendees=[secretary, *council, raiser, *supporters[:6]],
            other_attendees="运河区环卫中心负责人",
            ideas=[
                ("垃圾堆积多年，先由环卫部门集中清运，再禁止倾倒。", "运河区环卫中心"),
                ("清运后把空地地面硬化，防止再成为垃圾场。", raiser.name),
                ("硬化后安装一套健身器材，给老人孩子一个活动的地方。", "居民代表"),
                ("设立分类垃圾桶，建立保洁轮值。", "朝东社区居委会"),
            ],
        )
    with c.at(c.day(159, 10)):
        engine.advance(actor=secretary, matter=main)
    parts = [
        {
            "what": "清运东北角空地的陈年垃圾",
            "unit": u["运河区环卫中心"],
            "budget": 12000,
            "due_on": c.date(90),
        },
        {
            "what": "空地地面硬化（约600平方米）",
            "unit": u["沧州宏达建筑工程有限公司"],
            "budget": 54000,
            "due_on": c.date(3),
        },
        {
            "what": "安装一套健身器材",
            "unit": u["沧州康健体育器材有限公司"],
            "budget": 28000,
            "due_on": c.date(8),
        },
    ]
    with c.at(c.day(150, 10)):
        draft_version(
            actor=council[0],
            matter=main,
            parts=parts,
            budget=94000,
            summary="清走戒毒所小区东北角空地存在多年的垃圾，对约600平方米地面进行硬化，并安装一套健身器材；"
            "经费从社区惠民资金和老旧小区改造资金中列支。",
            timeline="先清运，后硬化，再安装器材；年底前全部完成。",
            beneficiaries="戒毒所小区居民；反映问题的居民监督验收",
        )
    with c.at(c.day(150, 16)):
        engine.advance(actor=secretary, matter=main)
    meeting = c.day(140, 9, 30)
    with c.at(meeting):
        session = record_session(
            actor=secretary,
            matter=main,
            title="戒毒所小区环境整治议事协商会",
            held_at=meeting,
            place=PLACES_OF_MEETING["朝东社区"],
            attendance=26,
            attendees=[
                secretary,
                *council,
                raiser,
                *supporters[:5],
                staff["运河区环卫中心"],
                staff["沧州宏达建筑工程有限公司"],
                staff["沧州康健体育器材有限公司"],
            ],
            other_attendees="运河区环卫中心、沧州宏达建筑工程有限公司、沧州康健体育器材有限公司负责人",
            ideas=[
                ("施工期间设置围挡，避开早晚居民出行高峰。", "沧州宏达建筑工程有限公司"),
                ("健身器材选适合老年人的款式，地面铺设安全地垫。", "居民代表"),
            ],
        )
    version = main.plan_versions.get()
    with c.at(c.day(140, 11)):
        record_consensus(
            actor=secretary,
            matter=main,
            version=version,
            session=session,
            minutes="参会各方一致同意：环卫中心清运垃圾，施工单位硬化地面，器材公司安装健身器材，居民监督验收。",
        )
    with c.at(c.day(140, 12)):
        engine.advance(actor=secretary, matter=main)
    with c.at(c.day(125, 10)):
        submit_review(
            actor=town.experts["social"],
            matter=main,
            decision="approve",
            opinion="方案回应了居民多年的诉求，兼顾老人和儿童，社会效果好，同意。",
        )
    with c.at(c.day(124, 15)):
        submit_review(
            actor=town.experts["legal"],
            matter=main,
            decision="approve",
            opinion="资金来源和使用程序合规，施工单位资质齐全，同意提交居民代表会议表决。",
        )
    with c.at(c.day(124, 17)):
        engine.advance(actor=secretary, matter=main)
    electorate = REPRESENTATIVES["朝东社区"]
    with c.at(c.day(117, 15)):
        record_result(
            actor=secretary,
            matter=main,
            electorate=electorate,
            present=electorate,
            in_favour=electorate - 1,
            against=0,
            abstain=1,
        )
    with c.at(c.day(116, 9)):
        engine.advance(actor=secretary, matter=main)
    works = []
    for k, part in enumerate(version.parts.all()):
        with c.at(c.day(115, 10, k)):
            works.append(
                assign_work(
                    actor=secretary,
                    matter=main,
                    title=part.what,
                    due_on=part.due_on,
                    part=part,
                    unit=part.unit,
                )
            )
    clear, harden, fitness = works
    with c.at(c.day(96, 17)):
        report_progress(
            actor=staff["运河区环卫中心"],
            work=clear,
            done=True,
            photo=picture("cleared"),
            text="出动车辆40余车次，东北角空地的陈年垃圾已全部清运。",
        )
    with c.at(c.day(94, 10)):
        supervise(actor=supporters[0], work=clear, verdict="confirm", rating=5, reason="垃圾终于清走了！")
    with c.at(c.day(40, 16)):
        report_progress(
            actor=staff["沧州宏达建筑工程有限公司"], work=harden, text="已进场，正在平整场地、铺设基层。"
        )
    with c.at(c.day(5, 17)):
        report_progress(
            actor=staff["沧州宏达建筑工程有限公司"],
            work=harden,
            done=True,
            text="约600平方米地面硬化完成，混凝土已养护到期，请居民验收。",
        )
    with c.at(c.day(15, 11)):
        report_progress(
            actor=staff["沧州康健体育器材有限公司"],
            work=fitness,
            text="器材已订购，厂家发货延期，待地面硬化验收后安装。",
        )
    voices = town.take(compound, 3, besides=[raiser, *callers])
    _talk(
        town,
        main,
        [
            (165, 19, voices[0], "夏天窗户都不敢开，希望这次能彻底清走，别清完又有人往那儿倒。", None),
            (
                164,
                10,
                secretary,
                "清运后会设置分类垃圾桶和提示牌，并排保洁轮值，防止再堆垃圾。具体方案会在协商会上定。",
                0,
            ),
            (93, 18, voices[1], "垃圾清走了，空地敞亮多了，给环卫中心点赞！", None),
            (14, 20, voices[2], "地面硬化好了，健身器材什么时候能装上？老人们都在等。", None),
            (14, 21, supporters[0], "同问，听说厂家发货延期了。", 3),
            (13, 9, secretary, "器材公司答复厂家下周发货，到货后三天内安装，装好后请大家一起验收。", 3),
        ],
    )
    town.demo.matters += [main, *duplicates]
    return main


def _talk(town: Town, matter: Matter, lines, hide=None) -> None:
    """Residents' comments on a story's matter and the community's answers, each on its day.

    ``lines`` are (days ago, hour, who, text, the index of the comment answered or None); ``hide`` is
    (index, days ago, hour, reason): a comment the secretary hid, its reason shown in its place.
    """
    c = town.clock
    posted: list[Comment] = []
    for days_ago, hour, who, text, answers in lines:
        with c.at(c.day(days_ago, hour)):
            if answers is None:
                posted.append(comments.post_comment(actor=who, matter=matter, body=text))
            else:
                posted.append(comments.reply(actor=who, comment=posted[answers], body=text))
    if hide is not None:
        index, days_ago, hour, reason = hide
        secretary = town.secretary[town.community_of(matter.region).name]
        with c.at(c.day(days_ago, hour)):
            comments.hide(actor=secretary, comment=posted[index], reason=reason)


def _s4(town: Town) -> tuple[Matter, Matter]:
    """S4: storage-room meters in 生产资料小区 and illegal structures in 馨泰花园小区, both gathering ideas."""
    c, r = town.clock, town.regions
    meters_place, structures_place = r["生产资料小区"], r["馨泰花园小区"]
    raiser = town.one(meters_place)
    with c.at(c.day(30, 20)):
        meters = matters.raise_matter(
            actor=raiser,
            region=meters_place,
            category=town.categories["safety"],
            title=S4_METERS_TITLE,
            location="生产资料小区各楼储藏间",
            description="小区储藏间都没有装电表，不少人从自家私拉电线到储藏间给电动车充电，电线乱搭，很不安全，"
            "希望能统一给储藏间安装电表。",
        )
    for k, person in enumerate(town.take(meters_place, 5, besides=[raiser])):
        with c.at(c.day(29, 9 + k)):
            matters.support(actor=person, matter=meters)
    with c.at(c.day(25, 10)):
        matters.accept(
            actor=town.secretary["三角线社区"],
            matter=meters,
            procedure_key="eight_steps",
            stakeholders="生产资料小区储藏间使用户；国网沧州供电公司新华供电中心；三角线社区“两委”",
        )
    talk = c.day(2, 15)
    with c.at(talk):
        record_session(
            actor=town.secretary["三角线社区"],
            matter=meters,
            form=SessionForm.TALK,
            title="储藏间安装电表恳谈会",
            held_at=talk,
            place=PLACES_OF_MEETING["三角线社区"],
            attendance=15,
            attendees=[town.secretary["三角线社区"], raiser, town.unit_staff["国网沧州供电公司新华供电中心"]],
            other_attendees="国网沧州供电公司新华供电中心负责人、储藏间使用户代表",
            ideas=[
                ("由供电中心统一勘查线路容量，按户给储藏间安装独立电表。", "国网沧州供电公司新华供电中心"),
                ("电表和线路费用由使用储藏间的住户承担，自愿登记。", "居民代表"),
                ("安装后拆除所有私拉乱接的电线。", raiser.name),
            ],
        )
    secretary = town.secretary["丽景社区"]
    with c.at(c.day(20, 10)):
        structures = matters.record_matter(
            actor=secretary,
            region=structures_place,
            category=town.categories["environment"],
            channel=Channel.GRID_WORKER,
            title=S4_STRUCTURES_TITLE,
            location="馨泰花园小区1号楼、2号楼之间",
            description="网格员巡查发现：1号楼、2号楼之间有住户私搭板房、围建小院，占用公共通道和绿地，"
            "消防车进不来，其他居民意见很大。",
            submitter_name="网格员",
        )
    for k, person in enumerate(town.take(structures_place, 6)):
        with c.at(c.day(19 - k // 3, 9 + k)):
            matters.support(actor=person, matter=structures)
    with c.at(c.day(15, 10)):
        matters.accept(
            actor=secretary,
            matter=structures,
            procedure_key="eight_steps",
            stakeholders="馨泰花园小区居民；搭建户；馨泰花园小区物业服务公司；运河区城管",
        )
    town.demo.matters += [meters, structures]
    return meters, structures


# ---------------------------------------------------------------------------------------------------------
# Everyday matters across the three communities, at every status and step.

EVERYDAY = [
    # Waiting to be screened.
    M(
        "万泰丽景小区",
        "property",
        "online",
        "3号楼电梯经常停运",
        "3号楼电梯这个月停了三次，老人上下楼很困难，物业说在等配件。希望尽快修好，并公开维保记录。",
        2,
        "new",
        location="3号楼",
        supporters=3,
    ),
    M(
        "戒毒所小区",
        "safety",
        "hotline",
        "楼道堆放杂物堵塞消防通道",
        "2号楼2单元楼道里堆满了旧家具和纸箱，万一着火人都跑不出去，打电话希望社区管一管。",
        3,
        "new",
        location="2号楼2单元",
    ),
    M(
        "建材城小区",
        "disputes",
        "box",
        "楼上住户夜间噪音扰民",
        "楼上住户经常半夜拖动家具、孩子跑跳，已经影响休息好几个月，不好意思当面说，希望社区帮忙协调。",
        1,
        "new",
        back_to_back=True,
    ),
    M(
        "馨泰花园小区",
        "facilities",
        "online",
        "小区路灯坏了好几盏",
        "2号楼到小区北门之间的路灯坏了四盏，晚上一片漆黑，老人孩子走路不安全。",
        4,
        "new",
        back_to_back=True,
        location="2号楼至北门",
        supporters=2,
    ),
    M(
        "生产资料小区",
        "environment",
        "grid",
        "小区门口共享单车乱停乱放",
        "网格员巡查发现小区门口共享单车乱停乱放，堵住了人行道和消防车通道。",
        2,
        "new",
        location="小区南门",
    ),
    M(
        "朝东社区",
        "other",
        "visit",
        "希望开设老年人智能手机培训班",
        "几位老人来社区反映：看病挂号、交电费都要用手机，不会操作，希望社区组织志愿者教一教。",
        5,
        "new",
    ),
    # Declined, with the reason given publicly.
    M(
        "万泰丽景小区",
        "property",
        "online",
        "要求给我家分配固定车位",
        "我家有两辆车，晚上回来经常没地方停，希望社区给我家在楼下划一个固定车位。",
        20,
        "declined",
        reason="小区车位属全体业主共有，为个人划定固定车位须由业主大会决定，不属于社区协商议事范围。已告知可向业主委员会提出；"
        "小区停车秩序问题另行协商。",
    ),
    M(
        "建材城小区",
        "other",
        "online",
        "建议把活动室改成麻将室",
        "退休了没事干，希望把小区活动室改成麻将室，大家有个地方玩。",
        26,
        "declined",
        reason="小区活动室已作为老年活动室和“四点半课堂”使用，开设棋牌室涉及噪音和经营问题，"
        "多数居民代表不赞成，暂不列入议事。",
    ),
    M(
        "戒毒所小区",
        "disputes",
        "hotline",
        "请社区认定父母房产归属",
        "父母留下的房子兄弟之间有争议，希望社区出面认定归谁。",
        33,
        "declined",
        reason="房屋产权归属属于家庭民事争议，不属于社区协商议事范围。已告知可申请人民调解或依法起诉，"
        "并提供了法律援助中心电话。",
    ),
    # Referred to the body it belongs to (转办).
    M(
        "万泰丽景小区",
        "facilities",
        "hotline",
        "高层住户自来水水压低",
        "4号楼五、六层住户反映早晚用水高峰时水压低，热水器打不着火。",
        18,
        "referred",
        referred_to="沧州市水务集团运河营业所",
        reason="供水设施由供水企业管理，已转办并请其三个工作日内上门检测，社区跟踪回复居民。",
    ),
    M(
        "生产资料小区",
        "safety",
        "grid",
        "小区外围道路井盖缺失",
        "网格员发现小区东侧道路上一个雨水井盖缺失，已临时设置警示，但夜间仍有危险。",
        9,
        "referred",
        referred_to="新华区住房和城乡建设局",
        reason="市政道路井盖属住建部门管理，已转办，要求尽快补装。",
    ),
    M(
        "戒毒所小区",
        "disputes",
        "visit",
        "楼上漏水引发邻里纠纷",
        "居民来访：楼上卫生间漏水，自家顶棚发霉，与楼上协商多次未果。",
        14,
        "referred",
        referred_to="朝东社区人民调解委员会",
        reason="邻里纠纷先行调解，已转社区人民调解委员会，调解员三日内约双方见面。",
    ),
    # Withdrawn at the resident's request (by the committee: it had been accepted), closed unresolved.
    M(
        "馨泰花园小区",
        "property",
        "online",
        "单元门禁经常失灵",
        "1号楼1单元的门禁时好时坏，外人随便进出，希望更换。",
        24,
        "withdrawn",
        reason="提出人告知物业已上门更换门禁主板，现已正常，申请撤回。",
        idle=10,
    ),
    M(
        "建材城小区",
        "renovation",
        "survey",
        "老楼加装电梯",
        "入户调查中，5号楼多位高龄住户提出希望加装电梯。",
        75,
        "unresolved",
        ideas=[
            ("加装电梯需要本单元三分之二以上业主同意，一、二层住户担心采光和噪音。", "单元长"),
            ("可申请老旧小区加装电梯财政补贴，每部约20万元。", "三角线社区居委会"),
        ],
        reason="经入户征求意见，5号楼各单元一、二层住户多数不同意，未达到加装电梯所需的业主同意比例，本次暂不实施；"
        "条件成熟时可重新提议。",
        idle=30,
    ),
    # Gathering ideas.
    M(
        "戒毒所小区",
        "safety",
        "online",
        "电动车没处充电，楼道飞线充电危险",
        "小区没有电动车充电桩，不少人从楼上拉电线下来充电，还有人把电动车推进楼道，很危险。",
        16,
        "ideas",
        supporters=4,
    ),
    M(
        "万泰丽景小区",
        "environment",
        "symposium",
        "垃圾投放点设置不合理",
        "社区座谈会上居民提出：垃圾投放点离1号楼窗户太近，夏天有异味，投放时间也不合理。",
        15,
        "ideas",
        session=True,
        ideas=[
            ("投放点挪到小区东侧空地，远离住户窗户。", "1号楼居民"),
            ("早晚各定时投放两小时，其他时间关闭。", "物业"),
            ("请志愿者在投放点值守，引导分类。", "居民代表"),
        ],
    ),
    M(
        "建材城小区",
        "facilities",
        "online",
        "小区停车秩序混乱",
        "小区没有物业，车辆乱停，消防通道经常被堵，晚上回来找不到车位。",
        12,
        "ideas",
        supporters=6,
    ),
    # Drafting a plan.
    M(
        "馨泰花园小区",
        "facilities",
        "online",
        "儿童游乐设施老化破损",
        "小区里的滑梯和秋千用了十几年，螺丝松动、边角生锈，孩子玩的时候划伤过手。",
        28,
        "draft",
        supporters=5,
        ideas=[
            ("先拆除破损的秋千，防止再有孩子受伤。", "馨泰花园小区物业服务公司"),
            ("更换为带软质地垫的组合滑梯。", "居民代表"),
            ("费用申请社区公益金，不足部分由物业公共收益支付。", "丽景社区居委会"),
        ],
        idle=5,
    ),
    M(
        "生产资料小区",
        "renovation",
        "meeting",
        "楼顶防水层老化漏雨",
        "居民代表会议上提出：1号楼和2号楼顶层多户雨季漏雨，墙皮脱落。",
        60,
        "draft",
        returned="review",
        ideas=[
            ("顶层住户雨季漏雨严重，应整体翻修而不是局部修补。", "1号楼顶层住户"),
            ("维修资金可申请使用住宅专项维修资金。", "三角线社区居委会"),
            ("施工避开雨季，选在秋季进行。", "居民代表"),
        ],
        summary="对1号楼、2号楼楼顶防水层进行整体翻修，约860平方米，采用改性沥青防水卷材。",
        budget=68000,
        parts=[
            ("楼顶防水层翻修施工", "沧州宏达建筑工程有限公司"),
            ("组织顶层住户配合施工", "三角线社区居委会"),
        ],
        opinion="方案未写明维修资金来源，以及动用住宅专项维修资金所需的业主表决程序，请补充资金来源和分摊方式后再提交审查。",
    ),
    M(
        "戒毒所小区",
        "other",
        "visit",
        "小区缺少老年人助餐点",
        "几位独居老人来访反映：做饭不方便，希望在小区附近开个老年助餐点。",
        30,
        "draft",
        ideas=[
            ("小区老人多，独居老人占三成，助餐需求大。", "朝东社区居委会"),
            ("可利用社区服务站一楼闲置房间开设助餐点。", "居民代表"),
            ("引入有资质的餐饮企业，政府补贴一部分，老人自付一部分。", "议事会成员"),
        ],
        idle=8,
    ),
    # Reaching consensus.
    M(
        "万泰丽景小区",
        "environment",
        "online",
        "小区绿地被占用种菜",
        "2号楼南侧绿地被个别住户圈起来种菜，还堆了粪肥，味道很大。",
        40,
        "consensus",
        supporters=7,
        ideas=[
            ("圈占绿地种菜违反小区管理规约，应限期自行清理。", "居民代表"),
            ("清理后补种草坪和灌木，恢复绿地。", "万泰丽景小区物业服务公司"),
            ("对种菜的老人耐心劝导，可在社区活动中心开辟盆栽角。", "议事会成员"),
        ],
        summary="限期清理2号楼南侧绿地内的菜地和粪肥，恢复绿化；对种菜住户上门劝导；物业补种草坪和灌木并加强巡查。",
        parts=[
            ("上门劝导种菜住户限期自行清理", "丽景社区居委会"),
            ("清运粪肥杂物，补种草坪和灌木", "万泰丽景小区物业服务公司"),
            ("对拒不清理的依法处理", "运河区城管"),
        ],
        idle=7,
    ),
    M(
        "建材城小区",
        "safety",
        "grid",
        "电动车楼道充电隐患",
        "网格员巡查发现多个单元楼道停放电动车并充电，存在火灾隐患。",
        45,
        "consensus",
        ideas=[
            ("在3号楼西侧空地建设电动车集中充电车棚，安装智能充电桩。", "单元长"),
            ("由供电中心核查容量，单独接入电源。", "国网沧州供电公司新华供电中心"),
            ("车棚建成后楼道内禁止停放和充电，由单元长监督。", "业主委员会"),
        ],
        summary="在3号楼西侧空地建设电动车集中充电车棚（40个充电位），供电中心单独接入电源；建成后楼道禁止停放、充电，由单元长监督。",
        budget=32000,
        parts=[
            ("建设充电车棚并安装智能充电桩", "沧州宏达建筑工程有限公司"),
            ("核查用电容量并单独接入电源", "国网沧州供电公司新华供电中心"),
            ("楼道电动车清理和日常监督", "各单元长"),
        ],
        idle=4,
    ),
    # Expert review.
    M(
        "戒毒所小区",
        "environment",
        "symposium",
        "制定小区文明养犬公约",
        "座谈会上居民反映：有人遛狗不拴绳、不清理粪便，还有狗咬伤过孩子。",
        55,
        "review",
        supporters=9,
        ideas=[
            ("遛狗必须拴绳，大型犬佩戴嘴套。", "居民代表"),
            ("主人随身携带拾便袋，及时清理粪便。", "议事会成员"),
            ("犬只须办理登记、按时接种狂犬疫苗。", "运河区城管"),
        ],
        summary="制定《戒毒所小区文明养犬公约》：出户拴绳、大型犬佩戴嘴套、及时清理粪便、按时登记免疫；设立文明养犬宣传栏，"
        "违反公约的由社区劝导，屡次不改的提请城管依法处理。",
        parts=[
            ("起草并张贴《文明养犬公约》，入户发放告知书", "朝东社区居委会"),
            ("督促未登记犬只办理登记", "运河区城管"),
        ],
        idle=6,
    ),
    M(
        "生产资料小区",
        "facilities",
        "online",
        "小区大门破损，外来车辆随意进出",
        "小区大门锈蚀变形关不上，外来车辆随意进出停放，晚上也没人看门。",
        50,
        "review",
        supporters=3,
        ideas=[
            ("大门锈蚀变形，应整体更换。", "居民代表"),
            ("更换电动伸缩门并安装车辆识别道闸。", "议事会成员"),
            ("门卫室请退休居民志愿值守，白天有人看门。", "三角线社区居委会"),
        ],
        summary="更换小区大门为电动伸缩门，安装车辆识别道闸；门卫室由居民志愿者白天值守；费用从老旧小区改造资金中列支。",
        budget=45000,
        parts=[
            ("更换电动伸缩门、安装车辆识别道闸", "沧州宏达建筑工程有限公司"),
            ("组织居民志愿者门卫值守排班", "三角线社区居委会"),
        ],
        idle=3,
    ),
    # The representatives' vote.
    M(
        "馨泰花园小区",
        "facilities",
        "online",
        "小区增设机动车停车位",
        "小区车位太少，晚上车停满了主干道，救护车都进不来。",
        70,
        "vote",
        supporters=8,
        ideas=[
            ("将小区北侧闲置空地改造为生态停车位。", "馨泰花园小区物业服务公司"),
            ("改造不能减少绿化，用植草砖铺设。", "居民代表"),
            ("停车位先登记先使用，管理费专款用于维护。", "议事会成员"),
        ],
        summary="将小区北侧闲置空地改造为植草砖生态停车位32个；停车位由物业登记管理，管理费专款用于停车场维护，收支公示。",
        budget=58000,
        parts=[
            ("生态停车位施工", "沧州宏达建筑工程有限公司"),
            ("停车位登记分配和日常管理", "馨泰花园小区物业服务公司"),
        ],
        idle=5,
    ),
    M(
        "万泰丽景小区",
        "renovation",
        "meeting",
        "老旧供暖管网改造",
        "居民代表会议上提出：小区供暖管道用了二十多年，每年冬天都有楼栋暖气不热，去年还爆过一次管。",
        85,
        "vote",
        ideas=[
            ("室外管网锈蚀严重，应整体更换而不是年年抢修。", "居民代表"),
            ("申请纳入老旧小区改造计划，争取财政资金。", "丽景社区居委会"),
            ("利用非供暖季施工，不影响冬季供暖。", "物业"),
        ],
        summary="将小区1至4号楼室外供暖管网整体更换，纳入老旧小区改造计划，利用明年非供暖季施工。",
        budget=380000,
        parts=[
            ("室外供暖管网更换施工", "沧州宏达建筑工程有限公司"),
            ("施工期间交通疏导和秩序维护", "万泰丽景小区物业服务公司"),
            ("入户告知，协调住户配合", "丽景社区居委会"),
        ],
        idle=9,
    ),
    # Carrying it out.
    M(
        "建材城小区",
        "environment",
        "online",
        "化粪池堵塞外溢",
        "4号楼后面的化粪池堵了，污水漫到路上，臭气熏天。",
        65,
        "implement",
        supporters=5,
        ideas=[
            ("化粪池多年未清掏，需立即抽排清掏。", "单元长"),
            ("更换破损的检查井盖，以后每半年清掏一次。", "业主委员会"),
        ],
        summary="对建材城小区3座化粪池进行抽排清掏，疏通主管道，更换破损井盖；此后由业主委员会每半年组织一次清掏。",
        budget=9600,
        parts=[
            ("化粪池抽排清掏、疏通主管道", "新华区环卫中心"),
            ("更换破损检查井盖", "沧州宏达建筑工程有限公司"),
            ("建立定期清掏制度并公示", "建材城小区业主委员会"),
        ],
        idle=6,
    ),
    M(
        "戒毒所小区",
        "safety",
        "online",
        "小区监控摄像头太少",
        "小区只有大门口一个摄像头，前几天有电动车被偷，查不到人。",
        120,
        "implement",
        returned="vote",
        supporters=6,
        ideas=[
            ("在小区出入口和各单元门口加装高清摄像头。", "居民代表"),
            ("监控接入社区网格化管理平台。", "朝东社区居委会"),
            ("摄像头不能对着住户窗户，保护隐私。", "居民"),
        ],
        summary="在小区出入口、各单元门口和停车区域安装高清摄像头36个，接入社区网格化管理平台。",
        budget=72000,
        revision="在小区出入口、主要路口和停车区域安装高清摄像头18个（单元门口暂不安装），接入社区网格化管理平台；"
        "摄像头不得朝向住户门窗。",
        parts=[
            ("安装高清摄像头并接入平台", "沧州宏达建筑工程有限公司"),
            ("监控平台日常值守和设备巡检", "朝东社区居委会"),
        ],
        idle=10,
    ),
    M(
        "万泰丽景小区",
        "facilities",
        "hotline",
        "单元门口台阶破损",
        "1号楼2单元门口台阶边角碎了，老人进出差点绊倒。",
        20,
        "implement",
        procedure="short_path",
        reason="小型维修，由物业负责，无需公约和表决",
        ideas=[("台阶边角破损，用水泥修补并加装扶手。", "居民")],
        summary="修补1号楼2单元门口破损台阶，加装不锈钢扶手。",
        parts=[("修补台阶、加装扶手", "万泰丽景小区物业服务公司")],
        idle=4,
    ),
    # Confirmed, the result still to be posted.
    M(
        "馨泰花园小区",
        "environment",
        "online",
        "楼前树木遮挡低层采光",
        "楼前杨树长得比四楼还高，一楼二楼白天都要开灯。",
        100,
        "publish",
        supporters=4,
        ideas=[("只修剪不砍伐，疏枝后能透光就行。", "1号楼居民"), ("修剪前要向园林部门备案。", "议事会成员")],
        summary="对1号楼、2号楼楼前12棵杨树进行疏枝修剪，不砍伐；修剪前报园林部门备案。",
        parts=[
            ("楼前树木疏枝修剪", "馨泰花园小区物业服务公司"),
            ("向园林部门备案并通知住户", "丽景社区居委会"),
        ],
        idle=3,
    ),
    M(
        "生产资料小区",
        "facilities",
        "visit",
        "小区排水管道堵塞",
        "居民来访：一下雨一楼下水道就往上返水。",
        35,
        "publish",
        procedure="short_path",
        reason="疏通管道属日常维修，无需公约和表决",
        ideas=[
            ("雨后污水倒灌进一楼，需要尽快疏通。", "1号楼住户"),
            ("用高压清洗车疏通，找出堵点。", "新华区环卫中心"),
        ],
        summary="用高压清洗车疏通小区排水主管道，清除堵塞物，修复破损管段。",
        parts=[("疏通排水主管道", "新华区环卫中心")],
        idle=1,
    ),
    # Resolved.
    M(
        "万泰丽景小区",
        "safety",
        "online",
        "楼道灭火器过期",
        "各单元楼道的灭火器压力表指针都在红区了，早就过期。",
        60,
        "resolved",
        procedure="short_path",
        reason="更换过期灭火器，费用由物业承担，无需公约和表决",
        supporters=2,
        ideas=[
            ("物业统一更换并每月检查。", "万泰丽景小区物业服务公司"),
            ("请消防救援大队上门讲讲怎么用灭火器。", "居民"),
        ],
        summary="物业统一更换各单元楼道过期灭火器48具；运河区消防救援大队到小区开展一次灭火器使用培训。",
        parts=[("更换过期灭火器", "万泰丽景小区物业服务公司"), ("开展灭火器使用培训", "运河区消防救援大队")],
        idle=20,
    ),
    M(
        "建材城小区",
        "facilities",
        "online",
        "小区主路没有路灯",
        "小区主路和楼间道路晚上黑灯瞎火，下夜班回来很害怕。",
        200,
        "resolved",
        supporters=6,
        ideas=[
            ("安装太阳能路灯，不用拉线，也不用交电费。", "业主委员会"),
            ("路灯间距不要太大，楼间道路也要照到。", "单元长"),
        ],
        summary="在小区主路及楼间道路安装太阳能路灯20盏，由业主委员会负责日常维护。",
        budget=36000,
        parts=[("安装太阳能路灯", "沧州宏达建筑工程有限公司"), ("路灯日常巡查维护", "建材城小区业主委员会")],
        idle=90,
    ),
    M(
        "戒毒所小区",
        "environment",
        "hotline",
        "楼道长期无人打扫",
        "保洁员走了以后，楼道半年没人扫过，到处是小广告和垃圾。",
        150,
        "resolved",
        supporters=3,
        ideas=[
            ("请环卫部门把小区纳入保洁范围。", "居民代表"),
            ("各单元推选一名居民监督保洁。", "朝东社区居委会"),
        ],
        summary="运河区环卫中心将戒毒所小区纳入保洁范围，每周打扫楼道两次；各单元推选一名居民监督。",
        parts=[("楼道和小区道路定期保洁", "运河区环卫中心"), ("各单元推选保洁监督员", "朝东社区居委会")],
        idle=40,
    ),
    M(
        "馨泰花园小区",
        "safety",
        "grid",
        "高空抛物隐患",
        "网格员巡查发现2号楼下多次出现从楼上扔下的垃圾袋和酒瓶。",
        210,
        "resolved",
        supporters=7,
        ideas=[
            ("制定禁止高空抛物公约，每户签字。", "居民代表"),
            ("在楼栋外侧安装高空抛物监控。", "馨泰花园小区物业服务公司"),
        ],
        summary="制定《馨泰花园小区禁止高空抛物公约》并张贴到各单元；物业在楼栋外侧安装高空抛物监控摄像头8个；社区入户宣传。",
        parts=[
            ("安装高空抛物监控摄像头", "馨泰花园小区物业服务公司"),
            ("张贴公约并入户宣传", "丽景社区居委会"),
        ],
        idle=120,
    ),
    M(
        "朝东社区",
        "other",
        "symposium",
        "开设“四点半课堂”",
        "座谈会上家长提出：孩子下午四点半放学，家长还没下班，没人照看。",
        180,
        "resolved",
        supporters=5,
        ideas=[
            ("利用社区活动室开设“四点半课堂”。", "家长代表"),
            ("招募退休教师和大学生志愿者辅导作业。", "朝东社区居委会"),
        ],
        summary="利用社区活动室开设“四点半课堂”，周一至周五16:30—18:30由志愿者辅导小学生作业。",
        parts=[("整理活动室，配置桌椅和图书", "朝东社区居委会"), ("招募志愿者并排班", "朝东社区居委会")],
        idle=60,
    ),
    M(
        "生产资料小区",
        "environment",
        "online",
        "小区垃圾桶数量不足",
        "小区只有两组垃圾桶，每天下午就满了，垃圾堆在地上。",
        45,
        "resolved",
        back_to_back=True,
        procedure="short_path",
        reason="增设垃圾桶属日常保洁，无需公约和表决",
        supporters=3,
        ideas=[("增设分类垃圾桶，每天清运两次。", "新华区环卫中心")],
        summary="在小区增设分类垃圾桶12组，清运调整为每日两次。",
        parts=[("增设分类垃圾桶，增加清运频次", "新华区环卫中心")],
        idle=12,
    ),
    # A duplicate merged into an open matter.
    M(
        "戒毒所小区",
        "safety",
        "online",
        "楼道里给电动车充电太危险了",
        "楼道里天天有人给电动车充电，电线从窗户拉出来，着火了怎么办？",
        10,
        "merged",
        same_as="电动车没处充电，楼道飞线充电危险",
    ),
]


def load_stories(demo: Demo) -> None:
    """The report's stories and the everyday matters; called at the end of ``city.load()``."""
    town = _town(demo)
    _s1(town)
    _s2(town)
    _s3(town)
    _s4(town)
    found: dict[str, Matter] = {}
    for spec in EVERYDAY:
        found[spec.title] = Walk(town, spec, found).run()
    town.clock.backdate()
    # The roll-ups were kept as the stories ran, at today's times; recount them at the days the stories tell of.
    rebuild_figures()
    # The people and their roles were there long before the stories began.
    before = town.clock.day(730)
    Person.objects.filter(date_joined__gte=demo.started).update(date_joined=before)
    RoleAssignment.objects.filter(granted_at__gte=demo.started).update(granted_at=before)
