"""The JSON API of the public board (/api/v1/board): posted and archived notices, a notice with its objections,
objecting and replying, and what it refuses."""

import datetime

from django.test import Client

from tests.meetings.conftest import announced
from yishi.notices.services import post_notice

API = "/api/v1/board"
BACKEND = "yishi.people.backends.PhonePasswordBackend"


def as_(person) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def post(client, path: str, data=None, **extra):
    return client.post(
        f"{API}{path}", data if data is not None else {}, content_type="application/json", **extra
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_posted_archived_and_paginated(s1):
    t = s1.t
    old = post_notice(
        actor=None, region=t.community, kind="progress", title="旧通报", body="—", period_days=1
    )
    s1.clock.advance(days=2)
    for i in range(21):
        post_notice(
            actor=None, region=t.community, kind="progress", title=f"进展通报{i}", body="—", period_days=10
        )
    meeting = announced(s1)
    notice_id = meeting.announcements.get().notice_id
    first = ok(Client().get(f"{API}/{t.compound.pk}"))  # a compound shows its community's board
    assert first["board"]["id"] == t.community.pk and first["count"] == 23 and first["pages"] == 2
    assert first["items"][0]["id"] == notice_id and first["items"][0]["meeting"] == meeting.pk
    second = ok(Client().get(f"{API}/{t.community.pk}", {"page": 2}))
    assert len(second["items"]) == 3 and second["page"] == 2
    archive = ok(Client().get(f"{API}/{t.community.pk}/archive"))
    assert [n["id"] for n in archive["items"]] == [old.pk]
    assert Client().get(f"{API}/999999").status_code == 404
    assert Client().get(f"{API}/{t.community.pk}", {"page": 0}).status_code == 422


def test_objection_and_reply_without_residents_names_in_public(s1):
    p = s1.p
    notice = post_notice(
        actor=None, region=s1.t.community, kind="result", title="维修完成", body="—", period_days=10
    )
    body = ok(post(as_(p.resident), f"/notices/{notice.pk}/objections", {"text": "还有一处没修"}), 201)
    objection = body["objections"][0]
    assert (
        objection["who"] == p.resident.name and objection["reply"] is None
    )  # the objector sees their own name
    public = Client().get(f"{API}/notices/{notice.pk}")
    assert p.resident.name not in public.content.decode()
    assert ok(public)["objections"][0]["who"].startswith(p.resident.name[0])
    assert ok(as_(p.secretary).get(f"{API}/notices/{notice.pk}"))["objections"][0]["who"] == p.resident.name
    path = f"/notices/{notice.pk}/objections/{objection['id']}/reply"
    assert post(as_(p.resident), path, {"text": "我来回答"}).status_code == 403
    assert post(as_(p.other_secretary), path, {"text": "不是我们社区"}).status_code == 403
    assert post(as_(p.secretary), path, {"text": " "}).json()["code"] == "text_required"
    body = ok(post(as_(p.secretary), path, {"text": "已安排补修"}), 201)
    assert body["objections"][0]["reply"]["text"] == "已安排补修"
    assert post(as_(p.secretary), path, {"text": "再答"}).json()["code"] == "already_answered"
    assert (
        post(as_(p.secretary), f"/notices/{notice.pk}/objections/999999/reply", {"text": "x"}).status_code
        == 404
    )


def test_refusals_bad_input_and_anonymous_writes(s1):
    p = s1.p
    notice = post_notice(
        actor=None, region=s1.t.community, kind="result", title="维修完成", body="—", period_days=10
    )
    resident = as_(p.resident)
    assert post(resident, f"/notices/{notice.pk}/objections", {}).status_code == 422
    assert (
        resident.post(
            f"{API}/notices/{notice.pk}/objections", "{", content_type="application/json"
        ).status_code
        == 400
    )
    assert post(resident, f"/notices/{notice.pk}/objections", {"text": " "}).status_code == 409
    assert post(Client(), f"/notices/{notice.pk}/objections", {"text": "匿名"}).status_code == 401
    assert post(Client(), f"/notices/{notice.pk}/objections/1/reply", {"text": "匿名"}).status_code == 401
    s1.clock.advance(days=6)
    response = post(resident, f"/notices/{notice.pk}/objections", {"text": "晚了"})
    assert response.status_code == 409 and response.json()["code"] == "objections_closed"
    newer = post_notice(
        actor=None,
        region=s1.t.community,
        kind="result",
        title="更正",
        body="—",
        period_days=10,
        replaces=notice,
    )
    assert ok(Client().get(f"{API}/notices/{notice.pk}"))["replaced_by"] == newer.pk
    assert s1.clock.now - notice.posted_at > datetime.timedelta(days=5)
