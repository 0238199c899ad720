"""/api/v1/notifications: a person's own inbox, marking read, channel choices, and a community's draft report."""

import datetime

from tests.api.conftest import anonymous, ok, problem, send, with_session, with_token
from yishi.notifications import record_notification
from yishi.reminders.models import Notification, Preference, ProgressDraft


def _inbox(person, count: int) -> list[Notification]:
    return [record_notification(person=person, text=f"消息{i}", link=f"/m/{i}/") for i in range(count)]


def test_the_inbox_pages_the_callers_own_notifications_newest_first(place):
    _inbox(place.resident, 3)
    _inbox(place.neighbour, 2)
    body = ok(with_token(place.resident).get("/api/v1/notifications/", {"limit": 2}))
    assert body["count"] == 3 and body["unread"] == 3 and body["limit"] == 2 and body["offset"] == 0
    assert [n["text"] for n in body["items"]] == ["消息2", "消息1"]
    rest = ok(with_token(place.resident).get("/api/v1/notifications/", {"limit": 2, "offset": 2}))
    assert [n["text"] for n in rest["items"]] == ["消息0"] and rest["items"][0]["link"] == "/m/0/"


def test_the_inbox_filters_the_unread_ones(place):
    first, *_others = _inbox(place.resident, 3)
    ok(send(with_token(place.resident), "post", "/notifications/read", {"notification": first.pk}))
    body = ok(with_token(place.resident).get("/api/v1/notifications/", {"unread": True}))
    assert body["count"] == 2 and body["unread"] == 2
    assert first.pk not in {n["id"] for n in body["items"]}


def test_marking_read_one_then_all_touches_only_the_callers_notifications(place):
    mine = _inbox(place.resident, 3)
    theirs = _inbox(place.neighbour, 1)
    client = with_token(place.resident)
    assert ok(send(client, "post", "/notifications/read", {"notification": mine[0].pk})) == {
        "marked": 1,
        "unread": 2,
    }
    # Someone else's id marks nothing: it is not the caller's.
    assert ok(send(client, "post", "/notifications/read", {"notification": theirs[0].pk}))["marked"] == 0
    assert ok(send(client, "post", "/notifications/read")) == {"marked": 2, "unread": 0}
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None


def test_marking_read_refuses_a_malformed_id_and_nothing_changes(place):
    _inbox(place.resident, 1)
    body = problem(
        send(with_token(place.resident), "post", "/notifications/read", {"notification": "x"}), 422, "invalid"
    )
    assert body["errors"][0]["loc"][-1] == "notification"
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_preferences_are_the_defaults_until_chosen_then_saved(place):
    client = with_token(place.resident)
    assert ok(client.get("/api/v1/notifications/preferences")) == {
        "sms": True,
        "email": False,
        "email_address": "",
        "digest": False,
    }
    chosen = {"sms": False, "email": True, "email_address": " liu@example.com ", "digest": True}
    assert ok(send(client, "put", "/notifications/preferences", chosen))["email_address"] == "liu@example.com"
    pref = Preference.objects.get(person=place.resident)
    assert (pref.sms, pref.email, pref.email_address, pref.digest) == (False, True, "liu@example.com", True)


def test_preferences_refuse_email_without_an_address_and_a_malformed_address(place):
    client = with_session(place.resident)
    body = problem(
        send(
            client,
            "put",
            "/notifications/preferences",
            {"sms": True, "email": True, "email_address": "", "digest": False},
        ),
        409,
        "email_required",
    )
    assert body["field"] == "email_address"
    body = problem(
        send(
            client,
            "put",
            "/notifications/preferences",
            {"sms": True, "email": True, "email_address": "not-an-address", "digest": False},
        ),
        422,
        "invalid",
    )
    assert body["errors"][0]["loc"][-1] == "email_address"
    problem(send(client, "put", "/notifications/preferences", {"sms": True}), 422, "invalid")
    assert not Preference.objects.exists()


def test_every_notification_operation_needs_a_caller(place):
    for method, path in [
        ("get", "/notifications/"),
        ("post", "/notifications/read"),
        ("get", "/notifications/preferences"),
        ("put", "/notifications/preferences"),
        ("get", "/notifications/drafts/1"),
    ]:
        problem(send(anonymous(), method, path), 401, "unauthenticated")
    bad = anonymous()
    bad.defaults["HTTP_AUTHORIZATION"] = "Bearer forged"
    problem(bad.get("/api/v1/notifications/"), 401, "unauthenticated")


def test_a_progress_draft_is_for_the_staff_who_post_that_communitys_notices(place):
    draft = ProgressDraft.objects.create(
        region=place.tree.community,
        period_start=datetime.date(2026, 7, 1),
        period_end=datetime.date(2026, 9, 30),
        title="第三季度进展通报",
        body="两件议题已办结。",
        matters=2,
    )
    body = ok(with_token(place.secretary).get(f"/api/v1/notifications/drafts/{draft.pk}"))
    assert (body["title"], body["region"], body["matters"], body["period_start"]) == (
        "第三季度进展通报",
        place.tree.community.pk,
        2,
        "2026-07-01",
    )
    # Elsewhere or without the authority, there is no such draft.
    problem(
        with_token(place.other_secretary).get(f"/api/v1/notifications/drafts/{draft.pk}"), 404, "not_found"
    )
    problem(with_token(place.resident).get(f"/api/v1/notifications/drafts/{draft.pk}"), 404, "not_found")
    problem(with_token(place.secretary).get("/api/v1/notifications/drafts/999999"), 404, "not_found")


def test_a_session_write_needs_the_csrf_token(place):
    client = with_session(place.resident, enforce_csrf_checks=True)
    _inbox(place.resident, 1)
    problem(send(client, "post", "/notifications/read"), 403, "csrf_failed")
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
