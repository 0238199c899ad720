"""Writes for household surveys. Each one checks authority, validates, writes in one transaction and audits.

The survey row is locked first in every write, so a response cannot slip in while the survey closes, and
two submits for one household queue; the database's unique constraint on live responses is the backstop.
"""

from collections.abc import Iterable, Mapping
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.queries import community_of
from yishi.notices.models import Notice, NoticeKind
from yishi.notices.services import DEFAULT_PERIOD_DAYS, board_of
from yishi.people.actors import Actor, acting_person
from yishi.regions.models import Household, Region, within

from . import predicates
from .codes import CodeError, parse_household_code
from .models import Answer, Channel, Choice, Question, QuestionKind, Response, Survey, SurveyStatus
from .queries import results, results_text

MAX_QUESTIONS = 50
SURVEY_LEVELS = predicates.SURVEY_LEVELS
MAX_CHOICES = 20
MAX_TEXT_ANSWER = 2000


def _one_line(raw, *, field: str, limit: int, required, too_long) -> str:
    text = " ".join(str(raw or "").split())
    if not text:
        raise Refused(required, f"{field}_required", field=field)
    if len(text) > limit:
        raise Refused(too_long, f"{field}_too_long", field=field)
    return text


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


# ---- drafting --------------------------------------------------------------------------------------------


@transaction.atomic
def create_survey(
    *,
    actor: Actor,
    region: Region,
    title: str,
    description: str = "",
    matter=None,
    questions: Iterable[Mapping] = (),
) -> Survey:
    """A draft survey; ``questions`` (each ``kind``, ``text``, ``choices``, ``required``) are added in order,
    all or nothing: a question refused leaves no survey behind."""
    enforce(predicates.may_create(actor, region))
    title = _one_line(
        title,
        field="title",
        limit=150,
        required=_("Give the survey a title."),
        too_long=_("A title has at most 150 characters."),
    )
    description = (description or "").strip()
    if len(description) > 2000:
        raise Refused(
            _("The introduction has at most 2,000 characters."), "description_too_long", field="description"
        )
    if matter is not None and community_of(matter.region).pk != community_of(region).pk:
        raise Refused(_("The matter belongs to another community."), "matter_elsewhere", field="matter")
    survey = Survey.objects.create(
        region=region, matter=matter, title=title, description=description, created_by=acting_person(actor)
    )
    record(
        actor=actor,
        action=Action.SURVEYS_CREATE_SURVEY,
        target=survey,
        data={"region": region.pk, "matter": matter.pk if matter is not None else None},
    )
    for question in questions:
        add_question(
            actor=actor,
            survey=survey,
            kind=question.get("kind", ""),
            text=question.get("text", ""),
            choices=question.get("choices") or (),
            required=question.get("required", True),
        )
    return survey


@transaction.atomic
def add_question(
    *, actor: Actor, survey: Survey, kind: str, text: str, choices: Iterable[str] = (), required: bool = True
) -> Question:
    survey = _locked(survey)
    enforce(predicates.may_add_question(actor, survey))
    if kind not in QuestionKind.values:
        raise Refused(
            _("A question is single choice, multiple choice or a written answer."),
            "invalid_kind",
            field="kind",
        )
    text = _one_line(
        text,
        field="text",
        limit=500,
        required=_("Write the question."),
        too_long=_("A question has at most 500 characters."),
    )
    labels = [" ".join(str(c or "").split()) for c in choices]
    labels = [label for label in labels if label]
    if kind == QuestionKind.TEXT:
        if labels:
            raise Refused(
                _("A written-answer question has no choices."), "choices_not_allowed", field="choices"
            )
    else:
        if not 2 <= len(labels) <= MAX_CHOICES:
            raise Refused(
                _("A choice question has 2 to %(max)d choices.") % {"max": MAX_CHOICES},
                "choice_count",
                field="choices",
            )
        if len(set(labels)) != len(labels):
            raise Refused(_("Two choices read the same."), "choices_repeated", field="choices")
        if any(len(label) > 200 for label in labels):
            raise Refused(_("A choice has at most 200 characters."), "choice_too_long", field="choices")
    existing = list(survey.questions.values_list("position", flat=True))
    if len(existing) >= MAX_QUESTIONS:
        raise Refused(
            _("A survey has at most %(max)d questions.") % {"max": MAX_QUESTIONS}, "too_many_questions"
        )
    question = Question.objects.create(
        survey=survey, position=max(existing, default=0) + 1, kind=kind, text=text, required=bool(required)
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=position, label=label) for position, label in enumerate(labels, 1)
    )
    record(
        actor=actor,
        action=Action.SURVEYS_ADD_QUESTION,
        target=question,
        data={"survey": survey.pk, "kind": kind, "choices": len(labels), "required": bool(required)},
    )
    return question


