"""The JSON API for matters and their procedure: thin over the services and queries the pages use.

Reads are public (a token or a session only changes ``available_actions`` and the submitter's own view);
writes need a token (``Authorization: Bearer``) or the browser's session with its CSRF token. A ``Refused``
becomes 403/409 with ``detail`` and ``code`` (see ``yishi.api``); an unknown id is 404.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from yishi.access.queries import require
from yishi.api_schemas import WRITE_ERRORS, DateRange, Problem, created, within_dates
from yishi.errors import Refused
from yishi.meetings.models import SessionForm
from yishi.meetings.services import record_session
from yishi.notices.models import NoticeKind
from yishi.notices.services import DEFAULT_PERIOD_DAYS, publish_result
from yishi.people.models import Person
from yishi.people.phones import normalize_phone
from yishi.people.tokens import WRITE_AUTH, caller
from yishi.plans.models import PlanPart
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import definitions
from yishi.procedures import services as engine
from yishi.procedures.models import Transition
from yishi.procedures.offers import offers
from yishi.procedures.queries import checklist, deviations
from yishi.regions.models import Region, Unit
from yishi.regions.queries import units_serving
from yishi.reviews.models import Decision
from yishi.reviews.services import submit_review
from yishi.votes.services import record_result
from yishi.works.models import Verdict, Work
from yishi.works.queries import satisfaction_of
from yishi.works.services import assign_work, rate_result, report_progress, supervise

from . import queries, services
from .limits import RAISE_GROUP, RAISE_RATE
from .models import Category, Channel, Matter
from .models import Status as MatterStatus
from .presenters import is_own, submitter_label

router = Router(tags=["matters"])


def _one_of(values) -> type:
    """A ``Literal`` of the allowed values: checked as input (422), listed in the schema."""
    return Literal[tuple(values)]  # type: ignore[return-value]


ProcedureKey = _one_of(definitions.PROCEDURES)
StatusKey = _one_of(MatterStatus.values)
ChannelKey = _one_of(Channel.values)
SessionFormKey = _one_of(SessionForm.values)
DecisionKey = _one_of(Decision.values)
VerdictKey = _one_of(Verdict.values)
NoticeKindKey = _one_of([NoticeKind.RESULT, NoticeKind.RESOLUTION])


# --- what comes out --------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class CategoryOut(Schema):
    key: str
    name: str


class Labelled(Schema):
    key: str
    label: str


class MatterOut(Schema):
    id: int
    title: str
    region: Ref
    category: CategoryOut
    channel: str
    channel_label: str
    status: str
    status_label: str
    procedure: Labelled | None
    step: Labelled | None
    supporter_count: int
    back_to_back: bool
    raised_at: datetime
    closed_at: datetime | None


class MatterPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MatterOut]


class ChecklistRowOut(Schema):
    key: str
    label: str
    state: str = Field(..., description="done | current | waiting")
    completed_at: datetime | None
    completed_by: str
    missing: list[str] = Field(..., description="What the current step still lacks, in plain words")
    returns: int


class DeviationOut(Schema):
    kind: str
    text: str


class PhotoOut(Schema):
    url: str
    width: int
    height: int


class IdeaOut(Schema):
    text: str
    voiced_by: str


class SessionOut(Schema):
    id: int
    form: str
    form_label: str
    title: str
    held_at: datetime
    place: str
    attendance: int
    other_attendees: str
    step: str
    ideas: list[IdeaOut]


class PartOut(Schema):
    id: int
    position: int
    what: str
    unit: Ref | None
    responsible: str
    budget: Decimal | None
    due_on: date | None


class VersionOut(Schema):
    id: int
    number: int
    summary: str
    budget: Decimal | None
    cost_sharing: str
    timeline: str
    beneficiaries: str
    drafted_at: datetime
    parts: list[PartOut]


class ConsensusOut(Schema):
    id: int
    version: int = Field(..., description="The plan version number agreed on")
    minutes: str
    recorded_at: datetime


class ReviewOut(Schema):
    id: int
    version: int
    reviewer: str = Field(..., description="The expert's name: a review is signed")
    expertise: str
    decision: str
    decision_label: str
    opinion: str
    at: datetime


class VoteOut(Schema):
    id: int
    version: int
    electorate: int
    present: int
    in_favour: int
    against: int
    abstain: int
    rule: str = Field(..., description="In favour needed, as a share of the electorate (2/3)")
    passed: bool
    recorded_at: datetime


class ReportOut(Schema):
    id: int
    text: str
    done: bool
    photo: str | None
    at: datetime


class SupervisionOut(Schema):
    """A resident's verdict. Who gave it is not shown: the residents who raised a matter may be back to back."""

    verdict: str
    verdict_label: str
    rating: int | None
    reason: str
    at: datetime


