"""The JSON API for household surveys (/api/v1/surveys): every endpoint, what it refuses, and what it never shows."""

import json

import pytest
from django.test import Client
from django.utils import translation

from tests.surveys.conftest import answers, gardening_survey
from yishi.notices.models import Notice
from yishi.people.tokens import issue_token
from yishi.surveys import services
from yishi.surveys.codes import household_code
from yishi.surveys.models import Channel, Question, Response, Survey, SurveyStatus

pytestmark = pytest.mark.django_db

API = "/api/v1/surveys"
BACKEND = "yishi.people.backends.PhonePasswordBackend"
NAMES = ["刘桂兰", "王建国", "李大爷", "张金利", "业委会主任"]


def as_(person, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(person, backend=BACKEND)
    return client


def bearer(person) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")


def post(client, path: str, data=None, **extra):
    return client.post(
        f"{API}{path}", data if data is not None else {}, content_type="application/json", **extra
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    return body["detail"]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def body_answers(s, **kwargs) -> dict:
    return {str(k): v for k, v in answers(s, **kwargs).items()}


QUESTIONS = [
    {"kind": "single", "text": "是否同意聘请专业绿化队？", "choices": ["同意", "不同意"]},
    {"kind": "multiple", "text": "您最关心哪些养护内容？", "choices": ["修剪", "浇水", "除草"]},
    {"kind": "text", "text": "其他意见", "required": False},
]


# ---- drafting --------------------------------------------------------------------------------------------


def test_the_committee_drafts_a_survey_with_its_questions_in_one_call(place):
    created = ok(
        post(
            bearer(place.secretary),
            "/",
            {"region": place.compound.pk, "title": "绿化队调查", "questions": QUESTIONS},
        ),
        201,
    )
    assert (created["status"], created["region"]["id"], created["results"]) == (
        "draft",
        place.compound.pk,
        None,
    )
    assert [(q["position"], q["kind"], len(q["choices"])) for q in created["questions"]] == [
        (1, "single", 2),
        (2, "multiple", 3),
        (3, "text", 0),
    ]
    assert created["available_actions"] == ["add_question", "remove_question", "open"]


def test_a_refused_question_leaves_no_survey_behind(place):
    bad = [*QUESTIONS, {"kind": "single", "text": "只有一个选项", "choices": ["是"]}]
    detail = refused(
        post(bearer(place.secretary), "/", {"region": place.compound.pk, "title": "调查", "questions": bad}),
        409,
        "choice_count",
    )
    with translation.override("zh-hans"):
        assert detail == translation.gettext("A choice question has 2 to %(max)d choices.") % {"max": 20}
    assert not Survey.objects.exists() and not Question.objects.exists()


def test_a_malformed_question_kind_is_422(place):
    body = {"region": place.compound.pk, "title": "调查", "questions": [{"kind": "essay", "text": "?"}]}
    assert post(bearer(place.secretary), "/", body).status_code == 422
    assert not Survey.objects.exists()


@pytest.mark.parametrize("who", ["owners", "other_secretary", "resident"])
def test_only_the_committee_drafts(place, who):
    response = post(bearer(getattr(place, who)), "/", {"region": place.compound.pk, "title": "调查"})
    assert refused(response, 403, "forbidden") == zh("You do not have the authority to do this here.")
    assert not Survey.objects.exists()


def test_anonymous_writes_are_401_and_session_writes_need_the_csrf_token(place, gardening):
    assert post(Client(), "/", {"region": place.compound.pk, "title": "调查"}).status_code == 401
    assert post(Client(), f"/{gardening.survey.pk}/close").status_code == 401
    browser = as_(place.secretary, enforce_csrf_checks=True)
    response = post(browser, f"/{gardening.survey.pk}/close")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    secret = "a" * 32
    browser.cookies["csrftoken"] = secret
    ok(post(browser, f"/{gardening.survey.pk}/close", HTTP_X_CSRFTOKEN=secret))
    gardening.survey.refresh_from_db()
    assert gardening.survey.status == SurveyStatus.CLOSED


def test_questions_are_added_and_removed_while_a_draft_only(place):
    survey = services.create_survey(actor=place.secretary, region=place.compound, title="调查")
    client = bearer(place.secretary)
    question = ok(post(client, f"/{survey.pk}/questions", QUESTIONS[0]), 201)
    assert [c["label"] for c in question["choices"]] == ["同意", "不同意"]
    other = ok(post(client, f"/{survey.pk}/questions", QUESTIONS[2]), 201)
    assert client.delete(f"{API}/{survey.pk}/questions/{question['id']}").status_code == 204
    assert list(survey.questions.values_list("pk", flat=True)) == [other["id"]]
    assert client.delete(f"{API}/{survey.pk}/questions/99999").status_code == 404
    assert ok(post(client, f"/{survey.pk}/open"))["status"] == "open"
    refused(post(client, f"/{survey.pk}/questions", QUESTIONS[0]), 409, "not_draft")
    refused(client.delete(f"{API}/{survey.pk}/questions/{other['id']}"), 409, "not_draft")
    assert survey.questions.count() == 1


def test_open_close_and_publish_in_order_and_each_only_once(place):
    survey = services.create_survey(actor=place.secretary, region=place.compound, title="调查")
    client = bearer(place.secretary)
    refused(post(client, f"/{survey.pk}/open"), 409, "no_questions")
    services.add_question(actor=place.secretary, survey=survey, kind="text", text="意见", required=False)
    refused(post(client, f"/{survey.pk}/close"), 409, "not_open")
    assert post(bearer(place.owners), f"/{survey.pk}/open").status_code == 404  # a draft is not theirs to see
    ok(post(client, f"/{survey.pk}/open"))
    refused(post(client, f"/{survey.pk}/publish"), 409, "not_closed")
    refused(post(bearer(place.owners), f"/{survey.pk}/close"), 403, "forbidden")
    ok(post(client, f"/{survey.pk}/close"))
    refused(post(client, f"/{survey.pk}/publish", {"period_days": 0}), 409, "invalid_period")
    notice = ok(post(client, f"/{survey.pk}/publish", {"period_days": 7}), 201)
    assert (notice["region"]["id"], notice["period_days"]) == (place.tree.community.pk, 7)
    refused(post(client, f"/{survey.pk}/publish"), 409, "already_published")
    assert Notice.objects.count() == 1


# ---- reading ---------------------------------------------------------------------------------------------


def test_the_list_is_public_without_drafts_newest_first_and_paginated(place, gardening):
    draft = services.create_survey(actor=place.secretary, region=place.compound, title="草稿")
    second = gardening_survey(place)
    page = ok(Client().get(f"{API}/", {"region": place.compound.pk, "limit": 1}))
    assert (page["count"], page["limit"], page["offset"]) == (2, 1, 0)
    assert [s["id"] for s in page["items"]] == [second.survey.pk]
    rest = ok(Client().get(f"{API}/", {"region": place.compound.pk, "limit": 1, "offset": 1}))
    assert [s["id"] for s in rest["items"]] == [gardening.survey.pk]
    staff = ok(bearer(place.secretary).get(f"{API}/", {"region": place.compound.pk}))
    assert draft.pk in [s["id"] for s in staff["items"]]
    everywhere = ok(Client().get(f"{API}/", {"status": "open"}))
    assert everywhere["count"] == 2
    assert Client().get(f"{API}/", {"limit": 101}).status_code == 422
    assert Client().get(f"{API}/", {"status": "lost"}).status_code == 422
    assert ok(Client().get(f"{API}/", {"region": place.tree.sibling.pk}))["count"] == 0


def test_a_draft_is_404_to_all_but_those_who_manage_it(place):
    draft = services.create_survey(actor=place.secretary, region=place.compound, title="草稿")
    assert ok(bearer(place.secretary).get(f"{API}/{draft.pk}"))["status"] == "draft"
    for client in (Client(), bearer(place.owners), bearer(place.other_secretary)):
        assert client.get(f"{API}/{draft.pk}").status_code == 404
    assert Client().get(f"{API}/99999").status_code == 404


def test_the_detail_tells_a_resident_whether_their_household_answered_and_what_they_may_do(place, gardening):
    client = bearer(place.resident)
    before = ok(client.get(f"{API}/{gardening.survey.pk}"))
    assert before["my_households"] == [
        {"id": place.b1_homes[0].pk, "label": str(place.b1_homes[0]), "answered": False}
    ]
    assert before["available_actions"] == ["answer"] and before["results"] is None
    ok(post(client, f"/{gardening.survey.pk}/responses", {"answers": body_answers(gardening)}), 201)
    after = ok(client.get(f"{API}/{gardening.survey.pk}"))
    assert after["my_households"][0]["answered"] and after["available_actions"] == []
    mine = ok(client.get(f"{API}/mine"))["items"]
    assert [(row["survey"]["id"], row["answered"]) for row in mine] == [(gardening.survey.pk, True)]
    assert Client().get(f"{API}/mine").status_code == 401


def test_results_are_public_once_published_with_no_name_and_no_written_answer(place, gardening):
    s = gardening
    services.submit_response(actor=place.resident, survey=s.survey, answers=answers(s, remark="请王建国负责"))
    services.record_paper_response(
        actor=place.owners,
        survey=s.survey,
        code=household_code(s.survey.pk, place.b2_homes[1].pk),
        answers=answers(s, agree=s.no),
    )
    services.close_survey(actor=place.secretary, survey=s.survey)
    assert ok(Client().get(f"{API}/{s.survey.pk}"))["results"] is None
    staff = ok(bearer(place.secretary).get(f"{API}/{s.survey.pk}"))["results"]
    assert staff["questions"][2]["texts"] == ["请王建国负责"]
    services.publish_results(actor=place.secretary, survey=s.survey)
    response = Client().get(f"{API}/{s.survey.pk}")
    public = ok(response)["results"]
    assert (
        public["responses"],
        public["rate"]["total"]["responded"],
        public["rate"]["total"]["households"],
    ) == (
        2,
        2,
        6,
    )
    assert [(b["region"]["name"], b["responded"], b["households"]) for b in public["rate"]["buildings"]] == [
        ("1号楼", 1, 4),
        ("2号楼", 1, 2),
    ]
    agree = public["questions"][0]
    assert [(c["label"], c["count"], c["percent"]) for c in agree["choices"]] == [
        ("同意", 1, 50),
        ("不同意", 1, 50),
        ("无所谓", 0, 0),
    ]
    assert public["questions"][2]["written"] == 1 and public["questions"][2]["texts"] is None
    text = response.content.decode()
    for name in NAMES:
        assert name not in text
    assert "请王建国负责" not in text
    assert ok(bearer(place.owners).get(f"{API}/{s.survey.pk}"))["results"]["questions"][2]["texts"] is None


# ---- answering -------------------------------------------------------------------------------------------


def test_a_member_answers_once_for_the_household(place, gardening):
    s = gardening
    created = ok(post(bearer(place.resident), f"/{s.survey.pk}/responses", {"answers": body_answers(s)}), 201)
    assert created == {"id": place.b1_homes[0].pk, "label": str(place.b1_homes[0]), "answered": True}
    again = refused(
        post(bearer(place.spouse), f"/{s.survey.pk}/responses", {"answers": body_answers(s)}),
        409,
        "already_answered",
    )
    assert again == zh("This household has already answered the survey.")
    assert Response.objects.get().channel == Channel.ONLINE


def test_bad_answers_are_refused_with_the_question_named_and_nothing_saved(place, gardening):
    s = gardening
    client = bearer(place.resident)
    wrong_choice = body_answers(s)
    wrong_choice[str(s.agree.pk)] = s.water.pk
    refused(post(client, f"/{s.survey.pk}/responses", {"answers": wrong_choice}), 409, "invalid_choice")
    missing = body_answers(s)
    del missing[str(s.agree.pk)]
    assert "是否同意聘请专业绿化队" in refused(
        post(client, f"/{s.survey.pk}/responses", {"answers": missing}), 409, "answer_required"
    )
    unknown = {**body_answers(s), "99999": "x"}
    refused(post(client, f"/{s.survey.pk}/responses", {"answers": unknown}), 409, "unknown_question")
    assert post(client, f"/{s.survey.pk}/responses", {"answers": "yes"}).status_code == 422
    assert not Response.objects.exists()


def test_someone_outside_the_area_may_not_answer_and_a_closed_survey_takes_nothing(place, gardening):
    s = gardening
    refused(
        post(bearer(place.outsider), f"/{s.survey.pk}/responses", {"answers": body_answers(s)}),
        403,
        "forbidden",
    )
    services.close_survey(actor=place.secretary, survey=s.survey)
    refused(
        post(bearer(place.resident), f"/{s.survey.pk}/responses", {"answers": body_answers(s)}), 409, "closed"
    )
    assert not Response.objects.exists()


# ---- paper forms and responses ---------------------------------------------------------------------------


def test_staff_key_in_paper_forms_by_code_and_list_them(place, gardening):
    s = gardening
    code = household_code(s.survey.pk, place.b2_homes[0].pk)
    created = ok(
        post(bearer(place.owners), f"/{s.survey.pk}/paper", {"code": code, "answers": body_answers(s)}), 201
    )
    assert (created["household"]["id"], created["channel"]) == (place.b2_homes[0].pk, "paper")
    other = gardening_survey(place)
    refused(
        post(
            bearer(place.secretary),
            f"/{s.survey.pk}/paper",
            {"code": household_code(other.survey.pk, place.b2_homes[1].pk), "answers": body_answers(s)},
        ),
        409,
        "code_for_other_survey",
    )
    refused(
        post(
            bearer(place.other_secretary), f"/{s.survey.pk}/paper", {"code": code, "answers": body_answers(s)}
        ),
        403,
        "forbidden",
    )
    by_roster = ok(
        post(
            bearer(place.secretary),
            f"/{s.survey.pk}/paper",
            {"household": place.b1_homes[3].pk, "answers": body_answers(s)},
        ),
        201,
    )
    assert by_roster["household"]["id"] == place.b1_homes[3].pk
    listed = ok(bearer(place.owners).get(f"{API}/{s.survey.pk}/responses", {"limit": 1}))
    assert listed["count"] == 2 and len(listed["items"]) == 1
    refused(bearer(place.resident).get(f"{API}/{s.survey.pk}/responses"), 403, "forbidden")
    assert Client().get(f"{API}/{s.survey.pk}/responses").status_code == 401


def test_a_mistyped_code_is_refused(place, gardening):
    s = gardening
    code = household_code(s.survey.pk, place.b2_homes[0].pk)
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    detail = refused(
        post(bearer(place.owners), f"/{s.survey.pk}/paper", {"code": typo, "answers": body_answers(s)}),
        409,
        "invalid_household_code",
    )
    assert detail == zh("This household code is not valid. Check it against the paper form.")
    assert not Response.objects.exists()


def test_the_paper_form_codes_are_listed_for_staff_a_page_at_a_time(place, gardening):
    s = gardening
    page = ok(bearer(place.owners).get(f"{API}/{s.survey.pk}/paper_forms", {"limit": 4}))
    assert page["count"] == 6 and len(page["items"]) == 4
    assert page["items"][0] == {
        "household": {"id": place.b1_homes[0].pk, "label": str(place.b1_homes[0])},
        "code": household_code(s.survey.pk, place.b1_homes[0].pk),
    }
    refused(bearer(place.resident).get(f"{API}/{s.survey.pk}/paper_forms"), 403, "forbidden")


def test_a_mistaken_response_is_voided_by_the_committee_with_a_reason(place, gardening):
    s = gardening
    response = services.record_paper_response(
        actor=place.owners,
        survey=s.survey,
        code=household_code(s.survey.pk, place.b1_homes[0].pk),
        answers=answers(s),
    )
    path = f"/{s.survey.pk}/responses/{response.pk}/void"
    refused(post(bearer(place.owners), path, {"reason": "录错"}), 403, "forbidden")
    refused(post(bearer(place.secretary), path, {"reason": " "}), 409, "reason_required")
    assert post(bearer(place.resident), path, {"reason": "录错"}).status_code == 404
    voided = ok(post(bearer(place.secretary), path, {"reason": "录错户"}))
    assert voided["voided_at"] and voided["void_reason"] == "录错户"
    refused(post(bearer(place.secretary), path, {"reason": "again"}), 409, "already_void")
    # The household may answer again.
    ok(post(bearer(place.resident), f"/{s.survey.pk}/responses", {"answers": body_answers(s)}), 201)


def test_responses_are_json_in_the_committed_schema_shape(place, gardening):
    detail = Client().get(f"{API}/{gardening.survey.pk}")
    assert detail["Content-Type"].startswith("application/json")
    keys = set(json.loads(detail.content))
    assert {
        "id",
        "title",
        "region",
        "status",
        "questions",
        "my_households",
        "results",
        "available_actions",
    } <= keys
