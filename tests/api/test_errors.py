"""Every error of the JSON API is a Problem: JSON ``{detail, code}`` with a stable code (docs/api-errors.md)."""

import pytest
from django.utils import timezone

from tests.api.conftest import anonymous, ok, problem, send, with_session, with_token
from yishi.api import api
from yishi.matters import services as matters
from yishi.matters.models import Matter


@pytest.fixture
def flood(place):
    return matters.raise_matter(
        actor=place.resident,
        region=place.tree.compound,
        category=place.category,
        title="小区西侧小路积水",
        description="下雨后积水很深。",
    )


def test_malformed_input_is_422_invalid_with_each_field_named(place):
    body = problem(
        send(with_token(place.resident), "post", "/matters/", {"region": "here", "title": 5}), 422, "invalid"
    )
    where = {tuple(e["loc"]) for e in body["errors"]}
    assert ("body", "body", "region") in where and ("body", "body", "category") in where
    assert all(e["msg"] and e["type"] for e in body["errors"])
    assert "region" in body["detail"]
    assert not Matter.objects.exists()


def test_an_unknown_id_is_404_not_found(place):
    problem(anonymous().get("/api/v1/matters/999999"), 404, "not_found")
    problem(anonymous().get("/api/v1/matters/", {"region": 999999}), 404, "not_found")


def test_a_url_under_the_api_that_matches_nothing_is_a_json_404_and_elsewhere_the_page(db):
    problem(anonymous().get("/api/v1/matters/-1"), 404, "not_found")
    problem(anonymous().get("/api/v1/no-such-thing"), 404, "not_found")
    page = anonymous().get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_number_past_what_the_database_holds_is_refused_not_a_crash(db):
    # SQLite cannot bind it (422 out_of_range); PostgreSQL compares it and finds nothing (404).
    response = anonymous().get("/api/v1/matters/99999999999999999999")
    assert response.status_code in (404, 422)
    assert response.json()["code"] in ("not_found", "out_of_range")


def test_no_token_or_a_bad_one_is_401_unauthenticated(place, flood):
    problem(send(anonymous(), "post", f"/matters/{flood.pk}/support"), 401, "unauthenticated")
    forged = anonymous()
    forged.defaults["HTTP_AUTHORIZATION"] = "Bearer 1:abc:def"
    problem(forged.get(f"/api/v1/matters/{flood.pk}"), 401, "unauthenticated")


def test_lacking_authority_is_403_forbidden_and_a_wrong_state_409_with_the_services_code(place, flood):
    body = problem(
        send(
            with_token(place.other_secretary),
            "post",
            f"/matters/{flood.pk}/screen",
            {"decision": "decline", "reason": "不是本社区的事"},
        ),
        403,
        "forbidden",
    )
    assert body["detail"]
    problem(
        send(with_token(place.secretary), "post", f"/matters/{flood.pk}/screen", {"decision": "decline"}),
        409,
        "reason_required",
    )
    flood.refresh_from_db()
    assert flood.status == "new"


def test_a_body_that_cannot_be_read_is_400_bad_request(place):
    client = with_token(place.resident)
    problem(client.post("/api/v1/matters/", "{not json", content_type="application/json"), 400, "bad_request")
    problem(client.post("/api/v1/matters/", "x", content_type="multipart/form-data"), 400, "bad_request")
    assert not Matter.objects.exists()


def test_a_session_write_without_the_csrf_token_is_403_csrf_failed(place, flood):
    client = with_session(place.resident, enforce_csrf_checks=True)
    problem(send(client, "post", f"/matters/{flood.pk}/support"), 403, "csrf_failed")


def test_too_many_attempts_is_429_rate_limited(db):
    answers = [
        send(anonymous(), "post", "/people/token", {"phone": "13912345678", "password": "x"})
        for _ in range(31)
    ]
    assert {a.status_code for a in answers[:4]} == {401}
    assert any(a.status_code == 429 and a.json()["code"] in ("rate_limited", "locked_out") for a in answers)


