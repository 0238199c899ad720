"""A result counted elsewhere (issue 13, points 1 and 2): the electorate is the body as seated that day unless
the named list of who was entitled is given; the rule is the deciding body's statute, as the region sets it; the
result says in words the body, base, quorum, threshold and counts."""

import pytest
from django.test import Client
from django.utils import translation

from tests import builders
from tests.procedures import flows
from tests.votes.conftest import representatives
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter
from yishi.plans.services import record_consensus
from yishi.procedures import services as engine
from yishi.procedures.queries import deviations
from yishi.regions.services import set_region_rule
from yishi.votes import drafting
from yishi.votes.models import VoteResult
from yishi.votes.tallies import record_result

BACKEND = "yishi.people.backends.PhonePasswordBackend"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def eight_step_at_vote(p, seated=30):
    p.reps = representatives(p.tree.community, seated)
    m = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="eight_steps")
    flows.to_review(p, m)
    flows.approve(p, m)
    return Matter.objects.get(pk=m.pk)


def village_at_resolution(p, seated=15):
    p.reps = representatives(p.tree.community, seated)
    m = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="four_and_two")
    version = flows.plan(p, m)
    engine.advance(actor=p.secretary, matter=m)
    flows.session(p, m)
    engine.advance(actor=p.secretary, matter=m)
    record_consensus(actor=p.secretary, matter=m, version=version, minutes="党员大会审议通过")
    m = engine.advance(actor=p.secretary, matter=m)
    assert m.step_key == "resolution"
    return m


def record(p, m, **counts):
    return record_result(actor=p.secretary, matter=m, **counts)


def refused(fn) -> Refused:
    with pytest.raises(Refused) as exc:
        fn()
    return exc.value


def test_the_electorate_is_the_body_as_seated_not_the_number_typed(place):
    m = eight_step_at_vote(place, seated=30)
    exc = refused(lambda: record(place, m, electorate=25, present=25, in_favour=19, against=6, abstain=0))
    assert (exc.code, exc.field) == ("entitled_list_required", "entitled_names")
    assert "30" in str(exc.reason) and "25" in str(exc.reason)
    assert not VoteResult.objects.exists()
    m.refresh_from_db()
    assert m.step_key == "vote"

    result = record(place, m, present=25, in_favour=19, against=6, abstain=0)  # left out: the body as seated
    assert (result.electorate, result.seated, result.passed) == (30, 30, False)
    assert result.statement == "应到30人，实到25人，赞成19人；须全体代表三分之二以上即20人赞成：未通过"
    m.refresh_from_db()
    assert m.step_key == "draft"  # 19 of 30 is below two thirds: back to drafting


def test_a_different_electorate_needs_the_named_list_and_is_a_deviation(place):
    m = eight_step_at_vote(place, seated=30)
    names = [f"代表{i}" for i in range(25)]
    short = refused(
        lambda: record(
            place, m, electorate=25, present=25, in_favour=20, against=5, abstain=0, entitled_names=names[:3]
        )
    )
    assert short.code == "entitled_list_required"
    twice = refused(
        lambda: record(
            place,
            m,
            electorate=25,
            present=25,
            in_favour=20,
            against=5,
            abstain=0,
            entitled_names=names[:24] + names[:1],
        )
    )
    assert twice.code == "entitled_list_repeats"
    result = record(
        place, m, electorate=25, present=25, in_favour=20, against=5, abstain=0, entitled_names=names
    )
    assert result.electorate_differs and result.entitled_names == names
    found = [d for d in deviations(m) if d.kind == "electorate_differs"]
    assert len(found) == 1 and "30" in str(found[0].text) and "代表24" in str(found[0].text)


def test_a_community_with_no_roster_takes_the_number_given(place):
    m = eight_step_at_vote(place, seated=0)
    exc = refused(lambda: record(place, m, present=25, in_favour=20, against=5, abstain=0))
    assert (exc.code, exc.field) == ("electorate_required", "electorate")
    result = record(place, m, electorate=30, present=25, in_favour=20, against=5, abstain=0)
    assert (result.seated, result.electorate_differs, result.passed) == (None, False, True)


def test_a_village_resolution_follows_article_26_not_the_eight_step_rule(place):
    """7 of 12 present out of 15: quorate (10 needed), more than half of those present in favour: passed."""
    m = village_at_resolution(place, seated=15)
    result = record(place, m, present=12, in_favour=7, against=5, abstain=0)
    assert result.body == "village_representatives" and result.passed
    assert result.statement == (
        "应到15人，实到12人，赞成7人；须全体代表三分之二以上即10人到会，须到会代表过半数即7人赞成：通过"
    )
    m.refresh_from_db()
    assert m.step_key == "resolution"  # not sent back


