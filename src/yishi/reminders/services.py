"""Every write of the notifications app besides telling one person one piece of news (``yishi.notifications``):
digests, preferences, read marks, and the worker's jobs (due-soon reminders, overdue escalation,
progress-report drafts).

Send only what concerns the person, never the same news twice, no digest when there is nothing new:
- each notification carries the key of its event, unique per person: a job that runs twice finds its news
  already recorded and tells no one again;
- delivery claims the notification with a compare-and-set on ``delivered_at`` before sending, so two workers
  (or a digest racing a single message) never send it twice;
- a digest is one row per person and day, made only when the person has undelivered news.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.models import RoleAssignment
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused
from yishi.matters.models import Matter, Status
from yishi.meetings.models import Meeting, MeetingStatus, Response
from yishi.notifications import notify
from yishi.people.actors import Actor, acting_person
from yishi.people.models import Person
from yishi.regions.models import Level, Region
from yishi.works.models import Work, WorkStatus
from yishi.works.queries import of_open_matters

from .models import Escalation, Mute, Notification, Preference, ProgressDraft

#: How many days before its due date a task's unit is reminded (overridable in settings).
DUE_SOON_DAYS = 3
#: How many days past its due date an open task is escalated to the street or town.
ESCALATE_AFTER_DAYS = 1


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# ---------------------------------------------------------------------------------------------------------
# The person's own actions
# ---------------------------------------------------------------------------------------------------------


def _require_person(actor: Actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise Refused(_("Log in first."), Refused.FORBIDDEN)


@transaction.atomic
def set_preferences(
    *, actor: Actor, sms: bool, email: bool, email_address: str = "", digest: bool
) -> Preference:
    """A person chooses their channels. Turning the digest off sends nothing old: it stays in the list."""
    _require_person(actor)
    email_address = (email_address or "").strip()
    if email and not email_address:
        raise Refused(
            _("Give an e-mail address to be told by e-mail."), "email_required", field="email_address"
        )
    pref, _created = Preference.objects.select_for_update().get_or_create(person=acting_person(actor))
    if pref.digest and not digest:
        Notification.objects.filter(person=acting_person(actor), delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
    pref.sms, pref.email, pref.email_address, pref.digest = (
        bool(sms),
        bool(email),
        email_address[:254],
        bool(digest),
    )
    pref.save()
    return pref


def mark_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read: the ones named, or all unread ones."""
    _require_person(actor)
    mine = Notification.objects.filter(person=acting_person(actor), read_at__isnull=True)
    if ids is not None:
        mine = mine.filter(pk__in=ids)
    return mine.update(read_at=timezone.now())


def mute_matter(*, actor: Actor, matter: Matter, muted: bool) -> bool:
    """A person stops (or starts again) hearing of a matter's steps; the page still shows them. -> muted now."""
    _require_person(actor)
    if muted:
        Mute.objects.get_or_create(person=acting_person(actor), matter=matter)
    else:
        Mute.objects.filter(person=acting_person(actor), matter=matter).delete()
    return muted


def has_muted(person, matter: Matter) -> bool:
    return (
        bool(person and person.is_authenticated)
        and Mute.objects.filter(person=person, matter=matter).exists()
    )


# ---------------------------------------------------------------------------------------------------------
# Who is concerned
# ---------------------------------------------------------------------------------------------------------


def responsible_people(work) -> list:
    """谁负责谁执行: the person assigned; the unit's staff, or for a task given to the committee itself its members,
    whose role reaches the matter's place."""
    people = {}
    if work.assignee_id and work.assignee.is_active:
        people[work.assignee_id] = work.assignee
    if work.unit_id or work.to_committee:
        holders = (
            {"role": Role.UNIT_STAFF, "unit_id": work.unit_id} if work.unit_id else {"role": Role.COMMITTEE}
        )
        staff = (
            RoleAssignment.objects.active()
            .filter(**holders, region_id__in=work.matter.region.ancestor_ids, person__is_active=True)
            .select_related("person")
            .order_by("person_id")
        )
        for assignment in staff:
            people.setdefault(assignment.person_id, assignment.person)
    return list(people.values())


def escalation_level(region):
    """The street or town (街道/乡镇) above ``region``: the level that supervises (督办) overdue work."""
    if region.level <= Level.STREET:
        return region
    return (
        Region.objects.filter(pk__in=region.ancestor_ids, level__lte=Level.STREET)
        .order_by("-level", "-path")
        .first()
        or region
    )


