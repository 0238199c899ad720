"""Recording a consultation session and its ideas (step 2, and the talks of later steps)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yishi.audit.services import record
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.procedures.services import require_step_action

from .models import Idea, Session, SessionForm


@transaction.atomic
def record_session(*, actor, matter: Matter, title: str, held_at, place: str, attendance: int,
                   ideas: list[tuple[str, str]], form: str = SessionForm.CONSULTATION, attendees=(),
                   other_attendees: str = "") -> Session:
    """``ideas`` are (text, voiced_by) pairs as written down at the session."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    require_step_action(actor, matter, "procedures.record_session")
    title, place = (title or "").strip(), (place or "").strip()
    if not title or not place or held_at is None:
        raise Refused(_("A session needs a title, a time and a place."), "session_incomplete")
    if form not in SessionForm.values:
        raise Refused(_("Unknown form of meeting."), "invalid_form", field="form")
    if attendance is None or attendance < 1:
        raise Refused(_("Record how many people took part."), "attendance_required", field="attendance")
    ideas = [(text.strip(), (by or "").strip()[:100]) for text, by in ideas if text and text.strip()]
    if not ideas:
        raise Refused(_("Write down at least one idea from the session."), "ideas_required", field="ideas")
    session = Session.objects.create(
        matter=matter, form=form, title=title[:100], held_at=held_at, place=place[:100], attendance=attendance,
        other_attendees=(other_attendees or "").strip()[:2000], step_key=matter.step_key, recorded_by=actor,
    )
    session.attendees.set(attendees)
    Idea.objects.bulk_create([Idea(session=session, text=text[:2000], voiced_by=by) for text, by in ideas])
    record(actor=actor, action="meetings.record_session", target=session,
           data={"matter": matter.pk, "step": matter.step_key, "attendance": attendance, "ideas": len(ideas)})
    return session
