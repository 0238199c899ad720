"""/notifications/: my notifications, marking them read, my channel choices; and the header link."""

import pytest
from django.test import Client

from yishi.notifications import notify
from yishi.reminders.models import Notification, Preference

# The pages need no worker: a plain test transaction will do.
pytestmark = pytest.mark.django_db

BACKEND = "yishi.people.backends.PhonePasswordBackend"


def as_(person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person, backend=BACKEND)
    return client


def test_my_notifications_are_listed_for_me_alone_with_the_unread_count_in_the_header(place):
    notify(place.fire_staff, "Yishi: the task %(n)s is due.", link="/m/1/", n="维修坑洼路面")
    notify(place.street_bureau, "Yishi: the task %(n)s is due.", n="清理垃圾")

    page = as_(place.fire_staff).get("/notifications/").content.decode()
    assert "维修坑洼路面" in page and "清理垃圾" not in page
    assert 'href="/m/1/"' in page
    assert 'href="/notifications/">Notifications (1)</a>' in page

    home = as_(place.outsider).get("/work/").content.decode()
    assert 'href="/notifications/">Notifications</a>' in home


def test_visitors_are_sent_to_log_in(place):
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_marking_one_and_then_all_read(place):
    notify(place.fire_staff, "Yishi: news %(n)s", n=1)
    notify(place.fire_staff, "Yishi: news %(n)s", n=2)
    mine = list(Notification.objects.filter(person=place.fire_staff).order_by("pk"))
    client = as_(place.fire_staff)

    client.post("/notifications/read/", {"notification": mine[0].pk})
    assert [
        n.read_at is not None for n in Notification.objects.filter(person=place.fire_staff).order_by("pk")
    ] == [True, False]

    client.post("/notifications/read/")
    assert not Notification.objects.filter(person=place.fire_staff, read_at__isnull=True).exists()


def test_no_one_marks_anothers_notifications_read(place):
    notify(place.fire_staff, "Yishi: news %(n)s", n=1)
    theirs = Notification.objects.get(person=place.fire_staff)

    as_(place.outsider).post("/notifications/read/", {"notification": theirs.pk})

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_choosing_channels_on_the_page(place):
    client = as_(place.fire_staff)
    page = client.get("/notifications/").content.decode()
    assert 'name="sms" id="id_sms" checked' in page  # SMS is the default

    response = client.post(
        "/notifications/preferences/", {"email": "on", "email_address": "zhao@example.cn", "digest": "on"}
    )
    assert response.status_code == 302
    pref = Preference.objects.get(person=place.fire_staff)
    assert (pref.sms, pref.email, pref.email_address, pref.digest) == (False, True, "zhao@example.cn", True)

    response = client.post("/notifications/preferences/", {"email": "on", "email_address": ""})
    assert response.status_code == 400 and "Give an e-mail address" in response.content.decode()
    pref.refresh_from_db()
    assert pref.email_address == "zhao@example.cn"
