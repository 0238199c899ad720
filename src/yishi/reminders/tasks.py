"""Background tasks, run by the worker (``yishi db_worker``) and enqueued by ``yishi schedule-reminders``.

Each task takes the day it is for (an ISO date, so a task that waits in the queue past midnight still does
the day it was scheduled for) and is safe to run twice: the services record what they did and skip it the
second time. Each returns a small summary, kept with the task's result.
"""

import datetime

from django_tasks import task

from . import digests, services


def _day(day: str | None) -> datetime.date:
    from django.utils import timezone

    return datetime.date.fromisoformat(day) if day else timezone.localdate()


# Higher priority runs first: reminders and escalations, then drafts, and the digest last so it carries them.
@task(priority=30)
def remind_due_soon(day: str | None = None) -> dict:
    return {"reminders": services.remind_due_soon(today=_day(day))}


@task(priority=30)
def remind_meetings(day: str | None = None) -> dict:
    return {"reminders": services.remind_meetings(today=_day(day))}


@task(priority=20)
def escalate_overdue(day: str | None = None) -> dict:
    return {"escalations": services.escalate_overdue(today=_day(day))}


@task(priority=10)
def draft_progress_reports(day: str | None = None) -> dict:
    return {"drafts": services.draft_progress_reports(today=_day(day))}


@task(priority=10)
def remind_disclosures(day: str | None = None) -> dict:
    return {"reminders": services.remind_disclosures(today=_day(day))}


@task()
def send_digests(day: str | None = None) -> dict:
    return {"digests": digests.send_digests(day=_day(day))}


#: What ``schedule-reminders`` enqueues.
PERIODIC = (
    remind_due_soon,
    remind_meetings,
    escalate_overdue,
    draft_progress_reports,
    remind_disclosures,
    send_digests,
)
