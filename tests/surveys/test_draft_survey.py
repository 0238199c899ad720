"""Drafting a survey: who may, where, which questions; open and close; each step audited."""

import pytest

from tests import builders
from tests.surveys.conftest import gardening_survey
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.surveys import services
from yishi.surveys.models import Choice, Question, Survey, SurveyStatus

pytestmark = pytest.mark.django_db


def refused(expected, call, /, **kwargs):
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert info.value.code == expected, info.value.reason
    return info.value


def test_the_committee_drafts_a_survey_with_ordered_questions_of_each_kind(place):
    s = gardening_survey(place, open_it=False)
    assert s.survey.status == SurveyStatus.DRAFT
    assert [(q.position, q.kind) for q in s.survey.questions.all()] == [
        (1, "single"),
        (2, "multiple"),
        (3, "text"),
    ]
    assert list(s.agree.choices.values_list("label", flat=True)) == ["同意", "不同意", "无所谓"]
    assert not s.remarks.choices.exists()
    assert AuditEntry.objects.filter(action="surveys.add_question").count() == 3
    entry = AuditEntry.objects.get(action="surveys.create_survey")
    assert entry.target_id == str(s.survey.pk) and entry.data["region"] == place.compound.pk


def test_a_survey_may_be_held_for_the_whole_community_but_not_a_building_or_a_street(place):
    survey = services.create_survey(actor=place.secretary, region=place.tree.community, title="社区需求调查")
    assert survey.region == place.tree.community
    refused("wrong_level", services.create_survey, actor=place.secretary, region=place.b1, title="楼栋调查")
    refused(
        "forbidden", services.create_survey, actor=place.secretary, region=place.tree.street, title="街道调查"
    )


def test_a_sibling_communitys_committee_and_the_owners_committee_may_not_draft_one_here(place):
    for who in (place.other_secretary, place.owners, place.resident):
        refused("forbidden", services.create_survey, actor=who, region=place.compound, title="调查")
    assert not Survey.objects.exists()


def test_a_survey_may_be_linked_to_a_matter_of_its_own_community_only(place):
    category = builders.category()
    from yishi.matters.services import raise_matter

    here = raise_matter(
        actor=place.resident,
        region=place.compound,
        category=category,
        title="绿化带无人管理",
        description="志愿者维护效果不好",
    )
    there = raise_matter(
        actor=place.outsider,
        region=place.tree.sibling_compound,
        category=category,
        title="垃圾堆放",
        description="多年未清理",
    )
    survey = services.create_survey(
        actor=place.secretary, region=place.compound, title="绿化调查", matter=here
    )
    assert survey.matter == here
    refused(
        "matter_elsewhere",
        services.create_survey,
        actor=place.secretary,
        region=place.compound,
        title="绿化调查",
        matter=there,
    )


@pytest.mark.parametrize(
    ("kind", "choices", "code"),
    [
        ("rating", ["好", "坏"], "invalid_kind"),
        ("single", ["同意"], "choice_count"),
        ("multiple", [], "choice_count"),
        ("single", ["同意", " 同意 "], "choices_repeated"),
        ("single", ["同意", "长" * 201], "choice_too_long"),
        ("text", ["同意", "不同意"], "choices_not_allowed"),
    ],
)
def test_a_question_must_fit_its_kind(place, kind, choices, code):
    survey = services.create_survey(actor=place.secretary, region=place.compound, title="调查")
    refused(
        code,
        services.add_question,
        actor=place.secretary,
        survey=survey,
        kind=kind,
        text="问题",
        choices=choices,
    )
    assert not Question.objects.exists() and not Choice.objects.exists()


def test_a_question_needs_its_text(place):
    survey = services.create_survey(actor=place.secretary, region=place.compound, title="调查")
    refused(
        "text_required", services.add_question, actor=place.secretary, survey=survey, kind="text", text="  "
    )


def test_a_survey_opens_only_with_questions_and_then_its_questions_are_fixed(place):
    survey = services.create_survey(actor=place.secretary, region=place.compound, title="调查")
    refused("no_questions", services.open_survey, actor=place.secretary, survey=survey)
    question = services.add_question(actor=place.secretary, survey=survey, kind="text", text="意见")
    services.open_survey(actor=place.secretary, survey=survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN and survey.opened_at is not None
    refused(
        "not_draft", services.add_question, actor=place.secretary, survey=survey, kind="text", text="再问"
    )
    refused("not_draft", services.remove_question, actor=place.secretary, question=question)
    refused("not_draft", services.open_survey, actor=place.secretary, survey=survey)


def test_a_question_removed_from_a_draft_leaves_the_others_in_order(place):
    s = gardening_survey(place, open_it=False)
    services.remove_question(actor=place.secretary, question=s.services)
    assert [q.text for q in s.survey.questions.all()] == ["是否同意聘请专业绿化队？", "其他意见和建议"]
    q = services.add_question(actor=place.secretary, survey=s.survey, kind="text", text="新问题")
    assert q.position == 4


def test_closing_needs_an_open_survey_and_is_final(place):
    s = gardening_survey(place, open_it=False)
    refused("not_open", services.close_survey, actor=place.secretary, survey=s.survey)
    services.open_survey(actor=place.secretary, survey=s.survey)
    refused("forbidden", services.close_survey, actor=place.other_secretary, survey=s.survey)
    services.close_survey(actor=place.secretary, survey=s.survey)
    s.survey.refresh_from_db()
    assert s.survey.status == SurveyStatus.CLOSED and s.survey.closed_at is not None
    refused("closed", services.close_survey, actor=place.secretary, survey=s.survey)
    assert AuditEntry.objects.filter(action="surveys.close_survey").count() == 1
