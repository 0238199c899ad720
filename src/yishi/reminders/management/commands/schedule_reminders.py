"""``yishi schedule-reminders``: enqueue the periodic reminder tasks for the worker. Run it from cron.

Running it more often than daily is harmless: every task skips what it has already done (a reminder, an
escalation, a week's draft, a day's digest), and a task still waiting in the queue is not enqueued again.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Enqueue the periodic reminder tasks (due soon, overdue escalation, progress drafts, digests)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the day to run for, YYYY-MM-DD (default: today)")

    def handle(self, *args, day=None, **options):
        from django_tasks_db.models import DBTaskResult

        from yishi.reminders.tasks import PERIODIC

        try:
            day = (datetime.date.fromisoformat(day) if day else timezone.localdate()).isoformat()
        except ValueError as exc:
            raise CommandError(f"--day must be a date like 2025-10-20, got {day!r}") from exc
        for periodic in PERIODIC:
            waiting = DBTaskResult.objects.ready().filter(
                task_path=periodic.module_path, args_kwargs__kwargs__day=day
            )
            if waiting.exists():
                self.stdout.write(f"{periodic.name} for {day}: already waiting in the queue")
                continue
            result = periodic.enqueue(day=day)
            self.stdout.write(f"{periodic.name} for {day}: enqueued ({result.id})")
