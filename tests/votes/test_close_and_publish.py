"""Closing a vote: the result by the frozen rule, sealed in the audit chain, published with receipts; corrections."""

import pytest

from tests import builders
from tests.votes.conftest import opened, owned_household
from yishi.audit.models import AuditEntry, AuditHead
from yishi.audit.services import verify
from yishi.errors import Refused
from yishi.votes import casting, drafting, queries, tallies
from yishi.votes.models import Ballot, Correction, Vote


def refused(code, fn, **kwargs):
    with pytest.raises(Refused) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.reason
    return exc.value


def cast(vote, voters, option):
    return [casting.cast_ballot(actor=v, vote=vote, option=option) for v in voters]


def test_the_closed_result_is_in_the_audit_chain_and_carries_the_chain_head(town):
    vote = opened(town)
    cast(vote, town.reps[:7], "yes")
    cast(vote, town.reps[7:9], "no")
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert (vote.status, vote.passed, vote.result_code) == ("closed", True, "passed")
    assert vote.result["counts"] == {"yes": 7, "no": 2, "abstain": 0}
    assert (vote.result["electorate"], vote.result["present"], vote.result["receipts"]) == (10, 9, 9)
    entry = AuditEntry.objects.get(action="votes.close_vote", target_id=str(vote.pk))
    assert (vote.audit_seq, vote.audit_hash) == (entry.seq, entry.hash)
    assert AuditHead.objects.get().last_hash == entry.hash
    assert entry.data["counts"] == vote.result["counts"] and entry.data["decision"]["passed"] is True
    assert verify() is None


def test_a_vote_closes_once_by_staff_with_authority(town):
    vote = opened(town)
    refused("forbidden", tallies.close_vote, actor=town.reps[0], vote=vote)
    refused("forbidden", tallies.close_vote, actor=town.other_secretary, vote=vote)
    tallies.close_vote(actor=town.secretary, vote=vote)
    refused("vote_closed", tallies.close_vote, actor=town.secretary, vote=vote)
    draft = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="Q")
    refused("vote_not_open", tallies.close_vote, actor=town.secretary, vote=draft)


def test_a_representatives_meeting_short_of_its_quorum_fails_however_it_voted(town):
    vote = opened(town, preset="village_representatives")
    cast(vote, town.reps[:6], "yes")  # 6 of 10 present; 7 needed
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert (vote.passed, vote.result_code) == (False, "no_quorum")
    assert queries.public_result(vote).reason == "Only 6 of 10 took part, 7 needed: the vote does not count."


def test_with_its_quorum_a_representatives_meeting_needs_more_than_half_of_those_present(town):
    vote = opened(town, preset="village_representatives")
    cast(vote, town.reps[:4], "yes")
    cast(vote, town.reps[4:8], "no")  # 8 present, 4 in favour: exactly half is not more than half
    assert tallies.close_vote(actor=town.secretary, vote=vote).passed is False
    again = opened(town, preset="village_representatives", question="再表决")
    cast(again, town.reps[:5], "yes")
    cast(again, town.reps[5:8], "no")
    assert tallies.close_vote(actor=town.secretary, vote=again).passed is True


def test_twenty_of_thirty_representatives_pass_the_eight_step_vote_and_nineteen_do_not(town):
    from tests.votes.conftest import representatives

    more = representatives(town.tree.community, 20, prefix="补选代表")
    everyone = [*town.reps, *more]
    passing, failing = opened(town), opened(town, question="第二次")
    cast(passing, everyone[:20], "yes")
    cast(failing, everyone[:19], "yes")
    cast(failing, everyone[19:20], "abstain")
    assert tallies.close_vote(actor=town.secretary, vote=passing).passed is True
    closed = tallies.close_vote(actor=town.secretary, vote=failing)
    assert closed.passed is False
    assert queries.public_result(closed).reason == "19 of 30 in favour, 20 needed: not passed."


