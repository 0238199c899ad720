"""The survey pages through the Django test client: the list, a survey's page for each role, drafting,
opening, answering online, keying in paper forms, voiding, printing, publishing; what never shows publicly."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from tests.surveys.conftest import answers, gardening_survey
from yishi.notices.models import Notice
from yishi.surveys import services
from yishi.surveys.codes import household_code
from yishi.surveys.models import Channel, Question, Response, Survey, SurveyStatus

pytestmark = pytest.mark.django_db

BACKEND = "yishi.people.backends.PhonePasswordBackend"
NAMES = ["刘桂兰", "王建国", "李大爷", "张金利", "业委会主任"]


def as_(person) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def tr(msgid: str) -> str:
    """The text a page shows for ``msgid`` (pages are in zh-hans; untranslated ids show as they are)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def html(response) -> str:
    return response.content.decode()


def shows(response, text: str) -> bool:
    return escape(text) in html(response)


def errors_on(response) -> str:
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</', html(response), re.S))


def url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"surveys:{name}", args=args)


def code(s, household) -> str:
    return household_code(s.survey.pk, household.pk)


def form_data(s, agree=None, picks=(), remark="") -> dict:
    return {
        f"question_{s.agree.pk}": str((agree or s.yes).pk),
        f"question_{s.services.pk}": [str(c.pk) for c in (picks or [s.prune])],
        f"question_{s.remarks.pk}": remark,
    }


def paper(p, s, home, **kwargs):
    return services.record_paper_response(
        actor=p.secretary, survey=s.survey, code=code(s, home), answers=answers(s, **kwargs)
    )


@pytest.fixture
def closed(place, gardening):
    """Three households answered (one wrote a remark naming a neighbour), and the survey is closed."""
    s = gardening
    services.submit_response(
        actor=place.resident, survey=s.survey, answers=answers(s, remark="请王建国负责联系")
    )
    paper(place, s, place.b1_homes[1], agree=s.no)
    paper(place, s, place.b2_homes[1])
    services.close_survey(actor=place.secretary, survey=s.survey)
    return s


# ---- the list of a region's surveys ----------------------------------------------------------------------


def test_the_list_shows_open_surveys_to_everyone_and_drafts_only_to_the_committee(place, gardening):
    draft = services.create_survey(actor=place.secretary, region=place.compound, title="楼道照明调查")
    public = Client().get(url("list", place.compound.pk))
    assert public.status_code == 200
    assert shows(public, gardening.survey.title) and not shows(public, draft.title)
    assert url("new", place.compound.pk) not in html(public)
    staff = as_(place.secretary).get(url("list", place.compound.pk))
    assert shows(staff, draft.title) and url("new", place.compound.pk) in html(staff)
    for other in (place.other_secretary, place.owners):
        page = as_(other).get(url("list", place.compound.pk))
        assert not shows(page, draft.title) and url("new", place.compound.pk) not in html(page)
    # The community's list holds its compounds' surveys; the sibling community's does not.
    assert shows(Client().get(url("list", place.tree.community.pk)), gardening.survey.title)
    assert not shows(Client().get(url("list", place.tree.sibling.pk)), gardening.survey.title)


def test_the_list_reads_a_fixed_number_of_queries_however_many_surveys(place):
    def count() -> int:
        client = as_(place.secretary)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("list", place.compound.pk)).status_code == 200
        return len(ctx)

    for i in range(2):
        services.create_survey(actor=place.secretary, region=place.compound, title=f"调查{i}")
    few = count()
    for i in range(2, 14):
        gardening_survey(place, open_it=i % 2 == 0)
    assert count() == few


def test_the_region_page_and_the_workbench_link_to_surveys(place):
    assert url("list", place.compound.pk) in html(Client().get(f"/r/{place.compound.pk}/"))
    assert url("list", place.b1.pk) not in html(Client().get(f"/r/{place.b1.pk}/"))
    assert url("mine") in html(as_(place.resident).get("/work/"))


# ---- drafting --------------------------------------------------------------------------------------------


