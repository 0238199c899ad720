"""The task form on the matter page (zh-hans): it offers the parts of the plan (those without a task marked, the
first of them chosen), the three kinds of responsible (the one the part suggests chosen) and the person's phone;
it gives the task as chosen, and refuses in plain Chinese, saving nothing."""

import re

import pytest
from django.utils.html import escape

from tests import builders
from tests.matters.test_actions import done, refused
from tests.procedures import flows
from yishi.plans.models import PlanPart
from yishi.works.forms import suggested_responsible
from yishi.works.models import Work
from yishi.works.queries import current_parts
from yishi.works.services import assign_work

pytestmark = pytest.mark.django_db

ASSIGNED = "The task has been assigned."


def part(m, what: str) -> PlanPart:
    return current_parts(m).get(what=what)


def task_form(client, m, query: str = "") -> str:
    page = client.get(f"/m/{m.pk}/{query}").content.decode()
    found = re.search(r'<div id="assign">.*?</form>', page, re.S)
    assert found, "the secretary is offered the task form"
    return found.group(0)


def chosen_part(form: str) -> str | None:
    found = re.search(r'<option value="\d+" selected>([^<]*)</option>', form)
    return found.group(1) if found else None


def chosen_kind(form: str) -> str | None:
    found = re.search(r'name="responsible" value="(\w+)"[^>]*checked', form)
    return found.group(1) if found else None


def asked_for(form: str) -> list[tuple[str, str]]:
    """The links to the parts without a task: (what, the part's id asked for)."""
    return [(what, pk) for pk, what in re.findall(r'<a href="\?part=(\d+)#assign">([^<]*)</a>', form)]


def test_the_form_lists_the_parts_without_a_task_and_chooses_none_unless_asked(place, client):
    m = flows.implementing(place)
    client.force_login(place.secretary)
    ids = {p.what: str(p.pk) for p in current_parts(m)}

    form = task_form(client, m)
    assert asked_for(form) == [(what, ids[what]) for what in ("维修坑洼路面", "提示辖区居民", "维持现场秩序")]
    assert (chosen_part(form), chosen_kind(form)) == (None, None)
    assert "维持现场秩序 — 万泰丽景小区物业服务公司（尚未分派）" in form
    assert 'name="phone"' in form

    assign_work(actor=place.secretary, matter=m, part=part(m, "维修坑洼路面"))
    form = task_form(client, m)
    assert [what for what, _pk in asked_for(form)] == ["提示辖区居民", "维持现场秩序"]
    assert f'<option value="{ids["维修坑洼路面"]}">维修坑洼路面 — 市消防救援支队</option>' in form


@pytest.mark.parametrize(
    ("what", "kind"),
    [("维修坑洼路面", "unit"), ("提示辖区居民", "committee"), ("维持现场秩序", "unit")],
)
def test_a_part_asked_for_is_chosen_with_whom_it_suggests(place, client, what, kind):
    m = flows.implementing(place)
    client.force_login(place.secretary)
    asked = part(m, what)

    form = task_form(client, m, f"?part={asked.pk}")

    assert chosen_part(form).startswith(f"{what} — ")
    assert chosen_kind(form) == kind


@pytest.mark.parametrize(
    ("responsible", "kind"),
    [
        ("丽景社区居委会", "committee"),
        ("三角线社区“两委”", "committee"),
        ("村委会", "committee"),
        ("各单元长", "person"),
        ("建材城小区业主委员会", "person"),  # the owners' committee is not the community's committee
        ("张师傅", "person"),
    ],
)
def test_the_part_suggests_the_committee_only_when_it_names_the_communitys_committee(responsible, kind):
    assert suggested_responsible(PlanPart(what="x", responsible=responsible)) == kind


def test_a_part_naming_a_unit_goes_to_it_with_the_plans_words_and_date(place, client):
    m = flows.implementing(place)
    repair = part(m, "维修坑洼路面")

    page = done(
        client, place.secretary, m, "works", {"part": repair.pk, "responsible": "unit"}, message=ASSIGNED
    )

    work = Work.objects.get(matter=m)
    assert (work.part, work.unit, work.title, work.due_on) == (repair, place.fire, "维修坑洼路面", place.soon)
    assert "市消防救援支队" in page.content.decode()


def test_the_committee_takes_a_part_the_plan_gives_the_residents_committee(place, client):
    m = flows.implementing(place)
    inform = part(m, "提示辖区居民")

    page = done(
        client,
        place.secretary,
        m,
        "works",
        {"part": inform.pk, "responsible": "committee", "due_on": "2026-11-20"},
        message=ASSIGNED,
    )

    work = Work.objects.get(matter=m)
    assert (work.part, work.to_committee, work.unit, work.assignee, str(work.due_on)) == (
        inform,
        True,
        None,
        None,
        "2026-11-20",
    )
    assert "社区（村）两委" in page.content.decode()


