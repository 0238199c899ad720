"""The JSON API for matters: listing, raising, recording, supporting, screening and merging them.

Reads are public (a token or a session only changes ``available_actions`` and the submitter's own view);
writes need a token (``Authorization: Bearer``) or the browser's session with its CSRF token. A ``Refused``
becomes 403/409 with ``detail`` and ``code`` (see ``yishi.api``); an unknown id is 404.

What is done under a matter (sessions, plans, reviews, votes, tasks, notices, moving it through its procedure)
has its router in the app that does it, mounted under /matters beside this one; the shapes they share with the
whole matter are in ``schemas``.
"""

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from yishi.api_schemas import WRITE_ERRORS, DateRange, Problem, created, within_dates
from yishi.people.lookup import person_by_phone
from yishi.people.tokens import WRITE_AUTH, caller
from yishi.procedures import definitions
from yishi.regions.models import Region

from . import pages, queries, services
from .limits import RAISE_GROUP, RAISE_RATE
from .models import Category, Channel, Matter
from .models import Status as MatterStatus
from .schemas import CategoryOut, MatterDetail, MatterOut, MatterPage

router = Router(tags=["matters"])


def _one_of(values) -> type:
    """A ``Literal`` of the allowed values: checked as input (422), listed in the schema."""
    return Literal[tuple(values)]  # type: ignore[return-value]


ProcedureKey = _one_of(definitions.PROCEDURES)
StatusKey = _one_of(MatterStatus.values)
ChannelKey = _one_of(Channel.values)


# --- what comes out (the matter's own shapes are in schemas) ---------------------------------------------


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


def _detail(matter: Matter, viewer) -> dict:
    """The matter in full, with every step's section: composed above this app (see ``pages``)."""
    return pages.matter_detail(matter, viewer)


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


def _category(key: str) -> Category:
    return get_object_or_404(Category, key=key)


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
        submitter = person_by_phone(
            request.auth, body.submitter_phone, action="matters.record_matter", target=region
        )
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
        person = person_by_phone(request.auth, body.phone, action="matters.record_matter", target=matter)
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
