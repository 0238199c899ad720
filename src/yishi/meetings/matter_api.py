"""The consultation sessions recorded on a matter: ``/matters/{id}/sessions``; meetings' own API is api.py.

Mounted under /matters beside matters' own router (see ``yishi.api``), in the ``matters`` tag, with the id the
operation was published with.
"""

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Router, Schema

from yishi.api_schemas import WRITE_ERRORS, created
from yishi.matters import queries
from yishi.matters.schemas import IdeaIn, SessionOut
from yishi.people.tokens import WRITE_AUTH

from .holding import record_session
from .models import SessionForm

router = Router(tags=["matters"])

SessionFormKey = Literal[tuple(SessionForm.values)]  # type: ignore[valid-type]


class SessionIn(Schema):
    title: str
    form: SessionFormKey = SessionForm.CONSULTATION.value  # type: ignore[valid-type]
    held_at: datetime
    place: str
    attendance: int
    other_attendees: str = ""
    ideas: list[IdeaIn]


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


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@router.post(
    "/{int:matter_id}/sessions",
    operation_id="yishi_matters_api_add_session",
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
