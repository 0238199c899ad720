"""A person's channel choices are respected: SMS, e-mail, in-app only; and muted changes tell no one."""

import pytest
from django.core import mail

from tests.reminders.worker import days, implementing, schedule_and_run, sms_to, task, through_the_worker
from yishi.errors import Refused
from yishi.notifications import muted, notify
from yishi.reminders.models import Notification
from yishi.reminders.services import set_preferences

pytestmark = through_the_worker

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def test_email_instead_of_sms_goes_by_email_only(place, settings):
    settings.YISHI_EMAIL_BACKEND = LOCMEM
    set_preferences(
        actor=place.fire_staff, sms=False, email=True, email_address="zhao@example.cn", digest=False
    )
    m = implementing(place)
    task(place, m, place.today + days(1))

    schedule_and_run()

    assert sms_to(place.fire_staff) == []
    (message,) = mail.outbox
    assert (
        message.to == ["zhao@example.cn"] and "维修坑洼路面" in message.body and f"/m/{m.pk}/" in message.body
    )


def test_with_every_outside_channel_off_the_news_is_only_in_the_app(place, settings):
    settings.YISHI_EMAIL_BACKEND = LOCMEM
    set_preferences(actor=place.fire_staff, sms=False, email=False, digest=False)
    m = implementing(place)
    task(place, m, place.today + days(1))

    schedule_and_run()

    assert sms_to(place.fire_staff) == [] and mail.outbox == []
    assert Notification.objects.filter(person=place.fire_staff).count() == 1


@pytest.mark.django_db
def test_email_needs_an_address(place):
    with pytest.raises(Refused) as exc:
        set_preferences(actor=place.fire_staff, sms=True, email=True, email_address=" ", digest=False)
    assert exc.value.code == "email_required" and exc.value.field == "email_address"


def test_a_submitter_is_told_of_their_matters_moves_by_sms_by_default(place):
    implementing(place)

    # Several moves in a minute: the first by SMS at once, the rest held for one message within the hour.
    (text,) = sms_to(place.resident)
    assert "小区西侧小路积水" in text
    told = Notification.objects.filter(person=place.resident)
    assert told.count() > 1 and told.filter(delivered_at__isnull=True).count() == told.count() - 1


def test_changes_made_while_muted_tell_no_one_neither_in_the_app_nor_by_sms(place):
    with muted():
        implementing(place)
        notify(place.fire_staff, "Yishi: test %(n)s", n=1)

    assert sms_to(place.resident) == [] and sms_to(place.fire_staff) == []
    assert not Notification.objects.exists()


def test_the_same_event_is_news_once_per_person(place):
    assert notify(place.fire_staff, "Yishi: test %(n)s", dedupe_key="event-1", n=1) is True
    assert notify(place.fire_staff, "Yishi: test %(n)s", dedupe_key="event-1", n=1) is False
    assert notify(place.street_bureau, "Yishi: test %(n)s", dedupe_key="event-1", n=1) is True

    assert len(sms_to(place.fire_staff)) == 1 and len(sms_to(place.street_bureau)) == 1


def test_a_change_rolled_back_tells_no_one(place):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(place.fire_staff, "Yishi: test %(n)s", n=1)
        raise RuntimeError("the change fails")

    assert sms_to(place.fire_staff) == []
    assert not Notification.objects.exists()