@transaction.atomic
def remove_question(*, actor: Actor, question: Question) -> None:
    survey = _locked(question.survey)
    enforce(predicates.may_remove_question(actor, survey))
    pk = question.pk
    Question.objects.filter(pk=pk).delete()
    record(actor=actor, action=Action.SURVEYS_REMOVE_QUESTION, target=survey, data={"question": pk})


@transaction.atomic
def open_survey(*, actor: Actor, survey: Survey) -> Survey:
    survey = _locked(survey)
    enforce(predicates.may_open(actor, survey))
    survey.status, survey.opened_at = SurveyStatus.OPEN, timezone.now()
    survey.save(update_fields=["status", "opened_at"])
    record(actor=actor, action=Action.SURVEYS_OPEN_SURVEY, target=survey, data={})
    return survey


@transaction.atomic
def close_survey(*, actor: Actor, survey: Survey) -> Survey:
    survey = _locked(survey)
    enforce(predicates.may_close(actor, survey))
    survey.status, survey.closed_at = SurveyStatus.CLOSED, timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    responses = survey.responses.filter(voided_at__isnull=True).count()
    record(actor=actor, action=Action.SURVEYS_CLOSE_SURVEY, target=survey, data={"responses": responses})
    return survey


# ---- answering -------------------------------------------------------------------------------------------


def _short(question: Question) -> str:
    return Truncator(question.text).chars(40)


def _choice_id(value, question: Question) -> int:
    if isinstance(value, bool):
        value = None  # True is 1 to Python, never a choice to a person
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Refused(
            _("That is not one of the choices for “%(question)s”.") % {"question": _short(question)},
            "invalid_choice",
            field=f"question_{question.pk}",
        ) from None


def validated_answers(survey: Survey, answers: Mapping) -> list[Answer]:
    """The answers as unsaved rows, checked against each question's kind; ``Refused`` at the first problem.

    ``answers`` maps a question's id to: a choice id (single choice), a list of choice ids (multiple choice),
    or a text (written answer). A question left out, or answered with nothing, is unanswered.
    """
    questions = list(survey.questions.prefetch_related("choices"))
    by_id = {q.pk: q for q in questions}
    given: dict[int, object] = {}
    for key, value in answers.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = None
        if pk not in by_id:
            raise Refused(_("An answer is for a question this survey does not have."), "unknown_question")
        given[pk] = value
    rows: list[Answer] = []
    for question in questions:
        value = given.get(question.pk)
        field = f"question_{question.pk}"
        if question.kind == QuestionKind.TEXT:
            if value is not None and not isinstance(value, str):
                raise Refused(
                    _("The answer to “%(question)s” must be written text.") % {"question": _short(question)},
                    "invalid_text",
                    field=field,
                )
            text = (value or "").strip()
            if len(text) > MAX_TEXT_ANSWER:
                raise Refused(
                    _("A written answer has at most 2,000 characters."), "answer_too_long", field=field
                )
            picked_rows = [Answer(question=question, text=text)] if text else []
        else:
            if value is None or value == "":
                picked = []
            elif question.kind == QuestionKind.SINGLE:
                if isinstance(value, list | tuple | set | frozenset):
                    raise Refused(
                        _("Choose only one answer to “%(question)s”.") % {"question": _short(question)},
                        "one_choice_only",
                        field=field,
                    )
                picked = [_choice_id(value, question)]
            else:
                # Else a list of choice ids: what the callers give (``AnswerIn``, the answer form).
                values = [value] if isinstance(value, str | int) else list(cast("Iterable[object]", value))
                picked = [_choice_id(v, question) for v in values]
                if len(set(picked)) != len(picked):
                    raise Refused(
                        _("A choice is ticked twice in “%(question)s”.") % {"question": _short(question)},
                        "choice_repeated",
                        field=field,
                    )
            allowed = {choice.pk for choice in question.choices.all()}
            if any(pk not in allowed for pk in picked):
                raise Refused(
                    _("That is not one of the choices for “%(question)s”.") % {"question": _short(question)},
                    "invalid_choice",
                    field=field,
                )
            picked_rows = [Answer(question=question, choice_id=pk) for pk in picked]
        if not picked_rows and question.required:
            raise Refused(
                _("Answer the question “%(question)s”.") % {"question": _short(question)},
                "answer_required",
                field=field,
            )
        rows.extend(picked_rows)
    return rows


def _save_response(
    *, actor: Actor, survey: Survey, household: Household, answers: Mapping, channel: str, respondent
) -> Response:
    if Response.objects.filter(survey=survey, household=household, voided_at__isnull=True).exists():
        raise predicates.already_answered()
    rows = validated_answers(survey, answers)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                household=household,
                channel=channel,
                respondent=respondent,
                recorded_by=acting_person(actor),
            )
    except IntegrityError:
        raise predicates.already_answered() from None
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    # The answers go into the chain only as a keyed digest: a later edit of them shows, they do not.
    content = sorted([row.question_id, row.choice_id or 0, row.text] for row in rows)
    record(
        actor=actor,
        action=Action.SURVEYS_RECORD_RESPONSE,
        target=response,
        data={"survey": survey.pk, "channel": channel},
        personal={"household": household.pk, "answers": content},
    )
    return response