def test_a_village_resolution_without_quorum_does_not_count(place):
    m = village_at_resolution(place, seated=15)
    result = record(place, m, present=9, in_favour=9, against=0, abstain=0)
    assert not result.passed
    assert result.statement.endswith("到会人数不足，表决无效")
    m.refresh_from_db()
    assert m.step_key == "party_proposal"


def test_only_a_body_the_step_names_may_decide(place):
    m = village_at_resolution(place)
    exc = refused(lambda: record(place, m, body="eight_step", present=12, in_favour=7, against=5, abstain=0))
    assert (exc.code, exc.field) == ("wrong_body", "body")
    assert "村民代表会议" in str(exc.reason)
    assert not VoteResult.objects.exists()


def test_a_villagers_meeting_by_households_counts_the_household_roster(place):
    m = village_at_resolution(place)
    for room in range(101, 121):  # 20 households
        builders.household(place.tree.compound, room=str(room))
    result = record(
        place, m, body="village_assembly_households", present=14, in_favour=8, against=6, abstain=0
    )
    assert (result.electorate, result.seated, result.passed) == (20, 20, True)


def test_the_regions_rules_apply_to_every_body(place):
    m = village_at_resolution(place, seated=15)
    staff = builders.person("民政局")
    builders.role(staff, "bureau", place.tree.city)
    set_region_rule(
        actor=staff,
        region=place.tree.community,
        key="vote_threshold:village_representatives",
        value=[2, 3],
        source="本村村规民约第十条",
    )
    result = record(place, m, present=12, in_favour=7, against=5, abstain=0)  # 7 of 12 is below 2/3 of 12
    assert not result.passed and "须到会代表超过三分之二" in result.statement
    assert drafting.rule_at("village_representatives", place.tree.sibling).threshold_numerator == 1


def test_the_page_and_the_api_say_the_result_in_words(place):
    m = eight_step_at_vote(place, seated=30)
    staff = Client()
    staff.force_login(place.secretary, backend=BACKEND)
    page = staff.get(f"/m/{m.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "30" in page and 'name="entitled_names"' in page
    sent = staff.post(
        f"/m/{m.pk}/vote/",
        {
            "body": "eight_step",
            "electorate": "25",
            "present": "25",
            "in_favour": "19",
            "against": "6",
            "abstain": "0",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert sent.status_code == 400 and not VoteResult.objects.exists()
    sent = staff.post(
        f"/m/{m.pk}/vote/",
        {"body": "eight_step", "present": "25", "in_favour": "19", "against": "6", "abstain": "0"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert sent.status_code == 302
    words = "应到30人，实到25人，赞成19人；须全体代表三分之二以上即20人赞成：未通过"
    assert words in Client().get(f"/m/{m.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert words in Client().get(f"/m/{m.pk}/dossier/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    vote = Client().get(f"/api/v1/matters/{m.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["votes"][0]
    assert vote["statement"] == words
    assert (vote["body"], vote["seated"], vote["quorum"], vote["base"], vote["rule"]) == (
        "eight_step",
        30,
        "",
        "electorate",
        "2/3",
    )


def test_the_api_refuses_a_typed_electorate_without_the_list(place):
    m = eight_step_at_vote(place, seated=30)
    staff = Client()
    staff.force_login(place.secretary, backend=BACKEND)
    answer = staff.post(
        f"/api/v1/matters/{m.pk}/votes",
        {"electorate": 25, "present": 25, "in_favour": 19, "against": 6, "abstain": 0},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 409 and answer.json()["code"] == "entitled_list_required"
    assert not VoteResult.objects.exists()


def test_a_live_vote_on_a_village_matter_takes_the_village_body(place):
    m = village_at_resolution(place)
    vote = drafting.create_vote(
        actor=place.secretary, region=place.tree.community, question="是否同意？", matter=m
    )
    assert vote.preset == "village_representatives" and vote.quorum_numerator == 2
    exc = refused(
        lambda: drafting.create_vote(
            actor=place.secretary,
            region=place.tree.community,
            question="是否同意？",
            matter=m,
            preset="eight_step",
        )
    )
    assert exc.code == "wrong_body"
