"""Offered equals accepted, for surveys: the survey page and ``available_actions`` offer exactly what the
services accept, for every state of a survey, every principal and every action (see ``tests/grid.py``)."""

import pytest

from tests import grid
from yishi.surveys import api, predicates, services
from yishi.surveys.codes import household_code
from yishi.surveys.models import Survey


def _survey(w, region, *, questions=True, open_it=False, close=False, publish=False, answered=False):
    survey = services.create_survey(actor=w.committee, region=region, title="聘请专业绿化队入户调查表")
    if questions:
        services.add_question(
            actor=w.committee, survey=survey, kind="single", text="是否同意？", choices=["同意", "不同意"]
        )
    if open_it:
        services.open_survey(actor=w.committee, survey=survey)
        # A paper form keyed in for the third household, so that there is a response to void.
        services.record_paper_response(
            actor=w.committee, survey=survey, answers=_answers(survey), household=w.home3
        )
        if answered:
            services.submit_response(actor=w.resident, survey=survey, answers=_answers(survey))
    if close:
        services.close_survey(actor=w.committee, survey=survey)
    if publish:
        services.publish_results(actor=w.committee, survey=survey)
    return survey.pk


def _answers(survey):
    return {q.pk: q.choices.first().pk for q in survey.questions.filter(kind="single")}


def build():
    w = grid.place()
    c, t = w.tree.compound, w.tree
    w.states = {
        "draft without questions": _survey(w, c, questions=False),
        "draft": _survey(w, c),
        "open": _survey(w, c, open_it=True),
        "open, the resident's household answered": _survey(w, c, open_it=True, answered=True),
        "open, in the community": _survey(w, t.community, open_it=True),
        "closed": _survey(w, c, open_it=True, close=True),
        "published": _survey(w, c, open_it=True, close=True, publish=True),
    }
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from grid.built_once(django_db_blocker, build)


def _calls(person, pk, w):
    def fresh():
        return Survey.objects.select_related("region").get(pk=pk)

    def record_paper():
        survey = fresh()
        return services.record_paper_response(
            actor=person, survey=survey, answers=_answers(survey), code=household_code(pk, w.home2.pk)
        )

    def void():
        survey = fresh()
        response = survey.responses.filter(household=w.home3).get()
        return services.void_response(actor=person, response=response, reason="录错户")

    return {
        "add_question": lambda: services.add_question(
            actor=person, survey=fresh(), kind="text", text="其他意见", required=False
        ),
        "remove_question": lambda: services.remove_question(
            actor=person, question=fresh().questions.order_by("pk").last()
        ),
        "open": lambda: services.open_survey(actor=person, survey=fresh()),
        "answer": lambda: services.submit_response(actor=person, survey=fresh(), answers=_answers(fresh())),
        "record_paper": record_paper,
        "void_response": void,
        "close": lambda: services.close_survey(actor=person, survey=fresh()),
        "publish": lambda: services.publish_results(actor=person, survey=fresh()),
    }


def test_every_survey_action_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.states.items():
        for label, person in grid.principals(world).items():
            survey = Survey.objects.select_related("region").get(pk=pk)
            listed = api._detail(survey, person)["available_actions"]
            calls = _calls(person, pk, world)
            # Nothing to remove or void: the page's buttons are per question and per response, and there
            # is none; the API still lists the action (a question added next may be removed).
            if not survey.questions.exists():
                del calls["remove_question"]
            if not survey.responses.exists():
                del calls["void_response"]
            offered = {a: r for a, r in predicates.reasons(person, survey).items() if a in calls}
            mismatches += grid.compare(
                state=state,
                principal=label,
                offered=offered,
                calls=calls,
                listed=listed,
                vocabulary=predicates.ACTIONS,
            )
            checked += len(calls)
    grid.assert_none(mismatches, checked)


def test_its_manager_sees_why_a_draft_cannot_be_opened_in_the_services_words(world, db):
    from django.test import Client
    from django.urls import reverse
    from django.utils.translation import gettext

    client = Client()
    client.force_login(world.committee)
    page = client.get(reverse("surveys:detail", args=[world.states["draft without questions"]]))
    html = page.content.decode()
    assert 'id="why-not-open"' in html
    assert gettext("Add at least one question before opening the survey.") in html
    assert reverse("surveys:open", args=[world.states["draft without questions"]]) not in html
