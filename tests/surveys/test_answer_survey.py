"""Answering a survey: online by a member of the household, on paper keyed in by staff; one per household."""

import pytest
from django.db import IntegrityError, transaction

from tests.surveys.conftest import answers, member
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.regions.models import Household
from yishi.surveys import services
from yishi.surveys.codes import household_code
from yishi.surveys.models import Answer, Channel, Response

pytestmark = pytest.mark.django_db


def refused(expected, call, /, **kwargs):
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert info.value.code == expected, info.value.reason
    return info.value


def code(s, household):
    return household_code(s.survey.pk, household.pk)


# ---- online ----------------------------------------------------------------------------------------------


def test_a_member_answers_online_for_their_household(place, gardening):
    s = gardening
    response = services.submit_response(
        actor=place.resident,
        survey=s.survey,
        answers=answers(s, picks=[s.prune, s.water], remark="希望每周浇水"),
    )
    assert (response.household, response.channel, response.respondent, response.recorded_by) == (
        place.b1_homes[0],
        Channel.ONLINE,
        place.resident,
        place.resident,
    )
    stored = {(a.question_id, a.choice_id, a.text) for a in response.answers.all()}
    assert stored == {
        (s.agree.pk, s.yes.pk, ""),
        (s.services.pk, s.prune.pk, ""),
        (s.services.pk, s.water.pk, ""),
        (s.remarks.pk, None, "希望每周浇水"),
    }
    entry = AuditEntry.objects.get(action="surveys.record_response")
    assert entry.data == {"survey": s.survey.pk, "channel": "online"}
    assert entry.personal_digest  # the household and the answers, as a keyed digest only


def test_only_a_member_of_a_household_in_the_area_answers_online(place, gardening):
    refused(
        "forbidden",
        services.submit_response,
        actor=place.outsider,
        survey=gardening.survey,
        answers=answers(gardening),
    )
    refused(
        "forbidden", services.submit_response, actor=None, survey=gardening.survey, answers=answers(gardening)
    )
    # Staff without a household here have no household to answer for either.
    refused(
        "forbidden",
        services.submit_response,
        actor=place.secretary,
        survey=gardening.survey,
        answers=answers(gardening),
    )
    assert not Response.objects.exists()


def test_someone_in_two_households_here_chooses_which_one_they_answer_for(place, gardening):
    member(place.resident, place.b2_homes[1])
    refused(
        "household_required",
        services.submit_response,
        actor=place.resident,
        survey=gardening.survey,
        answers=answers(gardening),
    )
    response = services.submit_response(
        actor=place.resident, survey=gardening.survey, answers=answers(gardening), household=place.b2_homes[1]
    )
    assert response.household == place.b2_homes[1]
    # Naming a household they are not a member of is refused.
    refused(
        "forbidden",
        services.submit_response,
        actor=place.resident,
        survey=gardening.survey,
        answers=answers(gardening),
        household=place.b2_homes[0],
    )


def test_one_response_per_household_whoever_in_it_answers(place, gardening):
    services.submit_response(actor=place.resident, survey=gardening.survey, answers=answers(gardening))
    refused(
        "already_answered",
        services.submit_response,
        actor=place.spouse,
        survey=gardening.survey,
        answers=answers(gardening, agree=gardening.no),
    )
    refused(
        "already_answered",
        services.record_paper_response,
        actor=place.secretary,
        survey=gardening.survey,
        code=code(gardening, place.b1_homes[0]),
        answers=answers(gardening),
    )
    assert Response.objects.count() == 1
    assert Answer.objects.filter(choice=gardening.no).count() == 0


def test_the_database_itself_refuses_a_second_live_response(place, gardening):
    services.submit_response(actor=place.resident, survey=gardening.survey, answers=answers(gardening))
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=gardening.survey, household=place.b1_homes[0], channel=Channel.PAPER)


