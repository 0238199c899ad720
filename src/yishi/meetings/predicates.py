"""May I? — one predicate per meeting action, in the words the service refuses with.

Each ``may_<action>(person, meeting, …)`` returns None when ``person`` may take the action now, or the
``Refused`` the service raises (``enforce(may_<action>(actor, …))`` once the meeting is locked). ``person``
None is the system (the command line). ``offers`` lists the meeting's actions for its pages; the actions on
one agenda matter or one set of minutes have their own predicates, asked per row.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.errors import Offers, Refused
from yishi.procedures.services import require_step_action

from . import rules
from .models import AgendaItem, Attendance, Invitation, Meeting, MeetingStatus, Minutes, Session

MANAGE = "meetings.manage_meeting"

# The actions on a meeting as a whole, as its pages offer them.
ACTIONS = (
    "edit",
    "invite",
    "announce",
    "change",
    "cancel",
    "check_in",
    "sheet",
    "close",
    "confirm",
    "respond",
    "sign_in",
)


def _person(person):
    return person if person is not None and person.is_authenticated else None


def authority(person, target) -> Refused | None:
    """The role table's answer as a refusal: ``require`` raises it, a predicate returns it."""
    try:
        require(person, MANAGE, target)
    except Refused as refused:
        return refused
    return None


def _status(meeting: Meeting) -> dict:
    return {"status": meeting.get_status_display()}


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


# ---- preparing, announcing, changing, cancelling ---------------------------------------------------------


def may_edit(person, meeting: Meeting) -> Refused | None:
    """Editing a meeting still being prepared; once announced, only a change notice changes it."""
    refused = authority(person, meeting)
    if refused is None and meeting.status != MeetingStatus.DRAFT:
        refused = Refused(
            _("The meeting has been announced: post a change instead, so that the public sees it."),
            "announced",
        )
    return refused


def may_invite(person, meeting: Meeting) -> Refused | None:
    refused = authority(person, meeting)
    if refused is None and meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED):
        refused = Refused(
            _("This meeting is %(status)s; nobody more can be invited.") % _status(meeting), "closed"
        )
    return refused


def in_the_past(starts_at, now) -> Refused | None:
    if starts_at <= now:
        return Refused(
            _("The meeting's time has passed; set a new time first."), "in_the_past", field="starts_at"
        )
    return None


def may_announce(person, meeting: Meeting, now=None) -> Refused | None:
    refused = authority(person, meeting)
    if refused is None and meeting.status != MeetingStatus.DRAFT:
        refused = Refused(
            _("This meeting is %(status)s; it cannot be announced again.") % _status(meeting), "not_draft"
        )
    if refused is None:
        refused = in_the_past(meeting.starts_at, now or timezone.now())
    return refused


def may_change(person, meeting: Meeting) -> Refused | None:
    refused = authority(person, meeting)
    if refused is None and meeting.status != MeetingStatus.ANNOUNCED:
        refused = Refused(
            _("Only an announced meeting is changed by a notice; this one is %(status)s.") % _status(meeting),
            "not_announced",
        )
    return refused


def may_cancel(person, meeting: Meeting) -> Refused | None:
    refused = authority(person, meeting)
    if refused is None and meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED):
        refused = Refused(
            _("This meeting is %(status)s; it cannot be cancelled.") % _status(meeting), "not_cancellable"
        )
    return refused


# ---- sign-in -----------------------------------------------------------------------------------------------


def may_check_in(person, meeting: Meeting) -> Refused | None:
    """Staff sign people in while the meeting is announced and not yet closed."""
    refused = authority(person, meeting)
    if refused is None and meeting.status != MeetingStatus.ANNOUNCED:
        refused = Refused(
            _("Sign-in is possible only while the meeting is announced and not yet closed."), "sign_in_closed"
        )
    return refused


def self_sign_in_opens(meeting: Meeting):
    return meeting.starts_at - rules.SELF_SIGN_IN_OPENS_BEFORE


