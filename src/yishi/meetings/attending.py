"""Attending a meeting: the signed token of its QR code, signing in (by phone, or by staff), an invitation's
reply, and the photo of the paper sign-in sheet.
"""

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.queries import active_roles
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.people.actors import Actor, acting_person
from yishi.uploads import clean_photo, new_token

from . import predicates
from .models import (
    Attendance,
    Invitation,
    Meeting,
    Response,
    SheetPhoto,
    SignIn,
)
from .preparing import locked

SIGN_IN_SALT = "yishi.meetings.sign-in"


def sign_in_token(meeting: Meeting) -> str:
    """The token in the meeting's QR code: the meeting's id, signed, so that no other meeting's can be guessed."""
    return signing.Signer(salt=SIGN_IN_SALT).sign(str(meeting.pk))


def meeting_for_token(token: str) -> Meeting | None:
    try:
        pk = int(signing.Signer(salt=SIGN_IN_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None
    return Meeting.objects.select_related("region", "convener").filter(pk=pk).first()


def _attend(
    *, actor: Actor, meeting: Meeting, person, invitation: Invitation | None, method: str
) -> Attendance:
    name = invitation.label if invitation is not None and person is None else person.name
    taken = Attendance.objects.filter(meeting=meeting)
    if (person is not None and taken.filter(person=person).exists()) or (
        invitation is not None and taken.filter(invitation=invitation).exists()
    ):
        raise predicates.already_signed_in(name)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting,
                invitation=invitation,
                person=person,
                name=name[:100],
                method=method,
                recorded_by=acting_person(actor),
                at=timezone.now(),
            )
    except IntegrityError:
        raise predicates.already_signed_in(name) from None
    record(
        actor=actor,
        action=Action.MEETINGS_SIGN_IN,
        target=attendance,
        data={"meeting": meeting.pk, "method": method, "invited": invitation is not None},
    )
    figures_hooks.changed(attendance)
    return attendance


def _unit_invitation_for(person, meeting: Meeting) -> Invitation | None:
    """A unit's staff member signs in for their invited unit, if nobody from the unit has yet."""
    unit_ids = [a.unit_id for a in active_roles(person) if a.role == Role.UNIT_STAFF and a.unit_id]
    if not unit_ids:
        return None
    attended = Attendance.objects.filter(meeting=meeting, invitation__isnull=False).values("invitation_id")
    return (
        Invitation.objects.filter(meeting=meeting, unit_id__in=unit_ids)
        .exclude(pk__in=attended)
        .select_related("unit")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def sign_in(*, actor: Actor, meeting: Meeting) -> Attendance:
    """A participant opens the meeting's QR link on their phone, logged in, and confirms they are here.

    Someone who was not invited may sign in too: the meeting is public; they are counted as attending without
    being among those expected (列席), and never towards a quorum they do not belong to.
    """
    person = acting_person(actor)
    if person is not None:
        meeting = locked(meeting)
    enforce(predicates.may_sign_in(actor, meeting))
    invitation = Invitation.objects.filter(meeting=meeting, person=person).first() or _unit_invitation_for(
        person, meeting
    )
    return _attend(actor=actor, meeting=meeting, person=person, invitation=invitation, method=SignIn.QR)


@transaction.atomic
def check_in(
    *, actor: Actor, meeting: Meeting, invitation: Invitation | None = None, person=None
) -> Attendance:
    """Staff sign someone in: an invited person, unit or named stakeholder, or a resident found by mobile."""
    meeting = locked(meeting)
    enforce(predicates.may_check_in(actor, meeting))
    if invitation is not None:
        if invitation.meeting_id != meeting.pk:
            raise Refused(
                _("That invitation belongs to another meeting."), "wrong_meeting", field="invitation"
            )
        person = invitation.person
    elif person is not None:
        invitation = Invitation.objects.filter(meeting=meeting, person=person).first()
    else:
        raise Refused(_("Choose who is signing in."), "nobody", field="invitation")
    return _attend(actor=actor, meeting=meeting, person=person, invitation=invitation, method=SignIn.STAFF)


@transaction.atomic
def respond(*, actor: Actor, meeting: Meeting, attending: bool) -> Invitation:
    """An invited person says whether they will come."""
    person = acting_person(actor)
    invitation = (
        Invitation.objects.select_for_update().filter(meeting=meeting, person=person).first()
        if person
        else None
    )
    enforce(predicates.may_respond(actor, meeting, invitation))
    invitation.response = Response.YES if attending else Response.NO
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    record(
        actor=actor,
        action=Action.MEETINGS_RESPOND,
        target=invitation,
        data={"meeting": meeting.pk, "response": invitation.response},
    )
    return invitation


@transaction.atomic
def attach_sheet_photo(*, actor: Actor, meeting: Meeting, upload) -> SheetPhoto:
    """A photo of the paper sign-in sheet. Re-encoded (no location data); shown to staff only."""
    meeting = locked(meeting)
    enforce(predicates.may_attach_sheet(actor, meeting))
    content, width, height = clean_photo(upload)
    photo = SheetPhoto(
        meeting=meeting,
        token=new_token(),
        width=width,
        height=height,
        uploaded_by=acting_person(actor),
        at=timezone.now(),
    )
    photo.image.save(content.name, content, save=False)
    photo.save()
    record(actor=actor, action=Action.MEETINGS_ATTACH_SHEET, target=photo, data={"meeting": meeting.pk})
    return photo
