"""The JSON API for comments (/api/v1/comments): every endpoint, what it refuses, and the Problem it answers."""

import pytest
from django.test import Client

from tests.comments.helpers import BACKEND, declined, flood, thread
from tests.matters.test_api import zh
from yishi.audit.models import AuditEntry
from yishi.comments import services as comments
from yishi.comments.models import Comment
from yishi.comments.presenters import mask_name
from yishi.people.tokens import issue_token

API = "/api/v1/comments"


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


def problem(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    return body["detail"]


# --- reading -----------------------------------------------------------------------------------------------


def test_anyone_lists_a_matters_comments_with_their_replies_a_page_at_a_time(place, client):
    m = flood(place)
    thread(place, m, 3)
    first = ok(client.get(f"{API}/matters/{m.pk}?limit=2"))
    assert (first["count"], first["limit"], first["offset"], first["moderator"], first["open"]) == (
        3,
        2,
        0,
        False,
        True,
    )
    assert [c["body"] for c in first["items"]] == ["意见0", "意见1"]
    assert [r["body"] for r in first["items"][1]["replies"]] == ["回复1"]
    reply = first["items"][1]["replies"][0]
    assert (
        reply["community_answer"]
        and reply["staff_role"] == "committee"
        and reply["parent"] == first["items"][1]["id"]
    )
    assert first["items"][0]["author"] == mask_name(place.outsider.name)
    rest = ok(client.get(f"{API}/matters/{m.pk}?limit=2&offset=2"))
    assert [c["body"] for c in rest["items"]] == ["意见2"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=x"])
def test_a_malformed_page_is_422(place, client, query):
    assert client.get(f"{API}/matters/{flood(place).pk}?{query}").status_code == 422


def test_an_unknown_matter_or_comment_is_404(place):
    staff = as_(place.secretary)
    assert staff.get(f"{API}/matters/999999").status_code == 404
    assert post(staff, "/matters/999999", {"body": "x"}).status_code == 404
    for path in ("/999999/replies", "/999999/hide", "/999999/unhide"):
        assert post(staff, path, {"body": "x", "reason": "x"}).status_code == 404, path


# --- writing -----------------------------------------------------------------------------------------------


def test_a_resident_comments_and_replies_through_the_api(place):
    m = flood(place)
    neighbour = as_(place.neighbour)
    c = ok(post(neighbour, f"/matters/{m.pk}", {"body": "  路口也积水  "}), 201)
    assert (c["body"], c["own"], c["author"], c["parent"], c["replies"]) == (
        "路口也积水",
        True,
        zh("you"),
        None,
        [],
    )
    r = ok(post(as_(place.secretary), f"/{c['id']}/replies", {"body": "周五开会"}), 201)
    assert r["parent"] == c["id"] and r["community_answer"] and r["staff_role_label"]
    assert AuditEntry.objects.filter(action__in=["comments.post", "comments.reply"]).count() == 2


def test_a_token_works_as_well_as_the_session(place, client):
    m = flood(place)
    token = issue_token(place.neighbour)
    response = post(client, f"/matters/{m.pk}", {"body": "我也觉得"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok(response, 201)["own"] is True
    assert Comment.objects.get().author == place.neighbour


def test_writing_without_logging_in_is_401_and_saves_nothing(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    assert post(client, f"/matters/{m.pk}", {"body": "x"}).status_code == 401
    assert post(client, f"/{c.pk}/replies", {"body": "x"}).status_code == 401
    assert post(client, f"/{c.pk}/hide", {"reason": "x"}).status_code == 401
    assert post(client, f"/{c.pk}/unhide").status_code == 401
    assert (
        post(client, f"/matters/{m.pk}", {"body": "x"}, HTTP_AUTHORIZATION="Bearer forged").status_code == 401
    )
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ("", "body_required", "Write your comment first."),
        ("  ", "body_required", "Write your comment first."),
        ("长" * 1001, "body_too_long", None),
    ],
)
def test_a_bad_body_is_409_with_the_pages_words(place, body, code, words):
    m = flood(place)
    detail = problem(post(as_(place.neighbour), f"/matters/{m.pk}", {"body": body}), 409, code)
    assert detail == zh(words) if words else "1000" in detail and "1001" in detail
    assert not Comment.objects.exists()


def test_a_missing_body_is_422(place):
    assert post(as_(place.neighbour), f"/matters/{flood(place).pk}", {}).status_code == 422


def test_a_closed_matter_and_a_nested_reply_are_409(place):
    m = declined(place)
    assert ok(Client().get(f"{API}/matters/{m.pk}"))["open"] is False
    problem(post(as_(place.neighbour), f"/matters/{m.pk}", {"body": "还有话"}), 409, "closed")
    open_matter = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=open_matter, body="什么时候修？")
    r = comments.reply(actor=place.secretary, comment=c, body="周五")
    problem(post(as_(place.outsider), f"/{r.pk}/replies", {"body": "谢谢"}), 409, "nested_reply")


# --- moderation --------------------------------------------------------------------------------------------


def test_a_moderator_hides_and_shows_again_and_others_get_only_the_trace(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="某某是骗子")
    staff = as_(place.secretary)
    assert ok(staff.get(f"{API}/matters/{m.pk}"))["moderator"] is True

    hidden = ok(post(staff, f"/{c.pk}/hide", {"reason": "含有侮辱性语言"}))
    assert hidden["hidden"] and hidden["body"] == "某某是骗子" and hidden["hidden_reason"] == "含有侮辱性语言"

    for viewer in (client, as_(place.neighbour), as_(place.other_secretary)):
        row = ok(viewer.get(f"{API}/matters/{m.pk}"))["items"][0]
        assert (row["hidden"], row["body"], row["hidden_reason"]) == (True, None, "含有侮辱性语言")
        assert row["hidden_at"] is not None

    shown = ok(post(staff, f"/{c.pk}/unhide"))
    assert not shown["hidden"] and shown["hidden_reason"] is None
    assert ok(client.get(f"{API}/matters/{m.pk}"))["items"][0]["body"] == "某某是骗子"


def test_moderation_refusals_are_problems_with_stable_codes(place):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="某某是骗子")
    staff = as_(place.secretary)
    problem(post(staff, f"/{c.pk}/hide", {"reason": "  "}), 409, "reason_required")
    problem(post(staff, f"/{c.pk}/unhide"), 409, "not_hidden")
    ok(post(staff, f"/{c.pk}/hide", {"reason": "侮辱"}))
    problem(post(staff, f"/{c.pk}/hide", {"reason": "再次"}), 409, "already_hidden")
    detail = problem(post(as_(place.other_secretary), f"/{c.pk}/unhide"), 403, "forbidden")
    assert detail == zh("You do not have the authority to do this here.")
    assert post(staff, f"/{c.pk}/hide", {}).status_code == 422
    assert Comment.objects.get().hidden_reason == "侮辱"
