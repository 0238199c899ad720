"""A matter's steps reach the people who follow it (its submitter and supporters), at most one text message an
hour each; a person may mute a matter, on the page and through the API."""

import datetime

import pytest
from django.test import Client

from tests import builders
from tests.procedures import flows
from tests.reminders.worker import sms_to
from yishi.matters.services import support
from yishi.notifications import matter_moved, send_held_news
from yishi.reminders.models import Mute, Notification
from yishi.reminders.services import mute_matter, set_preferences

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def supported(place):
    """The flooded road, raised by the resident and supported by three neighbours, accepted (one move)."""
    m = flows.raise_flood(place)
    place.supporters = [builders.person(f"邻居{i}") for i in range(3)]
    for person in place.supporters:
        support(actor=person, matter=m)
    return m


def _moved(place, m, django_capture_on_commit_callbacks):
    from yishi.matters import services as matters

    with django_capture_on_commit_callbacks(execute=True):
        return matters.accept(actor=place.secretary, matter=m, procedure_key="eight_steps")


def test_the_supporters_are_told_as_well_as_the_submitter(
    place, supported, django_capture_on_commit_callbacks
):
    _moved(place, supported, django_capture_on_commit_callbacks)

    assert len(sms_to(place.resident)) == 1
    for person in place.supporters:
        (text,) = sms_to(person)
        assert "您支持的议题“小区西侧小路积水”" in text
    assert "您的议题“小区西侧小路积水”" in sms_to(place.resident)[0]


def _sent(person) -> Notification:
    return Notification.objects.filter(person=person).exclude(delivered_at=None).get()


def test_moves_within_the_hour_go_out_as_one_message_after_it(
    place, supported, django_capture_on_commit_callbacks
):
    m = _moved(place, supported, django_capture_on_commit_callbacks)
    # Four more moves in the same minute.
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            m.step_since = m.step_since + datetime.timedelta(seconds=n + 1)
            matter_moved(m)
    first = _sent(place.resident)
    assert len(sms_to(place.resident)) == 1
    held = Notification.objects.filter(person=place.resident, delivered_at__isnull=True)
    waiting = held.count()
    assert waiting >= 4

    with django_capture_on_commit_callbacks(execute=True):
        assert send_held_news(now=first.delivered_at + HOUR / 2) == 0  # the hour has not passed
    assert len(sms_to(place.resident)) == 1

    last = Notification.objects.exclude(delivered_at=None).latest("delivered_at").delivered_at
    with django_capture_on_commit_callbacks(execute=True):
        assert send_held_news(now=last + HOUR) == 4  # the resident and three supporters
    texts = sms_to(place.resident)
    assert len(texts) == 2 and texts[1].startswith(f"【议事】您关注的议题有{waiting}条新进展")
    assert texts[1].count("· ") == 3 and f"还有{waiting - 3}条" in texts[1]
    assert not held.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_held_news(now=last + 3 * HOUR) == 0  # nothing left to send


def test_a_single_held_item_goes_out_in_its_own_words(place, django_capture_on_commit_callbacks):
    m = flows.raise_flood(place)
    with django_capture_on_commit_callbacks(execute=True):
        matter_moved(m.__class__.objects.get(pk=m.pk))  # nothing to tell: a new matter has no step yet
    m = _moved(place, m, django_capture_on_commit_callbacks)
    Notification.objects.filter(person=place.resident, delivered_at=None).delete()
    with django_capture_on_commit_callbacks(execute=True):
        m.step_since = m.step_since + datetime.timedelta(seconds=5)
        matter_moved(m)
    with django_capture_on_commit_callbacks(execute=True):
        send_held_news(now=_sent(place.resident).delivered_at + HOUR)
    texts = sms_to(place.resident)
    assert len(texts) == 2 and texts[1].startswith("【议事】您的议题“小区西侧小路积水”")


def test_digest_takers_keep_their_digest(place, supported, django_capture_on_commit_callbacks):
    set_preferences(actor=place.resident, sms=True, email=False, digest=True)
    _moved(place, supported, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        send_held_news(now=datetime.datetime.now(datetime.UTC) + 2 * HOUR)
    assert sms_to(place.resident) == []
    assert not Notification.objects.filter(person=place.resident).exclude(delivered_at=None).exists()


def test_a_muted_matter_tells_that_person_nothing_more(place, supported, django_capture_on_commit_callbacks):
    mute_matter(actor=place.supporters[0], matter=supported, muted=True)
    _moved(place, supported, django_capture_on_commit_callbacks)
    assert sms_to(place.supporters[0]) == []
    assert not Notification.objects.filter(person=place.supporters[0]).exists()
    assert len(sms_to(place.supporters[1])) == 1

    mute_matter(actor=place.supporters[0], matter=supported, muted=False)
    assert not Mute.objects.exists()


def test_the_inbox_lists_the_matters_followed_and_mutes_one(place, supported):
    client = Client()
    client.force_login(place.supporters[1])
    page = client.get("/notifications/").content.decode()
    assert "我关注的议题" in page and "小区西侧小路积水" in page and "不再提醒" in page

    response = client.post(f"/notifications/muted/{supported.pk}/", {"muted": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == "/notifications/"
    assert "今后不再发送这个议题的进展消息" in response.content.decode()
    assert Mute.objects.filter(person=place.supporters[1], matter=supported).exists()
    assert "恢复提醒" in response.content.decode()

    client.post(f"/notifications/muted/{supported.pk}/", {})
    assert not Mute.objects.exists()


def test_muting_needs_a_login_and_a_real_matter(place, supported):
    assert Client().post(f"/notifications/muted/{supported.pk}/", {"muted": "on"}).status_code == 302
    client = Client()
    client.force_login(place.resident)
    assert client.post("/notifications/muted/999999/", {"muted": "on"}).status_code == 404
    assert not Mute.objects.exists()


def test_the_api_mutes_and_unmutes(place, supported):
    client = Client()
    client.force_login(place.resident)
    url = f"/api/v1/notifications/muted/{supported.pk}"
    response = client.put(url, {"muted": True}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"muted": True}
    assert Mute.objects.filter(person=place.resident).count() == 1
    assert client.put(url, {"muted": False}, content_type="application/json").json() == {"muted": False}
    assert not Mute.objects.exists()
    assert client.put(url, {"muted": "maybe"}, content_type="application/json").status_code == 422
    assert (
        client.put(
            "/api/v1/notifications/muted/999999", {"muted": True}, content_type="application/json"
        ).status_code
        == 404
    )
    assert Client().put(url, {"muted": True}, content_type="application/json").status_code == 401
