"""Races on PostgreSQL with real parallel connections: two clicks on one step, two supports by one person."""

import threading

import pytest
from django.db import connection

from tests import builders
from tests.procedures import flows
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter
from yishi.procedures import services as engine
from yishi.procedures.models import Transition

# serialized_rollback: a transactional test empties every table; this puts the seeded rows back afterwards.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(n, work):
    """Run ``work(i)`` in ``n`` threads released together; return what each returned or raised."""
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
    from types import SimpleNamespace

    from django.utils import timezone

    t = builders.tree()
    p = SimpleNamespace(tree=t, now=timezone.now(), category=builders.category("environment"))
    p.secretary = builders.person("张金利")
    builders.role(p.secretary, "committee", t.community)
    p.resident = builders.person("刘桂兰")
    m = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="eight_steps")
    flows.session(p, m)
    return p, m


def test_of_two_simultaneous_advances_one_wins_and_the_other_is_told_clearly(ready):
    p, m = ready
    results = race(
        2,
        lambda i: engine.advance(
            actor=p.secretary, matter=Matter.objects.get(pk=m.pk), expected_step="ideas"
        ),
    )
    wins = [r for r in results if isinstance(r, Matter)]
    losses = [r for r in results if isinstance(r, Refused)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "stale_step"
    assert Transition.objects.filter(matter=m, kind="advance", from_step="ideas").count() == 1
    assert Matter.objects.get(pk=m.pk).step_key == "draft"


def test_one_person_supporting_twice_at_once_counts_once(ready):
    _p, m = ready
    neighbour = builders.person("王建国")
    results = race(4, lambda i: matters.support(actor=neighbour, matter=Matter.objects.get(pk=m.pk)))
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1, results
    assert all(isinstance(r, Refused) for r in results if isinstance(r, Exception)), results
    assert Matter.objects.get(pk=m.pk).supporter_count == 1


def test_many_people_supporting_at_once_lose_no_count(ready):
    _p, m = ready
    people = [builders.person(f"居民{i}") for i in range(8)]
    race(8, lambda i: matters.support(actor=people[i], matter=Matter.objects.get(pk=m.pk)))
    assert Matter.objects.get(pk=m.pk).supporter_count == 8