@pytest.fixture
def bidders(town):
    """Story S2: the households of 万泰丽景小区 choose a gardening team among three bidders by show of hands."""
    households = [
        owned_household(town.tree.building, str(100 + i), "80", builders.person(f"户主{i}"))
        for i in range(12)
    ]
    vote = opened(
        town,
        region=town.tree.compound,
        question="选择哪家绿化养护队？",
        kind="options",
        preset="plurality",
        electorate="households",
        options=[
            {"label": "绿美园艺", "price": "28000"},
            {"label": "青松绿化", "price": "26500"},
            {"label": "春晖园林", "price": "30000"},
        ],
    )
    tallies.record_participation(actor=town.secretary, vote=vote, channel="hands", electors=households[:11])
    return vote


def hands(town, vote, counts):
    for staff in (town.secretary, town.clerk):
        tallies.enter_tally(actor=staff, vote=vote, channel="hands", counts=counts)


def test_the_bidder_with_the_most_hands_wins(town, bidders):
    hands(town, bidders, {"1": 3, "2": 6, "3": 2})
    vote = tallies.close_vote(actor=town.secretary, vote=bidders)
    assert (vote.passed, vote.winner.label) == (True, "青松绿化")
    published = queries.public_result(vote)
    assert published.winner == "青松绿化" and published.reason == "“青松绿化” has the most votes (6)."
    assert [(label, n) for _key, label, n in published.counts] == [
        ("绿美园艺", 3),
        ("青松绿化", 6),
        ("春晖园林", 2),
        ("abstain", 0),
    ]


def test_a_tie_between_bidders_decides_nothing_and_says_to_vote_again_between_them(town, bidders):
    hands(town, bidders, {"1": 5, "2": 5, "3": 1})
    vote = tallies.close_vote(actor=town.secretary, vote=bidders)
    assert (vote.passed, vote.result_code, vote.winner) == (False, "tie", None)
    assert queries.public_result(vote).reason == (
        "绿美园艺、青松绿化 tied with 5 votes each: no option won. Hold a new vote between them."
    )


def test_an_owners_vote_counts_heads_and_floor_area_and_both_must_pass(town):
    # Five flats: the three small ones vote yes, the two large ones no. Heads 3/5 pass, area 240/560 fails.
    small = [builders.person(f"小户{i}") for i in range(3)]
    large = [builders.person(f"大户{i}") for i in range(2)]
    for i, owner in enumerate(small):
        owned_household(town.tree.building, f"10{i}", "80.00", owner)
    flats = [owned_household(town.tree.building, f"20{i}", "160.00", owner) for i, owner in enumerate(large)]
    vote = opened(
        town,
        region=town.tree.compound,
        question="是否更换物业？",
        electorate="households",
        preset="owners_ordinary",
    )
    cast(vote, small, "yes")
    cast(vote, large[:1], "no")
    refused(
        "named_required",
        tallies.enter_tally,
        actor=town.secretary,
        vote=vote,
        channel="paper",
        counts={"no": 1},
    )
    refused(
        "named_required",
        tallies.record_participation,
        actor=town.secretary,
        vote=vote,
        channel="paper",
        electors=[flats[1]],
    )
    tallies.record_participation(
        actor=town.secretary, vote=vote, channel="paper", electors=[flats[1]], choices={flats[1]: "no"}
    )
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert (vote.passed, vote.result_code) == (False, "below_threshold_area")
    assert vote.result["counts"] == {"yes": 3, "no": 2, "abstain": 0}
    assert vote.result["area"] == {
        "electorate": "560.00",
        "present": "560.00",
        "counts": {"yes": "240.00", "no": "320.00", "abstain": "0.00"},
    }


def test_the_public_result_lists_each_receipt_counted_with_its_choice_in_an_open_vote(town):
    vote = opened(town)
    mine = casting.cast_ballot(actor=town.reps[0], vote=vote, option="no")
    cast(vote, town.reps[1:8], "yes")
    assert queries.public_result(vote).receipts == []  # not while the vote runs
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    published = queries.public_result(vote)
    assert (mine, "against") in published.receipts and len(published.receipts) == 8
    assert published.audit_hash == vote.audit_hash and published.passed is True
    assert (town.reps[0].name, "against", "online") in published.named
    assert published.taking_part == {"online": 8, "paper": 0, "hands": 0, "proxy": 0}


