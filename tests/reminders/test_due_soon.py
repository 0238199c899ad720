"""Tasks due soon: their unit's staff are reminded, by the worker, once."""

from django.utils.formats import date_format
from django.utils.translation import override

from tests.reminders.worker import (
    days,
    implementing,
    schedule,
    schedule_and_run,
    sms_to,
    task,
    through_the_worker,
)
from yishi.reminders.models import Notification

pytestmark = through_the_worker


def zh_date(day) -> str:
    """A date as the messages write it: they are composed in the site's language."""
    with override("zh-hans"):
        return date_format(day, "DATE_FORMAT")


def test_a_task_due_in_two_days_reminds_its_units_staff_in_the_app_and_by_sms(place):
    m = implementing(place)
    soon = task(place, m, place.today + days(2))
    task(place, m, place.today + days(10), title="更换路灯")  # not due soon: no reminder yet

    schedule_and_run()

    texts = sms_to(place.fire_staff)
    assert len(texts) == 1
    assert "维修坑洼路面" in texts[0] and zh_date(place.today + days(2)) in texts[0]
    (note,) = Notification.objects.filter(person=place.fire_staff)
    assert note.link == f"/m/{m.pk}/" and note.read_at is None and note.delivered_at is not None
    assert note.key == f"work-due-soon:{soon.pk}:{soon.due_on.isoformat()}"


def test_only_the_people_concerned_are_reminded(place):
    m = implementing(place)
    task(place, m, place.today + days(1))

    schedule_and_run()

    # The same unit's liaison for the sibling community, the committee and the bureau are not concerned.
    for other in (place.fire_elsewhere, place.secretary, place.street_bureau, place.district_bureau):
        assert sms_to(other) == []
        assert not Notification.objects.filter(person=other, key__startswith="work-due-soon").exists()
    assert len(sms_to(place.fire_staff)) == 1


def test_running_the_worker_twice_never_reminds_twice(place):
    m = implementing(place)
    task(place, m, place.today + days(3))

    schedule_and_run()
    schedule_and_run()
    schedule_and_run(place.today + days(1))  # the next day, still due soon: already told

    assert len(sms_to(place.fire_staff)) == 1
    assert Notification.objects.filter(person=place.fire_staff).count() == 1


def test_a_finished_task_is_not_reminded(place):
    from yishi.works.services import report_progress

    m = implementing(place)
    work = task(place, m, place.today + days(2))
    report_progress(actor=place.fire_staff, work=work, text="已修好", done=True)

    schedule_and_run()

    assert sms_to(place.fire_staff) == []


def test_scheduling_twice_before_the_worker_runs_queues_each_task_once(place):
    from django_tasks_db.models import DBTaskResult

    from yishi.reminders.tasks import PERIODIC

    first = schedule()
    second = schedule()

    assert DBTaskResult.objects.ready().count() == len(PERIODIC) == 6
    assert "enqueued" in first and "already waiting" in second and "enqueued" not in second