class WorkOut(Schema):
    id: int
    title: str
    part: int | None = Field(..., description="The plan part (id) this task carries out")
    unit: Ref | None
    responsible: str
    due_on: date
    status: str
    status_label: str
    overdue: bool
    done_at: datetime | None
    confirmed_at: datetime | None
    reports: list[ReportOut]
    supervisions: list[SupervisionOut]
    can_report: bool = Field(..., description="The caller may report progress on it now")
    can_supervise: bool = Field(..., description="The caller may confirm or reopen it now")


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    region: Ref
    posted_at: datetime
    period_days: int
    ends_at: datetime


class TransitionOut(Schema):
    kind: str
    kind_label: str
    from_step: str
    to_step: str
    reason: str
    at: datetime


class MatterDetail(MatterOut):
    description: str
    location: str
    submitter: str = Field(
        ..., description="As the caller may see it: a back-to-back submitter is never named"
    )
    own: bool = Field(..., description="The caller raised this matter")
    stakeholders: str
    procedure_reason: str
    step_since: datetime | None
    public_reason: str
    referred_to: str
    merged_into: int | None
    merged_from: list[int]
    photos: list[PhotoOut]
    checklist: list[ChecklistRowOut]
    deviations: list[DeviationOut]
    sessions: list[SessionOut]
    plan_versions: list[VersionOut]
    consensus: list[ConsensusOut]
    reviews: list[ReviewOut]
    votes: list[VoteOut]
    works: list[WorkOut]
    notices: list[NoticeOut]
    history: list[TransitionOut]
    available_actions: list[str] = Field(
        ..., description="What the caller may do now (names as in access/roles)"
    )


class SimilarOut(Schema):
    id: int
    title: str
    status: str
    supporter_count: int
    raised_at: datetime
    score: float


class StepDef(Schema):
    key: str
    label: str
    hint: str
    evidence: list[str]
    returns_to: list[str]
    actions: list[str]


class ProcedureDef(Schema):
    key: str
    label: str
    description: str
    needs_reason: bool
    steps: list[StepDef]


# --- what goes in ----------------------------------------------------------------------------------------


class MatterFilter(DateRange):
    """``since``/``until`` bound the day the matter was raised."""

    region: int | None = Field(None, description="A region id: matters at it and below")
    status: StatusKey | None = None  # type: ignore[valid-type]
    category: str | None = Field(None, description="A category key")
    step: str | None = Field(None, description="A step key, e.g. ideas")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=2**31)


class SimilarQuery(Schema):
    region: int = Field(..., description="Where the new matter is: its community is searched")
    # A query string: servers refuse a request line past about 4 KB, and a title with the start of the
    # description finds the same matters as the whole text.
    text: str = Field(
        ..., min_length=1, max_length=250, description="The new matter's title and start of text"
    )
    exclude: int | None = Field(None, description="A matter id to leave out (the one being screened)")
    limit: int = Field(5, ge=1, le=20)


class RaiseIn(Schema):
    region: int
    category: str = Field(..., description="A category key")
    title: str
    description: str
    location: str = ""
    back_to_back: bool = False


class RecordIn(RaiseIn):
    channel: ChannelKey  # type: ignore[valid-type]
    submitter_phone: str = Field("", description="The resident's mobile, if registered")
    submitter_name: str = ""


class SupportIn(Schema):
    phone: str = Field("", description="Staff only: add a resident who came in person, by their mobile")


