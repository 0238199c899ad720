"""Paper ballots and shows of hands: voters ticked off by name, counts entered twice by two different people."""

import pytest

from tests.votes.conftest import opened
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.votes import casting, queries, tallies
from yishi.votes.models import NamedChoice, Participation, TallyEntry, Vote
from yishi.votes.rules_math import TallyState


def refused(code, fn, **kwargs):
    with pytest.raises(Refused) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.reason
    return exc.value


@pytest.fixture
def show_of_hands(town):
    """Eight representatives raise their hands at the meeting; two stay away."""
    vote = opened(town)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="hands", electors=town.reps[:8])
    return vote


def test_two_staff_entering_the_same_count_make_it_accepted_and_it_is_counted(town, show_of_hands):
    vote = show_of_hands
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 7, "no": 1})
    assert queries.tally_status(vote, "hands") == (TallyState.PENDING, None)
    tallies.enter_tally(
        actor=town.clerk, vote=vote, channel="hands", counts={"yes": 7, "no": 1, "abstain": 0}
    )
    assert queries.tally_status(vote, "hands") == (TallyState.ACCEPTED, {"yes": 7, "no": 1, "abstain": 0})
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert vote.result["counts"] == {"yes": 7, "no": 1, "abstain": 0}
    assert (vote.result["present"], vote.passed) == (8, True)  # 7 of 10 ≥ 2/3
    entries = AuditEntry.objects.filter(action="votes.enter_tally").order_by("seq")
    assert [e.data["agrees"] for e in entries] == [None, True]


def test_two_counts_that_disagree_are_both_kept_neither_counts_and_the_vote_cannot_close(town, show_of_hands):
    vote = show_of_hands
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 7, "no": 1})
    tallies.enter_tally(actor=town.clerk, vote=vote, channel="hands", counts={"yes": 6, "no": 2})
    assert queries.tally_status(vote, "hands")[0] == TallyState.MISMATCH
    error = refused("tally_mismatch", tallies.close_vote, actor=town.secretary, vote=vote)
    assert "disagree" in str(error) and "show of hands" in str(error)
    assert TallyEntry.objects.filter(vote=vote).count() == 2
    assert Vote.objects.get(pk=vote.pk).is_open


def test_after_a_mismatch_a_recount_entered_twice_resolves_it(town, show_of_hands):
    vote = show_of_hands
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 7, "no": 1})
    tallies.enter_tally(actor=town.clerk, vote=vote, channel="hands", counts={"yes": 6, "no": 2})
    tallies.enter_tally(actor=town.clerk, vote=vote, channel="hands", counts={"yes": 6, "no": 2})
    refused("tally_pending", tallies.close_vote, actor=town.secretary, vote=vote)
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 6, "no": 2})
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert vote.result["counts"]["yes"] == 6 and vote.passed is False  # 6 of 10 < 2/3
    assert list(TallyEntry.objects.filter(vote=vote).values_list("round", "position")) == [
        (1, 1),
        (1, 2),
        (2, 1),
        (2, 2),
    ]


def test_the_same_person_cannot_enter_both_counts(town, show_of_hands):
    vote = show_of_hands
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 7, "no": 1})
    error = refused(
        "same_staff",
        tallies.enter_tally,
        actor=town.secretary,
        vote=vote,
        channel="hands",
        counts={"yes": 7, "no": 1},
    )
    assert "second member of staff" in str(error)
    assert TallyEntry.objects.filter(vote=vote).count() == 1


def test_a_count_entered_once_holds_the_close(town, show_of_hands):
    vote = show_of_hands
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 7, "no": 1})
    error = refused("tally_pending", tallies.close_vote, actor=town.secretary, vote=vote)
    assert "entered once" in str(error)


def test_voters_ticked_off_without_a_count_hold_the_close(town, show_of_hands):
    refused("tally_missing", tallies.close_vote, actor=town.secretary, vote=show_of_hands)


def test_an_accepted_count_is_not_entered_again(town, show_of_hands):
    vote = show_of_hands
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 8})
    tallies.enter_tally(actor=town.clerk, vote=vote, channel="hands", counts={"yes": 8})
    refused(
        "tally_accepted",
        tallies.enter_tally,
        actor=town.secretary,
        vote=vote,
        channel="hands",
        counts={"yes": 7},
    )


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        ({"yes": 9}, "tally_exceeds_participants"),
        ({"yes": 5, "no": 4}, "tally_exceeds_participants"),
        ({"maybe": 1}, "unknown_option"),
        ({"yes": -1}, "invalid_count"),
        ({"yes": 1.5}, "invalid_count"),
        ({"yes": "3"}, "invalid_count"),
    ],
)
def test_a_count_that_cannot_be_right_is_refused(town, show_of_hands, counts, code):
    refused(
        code, tallies.enter_tally, actor=town.secretary, vote=show_of_hands, channel="hands", counts=counts
    )
    assert not TallyEntry.objects.exists()