@transaction.atomic
def submit_response(
    *, actor: Actor, survey: Survey, answers: Mapping, household: Household | None = None
) -> Response:
    """A member of a household answers online. ``household`` is needed only by someone in two households here."""
    survey = _locked(survey)
    enforce(predicates.may_answer(actor, survey))
    mine = Household.objects.filter(within(survey.region, "region"), memberships__person=acting_person(actor))
    if household is not None:
        mine = mine.filter(pk=household.pk)
    found = list(mine.distinct()[:2])
    if not found:
        raise Refused(
            _("Only the households of %(region)s answer this survey.") % {"region": survey.region.name},
            Refused.FORBIDDEN,
        )
    if len(found) > 1:
        raise Refused(
            _("You belong to more than one household here: choose the one you answer for."),
            "household_required",
            field="household",
        )
    return _save_response(
        actor=actor,
        survey=survey,
        household=found[0],
        answers=answers,
        channel=Channel.ONLINE,
        respondent=actor,
    )


@transaction.atomic
def record_paper_response(
    *, actor: Actor, survey: Survey, answers: Mapping, code: str = "", household: Household | None = None
) -> Response:
    """Staff key in a paper form: the household is the one whose code is printed on it.

    Where the code cannot be read, staff pick the household from the roster instead (``household``).
    """
    survey = _locked(survey)
    enforce(predicates.may_record_paper(actor, survey))
    if household is not None:
        if code:
            raise Refused(
                _("Give the household code or choose the household, not both."), "code_and_household"
            )
        household_id = household.pk
    else:
        try:
            survey_id, household_id = parse_household_code(code)
        except CodeError:
            raise Refused(
                _("This household code is not valid. Check it against the paper form."),
                "invalid_household_code",
                field="code",
            ) from None
        if survey_id != survey.pk:
            raise Refused(_("This form belongs to another survey."), "code_for_other_survey", field="code")
    household = Household.objects.filter(within(survey.region, "region"), pk=household_id).first()
    if household is None:
        raise Refused(_("This household is not in the survey's area."), "household_elsewhere", field="code")
    return _save_response(
        actor=actor,
        survey=survey,
        household=household,
        answers=answers,
        channel=Channel.PAPER,
        respondent=None,
    )


@transaction.atomic
def void_response(*, actor: Actor, response: Response, reason: str) -> Response:
    """Set a mistaken response aside (a form keyed under the wrong code). It stays on record; the household
    may answer again."""
    survey = _locked(response.survey)
    response = Response.objects.select_for_update().get(pk=response.pk)
    response.survey = survey
    enforce(predicates.may_void(actor, response))
    reason = _one_line(
        reason,
        field="reason",
        limit=200,
        required=_("Give the reason."),
        too_long=_("A reason has at most 200 characters."),
    )
    response.voided_at, response.voided_by, response.void_reason = (
        timezone.now(),
        acting_person(actor),
        reason,
    )
    response.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record(
        actor=actor,
        action=Action.SURVEYS_VOID_RESPONSE,
        target=response,
        data={"survey": survey.pk, "channel": response.channel},
        personal={"reason": reason},
    )
    return response


# ---- publishing ------------------------------------------------------------------------------------------


@transaction.atomic
def publish_results(*, actor: Actor, survey: Survey, period_days: int = DEFAULT_PERIOD_DAYS) -> Notice:
    """Post the results of a closed survey on the board: counts per choice and the response rate, no names."""
    survey = _locked(survey)
    enforce(predicates.may_publish(actor, survey))
    if not 1 <= period_days <= 365:
        raise Refused(_("The posting period is 1 to 365 days."), "invalid_period", field="period_days")
    outcome = results(survey)
    title = _("Survey results: %(title)s") % {"title": survey.title}
    # NoticeKind has no survey kind yet: RESULT is the nearest (see the report to the notices owner).
    notice = Notice.objects.create(
        region=board_of(survey.region),
        matter=survey.matter,
        kind=NoticeKind.RESULT,
        title=Truncator(str(title)).chars(150),
        body=results_text(outcome)[:10000],
        period_days=period_days,
        posted_by=acting_person(actor),
    )
    survey.notice = notice
    survey.save(update_fields=["notice"])
    record(
        actor=actor,
        action=Action.NOTICES_PUBLISH,
        target=notice,
        data={
            "survey": survey.pk,
            "kind": notice.kind,
            "region": notice.region_id,
            "period_days": period_days,
            "responses": outcome.responses,
            "households": outcome.rate.total.households,
        },
    )
    return notice