class ScreenIn(Schema):
    decision: Literal["accept", "decline", "refer"]
    procedure: ProcedureKey = "eight_steps"  # type: ignore[valid-type]
    procedure_reason: str = ""
    stakeholders: str = ""
    category: str | None = Field(None, description="A category key, to correct it")
    region: int | None = Field(None, description="A region id, to narrow the scope")
    referred_to: str = ""
    reason: str = Field("", description="Shown publicly; required to decline")


class MergeIn(Schema):
    into: int
    reason: str = ""


class AdvanceIn(Schema):
    expected_step: str = Field(..., description="The step the caller saw; refused as stale if it has moved")


class ReturnIn(Schema):
    step: str
    reason: str
    expected_step: str


class ReasonIn(Schema):
    reason: str


class IdeaIn(Schema):
    text: str
    voiced_by: str = ""


class SessionIn(Schema):
    title: str
    form: SessionFormKey = SessionForm.CONSULTATION.value  # type: ignore[valid-type]
    held_at: datetime
    place: str
    attendance: int
    other_attendees: str = ""
    ideas: list[IdeaIn]


class PartIn(Schema):
    what: str
    unit: int | None = Field(None, description="A unit serving the matter's place; or give `responsible`")
    responsible: str = ""
    budget: Decimal | None = None
    due_on: date | None = None


class PlanIn(Schema):
    summary: str
    parts: list[PartIn]
    budget: Decimal | None = None
    cost_sharing: str = ""
    timeline: str = ""
    beneficiaries: str = ""


class ConsensusIn(Schema):
    minutes: str
    version: int | None = Field(None, description="The version number agreed on; the latest when left out")


class ReviewIn(Schema):
    decision: DecisionKey  # type: ignore[valid-type]
    opinion: str


class VoteIn(Schema):
    electorate: int
    present: int
    in_favour: int
    against: int
    abstain: int


class WorkIn(Schema):
    title: str
    due_on: date
    unit: int | None = None
    part: int | None = Field(None, description="The plan part (id) the task carries out")


class ReportIn(Schema):
    text: str
    done: bool = False


class SuperviseIn(Schema):
    verdict: VerdictKey  # type: ignore[valid-type]
    rating: int | None = None
    reason: str = ""


class RatingIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = ""


class SatisfactionOut(Schema):
    count: int
    average: float | None


class NoticeIn(Schema):
    kind: NoticeKindKey = NoticeKind.RESULT.value  # type: ignore[valid-type]
    title: str
    body: str
    period_days: int = DEFAULT_PERIOD_DAYS


# --- presenting ------------------------------------------------------------------------------------------


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _row(m: Matter) -> dict:
    procedure, step = m.procedure, m.step
    return {
        "id": m.pk,
        "title": m.title,
        "region": _ref(m.region),
        "category": {"key": m.category.key, "name": m.category.name},
        "channel": m.channel,
        "channel_label": str(m.get_channel_display()),
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "procedure": {"key": procedure.key, "label": str(procedure.label)} if procedure else None,
        "step": {"key": step.key, "label": str(step.label)} if step else None,
        "supporter_count": m.supporter_count,
        "back_to_back": m.back_to_back,
        "raised_at": m.raised_at,
        "closed_at": m.closed_at,
    }


def _session(s) -> dict:
    return {
        "id": s.pk,
        "form": s.form,
        "form_label": str(s.get_form_display()),
        "title": s.title,
        "held_at": s.held_at,
        "place": s.place,
        "attendance": s.attendance,
        "other_attendees": s.other_attendees,
        "step": s.step_key,
        "ideas": [{"text": i.text, "voiced_by": i.voiced_by} for i in s.ideas.all()],
    }


def _version(v) -> dict:
    return {
        "id": v.pk,
        "number": v.number,
        "summary": v.summary,
        "budget": v.budget,
        "cost_sharing": v.cost_sharing,
        "timeline": v.timeline,
        "beneficiaries": v.beneficiaries,
        "drafted_at": v.drafted_at,
        "parts": [
            {
                "id": p.pk,
                "position": p.position,
                "what": p.what,
                "unit": _ref(p.unit),
                "responsible": p.responsible_label,
                "budget": p.budget,
                "due_on": p.due_on,
            }
            for p in v.parts.all()
        ],
    }


