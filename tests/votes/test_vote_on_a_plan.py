"""A vote on a matter's plan version: closing it passes or fails the procedure's vote step (step 6)."""

import pytest

from tests.procedures import flows
from tests.votes.conftest import representatives
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter
from yishi.procedures import services as engine
from yishi.procedures.models import Transition
from yishi.votes import casting, drafting, tallies
from yishi.votes.models import Vote, VoteResult


def refused(code, fn, **kwargs):
    with pytest.raises(Refused) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.reason
    return exc.value


def at_review(p):
    m = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="eight_steps")
    flows.to_review(p, m)
    return m


@pytest.fixture
def at_vote(place):
    p = place
    p.reps = representatives(p.tree.community, 10)
    m = at_review(p)
    flows.approve(p, m)
    return p, Matter.objects.get(pk=m.pk)


def plan_vote(p, m):
    vote = drafting.create_vote(
        actor=p.secretary, region=p.tree.community, question="是否通过道路维修方案？", matter=m
    )
    return drafting.open_vote(actor=p.secretary, vote=vote)


def cast(vote, voters, option):
    for v in voters:
        casting.cast_ballot(actor=v, vote=vote, option=option)


def test_a_passed_vote_writes_the_procedures_result_and_the_matter_may_move_on(at_vote):
    p, m = at_vote
    vote = plan_vote(p, m)
    assert vote.version == m.plan_versions.get()
    cast(vote, p.reps[:7], "yes")
    cast(vote, p.reps[7:8], "no")
    cast(vote, p.reps[8:9], "abstain")
    tallies.close_vote(actor=p.secretary, vote=vote)
    result = VoteResult.objects.get(matter=m)
    assert (
        result.electorate,
        result.present,
        result.in_favour,
        result.against,
        result.abstain,
        result.passed,
    ) == (10, 9, 7, 1, 1, True)
    assert (result.version_id, result.numerator, result.denominator) == (vote.version_id, 2, 3)
    assert Matter.objects.get(pk=m.pk).step_key == "vote"  # the vote passes the step; advancing is a choice
    assert engine.advance(actor=p.secretary, matter=m).step_key == "implement"


def test_a_failed_vote_sends_the_matter_back_to_drafting_with_the_reason(at_vote):
    p, m = at_vote
    vote = plan_vote(p, m)
    cast(vote, p.reps[:6], "yes")
    vote = tallies.close_vote(actor=p.secretary, vote=vote)
    assert vote.passed is False and VoteResult.objects.get(matter=m).passed is False
    assert Matter.objects.get(pk=m.pk).step_key == "draft"
    back = Transition.objects.filter(matter=m, kind="return").get()
    assert (back.from_step, back.to_step) == ("vote", "draft")
    assert back.reason == "The vote did not pass: 6 of 10 in favour, 7 needed: not passed."


def test_a_plan_vote_opens_only_while_the_matter_is_at_its_vote_step(place):
    p = place
    representatives(p.tree.community, 3)
    m = at_review(p)
    vote = drafting.create_vote(actor=p.secretary, region=p.tree.community, question="提前表决？", matter=m)
    refused("wrong_step", drafting.open_vote, actor=p.secretary, vote=vote)
    assert Vote.objects.get(pk=vote.pk).status == "draft"


def test_a_plan_vote_cannot_close_once_the_matter_has_moved_on(at_vote):
    p, m = at_vote
    vote = plan_vote(p, m)
    cast(vote, p.reps[:7], "yes")
    flows.vote(p, m, in_favour=8, electorate=10)  # recorded by hand meanwhile (the 10 seated), and advanced
    engine.advance(actor=p.secretary, matter=m)
    refused("wrong_step", tallies.close_vote, actor=p.secretary, vote=vote)
    assert VoteResult.objects.filter(matter=m).count() == 1


def test_a_vote_on_an_older_version_of_the_plan_cannot_close(at_vote):
    p, m = at_vote
    vote = plan_vote(p, m)
    engine.return_to(actor=p.secretary, matter=m, step_key="draft", reason="方案需修改")
    version = flows.plan(p, m)
    engine.advance(actor=p.secretary, matter=m)
    from yishi.plans.services import record_consensus

    record_consensus(actor=p.secretary, matter=m, version=version, minutes="同意修改后的方案")
    engine.advance(actor=p.secretary, matter=m)
    flows.approve(p, m)
    assert Matter.objects.get(pk=m.pk).step_key == "vote"
    refused("stale_version", tallies.close_vote, actor=p.secretary, vote=vote)


def test_closing_a_plan_vote_needs_the_authority_to_record_the_vote(at_vote):
    p, m = at_vote
    vote = plan_vote(p, m)
    refused("forbidden", tallies.close_vote, actor=p.council, vote=vote)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": "options", "options": ["甲", "乙"], "preset": "plurality"}, "plan_vote_yes_no"),
        ({"region_name": "sibling"}, "region_outside_matter"),
    ],
)
def test_a_plan_vote_is_a_yes_no_vote_held_where_the_matter_is(at_vote, kwargs, code):
    p, m = at_vote
    region = getattr(p.tree, kwargs.pop("region_name", "community"))
    refused(
        code,
        drafting.create_vote,
        actor=p.secretary if region == p.tree.community else p.other_secretary,
        region=region,
        question="Q",
        matter=m,
        **kwargs,
    )


def test_a_recount_that_would_turn_a_plan_votes_outcome_is_refused(at_vote):
    p, m = at_vote
    vote = plan_vote(p, m)
    tallies.record_participation(actor=p.secretary, vote=vote, channel="paper", electors=p.reps[:10])
    clerk = p.reps[0]  # any second committee member
    from tests import builders

    builders.role(clerk, "committee", p.tree.community)
    for staff in (p.secretary, clerk):
        tallies.enter_tally(actor=staff, vote=vote, channel="paper", counts={"yes": 6, "no": 4})
    vote = tallies.close_vote(actor=p.secretary, vote=vote)
    refused(
        "correction_changes_matter",
        tallies.correct,
        actor=p.secretary,
        vote=vote,
        reason="复核",
        tallies={"paper": {"yes": 7, "no": 3}},
    )
    tallies.correct(
        actor=p.secretary,
        vote=vote,
        reason="复核：一张反对票实为弃权",
        tallies={"paper": {"yes": 6, "no": 3, "abstain": 1}},
    )
