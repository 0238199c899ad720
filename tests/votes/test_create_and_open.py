"""Creating a vote and opening it: who may, which setups are refused, the electorate snapshot and the freeze."""

import pytest

from tests import builders
from tests.votes.conftest import opened, owned_household, representatives
from yishi.access.services import revoke_role
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.votes import casting, drafting, tallies
from yishi.votes.models import Ballot, Elector, ElectorVoice, Option, Status, Vote
from yishi.votes.rules_math import Base, Method, Rule


def refused(code, fn, **kwargs):
    with pytest.raises(Refused) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.reason
    return exc.value


def test_a_draft_yes_no_vote_has_the_eight_step_rule_and_three_choices(town):
    vote = drafting.create_vote(
        actor=town.secretary, region=town.tree.community, question="  是否同意\n方案？ "
    )
    assert (vote.status, vote.question, vote.preset) == (Status.DRAFT, "是否同意 方案？", "eight_step")
    assert vote.rule == Rule(threshold_numerator=2, threshold_denominator=3, base=Base.ELECTORATE)
    assert list(vote.options.values_list("key", flat=True)) == ["yes", "no", "abstain"]
    assert not vote.electors.exists() and not Ballot.objects.filter(vote=vote).exists()
    assert AuditEntry.objects.filter(action="votes.create_vote", target_id=str(vote.pk)).count() == 1


def test_a_choice_among_bidders_keeps_their_prices_exactly(town):
    vote = drafting.create_vote(
        actor=town.secretary,
        region=town.tree.compound,
        question="选择哪家绿化养护队？",
        kind="options",
        preset="plurality",
        options=[
            {"label": "绿美园艺", "price": "28000.10", "description": "每月修剪两次"},
            {"label": "青松绿化", "price": 26500},
            "春晖园林",
        ],
    )
    rows = list(vote.options.values_list("key", "label", "price"))
    assert [r[:2] for r in rows] == [
        ("1", "绿美园艺"),
        ("2", "青松绿化"),
        ("3", "春晖园林"),
        ("abstain", "abstain"),
    ]
    assert str(rows[0][2]) == "28000.10" and str(rows[1][2]) == "26500.00" and rows[2][2] is None


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("resident", "community"),
        ("other_secretary", "community"),
        ("owners_committee", "community"),
        ("reps", "community"),
    ],
)
def test_only_staff_holding_authority_at_the_place_may_create_a_vote(town, who, where):
    actor = getattr(town, who)
    actor = actor[0] if isinstance(actor, list) else actor
    refused("forbidden", drafting.create_vote, actor=actor, region=getattr(town.tree, where), question="Q")


def test_the_owners_committee_runs_the_votes_of_its_own_compound(town):
    owned_household(town.tree.building, "101", "80.50", town.resident)
    vote = drafting.create_vote(
        actor=town.owners_committee,
        region=town.tree.compound,
        question="加装电梯",
        electorate="households",
        preset="owners_special",
    )
    drafting.open_vote(actor=town.owners_committee, vote=vote)
    assert Vote.objects.get(pk=vote.pk).status == Status.OPEN


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"question": "  "}, "question_required"),
        ({"question": "问" * 201}, "question_required"),
        ({"kind": "options", "options": ["甲"], "preset": "plurality"}, "options_required"),
        ({"kind": "options", "options": ["甲", "甲"], "preset": "plurality"}, "option_label_repeated"),
        (
            {"kind": "options", "options": [{"label": "甲", "price": "abc"}, "乙"], "preset": "plurality"},
            "invalid_amount",
        ),
        (
            {"kind": "options", "options": [{"label": "甲", "price": "-1"}, "乙"], "preset": "plurality"},
            "invalid_amount",
        ),
        ({"kind": "options", "options": ["甲", "乙"]}, "rule_kind_mismatch"),
        ({"preset": "plurality"}, "rule_kind_mismatch"),
        ({"options": ["甲", "乙"]}, "options_not_allowed"),
        ({"preset": "owners_ordinary"}, "owners_vote_households"),
        ({"preset": "owners_ordinary", "electorate": "households", "secret": True}, "owners_vote_open"),
        ({"electorate": "body"}, "body_required"),
        ({"electorate": "body", "body_role": "expert"}, "body_required"),
        ({"preset": "two_thirds_ish"}, "unknown_rule"),
        ({"kind": "ranked"}, "unknown_kind"),
        ({"electorate": "everyone"}, "unknown_electorate"),
        ({"people": ["someone"]}, "people_not_allowed"),
        ({"proxy_cap": 0}, "invalid_proxy_cap"),
    ],
)
def test_a_vote_that_could_not_be_run_is_refused_and_nothing_is_saved(town, kwargs, code):
    kwargs = {"question": "是否同意？", **kwargs}
    refused(code, drafting.create_vote, actor=town.secretary, region=town.tree.community, **kwargs)
    assert not Vote.objects.exists() and not Option.objects.exists()