def _consensus(c, numbers: dict) -> dict:
    return {"id": c.pk, "version": numbers[c.version_id], "minutes": c.minutes, "recorded_at": c.recorded_at}


def _review(r, numbers: dict) -> dict:
    return {
        "id": r.pk,
        "version": numbers[r.version_id],
        "reviewer": r.reviewer.name,
        "expertise": r.expertise,
        "decision": r.decision,
        "decision_label": str(r.get_decision_display()),
        "opinion": r.opinion,
        "at": r.at,
    }


def _vote(v, numbers: dict) -> dict:
    return {
        "id": v.pk,
        "version": numbers[v.version_id],
        "electorate": v.electorate,
        "present": v.present,
        "in_favour": v.in_favour,
        "against": v.against,
        "abstain": v.abstain,
        "rule": f"{v.numerator}/{v.denominator}",
        "passed": v.passed,
        "recorded_at": v.recorded_at,
    }


def _report(r) -> dict:
    return {"id": r.pk, "text": r.text, "done": r.done, "photo": r.photo.url if r.photo else None, "at": r.at}


def _supervision(s) -> dict:
    return {
        "verdict": s.verdict,
        "verdict_label": str(s.get_verdict_display()),
        "rating": s.rating,
        "reason": s.reason,
        "at": s.at,
    }


def _work(w, offered) -> dict:
    on_work = offered.for_work(w)
    return {
        "id": w.pk,
        "title": w.title,
        "part": w.part_id,
        "unit": _ref(w.unit),
        "responsible": w.responsible_label,
        "due_on": w.due_on,
        "status": w.status,
        "status_label": str(w.get_status_display()),
        "overdue": w.is_overdue(),
        "done_at": w.done_at,
        "confirmed_at": w.confirmed_at,
        "reports": [_report(r) for r in w.reports.all()],
        "supervisions": [_supervision(s) for s in w.supervisions.all()],
        "can_report": "procedures.report_progress" in on_work,
        "can_supervise": "procedures.confirm_work" in on_work,
    }


def _notice(n) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": str(n.get_kind_display()),
        "title": n.title,
        "body": n.body,
        "region": _ref(n.region),
        "posted_at": n.posted_at,
        "period_days": n.period_days,
        "ends_at": n.ends_at,
    }


def _detail(matter: Matter, viewer) -> dict:
    offered = offers(viewer, matter)
    versions = list(matter.plan_versions.prefetch_related("parts__unit").order_by("number"))
    numbers = {v.pk: v.number for v in versions}
    works = list(
        Work.objects.filter(matter=matter)
        .select_related("unit", "assignee")
        .prefetch_related("reports", "supervisions")
        .order_by("due_on", "pk")
    )
    for w in works:
        w.matter = matter  # region and procedure already read
    return {
        **_row(matter),
        "description": matter.description,
        "location": matter.location,
        "submitter": submitter_label(matter, viewer),
        "own": is_own(matter, viewer),
        "stakeholders": matter.stakeholders,
        "procedure_reason": matter.procedure_reason,
        "step_since": matter.step_since,
        "public_reason": matter.public_reason,
        "referred_to": matter.referred_to,
        "merged_into": matter.merged_into_id,
        "merged_from": list(matter.merged_from.order_by("pk").values_list("pk", flat=True)),
        "photos": [{"url": p.image.url, "width": p.width, "height": p.height} for p in matter.photos.all()],
        "checklist": [
            {
                "key": r.key,
                "label": str(r.label),
                "state": r.state,
                "completed_at": r.completed_at,
                "completed_by": r.completed_by,
                "missing": [str(m) for m in r.missing],
                "returns": r.returns,
            }
            for r in checklist(matter)
        ],
        "deviations": [{"kind": d.kind, "text": str(d.text)} for d in deviations(matter)],
        "sessions": [
            _session(s) for s in matter.sessions.prefetch_related("ideas").order_by("held_at", "pk")
        ],
        "plan_versions": [_version(v) for v in versions],
        "consensus": [_consensus(c, numbers) for c in matter.consensus_records.order_by("recorded_at", "pk")],
        "reviews": [
            _review(r, numbers) for r in matter.reviews.select_related("reviewer").order_by("at", "pk")
        ],
        "votes": [_vote(v, numbers) for v in matter.vote_results.order_by("recorded_at", "pk")],
        "works": [_work(w, offered) for w in works],
        "notices": [_notice(n) for n in matter.notices.select_related("region").order_by("posted_at", "pk")],
        "history": [
            {
                "kind": t.kind,
                "kind_label": str(t.get_kind_display()),
                "from_step": t.from_step,
                "to_step": t.to_step,
                "reason": t.reason,
                "at": t.at,
            }
            for t in Transition.objects.filter(matter=matter).order_by("at", "pk")
        ],
        "available_actions": sorted(offered.open),
    }


