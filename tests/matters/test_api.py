"""The JSON API for matters and their procedure (/api/v1/matters): every endpoint, story S1, and what it refuses."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests import builders
from tests.procedures import flows
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter, Status
from yishi.people.phones import mask_name, mask_phone
from yishi.plans.services import record_consensus
from yishi.procedures import services as engine
from yishi.works.models import Work
from yishi.works.services import assign_work, report_progress

API = "/api/v1/matters"
BACKEND = "yishi.people.backends.PhonePasswordBackend"


def as_(person, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(person, backend=BACKEND)
    return client


def post(client, path: str, data=None, **extra):
    return client.post(
        f"{API}{path}", data if data is not None else {}, content_type="application/json", **extra
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    return body["detail"]


def flood(p, **extra) -> dict:
    return {
        "region": p.tree.compound.pk,
        "category": "environment",
        "title": "小区西侧小路积水",
        "description": "那里一下雨就积水，昨天有个老邻居在那儿摔伤了。",
        **extra,
    }


def accepted(p, procedure_key="eight_steps"):
    reason = "小修小补" if procedure_key == "short_path" else ""
    return matters.accept(
        actor=p.secretary, matter=flows.raise_flood(p), procedure_key=procedure_key, procedure_reason=reason
    )


def zh(msgid: str) -> str:
    """A message as the API sends it by default (zh-hans)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def reason_of(call) -> str:
    """The reason a service gives, in zh-hans: what the page shows and the API must send."""
    with translation.override("zh-hans"), pytest.raises(Refused) as exc:
        call()
    return str(exc.value.reason)


# --- story S1, through the API only ----------------------------------------------------------------------


