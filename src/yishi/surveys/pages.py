"""What the survey pages show, gathered in a fixed number of queries however many questions, buildings or
responses there are."""

from django.forms.forms import NON_FIELD_ERRORS

from yishi.access.queries import can, regions_where
from yishi.regions.models import Level

from . import forms, queries
from .models import SurveyStatus
from .queries import MANAGE, RECORD

# Above this many households the paper-entry page offers only the code, not a roster to pick from.
ROSTER_LIMIT = 300


def refusals(bound: dict) -> list[str]:
    """Every error of the form just sent, in words, for the summary at the top of the page."""
    out = []
    for form in bound.values():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field != NON_FIELD_ERRORS and field in form.fields else None
            for error in errors:
                out.append(f"{label}: {error}" if label else str(error))
    return out


def questions_of(survey) -> list:
    return list(survey.questions.prefetch_related("choices"))


def detail_context(request, survey, bound: dict) -> dict:
    user = request.user
    manage = can(user, MANAGE, survey.region)
    record = manage or can(user, RECORD, survey.region)
    questions = questions_of(survey)
    is_open = survey.status == SurveyStatus.OPEN
    mine = queries.answering(user, survey) if is_open else []
    to_answer = [household for household, answered in mine if not answered]
    shown: dict = {}
    if to_answer:
        shown["answer"] = bound.get("answer") or forms.AnswerForm(
            questions=questions, households=to_answer, auto_id="id_answer_%s"
        )
    if manage and survey.status == SurveyStatus.DRAFT:
        shown["question"] = bound.get("question") or forms.QuestionForm(auto_id="id_question_%s")
    if manage and survey.status == SurveyStatus.CLOSED and not survey.is_published:
        shown["publish"] = bound.get("publish") or forms.PublishForm(auto_id="id_publish_%s")
    outcome = None
    if survey.status != SurveyStatus.DRAFT and queries.results_visible(user, survey):
        outcome = queries.results(survey)
    return {
        "survey": survey,
        "questions": questions,
        "manage": manage,
        "record": record,
        "answered": [household for household, answered in mine if answered],
        "lives_here": bool(mine),
        "forms": shown,
        "outcome": outcome,
        "rate": outcome.rate if outcome else None,
        "show_texts": outcome is not None and queries.texts_visible(user, survey),
        "refusals": refusals(bound),
    }


def paper_form(survey, data=None) -> forms.PaperForm:
    households = queries.households_in(survey.region)
    roster = None
    if households.count() <= ROSTER_LIMIT:
        roster = list(households.select_related("region").order_by("region__path", "unit", "room", "pk"))
    return forms.PaperForm(data, questions=questions_of(survey), roster=roster)


def paper_context(survey, form: forms.PaperForm) -> dict:
    return {
        "survey": survey,
        "form": form,
        "recent": list(queries.responses_of(survey).filter(voided_at__isnull=True)[:10]),
        "rate": queries.response_rate(survey),
    }


def staff_places(user):
    """Where the user runs surveys or keys in paper forms: compounds and communities, in tree order."""
    managed = regions_where(user, MANAGE) | regions_where(user, RECORD)
    return managed.filter(level__in=[Level.COMMUNITY, Level.COMPOUND]).distinct().order_by("path")
