"""The JSON API for meetings (/api/v1/meetings): S1's meeting from scheduling to an addendum, and what it refuses."""

import datetime

from django.test import Client

from tests.meetings.conftest import announced, at_the_meeting, invite_s1, schedule
from yishi.meetings import attending
from yishi.meetings.models import Attendance, Meeting, Minutes, Session
from yishi.people.tokens import issue_token

API = "/api/v1/meetings"
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


def refused(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content.decode()
    if code:
        assert response.json()["code"] == code, response.json()
    return response.json()


def test_s1_meeting_through_the_api(s1):
    p, secretary = s1.p, as_(s1.p.secretary)
    starts = (s1.clock.now + datetime.timedelta(days=5)).isoformat()
    body = ok(
        post(
            secretary,
            "/",
            {
                "region": s1.t.community.pk,
                "title": "让居民出行安全，对低洼路段进行维修",
                "form": "consultation",
                "platform": "party_hall",
                "starts_at": starts,
                "place": "社区协商议事厅",
                "agenda": [s1.matter.pk],
            },
        ),
        201,
    )
    pk = body["id"]
    assert body["status"] == "draft" and body["agenda"] == [{"id": s1.matter.pk, "title": s1.matter.title}]
    assert Client().get(f"{API}/{pk}").status_code == 404  # a draft is not public
    ok(post(secretary, f"/{pk}/invitations", {"phones": [p.secretary.phone], "capacity": "两委成员"}))
    ok(post(secretary, f"/{pk}/invitations", {"representatives": True}))
    body = ok(
        post(
            secretary, f"/{pk}/invitations", {"units": [p.property.pk, p.fire.pk, s1.brigade.pk, s1.urban.pk]}
        )
    )
    body = ok(post(secretary, f"/{pk}/announce", {}))
    assert body["status"] == "announced" and body["announcements"][0]["late"] is False
    public = ok(Client().get(f"{API}/{pk}"))
    assert "市消防救援支队" in public["participants"] and "运河区城管" in public["participants"]
    text = Client().get(f"{API}/{pk}").content.decode() + Client().get(f"{API}/").content.decode()
    for rep in s1.reps:
        assert rep.name not in text
    assert p.secretary.name not in "".join(public["participants"])
    assert ok(Client().get(f"{API}/", {"region": s1.t.community.pk}))["count"] == 1
    assert ok(Client().get(f"{API}/", {"region": s1.t.sibling.pk}))["count"] == 0

    rep = s1.reps[0]
    assert ok(post(as_(rep), f"/{pk}/reply", {"attending": True}))["response"] == "yes"
    meeting = Meeting.objects.get(pk=pk)
    at_the_meeting(s1, meeting)
    token = issue_token(rep)
    signed = ok(
        post(
            Client(),
            "/sign-in",
            {"token": attending.sign_in_token(meeting)},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ),
        201,
    )
    assert signed["method"] == "qr"
    refused(post(as_(rep), "/sign-in", {"token": attending.sign_in_token(meeting)}), 409, "already_signed_in")
    refused(post(as_(rep), "/sign-in", {"token": "forged"}), 404, "invalid_token")
    assert ok(post(secretary, f"/{pk}/check-in", {"phone": s1.reps[1].phone}), 201)["method"] == "staff"
    invitation = meeting.invitations.get(unit=p.fire)
    ok(post(secretary, f"/{pk}/check-in", {"invitation": invitation.pk}), 201)
    assert Attendance.objects.filter(meeting=meeting).count() == 3
    assert ok(Client().get(f"{API}/{pk}"))["attendance"]["total"] == 3

    body = ok(
        post(
            secretary,
            f"/{pk}/matters/{s1.matter.pk}/ideas",
            {"ideas": [{"text": "负责坑洼处维修", "voiced_by": "市消防救援支队"}]},
        )
    )
    assert body["ideas"] == 1 and Session.objects.filter(meeting=meeting, matter=s1.matter).exists()
    refused(post(secretary, f"/{pk}/matters/{s1.matter.pk}/decision", {"text": "各负其责"}), 409, "no_plan")
    ok(post(secretary, f"/{pk}/close"))
    drafts = ok(secretary.get(f"{API}/{pk}/minutes"))
    assert len(drafts) == 1 and "负责坑洼处维修" in drafts[0]["text"]
    mid = drafts[0]["id"]
    assert ok(post(secretary, f"/{pk}/minutes/{mid}", {"text": "纪要（已修改）"}))["text"] == "纪要（已修改）"
    assert "负责坑洼处维修" in ok(post(secretary, f"/{pk}/minutes/{mid}/redraft"))["text"]
    ok(post(secretary, f"/{pk}/minutes/{mid}", {"text": "纪要（定稿）"}))
    refused(post(as_(s1.deputy), f"/{pk}/minutes/confirm"), 403)  # only the convener
    confirmed = ok(post(secretary, f"/{pk}/minutes/confirm"))
    assert confirmed[0]["confirmed"] and confirmed[0]["digest"]
    refused(post(secretary, f"/{pk}/minutes/{mid}", {"text": "再改"}), 409, "minutes_confirmed")
    refused(post(secretary, f"/{pk}/minutes/{mid}/addendum", {"text": "  "}), 409, "text_required")
    ok(post(secretary, f"/{pk}/minutes/{mid}/addendum", {"text": "更正：施工日期为11月15日"}), 201)
    public = ok(Client().get(f"{API}/{pk}"))
    assert public["minutes"][0]["text"] == "纪要（定稿）" and len(public["minutes"][0]["addenda"]) == 1
    assert Minutes.objects.get(pk=mid).text == "纪要（定稿）"


def test_change_and_cancel_post_new_notices(s1):
    meeting = announced(s1)
    secretary = as_(s1.p.secretary)
    refused(post(secretary, f"/{meeting.pk}/change", {"reason": "换地方"}), 409, "unchanged")
    body = ok(post(secretary, f"/{meeting.pk}/change", {"reason": "换地方", "place": "社区活动室"}))
    assert body["place"] == "社区活动室" and [a["kind"] for a in body["announcements"]] == [
        "announce",
        "change",
    ]
    body = ok(post(secretary, f"/{meeting.pk}/cancel", {"reason": "暴雨"}))
    assert body["status"] == "cancelled" and body["announcements"][-1]["kind"] == "cancel"
    refused(post(secretary, f"/{meeting.pk}/cancel", {"reason": "再取消"}), 409, "not_cancellable")


def test_bad_input_is_400_or_422(s1):
    secretary = as_(s1.p.secretary)
    meeting = invite_s1(s1, schedule(s1))
    assert secretary.post(f"{API}/", "{not json", content_type="application/json").status_code == 400
    assert (
        post(
            secretary,
            "/",
            {"region": s1.t.community.pk, "title": "x", "form": "party", "starts_at": "soon", "place": "x"},
        ).status_code
        == 422
    )
    assert post(secretary, f"/{meeting.pk}/reply", {}).status_code == 422
    assert post(secretary, f"/{meeting.pk}/matters/{s1.matter.pk}/ideas", {"ideas": "one"}).status_code == 422
    refused(
        post(
            secretary,
            "/",
            {"region": s1.t.community.pk, "title": " ", "starts_at": "2030-01-01T09:00:00", "place": "x"},
        ),
        409,
        "title_required",
    )
    refused(post(secretary, f"/{meeting.pk}/invitations", {"phones": ["123"]}), 409, "invalid_phone")
    refused(post(secretary, f"/{meeting.pk}/check-in", {}), 409)


def test_refusals_403_and_409(s1):
    meeting = schedule(s1, days_ahead=1)
    outsider, other = as_(s1.p.outsider), as_(s1.p.other_secretary)
    assert (
        post(
            outsider,
            "/",
            {"region": s1.t.community.pk, "title": "x", "starts_at": "2030-01-01T09:00:00", "place": "x"},
        ).status_code
        == 403
    )
    assert post(other, f"/{meeting.pk}/announce").status_code == 404  # a draft is not shown to them
    refused(post(as_(s1.p.secretary), f"/{meeting.pk}/announce", {}), 409, "short_notice")
    ok(post(as_(s1.p.secretary), f"/{meeting.pk}/announce", {"late_reason": "汛期将至，需尽快协商"}))
    refused(post(other, f"/{meeting.pk}/close"), 403)
    refused(post(as_(s1.p.secretary), f"/{meeting.pk}/close"), 409, "not_started")
    refused(post(outsider, f"/{meeting.pk}/reply", {"attending": True}), 409, "not_invited")
    refused(post(outsider, f"/{meeting.pk}/minutes/confirm"), 409, "not_held")
    assert outsider.get(f"{API}/{meeting.pk}/minutes").status_code == 403


def test_anonymous_writes_are_401(s1):
    meeting = announced(s1)
    anonymous = Client()
    for path, data in (
        ("/", {}),
        (f"/{meeting.pk}/announce", {}),
        (f"/{meeting.pk}/close", None),
        ("/sign-in", {"token": attending.sign_in_token(meeting)}),
        (f"/{meeting.pk}/check-in", {"phone": s1.reps[0].phone}),
        (f"/{meeting.pk}/reply", {"attending": True}),
    ):
        assert post(anonymous, path, data).status_code == 401, path
    assert post(anonymous, "/", {}, HTTP_AUTHORIZATION="Bearer forged").status_code == 401
    assert anonymous.get(f"{API}/{meeting.pk}/minutes").status_code == 401