def test_story_s1_the_flooded_road_walked_through_the_api(place):
    p = place
    urban = builders.unit(
        "运河区城管", kind="urban_management", home_region=p.tree.district, serves=[p.tree.community]
    )
    committee = builders.unit(
        "丽景社区居委会", kind="government", home_region=p.tree.community, serves=[p.tree.community]
    )
    resident, neighbour, secretary = as_(p.resident), as_(p.neighbour), as_(p.secretary)

    # 1. One resident raises it online; the other comes to the office, staff record the visit, the lookup
    #    recognises the same matter, and the visit is merged in: its resident joins as a supporter.
    first = ok(post(resident, "/", flood(p)), 201)
    assert (first["status"], first["channel"], first["submitter"]) == ("new", "online", "刘桂兰")
    visit = ok(
        post(
            secretary,
            "/record",
            flood(
                p,
                channel="visit",
                submitter_phone=p.neighbour.phone,
                title="西侧小路下雨积水",
                description="来访：小区西边小路一下雨就积水，有邻居摔伤。",
            ),
        ),
        201,
    )
    assert visit["channel"] == "visit" and visit["submitter"] == "王建国"
    alike = ok(
        secretary.get(
            f"{API}/similar",
            {
                "region": p.tree.compound.pk,
                "exclude": visit["id"],
                "text": f"{visit['title']} {visit['description']}",
            },
        )
    )
    assert [m["id"] for m in alike] == [first["id"]]
    merged = ok(post(secretary, f"/{visit['id']}/merge", {"into": alike[0]["id"]}))
    assert merged["status"] == "merged"
    m = first["id"]
    assert ok(secretary.get(f"{API}/{m}"))["supporter_count"] == 1

    # 2 + 5. Screened: accepted, scope and category confirmed, stakeholders listed; a small repair takes the
    #    short path, and its reason is on the matter for everyone to see.
    screened = ok(
        post(
            secretary,
            f"/{m}/screen",
            {
                "decision": "accept",
                "procedure": "short_path",
                "procedure_reason": "小范围道路修补，各方已有共识",
                "category": "environment",
                "region": p.tree.compound.pk,
                "stakeholders": "万泰丽景小区居民、物业",
            },
        )
    )
    assert (screened["status"], screened["procedure"]["key"], screened["step"]["key"]) == (
        "open",
        "short_path",
        "consult",
    )
    public = ok(Client().get(f"{API}/{m}"))
    assert public["stakeholders"] == "万泰丽景小区居民、物业"
    assert [d["kind"] for d in public["deviations"]] == ["short_path"]
    assert "小范围道路修补，各方已有共识" in public["deviations"][0]["text"]

    # 3 + 4. The consultation: attendance and ideas, a plan splitting the work over four units, consensus.
    session = ok(
        post(
            secretary,
            f"/{m}/sessions",
            {
                "title": "让居民出行安全，对低洼路段进行维修",
                "held_at": "2025-10-15T09:00:00",
                "place": "社区协商议事厅",
                "attendance": 14,
                "other_attendees": "两委、物业、居民代表、市消防救援支队、运河区消防救援大队、运河区城管",
                "ideas": [
                    {"text": "先修补坑洼，再疏通排水", "voiced_by": "居民代表"},
                    {"text": "施工期间安排人员维持秩序", "voiced_by": "物业"},
                ],
            },
        ),
        201,
    )
    assert len(session["ideas"]) == 2 and session["step"] == "consult"
    plan = ok(
        post(
            as_(p.council),
            f"/{m}/plan_versions",
            {
                "summary": "修复小区西侧低洼路段，定期回访",
                "timeline": "11月15日施工，之后每月回访",
                "parts": [
                    {"what": "维修坑洼路面", "unit": p.fire.pk, "due_on": "2025-11-15"},
                    {"what": "提示辖区居民", "unit": committee.pk},
                    {"what": "维持现场秩序", "unit": p.property.pk},
                    {"what": "监督文明施工", "unit": urban.pk},
                ],
            },
        ),
        201,
    )
    assert [part["unit"]["name"] for part in plan["parts"]] == [
        "市消防救援支队",
        "丽景社区居委会",
        "万泰丽景小区物业服务公司",
        "运河区城管",
    ]
    ok(post(secretary, f"/{m}/consensus", {"minutes": "各单位各负其责，按期完成", "version": 1}), 201)
    assert ok(post(secretary, f"/{m}/advance", {"expected_step": "consult"}))["step"]["key"] == "implement"

    # 6. Each unit gets its task; the work is reported done; the residents who raised it confirm and rate it.
    works = [
        ok(
            post(
                secretary,
                f"/{m}/works",
                {
                    "title": part["what"],
                    "unit": part["unit"]["id"],
                    "part": part["id"],
                    "due_on": str(p.soon),
                },
            ),
            201,
        )
        for part in plan["parts"]
    ]
    fire_task = works[0]
    mine = ok(as_(p.fire_staff).get(f"{API}/{m}"))["works"]
    assert [w["can_report"] for w in mine] == [True, False, False, False]
    ok(
        post(
            as_(p.fire_staff),
            f"/{m}/works/{fire_task['id']}/reports",
            {"text": "4处破损路面已维修", "done": True},
        ),
        201,
    )
    for work in works[1:]:
        ok(post(secretary, f"/{m}/works/{work['id']}/reports", {"text": "已完成", "done": True}), 201)
    for client, work, rating in [
        (resident, works[0], 5),
        (resident, works[1], 4),
        (neighbour, works[2], 5),
        (neighbour, works[3], 4),
    ]:
        verdict = ok(
            post(client, f"/{m}/works/{work['id']}/supervise", {"verdict": "confirm", "rating": rating}), 201
        )
        assert verdict["rating"] == rating
    assert ok(post(secretary, f"/{m}/advance", {"expected_step": "implement"}))["step"]["key"] == "publish"

    # 7. The result goes on the community's board and the matter is closed, resolved.
    notice = ok(
        post(
            secretary,
            f"/{m}/notices",
            {"kind": "result", "title": "小路维修完成", "body": "4处破损路面已维修，感谢各单位。"},
        ),
        201,
    )
    assert notice["region"]["name"] == "丽景社区"
    done = ok(post(secretary, f"/{m}/advance", {"expected_step": "publish"}))
    assert done["status"] == "resolved" and done["closed_at"]

    final = ok(Client().get(f"{API}/{m}"))
    assert [row["state"] for row in final["checklist"]] == ["done"] * 4
    assert [(w["status"], w["supervisions"][0]["rating"]) for w in final["works"]] == [
        ("confirmed", 5),
        ("confirmed", 4),
        ("confirmed", 5),
        ("confirmed", 4),
    ]
    assert final["works"][0]["reports"][0]["text"] == "4处破损路面已维修"
    assert [t["kind"] for t in final["history"]] == ["start", "advance", "advance", "advance", "resolve"]
    assert final["available_actions"] == []
    listed = ok(
        Client().get(
            f"{API}/", {"region": p.tree.community.pk, "status": "resolved", "category": "environment"}
        )
    )
    assert [row["id"] for row in listed["items"]] == [m]


