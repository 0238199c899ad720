"""An action that is not open says why, to the people entitled to it, in the words its service refuses with;
to everyone else it says nothing. The matter page asks one list (``procedures.offers``), never decides."""

import re

import pytest
from django.utils import translation
from django.utils.html import escape

from tests import builders
from tests.matters.test_pages import html, tr, walk
from tests.procedures import flows
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.procedures import services as engine
from yishi.procedures.offers import offers
from yishi.reviews.services import submit_review
from yishi.works.services import assign_work, report_progress, supervise


def page_as(client, person, m):
    client.force_login(person)
    return html(client.get(f"/m/{m.pk}/"))


def why_not(page: str) -> str:
    """What the page says about the actions that are not open (its muted lines), as one text."""
    return " ".join(re.findall(r'class="muted why-not"[^>]*>(.*?)</(?:p|ul)>', page, re.S))


def said(refused: Refused) -> str:
    """The refusal as the page says it: in the site's language, whatever an earlier test left active."""
    with translation.override("zh-hans"):
        return escape(str(refused))


def refusal(call) -> Refused:
    """What the service refuses with, worded as the page words it: a reason with values is put into words when
    it is raised, in the language active then."""
    with translation.override("zh-hans"), pytest.raises(Refused) as exc:
        call()
    return exc.value


def test_staff_read_why_the_step_actions_of_other_steps_are_not_open_in_the_services_words(place, client):
    m = walk(place, "ideas")
    refused = refusal(lambda: flows.plan(place, m))  # the council drafts; the secretary may too

    page = page_as(client, place.secretary, m)

    assert refused.code == "wrong_step"
    assert said(refused) in why_not(page)
    assert escape(tr("Draft a plan version")) in why_not(page)
    assert f'action="/m/{m.pk}/plan/"' not in page


def test_someone_without_authority_reads_no_reasons(place, client):
    m = walk(place, "ideas")

    page = page_as(client, place.outsider, m)

    assert why_not(page) == ""


def test_the_submitter_reads_why_they_cannot_add_their_name_beside_the_count(place, client):
    m = walk(place, "ideas")
    refused = refusal(lambda: matters.support(actor=place.resident, matter=m))

    page = page_as(client, place.resident, m)

    assert refused.code == "own_matter"
    assert said(refused) in why_not(page)
    assert f'action="/m/{m.pk}/support/"' not in page


def test_an_expert_who_reviewed_the_version_is_not_offered_a_second_review_and_reads_why(place, client):
    m = walk(place, "review")
    submit_review(actor=place.lawyer, matter=m, decision="approve", opinion="方案合法可行。")
    refused = refusal(
        lambda: submit_review(actor=place.lawyer, matter=m, decision="approve", opinion="再看一遍。")
    )

    page = page_as(client, place.lawyer, m)

    assert refused.code == "already_reviewed"
    assert "procedures.review_plan" not in offers(place.lawyer, m)
    assert f'action="/m/{m.pk}/review/"' not in page
    assert said(refused) in why_not(page)
    another = builders.person("王律师")
    builders.role(another, "expert", place.tree.city, expertise="legal")
    assert "procedures.review_plan" in offers(another, m)


def test_a_supporter_reads_on_a_task_under_way_that_the_unit_has_not_finished_it(place, client):
    m = flows.implementing(place)
    matters.support(actor=place.neighbour, matter=m)
    under_way = assign_work(
        actor=place.secretary, matter=m, title="维修坑洼路面", unit=place.fire, due_on=place.soon
    )
    done = assign_work(actor=place.secretary, matter=m, title="清理积水", unit=place.fire, due_on=place.soon)
    report_progress(actor=place.fire_staff, work=done, text="已清理", done=True)
    refused = refusal(lambda: supervise(actor=place.neighbour, work=under_way, verdict="confirm", rating=5))

    page = page_as(client, place.neighbour, m)

    assert refused.code == "not_done"
    assert said(refused) in why_not(page)
    assert f'action="/m/{m.pk}/works/{done.pk}/supervise/"' in page
    assert f'action="/m/{m.pk}/works/{under_way.pk}/supervise/"' not in page


def test_consensus_is_not_offered_before_a_plan_is_drafted(place, client):
    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小修",
    )
    refused = refusal(lambda: engine.advance(actor=place.secretary, matter=m))
    assert refused.code == "evidence_missing"  # the step may be completed once its evidence is in: offered

    assert "procedures.record_consensus" not in offers(place.secretary, m)
    assert "procedures.advance" in offers(place.secretary, m)
    page = page_as(client, place.secretary, m)
    assert f'action="/m/{m.pk}/consensus/"' not in page
    assert escape(tr("No plan has been drafted.")) in why_not(page)
    flows.plan(place, m)
    assert "procedures.record_consensus" in offers(place.secretary, m)


def test_someone_not_entitled_at_another_step_is_refused_as_not_entitled_not_as_at_the_wrong_step(place):
    m = walk(place, "ideas")

    assert refusal(lambda: flows.vote(place, m, 20)).code == "wrong_step"  # the secretary: entitled, not now
    outsider = refusal(
        lambda: assign_work(actor=place.outsider, matter=m, title="修路", unit=place.fire, due_on=place.soon)
    )
    assert outsider.code == Refused.FORBIDDEN
