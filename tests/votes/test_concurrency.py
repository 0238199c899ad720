"""Races on PostgreSQL with real parallel connections: duplicate submits, and ballots arriving as the vote closes."""

import queue
import threading
import time

import pytest
from django.db import connection

from tests import builders
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify
from yishi.errors import Refused
from yishi.votes import casting, drafting, queries, tallies
from yishi.votes.models import Ballot, Participation, Vote

# serialized_rollback: a transactional test empties every table; this puts the seeded rows back afterwards.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORKERS = 16


def run_workers(jobs: list, work, workers: int = WORKERS) -> list:
    """Feed ``jobs`` to ``workers`` threads, each on its own connection; return (job, result or exception)."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    start = threading.Barrier(workers)
    results, lock = [], threading.Lock()

    def body():
        try:
            start.wait(timeout=30)
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = work(job)
                except Exception as exc:
                    outcome = exc
                with lock:
                    results.append((job, outcome))
        finally:
            connection.close()

    threads = [threading.Thread(target=body) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a voter hung"
    return results


@pytest.fixture
def staff(on_postgres):
    t = builders.tree()
    secretary = builders.person("张金利")
    builders.role(secretary, "committee", t.community)
    return t, secretary


def test_two_hundred_voters_each_submitting_twice_at_once_leave_exactly_one_ballot_each(staff):
    t, secretary = staff
    voters = [builders.person(f"居民{i}") for i in range(200)]
    vote = drafting.create_vote(
        actor=secretary,
        region=t.community,
        question="是否同意？",
        electorate="list",
        people=voters,
        secret=True,
        preset="residents_assembly",
    )
    vote = drafting.open_vote(actor=secretary, vote=vote)
    # Each voter's two submits sit next to each other in the queue, so two workers take them at the same time.
    jobs = [(i, "yes" if i % 4 else "no") for i in range(200) for _ in range(2)]
    results = run_workers(
        jobs, lambda job: casting.cast_ballot(actor=voters[job[0]], vote=vote, option=job[1])
    )

    unexpected = [r for _job, r in results if isinstance(r, Exception) and not isinstance(r, Refused)]
    assert unexpected == []
    receipts = {i: [r for (j, _o), r in results if j == i and isinstance(r, str)] for i in range(200)}
    refusals = [r.code for _job, r in results if isinstance(r, Refused)]
    assert all(len(codes) == 1 for codes in receipts.values()), [
        i for i, c in receipts.items() if len(c) != 1
    ]
    assert refusals == ["already_voted"] * 200
    filled = Ballot.objects.filter(vote=vote, option__isnull=False)
    assert sorted(filled.values_list("receipt", flat=True)) == sorted(c[0] for c in receipts.values())
    assert Participation.objects.filter(vote=vote).count() == 200
    assert Participation.objects.filter(vote=vote).values("elector").distinct().count() == 200
    assert AuditEntry.objects.filter(action="votes.cast_ballot").count() == 200

    vote = tallies.close_vote(actor=secretary, vote=vote)
    assert vote.result["counts"] == {"yes": 150, "no": 50, "abstain": 0}
    assert (vote.result["present"], vote.passed) == (200, True)
    assert len(queries.receipts_counted(vote)) == 200
    assert verify() is None


def test_ballots_racing_the_close_are_either_counted_or_refused_never_left_out(staff):
    t, secretary = staff
    voters = [builders.person(f"居民{i}") for i in range(120)]
    vote = drafting.create_vote(
        actor=secretary,
        region=t.community,
        question="是否同意？",
        electorate="list",
        people=voters,
        preset="residents_assembly",
    )
    vote = drafting.open_vote(actor=secretary, vote=vote)
    closed = []

    def work(job):
        if job == "close":
            time.sleep(0.05)  # let some ballots in first
            closed.append(tallies.close_vote(actor=secretary, vote=Vote.objects.get(pk=vote.pk)))
            return "closed"
        return casting.cast_ballot(actor=voters[job], vote=vote, option="yes")

    jobs = [*range(40), "close", *range(40, 120)]
    results = run_workers(jobs, work, workers=8)
    assert [r for _job, r in results if isinstance(r, Exception) and not isinstance(r, Refused)] == []
    accepted = [r for job, r in results if job != "close" and isinstance(r, str)]
    refusals = {r.code for _job, r in results if isinstance(r, Refused)}
    assert refusals <= {"vote_closed"}
    assert len(accepted) + sum(1 for _job, r in results if isinstance(r, Refused)) == 120
    (final,) = closed
    assert (
        final.result["present"]
        == len(accepted)
        == Ballot.objects.filter(vote=vote, option__isnull=False).count()
    )
    assert sorted(code for code, _choice in queries.receipts_counted(final)) == sorted(accepted)