# --- reads -----------------------------------------------------------------------------------------------


def test_the_procedures_are_served_as_data(client):
    procedures = {p["key"]: p for p in ok(client.get(f"{API}/procedures"))}
    assert set(procedures) == {"eight_steps", "four_and_two", "short_path"}
    eight = procedures["eight_steps"]
    assert [s["key"] for s in eight["steps"]] == [
        "raise",
        "ideas",
        "draft",
        "consensus",
        "review",
        "vote",
        "implement",
        "publish",
    ]
    vote = eight["steps"][5]
    assert (vote["evidence"], vote["returns_to"], vote["actions"]) == (
        ["vote_passed"],
        ["draft"],
        ["procedures.record_vote"],
    )
    assert procedures["short_path"]["needs_reason"] and not eight["needs_reason"]


def test_categories_are_listed_by_key(client, db):
    keys = [c["key"] for c in ok(client.get(f"{API}/categories"))]
    assert "environment" in keys


def test_the_list_is_newest_first_filtered_and_paginated_with_a_total(place):
    made = [
        matters.raise_matter(
            actor=place.resident,
            region=place.tree.compound,
            category=place.category,
            title=f"第{i}件事",
            description="描述",
        )
        for i in range(5)
    ]
    matters.raise_matter(
        actor=place.neighbour,
        region=place.tree.sibling_compound,
        category=place.category,
        title="隔壁社区的事",
        description="描述",
    )
    matters.accept(actor=place.secretary, matter=made[0])
    client = Client()

    page = ok(client.get(f"{API}/", {"region": place.tree.community.pk, "limit": 2}))
    assert (page["count"], page["limit"], page["offset"]) == (5, 2, 0)
    assert [r["id"] for r in page["items"]] == [made[4].pk, made[3].pk]
    last = ok(client.get(f"{API}/", {"region": place.tree.community.pk, "limit": 2, "offset": 4}))
    assert [r["id"] for r in last["items"]] == [made[0].pk]
    everywhere = ok(client.get(f"{API}/", {"limit": 3}))
    assert everywhere["count"] == 6
    assert [r["title"] for r in everywhere["items"]] == ["隔壁社区的事", "第4件事", "第3件事"]
    assert ok(client.get(f"{API}/", {"region": place.tree.sibling.pk}))["count"] == 1
    assert [r["id"] for r in ok(client.get(f"{API}/", {"status": "open"}))["items"]] == [made[0].pk]
    assert [r["id"] for r in ok(client.get(f"{API}/", {"step": "ideas"}))["items"]] == [made[0].pk]
    assert ok(client.get(f"{API}/", {"category": "no-such-key"}))["count"] == 0
    assert client.get(f"{API}/", {"limit": 101}).status_code == 422
    assert client.get(f"{API}/", {"status": "lost"}).status_code == 422
    assert client.get(f"{API}/", {"region": 99_999_999}).status_code == 404


def test_the_detail_is_public_and_its_actions_are_the_callers(place):
    m = flows.raise_flood(place)
    anonymous = ok(Client().get(f"{API}/{m.pk}"))
    # The public reads the submitter masked; the staff who screen it read the whole name (issue 13).
    assert anonymous["available_actions"] == [] and anonymous["submitter"] == "刘**"
    assert ok(as_(place.secretary).get(f"{API}/{m.pk}"))["submitter"] == "刘桂兰"
    assert "matters.screen_matter" in ok(as_(place.secretary).get(f"{API}/{m.pk}"))["available_actions"]
    own = ok(as_(place.resident).get(f"{API}/{m.pk}"))
    assert own["own"] and "procedures.withdraw" in own["available_actions"]
    assert "matters.support" not in own["available_actions"]
    assert "matters.support" in ok(as_(place.neighbour).get(f"{API}/{m.pk}"))["available_actions"]