# --- helpers ---------------------------------------------------------------------------------------------


def _limited(request, group: str, rate: str) -> bool:
    """The same limits as the pages, counted per person."""
    return is_ratelimited(request, group=group, key="user", rate=rate, method="POST", increment=True)


def _too_many() -> Status:
    return Status(
        429,
        {
            "detail": str(_("Too many attempts in a short time. Please wait a few minutes and try again.")),
            "code": "rate_limited",
        },
    )


def _person_by_phone(raw: str) -> Person:
    try:
        phone = normalize_phone(raw)
    except ValidationError:
        raise Refused(_("This is not a mainland mobile number."), "invalid_phone", field="phone") from None
    person = Person.objects.filter(phone=phone).first()
    if person is None:
        raise Refused(_("No resident is registered with this number."), "unknown_person", field="phone")
    return person


def _category(key: str) -> Category:
    return get_object_or_404(Category, key=key)


def _units_for(matter: Matter):
    return units_serving(matter.region)


def _unit(matter: Matter, unit_id: int | None) -> Unit | None:
    """As the page offers them: only a unit that serves the matter's place (or a place above it)."""
    if unit_id is None:
        return None
    return get_object_or_404(_units_for(matter), pk=unit_id)


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# --- reads -----------------------------------------------------------------------------------------------


@router.get("/", response=MatterPage, summary="Matters, newest first, filtered and a page at a time")
def list_matters(request, filters: Query[MatterFilter]):
    if filters.region is not None:
        matters = queries.public_matters(get_object_or_404(Region, pk=filters.region))
    else:
        matters = Matter.objects.select_related("region", "category").order_by("-raised_at", "-pk")
    if filters.status:
        matters = matters.filter(status=filters.status)
    if filters.category:
        matters = matters.filter(category__key=filters.category)
    if filters.step:
        matters = matters.filter(step_key=filters.step)
    matters = within_dates(matters, "raised_at", filters)
    page = matters[filters.offset : filters.offset + filters.limit]
    return {
        "count": matters.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_row(m) for m in page],
    }


@router.get("/procedures", response=list[ProcedureDef], summary="The procedures a matter may follow, as data")
def procedures(request):
    return [
        {
            "key": p.key,
            "label": str(p.label),
            "description": str(p.description),
            "needs_reason": p.needs_reason,
            "steps": [
                {
                    "key": s.key,
                    "label": str(s.label),
                    "hint": str(s.hint),
                    "evidence": list(s.evidence),
                    "returns_to": list(s.returns_to),
                    "actions": list(s.actions),
                }
                for s in p.steps
            ],
        }
        for p in definitions.PROCEDURES.values()
    ]


@router.get("/categories", response=list[CategoryOut], summary="The categories a matter may be raised under")
def categories(request):
    return list(Category.objects.filter(active=True).order_by("position", "key").values("key", "name"))


@router.get(
    "/similar",
    response=list[SimilarOut],
    summary="Open matters in the same community that read like a text (before raising a new one)",
)
def similar(request, q: Query[SimilarQuery]):
    region = get_object_or_404(Region, pk=q.region)
    exclude = get_object_or_404(Matter, pk=q.exclude) if q.exclude is not None else None
    found = queries.similar_matters(region=region, text=q.text, limit=q.limit, exclude=exclude)
    return [
        {
            "id": m.pk,
            "title": m.title,
            "status": m.status,
            "supporter_count": m.supporter_count,
            "raised_at": m.raised_at,
            "score": score,
        }
        for m, score in found
    ]


