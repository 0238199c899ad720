"""谁负责谁执行: whoever a task is given to reports on it, as a unit's staff do on the unit's tasks. A person named
reports on their own task and on no other; the committee's members report on the committee's tasks, another
community's committee does not. The page and the API offer exactly that; those responsible hear of the task,
and a person named finds it at home."""

import json
import re

import pytest
from django.test import Client

from tests import builders
from tests.procedures import flows
from yishi.errors import Refused
from yishi.people.tokens import issue_token
from yishi.reminders.services import responsible_people
from yishi.works.models import ProgressReport, WorkStatus
from yishi.works.services import assign_work, report_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(place):
    """At implementation: a task given to the fire brigade, one to the committee itself, one to a resident."""
    m = flows.implementing(place)
    place.head = builders.person("单元长老周")
    give = {"actor": place.secretary, "matter": m, "due_on": place.soon}
    place.m = m
    place.fire_task = assign_work(**give, title="维修坑洼路面", unit=place.fire)
    place.committee_task = assign_work(**give, title="提示辖区居民", to_committee=True)
    place.head_task = assign_work(**give, title="通知各单元居民", phone=place.head.phone)
    return place


def reports(p, who, work) -> str:
    """What the service answers ``who`` reporting on ``work``: "done", or the refusal's code."""
    try:
        report_progress(actor=getattr(p, who), work=work, text="已完成", done=True)
    except Refused as refused:
        return refused.code
    return "done"


@pytest.mark.parametrize(
    ("who", "task", "answer"),
    [
        ("head", "head_task", "done"),
        ("head", "fire_task", "forbidden"),
        ("head", "committee_task", "forbidden"),
        ("secretary", "committee_task", "done"),
        ("other_secretary", "committee_task", "forbidden"),
        ("fire_staff", "committee_task", "forbidden"),
        ("fire_staff", "head_task", "forbidden"),
        ("fire_staff", "fire_task", "done"),
        ("resident", "head_task", "forbidden"),
        ("outsider", "committee_task", "forbidden"),
    ],
)
def test_who_reports_on_which_task(tasks, who, task, answer):
    work = getattr(tasks, task)

    assert reports(tasks, who, work) == answer

    work.refresh_from_db()
    assert (work.status == WorkStatus.DONE) == (answer == "done")
    assert ProgressReport.objects.filter(work=work).exists() == (answer == "done")


def test_the_page_and_the_api_offer_the_person_named_a_report_on_their_task_alone(tasks):
    p = tasks
    page = Client()
    page.force_login(p.head)
    html = page.get(f"/m/{p.m.pk}/").content.decode()
    offered = {int(n) for n in re.findall(rf'action="/m/{p.m.pk}/works/(\d+)/report/"', html)}
    assert offered == {p.head_task.pk}

    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(p.head)}")
    works = api.get(f"/api/v1/matters/{p.m.pk}").json()["works"]
    assert {w["id"] for w in works if w["can_report"]} == {p.head_task.pk}
    assert {w["id"]: w["to"] for w in works} == {
        p.fire_task.pk: "unit",
        p.committee_task.pk: "committee",
        p.head_task.pk: "person",
    }

    response = api.post(
        f"/api/v1/matters/{p.m.pk}/works/{p.head_task.pk}/reports",
        json.dumps({"text": "已逐户通知", "done": True}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    refused = api.post(
        f"/api/v1/matters/{p.m.pk}/works/{p.fire_task.pk}/reports",
        json.dumps({"text": "修好了"}),
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json() == {
        "detail": "只有接到这项任务的单位工作人员、指定的负责人或社区两委才能报告进展。",
        "code": "forbidden",
    }


def test_the_committee_is_offered_a_report_on_its_own_task_on_the_page(tasks):
    p = tasks
    page = Client()
    page.force_login(p.secretary)
    response = page.post(
        f"/m/{p.m.pk}/works/{p.committee_task.pk}/report/", {"text": "已在楼栋张贴提示", "done": "on"}
    )
    assert response.status_code == 302
    p.committee_task.refresh_from_db()
    assert p.committee_task.status == WorkStatus.DONE

    page.force_login(p.other_secretary)
    html = page.get(f"/m/{p.m.pk}/").content.decode()
    assert f"/works/{p.committee_task.pk}/report/" not in html


def test_those_responsible_hear_of_the_task(tasks):
    p = tasks
    assert responsible_people(p.committee_task) == [p.secretary]
    assert responsible_people(p.head_task) == [p.head]
    assert responsible_people(p.fire_task) == [p.fire_staff]


def test_a_person_named_finds_their_task_on_their_workbench(tasks):
    p = tasks
    home = Client()
    home.force_login(p.head)

    html = home.get("/work/").content.decode()
    assert "交给我的落实任务" in html and "通知各单元居民" in html
    assert "提示辖区居民" not in html

    other = Client()
    other.force_login(p.neighbour)
    assert "交给我的落实任务" not in other.get("/work/").content.decode()


def test_a_person_named_is_shown_whole_only_to_themself_and_the_staff_who_handle_the_matter(tasks):
    """As a named submitter is (README, residents' names): masked (单****) to the public, other residents and
    another community's committee; a unit and the committee by their names to everyone."""
    p = tasks
    for viewer, shown in (
        (None, "单****"),
        (p.neighbour, "单****"),
        (p.other_secretary, "单****"),
        (p.fire_staff, "单****"),
        (p.head, "单元长老周"),
        (p.secretary, "单元长老周"),
    ):
        page, api = Client(), Client()
        if viewer is not None:
            page.force_login(viewer)
            api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(viewer)}")
        html = page.get(f"/m/{p.m.pk}/").content.decode()
        found = re.search(rf'id="work-{p.head_task.pk}"><h3>[^<]*</h3>\s*<p class="meta">([^·<]*) ·', html)
        assert found and found.group(1).strip() == shown, (viewer, found and found.group(1))
        works = {w["id"]: w["responsible"] for w in api.get(f"/api/v1/matters/{p.m.pk}").json()["works"]}
        assert works == {
            p.fire_task.pk: "市消防救援支队",
            p.committee_task.pk: "社区（村）两委",
            p.head_task.pk: shown,
        }
        dossier = page.get(f"/m/{p.m.pk}/dossier/").content.decode()
        assert f"通知各单元居民 — {shown} ·" in dossier
        if shown != "单元长老周":
            assert "单元长老周" not in html + dossier


def test_the_resident_asked_to_confirm_a_persons_task_reads_their_name_masked(tasks):
    p = tasks
    report_progress(actor=p.head, work=p.head_task, text="已逐户通知", done=True)
    home = Client()
    home.force_login(p.resident)  # she raised the matter: she confirms its tasks

    html = home.get("/work/").content.decode()

    assert "通知各单元居民" in html and "单****" in html and "单元长老周" not in html