def test_a_custom_rule_is_kept_as_data(town):
    rule = Rule(
        quorum_numerator=1,
        quorum_denominator=2,
        quorum_strict=True,
        threshold_numerator=3,
        threshold_denominator=5,
        base=Base.CAST,
        strict=True,
    )
    vote = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="Q", rule=rule)
    assert Vote.objects.get(pk=vote.pk).rule == rule and vote.preset == ""


# ---- the electorate snapshot ------------------------------------------------------------------------------


def test_opening_takes_the_representatives_of_the_place_and_below_and_no_one_else(town):
    compound_rep = representatives(town.tree.compound, 1, prefix="小区代表")[0]
    representatives(town.tree.sibling, 2, prefix="邻社区代表")
    gone = town.reps[9]
    revoke_role(actor=None, assignment=gone.roles.get())
    vote = opened(town)
    people = set(vote.electors.values_list("person_id", flat=True))
    assert people == {p.pk for p in town.reps[:9]} | {compound_rep.pk}
    assert vote.status == Status.OPEN and vote.opened_by == town.secretary and vote.frozen_digest


def test_opening_lays_out_one_blank_ballot_per_elector_with_distinct_receipts(town):
    vote = opened(town)
    ballots = Ballot.objects.filter(vote=vote)
    assert ballots.count() == 10 == vote.electors.count()
    assert not ballots.filter(option__isnull=False).exists()
    assert len(set(ballots.values_list("receipt", flat=True))) == 10


def test_the_electorate_does_not_change_after_opening(town):
    vote = opened(town)
    newcomer = representatives(town.tree.community, 1, prefix="新代表")[0]
    revoke_role(actor=None, assignment=town.reps[0].roles.get())
    people = set(vote.electors.values_list("person_id", flat=True))
    assert newcomer.pk not in people and town.reps[0].pk in people
    refused("not_an_elector", casting.cast_ballot, actor=newcomer, vote=vote, option="yes")
    assert casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes")


def test_a_body_vote_is_taken_by_the_holders_of_that_role(town):
    vote = opened(town, electorate="body", body_role="committee", question="两委表决")
    assert set(vote.electors.values_list("person_id", flat=True)) == {town.secretary.pk, town.clerk.pk}


def test_a_vote_by_list_takes_the_people_given_for_example_a_meetings_signed_in_attendees(town):
    vote = opened(town, electorate="list", people=[town.resident, town.reps[0]], preset="residents_assembly")
    assert set(vote.electors.values_list("person_id", flat=True)) == {town.resident.pk, town.reps[0].pk}


def test_a_household_vote_has_one_seat_per_household_and_its_members_may_speak_for_it(town):
    a, b, c = builders.person("甲户主"), builders.person("甲家人"), builders.person("乙户主")
    first = owned_household(town.tree.building, "101", "80", a, member=b)
    second = owned_household(town.tree.building, "102", "90", c)
    empty = owned_household(town.tree.compound, "门卫室", "20")
    owned_household(town.tree.sibling_compound, "101", "70", builders.person("外小区"))
    vote = opened(town, region=town.tree.compound, electorate="households", preset="residents_assembly")
    assert set(vote.electors.values_list("household_id", flat=True)) == {first.pk, second.pk, empty.pk}
    assert set(ElectorVoice.objects.filter(elector__household=first).values_list("person_id", flat=True)) == {
        a.pk,
        b.pk,
    }
    assert set(vote.electors.values_list("weight", flat=True)) == {1}