def test_counts_are_entered_for_paper_or_hands_only_and_by_staff_only(town, show_of_hands):
    vote = show_of_hands
    refused(
        "unknown_channel",
        tallies.enter_tally,
        actor=town.secretary,
        vote=vote,
        channel="online",
        counts={"yes": 1},
    )
    refused(
        "forbidden", tallies.enter_tally, actor=town.reps[0], vote=vote, channel="hands", counts={"yes": 1}
    )
    refused(
        "forbidden",
        tallies.enter_tally,
        actor=town.other_secretary,
        vote=vote,
        channel="hands",
        counts={"yes": 1},
    )
    refused(
        "forbidden",
        tallies.record_participation,
        actor=town.reps[0],
        vote=vote,
        channel="paper",
        electors=[town.reps[9]],
    )


def test_paper_hands_and_online_are_counted_into_one_result(town):
    vote = opened(town)
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes")
    casting.cast_ballot(actor=town.reps[1], vote=vote, option="no")
    tallies.record_participation(actor=town.secretary, vote=vote, channel="paper", electors=town.reps[2:6])
    tallies.record_participation(actor=town.secretary, vote=vote, channel="hands", electors=town.reps[6:9])
    for staff in (town.secretary, town.clerk):
        tallies.enter_tally(actor=staff, vote=vote, channel="paper", counts={"yes": 3, "abstain": 1})
        tallies.enter_tally(actor=staff, vote=vote, channel="hands", counts={"yes": 2})
    assert queries.participation_by_channel(vote) == {"online": 2, "paper": 4, "hands": 3, "proxy": 0}
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert vote.result["counts"] == {"yes": 6, "no": 1, "abstain": 1}
    assert vote.result["blank"] == 1  # one raised no hand either way
    assert (vote.result["present"], vote.result["electorate"], vote.passed) == (9, 10, False)  # 6 < 7


def test_a_voter_is_ticked_off_once_even_across_paper_and_hands(town, show_of_hands):
    vote = show_of_hands
    error = refused(
        "counted_on_paper",
        tallies.record_participation,
        actor=town.secretary,
        vote=vote,
        channel="paper",
        electors=[town.reps[9], town.reps[0]],
    )
    assert town.reps[0].name in str(error)
    refused(
        "elector_repeated",
        tallies.record_participation,
        actor=town.secretary,
        vote=vote,
        channel="paper",
        electors=[town.reps[9], town.reps[9]],
    )
    refused(
        "not_an_elector",
        tallies.record_participation,
        actor=town.secretary,
        vote=vote,
        channel="paper",
        electors=[town.resident],
    )
    assert Participation.objects.filter(vote=vote).count() == 8


def test_an_open_vote_may_record_who_raised_their_hand_for_what(town):
    vote = opened(town)
    tallies.record_participation(
        actor=town.secretary,
        vote=vote,
        channel="hands",
        electors=town.reps[:3],
        choices={town.reps[0]: "yes", town.reps[1]: "no", town.reps[2]: "yes"},
    )
    named = {(n.elector.person_id, n.option.key) for n in NamedChoice.objects.filter(vote=vote)}
    assert named == {(town.reps[0].pk, "yes"), (town.reps[1].pk, "no"), (town.reps[2].pk, "yes")}
    # A complete named list is the count; no separate double entry is needed.
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert vote.result["counts"] == {"yes": 2, "no": 1, "abstain": 0}


def test_a_named_list_longer_than_its_count_stops_the_close(town):
    vote = opened(town)
    tallies.record_participation(
        actor=town.secretary,
        vote=vote,
        channel="hands",
        electors=town.reps[:3],
        choices={town.reps[0]: "no", town.reps[1]: "no"},
    )
    for staff in (town.secretary, town.clerk):
        tallies.enter_tally(actor=staff, vote=vote, channel="hands", counts={"yes": 2, "no": 1})
    refused("named_exceeds_tally", tallies.close_vote, actor=town.secretary, vote=vote)


def test_a_choice_named_for_someone_not_ticked_off_is_refused(town):
    vote = opened(town)
    refused(
        "named_not_taking_part",
        tallies.record_participation,
        actor=town.secretary,
        vote=vote,
        channel="hands",
        electors=[town.reps[0]],
        choices={town.reps[1]: "yes"},
    )
    assert not Participation.objects.exists()


def test_tally_entries_are_append_only(town, show_of_hands):
    entry = tallies.enter_tally(actor=town.secretary, vote=show_of_hands, channel="hands", counts={"yes": 8})
    entry.counts = {"yes": 1}
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