def test_a_person_is_given_a_task_by_their_mobile_number(place, client):
    m = flows.implementing(place)
    head = builders.person("单元长老周")

    done(
        client,
        place.secretary,
        m,
        "works",
        {"title": "通知各单元居民", "responsible": "person", "phone": head.phone, "due_on": "2026-11-20"},
        message=ASSIGNED,
    )

    work = Work.objects.get(matter=m)
    assert (work.assignee, work.unit, work.to_committee, work.part) == (head, None, False, None)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (
            {"title": "通知居民", "responsible": "person", "due_on": "2026-11-20"},
            "请填写负责人的手机号。",
        ),
        (
            {"title": "修路", "responsible": "unit", "due_on": "2026-11-20"},
            "请选择责任单位。",
        ),
        (
            {"title": "修路", "due_on": "2026-11-20"},
            "请写明由谁落实这项任务：选择责任单位、社区两委，或填写负责人的手机号。",
        ),
        (
            {"title": "修路", "unit": "UNIT", "phone": "PHONE", "due_on": "2026-11-20"},
            "一项任务只能交给一方：一个责任单位、社区两委或一个人，请只选其一。",
        ),
        (
            {"part": "INFORM", "responsible": "unit", "due_on": "2026-11-20"},
            "方案把“提示辖区居民”交给“丽景社区居委会”：请选择由社区两委落实，或填写负责人的手机号。",
        ),
        (
            {"part": "ORDER", "responsible": "unit"},  # the plan gives this part no date
            "请填写完成期限。",
        ),
        (
            {"title": "通知居民", "responsible": "person", "phone": "12345", "due_on": "2026-11-20"},
            "这不是内地手机号，请检查后重新填写。",
        ),
        (
            {"part": "INFORM", "responsible": "committee", "unit": "UNIT", "due_on": "2026-11-20"},
            "一项任务只能交给一方：一个责任单位、社区两委或一个人，请只选其一。",
        ),
        (
            {
                "title": "修路",
                "responsible": "unit",
                "unit": "UNIT",
                "phone": "PHONE",
                "due_on": "2026-11-20",
            },
            "一项任务只能交给一方：一个责任单位、社区两委或一个人，请只选其一。",
        ),
        (
            {
                "title": "通知居民",
                "responsible": "person",
                "unit": "UNIT",
                "phone": "PHONE",
                "due_on": "2026-11-20",
            },
            "一项任务只能交给一方：一个责任单位、社区两委或一个人，请只选其一。",
        ),
    ],
    ids=[
        "person without phone",
        "unit without unit",
        "no one",
        "two",
        "part for someone else",
        "no date",
        "bad phone",
        "committee and a unit",
        "unit and a phone",
        "person and a unit",
    ],
)
def test_what_is_missing_is_said_in_chinese_and_nothing_is_saved(place, client, data, text):
    m = flows.implementing(place)
    stand_ins = {
        "UNIT": place.fire.pk,
        "PHONE": place.neighbour.phone,
        "INFORM": part(m, "提示辖区居民").pk,
        "ORDER": part(m, "维持现场秩序").pk,
    }
    data = {key: stand_ins.get(value, value) for key, value in data.items()}

    refused(client, place.secretary, m, "works", data, 400, text)


def test_an_unknown_number_gets_the_same_page_as_a_closed_account(place, client):
    m = flows.implementing(place)
    closed = builders.person("已注销的居民")
    closed.is_active = False
    closed.save()

    def errors(phone):
        response = refused(
            client,
            place.secretary,
            m,
            "works",
            {"title": "通知居民", "responsible": "person", "phone": phone, "due_on": "2026-11-20"},
            400,
            "这个手机号没有登记过居民，请检查号码。",
        )
        return re.findall(r'<p class="error" role="alert">([^<]*)</p>', response.content.decode())

    assert errors("13999999999") == errors(closed.phone)
    assert escape(closed.name) not in "".join(errors(closed.phone))


def test_no_one_without_the_authority_is_offered_the_form_or_may_post_it(place, client):
    m = flows.implementing(place)
    for who in (place.resident, place.fire_staff, place.other_secretary):
        client.force_login(who)
        assert f'action="/m/{m.pk}/works/"' not in client.get(f"/m/{m.pk}/").content.decode()
        response = client.post(
            f"/m/{m.pk}/works/", {"title": "修路", "responsible": "person", "phone": place.neighbour.phone}
        )
        assert response.status_code == 403
    assert not Work.objects.exists()
