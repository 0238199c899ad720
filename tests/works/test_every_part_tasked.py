"""谁负责谁执行: the carrying-out step is complete only when every part of the plan as it stands has a task (and
every task is confirmed). A part without one keeps the step open, and the engine, the matter page and the API
all say which parts, in the same plain words: one evidence check (``parts_assigned``)."""

import pytest
from django.test import Client
from django.utils import translation

from tests.matters.test_pages import missing_on_page
from tests.procedures import flows
from yishi.errors import Refused
from yishi.people.tokens import issue_token
from yishi.procedures import definitions
from yishi.procedures import services as engine
from yishi.procedures.evidence import CHECKS, parts_assigned
from yishi.works.queries import current_parts
from yishi.works.services import assign_work, report_progress, supervise

pytestmark = pytest.mark.django_db

TWO_LEFT = "方案中还有2项没有分派任务：“提示辖区居民”、“维持现场秩序”。"


def words(reasons) -> list[str]:
    with translation.override("zh-hans"):
        return [str(r) for r in reasons]


def finish(p, work):
    reporter = p.fire_staff if work.unit_id == p.fire.pk else p.secretary
    report_progress(actor=reporter, work=work, text="已完成", done=True)
    supervise(actor=p.resident, work=work, verdict="confirm", rating=5)


def only_the_repair_done(p):
    """At implementation, the repair's part given to the fire brigade and confirmed; the other two parts not
    given, and a task for no part at all given to the committee and confirmed too."""
    m = flows.implementing(p)
    repair = next(part for part in current_parts(m) if part.what == "维修坑洼路面")
    finish(p, assign_work(actor=p.secretary, matter=m, part=repair))
    finish(p, assign_work(actor=p.secretary, matter=m, title="清扫路面", to_committee=True, due_on=p.soon))
    return m


def test_every_carrying_out_step_asks_that_every_part_has_its_task_before_the_tasks_are_confirmed():
    for procedure in definitions.PROCEDURES.values():
        step = procedure.step("implement")
        assert step.evidence == ("parts_assigned", "works_confirmed"), procedure.key
    assert CHECKS["parts_assigned"] is parts_assigned


def test_a_part_without_a_task_keeps_the_step_open_and_the_engine_names_it(place):
    m = only_the_repair_done(place)

    assert words(parts_assigned(m)) == [TWO_LEFT]
    with translation.override("zh-hans"), pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m)
    assert exc.value.code == "evidence_missing"
    assert str(exc.value.reason) == f"{TWO_LEFT}因此暂时不能进入“公示结果”。"
    m.refresh_from_db()
    assert m.step_key == "implement"


def test_the_page_and_the_api_say_the_same_of_the_parts_without_a_task(place, client):
    m = only_the_repair_done(place)

    client.force_login(place.secretary)
    assert missing_on_page(client.get(f"/m/{m.pk}/")) == [TWO_LEFT]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(place.secretary)}").get(f"/api/v1/matters/{m.pk}")
    (current,) = [row for row in api.json()["checklist"] if row["state"] == "current"]
    assert current["missing"] == [TWO_LEFT]
    refused = client.post(f"/m/{m.pk}/advance/", {"expected_step": "implement"})
    assert refused.status_code == 409 and TWO_LEFT in refused.content.decode()


def test_one_part_left_is_named_alone(place):
    m = only_the_repair_done(place)
    order = next(part for part in current_parts(m) if part.what == "维持现场秩序")
    assign_work(actor=place.secretary, matter=m, part=order, due_on=place.soon)

    assert words(parts_assigned(m)) == ["方案中还有1项没有分派任务：“提示辖区居民”。"]


def test_once_every_part_has_its_task_and_every_task_is_confirmed_the_step_completes(place):
    m = only_the_repair_done(place)
    for part in current_parts(m).filter(tasked=False):
        given = {} if part.unit_id else {"to_committee": True}
        finish(place, assign_work(actor=place.secretary, matter=m, part=part, due_on=place.soon, **given))

    assert parts_assigned(m) == []
    m = engine.advance(actor=place.secretary, matter=m)
    assert m.step_key == "publish"


def test_with_every_part_tasked_a_task_not_yet_confirmed_still_keeps_the_step_open(place):
    m = flows.implementing(place)
    works = flows.give_every_part(place, m)
    for work in works[1:]:
        finish(place, work)

    assert parts_assigned(m) == []
    with translation.override("zh-hans"), pytest.raises(Refused) as exc:
        engine.advance(actor=place.secretary, matter=m)
    assert str(exc.value.reason).startswith("还有1项任务未经居民确认。")