def test_in_an_owners_vote_only_owners_speak_for_a_household_and_its_weight_is_its_area(town):
    owner, tenant = builders.person("业主"), builders.person("家人")
    household = owned_household(town.tree.building, "101", "87.35", owner, member=tenant)
    vote = opened(town, region=town.tree.compound, electorate="households", preset="owners_ordinary")
    elector = vote.electors.get(household=household)
    assert str(elector.weight) == "87.35"
    assert list(elector.voices.values_list("person_id", flat=True)) == [owner.pk]


def test_an_owners_vote_cannot_open_while_a_household_has_no_floor_area(town):
    builders.household(town.tree.building, room="102")
    owned_household(town.tree.building, "101", "80", town.resident)
    vote = drafting.create_vote(
        actor=town.secretary,
        region=town.tree.compound,
        question="Q",
        electorate="households",
        preset="owners_ordinary",
    )
    refused("area_missing", drafting.open_vote, actor=town.secretary, vote=vote)
    assert not Elector.objects.exists() and Vote.objects.get(pk=vote.pk).status == Status.DRAFT


def test_a_vote_with_nobody_to_vote_cannot_open(town):
    vote = drafting.create_vote(
        actor=town.secretary, region=town.tree.community, question="Q", electorate="body", body_role="council"
    )
    refused("empty_electorate", drafting.open_vote, actor=town.secretary, vote=vote)


def test_a_vote_opens_once(town):
    vote = opened(town)
    refused("already_open", drafting.open_vote, actor=town.secretary, vote=vote)
    assert Elector.objects.filter(vote=vote).count() == 10


# ---- the freeze -------------------------------------------------------------------------------------------


def test_a_draft_may_change_but_an_open_vote_may_not(town):
    vote = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="Q")
    drafting.change_draft(
        actor=town.secretary, vote=vote, question="新问题", preset="village_representatives"
    )
    vote.refresh_from_db()
    assert (vote.question, vote.threshold_base, vote.quorum_numerator) == ("新问题", "present", 2)
    drafting.open_vote(actor=town.secretary, vote=vote)
    for change in (
        {"question": "改"},
        {"preset": "eight_step"},
        {"secret": True},
        {"proxy_cap": 5},
        {"rule": Rule(method=Method.THRESHOLD, threshold_numerator=1, threshold_denominator=2)},
    ):
        refused("vote_frozen", drafting.change_draft, actor=town.secretary, vote=vote, **change)
    assert Vote.objects.get(pk=vote.pk).question == "新问题"


def test_a_rule_changed_behind_the_services_back_after_opening_stops_the_close(town):
    vote = opened(town)
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes")
    Vote.objects.filter(pk=vote.pk).update(threshold_numerator=1)  # someone edits the database by hand
    refused("frozen_changed", tallies.close_vote, actor=town.secretary, vote=vote)


def test_an_option_or_an_elector_added_behind_the_services_back_stops_the_close(town):
    vote = opened(town)
    Option.objects.create(vote=vote, key="maybe", position=9, label="也许")
    refused("frozen_changed", tallies.close_vote, actor=town.secretary, vote=vote)
    Option.objects.filter(key="maybe").delete()
    Elector.objects.create(vote=vote, person=town.resident)
    refused("frozen_changed", tallies.close_vote, actor=town.secretary, vote=vote)


def test_electors_are_append_only_rows(town):
    vote = opened(town)
    elector = vote.electors.first()
    elector.weight = 5
    with pytest.raises(ValueError, match="append-only"):
        elector.save()
    with pytest.raises(ValueError, match="append-only"):
        elector.delete()