def sign_in_closed(meeting: Meeting, now=None) -> Refused | None:
    """Why a participant cannot sign in by the QR code now (closed, or not open yet), or None."""
    now = now or timezone.now()
    if meeting.status != MeetingStatus.ANNOUNCED or now > meeting.starts_at + rules.SELF_SIGN_IN_CLOSES_AFTER:
        return Refused(_("Sign-in for this meeting is closed."), "sign_in_closed")
    if now < self_sign_in_opens(meeting):
        return Refused(
            _("Sign-in opens at %(time)s.") % {"time": _when(self_sign_in_opens(meeting))}, "sign_in_not_open"
        )
    return None


def already_signed_in(name) -> Refused:
    return Refused(_("%(name)s has already signed in.") % {"name": name}, "already_signed_in")


def may_sign_in(person, meeting: Meeting, now=None) -> Refused | None:
    """A participant signs themselves in by the meeting's QR code, logged in, once."""
    person = _person(person)
    if person is None:
        return Refused(_("Log in to sign in."), Refused.FORBIDDEN)
    refused = sign_in_closed(meeting, now)
    if refused is None and Attendance.objects.filter(meeting=meeting, person=person).exists():
        refused = already_signed_in(person.name)
    return refused


def may_attach_sheet(person, meeting: Meeting) -> Refused | None:
    refused = authority(person, meeting)
    if refused is None and meeting.status not in (MeetingStatus.ANNOUNCED, MeetingStatus.HELD):
        refused = Refused(_("A sign-in sheet belongs to a meeting that is announced or held."), "not_held")
    return refused


def may_respond(person, meeting: Meeting, invitation: Invitation | None = None) -> Refused | None:
    """An invited person says whether they will come, while the meeting is announced. ``invitation``: the
    person's, when the caller has read it already."""
    person = _person(person)
    if invitation is None and person is not None:
        invitation = Invitation.objects.filter(meeting=meeting, person=person).first()
    if invitation is None:
        return Refused(_("You are not invited to this meeting."), "not_invited")
    if meeting.status != MeetingStatus.ANNOUNCED:
        return Refused(_("This meeting is %(status)s.") % _status(meeting), "closed")
    return None


# ---- holding it: what is recorded per agenda matter ------------------------------------------------------


def confirmed(meeting: Meeting) -> bool:
    return Minutes.objects.filter(meeting=meeting, confirmed_at__isnull=False).exists()


def not_sitting(meeting: Meeting, now=None) -> Refused | None:
    """Records are made while the meeting sits, or after it closed until its minutes are confirmed."""
    now = now or timezone.now()
    if meeting.status == MeetingStatus.ANNOUNCED:
        if now < meeting.starts_at:
            return Refused(_("The meeting has not started yet."), "not_started")
        return None
    if meeting.status == MeetingStatus.HELD:
        if confirmed(meeting):
            return Refused(
                _("The minutes are confirmed; a correction is an addendum to them."), "minutes_confirmed"
            )
        return None
    return Refused(_("This meeting is %(status)s.") % _status(meeting), "not_sitting")


def _on_agenda(meeting: Meeting, matter) -> Refused | None:
    if not AgendaItem.objects.filter(meeting=meeting, matter=matter).exists():
        return Refused(_("This matter is not on the meeting's agenda."), "not_on_agenda", field="matter")
    return None


def _step_action(person, matter, action: str) -> Refused | None:
    """The procedure's own rule for a step action (the matter's step enables it; the person holds it)."""
    try:
        require_step_action(person, matter, action)
    except Refused as refused:
        return refused
    return None


def may_record_ideas(person, meeting: Meeting, matter, *, sitting: Refused | None = None, now=None):
    """Ideas said about an agenda matter: they make (or add to) the matter's consultation session, which the
    matter's step must enable. ``sitting``: ``not_sitting(meeting)`` when the caller has asked already."""
    refused = not_sitting(meeting, now) if sitting is None else sitting
    refused = refused or _on_agenda(meeting, matter)
    if (
        refused is None
        and not Session.objects.filter(meeting=meeting, matter=matter).exists()
        and not Attendance.objects.filter(meeting=meeting).exists()
    ):
        refused = Refused(_("Sign people in before recording what they said."), "nobody_signed_in")
    return refused or _step_action(person, matter, "procedures.record_session")