def holders_at_nearest(region, role) -> list:
    """Active holders of ``role`` at ``region``, or at the nearest ancestor where someone holds it."""
    assignments = (
        RoleAssignment.objects.active()
        .filter(role=role, region_id__in=region.ancestor_ids, person__is_active=True)
        .select_related("person", "region")
    )
    by_depth: dict[int, dict] = defaultdict(dict)
    for a in assignments:
        by_depth[len(a.region.path)].setdefault(a.person_id, a.person)
    return list(by_depth[max(by_depth)].values()) if by_depth else []


def holders_at(region, role) -> list:
    assignments = (
        RoleAssignment.objects.active()
        .filter(role=role, region=region, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
    )
    return list({a.person_id: a.person for a in assignments}.values())


# ---------------------------------------------------------------------------------------------------------
# The worker's jobs
# ---------------------------------------------------------------------------------------------------------


def _in_chunks(ids: list[int], size: int = 200):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _open_works():
    return of_open_matters().filter(status=WorkStatus.OPEN)


def remind_due_soon(*, today: datetime.date) -> int:
    """Tell each open task's responsible people it is due within ``YISHI_DUE_SOON_DAYS``. Returns messages made."""
    days = _setting("YISHI_DUE_SOON_DAYS", DUE_SOON_DAYS)
    ids = list(
        _open_works()
        .filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    made = 0
    for chunk in _in_chunks(ids):
        for work in Work.objects.filter(pk__in=chunk).select_related("matter__region", "unit", "assignee"):
            link = reverse("matters:detail", args=[work.matter_id])
            with transaction.atomic():
                for person in responsible_people(work):
                    made += notify(
                        person,
                        gettext_noop("Yishi: the task “%(task)s” for “%(matter)s” is due on %(due)s."),
                        link=link,
                        dedupe_key=f"work-due-soon:{work.pk}:{work.due_on.isoformat()}",
                        task=work.title,
                        matter=work.matter.title,
                        due=work.due_on,
                    )
    return made


def escalate(*, work, today: datetime.date) -> Escalation | None:
    """Report one overdue task to its street or town (督办); None when it already was, for this due date."""
    region = escalation_level(work.matter.region)
    days = (today - work.due_on).days
    with transaction.atomic():
        with translation.override(settings.LANGUAGE_CODE):
            reason = gettext("“%(task)s” (%(unit)s) was due on %(due)s and is %(days)s days overdue.") % {
                "task": work.title,
                "unit": work.responsible_label or "—",
                "due": formats.date_format(work.due_on, "DATE_FORMAT"),
                "days": days,
            }
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    work=work, region=region, due_on=work.due_on, reason=reason
                )
        except IntegrityError:
            return None
        record(
            actor=None,
            action=Action.REMINDERS_ESCALATE,
            target=work,
            data={
                "matter": work.matter_id,
                "region": region.pk,
                "due_on": work.due_on.isoformat(),
                "days": days,
            },
        )
        figures_hooks.changed(work)
        link = reverse("matters:detail", args=[work.matter_id])
        key = f"work-escalated:{work.pk}:{work.due_on.isoformat()}"
        for person in holders_at_nearest(region, Role.BUREAU):
            notify(
                person,
                gettext_noop(
                    "Yishi 督办: in %(place)s, the task “%(task)s” for “%(matter)s” was due on %(due)s and "
                    "is not done."
                ),
                link=link,
                dedupe_key=key,
                place=work.matter.region.name,
                task=work.title,
                matter=work.matter.title,
                due=work.due_on,
            )
        for person in responsible_people(work):
            notify(
                person,
                gettext_noop(
                    "Yishi: the task “%(task)s” for “%(matter)s” is overdue (due %(due)s) and has been "
                    "reported to %(street)s."
                ),
                link=link,
                dedupe_key=key,
                task=work.title,
                matter=work.matter.title,
                due=work.due_on,
                street=region.name,
            )
    return escalation


def escalate_overdue(*, today: datetime.date) -> int:
    """Escalate every open task overdue by ``YISHI_ESCALATE_AFTER_DAYS`` or more. Returns escalations made."""
    after = _setting("YISHI_ESCALATE_AFTER_DAYS", ESCALATE_AFTER_DAYS)
    done = Escalation.objects.filter(work=OuterRef("pk"), due_on=OuterRef("due_on"))
    ids = list(
        _open_works()
        .filter(~Exists(done), due_on__lte=today - datetime.timedelta(days=after))
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    made = 0
    for chunk in _in_chunks(ids):
        for work in Work.objects.filter(pk__in=chunk).select_related("matter__region", "unit", "assignee"):
            made += escalate(work=work, today=today) is not None
    return made


def report_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The week a progress report covers: the last full week (Monday to Sunday) before ``today``."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    return this_monday - datetime.timedelta(days=7), this_monday - datetime.timedelta(days=1)


def _communities_of(region_ids: set[int]) -> dict[int, Region]:
    """Map each region id to the community (社区/村) it lies in; regions above a community map to nothing."""
    regions = {r.pk: r for r in Region.objects.filter(pk__in=region_ids).only("pk", "path", "level")}
    ancestor_ids = {a for r in regions.values() for a in r.ancestor_ids}
    communities: dict[int, Region] = {}
    for chunk in _in_chunks(sorted(ancestor_ids), 1000):
        communities.update({c.pk: c for c in Region.objects.filter(pk__in=chunk, level=Level.COMMUNITY)})
    found: dict[int, Region] = {}
    for pk, region in regions.items():
        for ancestor in region.ancestor_ids:
            if ancestor in communities:
                found[pk] = communities[ancestor]
    return found


def draft_progress_reports(*, today: datetime.date) -> int:
    """Draft last week's progress report (进展通报) for every community with matters to report. Returns drafts."""
    start, end = report_period(today)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    rows = list(
        Matter.objects.filter(
            Q(status=Status.OPEN) | Q(status=Status.RESOLVED, closed_at__gte=since, closed_at__lt=until),
            raised_at__lt=until,
        ).values_list("pk", "region_id")
    )
    community_of = _communities_of({region_id for _pk, region_id in rows})
    communities = {c.pk: c for c in community_of.values()}
    by_community: dict[int, list[int]] = defaultdict(list)
    for pk, region_id in rows:
        if region_id in community_of:
            by_community[community_of[region_id].pk].append(pk)
    drafted = set(ProgressDraft.objects.filter(period_start=start).values_list("region_id", flat=True))
    made = 0
    for community_id, matter_ids in sorted(by_community.items()):
        if community_id in drafted:
            continue
        made += (
            draft_progress_report(
                region=communities[community_id], matter_ids=matter_ids, start=start, end=end
            )
            is not None
        )
    return made


def _progress_lines(matter_ids: list[int], today: datetime.date) -> list[str]:
    tasks: dict[int, list] = defaultdict(list)
    for matter_id, status, due_on in Work.objects.filter(matter_id__in=matter_ids).values_list(
        "matter_id", "status", "due_on"
    ):
        tasks[matter_id].append((status, due_on))
    lines = []
    for matter in Matter.objects.filter(pk__in=matter_ids).order_by("raised_at", "pk"):
        state = (
            str(matter.step.label)
            if matter.status == Status.OPEN and matter.step
            else str(matter.get_status_display())
        )
        line = gettext("· %(title)s: %(state)s") % {"title": matter.title, "state": state}
        works = tasks.get(matter.pk, [])
        if works:
            finished = sum(1 for status, _due in works if status != WorkStatus.OPEN)
            line += gettext("; tasks finished %(done)s of %(total)s") % {
                "done": finished,
                "total": len(works),
            }
            overdue = sum(1 for status, due in works if status == WorkStatus.OPEN and due < today)
            if overdue:
                line += gettext("; %(n)s overdue") % {"n": overdue}
        lines.append(line)
    return lines


def draft_progress_report(*, region, matter_ids: list[int], start: datetime.date, end: datetime.date):
    """One community's draft for one period, and a note to its committee. None when it exists already."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        title = gettext("Progress report (进展通报): %(region)s, %(start)s to %(end)s") % {
            "region": region.name,
            "start": formats.date_format(start, "DATE_FORMAT"),
            "end": formats.date_format(end, "DATE_FORMAT"),
        }
        lines = [
            gettext("Progress of the matters in consultation and being carried out, as of %(end)s:")
            % {"end": formats.date_format(end, "DATE_FORMAT")}
        ]
        lines += _progress_lines(matter_ids, end + datetime.timedelta(days=1))
        lines.append(gettext("Each matter's page shows its steps, tasks and reports in full."))
        try:
            with transaction.atomic():
                draft = ProgressDraft.objects.create(
                    region=region,
                    period_start=start,
                    period_end=end,
                    title=title[:150],
                    body="\n".join(lines)[:10000],
                    matters=len(matter_ids),
                )
        except IntegrityError:
            return None
        record(
            actor=None,
            action=Action.REMINDERS_DRAFT_PROGRESS_REPORT,
            target=draft,
            data={
                "region": region.pk,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "matters": len(matter_ids),
            },
        )
        link = reverse("reminders:draft", args=[draft.pk])
        for person in holders_at(region, Role.COMMITTEE):
            notify(
                person,
                gettext_noop(
                    "Yishi: the progress report for %(region)s (%(start)s to %(end)s) is drafted; check it "
                    "and post it on the board."
                ),
                link=link,
                dedupe_key=f"progress-draft:{draft.pk}",
                region=region.name,
                start=start,
                end=end,
            )
    return draft


# ---------------------------------------------------------------------------------------------------------
# Meetings (read only: the meetings app owns them)
# ---------------------------------------------------------------------------------------------------------

#: Participants are reminded of an announced meeting on the days from this many days before it.
MEETING_REMIND_DAYS = 1


def meeting_participants(meeting) -> list:
    """Who is invited and has not said they cannot come: invited people, and the staff of invited units whose
    role reaches the meeting's place. Stakeholders named only in words have no account to tell."""
    people: dict[int, Person] = {}
    invitations = meeting.invitations.exclude(response=Response.NO).select_related("person")
    units = []
    for invitation in invitations:
        if invitation.person_id and invitation.person.is_active:
            people.setdefault(invitation.person_id, invitation.person)
        elif invitation.unit_id:
            units.append(invitation.unit_id)
    if units:
        staff = (
            RoleAssignment.objects.active()
            .filter(
                role=Role.UNIT_STAFF,
                unit_id__in=units,
                region_id__in=meeting.region.ancestor_ids,
                person__is_active=True,
            )
            .select_related("person")
            .order_by("person_id")
        )
        for assignment in staff:
            people.setdefault(assignment.person_id, assignment.person)
    return list(people.values())


def remind_meetings(*, today: datetime.date) -> int:
    """Remind the participants of every announced meeting held today or within ``YISHI_MEETING_REMIND_DAYS``
    days, once per meeting time (a meeting moved to a new time is news again). Returns messages made."""
    from django.utils import formats

    days = _setting("YISHI_MEETING_REMIND_DAYS", MEETING_REMIND_DAYS)
    since = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    until = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=days + 1), datetime.time.min)
    )
    meetings = Meeting.objects.filter(
        status=MeetingStatus.ANNOUNCED, starts_at__gte=max(since, timezone.now()), starts_at__lt=until
    ).select_related("region")
    made = 0
    for meeting in meetings.order_by("starts_at", "pk"):
        with translation.override(settings.LANGUAGE_CODE):
            when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
        link = reverse("meetings:detail", args=[meeting.pk])
        key = f"meeting-reminder:{meeting.pk}:{meeting.starts_at.isoformat()}"
        with transaction.atomic():
            for person in meeting_participants(meeting):
                made += notify(
                    person,
                    gettext_noop("Yishi: reminder of the meeting “%(title)s” at %(place)s, %(when)s."),
                    link=link,
                    dedupe_key=key,
                    title=meeting.title,
                    place=meeting.place,
                    when=when,
                )
    return made


