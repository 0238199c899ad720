"""Overdue tasks: the worker escalates them to the street (督办), visibly on the matter, once."""

from django.test import Client
from django.utils.formats import date_format
from django.utils.translation import override

from tests.reminders.worker import days, implementing, schedule_and_run, sms_to, task, through_the_worker
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify
from yishi.procedures.queries import deviations
from yishi.reminders.models import Escalation, Notification

pytestmark = through_the_worker


def zh_date(day) -> str:
    """A date as the messages write it: they are composed in the site's language."""
    with override("zh-hans"):
        return date_format(day, "DATE_FORMAT")


def test_an_overdue_task_is_escalated_to_the_street_and_its_bureau_staff_told(place):
    m = implementing(place)
    work = task(place, m, place.today - days(5))

    schedule_and_run()

    (escalation,) = Escalation.objects.all()
    assert (escalation.work, escalation.region, escalation.due_on) == (work, place.tree.street, work.due_on)
    assert zh_date(work.due_on) in escalation.reason and "维修坑洼路面" in escalation.reason
    (text,) = sms_to(place.street_bureau)
    assert "督办" in text and "维修坑洼路面" in text and "万泰丽景小区" in text
    # The district is above the street: the street's own staff supervise, the district is not told.
    assert sms_to(place.district_bureau) == []
    # The unit is told its task has been reported; the unit's liaison elsewhere is not.
    assert len(sms_to(place.fire_staff)) == 1 and "水月寺街道" in sms_to(place.fire_staff)[0]
    assert sms_to(place.fire_elsewhere) == []
    entry = AuditEntry.objects.get(action="reminders.escalate")
    assert entry.target_id == str(work.pk) and entry.data["region"] == place.tree.street.pk
    assert verify() is None


def test_the_escalation_is_visible_on_the_matter_page_and_in_its_deviations(place):
    m = implementing(place)
    task(place, m, place.today - days(2))
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/m/{m.pk}/").content.decode()
    assert "escalated to" not in page

    schedule_and_run()

    kinds = [d.kind for d in deviations(m)]
    assert kinds.count("escalated") == 1
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/m/{m.pk}/").content.decode()
    assert "was escalated to 水月寺街道" in page and "维修坑洼路面" in page


def test_running_the_worker_twice_escalates_and_tells_once(place):
    m = implementing(place)
    task(place, m, place.today - days(1))

    schedule_and_run()
    schedule_and_run()
    schedule_and_run(place.today + days(1))

    assert Escalation.objects.count() == 1
    assert len(sms_to(place.street_bureau)) == 1
    assert Notification.objects.filter(person=place.street_bureau).count() == 1
    assert AuditEntry.objects.filter(action="reminders.escalate").count() == 1


def test_a_task_due_today_or_reported_done_is_not_escalated(place):
    from yishi.works.services import report_progress

    m = implementing(place)
    task(place, m, place.today, title="今天到期")
    done = task(place, m, place.today - days(3), title="已报完成")
    report_progress(actor=place.fire_staff, work=done, text="已修好", done=True)

    schedule_and_run()

    assert not Escalation.objects.exists()
    assert sms_to(place.street_bureau) == []


def test_without_bureau_staff_at_the_street_the_nearest_level_above_is_told(place):
    from yishi.access.models import RoleAssignment

    RoleAssignment.objects.filter(person=place.street_bureau).update(revoked_at=place.now)
    m = implementing(place)
    task(place, m, place.today - days(4))

    schedule_and_run()

    assert Escalation.objects.get().region == place.tree.street
    assert len(sms_to(place.district_bureau)) == 1
    assert sms_to(place.street_bureau) == []
