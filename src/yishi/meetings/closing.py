"""Closing a meeting and its minutes: drafted from what was recorded, edited by the secretary, confirmed by the
convener (the digest of each text goes into the audit chain) and from then on only added to, by a signed
addendum.
"""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.people.actors import Actor, acting_person

from . import predicates
from .models import (
    Addendum,
    Meeting,
    MeetingStatus,
    Minutes,
)
from .preparing import agenda_of, locked


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def close_meeting(*, actor: Actor, meeting: Meeting) -> Meeting:
    """The meeting is over: sign-in closes and the minutes are drafted, one per agenda matter."""
    from .queries import draft_minutes

    meeting = locked(meeting)
    now = timezone.now()
    enforce(predicates.may_close(actor, meeting, now))
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD, ended_at=now)
    meeting.status, meeting.ended_at = MeetingStatus.HELD, now
    agenda = agenda_of(meeting) or [None]
    Minutes.objects.bulk_create(
        [
            Minutes(
                meeting=meeting, matter=m, position=i, text=draft_minutes(meeting, m)[:20000], drafted_at=now
            )
            for i, m in enumerate(agenda, 1)
        ]
    )
    record(actor=actor, action=Action.MEETINGS_CLOSE, target=meeting, data={"minutes": len(agenda)})
    figures_hooks.changed(meeting)
    return meeting


def _locked_minutes(minutes: Minutes) -> tuple[Meeting, Minutes]:
    meeting = locked(minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    minutes.meeting = meeting
    return meeting, minutes


@transaction.atomic
def edit_minutes(*, actor: Actor, minutes: Minutes, text: str) -> Minutes:
    """The secretary edits the drafted minutes until the convener confirms them."""
    meeting, minutes = _locked_minutes(minutes)
    enforce(predicates.may_edit_minutes(actor, minutes))
    # A browser's textarea sends CRLF; the minutes (and their digest) keep the drafted text's LF line ends.
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise Refused(_("The minutes cannot be empty."), "text_required", field="text")
    minutes.text, minutes.edited_by, minutes.edited_at = text[:20000], acting_person(actor), timezone.now()
    minutes.save(update_fields=["text", "edited_by", "edited_at"])
    record(
        actor=actor,
        action=Action.MEETINGS_EDIT_MINUTES,
        target=minutes,
        data={"meeting": meeting.pk, "matter": minutes.matter_id, "sha256": _digest(minutes.text)},
    )
    return minutes


@transaction.atomic
def redraft_minutes(*, actor: Actor, minutes: Minutes) -> Minutes:
    """Draft the minutes again from what is recorded now (ideas added after the meeting closed), replacing
    the edits made so far."""
    from .queries import draft_minutes

    meeting, minutes = _locked_minutes(minutes)
    enforce(predicates.may_edit_minutes(actor, minutes))
    minutes.text = draft_minutes(meeting, minutes.matter)[:20000]
    minutes.drafted_at, minutes.edited_by, minutes.edited_at = timezone.now(), None, None
    minutes.save(update_fields=["text", "drafted_at", "edited_by", "edited_at"])
    record(
        actor=actor,
        action=Action.MEETINGS_REDRAFT_MINUTES,
        target=minutes,
        data={"meeting": meeting.pk, "matter": minutes.matter_id, "sha256": _digest(minutes.text)},
    )
    return minutes


@transaction.atomic
def confirm_minutes(*, actor: Actor, meeting: Meeting) -> list[Minutes]:
    """The convener confirms the meeting's minutes. From then on they are public and never edited; the digest
    of each text goes into the audit chain, so any later change to the stored text is detectable."""
    meeting = locked(meeting)
    rows = list(Minutes.objects.select_for_update().filter(meeting=meeting).order_by("position", "pk"))
    # The system (actor None, the command line) may confirm; a person only if they are the convener.
    enforce(predicates.may_confirm(actor, meeting))
    now = timezone.now()
    digests = {}
    for m in rows:
        digests[str(m.pk)] = _digest(m.text)
        Minutes.objects.filter(pk=m.pk).update(
            confirmed_by=acting_person(actor), confirmed_at=now, digest=digests[str(m.pk)]
        )
        m.confirmed_by, m.confirmed_at, m.digest = acting_person(actor), now, digests[str(m.pk)]
    record(actor=actor, action=Action.MEETINGS_CONFIRM_MINUTES, target=meeting, data={"sha256": digests})
    return rows


@transaction.atomic
def add_addendum(*, actor: Actor, minutes: Minutes, text: str) -> Addendum:
    """A correction to confirmed minutes, signed by its author (the convener or the community's staff)."""
    meeting, minutes = _locked_minutes(minutes)
    person = acting_person(actor)
    enforce(predicates.may_add_addendum(actor, minutes))
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write the correction."), "text_required", field="text")
    text = text[:5000]
    addendum = Addendum.objects.create(
        minutes=minutes, text=text, by=person, at=timezone.now(), digest=_digest(text)
    )
    record(
        actor=actor,
        action=Action.MEETINGS_ADD_ADDENDUM,
        target=addendum,
        data={"meeting": meeting.pk, "minutes": minutes.pk, "sha256": addendum.digest},
    )
    return addendum