def test_a_survey_takes_answers_only_while_open(place):
    from tests.surveys.conftest import gardening_survey

    s = gardening_survey(place, open_it=False)
    refused("not_open", services.submit_response, actor=place.resident, survey=s.survey, answers=answers(s))
    services.open_survey(actor=place.secretary, survey=s.survey)
    services.close_survey(actor=place.secretary, survey=s.survey)
    refused("closed", services.submit_response, actor=place.resident, survey=s.survey, answers=answers(s))
    refused(
        "closed",
        services.record_paper_response,
        actor=place.secretary,
        survey=s.survey,
        code=code(s, place.b1_homes[1]),
        answers=answers(s),
    )


# ---- answers checked against each question's kind --------------------------------------------------------


def test_a_required_question_must_be_answered_and_an_optional_one_may_be_left(place, gardening):
    s = gardening
    refused(
        "answer_required",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers={s.services.pk: [s.prune.pk]},
    )
    refused(
        "answer_required",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers={s.agree.pk: s.yes.pk, s.services.pk: []},
    )
    response = services.submit_response(
        actor=place.resident, survey=s.survey, answers=answers(s, remark="   ")
    )
    assert not response.answers.filter(question=s.remarks).exists()


def test_a_single_choice_takes_one_of_its_own_choices(place, gardening):
    s = gardening
    for wrong, expected in (
        ([s.yes.pk, s.no.pk], "one_choice_only"),
        (s.prune.pk, "invalid_choice"),  # a choice of another question
        (999_999, "invalid_choice"),
        ("同意", "invalid_choice"),
        (True, "invalid_choice"),
    ):
        refused(
            expected,
            services.submit_response,
            actor=place.resident,
            survey=s.survey,
            answers={**answers(s), s.agree.pk: wrong},
        )
    assert not Response.objects.exists()


def test_a_multiple_choice_takes_its_own_choices_each_once(place, gardening):
    s = gardening
    refused(
        "choice_repeated",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers={**answers(s), s.services.pk: [s.prune.pk, s.prune.pk]},
    )
    refused(
        "invalid_choice",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers={**answers(s), s.services.pk: [s.prune.pk, s.yes.pk]},
    )
    response = services.submit_response(
        actor=place.resident,
        survey=s.survey,
        answers={**answers(s), s.services.pk: [s.prune.pk, s.water.pk, s.weed.pk]},
    )
    assert response.answers.filter(question=s.services).count() == 3


def test_a_written_answer_is_text_of_reasonable_length(place, gardening):
    s = gardening
    refused(
        "invalid_text",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers=answers(s, remark=["列表"]),
    )
    refused(
        "answer_too_long",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers=answers(s, remark="很" * 2001),
    )
    assert not Response.objects.exists()


def test_an_answer_to_a_question_the_survey_does_not_have_is_refused(place, gardening):
    s = gardening
    refused(
        "unknown_question",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers={**answers(s), 999_999: "x"},
    )
    refused(
        "unknown_question",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers={**answers(s), "abc": "x"},
    )


def test_a_refused_response_leaves_nothing_behind(place, gardening):
    s = gardening
    audit_before = AuditEntry.objects.count()
    refused(
        "invalid_choice",
        services.submit_response,
        actor=place.resident,
        survey=s.survey,
        answers={**answers(s), s.services.pk: [s.prune.pk, 999_999]},
    )
    assert (Response.objects.count(), Answer.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        audit_before,
    )


# ---- paper forms -----------------------------------------------------------------------------------------


def test_staff_key_in_a_paper_form_by_the_household_code_printed_on_it(place, gardening):
    home = place.b1_homes[2]
    response = services.record_paper_response(
        actor=place.secretary,
        survey=gardening.survey,
        code=code(gardening, home).lower(),
        answers=answers(gardening),
    )
    assert (response.household, response.channel, response.recorded_by, response.respondent) == (
        home,
        Channel.PAPER,
        place.secretary,
        None,
    )


