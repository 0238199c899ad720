"""Voting online: a receipt for each ballot, one vote per elector across every channel, clear refusals."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import builders
from tests.votes.conftest import opened, owned_household
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.votes import casting, drafting, tallies
from yishi.votes.models import Ballot, Channel, NamedChoice, Participation


def refused(code, fn, **kwargs):
    with pytest.raises(Refused) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.reason
    return exc.value


def filled(vote):
    return Ballot.objects.filter(vote=vote, option__isnull=False)


def test_a_ballot_fills_one_blank_and_returns_its_receipt_code(town):
    vote = opened(town)
    receipt = casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes")
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", receipt)
    ballot = filled(vote).get()
    assert (ballot.receipt, ballot.option.key) == (receipt, "yes")
    participation = Participation.objects.get(vote=vote)
    assert (participation.elector.person, participation.channel) == (town.reps[0], Channel.ONLINE)
    entry = AuditEntry.objects.get(action="votes.cast_ballot")
    assert entry.target_id == str(participation.pk)


def test_an_open_vote_names_who_voted_how_and_when(town):
    vote = opened(town)
    receipt = casting.cast_ballot(actor=town.reps[1], vote=vote, option="no")
    named = NamedChoice.objects.get(vote=vote)
    assert (named.elector.person, named.option.key, named.ballot.receipt) == (town.reps[1], "no", receipt)
    assert named.ballot.cast_at is not None


def test_a_second_ballot_by_the_same_voter_is_refused_and_nothing_changes(town):
    vote = opened(town)
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes")
    error = refused("already_voted", casting.cast_ballot, actor=town.reps[0], vote=vote, option="no")
    assert str(error) == "You have already voted online."
    assert [b.option.key for b in filled(vote)] == ["yes"]
    assert Participation.objects.filter(vote=vote).count() == 1
    assert AuditEntry.objects.filter(action="votes.cast_ballot").count() == 1


def test_someone_outside_the_electorate_cannot_vote(town):
    vote = opened(town)
    refused("not_an_elector", casting.cast_ballot, actor=town.resident, vote=vote, option="yes")
    refused("forbidden", casting.cast_ballot, actor=AnonymousUser(), vote=vote, option="yes")
    refused("forbidden", casting.cast_ballot, actor=None, vote=vote, option="yes")
    assert not filled(vote).exists()


def test_a_draft_or_closed_vote_takes_no_ballots(town):
    draft = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="Q")
    refused("vote_not_open", casting.cast_ballot, actor=town.reps[0], vote=draft, option="yes")
    vote = opened(town)
    tallies.close_vote(actor=town.secretary, vote=vote)
    error = refused("vote_closed", casting.cast_ballot, actor=town.reps[0], vote=vote, option="yes")
    assert str(error) == "This vote is closed."


def test_a_choice_not_on_the_ballot_is_refused(town):
    vote, other = opened(town), opened(town, question="另一个表决")
    for option in ("maybe", None, other.options.get(key="yes"), 3):
        refused("unknown_option", casting.cast_ballot, actor=town.reps[0], vote=vote, option=option)
    assert casting.cast_ballot(actor=town.reps[0], vote=vote, option=vote.options.get(key="abstain"))


def test_a_voter_counted_on_paper_cannot_also_vote_online(town):
    vote = opened(town)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="paper", electors=[town.reps[0]])
    error = refused("counted_on_paper", casting.cast_ballot, actor=town.reps[0], vote=vote, option="yes")
    assert "paper ballot" in str(error)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="hands", electors=[town.reps[1]])
    error = refused("counted_on_paper", casting.cast_ballot, actor=town.reps[1], vote=vote, option="yes")
    assert "show of hands" in str(error)
    assert not filled(vote).exists()


def test_a_voter_who_voted_online_cannot_also_be_counted_on_paper(town):
    vote = opened(town)
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes")
    error = refused(
        "already_voted",
        tallies.record_participation,
        actor=town.secretary,
        vote=vote,
        channel="paper",
        electors=[town.reps[1], town.reps[0]],
    )
    assert str(error) == f"{town.reps[0].name} has already voted online."
    assert Participation.objects.filter(vote=vote).count() == 1  # reps[1] was not ticked off either


def test_the_database_itself_refuses_a_second_participation_whatever_the_channel(town):
    from django.db import IntegrityError, transaction

    vote = opened(town)
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes")
    elector = vote.electors.get(person=town.reps[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(vote=vote, elector=elector, channel=Channel.PAPER)


def test_one_member_of_a_household_votes_for_it_and_the_others_are_told(town):
    head, spouse = builders.person("户主"), builders.person("配偶")
    owned_household(town.tree.building, "101", "80", head, member=spouse)
    vote = opened(town, region=town.tree.compound, electorate="households", preset="residents_assembly")
    casting.cast_ballot(actor=spouse, vote=vote, option="yes")
    error = refused("already_voted", casting.cast_ballot, actor=head, vote=vote, option="no")
    assert "has already voted online" in str(error)


def test_someone_speaking_for_two_households_chooses_which_one(town):
    owner = builders.person("两套房业主")
    first = owned_household(town.tree.building, "101", "80", owner)
    second = owned_household(town.tree.building, "102", "80", owner)
    vote = opened(town, region=town.tree.compound, electorate="households", preset="residents_assembly")
    refused("choose_household", casting.cast_ballot, actor=owner, vote=vote, option="yes")
    casting.cast_ballot(actor=owner, vote=vote, option="yes", household=first)
    casting.cast_ballot(actor=owner, vote=vote, option="no", household=second)
    assert filled(vote).count() == 2
    stranger = builders.person("外人")
    refused("not_an_elector", casting.cast_ballot, actor=stranger, vote=vote, option="yes", household=first)