@router.get(
    "/{int:matter_id}",
    response={200: MatterDetail, 401: Problem, 404: Problem},
    summary="A matter with its procedure, evidence and what the caller may do",
)
def matter_detail(request, matter_id: int):
    return _detail(queries.get_matter(matter_id), caller(request))


# --- writes: raising and screening -----------------------------------------------------------------------


@router.post(
    "/",
    auth=WRITE_AUTH,
    response={201: MatterDetail, 429: Problem, **WRITE_ERRORS},
    summary="Raise a matter online (JSON; `POST /matters/with_photos` takes photos too)",
)
def raise_matter(request, body: RaiseIn):
    return _raise(request, body, photos=())


@router.post(
    "/with_photos",
    auth=WRITE_AUTH,
    response={201: MatterDetail, 429: Problem, **WRITE_ERRORS},
    summary="Raise a matter with photos (multipart form: the same fields, and up to the page's number of photos)",
)
def raise_matter_with_photos(request, body: Form[RaiseIn], photos: File[list[UploadedFile]] = None):
    return _raise(request, body, photos=photos or ())


def _raise(request, body: RaiseIn, photos):
    if _limited(request, RAISE_GROUP, RAISE_RATE):
        return _too_many()
    matter = services.raise_matter(
        actor=request.auth,
        region=get_object_or_404(Region, pk=body.region),
        category=_category(body.category),
        title=body.title,
        description=body.description,
        location=body.location,
        back_to_back=body.back_to_back,
        photos=photos,
    )
    return created(_detail(queries.get_matter(matter.pk), request.auth))


@router.post(
    "/record",
    auth=WRITE_AUTH,
    response={201: MatterDetail, **WRITE_ERRORS},
    summary="Staff record a matter that came by visit, hotline, box, grid worker, symposium or survey",
)
def record_matter(request, body: RecordIn):
    region = get_object_or_404(Region, pk=body.region)
    submitter = None
    if body.submitter_phone:
        # Authority first: a phone lookup must not tell just anyone who is registered.
        require(request.auth, "matters.record_matter", region)
        submitter = _person_by_phone(body.submitter_phone)
    matter = services.record_matter(
        actor=request.auth,
        region=region,
        category=_category(body.category),
        channel=body.channel,
        title=body.title,
        description=body.description,
        location=body.location,
        submitter=submitter,
        submitter_name=body.submitter_name,
        back_to_back=body.back_to_back,
    )
    return created(_detail(queries.get_matter(matter.pk), request.auth))


@router.post(
    "/{int:matter_id}/support",
    auth=WRITE_AUTH,
    response={200: MatterOut, 429: Problem, **WRITE_ERRORS},
    summary="Add your name (附议); staff may add a resident who came in person",
)
def support(request, matter_id: int, body: SupportIn | None = None):
    matter = queries.get_matter(matter_id)
    if _limited(request, "api.matters.support", "60/h"):
        return _too_many()
    person = None
    if body is not None and body.phone:
        require(request.auth, "matters.record_matter", matter)
        person = _person_by_phone(body.phone)
    services.support(actor=request.auth, matter=matter, person=person)
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/screen",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Screen a new matter (研究协商议题): accept onto a procedure, decline, or refer",
)
def screen(request, matter_id: int, body: ScreenIn):
    matter = queries.get_matter(matter_id)
    if body.decision == "accept":
        services.accept(
            actor=request.auth,
            matter=matter,
            procedure_key=body.procedure,
            procedure_reason=body.procedure_reason,
            stakeholders=body.stakeholders,
            category=_category(body.category) if body.category else None,
            region=get_object_or_404(Region, pk=body.region) if body.region is not None else None,
        )
    elif body.decision == "decline":
        services.decline(actor=request.auth, matter=matter, reason=body.reason)
    else:
        services.refer(actor=request.auth, matter=matter, to=body.referred_to, reason=body.reason)
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/merge",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Merge a duplicate into another matter: its people join that one as supporters",
)
def merge(request, matter_id: int, body: MergeIn):
    matter = queries.get_matter(matter_id)
    into = queries.get_matter(body.into)
    services.merge(actor=request.auth, matter=matter, into=into, reason=body.reason)
    return _row(queries.get_matter(matter_id))


