"""The JSON API for household surveys (入户调查表): thin over the services and queries the pages use.

Reads of open, closed and published surveys are public; their counts and response rate are public once the
results are published (before that, for the staff running the survey); written answers are for those who
manage it. Writes need a token or the browser's session with its CSRF token. A ``Refused`` becomes 403/409
with ``detail`` and ``code`` (see ``yishi.api``); an unknown id, or a draft the caller may not see, is 404.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import Status

from yishi.access.queries import can
from yishi.api_schemas import WRITE_ERRORS, Problem, created, page_of, within_dates
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.notices.services import DEFAULT_PERIOD_DAYS
from yishi.people.tokens import WRITE_AUTH, caller
from yishi.regions.models import Household, Region

from . import predicates, queries, services
from .models import Survey, SurveyStatus
from .queries import MANAGE, RECORD
from .schemas import (
    AnswerIn,
    MyHouseholdOut,
    NoticeOut,
    OpenSurveyPage,
    Paging,
    PaperFormPage,
    PaperIn,
    PublishIn,
    QuestionIn,
    QuestionOut,
    ReasonIn,
    ResponseOut,
    ResponsePage,
    SurveyDetail,
    SurveyFilter,
    SurveyIn,
    SurveyOut,
    SurveyPage,
)

router = Router(tags=["surveys"])

# --- presenting ------------------------------------------------------------------------------------------


def _ref(region) -> dict:
    return {"id": region.pk, "name": region.name}


def _household(household) -> dict:
    return {"id": household.pk, "label": str(household)}


def _row(s: Survey) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "region": _ref(s.region),
        "status": s.status,
        "status_label": str(s.get_status_display()),
        "matter": s.matter_id,
        "created_at": s.created_at,
        "opened_at": s.opened_at,
        "closed_at": s.closed_at,
        "notice": s.notice_id,
    }


def _question(q) -> dict:
    return {
        "id": q.pk,
        "position": q.position,
        "kind": q.kind,
        "text": q.text,
        "required": q.required,
        "choices": [{"id": c.pk, "position": c.position, "label": c.label} for c in q.choices.all()],
    }


def _rate(rate) -> dict:
    return {
        "region": {"id": rate.region_id, "name": rate.name},
        "households": rate.households,
        "responded": rate.responded,
        "percent": rate.percent,
    }


def _results(outcome, show_texts: bool) -> dict:
    return {
        "responses": outcome.responses,
        "rate": {"buildings": [_rate(b) for b in outcome.rate.buildings], "total": _rate(outcome.rate.total)},
        "questions": [
            {
                "id": q.question_id,
                "position": q.position,
                "kind": q.kind,
                "text": q.text,
                "answered": q.answered,
                "choices": [
                    {"id": c.choice_id, "label": c.label, "count": c.count, "percent": c.percent}
                    for c in q.choices
                ],
                "written": len(q.texts),
                "texts": list(q.texts) if show_texts else None,
            }
            for q in outcome.questions
        ],
    }


def _detail(survey: Survey, user) -> dict:
    mine = queries.answering(user, survey) if survey.status == SurveyStatus.OPEN else []
    results = None
    if survey.status != SurveyStatus.DRAFT and queries.results_visible(user, survey):
        results = _results(queries.results(survey), queries.texts_visible(user, survey))
    return {
        **_row(survey),
        "description": survey.description,
        "questions": [_question(q) for q in survey.questions.prefetch_related("choices")],
        "my_households": [{**_household(h), "answered": answered} for h, answered in mine],
        "results": results,
        "available_actions": predicates.listed(
            predicates.offers(user, survey, mine if survey.status == SurveyStatus.OPEN else None)
        ),
    }


def _survey(user, survey_id: int) -> Survey:
    return queries.get_survey_for(user, survey_id)


def _staff(user, survey: Survey) -> None:
    """Which households answered is for the staff who run the survey or key in its forms."""
    if not (can(user, MANAGE, survey.region) or can(user, RECORD, survey.region)):
        raise Refused(_("You do not have the authority to do this here."), Refused.FORBIDDEN)


def _household_in(pk: int | None):
    return get_object_or_404(Household, pk=pk) if pk is not None else None


# --- reads -----------------------------------------------------------------------------------------------


@router.get("/", response=SurveyPage, summary="Surveys at and below a region, newest first, a page at a time")
def list_surveys(request, filters: Query[SurveyFilter]):
    user = caller(request)
    if filters.region is not None:
        surveys = queries.surveys_for(user, get_object_or_404(Region, pk=filters.region))
    else:
        surveys = (
            Survey.objects.exclude(status=SurveyStatus.DRAFT)
            .select_related("region")
            .order_by("-created_at", "-pk")
        )
    if filters.status:
        surveys = surveys.filter(status=filters.status)
    surveys = within_dates(surveys, "created_at", filters)
    page = surveys[filters.offset : filters.offset + filters.limit]
    return {
        "count": surveys.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_row(s) for s in page],
    }


@router.get(
    "/mine",
    auth=WRITE_AUTH,
    response={200: OpenSurveyPage, 401: Problem},
    summary="The open surveys for the caller's households, and whether each household has answered",
)
def mine(request, paging: Query[Paging]):
    return page_of(
        queries.open_surveys_for(request.auth),
        paging,
        lambda row: {
            "survey": _row(row.survey),
            "household": _household(row.household),
            "answered": row.answered,
        },
    )


@router.get(
    "/{int:survey_id}",
    response={200: SurveyDetail, 401: Problem, 404: Problem},
    summary="A survey with its questions, the caller's households and, where visible, the results",
)
def survey_detail(request, survey_id: int):
    user = caller(request)
    return _detail(_survey(user, survey_id), user)


@router.get(
    "/{int:survey_id}/responses",
    auth=WRITE_AUTH,
    response={200: ResponsePage, **WRITE_ERRORS},
    summary="Staff: which households answered, by which channel (never what they answered)",
)
def list_responses(request, survey_id: int, paging: Query[Paging]):
    survey = _survey(request.auth, survey_id)
    _staff(request.auth, survey)
    rows = queries.responses_of(survey)
    return {
        "count": rows.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [
            {
                "id": r.pk,
                "household": _household(r.household),
                "channel": r.channel,
                "submitted_at": r.submitted_at,
                "voided_at": r.voided_at,
                "void_reason": r.void_reason,
            }
            for r in rows[paging.offset : paging.offset + paging.limit]
        ],
    }


@router.get(
    "/{int:survey_id}/paper_forms",
    auth=WRITE_AUTH,
    response={200: PaperFormPage, **WRITE_ERRORS},
    summary="Staff: every household of the area with the code printed on its paper form",
)
def paper_forms(request, survey_id: int, paging: Query[Paging]):
    survey = _survey(request.auth, survey_id)
    _staff(request.auth, survey)
    forms = queries.paper_forms(survey)
    return {
        "count": len(forms),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [
            {"household": _household(h), "code": code}
            for h, code in forms[paging.offset : paging.offset + paging.limit]
        ],
    }


# --- writes ----------------------------------------------------------------------------------------------


@router.post(
    "/",
    auth=WRITE_AUTH,
    response={201: SurveyDetail, **WRITE_ERRORS},
    summary="Draft a survey in a compound or community, with its questions",
)
def create_survey(request, body: SurveyIn):
    survey = services.create_survey(
        actor=request.auth,
        region=get_object_or_404(Region, pk=body.region),
        title=body.title,
        description=body.description,
        matter=get_object_or_404(Matter, pk=body.matter) if body.matter is not None else None,
        questions=[q.dict() for q in body.questions],
    )
    return created(_detail(_survey(request.auth, survey.pk), request.auth))


@router.post(
    "/{int:survey_id}/questions",
    auth=WRITE_AUTH,
    response={201: QuestionOut, **WRITE_ERRORS},
    summary="Add a question to a draft",
)
def add_question(request, survey_id: int, body: QuestionIn):
    question = services.add_question(
        actor=request.auth,
        survey=_survey(request.auth, survey_id),
        kind=body.kind,
        text=body.text,
        choices=body.choices,
        required=body.required,
    )
    return created(_question(question))


@router.delete(
    "/{int:survey_id}/questions/{int:question_id}",
    auth=WRITE_AUTH,
    response={204: None, **WRITE_ERRORS},
    summary="Remove a question from a draft",
)
def remove_question(request, survey_id: int, question_id: int):
    survey = _survey(request.auth, survey_id)
    services.remove_question(actor=request.auth, question=queries.get_question(survey, question_id))
    return Status(204, None)


def _transition(request, survey_id: int, call) -> dict:
    survey = _survey(request.auth, survey_id)
    call(actor=request.auth, survey=survey)
    return _row(_survey(request.auth, survey_id))


@router.post(
    "/{int:survey_id}/open",
    auth=WRITE_AUTH,
    response={200: SurveyOut, **WRITE_ERRORS},
    summary="Open the survey: its questions freeze, households may answer",
)
def open_survey(request, survey_id: int):
    return _transition(request, survey_id, services.open_survey)


@router.post(
    "/{int:survey_id}/close",
    auth=WRITE_AUTH,
    response={200: SurveyOut, **WRITE_ERRORS},
    summary="Close the survey: no answer is taken after",
)
def close_survey(request, survey_id: int):
    return _transition(request, survey_id, services.close_survey)


@router.post(
    "/{int:survey_id}/publish",
    auth=WRITE_AUTH,
    response={201: NoticeOut, **WRITE_ERRORS},
    summary="Post the results of a closed survey on the community's board: counts and rate, no names",
)
def publish(request, survey_id: int, body: PublishIn | None = None):
    notice = services.publish_results(
        actor=request.auth,
        survey=_survey(request.auth, survey_id),
        period_days=body.period_days if body is not None else DEFAULT_PERIOD_DAYS,
    )
    return created(
        {
            "id": notice.pk,
            "title": notice.title,
            "body": notice.body,
            "region": _ref(notice.region),
            "posted_at": notice.posted_at,
            "period_days": notice.period_days,
        }
    )


@router.post(
    "/{int:survey_id}/responses",
    auth=WRITE_AUTH,
    response={201: MyHouseholdOut, **WRITE_ERRORS},
    summary="A member answers online for their household (one response per household)",
)
def answer(request, survey_id: int, body: AnswerIn):
    response = services.submit_response(
        actor=request.auth,
        survey=_survey(request.auth, survey_id),
        answers=body.answers,
        household=_household_in(body.household),
    )
    return created({**_household(response.household), "answered": True})


@router.post(
    "/{int:survey_id}/paper",
    auth=WRITE_AUTH,
    response={201: ResponseOut, **WRITE_ERRORS},
    summary="Staff key in a paper form by the household code printed on it",
)
def record_paper(request, survey_id: int, body: PaperIn):
    response = services.record_paper_response(
        actor=request.auth,
        survey=_survey(request.auth, survey_id),
        answers=body.answers,
        code=body.code,
        household=_household_in(body.household),
    )
    return created(
        {
            "id": response.pk,
            "household": _household(response.household),
            "channel": response.channel,
            "submitted_at": response.submitted_at,
            "voided_at": None,
            "void_reason": "",
        }
    )


@router.post(
    "/{int:survey_id}/responses/{int:response_id}/void",
    auth=WRITE_AUTH,
    response={200: ResponseOut, **WRITE_ERRORS},
    summary="Void a mistaken response, with the reason; the household may answer again",
)
def void(request, survey_id: int, response_id: int, body: ReasonIn):
    survey = _survey(request.auth, survey_id)
    response = services.void_response(
        actor=request.auth,
        response=queries.get_response_for(request.auth, survey, response_id),
        reason=body.reason,
    )
    return {
        "id": response.pk,
        "household": _household(response.household),
        "channel": response.channel,
        "submitted_at": response.submitted_at,
        "voided_at": response.voided_at,
        "void_reason": response.void_reason,
    }
