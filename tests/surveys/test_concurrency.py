"""Races on PostgreSQL with real parallel connections: one household submitting twice at once."""

import threading

import pytest
from django.db import connection

from tests.surveys.conftest import answers, gardening_survey, make_place, member
from yishi.errors import Refused
from yishi.surveys import services
from yishi.surveys.codes import household_code
from yishi.surveys.models import Answer, Response, Survey

# serialized_rollback: a transactional test empties every table; this puts the seeded rows back afterwards.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(n, work):
    """Run ``work(i)`` in ``n`` threads released together, each on its own connection; return results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def ready(on_postgres):
    place = make_place()
    return place, gardening_survey(place)


def test_a_household_submitting_several_times_at_once_gets_one_response_and_clear_refusals(ready):
    place, s = ready
    # The resident twice (a double tap), the spouse online and staff keying in the paper form, all at once.
    calls = [
        lambda: services.submit_response(
            actor=place.resident, survey=Survey.objects.get(pk=s.survey.pk), answers=answers(s)
        ),
        lambda: services.submit_response(
            actor=place.resident, survey=Survey.objects.get(pk=s.survey.pk), answers=answers(s)
        ),
        lambda: services.submit_response(
            actor=place.spouse, survey=Survey.objects.get(pk=s.survey.pk), answers=answers(s, agree=s.no)
        ),
        lambda: services.record_paper_response(
            actor=place.secretary,
            survey=Survey.objects.get(pk=s.survey.pk),
            code=household_code(s.survey.pk, place.b1_homes[0].pk),
            answers=answers(s),
        ),
    ]
    results = race(len(calls), lambda i: calls[i]())
    wins = [r for r in results if isinstance(r, Response)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Refused) and r.code == "already_answered" for r in losses), results
    assert Response.objects.filter(household=place.b1_homes[0]).count() == 1
    # Only the winner's answers were saved: one choice for the single-choice question.
    assert Answer.objects.filter(question=s.agree).count() == 1


def test_many_households_answering_at_once_lose_nothing(ready):
    place, s = ready
    homes = place.b1_homes + place.b2_homes
    people = []
    from tests import builders

    for i, home in enumerate(homes):
        person = builders.person(f"住户{i}")
        member(person, home)
        people.append(person)
    results = race(
        len(people),
        lambda i: services.submit_response(
            actor=people[i], survey=Survey.objects.get(pk=s.survey.pk), answers=answers(s)
        ),
    )
    assert all(isinstance(r, Response) for r in results), results
    assert Response.objects.filter(survey=s.survey).count() == len(homes)