def may_record_decision(person, meeting: Meeting, matter, *, sitting: Refused | None = None, now=None):
    """What the meeting agreed on an agenda matter: consensus on its latest plan, after its discussion."""
    refused = not_sitting(meeting, now) if sitting is None else sitting
    refused = refused or _on_agenda(meeting, matter)
    if refused is None and not Session.objects.filter(meeting=meeting, matter=matter).exists():
        refused = Refused(
            _("Record what was said on this matter first; the decision belongs to that discussion."),
            "no_session",
        )
    if refused is None and not matter.plan_versions.exists():
        refused = Refused(_("No plan has been drafted."), "no_plan")
    return refused or _step_action(person, matter, "procedures.record_consensus")


# ---- closing it and the minutes ----------------------------------------------------------------------------


def may_close(person, meeting: Meeting, now=None) -> Refused | None:
    refused = authority(person, meeting)
    if refused is None and meeting.status != MeetingStatus.ANNOUNCED:
        refused = Refused(
            _("Only an announced meeting can be closed; this one is %(status)s.") % _status(meeting),
            "not_announced",
        )
    if refused is None and (now or timezone.now()) < meeting.starts_at:
        refused = Refused(_("The meeting has not started yet."), "not_started")
    return refused


def _not_held(meeting: Meeting) -> Refused | None:
    if meeting.status != MeetingStatus.HELD:
        return Refused(_("Minutes exist once the meeting is closed."), "not_held")
    return None


def may_edit_minutes(person, minutes: Minutes) -> Refused | None:
    """Editing (or drafting again) minutes of a closed meeting until the convener confirms them."""
    refused = authority(person, minutes.meeting) or _not_held(minutes.meeting)
    if refused is None and minutes.is_confirmed:
        refused = Refused(
            _("The minutes are confirmed; a correction is an addendum to them."), "minutes_confirmed"
        )
    return refused


def may_confirm(person, meeting: Meeting) -> Refused | None:
    """The convener confirms the minutes of a closed meeting, once. The system (None) may confirm too.

    Unlike the other actions the meeting's state is said first: there are no minutes to confirm before it
    closes, whoever asks."""
    refused = _not_held(meeting)
    if refused is None and person is not None and getattr(_person(person), "pk", None) != meeting.convener_id:
        refused = Refused(
            _("Only the convener, %(name)s, confirms the minutes.") % {"name": meeting.convener.name},
            Refused.FORBIDDEN,
        )
    if refused is None and confirmed(meeting):
        refused = Refused(_("The minutes are already confirmed."), "already_confirmed")
    return refused


def may_add_addendum(person, minutes: Minutes) -> Refused | None:
    """A signed correction to confirmed minutes, by the convener or the community's staff."""
    signer = _person(person)
    if signer is None:
        return Refused(_("An addendum is signed by the person who writes it."), Refused.FORBIDDEN)
    refused = None if signer.pk == minutes.meeting.convener_id else authority(person, minutes.meeting)
    if refused is None and not minutes.is_confirmed:
        refused = Refused(_("The minutes are not confirmed yet: edit them instead."), "not_confirmed")
    return refused


# ---- all of a meeting's own actions ------------------------------------------------------------------------


def reasons(person, meeting: Meeting, *, invitation: Invitation | None = None, now=None) -> dict:
    """Every action on ``meeting`` as a whole for ``person`` now: None (open) or the refusal."""
    now = now or timezone.now()
    return {
        "edit": may_edit(person, meeting),
        "invite": may_invite(person, meeting),
        "announce": may_announce(person, meeting, now),
        "change": may_change(person, meeting),
        "cancel": may_cancel(person, meeting),
        "check_in": may_check_in(person, meeting),
        "sheet": may_attach_sheet(person, meeting),
        "close": may_close(person, meeting, now),
        "confirm": may_confirm(person, meeting),
        "respond": may_respond(person, meeting, invitation),
        "sign_in": may_sign_in(person, meeting, now),
    }


def offers(person, meeting: Meeting, *, invitation: Invitation | None = None, now=None) -> Offers:
    return Offers(reasons(person, meeting, invitation=invitation, now=now))