def test_unknown_ids_are_404_in_json(place):
    m = accepted(place)
    secretary = as_(place.secretary)
    assert ok(Client().get(f"{API}/99999999"), 404)["detail"]
    assert post(secretary, "/99999999/advance", {"expected_step": "ideas"}).status_code == 404
    assert post(secretary, f"/{m.pk}/merge", {"into": 99999999}).status_code == 404
    assert post(secretary, f"/{m.pk}/works/99999999/reports", {"text": "x"}).status_code == 404
    assert post(as_(place.resident), "/", flood(place, region=99999999)).status_code == 404
    assert post(as_(place.resident), "/", flood(place, category="no-such-key")).status_code == 404
    flows.session(place, m)
    engine.advance(actor=place.secretary, matter=m)
    # A unit that does not serve the matter's place is as unknown as one that does not exist.
    elsewhere = builders.unit(
        "新华区某单位",
        kind="other",
        home_region=place.tree.other_district,
        serves=[place.tree.other_district],
    )
    response = post(
        as_(place.council),
        f"/{m.pk}/plan_versions",
        {"summary": "修路", "parts": [{"what": "修路", "unit": elsewhere.pk}]},
    )
    assert response.status_code == 404
    assert not m.plan_versions.exists()
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_a_malformed_body_is_422_as_ninja_reports_it(place):
    m = flows.raise_flood(place)
    response = post(as_(place.secretary), f"/{m.pk}/screen", {"decision": "maybe"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["errors"][0]["loc"][-1] == "decision"
    m.refresh_from_db()
    assert m.status == Status.NEW


# --- refusals --------------------------------------------------------------------------------------------


def test_a_guard_refusal_is_409_with_the_pages_reason_and_a_stable_code(place):
    m = accepted(place)
    expected = reason_of(lambda: engine.advance(actor=place.secretary, matter=m, expected_step="ideas"))

    detail = refused(
        post(as_(place.secretary), f"/{m.pk}/advance", {"expected_step": "ideas"}), 409, "evidence_missing"
    )
    assert detail == expected
    in_english = refused(
        post(as_(place.secretary), f"/{m.pk}/advance", {"expected_step": "ideas"}, HTTP_ACCEPT_LANGUAGE="en"),
        409,
        "evidence_missing",
    )
    assert in_english.startswith("No consultation session has been recorded.")
    m.refresh_from_db()
    assert m.step_key == "ideas"


def test_a_stale_advance_is_refused(place):
    m = accepted(place)
    flows.session(place, m)
    secretary = as_(place.secretary)
    ok(post(secretary, f"/{m.pk}/advance", {"expected_step": "ideas"}))
    refused(post(secretary, f"/{m.pk}/advance", {"expected_step": "ideas"}), 409, "stale_step")


def test_a_sibling_communitys_secretary_is_403_forbidden(place):
    new = flows.raise_flood(place)
    other = as_(place.other_secretary)
    detail = refused(post(other, f"/{new.pk}/screen", {"decision": "accept"}), 403, "forbidden")
    assert detail == reason_of(lambda: matters.accept(actor=place.other_secretary, matter=new))
    new.refresh_from_db()
    assert new.status == Status.NEW
    m = accepted(place)
    flows.session(place, m)
    refused(
        post(other, f"/{m.pk}/advance", {"expected_step": "ideas"}, HTTP_ACCEPT_LANGUAGE="en"),
        403,
        "forbidden",
    )
    m.refresh_from_db()
    assert m.step_key == "ideas"


WRITES = [
    "/",
    "/record",
    "/{m}/support",
    "/{m}/screen",
    "/{m}/merge",
    "/{m}/advance",
    "/{m}/return",
    "/{m}/withdraw",
    "/{m}/close_unresolved",
    "/{m}/sessions",
    "/{m}/plan_versions",
    "/{m}/consensus",
    "/{m}/reviews",
    "/{m}/votes",
    "/{m}/works",
    "/{m}/works/{w}/reports",
    "/{m}/works/{w}/supervise",
    "/{m}/notices",
]


@pytest.mark.parametrize("path", WRITES)
def test_anonymous_writes_are_401(place, path):
    m = flows.raise_flood(place)
    before = Matter.objects.count()
    response = post(Client(), path.format(m=m.pk, w=1), flood(place))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert Matter.objects.count() == before


def test_session_writes_need_the_csrf_token(place):
    m = flows.raise_flood(place)
    browser = as_(place.secretary, enforce_csrf_checks=True)
    response = post(browser, f"/{m.pk}/screen", {"decision": "decline", "reason": "不属于社区事务"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    m.refresh_from_db()
    assert m.status == Status.NEW

    secret = "a" * 32
    browser.cookies["csrftoken"] = secret
    ok(
        post(
            browser,
            f"/{m.pk}/screen",
            {"decision": "decline", "reason": "不属于社区事务"},
            HTTP_X_CSRFTOKEN=secret,
        )
    )
    m.refresh_from_db()
    assert m.status == Status.DECLINED
    # Without a session there is nothing to forge: the answer is "log in".
    assert post(Client(enforce_csrf_checks=True), f"/{m.pk}/support").status_code == 401


# --- each write's success path ---------------------------------------------------------------------------


def test_support_by_a_resident_and_by_staff_for_a_resident_who_came_in_person(place):
    m = flows.raise_flood(place)
    no_body = as_(place.neighbour).post(f"{API}/{m.pk}/support", "", content_type="application/json")
    assert ok(no_body)["supporter_count"] == 1
    refused(post(as_(place.neighbour), f"/{m.pk}/support"), 409, "already_supported")
    refused(post(as_(place.resident), f"/{m.pk}/support"), 409, "own_matter")
    visitor = builders.person("来访居民")
    assert (
        ok(post(as_(place.secretary), f"/{m.pk}/support", {"phone": visitor.phone}))["supporter_count"] == 2
    )
    refused(post(as_(place.secretary), f"/{m.pk}/support", {"phone": "13999999999"}), 409, "unknown_person")
    # Only staff may name someone else, and a resident cannot use it to find out who is registered.
    refused(post(as_(place.outsider), f"/{m.pk}/support", {"phone": "13999999999"}), 403, "forbidden")
    m.refresh_from_db()
    assert m.supporter_count == 2


def test_recording_a_back_to_back_visit_keeps_no_name(place):
    secretary = as_(place.secretary)
    made = ok(post(secretary, "/record", flood(place, channel="box", back_to_back=True)), 201)
    assert made["back_to_back"] and made["submitter"] == zh("a resident (back to back)")
    refused(
        post(secretary, "/record", flood(place, channel="box", back_to_back=True, submitter_name="某人")),
        409,
        "back_to_back_named",
    )
    refused(post(as_(place.resident), "/record", flood(place, channel="visit")), 403, "forbidden")
    refused(
        post(as_(place.resident), "/record", flood(place, channel="visit", submitter_phone="13999999999")),
        403,
        "forbidden",
    )


def test_screening_declines_with_a_public_reason_and_refers_to_a_named_body(place):
    secretary = as_(place.secretary)
    m = flows.raise_flood(place)
    refused(
        post(secretary, f"/{m.pk}/screen", {"decision": "decline", "reason": " "}), 409, "reason_required"
    )
    declined = ok(
        post(secretary, f"/{m.pk}/screen", {"decision": "decline", "reason": "属于个人纠纷，建议调解"})
    )
    assert declined["status"] == "declined"
    assert ok(Client().get(f"{API}/{m.pk}"))["public_reason"] == "属于个人纠纷，建议调解"
    other = flows.raise_flood(place)
    referred = ok(
        post(secretary, f"/{other.pk}/screen", {"decision": "refer", "referred_to": "运河区住建局"})
    )
    assert referred["status"] == "referred"
    assert ok(Client().get(f"{API}/{other.pk}"))["referred_to"] == "运河区住建局"
    refused(
        post(
            secretary,
            f"/{flows.raise_flood(place).pk}/screen",
            {"decision": "accept", "procedure": "short_path"},
        ),
        409,
        "reason_required",
    )


def test_the_eight_steps_review_and_vote_through_the_api(place):
    m = accepted(place)
    flows.to_review(place, m)
    secretary = as_(place.secretary)
    review = ok(
        post(as_(place.lawyer), f"/{m.pk}/reviews", {"decision": "approve", "opinion": "方案合法可行。"}), 201
    )
    assert (review["reviewer"], review["version"], review["decision"]) == ("李明", 1, "approve")
    ok(post(secretary, f"/{m.pk}/advance", {"expected_step": "review"}))

    failed = ok(
        post(
            secretary,
            f"/{m.pk}/votes",
            {"electorate": 30, "present": 30, "in_favour": 19, "against": 11, "abstain": 0},
        ),
        201,
    )
    assert (failed["passed"], failed["rule"]) == (False, "2/3")
    after = ok(Client().get(f"{API}/{m.pk}"))
    assert after["step"]["key"] == "draft"
    assert after["history"][-1]["kind"] == "return"
    assert "19" in after["history"][-1]["reason"] and "30" in after["history"][-1]["reason"]

    refused(
        post(
            secretary,
            f"/{m.pk}/votes",
            {"electorate": 30, "present": 30, "in_favour": 30, "against": 0, "abstain": 0},
        ),
        409,
        "wrong_step",
    )


def test_a_vote_of_twenty_of_thirty_passes(place):
    m = accepted(place)
    flows.to_review(place, m)
    flows.approve(place, m)
    vote = ok(
        post(
            as_(place.secretary),
            f"/{m.pk}/votes",
            {"electorate": 30, "present": 28, "in_favour": 20, "against": 6, "abstain": 2},
        ),
        201,
    )
    assert vote["passed"]
    assert (
        ok(post(as_(place.secretary), f"/{m.pk}/advance", {"expected_step": "vote"}))["step"]["key"]
        == "implement"
    )


def test_a_plan_part_may_name_a_person_and_consensus_must_name_the_latest_version(place):
    m = accepted(place)
    flows.session(place, m)
    engine.advance(actor=place.secretary, matter=m)
    council = as_(place.council)
    v1 = ok(
        post(
            council,
            f"/{m.pk}/plan_versions",
            {
                "summary": "修路",
                "budget": "1200.50",
                "parts": [{"what": "提示居民", "responsible": "丽景社区居委会"}],
            },
        ),
        201,
    )
    assert v1["parts"][0] == {
        "id": v1["parts"][0]["id"],
        "position": 1,
        "what": "提示居民",
        "unit": None,
        "responsible": "丽景社区居委会",
        "budget": None,
        "due_on": None,
    }
    assert v1["budget"] == "1200.50"
    refused(
        post(council, f"/{m.pk}/plan_versions", {"summary": "修路", "parts": [{"what": "修路"}]}),
        409,
        "part_responsible_required",
    )
    engine.advance(actor=place.secretary, matter=m)
    v2 = ok(
        post(
            council,
            f"/{m.pk}/plan_versions",
            {"summary": "修路（修订）", "parts": [{"what": "修路", "unit": place.fire.pk}]},
        ),
        201,
    )
    assert v2["number"] == 2
    secretary = as_(place.secretary)
    refused(
        post(secretary, f"/{m.pk}/consensus", {"minutes": "同意", "version": 1}), 409, "not_latest_version"
    )
    assert ok(post(secretary, f"/{m.pk}/consensus", {"minutes": "同意"}), 201)["version"] == 2


def test_return_withdraw_and_close_unresolved(place):
    m = accepted(place)
    flows.to_review(place, m)
    secretary = as_(place.secretary)
    back = ok(
        post(
            secretary,
            f"/{m.pk}/return",
            {"step": "draft", "reason": "费用分摊需重新测算", "expected_step": "review"},
        )
    )
    assert back["step"]["key"] == "draft"
    detail = ok(Client().get(f"{API}/{m.pk}"))
    assert [d["kind"] for d in detail["deviations"]] == ["returned"]
    assert detail["history"][-1]["reason"] == "费用分摊需重新测算"
    refused(
        post(secretary, f"/{m.pk}/return", {"step": "raise", "reason": "x", "expected_step": "draft"}),
        409,
        "invalid_return",
    )

    # Accepted: the submitter alone is refused, the committee withdraws with a public reason.
    refused(
        post(as_(place.resident), f"/{m.pk}/withdraw", {"reason": "已自行解决"}),
        409,
        "withdraw_after_acceptance",
    )
    withdrawn = ok(post(secretary, f"/{m.pk}/withdraw", {"reason": "提出人已自行解决，申请撤回"}))
    assert withdrawn["status"] == "withdrawn"

    other = accepted(place)
    refused(post(as_(place.neighbour), f"/{other.pk}/withdraw", {"reason": "不想办"}), 403, "forbidden")
    closed = ok(post(secretary, f"/{other.pk}/close_unresolved", {"reason": "超出社区职权，已向上级反映"}))
    assert closed["status"] == "unresolved"
    assert [d["kind"] for d in ok(Client().get(f"{API}/{other.pk}"))["deviations"]] == ["unresolved"]


def test_a_resident_may_reopen_a_task_that_is_not_fixed(place):
    m = accepted(place, procedure_key="short_path")
    flows.session(place, m)
    flows.plan(place, m)
    version = m.plan_versions.get()
    record_consensus(actor=place.secretary, matter=m, version=version, minutes="同意")
    engine.advance(actor=place.secretary, matter=m)
    work = ok(
        post(
            as_(place.secretary),
            f"/{m.pk}/works",
            {"title": "维修坑洼路面", "unit": place.fire.pk, "due_on": str(place.soon)},
        ),
        201,
    )
    assert (work["unit"]["name"], work["status"], work["can_report"]) == ("市消防救援支队", "open", True)
    refused(
        post(as_(place.resident), f"/{m.pk}/works/{work['id']}/supervise", {"verdict": "confirm"}),
        409,
        "not_done",
    )
    refused(
        post(as_(place.outsider), f"/{m.pk}/works/{work['id']}/reports", {"text": "修好了"}), 403, "forbidden"
    )
    report = ok(
        post(as_(place.fire_staff), f"/{m.pk}/works/{work['id']}/reports", {"text": "已修补", "done": True}),
        201,
    )
    assert report["done"] and report["photo"] is None
    refused(
        post(as_(place.resident), f"/{m.pk}/works/{work['id']}/supervise", {"verdict": "reopen"}),
        409,
        "reason_required",
    )
    reopened = ok(
        post(
            as_(place.resident),
            f"/{m.pk}/works/{work['id']}/supervise",
            {"verdict": "reopen", "rating": 2, "reason": "东头还有一处积水"},
        ),
        201,
    )
    assert reopened == {**reopened, "verdict": "reopen", "rating": 2}
    assert Work.objects.get(pk=work["id"]).status == "open"
    refused(
        post(as_(place.neighbour), f"/{m.pk}/works/{work['id']}/supervise", {"verdict": "confirm"}),
        403,
        "forbidden",
    )


def test_a_notice_is_posted_only_in_a_publishing_step_for_its_period(place):
    m = accepted(place, procedure_key="short_path")
    refused(
        post(as_(place.secretary), f"/{m.pk}/notices", {"title": "结果", "body": "已完成"}), 409, "wrong_step"
    )
    flows.session(place, m)
    record_consensus(actor=place.secretary, matter=m, version=flows.plan(place, m), minutes="同意")
    engine.advance(actor=place.secretary, matter=m)
    flows.implement_and_confirm(place, m, supervisor=place.resident)
    engine.advance(actor=place.secretary, matter=m)
    refused(  # the last step posts the result, not a resolution
        post(
            as_(place.secretary),
            f"/{m.pk}/notices",
            {"kind": "resolution", "title": "决议", "body": "决议如下"},
        ),
        409,
        "wrong_kind",
    )
    notice = ok(
        post(
            as_(place.secretary),
            f"/{m.pk}/notices",
            {"kind": "result", "title": "结果公开", "body": "已完成", "period_days": 5},
        ),
        201,
    )
    assert (notice["kind"], notice["period_days"], notice["region"]["id"]) == (
        "result",
        5,
        place.tree.community.pk,
    )
    refused(
        post(as_(place.secretary), f"/{m.pk}/notices", {"title": "t", "body": "b", "period_days": 0}),
        409,
        "invalid_period",
    )


# --- what must never appear ------------------------------------------------------------------------------


def test_a_back_to_back_submitter_never_appears_in_any_api_response(place):
    p = place
    hidden = [p.resident.name, mask_name(p.resident.name), p.resident.phone, mask_phone(p.resident.phone)]
    seen: list[str] = []

    def keep(response, status=200):
        assert response.status_code == status, response.content.decode()
        body = response.json()
        # Decoded: the wire format escapes Chinese (\u5218…), so a raw scan would never see a name.
        seen.append(json.dumps(body, ensure_ascii=False))
        return body

    resident, secretary = as_(p.resident), as_(p.secretary)
    m = keep(post(resident, "/", flood(p, back_to_back=True)), 201)["id"]
    keep(post(as_(p.neighbour), f"/{m}/support"))
    keep(
        post(
            secretary,
            f"/{m}/screen",
            {"decision": "accept", "procedure": "short_path", "procedure_reason": "小修"},
        )
    )
    keep(
        post(
            secretary,
            f"/{m}/sessions",
            {
                "title": "恳谈",
                "held_at": "2025-10-15T09:00:00+08:00",
                "place": "议事厅",
                "attendance": 5,
                "ideas": [{"text": "修路"}],
            },
        ),
        201,
    )
    version = keep(
        post(
            secretary,
            f"/{m}/plan_versions",
            {"summary": "修路", "parts": [{"what": "修路", "unit": p.fire.pk}]},
        ),
        201,
    )
    keep(post(secretary, f"/{m}/consensus", {"minutes": "同意"}), 201)
    keep(post(secretary, f"/{m}/advance", {"expected_step": "consult"}))
    work = keep(
        post(
            secretary,
            f"/{m}/works",
            {"part": version["parts"][0]["id"], "title": "修路", "unit": p.fire.pk, "due_on": str(p.soon)},
        ),
        201,
    )
    keep(post(as_(p.fire_staff), f"/{m}/works/{work['id']}/reports", {"text": "修好了", "done": True}), 201)
    keep(post(resident, f"/{m}/works/{work['id']}/supervise", {"verdict": "confirm", "rating": 5}), 201)
    keep(post(secretary, f"/{m}/advance", {"expected_step": "implement"}))
    keep(post(secretary, f"/{m}/notices", {"title": "修好了", "body": "已修复"}), 201)
    keep(post(secretary, f"/{m}/advance", {"expected_step": "publish"}))

    for viewer in (Client(), secretary, as_(p.neighbour), as_(p.other_secretary), as_(p.fire_staff)):
        detail = keep(viewer.get(f"{API}/{m}"))
        assert detail["submitter"] == zh("a resident (back to back)")
        keep(viewer.get(f"{API}/", {"region": p.tree.community.pk}))
        keep(viewer.get(f"{API}/similar", {"region": p.tree.compound.pk, "text": "小区西侧小路积水"}))
        keep(viewer.get("/api/v1/audit/entries", {"limit": 500}))
    own = keep(resident.get(f"{API}/{m}"))
    assert own["own"] and own["submitter"] != p.resident.name

    everything = "\n".join(seen)
    for text in hidden:
        assert text not in everything
    # The scan would have seen a name: a face-to-face matter shows its submitter, whole to the staff who
    # handle it, masked to the public.
    named = flows.raise_flood(p)
    assert p.resident.name in json.dumps(secretary.get(f"{API}/{named.pk}").json(), ensure_ascii=False)
    assert mask_name(p.resident.name) in json.dumps(
        Client().get(f"{API}/{named.pk}").json(), ensure_ascii=False
    )


def test_responses_are_json_with_the_schema_fields(place):
    m = accepted(place)
    detail = ok(Client().get(f"{API}/{m.pk}"))
    assert set(detail) >= {
        "status",
        "procedure",
        "step",
        "checklist",
        "deviations",
        "supporter_count",
        "submitter",
        "plan_versions",
        "sessions",
        "reviews",
        "votes",
        "works",
        "notices",
        "available_actions",
    }
    assert detail["checklist"][1] == {**detail["checklist"][1], "key": "ideas", "state": "current"}
    assert detail["checklist"][1]["missing"]
    json.dumps(detail)


def test_the_detail_reads_a_fixed_number_of_queries_however_many_tasks(place):
    m = accepted(place, procedure_key="short_path")
    flows.session(place, m)
    record_consensus(actor=place.secretary, matter=m, version=flows.plan(place, m), minutes="同意")
    engine.advance(actor=place.secretary, matter=m)
    secretary = as_(place.secretary)
    counts = []
    for _ in range(3):
        work = assign_work(actor=place.secretary, matter=m, title="修路", unit=place.fire, due_on=place.soon)
        report_progress(actor=place.fire_staff, work=work, text="进展", done=False)
        with CaptureQueriesContext(connection) as queries:
            ok(secretary.get(f"{API}/{m.pk}"))
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == counts[2]
