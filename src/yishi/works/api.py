"""A matter's tasks, their reports and supervision, and the residents' rating (``/matters/{id}/works`` …).

Mounted under /matters beside matters' own router (see ``yishi.api``), in the ``matters`` tag, with the ids
the operations were published with.
"""

from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, UploadedFile

from yishi.api_schemas import WRITE_ERRORS, created
from yishi.matters import queries
from yishi.matters.api import _ref
from yishi.matters.schemas import ReportOut, SupervisionOut, WorkOut
from yishi.people.tokens import WRITE_AUTH
from yishi.plans.api import _unit
from yishi.plans.models import PlanPart
from yishi.procedures.offers import offers

from .models import Verdict, Work
from .presenters import responsible_shown
from .queries import satisfaction_of
from .services import assign_work, rate_result, report_progress, supervise

router = Router(tags=["matters"])

VerdictKey = Literal[tuple(Verdict.values)]  # type: ignore[valid-type]


class WorkIn(Schema):
    part: int | None = Field(
        None,
        description="The plan part (id) the task carries out; its words, date and unit are the task's when "
        "they are not given",
    )
    title: str = Field("", description="What the task is (the part's words when empty)")
    due_on: date | None = Field(None, description="By when (the part's date when empty)")
    unit: int | None = Field(None, description="Given to a unit serving the matter's place (id) …")
    to_committee: bool = Field(False, description="… or to the committee (两委) of the matter's community …")
    phone: str = Field(
        "", description="… or to the person registered with this mobile number: exactly one of the three"
    )


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
        "to": str(w.responsible),
        "responsible": responsible_shown(w, offered.person),
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


@router.post(
    "/{int:matter_id}/works",
    operation_id="yishi_matters_api_add_work",
    auth=WRITE_AUTH,
    response={201: WorkOut, **WRITE_ERRORS},
    summary="Give a task to a responsible unit, the community committee itself, or a person by their phone",
)
def add_work(request, matter_id: int, body: WorkIn):
    matter = queries.get_matter(matter_id)
    part = get_object_or_404(PlanPart.objects.select_related("version"), pk=body.part) if body.part else None
    work = assign_work(
        actor=request.auth,
        matter=matter,
        title=body.title,
        due_on=body.due_on,
        part=part,
        unit=_unit(matter, body.unit),
        to_committee=body.to_committee,
        phone=body.phone,
    )
    matter = queries.get_matter(matter_id)
    work.matter = matter
    return created(_work(work, offers(request.auth, matter)))


def _matter_work(matter_id: int, work_id: int) -> Work:
    return get_object_or_404(Work, pk=work_id, matter=queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/works/{int:work_id}/reports",
    operation_id="yishi_matters_api_add_report",
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
    operation_id="yishi_matters_api_add_report_with_photo",
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
    operation_id="yishi_matters_api_add_supervision",
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
    operation_id="yishi_matters_api_add_rating",
    auth=WRITE_AUTH,
    response={201: SatisfactionOut, **WRITE_ERRORS},
    summary="A resident who raised or supports the matter rates its result (step 8, or once resolved)",
)
def add_rating(request, matter_id: int, body: RatingIn):
    matter = queries.get_matter(matter_id)
    rate_result(actor=request.auth, matter=matter, rating=body.rating, comment=body.comment)
    return created(satisfaction_of(matter))
