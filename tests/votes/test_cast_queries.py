"""Casting a ballot through the API costs a bounded number of queries, and its roll-up shortcut (adding the
one participation to the vote's stored contribution) leaves the same tables as a full recount."""

import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.stats.test_rollups import tables
from tests.votes.conftest import opened, owned_household
from yishi.people.tokens import issue_token
from yishi.stats import rebuilding, rollups
from yishi.stats.models import Counter, Source
from yishi.votes.models import Ballot, Participation

# Within the test's transaction, so the service's own transaction is a savepoint (two queries). One more when
# the random starting receipt lies past the last blank ballot and the search wraps around.
MAX_QUERIES = {"sqlite": 25, "postgresql": 25}


def cast(person, vote, option="yes", seat=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")
    body = {"option": option, **({"seat": seat} if seat else {})}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/v1/votes/{vote.pk}/ballots", json.dumps(body), content_type="application/json"
        )
    return response, len(captured.captured_queries)


def test_casting_costs_at_most_the_budgeted_queries(town):
    vote = opened(town)
    for rep in town.reps[:4]:
        response, queries = cast(rep, vote)
        assert response.status_code == 201, response.content
        assert queries <= MAX_QUERIES[connection.vendor]


def test_a_second_ballot_is_still_refused_and_changes_nothing(town):
    vote = opened(town)
    assert cast(town.reps[0], vote)[0].status_code == 201
    before = (tables(), list(Source.objects.values_list("data", flat=True)))
    response, _queries = cast(town.reps[0], vote, "no")
    assert response.status_code == 409 and response.json()["code"] == "already_voted"
    assert Participation.objects.filter(vote=vote).count() == 1
    assert Ballot.objects.filter(vote=vote, option__isnull=False).count() == 1
    assert (tables(), list(Source.objects.values_list("data", flat=True))) == before


def test_ballots_cast_online_leave_the_roll_ups_a_recount_would(town):
    vote = opened(town)
    for i, rep in enumerate(town.reps[:5]):
        assert cast(rep, vote, ("yes", "no")[i % 2])[0].status_code == 201
    stored = Source.objects.get(kind=rollups.VOTE, object_id=vote.pk).data
    assert len(stored["p"]) == 5
    kept = tables()
    assert Counter.objects.filter(region=town.tree.city, dim="people.m", n=5).exists()
    rollups.refresh(rollups.VOTE, [vote.pk])  # recomputed from every participation: nothing to add
    assert tables() == kept
    assert sorted(Source.objects.get(kind=rollups.VOTE, object_id=vote.pk).data["p"]) == sorted(stored["p"])
    rebuilding.rebuild()
    assert tables() == kept


def test_a_household_seat_counts_no_person_as_a_recount_does(town):
    owner = town.resident
    owned_household(town.tree.building, "101", "80.5", owner)
    vote = opened(town, electorate="households")
    response, _queries = cast(owner, vote)
    assert response.status_code == 201, response.content
    kept = tables()
    rebuilding.rebuild()
    assert tables() == kept


def test_a_vote_that_takes_no_proxies_reads_no_proxies_for_a_voters_seats(town):
    from yishi.votes.queries import seats_for

    vote = opened(town)
    assert not vote.takes_proxies
    with CaptureQueriesContext(connection) as captured:
        seats = seats_for(vote, town.reps[0])
    assert [s.kind for s in seats] == ["own"]
    assert not [q["sql"] for q in captured.captured_queries if "votes_proxy" in q["sql"]]
    vote.proxies_allowed = True  # a vote that takes them: the proxies are read (none held here)
    with CaptureQueriesContext(connection) as captured:
        assert [s.kind for s in seats_for(vote, town.reps[0])] == ["own"]
    assert [q["sql"] for q in captured.captured_queries if "votes_proxy" in q["sql"]]
