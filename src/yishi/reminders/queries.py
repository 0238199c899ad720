"""Reads: a person's notifications and preferences, a matter's escalations, progress drafts a person may see."""

from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import can
from yishi.matters.models import CLOSED_STATUSES, Matter
from yishi.matters.models import Status as MatterStatus
from yishi.regions.models import within
from yishi.works.models import WorkStatus

from .models import Escalation, Mute, Notification, Preference, ProgressDraft

INBOX_SIZE = 50


def inbox(user, limit: int = INBOX_SIZE) -> list[Notification]:
    if user is None or not user.is_authenticated:
        return []
    return list(Notification.objects.filter(person=user).order_by("-created_at", "-pk")[:limit])


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(person=user, read_at__isnull=True).count()


def followed_matters(user, limit: int = INBOX_SIZE) -> list[Matter]:
    """The open matters whose steps ``user`` hears of (raised or supported), each with ``muted``."""
    mutes = Mute.objects.filter(person=user, matter=OuterRef("pk"))
    return list(
        Matter.objects.filter(Q(submitter=user) | Q(supports__person=user), merged_into__isnull=True)
        .exclude(status__in=CLOSED_STATUSES)
        .annotate(muted=Exists(mutes))
        .distinct()
        .order_by("-raised_at", "-pk")[:limit]
    )


def preference_of(user) -> Preference:
    """The person's saved choices, or the defaults (unsaved) when they never chose."""
    return Preference.objects.filter(person=user).first() or Preference(person=user)


def escalations_of(matter) -> list[Escalation]:
    return list(
        Escalation.objects.filter(work__matter=matter).select_related("work", "region").order_by("at", "pk")
    )


def escalation_notes(matter) -> list[str]:
    """Each overdue task the worker escalated to the street or town, in words the matter's deviations show."""
    return [
        _("Task “%(task)s” was overdue (due %(due)s) and was escalated to %(region)s on %(date)s (督办).")
        % {
            "task": e.work.title,
            "due": formats.date_format(e.due_on, "DATE_FORMAT"),
            "region": e.region.name,
            "date": formats.date_format(timezone.localdate(e.at), "DATE_FORMAT"),
        }
        for e in escalations_of(matter)
    ]


def get_draft_for(user, pk: int) -> ProgressDraft | None:
    """A progress draft, for the staff who post that community's notices; None for anyone else."""
    draft = ProgressDraft.objects.select_related("region").filter(pk=pk).first()
    if draft is None or not can(user, "procedures.publish_result", draft.region):
        return None
    return draft


def escalated_in(regions):
    """Overdue tasks escalated (督办) within ``regions`` that are still not done, the longest overdue first.

    One row per task: the escalation of the due date it still has (an earlier date moved since is history).
    """
    from django.db.models import F, Q

    q = Q()
    for region in regions:
        q |= within(region, "work__matter__region")
    if not q:
        return Escalation.objects.none()
    return (
        Escalation.objects.filter(
            q, work__status=WorkStatus.OPEN, work__matter__status=MatterStatus.OPEN, due_on=F("work__due_on")
        )
        .select_related("work__matter__region", "work__unit", "work__assignee", "region")
        .order_by("due_on", "pk")
    )
