"""Reads about surveys: response rates per building, results without identities, paper-form codes, lookups."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yishi.access.queries import can, regions_where
from yishi.regions.models import Household, Region, dwelling_order, within

from .codes import household_code
from .models import Answer, QuestionKind, Response, Survey, SurveyStatus


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, rounded half up in integers; None when there is no whole."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def households_in(region: Region):
    return Household.objects.filter(within(region, "region"))


def live_responses(survey: Survey):
    return Response.objects.filter(survey=survey, voided_at__isnull=True)


# ---- response rate ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Households that answered among the households of one building (or of the whole survey area)."""

    region_id: int
    name: str
    households: int
    responded: int

    @property
    def percent(self) -> int | None:
        return percent(self.responded, self.households)


@dataclass(frozen=True)
class ResponseRate:
    buildings: list[Rate]
    total: Rate


def response_rate(survey: Survey) -> ResponseRate:
    """Households responded / households, per building (the region a household is recorded in), in tree order.

    Two grouped queries, one over the area's households and one over the survey's live responses, so the cost
    does not grow with other surveys' responses.
    """
    households = (
        households_in(survey.region)
        .values("region_id", "region__name", "region__path")
        .annotate(n=Count("pk"))
        .order_by("region__path")
    )
    responded = dict(
        live_responses(survey)
        .values("household__region_id")
        .annotate(n=Count("pk"))
        .values_list("household__region_id", "n")
    )
    buildings = [
        Rate(row["region_id"], row["region__name"], row["n"], responded.get(row["region_id"], 0))
        for row in households
    ]
    total = Rate(
        survey.region_id,
        survey.region.name,
        sum(b.households for b in buildings),
        sum(b.responded for b in buildings),
    )
    return ResponseRate(buildings, total)


# ---- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceCount:
    choice_id: int
    label: str
    count: int
    percent: int | None  # of the households that answered the question


@dataclass
class QuestionResult:
    question_id: int
    position: int
    kind: str
    text: str
    answered: int  # households that answered this question
    choices: list[ChoiceCount] = field(default_factory=list)
    # Written answers, sorted by their text: neither who wrote them nor in which order they came in.
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    rate: ResponseRate
    questions: list[QuestionResult]


def results(survey: Survey) -> SurveyResults:
    """Counts per choice and the written answers of the live responses. Nothing here names a household."""
    answers = Answer.objects.filter(response__survey=survey, response__voided_at__isnull=True)
    per_choice = dict(
        answers.filter(choice__isnull=False)
        .values("choice_id")
        .annotate(n=Count("pk"))
        .values_list("choice_id", "n")
    )
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    texts: dict[int, list[str]] = {}
    for question_id, text in (
        answers.filter(choice__isnull=True).order_by("question_id", "text").values_list("question_id", "text")
    ):
        texts.setdefault(question_id, []).append(text)
    questions = []
    for question in survey.questions.prefetch_related("choices"):
        base = answered.get(question.pk, 0)
        result = QuestionResult(
            question.pk,
            question.position,
            question.kind,
            question.text,
            base,
            texts=texts.get(question.pk, []),
        )
        for choice in question.choices.all():
            count = per_choice.get(choice.pk, 0)
            result.choices.append(ChoiceCount(choice.pk, choice.label, count, percent(count, base)))
        questions.append(result)
    return SurveyResults(survey, live_responses(survey).count(), response_rate(survey), questions)


def results_text(outcome: SurveyResults) -> str:
    """The results as the text of a board notice: rate, counts per choice, how many wrote an answer."""
    rate = outcome.rate.total
    lines = [
        ngettext(
            "%(responded)d of %(households)d household answered (%(percent)s%%).",
            "%(responded)d of %(households)d households answered (%(percent)s%%).",
            rate.households,
        )
        % {
            "responded": rate.responded,
            "households": rate.households,
            "percent": rate.percent if rate.percent is not None else 0,
        },
    ]
    buildings = [b for b in outcome.rate.buildings if b.region_id != outcome.survey.region_id]
    if len(buildings) > 1:
        lines.append(
            "；".join(
                _("%(building)s %(responded)d/%(households)d")
                % {"building": b.name, "responded": b.responded, "households": b.households}
                for b in buildings
            )
        )
    for question in outcome.questions:
        lines.append("")
        lines.append(f"{question.position}. {question.text}")
        if question.kind == QuestionKind.TEXT:
            # Written answers may name people; they are read on the survey's page, not posted on the board.
            count = len(question.texts)
            lines.append(
                ngettext(
                    "%(count)d household wrote an answer.", "%(count)d households wrote an answer.", count
                )
                % {"count": count}
            )
            continue
        for choice in question.choices:
            lines.append(
                _("%(label)s: %(count)d (%(percent)s%%)")
                % {
                    "label": choice.label,
                    "count": choice.count,
                    "percent": choice.percent if choice.percent is not None else 0,
                }
            )
    return "\n".join(lines)


# ---- paper forms and lookups -----------------------------------------------------------------------------


