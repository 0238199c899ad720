"""Announcing a meeting, changing it, cancelling it: each a new notice on the region's public board, under the
notice-period rule; a change or a cancellation replaces the notice before it.
"""

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.notices.models import NoticeKind
from yishi.notices.services import MAX_PERIOD_DAYS, board_of, post_notice
from yishi.people.actors import Actor, acting_person

from . import predicates, rules
from .models import (
    Announcement,
    AnnouncementKind,
    Meeting,
    MeetingStatus,
)
from .preparing import agenda_of, clean_agenda, clean_fields, locked, write_agenda


def notice_given(starts_at, now) -> int:
    """Days of notice: calendar days in the site's time zone from the day of posting to the day of the meeting."""
    return (timezone.localdate(starts_at) - timezone.localdate(now)).days


def _post(
    *,
    actor: Actor,
    meeting: Meeting,
    kind: str,
    now,
    matters: list[Matter],
    subject: bool,
    late_reason: str = "",
    reason: str = "",
    replaces=None,
) -> Announcement:
    required = rules.notice_days(meeting.form, meeting.region)
    given = notice_given(meeting.starts_at, now)
    late = subject and required is not None and given < required
    late_reason = (late_reason or "").strip()
    if late and not late_reason:
        raise Refused(
            _(
                "A %(form)s must be announced at least %(days)s days ahead (%(source)s); this is %(given)s days "
                "ahead. Give the reason for the short notice: it is posted with the notice and shown on every "
                "matter on the agenda."
            )
            % {
                "form": meeting.get_form_display(),
                "days": required,
                "source": rules.notice_source(meeting.form, meeting.region),
                "given": given,
            },
            "short_notice",
            field="late_reason",
        )
    with translation.override(settings.LANGUAGE_CODE):
        title, body = _notice_text(meeting, kind, agenda_of(meeting), late_reason if late else "", reason)
    notice_kind = {
        AnnouncementKind.ANNOUNCE: NoticeKind.MEETING,
        AnnouncementKind.CHANGE: NoticeKind.MEETING_CHANGED,
        AnnouncementKind.CANCEL: NoticeKind.MEETING_CANCELLED,
    }[kind]
    # Posted until the day after the meeting (a cancellation: after the day it would have been).
    period = min(max(1, given + 1), MAX_PERIOD_DAYS)
    notice = post_notice(
        actor=actor,
        region=board_of(meeting.region),
        kind=notice_kind,
        title=title,
        body=body,
        period_days=period,
        replaces=replaces,
    )
    announcement = Announcement.objects.create(
        meeting=meeting,
        notice=notice,
        kind=kind,
        starts_at=meeting.starts_at,
        required_days=required,
        given_days=given,
        late=late,
        late_reason=late_reason if late else "",
        reason=reason,
        actor=acting_person(actor),
        at=now,
    )
    announcement.matters.set(matters)
    return announcement


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _notice_text(meeting: Meeting, kind: str, agenda: list[Matter], late_reason: str, reason: str):
    from .queries import participants_public

    titles = {
        AnnouncementKind.ANNOUNCE: _("Meeting notice: %(title)s"),
        AnnouncementKind.CHANGE: _("Meeting changed: %(title)s"),
        AnnouncementKind.CANCEL: _("Meeting cancelled: %(title)s"),
    }
    title = titles[kind] % {"title": meeting.title}
    lines = []
    if kind == AnnouncementKind.CANCEL:
        lines.append(
            _("The meeting of %(when)s at %(place)s will not take place.")
            % {"when": _when(meeting.starts_at), "place": meeting.place}
        )
        lines.append(_("Reason: %(reason)s") % {"reason": reason})
        return str(title), "\n".join(str(line) for line in lines)
    if kind == AnnouncementKind.CHANGE:
        lines.append(_("What changed: %(reason)s") % {"reason": reason})
    lines.append(_("Form: %(form)s") % {"form": meeting.get_form_display()})
    lines.append(_("Time: %(when)s") % {"when": _when(meeting.starts_at)})
    lines.append(
        _("Place: %(place)s (%(platform)s)") % {"place": meeting.place, "platform": meeting.platform_label}
    )
    if agenda:
        lines.append(_("Agenda:"))
        lines += [f"{i}. {m.title}" for i, m in enumerate(agenda, 1)]
    who = participants_public(meeting)
    if who:
        lines.append(_("Invited: %(who)s") % {"who": "、".join(who)})
    lines.append(_("Convened by: %(name)s") % {"name": meeting.convener.name})
    if late_reason:
        lines.append(_("Announced at short notice. Reason: %(reason)s") % {"reason": late_reason})
    return str(title), "\n".join(str(line) for line in lines)


