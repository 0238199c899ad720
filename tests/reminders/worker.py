"""Driving the real worker: ``schedule-reminders`` enqueues with the database backend, then ``db_worker --batch``
runs everything queued and exits, as in production. The worker commits in its own transactions, so the tests
that use it are transactional (``serialized_rollback`` puts the seeded rows back afterwards)."""

import datetime
import io
import signal

import pytest
from django.core.management import call_command

from tests.procedures import flows
from yishi.works.services import assign_work

through_the_worker = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def schedule(day: datetime.date | None = None) -> str:
    out = io.StringIO()
    call_command("schedule_reminders", stdout=out, **({"day": day.isoformat()} if day else {}))
    return out.getvalue()


def run_worker() -> None:
    """Run what is queued, once; every task must have succeeded and nothing may be left waiting."""
    from django_tasks_db.models import DBTaskResult

    # The worker installs its own SIGINT/SIGTERM handlers: give pytest's back afterwards.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker",
            batch=True,
            interval=0,
            startup_delay=False,
            reload=False,
            verbosity=0,
            stdout=io.StringIO(),
        )
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    failed = list(DBTaskResult.objects.failed().values_list("task_path", "traceback"))
    assert failed == [], failed
    assert not DBTaskResult.objects.ready().exists()


def schedule_and_run(day: datetime.date | None = None) -> None:
    schedule(day)
    run_worker()


def sms_to(person) -> list[str]:
    from yishi.people.sms import MemoryBackend

    return [m.text for m in MemoryBackend.outbox if m.phone == person.phone]


def implementing(place):
    """A matter on the short path, now at implementation (step 7), where tasks are assigned."""
    return flows.implementing(place)


def task(place, matter, due_on, title="维修坑洼路面", unit=None):
    return assign_work(
        actor=place.secretary, matter=matter, title=title, unit=unit or place.fire, due_on=due_on
    )


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
