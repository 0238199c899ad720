"""Response rate per building, results without identities, and publishing them on the community board."""

import pytest
from django.http import Http404
from django.utils import translation

from tests.surveys.conftest import answers, gardening_survey
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.notices.models import Notice, NoticeKind
from yishi.surveys import queries, services
from yishi.surveys.codes import household_code, parse_household_code

pytestmark = pytest.mark.django_db


def paper(place, s, home, **kwargs):
    return services.record_paper_response(
        actor=place.secretary,
        survey=s.survey,
        code=household_code(s.survey.pk, home.pk),
        answers=answers(s, **kwargs),
    )


@pytest.fixture
def answered(place, gardening):
    """1号楼: 3 of 4 households answered (one more voided); 2号楼: 1 of 2."""
    s = gardening
    services.submit_response(
        actor=place.resident,
        survey=s.survey,
        answers=answers(s, picks=[s.prune, s.water], remark="希望每周浇水"),
    )
    paper(place, s, place.b1_homes[1], agree=s.no, picks=[s.weed], remark="费用太高")
    paper(place, s, place.b1_homes[2], picks=[s.prune])
    voided = paper(place, s, place.b1_homes[3], agree=s.no)
    services.void_response(actor=place.secretary, response=voided, reason="录错户")
    services.submit_response(
        actor=place.neighbour, survey=s.survey, answers=answers(s, picks=[s.water], remark="  ")
    )
    return s


def test_the_response_rate_is_counted_per_building_and_for_the_whole_compound(place, answered):
    rate = queries.response_rate(answered.survey)
    assert [(b.name, b.responded, b.households, b.percent) for b in rate.buildings] == [
        ("1号楼", 3, 4, 75),
        ("2号楼", 1, 2, 50),
    ]
    assert (rate.total.name, rate.total.responded, rate.total.households, rate.total.percent) == (
        "建材城小区",
        4,
        6,
        67,
    )


def test_a_community_survey_counts_every_building_below_it_and_other_surveys_do_not_count(place, answered):
    survey = services.create_survey(actor=place.secretary, region=place.tree.community, title="社区调查")
    services.add_question(actor=place.secretary, survey=survey, kind="text", text="意见", required=False)
    services.open_survey(actor=place.secretary, survey=survey)
    services.submit_response(actor=place.neighbour, survey=survey, answers={})
    rate = queries.response_rate(survey)
    # The builders' tree has 万泰丽景小区 1号楼 with no households yet, so it is not listed.
    assert [(b.name, b.responded, b.households) for b in rate.buildings] == [("1号楼", 0, 4), ("2号楼", 1, 2)]
    assert (rate.total.responded, rate.total.households) == (1, 6)


def test_percentages_round_half_up_in_integers_and_an_empty_area_has_none():
    assert [queries.percent(p, w) for p, w in ((1, 8), (3, 8), (2, 3), (1, 200), (0, 5), (5, 5))] == [
        13,
        38,
        67,
        1,
        0,
        100,
    ]
    assert queries.percent(0, 0) is None


def test_results_count_each_choice_among_the_households_that_answered(place, answered):
    outcome = queries.results(answered.survey)
    assert outcome.responses == 4  # the voided response does not count
    agree, cares, _remarks = outcome.questions
    assert agree.answered == 4
    assert [(c.label, c.count, c.percent) for c in agree.choices] == [
        ("同意", 3, 75),
        ("不同意", 1, 25),
        ("无所谓", 0, 0),
    ]
    assert [(c.label, c.count) for c in cares.choices] == [
        ("修剪", 2),
        ("浇水", 2),
        ("除草", 1),
        ("病虫害防治", 0),
    ]
    assert cares.answered == 4


def test_written_answers_are_listed_by_their_text_with_nothing_naming_a_household(place, answered):
    remarks = queries.results(answered.survey).questions[2]
    assert remarks.answered == 2
    assert remarks.texts == sorted(["希望每周浇水", "费用太高"])  # not in the order they came in
    assert all(isinstance(text, str) for text in remarks.texts)


def test_publishing_needs_a_closed_survey_and_posts_the_counts_on_the_community_board(place, answered):
    with pytest.raises(Refused) as info:
        services.publish_results(actor=place.secretary, survey=answered.survey)
    assert info.value.code == "not_closed"
    services.close_survey(actor=place.secretary, survey=answered.survey)
    with pytest.raises(Refused) as info:
        services.publish_results(actor=place.other_secretary, survey=answered.survey)
    assert info.value.code == "forbidden"
    with translation.override("en"):
        notice = services.publish_results(actor=place.secretary, survey=answered.survey)
    assert notice.region == place.tree.community and notice.kind == NoticeKind.RESULT
    assert notice.title.endswith("聘请专业绿化队入户调查表")
    assert "4" in notice.body and "6" in notice.body
    assert "同意: 3 (75%)" in notice.body and "不同意: 1 (25%)" in notice.body
    assert "1号楼 3/4" in notice.body and "2号楼 1/2" in notice.body
    # Written answers stay on the survey's page; no name, room or written answer is posted.
    for private in ("刘桂兰", "李大爷", "101", "费用太高", "希望每周浇水"):
        assert private not in notice.body
    answered.survey.refresh_from_db()
    assert answered.survey.notice == notice
    assert AuditEntry.objects.filter(action="notices.publish", target_id=str(notice.pk)).get().data[
        "survey"
    ] == (answered.survey.pk)
    with pytest.raises(Refused) as info:
        services.publish_results(actor=place.secretary, survey=answered.survey)
    assert info.value.code == "already_published"
    assert Notice.objects.count() == 1


def test_the_paper_forms_list_every_household_with_a_code_that_reads_back(place, gardening):
    forms = queries.paper_forms(gardening.survey)
    assert [h for h, _code in forms] == place.b1_homes + place.b2_homes
    assert all(parse_household_code(code) == (gardening.survey.pk, h.pk) for h, code in forms)


def test_a_resident_sees_the_open_surveys_for_their_household_and_whether_it_answered(place, gardening):
    assert [(o.survey, o.household, o.answered) for o in queries.open_surveys_for(place.spouse)] == [
        (gardening.survey, place.b1_homes[0], False)
    ]
    services.submit_response(actor=place.resident, survey=gardening.survey, answers=answers(gardening))
    assert [o.answered for o in queries.open_surveys_for(place.spouse)] == [True]
    assert queries.open_surveys_for(place.outsider) == []


def test_a_draft_is_seen_only_by_those_who_manage_surveys_there(place):
    draft = gardening_survey(place, open_it=False).survey
    assert queries.get_survey_for(place.secretary, draft.pk) == draft
    for who in (place.resident, place.other_secretary, None):
        with pytest.raises(Http404):
            queries.get_survey_for(who, draft.pk)
    services.open_survey(actor=place.secretary, survey=draft)
    assert queries.get_survey_for(place.resident, draft.pk) == draft
    with pytest.raises(Http404):
        queries.get_survey_for(place.resident, draft.pk + 1000)


def test_the_public_list_of_surveys_leaves_out_drafts_and_other_communities(place, gardening):
    gardening_survey(place, open_it=False)
    elsewhere = services.create_survey(
        actor=place.other_secretary, region=place.tree.sibling, title="朝东调查"
    )
    services.add_question(actor=place.other_secretary, survey=elsewhere, kind="text", text="意见")
    services.open_survey(actor=place.other_secretary, survey=elsewhere)
    assert list(queries.public_surveys(place.tree.community)) == [gardening.survey]
    assert list(queries.public_surveys(place.tree.street)) == [elsewhere, gardening.survey]
