"""A secret ballot stores no link from voter to choice, yet each voter votes once and can find their receipt.

What is checked: the schema (no column of the ballot table refers to an elector, a person or a participation,
in the models or in the database's own foreign keys), the rows (no time, no named list, nothing in the audit
chain), and the order (neither keys, receipts nor SQLite's rowid follow the order of voting). What is not
achieved, PostgreSQL's per-row transaction stamp, is shown as such at the end.
"""

import pytest
from django.apps import apps
from django.db import connection

from tests import builders
from tests.votes.conftest import opened
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.people.models import Person
from yishi.votes import casting, queries, tallies
from yishi.votes.models import Ballot, Elector, ElectorVoice, NamedChoice, Participation, Proxy

VOTER_TABLES = {m._meta.db_table for m in (Elector, ElectorVoice, Participation, Person, Proxy, NamedChoice)}


def kendall_tau(order_a: list, order_b: list) -> float:
    """Rank correlation of two orderings of the same items: 1 identical, -1 reversed, near 0 unrelated."""
    rank = {item: i for i, item in enumerate(order_b)}
    ranks = [rank[item] for item in order_a]
    n = len(ranks)
    concordant = sum(1 for i in range(n) for j in range(i + 1, n) if ranks[i] < ranks[j])
    pairs = n * (n - 1) // 2
    return (2 * concordant - pairs) / pairs


@pytest.fixture
def secret_vote(town):
    voters = [*town.reps, *[builders.person(f"居民{i}") for i in range(30)]]
    vote = opened(town, electorate="list", people=voters, secret=True, preset="residents_assembly")
    return vote, voters


def test_the_ballot_model_refers_to_nothing_but_its_vote_and_its_option():
    relations = {f.name: f.related_model for f in Ballot._meta.get_fields() if f.is_relation and f.concrete}
    assert {name: model._meta.label for name, model in relations.items()} == {
        "vote": "votes.Vote",
        "option": "votes.Option",
    }
    columns = {f.column for f in Ballot._meta.concrete_fields}
    assert columns == {"id", "vote_id", "receipt", "option_id", "cast_at"}


def test_the_only_model_that_can_point_at_a_ballot_is_the_named_list_of_open_votes():
    pointing = sorted(
        f"{m._meta.label}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if f.is_relation and f.related_model is Ballot
    )
    assert pointing == ["votes.NamedChoice.ballot"]


def test_the_database_schema_has_no_foreign_key_from_ballots_to_voters(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Ballot._meta.db_table)
        described = connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
    targets = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    assert targets == {"votes_vote", "votes_option"}
    assert not targets & VOTER_TABLES
    assert sorted(col.name for col in described) == ["cast_at", "id", "option_id", "receipt", "vote_id"]


def test_secret_ballots_keep_no_time_no_named_list_and_nothing_in_the_audit_chain(secret_vote):
    vote, voters = secret_vote
    receipts = [
        casting.cast_ballot(actor=v, vote=vote, option="yes" if i % 3 else "no")
        for i, v in enumerate(voters[:12])
    ]
    ballots = Ballot.objects.filter(vote=vote, option__isnull=False)
    assert ballots.count() == 12
    assert not ballots.filter(cast_at__isnull=False).exists()
    assert not NamedChoice.objects.filter(vote=vote).exists()
    chain = [str(e.data) + e.target_id for e in AuditEntry.objects.filter(action="votes.cast_ballot")]
    assert len(chain) == 12
    for receipt in receipts:
        assert not any(receipt in text for text in chain)
    assert not any("yes" in text or "'no'" in text for text in chain)
    assert all(b.id.version == 4 for b in ballots)  # random keys, not a counter


def test_a_secret_vote_refuses_a_named_list(secret_vote, town):
    vote, voters = secret_vote
    with pytest.raises(Refused) as exc:
        tallies.record_participation(
            actor=town.secretary, vote=vote, channel="hands", electors=[voters[0]], choices={voters[0]: "yes"}
        )
    assert exc.value.code == "named_in_secret"
    assert not Participation.objects.filter(vote=vote).exists()


def test_neither_keys_receipts_nor_storage_order_follow_the_order_of_voting(secret_vote):
    vote, voters = secret_vote
    cast_order = [casting.cast_ballot(actor=v, vote=vote, option="yes") for v in voters]
    ballots = Ballot.objects.filter(vote=vote, option__isnull=False)
    by_key = list(ballots.order_by("id").values_list("receipt", flat=True))
    by_receipt = list(ballots.order_by("receipt").values_list("receipt", flat=True))
    orders = {"key": by_key, "receipt": by_receipt}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT receipt FROM votes_ballot WHERE vote_id = %s AND option_id IS NOT NULL "
                "ORDER BY rowid",
                [vote.pk],
            )
            orders["rowid"] = [row[0] for row in cursor.fetchall()]
    participations = list(
        Participation.objects.filter(vote=vote).order_by("pk").values_list("elector__person", flat=True)
    )
    assert participations == [v.pk for v in voters]  # participations do follow the order: they are public
    for name, order in orders.items():
        assert sorted(order) == sorted(cast_order)
        # 40 ballots: an unrelated order has |tau| around 0.1; 0.6 is over four standard deviations away.
        assert abs(kendall_tau(order, cast_order)) < 0.6, name


def test_receipts_are_published_when_the_vote_closes_without_the_secret_choices(secret_vote, town):
    vote, voters = secret_vote
    mine = casting.cast_ballot(actor=voters[0], vote=vote, option="no")
    casting.cast_ballot(actor=voters[1], vote=vote, option="yes")
    assert queries.receipts_counted(vote) == []  # a list growing during the vote would date each receipt
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    published = queries.receipts_counted(vote)
    assert (mine, None) in published and len(published) == 2
    assert all(choice is None for _code, choice in published)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_what_is_not_achieved_postgresql_transaction_ids_still_link_ballot_and_participation(
    on_postgres, secret_vote
):
    """A database superuser can link them through the system column ``xmin``: the participation (written in a
    savepoint) and the ballot carry the same or adjacent transaction ids. See votes/casting.py."""
    vote, voters = secret_vote
    choices = ["no", "yes", "yes", "abstain", "no"]
    for voter, choice in zip(voters, choices, strict=False):
        casting.cast_ballot(actor=voter, vote=vote, option=choice)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.xmin::text::bigint, o.key FROM votes_ballot b JOIN votes_option o ON o.id = b.option_id "
            "WHERE b.vote_id = %s",
            [vote.pk],
        )
        ballots = cursor.fetchall()
        cursor.execute(
            "SELECT p.xmin::text::bigint, e.person_id FROM votes_participation p "
            "JOIN votes_elector e ON e.id = p.elector_id WHERE p.vote_id = %s",
            [vote.pk],
        )
        participations = cursor.fetchall()
    # The ballot's transaction id comes first, the participation's savepoint right after it, and the next cast
    # only later; other sessions of the cluster (a parallel test worker) can take ids in between. So the first
    # participation at or after a ballot's id names its voter.
    linked = sorted(
        (min((p for p in participations if p[0] >= xid), default=(0, None))[1], choice)
        for xid, choice in ballots
    )
    assert linked == sorted((v.pk, c) for v, c in zip(voters, choices, strict=False))
