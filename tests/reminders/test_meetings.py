"""Meeting reminders: the participants of an announced meeting are reminded the day before, once."""

import datetime

from django.utils import timezone

from tests import builders
from tests.reminders.worker import days, schedule_and_run, sms_to, through_the_worker
from yishi.meetings import announcing, attending, preparing
from yishi.reminders.models import Notification

pytestmark = through_the_worker


def announced(place, starts_at):
    meeting = preparing.create_meeting(
        actor=place.secretary,
        region=place.tree.community,
        form="consultation",
        platform="party_hall",
        title="小区西侧小路维修协商会",
        starts_at=starts_at,
        place="社区协商议事厅",
    )
    place.representative = builders.person("居民代表")
    place.declined = builders.person("不能来的代表")
    preparing.invite(
        actor=place.secretary,
        meeting=meeting,
        people=[place.representative, place.declined],
        units=[place.fire],
        names=["万泰丽景小区居民"],
        capacity="居民代表",
    )
    announcing.announce(actor=place.secretary, meeting=meeting, late_reason="雨季前必须抢修")
    meeting.refresh_from_db()
    attending.respond(actor=place.declined, meeting=meeting, attending=False)
    return meeting


def tomorrow_evening():
    local = timezone.localtime() + datetime.timedelta(days=1)
    return local.replace(hour=19, minute=0, second=0, microsecond=0)


def test_the_invited_are_reminded_of_tomorrows_meeting_once(place):
    meeting = announced(place, tomorrow_evening())

    schedule_and_run()
    schedule_and_run()

    (text,) = sms_to(place.representative)
    assert "小区西侧小路维修协商会" in text and "社区协商议事厅" in text
    assert len(sms_to(place.fire_staff)) == 1  # an invited unit's staff
    note = Notification.objects.get(person=place.representative)
    assert note.link == f"/meetings/{meeting.pk}/"


def test_only_the_participants_who_may_come_are_reminded(place):
    announced(place, tomorrow_evening())

    schedule_and_run()

    assert sms_to(place.declined) == []  # said they cannot come
    assert sms_to(place.fire_elsewhere) == []  # the unit's liaison for another community
    assert sms_to(place.street_bureau) == [] and sms_to(place.outsider) == []


def test_a_meeting_next_week_is_not_reminded_yet(place):
    announced(place, tomorrow_evening() + days(6))

    schedule_and_run()

    assert sms_to(place.representative) == []
    assert not Notification.objects.filter(key__startswith="meeting-reminder").exists()
