"""What the survey pages show, gathered in a fixed number of queries however many questions, buildings or
responses there are."""

from django.forms.forms import NON_FIELD_ERRORS

from yishi.access.queries import can, regions_where
from yishi.regions.models import Level, dwelling_order

from . import forms, predicates, queries
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
    mine = queries.answering(user, survey)
    offers = predicates.offers(user, survey, mine)
    shown: dict = {}
    if "answer" in offers:
        to_answer = [household for household, answered in mine if not answered]
        shown["answer"] = bound.get("answer") or forms.AnswerForm(
            questions=questions, households=to_answer, auto_id="id_answer_%s"
        )
    if "add_question" in offers:
        shown["question"] = bound.get("question") or forms.QuestionForm(auto_id="id_question_%s")
    if "publish" in offers:
        shown["publish"] = bound.get("publish") or forms.PublishForm(auto_id="id_publish_%s")
    outcome = None
    if survey.status != SurveyStatus.DRAFT and queries.results_visible(user, survey):
        outcome = queries.results(survey)
    state_note = predicates.not_open(survey)
    answer_note = predicates.may_answer(user, survey, mine)
    if state_note is not None or record or (answer_note and answer_note.code == "already_answered"):
        # The state is said once for everyone; staff are not told they do not live here; an answered
        # household sees its tick instead.
        answer_note = None
    return {
        "survey": survey,
        "questions": questions,
        "manage": manage,
        "record": record,
        "offers": offers,
        # A draft its manager cannot open yet (no question): why, in the service's words.
        "not_yet_open": offers.why_not("open") if predicates.not_draft(survey) is None else "",
        # Why the survey takes no answer now (not open yet, closed), for everyone.
        "state_note": state_note,
        # Why this person may not answer the open survey (log in; only the households of the area).
        "answer_note": answer_note,
        "answered": [household for household, answered in mine if answered] if state_note is None else [],
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
        roster = list(households.select_related("region").order_by(*dwelling_order(), "pk"))
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
