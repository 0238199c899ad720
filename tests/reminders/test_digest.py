"""The daily digest: one message a day with what is new, and none when nothing is."""

from tests.reminders.worker import days, implementing, schedule_and_run, sms_to, task, through_the_worker
from yishi.reminders.models import Digest, Notification
from yishi.reminders.services import set_preferences

pytestmark = through_the_worker


def test_a_digest_taker_gets_one_message_with_the_days_news_instead_of_single_ones(place):
    set_preferences(actor=place.fire_staff, sms=True, email=False, digest=True)
    m = implementing(place)
    task(place, m, place.today + days(2), title="维修坑洼路面")
    task(place, m, place.today - days(3), title="清理垃圾")

    schedule_and_run()

    (text,) = sms_to(place.fire_staff)  # one message, not two
    assert "维修坑洼路面" in text and "清理垃圾" in text
    digest = Digest.objects.get(person=place.fire_staff)
    assert digest.day == place.today and digest.count == 2
    assert not Notification.objects.filter(person=place.fire_staff, delivered_at__isnull=True).exists()


def test_no_digest_when_there_is_nothing_new(place):
    set_preferences(actor=place.fire_staff, sms=True, email=False, digest=True)
    m = implementing(place)
    task(place, m, place.today + days(2))

    schedule_and_run()
    schedule_and_run()  # the same day again: nothing new
    schedule_and_run(place.today + days(1))  # the next day: still nothing new

    assert len(sms_to(place.fire_staff)) == 1
    assert Digest.objects.filter(person=place.fire_staff).count() == 1


def test_news_after_todays_digest_waits_for_tomorrows(place):
    set_preferences(actor=place.fire_staff, sms=True, email=False, digest=True)
    m = implementing(place)
    task(place, m, place.today + days(2), title="维修坑洼路面")
    schedule_and_run()
    task(place, m, place.today - days(1), title="清理垃圾")

    schedule_and_run()  # same day: the escalation is recorded, the digest already went
    assert len(sms_to(place.fire_staff)) == 1
    assert Notification.objects.filter(person=place.fire_staff, delivered_at__isnull=True).count() == 1

    schedule_and_run(place.today + days(1))
    texts = sms_to(place.fire_staff)
    assert len(texts) == 2 and "清理垃圾" in texts[1] and "维修坑洼路面" not in texts[1]


def test_people_without_a_digest_get_nothing_from_the_digest_task(place):
    m = implementing(place)
    task(place, m, place.today + days(2))

    schedule_and_run()

    assert len(sms_to(place.fire_staff)) == 1  # the single reminder, sent at once
    assert not Digest.objects.exists()