def disclosures_due(today: datetime.date) -> list[tuple[str, str]]:
    """The statutory disclosure rhythm (村民委员会组织法 Art. 30): finances monthly, general affairs quarterly.

    Returns (kind, period) pairs due on ``today``: the first day of a month for last month's finances, the
    first day of a quarter for last quarter's general affairs. Major matters are posted as they happen, by
    the procedure's own publication step.
    """
    if today.day != 1:
        return []
    last_month = today - datetime.timedelta(days=1)
    due = [("finances", f"{last_month.year}-{last_month.month:02d}")]
    if today.month in (1, 4, 7, 10):
        due.append(("affairs", f"{last_month.year}-Q{(last_month.month - 1) // 3 + 1}"))
    return due


def remind_disclosures(*, today: datetime.date) -> int:
    """Remind every community's committee of the disclosures due today, once per community and period."""
    due = disclosures_due(today)
    if not due:
        return 0
    messages = {
        "finances": gettext_noop(
            "Yishi: please post the finance disclosure for %(period)s on %(board)s's public board."
        ),
        "affairs": gettext_noop(
            "Yishi: please post the general-affairs disclosure for %(period)s on %(board)s's public board."
        ),
    }
    made = 0
    holders = (
        RoleAssignment.objects.active()
        .filter(role=Role.COMMITTEE)
        .select_related("person", "region")
        .order_by("region__path", "pk")
    )
    for assignment in holders:
        link = reverse("notices:board", args=[assignment.region_id])
        with transaction.atomic():
            for kind, period in due:
                made += notify(
                    assignment.person,
                    messages[kind],
                    link=link,
                    dedupe_key=f"disclosure:{kind}:{period}:{assignment.region_id}",
                    period=period,
                    board=assignment.region.name,
                )
    return made
