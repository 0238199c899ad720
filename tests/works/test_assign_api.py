"""POST /api/v1/matters/{id}/works: a task to a unit, to the committee itself (``to_committee``) or to a person
(``phone``), exactly one; a part's unit, words and date by default; refusals with a stable code and the page's
Chinese words, nothing saved; an unknown number answered as a closed account, and no number looked up for
someone who may not assign."""

import json

import pytest
from django.test import Client

from tests import builders
from tests.procedures import flows
from yishi.audit.models import AuditEntry
from yishi.people.tokens import issue_token
from yishi.works.models import Work
from yishi.works.queries import current_parts

pytestmark = pytest.mark.django_db


def api(person) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")


def give(person, m, body: dict):
    return api(person).post(
        f"/api/v1/matters/{m.pk}/works", json.dumps(body), content_type="application/json"
    )


def created(response) -> dict:
    assert response.status_code == 201, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content.decode()
    assert response.json()["code"] == code, response.json()
    return response.json()["detail"]


def nothing_saved(call):
    before = (Work.objects.count(), AuditEntry.objects.count())
    response = call()
    assert (Work.objects.count(), AuditEntry.objects.count()) == before
    return response


def test_a_task_goes_to_the_committee_itself(place):
    m = flows.implementing(place)

    body = created(
        give(place.secretary, m, {"title": "提示辖区居民", "to_committee": True, "due_on": str(place.soon)})
    )

    assert (body["to"], body["unit"], body["responsible"], body["part"]) == (
        "committee",
        None,
        "社区（村）两委",
        None,
    )
    assert Work.objects.get(pk=body["id"]).to_committee


def test_a_task_goes_to_a_person_by_their_mobile_number(place):
    m = flows.implementing(place)

    body = created(
        give(
            place.secretary,
            m,
            {"title": "看护施工现场", "phone": place.neighbour.phone, "due_on": str(place.soon)},
        )
    )

    assert (body["to"], body["unit"], body["responsible"]) == ("person", None, "王建国")
    assert Work.objects.get(pk=body["id"]).assignee == place.neighbour


def test_a_task_for_a_part_takes_the_unit_words_and_date_the_plan_gives_it(place):
    m = flows.implementing(place)
    repair = current_parts(m).get(what="维修坑洼路面")

    body = created(give(place.secretary, m, {"part": repair.pk}))

    assert (body["to"], body["unit"]["id"], body["title"], body["due_on"], body["part"]) == (
        "unit",
        place.fire.pk,
        "维修坑洼路面",
        str(place.soon),
        repair.pk,
    )


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (
            {"title": "修路"},
            "responsible_required",
            "请写明由谁落实这项任务：选择责任单位、社区两委，或填写负责人的手机号。",
        ),
        (
            {"title": "修路", "unit": "FIRE", "to_committee": True},
            "responsible_ambiguous",
            "一项任务只能交给一方：一个责任单位、社区两委或一个人，请只选其一。",
        ),
        (
            {"title": "修路", "to_committee": True, "phone": "NEIGHBOUR"},
            "responsible_ambiguous",
            "一项任务只能交给一方：一个责任单位、社区两委或一个人，请只选其一。",
        ),
        (
            {"part": "INFORM"},
            "responsible_required",
            "方案把“提示辖区居民”交给“丽景社区居委会”：请选择由社区两委落实，或填写负责人的手机号。",
        ),
    ],
    ids=["no one", "unit and committee", "committee and person", "part for someone else"],
)
def test_none_or_two_are_refused_in_chinese_and_nothing_is_saved(place, body, code, detail):
    m = flows.implementing(place)
    stand_ins = {
        "FIRE": place.fire.pk,
        "NEIGHBOUR": place.neighbour.phone,
        "INFORM": current_parts(m).get(what="提示辖区居民").pk,
    }
    body = {"due_on": str(place.soon)} | {key: stand_ins.get(value, value) for key, value in body.items()}

    assert refused(nothing_saved(lambda: give(place.secretary, m, body)), 409, code) == detail


def test_an_unknown_number_is_answered_exactly_as_a_closed_account(place):
    m = flows.implementing(place)
    closed = builders.person("已注销的居民")
    closed.is_active = False
    closed.save()

    def answer(phone):
        response = nothing_saved(
            lambda: give(place.secretary, m, {"title": "修路", "phone": phone, "due_on": str(place.soon)})
        )
        return response.status_code, response.json()

    assert answer("13999999999") == answer(closed.phone)
    assert answer("13999999999") == (
        409,
        {"detail": "这个手机号没有登记过居民，请检查号码。", "code": "unknown_person", "field": "phone"},
    )


@pytest.mark.parametrize("who", ["resident", "fire_staff", "other_secretary"])
def test_someone_who_may_not_assign_gets_the_same_refusal_for_any_number(place, who):
    m = flows.implementing(place)

    def answer(phone):
        response = nothing_saved(
            lambda: give(getattr(place, who), m, {"title": "修路", "phone": phone, "due_on": str(place.soon)})
        )
        return response.status_code, response.json()

    registered, unknown = answer(place.neighbour.phone), answer("13999999999")
    assert registered == unknown
    assert registered[0] == 403 and registered[1]["code"] == "forbidden"