def test_the_committee_drafts_a_survey_then_adds_its_questions_on_its_page(place):
    client = as_(place.secretary)
    assert client.get(url("new", place.compound.pk)).status_code == 200
    response = client.post(
        url("new", place.compound.pk), {"title": "聘请专业绿化队", "description": "入户调查"}
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", survey.pk)
    assert (survey.region, survey.status, survey.created_by) == (
        place.compound,
        SurveyStatus.DRAFT,
        place.secretary,
    )
    added = client.post(
        url("add_question", survey.pk),
        {"kind": "single", "text": "是否同意？", "choices": "同意\n不同意\n\n", "required": "on"},
    )
    assert added.status_code == 302
    question = survey.questions.get()
    assert [c.label for c in question.choices.all()] == ["同意", "不同意"] and question.required
    client.post(url("add_question", survey.pk), {"kind": "text", "text": "其他意见"})
    assert list(survey.questions.values_list("position", "required")) == [(1, True), (2, False)]
    removed = client.post(url("remove_question", survey.pk, question.pk))
    assert removed.status_code == 302 and list(survey.questions.values_list("text", flat=True)) == [
        "其他意见"
    ]


def test_a_survey_without_a_title_or_with_an_unknown_matter_is_not_saved(place):
    client = as_(place.secretary)
    blank = client.post(url("new", place.compound.pk), {"title": "   "})
    assert blank.status_code == 400
    unknown = client.post(url("new", place.compound.pk), {"title": "调查", "matter": "999"})
    assert unknown.status_code == 400 and tr("There is no matter with that number.") in html(unknown)
    building = client.post(url("new", place.b1.pk), {"title": "调查"})
    assert building.status_code == 400 and tr("A survey is held in a compound or a community.") in html(
        building
    )
    assert not Survey.objects.exists()


@pytest.mark.parametrize("who", ["owners", "other_secretary", "resident"])
def test_only_the_committee_drafts_a_survey(place, who):
    client = as_(getattr(place, who))
    assert client.get(url("new", place.compound.pk)).status_code == 403
    assert client.post(url("new", place.compound.pk), {"title": "调查"}).status_code == 403
    assert not Survey.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_to_draft(place):
    response = Client().post(url("new", place.compound.pk), {"title": "调查"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Survey.objects.exists()


def test_a_question_the_service_refuses_is_shown_with_its_reason_and_not_saved(place):
    survey = services.create_survey(actor=place.secretary, region=place.compound, title="调查")
    response = as_(place.secretary).post(
        url("add_question", survey.pk), {"kind": "single", "text": "是否同意？", "choices": "同意"}
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        reason = str(translation.gettext("A choice question has 2 to %(max)d choices.") % {"max": 20})
    assert escape(reason) in html(response)
    assert not Question.objects.exists()


def test_questions_freeze_once_the_survey_opens(place, gardening):
    response = as_(place.secretary).post(
        url("add_question", gardening.survey.pk), {"kind": "text", "text": "还有什么？"}
    )
    assert response.status_code == 409
    assert tr("The survey has been opened; its questions can no longer change.") in html(response)
    assert gardening.survey.questions.count() == 3


def test_a_draft_is_not_found_by_anyone_but_those_who_manage_it(place):
    draft = services.create_survey(actor=place.secretary, region=place.compound, title="草稿")
    assert as_(place.secretary).get(url("detail", draft.pk)).status_code == 200
    for client in (Client(), as_(place.owners), as_(place.other_secretary), as_(place.resident)):
        assert client.get(url("detail", draft.pk)).status_code == 404
    assert as_(place.owners).post(url("open", draft.pk)).status_code == 404


# ---- opening, closing, publishing ------------------------------------------------------------------------


def test_opening_needs_a_question_and_the_committee(place):
    draft = services.create_survey(actor=place.secretary, region=place.compound, title="调查")
    empty = as_(place.secretary).post(url("open", draft.pk))
    assert empty.status_code == 409 and tr("Add at least one question before opening the survey.") in html(
        empty
    )
    services.add_question(actor=place.secretary, survey=draft, kind="text", text="意见")
    assert as_(place.secretary).post(url("open", draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == SurveyStatus.OPEN


def test_the_owners_committee_may_not_close_and_a_closed_survey_is_not_closed_twice(place, gardening):
    refused = as_(place.owners).post(url("close", gardening.survey.pk))
    assert refused.status_code == 403 and tr("You do not have the authority to do this here.") in html(
        refused
    )
    assert as_(place.other_secretary).post(url("close", gardening.survey.pk)).status_code == 403
    gardening.survey.refresh_from_db()
    assert gardening.survey.status == SurveyStatus.OPEN
    assert as_(place.secretary).post(url("close", gardening.survey.pk)).status_code == 302
    again = as_(place.secretary).post(url("close", gardening.survey.pk))
    assert again.status_code == 409 and tr("The survey is closed.") in html(again)


def test_publishing_posts_the_counts_on_the_community_board_and_links_to_them(place, closed):
    client = as_(place.secretary)
    bad = client.post(url("publish", closed.survey.pk), {"period_days": "0"})
    assert bad.status_code == 400 and not Notice.objects.exists()
    assert as_(place.owners).post(url("publish", closed.survey.pk), {"period_days": "10"}).status_code == 403
    assert client.post(url("publish", closed.survey.pk), {"period_days": "10"}).status_code == 302
    notice = Notice.objects.get()
    assert notice.region == place.tree.community
    page = Client().get(url("detail", closed.survey.pk))
    assert f"/n/{notice.pk}/" in html(page)
    again = client.post(url("publish", closed.survey.pk), {"period_days": "10"})
    assert again.status_code == 409 and Notice.objects.count() == 1


def test_an_open_survey_cannot_be_published(place, gardening):
    response = as_(place.secretary).post(url("publish", gardening.survey.pk), {"period_days": "10"})
    assert response.status_code == 409 and tr("Close the survey before publishing its results.") in html(
        response
    )


# ---- answering online ------------------------------------------------------------------------------------


def test_a_resident_answers_for_their_household_and_then_sees_that_it_has_answered(place, gardening):
    s = gardening
    client = as_(place.resident)
    page = client.get(url("detail", s.survey.pk))
    assert f'action="{url("answer", s.survey.pk)}"' in html(page)
    response = client.post(
        url("answer", s.survey.pk), form_data(s, picks=[s.prune, s.water], remark="每周浇水")
    )
    assert response.status_code == 302
    stored = Response.objects.get()
    assert (stored.household, stored.channel, stored.respondent) == (
        place.b1_homes[0],
        Channel.ONLINE,
        place.resident,
    )
    assert stored.answers.count() == 4
    after = client.get(url("detail", s.survey.pk))
    assert f'action="{url("answer", s.survey.pk)}"' not in html(after)
    with translation.override("zh-hans"):
        answered = translation.gettext("Your household (%(h)s) has answered.") % {"h": place.b1_homes[0]}
    assert escape(answered) in html(after)
    # The spouse sees it too, and cannot answer a second time for the same household.
    spouse = as_(place.spouse)
    assert escape(answered) in html(spouse.get(url("detail", s.survey.pk)))
    second = spouse.post(url("answer", s.survey.pk), form_data(s))
    assert second.status_code == 409 and tr("This household has already answered the survey.") in html(second)
    assert Response.objects.count() == 1


def test_a_required_question_left_empty_is_refused_and_nothing_is_saved(place, gardening):
    s = gardening
    data = form_data(s)
    data[f"question_{s.agree.pk}"] = ""
    response = as_(place.resident).post(url("answer", s.survey.pk), data)
    assert response.status_code == 400
    assert "是否同意聘请专业绿化队" in errors_on(response)
    assert not Response.objects.exists()


def test_a_choice_from_another_question_is_refused(place, gardening):
    s = gardening
    data = form_data(s)
    data[f"question_{s.agree.pk}"] = str(s.water.pk)
    response = as_(place.resident).post(url("answer", s.survey.pk), data)
    assert response.status_code == 400 and not Response.objects.exists()


def test_a_resident_of_another_compound_may_not_answer(place, gardening):
    client = as_(place.outsider)
    page = client.get(url("detail", gardening.survey.pk))
    assert page.status_code == 200 and f'action="{url("answer", gardening.survey.pk)}"' not in html(page)
    response = client.post(url("answer", gardening.survey.pk), form_data(gardening))
    assert response.status_code == 403 and not Response.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in_to_answer(place, gardening):
    page = Client().get(url("detail", gardening.survey.pk))
    assert page.status_code == 200 and "/login/?next=" in html(page)
    response = Client().post(url("answer", gardening.survey.pk), form_data(gardening))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Response.objects.exists()


def test_a_closed_survey_takes_no_answer(place, gardening):
    services.close_survey(actor=place.secretary, survey=gardening.survey)
    response = as_(place.resident).post(url("answer", gardening.survey.pk), form_data(gardening))
    assert response.status_code == 409 and not Response.objects.exists()


def test_my_surveys_lists_the_open_ones_for_my_household_and_whether_it_answered(place, gardening):
    client = as_(place.resident)
    before = client.get(url("mine"))
    assert shows(before, gardening.survey.title) and shows(before, tr("not answered yet"))
    services.submit_response(actor=place.resident, survey=gardening.survey, answers=answers(gardening))
    assert shows(client.get(url("mine")), tr("your household has answered"))
    assert not shows(as_(place.outsider).get(url("mine")), gardening.survey.title)
    staff = as_(place.secretary).get(url("mine"))
    assert url("list", place.compound.pk) in html(staff)


# ---- paper forms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary", "owners"])
def test_staff_key_in_a_paper_form_by_its_code(place, gardening, who):
    s = gardening
    client = as_(getattr(place, who))
    assert client.get(url("paper", s.survey.pk)).status_code == 200
    data = {"code": code(s, place.b2_homes[1]).lower(), **form_data(s, agree=s.no)}
    response = client.post(url("paper", s.survey.pk), data)
    assert response.status_code == 302 and response["Location"] == url("paper", s.survey.pk)
    stored = Response.objects.get()
    assert (stored.household, stored.channel, stored.respondent, stored.recorded_by) == (
        place.b2_homes[1],
        Channel.PAPER,
        None,
        getattr(place, who),
    )


def test_a_mistyped_code_or_a_household_that_answered_is_refused(place, gardening):
    s = gardening
    client = as_(place.secretary)
    good = code(s, place.b1_homes[1])
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    bad = client.post(url("paper", s.survey.pk), {"code": typo, **form_data(s)})
    assert bad.status_code == 400
    assert tr("This household code is not valid. Check it against the paper form.") in errors_on(bad)
    assert not Response.objects.exists()
    assert client.post(url("paper", s.survey.pk), {"code": good, **form_data(s)}).status_code == 302
    twice = client.post(url("paper", s.survey.pk), {"code": good, **form_data(s)})
    assert twice.status_code == 409 and Response.objects.count() == 1


def test_the_household_may_be_picked_from_the_roster_when_the_code_cannot_be_read(place, gardening):
    s = gardening
    page = as_(place.secretary).get(url("paper", s.survey.pk))
    assert f'<option value="{place.b2_homes[0].pk}">' in html(page)
    response = as_(place.secretary).post(
        url("paper", s.survey.pk), {"household": place.b2_homes[0].pk, **form_data(s)}
    )
    assert response.status_code == 302 and Response.objects.get().household == place.b2_homes[0]


@pytest.mark.parametrize("who", ["other_secretary", "resident"])
def test_others_may_not_key_in_paper_forms(place, gardening, who):
    client = as_(getattr(place, who))
    assert client.get(url("paper", gardening.survey.pk)).status_code == 403
    data = {"code": code(gardening, place.b1_homes[1]), **form_data(gardening)}
    assert client.post(url("paper", gardening.survey.pk), data).status_code == 403
    assert not Response.objects.exists()


def test_a_mistaken_form_is_voided_with_a_reason_and_the_household_may_answer_again(place, gardening):
    s = gardening
    wrong = paper(place, s, place.b1_homes[0])
    client = as_(place.secretary)
    listing = client.get(url("responses", s.survey.pk))
    assert listing.status_code == 200 and shows(listing, str(place.b1_homes[0]))
    blank = client.post(url("void", s.survey.pk, wrong.pk), {"reason": ""})
    assert blank.status_code == 400
    wrong.refresh_from_db()
    assert not wrong.is_void
    assert client.post(url("void", s.survey.pk, wrong.pk), {"reason": "录错户"}).status_code == 302
    wrong.refresh_from_db()
    assert wrong.is_void and wrong.void_reason == "录错户"
    services.submit_response(actor=place.resident, survey=s.survey, answers=answers(s))
    # The owners' committee sees who answered but may not void; a resident sees neither.
    assert as_(place.owners).get(url("responses", s.survey.pk)).status_code == 200
    live = Response.objects.get(voided_at__isnull=True)
    assert as_(place.owners).post(url("void", s.survey.pk, live.pk), {"reason": "错"}).status_code == 403
    assert as_(place.resident).get(url("responses", s.survey.pk)).status_code == 403
    assert as_(place.resident).post(url("void", s.survey.pk, live.pk), {"reason": "错"}).status_code == 403
    live.refresh_from_db()
    assert not live.is_void


def test_the_paper_forms_print_one_a4_page_per_household_with_its_code(place, gardening):
    s = gardening
    page = as_(place.owners).get(url("print", s.survey.pk))
    assert page.status_code == 200
    homes = place.b1_homes + place.b2_homes
    assert html(page).count('class="form-page"') == len(homes)
    for home in homes:
        assert code(s, home) in html(page)
    assert "<svg" in html(page) and "surveys/print.css" in html(page)
    one = as_(place.owners).get(url("print", s.survey.pk), {"household": place.b2_homes[0].pk})
    assert html(one).count('class="form-page"') == 1 and code(s, place.b2_homes[0]) in html(one)
    assert as_(place.owners).get(url("print", s.survey.pk), {"household": "0"}).status_code == 404
    assert as_(place.resident).get(url("print", s.survey.pk)).status_code == 403
    assert as_(place.other_secretary).get(url("print", s.survey.pk)).status_code == 403
    assert Client().get(url("print", s.survey.pk)).status_code == 302


def test_printing_reads_a_fixed_number_of_queries_however_many_households(place, gardening):
    def count() -> int:
        client = as_(place.secretary)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("print", gardening.survey.pk)).status_code == 200
        return len(ctx)

    few = count()
    from tests import builders

    for room in range(301, 311):
        builders.household(place.b2, room=str(room))
    assert count() == few


# ---- results ---------------------------------------------------------------------------------------------


def test_results_are_public_once_published_without_a_name_or_a_written_answer(place, closed):
    s = closed
    before = Client().get(url("detail", s.survey.pk))
    assert 'id="results-h"' not in html(before)
    staff = as_(place.secretary).get(url("detail", s.survey.pk))
    assert 'id="results-h"' in html(staff) and "请王建国负责联系" in html(staff)
    services.publish_results(actor=place.secretary, survey=s.survey)
    public = Client().get(url("detail", s.survey.pk))
    assert 'id="results-h"' in html(public)
    rate = re.search(r'<div id="rate".*?</div>', html(public), re.S).group(0)
    assert re.search(r"<td>1号楼</td><td>2</td><td>4</td><td>50%</td>", rate)
    assert re.search(r"<td>2号楼</td><td>1</td><td>2</td><td>50%</td>", rate)
    assert re.search(r"<th>.*?</th><th>3</th><th>6</th><th>50%</th>", rate)
    assert re.search(r"<th>同意</th><td>2</td><td>67%</td>", html(public))
    for name in NAMES:
        assert name not in html(public)
    assert "请王建国负责联系" not in html(public)
    # A resident sees the public results, not the written answers; the owners' committee neither.
    assert "请王建国负责联系" not in html(as_(place.resident).get(url("detail", s.survey.pk)))
    assert "请王建国负责联系" not in html(as_(place.owners).get(url("detail", s.survey.pk)))


def test_htmx_gets_the_response_rate_alone_and_the_page_varies_on_it(place, gardening):
    paper(place, gardening, place.b1_homes[1])
    client = as_(place.owners)
    fragment = client.get(url("detail", gardening.survey.pk), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    assert html(fragment).lstrip().startswith('<div id="rate"') and "<html" not in html(fragment)
    assert "<td>1号楼</td><td>1</td><td>4</td><td>25%</td>" in html(fragment)
    # The public may not poll a rate that is not published yet.
    assert Client().get(url("detail", gardening.survey.pk), HTTP_HX_REQUEST="true").status_code == 403
