"""Reads about meetings: lookups that check, lists for staff and participants, attendance and quorum, the drafted
minutes, and the late announcements the compliance view shows."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import active_roles, can, regions_where
from yishi.access.roles import Role
from yishi.notices.services import board_of
from yishi.people.models import Person
from yishi.regions.models import Household, within

from . import rules
from .models import (
    AgendaItem,
    Announcement,
    Attendance,
    Invitation,
    Meeting,
    MeetingStatus,
    Minutes,
    Session,
)

MANAGE = "meetings.manage_meeting"


def get_meeting_for(user, pk: int) -> Meeting:
    """Any announced, held or cancelled meeting is public; one being prepared only to who may manage it (404)."""
    meeting = Meeting.objects.select_related("region", "convener").filter(pk=pk).first()
    if meeting is None or (not meeting.is_public and not can(user, MANAGE, meeting)):
        raise Http404
    return meeting


def managed_by(user):
    """Meetings in the regions where ``user`` may manage meetings, the next first, then the latest."""
    return (
        Meeting.objects.filter(region__in=regions_where(user, MANAGE))
        .select_related("region")
        .order_by("-starts_at", "-pk")
    )


def invitations_of(user):
    """What ``user`` is invited to: as a person, or as staff of an invited unit. Meetings being prepared are
    not shown yet."""
    if user is None or not user.is_authenticated:
        return Invitation.objects.none()
    units = [a.unit_id for a in active_roles(user) if a.role == Role.UNIT_STAFF and a.unit_id]
    return (
        Invitation.objects.filter(Q(person=user) | Q(unit_id__in=units))
        .exclude(meeting__status=MeetingStatus.DRAFT)
        .select_related("meeting__region", "unit")
        .order_by("-meeting__starts_at", "-pk")
    )


def representatives_of(region):
    """The residents' representatives of ``region``'s community (held anywhere in it)."""
    board = board_of(region)
    return (
        Person.objects.filter(
            within(board, "roles__region"),
            roles__role=Role.REPRESENTATIVE,
            roles__revoked_at__isnull=True,
            is_active=True,
        )
        .distinct()
        .order_by("name", "pk")
    )


def participants_public(meeting: Meeting) -> list[str]:
    """Who is invited, as the public sees it: units and named stakeholders by name, people by capacity and number
    (a resident's name is personal and is not posted)."""
    invitations = list(Invitation.objects.filter(meeting=meeting).select_related("unit").order_by("pk"))
    out = [i.unit.name for i in invitations if i.unit_id]
    out += [f"{i.name}（{i.capacity}）" if i.capacity else i.name for i in invitations if i.name]
    capacities = Counter(i.capacity for i in invitations if i.person_id)
    by_name = _("residents invited by name")
    for capacity, n in capacities.items():
        out.append(f"{capacity or by_name}（{n}）")
    return out


@dataclass
class AttendanceSummary:
    basis: str  # "invited", "representatives" or "households": what is expected (应到)
    expected: int  # 应到
    present: int  # 实到: of those expected
    others: int  # 列席: signed in, not among those expected
    total: int  # everyone signed in


@dataclass
class QuorumView:
    rule: rules.QuorumRule
    expected: int
    present: int
    needed: int
    met: bool

    @property
    def no_roster(self) -> bool:
        """Nobody is on record as a member of the body (no representatives, no households): there is nothing
        to count a quorum against, which is not the same as too few present."""
        return self.expected == 0


def _representative_ids(meeting: Meeting) -> set[int]:
    return set(representatives_of(meeting.region).values_list("pk", flat=True))


def attendance_summary(meeting: Meeting) -> AttendanceSummary:
    rows = list(Attendance.objects.filter(meeting=meeting).values_list("person_id", "invitation_id"))
    total = len(rows)
    rule = rules.QUORUM.get(meeting.form)
    if rule is not None and rule.basis == "representatives":
        body = _representative_ids(meeting)
        present = sum(1 for person, _inv in rows if person in body)
        return AttendanceSummary("representatives", len(body), present, total - present, total)
    if rule is not None and rule.basis == "households":
        households = Household.objects.filter(within(board_of(meeting.region), "region"))
        people = [person for person, _inv in rows if person]
        represented = set(households.filter(memberships__person__in=people).values_list("pk", flat=True))
        with_home = set(
            households.filter(memberships__person__in=people).values_list("memberships__person", flat=True)
        )
        return AttendanceSummary(
            "households", households.count(), len(represented), total - len(with_home), total
        )
    expected = Invitation.objects.filter(meeting=meeting).count()
    present = sum(1 for _person, invitation in rows if invitation)
    return AttendanceSummary("invited", expected, present, total - present, total)


def quorum(meeting: Meeting, summary: AttendanceSummary | None = None) -> QuorumView | None:
    """The quorum of a body that has one (the representatives' assembly, the villagers' meeting), live."""
    rule = rules.QUORUM.get(meeting.form)
    if rule is None:
        return None
    summary = summary or attendance_summary(meeting)
    return QuorumView(
        rule=rule,
        expected=summary.expected,
        present=summary.present,
        needed=rule.needed(summary.expected),
        met=rule.met(summary.present, summary.expected),
    )


def late_notices(matter) -> list:
    """Each meeting that gave notice of ``matter`` later than its form's rule allows, with the reason given.

    A meeting cancelled afterwards is left out: no meeting was held on short notice."""
    found = []
    late = (
        Announcement.objects.filter(matters=matter, late=True)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("at", "pk")
    )
    for a in late:
        found.append(
            _(
                "The meeting “%(title)s” was announced %(given)s days ahead; its form requires %(required)s. "
                "Reason: %(reason)s"
            )
            % {
                "title": a.meeting.title,
                "given": a.given_days,
                "required": a.required_days,
                "reason": a.late_reason,
            }
        )
    return found


# --- the drafted minutes ----------------------------------------------------------------------------------


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _basis_label(basis: str):
    return {
        "representatives": _("representatives"),
        "households": _("households"),
        "invited": _("invited participants"),
    }[basis]


def draft_minutes(meeting: Meeting, matter) -> str:
    """The minutes the system drafts from what was recorded, in the site's language, for the secretary to edit:
    the meeting, its attendance (应到/实到), the agenda, then for ``matter`` the ideas, decisions and tallies."""
    with translation.override(settings.LANGUAGE_CODE):
        return "\n".join(str(line) for line in _minutes_lines(meeting, matter))


def _minutes_lines(meeting: Meeting, matter) -> list:
    summary = attendance_summary(meeting)
    lines = [
        _("Meeting: %(title)s") % {"title": meeting.title},
        _("Form: %(form)s · Platform: %(platform)s")
        % {"form": meeting.get_form_display(), "platform": meeting.platform_label},
        _("Time: %(when)s · Place: %(place)s") % {"when": _when(meeting.starts_at), "place": meeting.place},
        _("Convened by: %(name)s") % {"name": meeting.convener.name},
        _("Expected (%(basis)s): %(expected)s; present: %(present)s; also attending: %(others)s")
        % {
            "basis": _basis_label(summary.basis),
            "expected": summary.expected,
            "present": summary.present,
            "others": summary.others,
        },
    ]
    view = quorum(meeting, summary)
    if view is not None:
        lines.append(
            _("Quorum: %(needed)s needed, %(present)s present — %(verdict)s")
            % {
                "needed": view.needed,
                "present": view.present,
                "verdict": _("met") if view.met else _("not met"),
            }
        )
    named = list(
        Attendance.objects.filter(meeting=meeting, person__isnull=True).values_list("name", flat=True)
    )
    if named:
        lines.append(_("Units and parties present: %(names)s") % {"names": "、".join(named)})
    agenda = list(
        AgendaItem.objects.filter(meeting=meeting).select_related("matter").order_by("position", "pk")
    )
    if agenda:
        lines.append(_("Agenda:"))
        lines += [f"{i}. {item.matter.title}" for i, item in enumerate(agenda, 1)]
    if matter is None:
        return lines
    lines += ["", _("Matter: %(title)s (No. %(n)s)") % {"title": matter.title, "n": matter.pk}]
    sessions = list(Session.objects.filter(meeting=meeting, matter=matter).prefetch_related("ideas"))
    ideas = [i for s in sessions for i in s.ideas.all()]
    lines.append(_("Ideas:"))
    lines += [f"- {i.voiced_by}：{i.text}" if i.voiced_by else f"- {i.text}" for i in ideas] or [
        _("(none recorded)")
    ]
    lines.append(_("Decisions:"))
    decisions = []
    for c in (
        matter.consensus_records.filter(session__in=sessions)
        .select_related("version")
        .order_by("recorded_at")
    ):
        decisions.append(
            _("Agreed on version %(n)s of the plan: %(text)s") % {"n": c.version.number, "text": c.minutes}
        )
        for part in c.version.parts.select_related("unit").order_by("pk"):
            decisions.append(f"  · {part.what} — {part.responsible_label}")
    until = meeting.ended_at or timezone.now()
    for v in matter.vote_results.filter(recorded_at__gte=meeting.starts_at, recorded_at__lte=until):
        decisions.append(
            _("Vote: %(yes)s of %(n)s in favour, %(no)s against, %(ab)s abstaining — %(verdict)s")
            % {
                "yes": v.in_favour,
                "n": v.electorate,
                "no": v.against,
                "ab": v.abstain,
                "verdict": _("passed") if v.passed else _("not passed"),
            }
        )
    lines += decisions or [_("(none recorded)")]
    return lines


def minutes_of(meeting: Meeting, *, confirmed_only: bool):
    qs = Minutes.objects.filter(meeting=meeting).select_related("matter", "confirmed_by", "edited_by")
    if confirmed_only:
        qs = qs.filter(confirmed_at__isnull=False)
    return list(qs.prefetch_related("addenda__by").order_by("position", "pk"))


def _midnight(day) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def week_of(day) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday to Sunday around ``day``, as two aware datetimes (the week a community worker plans by)."""
    start = _midnight(day - datetime.timedelta(days=day.weekday()))
    return start, start + datetime.timedelta(days=7)


def this_week(user, today=None):
    """Meetings ``user`` manages that start this week (Monday to Sunday), drafts and cancelled ones included so
    that nothing planned is forgotten; the earliest first."""
    start, end = week_of(today or timezone.localdate())
    return managed_by(user).filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "pk")


def upcoming_invitations(user, today=None):
    """What ``user`` is invited to and has still to attend: announced meetings from today on, the next first."""
    since = _midnight(today or timezone.localdate())
    return (
        invitations_of(user)
        .filter(meeting__status=MeetingStatus.ANNOUNCED, meeting__starts_at__gte=since)
        .order_by("meeting__starts_at", "pk")
    )