def test_a_bug_is_500_server_error_in_json_without_the_traceback(db, monkeypatch):
    from yishi.regions import queries

    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "roots", broken)
    response = anonymous().get("/api/v1/regions/")
    body = problem(response, 500, "server_error")
    assert "secret internals" not in response.content.decode() and "Traceback" not in body["detail"]


def test_every_operation_documents_the_problems_it_may_answer():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = {str(k) for k in operation["responses"]}
            if operation.get("parameters") or operation.get("requestBody"):
                assert {"404", "422"} <= responses, (method, path)
            if operation.get("requestBody"):
                assert "400" in responses, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= responses, (method, path)
    problem_schema = schema["components"]["schemas"]["Problem"]
    assert set(problem_schema["required"]) == {"detail", "code"}
    bearer = schema["components"]["securitySchemes"]["BearerToken"]
    assert bearer["scheme"] == "bearer" and "/api/v1/people/token" in bearer["description"]


# --- every list pages, bounded ----------------------------------------------------------------------------

LISTS = [
    "/matters/",
    "/votes/",
    "/meetings/",
    "/surveys/",
    "/audit/entries",
    "/regions/",
    "/funds/rules",
    "/votes/managed",
    "/votes/mine",
    "/surveys/mine",
    "/funds/mine",
    "/notifications/",
]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_answers_a_page_with_its_total_and_refuses_a_limit_out_of_range(place, path):
    client = with_token(place.secretary)
    query = {"region": place.tree.compound.pk} if path == "/funds/rules" else {}
    page = ok(client.get(f"/api/v1{path}", {**query, "limit": 1, "offset": 0}))
    assert (
        set(page) >= {"count", "limit", "offset", "items"} and page["limit"] == 1 and len(page["items"]) <= 1
    )
    for limit in (0, 501):
        body = problem(client.get(f"/api/v1{path}", {**query, "limit": limit}), 422, "invalid")
        assert body["errors"][0]["loc"][-1] == "limit"
    problem(client.get(f"/api/v1{path}", {**query, "offset": -1}), 422, "invalid")


def test_matters_filter_by_the_day_they_were_raised(place, flood):
    today = timezone.localdate(flood.raised_at).isoformat()  # the day in Beijing, as the filter reads it
    assert ok(anonymous().get("/api/v1/matters/", {"since": today, "until": today}))["count"] == 1
    assert ok(anonymous().get("/api/v1/matters/", {"until": "2000-01-01"}))["count"] == 0
    assert ok(anonymous().get("/api/v1/matters/", {"since": "2999-01-01"}))["count"] == 0
    problem(anonymous().get("/api/v1/matters/", {"since": "yesterday"}), 422, "invalid")


def test_the_board_pages_by_limit_and_offset_as_well_as_by_page(place, flood):
    from yishi.matters import services as screening

    screening.accept(
        actor=place.secretary, matter=flood
    )  # posts the acceptance notice on the community's board
    url = f"/api/v1/board/{place.tree.community.pk}"
    first = ok(anonymous().get(url, {"limit": 1}))
    assert (first["count"], first["limit"], first["offset"], first["page"]) == (1, 1, 0, 1) and first["items"]
    assert ok(anonymous().get(url, {"limit": 1, "offset": 1}))["items"] == []
    assert ok(anonymous().get(url, {"limit": 1, "page": 2}))["offset"] == 1
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"page": 0}):
        problem(anonymous().get(url, bad), 422, "invalid")


@pytest.mark.parametrize(
    "path", ["/votes/mine", "/votes/", "/matters/", "/surveys/", "/meetings/", "/funds/mine"]
)
def test_an_offset_past_what_the_database_takes_is_refused_not_a_crash(place, path):
    problem(with_token(place.secretary).get(f"/api/v1{path}", {"offset": 2**65}), 422, "invalid")