def current_announcement(meeting: Meeting) -> Announcement | None:
    return (
        Announcement.objects.filter(meeting=meeting).select_related("notice").order_by("-at", "-pk").first()
    )


def _require_future(starts_at, now) -> None:
    enforce(predicates.in_the_past(starts_at, now))


@transaction.atomic
def announce(*, actor: Actor, meeting: Meeting, late_reason: str = "") -> Announcement:
    """发布公告: post the meeting's notice on the board. Later than the form's minimum notice only with a reason,
    which is posted and flagged on every agenda matter's compliance."""
    meeting = locked(meeting)
    now = timezone.now()
    enforce(predicates.may_announce(actor, meeting, now))
    announcement = _post(
        actor=actor,
        meeting=meeting,
        kind=AnnouncementKind.ANNOUNCE,
        now=now,
        matters=agenda_of(meeting),
        subject=True,
        late_reason=late_reason,
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.ANNOUNCED, announced_at=now)
    meeting.status, meeting.announced_at = MeetingStatus.ANNOUNCED, now
    record(
        actor=actor,
        action=Action.MEETINGS_ANNOUNCE,
        target=meeting,
        data={
            "notice": announcement.notice_id,
            "required_days": announcement.required_days,
            "given_days": announcement.given_days,
            "late": announcement.late,
        },
    )
    figures_hooks.changed(meeting)
    return announcement


@transaction.atomic
def change_meeting(
    *,
    actor: Actor,
    meeting: Meeting,
    reason: str,
    title: str | None = None,
    starts_at=None,
    place: str | None = None,
    platform: str | None = None,
    platform_name: str | None = None,
    agenda=None,
    late_reason: str = "",
) -> Announcement:
    """Change an announced meeting: a new notice, replacing the current one, says what changed and why.

    A new time, or matters added to the agenda, fall under the notice-period rule again.
    """
    meeting = locked(meeting)
    enforce(predicates.may_change(actor, meeting))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _("Say what changed and why; it is posted with the change."), "reason_required", field="reason"
        )
    now = timezone.now()
    fields = clean_fields(
        form=meeting.form,
        platform=platform or meeting.platform,
        platform_name=meeting.platform_name if platform_name is None else platform_name,
        title=meeting.title if title is None else title,
        starts_at=starts_at or meeting.starts_at,
        place=meeting.place if place is None else place,
    )
    old_agenda = agenda_of(meeting)
    new_agenda = old_agenda if agenda is None else clean_agenda(meeting.region, agenda)
    moved = fields["starts_at"] != meeting.starts_at
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    if [m.pk for m in new_agenda] != [m.pk for m in old_agenda]:
        changed.append("agenda")
    if not changed:
        raise Refused(_("Nothing has changed."), "unchanged")
    _require_future(fields["starts_at"], now)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    if "agenda" in changed:
        write_agenda(meeting, new_agenda)
    old_pks = {m.pk for m in old_agenda}
    added = [m for m in new_agenda if m.pk not in old_pks]
    # Which matters this notice gives notice of: all of them at a new time, else only those just added.
    concerned = new_agenda if moved else added
    previous = current_announcement(meeting)
    announcement = _post(
        actor=actor,
        meeting=meeting,
        kind=AnnouncementKind.CHANGE,
        now=now,
        matters=concerned,
        subject=bool(concerned),
        late_reason=late_reason,
        reason=reason,
        replaces=previous.notice if previous else None,
    )
    record(
        actor=actor,
        action=Action.MEETINGS_CHANGE,
        target=meeting,
        data={"notice": announcement.notice_id, "changed": changed, "late": announcement.late},
    )
    figures_hooks.changed(meeting)
    return announcement


@transaction.atomic
def cancel_meeting(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting. An announced one gets a cancellation notice that replaces its current notice."""
    meeting = locked(meeting)
    enforce(predicates.may_cancel(actor, meeting))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _("Give the reason for cancelling; an announced meeting's reason is posted."),
            "reason_required",
            field="reason",
        )
    now = timezone.now()
    notice_id = None
    if meeting.status == MeetingStatus.ANNOUNCED:
        previous = current_announcement(meeting)
        announcement = _post(
            actor=actor,
            meeting=meeting,
            kind=AnnouncementKind.CANCEL,
            now=now,
            matters=[],
            subject=False,
            reason=reason,
            replaces=previous.notice if previous else None,
        )
        notice_id = announcement.notice_id
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CANCELLED, cancelled_at=now, cancel_reason=reason[:2000]
    )
    meeting.status, meeting.cancelled_at, meeting.cancel_reason = MeetingStatus.CANCELLED, now, reason[:2000]
    record(actor=actor, action=Action.MEETINGS_CANCEL, target=meeting, data={"notice": notice_id})
    figures_hooks.changed(meeting)
    return meeting
