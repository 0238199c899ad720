"""Holding a meeting, and a matter's consultation sessions: what was said (ideas, as written down) and what was
agreed on each agenda matter. A session is also recorded on its own, outside a meeting (step 2, and the talks
of later steps).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.people.actors import Actor
from yishi.procedures.services import require_step_action

from . import predicates
from .models import (
    Attendance,
    Idea,
    Meeting,
    Session,
    SessionForm,
)
from .preparing import locked


@transaction.atomic
def record_session(
    *,
    actor: Actor,
    matter: Matter,
    title: str,
    held_at,
    place: str,
    attendance: int,
    ideas: list[tuple[str, str]],
    form: str = SessionForm.CONSULTATION,
    attendees=(),
    other_attendees: str = "",
    meeting: Meeting | None = None,
) -> Session:
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
    ideas = _clean_ideas(ideas)
    session = Session.objects.create(
        matter=matter,
        meeting=meeting,
        form=form,
        title=title[:100],
        held_at=held_at,
        place=place[:100],
        attendance=attendance,
        other_attendees=(other_attendees or "").strip()[:2000],
        step_key=matter.step_key,
        recorded_by=actor,
    )
    session.attendees.set(attendees)
    Idea.objects.bulk_create([Idea(session=session, text=text[:2000], voiced_by=by) for text, by in ideas])
    data = {"matter": matter.pk, "step": matter.step_key, "attendance": attendance, "ideas": len(ideas)}
    if meeting is not None:
        data["meeting"] = meeting.pk
    record(actor=actor, action=Action.MEETINGS_RECORD_SESSION, target=session, data=data)
    figures_hooks.changed(session)
    return session


def _clean_ideas(ideas) -> list[tuple[str, str]]:
    ideas = [(text.strip(), (by or "").strip()[:100]) for text, by in ideas if text and text.strip()]
    if not ideas:
        raise Refused(_("Write down at least one idea from the session."), "ideas_required", field="ideas")
    return ideas


@transaction.atomic
def record_ideas(*, actor: Actor, meeting: Meeting, matter: Matter, ideas: list[tuple[str, str]]) -> Session:
    """Ideas said at the meeting about one agenda matter. The first time, they become the matter's consultation
    session at this meeting (its step evidence), with who signed in; later ideas are added to that session."""
    from .queries import attendance_summary

    meeting = locked(meeting)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(predicates.may_record_ideas(actor, meeting, matter))
    session = Session.objects.filter(meeting=meeting, matter=matter).first()
    if session is None:
        present = list(Attendance.objects.filter(meeting=meeting).select_related("person"))
        return record_session(
            actor=actor,
            matter=matter,
            title=meeting.title[:100],
            held_at=meeting.starts_at,
            place=meeting.place,
            attendance=attendance_summary(meeting).total,
            ideas=ideas,
            form=meeting.form,
            attendees=[a.person for a in present if a.person_id],
            other_attendees="、".join(a.name for a in present if not a.person_id),
            meeting=meeting,
        )
    ideas = _clean_ideas(ideas)
    Idea.objects.bulk_create([Idea(session=session, text=text[:2000], voiced_by=by) for text, by in ideas])
    record(
        actor=actor,
        action=Action.MEETINGS_ADD_IDEAS,
        target=session,
        data={"meeting": meeting.pk, "matter": matter.pk, "ideas": len(ideas)},
    )
    figures_hooks.changed(session)
    return session


@transaction.atomic
def record_decision(*, actor: Actor, meeting: Meeting, matter: Matter, text: str):
    """What the meeting agreed on an agenda matter: the consensus on the latest plan version, tied to the
    matter's session at this meeting (the procedure checks the matter's step)."""
    from yishi.plans.services import record_consensus

    meeting = locked(meeting)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(predicates.may_record_decision(actor, meeting, matter))
    session = Session.objects.filter(meeting=meeting, matter=matter).first()
    version = matter.plan_versions.order_by("-number").first()
    return record_consensus(actor=actor, matter=matter, version=version, minutes=text, session=session)