# --- writes: moving through the procedure ----------------------------------------------------------------


@router.post(
    "/{int:matter_id}/advance",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Complete the current step (refused with the missing evidence); the last one resolves",
)
def advance(request, matter_id: int, body: AdvanceIn):
    engine.advance(actor=request.auth, matter=queries.get_matter(matter_id), expected_step=body.expected_step)
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/return",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Send the matter back to an earlier step, with the reason",
)
def return_step(request, matter_id: int, body: ReturnIn):
    engine.return_to(
        actor=request.auth,
        matter=queries.get_matter(matter_id),
        step_key=body.step,
        reason=body.reason,
        expected_step=body.expected_step,
    )
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/withdraw",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Withdraw the matter (its submitter, or staff at their request)",
)
def withdraw(request, matter_id: int, body: ReasonIn):
    engine.withdraw(actor=request.auth, matter=queries.get_matter(matter_id), reason=body.reason)
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/close_unresolved",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Close the matter unresolved, with the public reason",
)
def close_unresolved(request, matter_id: int, body: ReasonIn):
    engine.close_unresolved(actor=request.auth, matter=queries.get_matter(matter_id), reason=body.reason)
    return _row(queries.get_matter(matter_id))


# --- writes: the evidence of each step -------------------------------------------------------------------


@router.post(
    "/{int:matter_id}/sessions",
    auth=WRITE_AUTH,
    response={201: SessionOut, **WRITE_ERRORS},
    summary="Record a consultation session with its ideas",
)
def add_session(request, matter_id: int, body: SessionIn):
    session = record_session(
        actor=request.auth,
        matter=queries.get_matter(matter_id),
        title=body.title,
        form=body.form,
        held_at=_aware(body.held_at),
        place=body.place,
        attendance=body.attendance,
        other_attendees=body.other_attendees,
        ideas=[(i.text, i.voiced_by) for i in body.ideas],
    )
    return created(_session(session))


@router.post(
    "/{int:matter_id}/plan_versions",
    auth=WRITE_AUTH,
    response={201: VersionOut, **WRITE_ERRORS},
    summary="Draft a new version of the plan, each part with its responsible unit or person",
)
def add_plan_version(request, matter_id: int, body: PlanIn):
    matter = queries.get_matter(matter_id)
    parts = [
        {
            "what": p.what,
            "unit": _unit(matter, p.unit),
            "responsible": p.responsible,
            "budget": p.budget,
            "due_on": p.due_on,
        }
        for p in body.parts
    ]
    version = draft_version(
        actor=request.auth,
        matter=matter,
        summary=body.summary,
        parts=parts,
        budget=body.budget,
        cost_sharing=body.cost_sharing,
        timeline=body.timeline,
        beneficiaries=body.beneficiaries,
    )
    return created(_version(version))


@router.post(
    "/{int:matter_id}/consensus",
    auth=WRITE_AUTH,
    response={201: ConsensusOut, **WRITE_ERRORS},
    summary="Record that a meeting agreed on a named plan version",
)
def add_consensus(request, matter_id: int, body: ConsensusIn):
    matter = queries.get_matter(matter_id)
    if body.version is None:
        version = matter.plan_versions.order_by("-number").first()
        if version is None:
            raise Refused(_("No plan has been drafted."), "no_plan")
    else:
        version = get_object_or_404(matter.plan_versions, number=body.version)
    consensus = record_consensus(actor=request.auth, matter=matter, version=version, minutes=body.minutes)
    return created(_consensus(consensus, {version.pk: version.number}))


@router.post(
    "/{int:matter_id}/reviews",
    auth=WRITE_AUTH,
    response={201: ReviewOut, **WRITE_ERRORS},
    summary="An expert's signed review of the latest plan version",
)
def add_review(request, matter_id: int, body: ReviewIn):
    review = submit_review(
        actor=request.auth, matter=queries.get_matter(matter_id), decision=body.decision, opinion=body.opinion
    )
    return created(_review(review, {review.version_id: review.version.number}))