def test_the_owners_committee_keys_in_forms_of_its_own_compound_only(place, gardening):
    services.record_paper_response(
        actor=place.owners,
        survey=gardening.survey,
        code=code(gardening, place.b2_homes[1]),
        answers=answers(gardening),
    )
    elsewhere = services.create_survey(
        actor=place.secretary, region=place.tree.compound, title="万泰丽景调查"
    )
    services.add_question(actor=place.secretary, survey=elsewhere, kind="text", text="意见")
    services.open_survey(actor=place.secretary, survey=elsewhere)
    home = Household.objects.create(region=place.tree.building, room="301")
    refused(
        "forbidden",
        services.record_paper_response,
        actor=place.owners,
        survey=elsewhere,
        code=household_code(elsewhere.pk, home.pk),
        answers={},
    )


def test_a_sibling_communitys_committee_and_a_resident_may_not_key_in_forms(place, gardening):
    for who in (place.other_secretary, place.resident):
        refused(
            "forbidden",
            services.record_paper_response,
            actor=who,
            survey=gardening.survey,
            code=code(gardening, place.b1_homes[1]),
            answers=answers(gardening),
        )
    assert not Response.objects.exists()


def test_a_mistyped_code_or_a_form_of_another_survey_is_refused(place, gardening):
    good = code(gardening, place.b1_homes[1])
    typo = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    refused(
        "invalid_household_code",
        services.record_paper_response,
        actor=place.secretary,
        survey=gardening.survey,
        code=typo,
        answers=answers(gardening),
    )
    other = household_code(gardening.survey.pk + 1, place.b1_homes[1].pk)
    refused(
        "code_for_other_survey",
        services.record_paper_response,
        actor=place.secretary,
        survey=gardening.survey,
        code=other,
        answers=answers(gardening),
    )
    outside = Household.objects.get(memberships__person=place.outsider)
    refused(
        "household_elsewhere",
        services.record_paper_response,
        actor=place.secretary,
        survey=gardening.survey,
        code=code(gardening, outside),
        answers=answers(gardening),
    )
    assert not Response.objects.exists()


def test_a_form_keyed_under_the_wrong_household_is_voided_and_the_household_answers_again(place, gardening):
    wrong = services.record_paper_response(
        actor=place.secretary,
        survey=gardening.survey,
        code=code(gardening, place.b1_homes[0]),
        answers=answers(gardening),
    )
    refused("reason_required", services.void_response, actor=place.secretary, response=wrong, reason=" ")
    refused("forbidden", services.void_response, actor=place.owners, response=wrong, reason="录错户")
    services.void_response(actor=place.secretary, response=wrong, reason="录错户，应为201")
    refused("already_void", services.void_response, actor=place.secretary, response=wrong, reason="再次")
    again = services.submit_response(
        actor=place.resident, survey=gardening.survey, answers=answers(gardening, agree=gardening.no)
    )
    assert Response.objects.filter(household=place.b1_homes[0]).count() == 2  # the voided one stays on record
    assert Response.objects.filter(household=place.b1_homes[0], voided_at__isnull=True).get() == again


def test_staff_may_choose_the_household_from_the_roster_when_the_code_cannot_be_read(place, gardening):
    home = place.b2_homes[1]
    response = services.record_paper_response(
        actor=place.owners, survey=gardening.survey, household=home, answers=answers(gardening)
    )
    assert (response.household, response.channel) == (home, Channel.PAPER)
    refused(
        "code_and_household",
        services.record_paper_response,
        actor=place.secretary,
        survey=gardening.survey,
        household=place.b1_homes[1],
        code=code(gardening, place.b1_homes[1]),
        answers=answers(gardening),
    )
    outside = Household.objects.get(memberships__person=place.outsider)
    refused(
        "household_elsewhere",
        services.record_paper_response,
        actor=place.secretary,
        survey=gardening.survey,
        household=outside,
        answers=answers(gardening),
    )
    assert Response.objects.count() == 1