def paper_forms(survey: Survey) -> list[tuple[Household, str]]:
    """Every household of the survey's area with the code printed on its paper form, in roster order."""
    households = households_in(survey.region).select_related("region").order_by(*dwelling_order(), "pk")
    return [(household, household_code(survey.pk, household.pk)) for household in households]


def code_for(survey: Survey, household: Household) -> str:
    return household_code(survey.pk, household.pk)


@dataclass(frozen=True)
class OpenSurvey:
    survey: Survey
    household: Household
    answered: bool


def open_surveys_for(user) -> list[OpenSurvey]:
    """The open surveys of the areas the user's households are in, each with whether that household answered."""
    if user is None or not user.is_authenticated:
        return []
    households = list(Household.objects.filter(memberships__person=user).select_related("region"))
    if not households:
        return []
    region_ids = {pk for household in households for pk in household.region.ancestor_ids}
    surveys = list(
        Survey.objects.filter(status=SurveyStatus.OPEN, region_id__in=region_ids).select_related("region")
    )
    answered = set(live_responses_of(surveys, households).values_list("survey_id", "household_id"))
    return [
        OpenSurvey(survey, household, (survey.pk, household.pk) in answered)
        for survey in surveys
        for household in households
        if survey.region.contains(household.region)
    ]


def live_responses_of(surveys: list[Survey], households: list[Household]):
    return Response.objects.filter(survey__in=surveys, household__in=households, voided_at__isnull=True)


def get_survey_for(user, pk: int) -> Survey:
    """A survey anyone may read once it is open; a draft only for those who manage surveys there (else 404)."""
    try:
        survey = Survey.objects.select_related("region", "matter", "notice").get(pk=pk)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if survey.status == SurveyStatus.DRAFT and not can(user, "surveys.manage_survey", survey.region):
        raise Http404
    return survey


# Who may read a survey: anyone, once it is opened; a draft is for the staff preparing it.
PUBLIC = ~Q(status=SurveyStatus.DRAFT)


def public_surveys(region: Region):
    """Surveys at or below ``region`` that anyone may read: every one but drafts, newest first."""
    return (
        Survey.objects.filter(within(region, "region"))
        .filter(PUBLIC)
        .select_related("region")
        .order_by("-created_at", "-pk")
    )


# ---- for the pages and the API ---------------------------------------------------------------------------

MANAGE = "surveys.manage_survey"
RECORD = "surveys.record_response"


def surveys_for(user, region: Region):
    """Surveys at or below ``region`` as ``user`` may list them: every open, closed or published one, and the
    drafts of the places where the user manages surveys. Newest first."""
    managed = regions_where(user, MANAGE).values("pk")
    return (
        Survey.objects.filter(within(region, "region"))
        .filter(PUBLIC | Q(region__in=managed))
        .select_related("region", "notice")
        .order_by("-created_at", "-pk")
    )


def results_visible(user, survey: Survey) -> bool:
    """Counts and the response rate are public once published; before that, for the staff running it."""
    return survey.is_published or can(user, MANAGE, survey.region) or can(user, RECORD, survey.region)


def texts_visible(user, survey: Survey) -> bool:
    """Written answers may name people: they are read by those who manage the survey, never on a public page."""
    return can(user, MANAGE, survey.region)


def answering(user, survey: Survey) -> list[tuple[Household, bool]]:
    """The user's households in the survey's area, each with whether it has answered (two queries)."""
    if user is None or not user.is_authenticated:
        return []
    households = list(
        Household.objects.filter(within(survey.region, "region"), memberships__person=user)
        .select_related("region")
        .distinct()
        .order_by(*dwelling_order(), "pk")
    )
    if not households:
        return []
    answered = set(live_responses_of([survey], households).values_list("household_id", flat=True))
    return [(household, household.pk in answered) for household in households]


def responses_of(survey: Survey):
    """Every response of the survey, live and voided, newest first, with the household it is filed under."""
    return (
        Response.objects.filter(survey=survey)
        .select_related("household__region")
        .order_by("-submitted_at", "-pk")
    )


def get_response_for(user, survey: Survey, pk) -> Response:
    """A response of ``survey`` for the staff who may see which household answered (else 404)."""
    if not (can(user, MANAGE, survey.region) or can(user, RECORD, survey.region)):
        raise Http404
    try:
        return Response.objects.select_related("household__region").get(pk=pk, survey=survey)
    except (Response.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_question(survey: Survey, pk):
    from .models import Question

    try:
        return Question.objects.get(pk=pk, survey=survey)
    except (Question.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_for_entry(user):
    """Open surveys where ``user`` enters paper forms, each annotated ``paper`` and ``answered`` (live responses
    on paper, and in all), oldest first: the staff's pile of forms still to type in."""
    from django.db.models import Q

    live = Q(responses__voided_at__isnull=True)
    return (
        Survey.objects.filter(status=SurveyStatus.OPEN, region__in=regions_where(user, RECORD))
        .annotate(
            answered=Count("responses", filter=live),
            paper=Count("responses", filter=live & Q(responses__channel="paper")),
        )
        .select_related("region")
        .order_by("created_at", "pk")
    )