def test_a_ballot_filled_behind_the_services_back_stops_the_close(town):
    vote = opened(town)
    cast(vote, town.reps[:2], "yes")
    blank = Ballot.objects.filter(vote=vote, option__isnull=True).first()
    Ballot.objects.filter(pk=blank.pk).update(option=vote.options.get(key="yes"))
    refused("count_mismatch", tallies.close_vote, actor=town.secretary, vote=vote)


def test_open_votes_for_a_person_lists_where_they_may_vote_and_whether_they_have(town):
    first, second = opened(town), opened(town, question="第二个表决", proxies_allowed=True)
    opened(town, electorate="body", body_role="committee", question="两委")
    assert [(v.pk, v.voted) for v in queries.open_votes_for(town.reps[0])] == [
        (first.pk, False),
        (second.pk, False),
    ]
    casting.cast_ballot(actor=town.reps[0], vote=first, option="yes")
    assert [(v.pk, v.voted) for v in queries.open_votes_for(town.reps[0])] == [
        (first.pk, True),
        (second.pk, False),
    ]
    assert list(queries.open_votes_for(town.resident)) == []
    from tests.votes.conftest import form_photo

    casting.record_proxy(
        actor=town.secretary,
        vote=second,
        holder=town.resident,
        principal=town.reps[1],
        form_photo=form_photo(),
    )
    assert [(v.pk, v.voted) for v in queries.open_votes_for(town.resident)] == [(second.pk, False)]
    tallies.close_vote(actor=town.secretary, vote=first)
    assert [v.pk for v in queries.open_votes_for(town.reps[0])] == [second.pk]


# ---- corrections ------------------------------------------------------------------------------------------


def test_a_recount_is_a_new_signed_record_beside_the_untouched_original(town):
    vote = opened(town)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="paper", electors=town.reps[:8])
    for staff in (town.secretary, town.clerk):
        tallies.enter_tally(actor=staff, vote=vote, channel="paper", counts={"yes": 6, "no": 2})
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert vote.passed is False
    original = dict(vote.result)
    correction = tallies.correct(
        actor=town.clerk,
        vote=vote,
        reason="复核纸质选票，有一张误计为反对",
        tallies={"paper": {"yes": 7, "no": 1}},
    )
    assert correction.signed_by == town.clerk
    assert correction.audit_hash == AuditEntry.objects.get(action="votes.correct").hash
    assert Vote.objects.get(pk=vote.pk).result == original and Vote.objects.get(pk=vote.pk).passed is False
    published = queries.public_result(Vote.objects.get(pk=vote.pk))
    assert published.corrected and published.passed is True
    assert [(k, n) for k, _label, n in published.counts] == [("yes", 7), ("no", 1), ("abstain", 0)]
    assert [c.pk for c in published.corrections] == [correction.pk]
    assert verify() is None


def test_a_correction_needs_a_reason_a_closed_vote_and_authority(town):
    vote = opened(town)
    refused(
        "vote_not_closed",
        tallies.correct,
        actor=town.secretary,
        vote=vote,
        reason="r",
        tallies={"paper": {"yes": 1}},
    )
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    refused(
        "reason_required",
        tallies.correct,
        actor=town.secretary,
        vote=vote,
        reason=" ",
        tallies={"paper": {}},
    )
    refused(
        "forbidden",
        tallies.correct,
        actor=town.owners_committee,
        vote=vote,
        reason="r",
        tallies={"paper": {}},
    )
    refused(
        "tally_exceeds_participants",
        tallies.correct,
        actor=town.secretary,
        vote=vote,
        reason="r",
        tallies={"paper": {"yes": 1}},
    )
    refused("correction_target_required", tallies.correct, actor=town.secretary, vote=vote, reason="r")
    assert not Correction.objects.exists()
