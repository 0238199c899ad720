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


def _new_matters(p, n):
    return [
        matters.record_matter(
            actor=p.secretary,
            region=p.tree.compound,
            category=p.category,
            channel="visit",
            title=f"西侧路积水{i}",
            description="同一问题",
        )
        for i in range(n)
    ]


def test_of_two_screenings_at_once_one_wins_and_the_other_is_refused(ready):
    p, _m = ready
    (new,) = _new_matters(p, 1)
    screenings = [
        lambda: matters.accept(actor=p.secretary, matter=Matter.objects.get(pk=new.pk)),
        lambda: matters.decline(actor=p.secretary, matter=Matter.objects.get(pk=new.pk), reason="重复"),
    ]
    results = race(2, lambda i: screenings[i]())
    wins = [r for r in results if isinstance(r, Matter)]
    losses = [r for r in results if isinstance(r, Refused)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "already_screened"
    assert Transition.objects.filter(matter=new, kind__in=["start", "decline"]).count() == 1


def test_of_two_merges_of_one_duplicate_at_once_one_wins(ready):
    p, m = ready
    duplicate, other = _new_matters(p, 2)
    targets = [m, other]
    results = race(
        2,
        lambda i: matters.merge(
            actor=p.secretary, matter=Matter.objects.get(pk=duplicate.pk), into=targets[i]
        ),
    )
    wins = [r for r in results if isinstance(r, Matter)]
    losses = [r for r in results if isinstance(r, Refused)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "already_screened"
    assert Transition.objects.filter(matter=duplicate, kind="merge").count() == 1


def test_two_matters_merged_into_each_other_at_once_do_not_deadlock(ready):
    p, _m = ready
    a, b = _new_matters(p, 2)
    pairs = [(a, b), (b, a)]
    results = race(
        2,
        lambda i: matters.merge(
            actor=p.secretary,
            matter=Matter.objects.get(pk=pairs[i][0].pk),
            into=Matter.objects.get(pk=pairs[i][1].pk),
        ),
    )
    wins = [r for r in results if isinstance(r, Matter)]
    losses = [r for r in results if isinstance(r, Refused)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert Transition.objects.filter(matter__in=[a, b], kind="merge").count() == 1
    assert sorted(Matter.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == [
        "merged",
        "new",
    ]