@router.post(
    "/{int:matter_id}/votes",
    auth=WRITE_AUTH,
    response={201: VoteOut, **WRITE_ERRORS},
    summary="Record the representatives' vote as counted; a failed vote returns to drafting",
)
def add_vote(request, matter_id: int, body: VoteIn):
    result = record_result(actor=request.auth, matter=queries.get_matter(matter_id), **body.dict())
    return created(_vote(result, {result.version_id: result.version.number}))


@router.post(
    "/{int:matter_id}/works",
    auth=WRITE_AUTH,
    response={201: WorkOut, **WRITE_ERRORS},
    summary="Assign a task to a responsible unit",
)
def add_work(request, matter_id: int, body: WorkIn):
    matter = queries.get_matter(matter_id)
    part = get_object_or_404(PlanPart.objects.select_related("version"), pk=body.part) if body.part else None
    work = assign_work(
        actor=request.auth,
        matter=matter,
        title=body.title,
        due_on=body.due_on,
        unit=_unit(matter, body.unit),
        part=part,
    )
    matter = queries.get_matter(matter_id)
    work.matter = matter
    return created(_work(work, offers(request.auth, matter)))


def _matter_work(matter_id: int, work_id: int) -> Work:
    return get_object_or_404(Work, pk=work_id, matter=queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/works/{int:work_id}/reports",
    auth=WRITE_AUTH,
    response={201: ReportOut, **WRITE_ERRORS},
    summary="The responsible unit reports progress (JSON; `…/reports/with_photo` takes a photo too)",
)
def add_report(request, matter_id: int, work_id: int, body: ReportIn):
    report = report_progress(
        actor=request.auth, work=_matter_work(matter_id, work_id), text=body.text, done=body.done
    )
    return created(_report(report))


@router.post(
    "/{int:matter_id}/works/{int:work_id}/reports/with_photo",
    auth=WRITE_AUTH,
    response={201: ReportOut, **WRITE_ERRORS},
    summary="A progress report with a photo of the work (multipart form)",
)
def add_report_with_photo(
    request, matter_id: int, work_id: int, body: Form[ReportIn], photo: File[UploadedFile]
):
    report = report_progress(
        actor=request.auth, work=_matter_work(matter_id, work_id), text=body.text, done=body.done, photo=photo
    )
    return created(_report(report))


@router.post(
    "/{int:matter_id}/works/{int:work_id}/supervise",
    auth=WRITE_AUTH,
    response={201: SupervisionOut, **WRITE_ERRORS},
    summary="A resident who raised or supports the matter confirms the task, or reopens it",
)
def add_supervision(request, matter_id: int, work_id: int, body: SuperviseIn):
    supervision = supervise(
        actor=request.auth,
        work=_matter_work(matter_id, work_id),
        verdict=body.verdict,
        rating=body.rating,
        reason=body.reason,
    )
    return created(_supervision(supervision))


@router.post(
    "/{int:matter_id}/satisfaction",
    auth=WRITE_AUTH,
    response={201: SatisfactionOut, **WRITE_ERRORS},
    summary="A resident who raised or supports the matter rates its result (step 8, or once resolved)",
)
def add_rating(request, matter_id: int, body: RatingIn):
    matter = queries.get_matter(matter_id)
    rate_result(actor=request.auth, matter=matter, rating=body.rating, comment=body.comment)
    return created(satisfaction_of(matter))


@router.post(
    "/{int:matter_id}/notices",
    auth=WRITE_AUTH,
    response={201: NoticeOut, **WRITE_ERRORS},
    summary="Post the resolution or the result on the community's public board",
)
def add_notice(request, matter_id: int, body: NoticeIn):
    notice = publish_result(
        actor=request.auth,
        matter=queries.get_matter(matter_id),
        kind=body.kind,
        title=body.title,
        body=body.body,
        period_days=body.period_days,
    )
    return created(_notice(notice))
