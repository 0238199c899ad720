"""The shapes of the surveys API: what comes out (a survey, its questions, response rate and results …) and what
goes in (questions, answers, a paper form's answers)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from yishi.api_schemas import DateRange
from yishi.notices.services import DEFAULT_PERIOD_DAYS

from .models import QuestionKind, SurveyStatus

KindKey = Literal[tuple(QuestionKind.values)]  # type: ignore[valid-type]
StatusKey = Literal[tuple(SurveyStatus.values)]  # type: ignore[valid-type]


# --- what comes out --------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class SurveyOut(Schema):
    id: int
    title: str
    region: Ref
    status: str
    status_label: str
    matter: int | None
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    notice: int | None = Field(..., description="The results notice on the public board, once published")


class SurveyPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SurveyOut]


class ChoiceOut(Schema):
    id: int
    position: int
    label: str


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    required: bool
    choices: list[ChoiceOut]


class HouseholdOut(Schema):
    id: int
    label: str = Field(..., description="Building, entrance and room")


class MyHouseholdOut(HouseholdOut):
    answered: bool


class RateOut(Schema):
    region: Ref
    households: int
    responded: int
    percent: int | None


class ResponseRateOut(Schema):
    buildings: list[RateOut]
    total: RateOut


class ChoiceCountOut(Schema):
    id: int
    label: str
    count: int
    percent: int | None = Field(..., description="Of the households that answered the question")


class QuestionResultOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    answered: int
    choices: list[ChoiceCountOut]
    written: int = Field(..., description="How many households wrote an answer")
    texts: list[str] | None = Field(
        ..., description="The written answers, sorted by text; only for those who manage the survey"
    )


class ResultsOut(Schema):
    responses: int
    rate: ResponseRateOut
    questions: list[QuestionResultOut]


class SurveyDetail(SurveyOut):
    description: str
    questions: list[QuestionOut]
    my_households: list[MyHouseholdOut] = Field(
        ..., description="The caller's households in the survey's area, and whether each has answered"
    )
    results: ResultsOut | None = Field(
        ..., description="Once published, for everyone; before that, for the staff running the survey"
    )
    available_actions: list[str]


class OpenSurveyOut(Schema):
    survey: SurveyOut
    household: HouseholdOut
    answered: bool


class OpenSurveyPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OpenSurveyOut]


class ResponseOut(Schema):
    id: int
    household: HouseholdOut
    channel: str
    submitted_at: datetime
    voided_at: datetime | None
    void_reason: str


class ResponsePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ResponseOut]


class PaperFormOut(Schema):
    household: HouseholdOut
    code: str


class PaperFormPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PaperFormOut]


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    region: Ref
    posted_at: datetime
    period_days: int


# --- what goes in ----------------------------------------------------------------------------------------


class Paging(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=2**31)


class SurveyFilter(Paging, DateRange):
    """``since``/``until`` bound the day the survey was created."""

    region: int | None = Field(None, description="A region id: surveys at it and below")
    status: StatusKey | None = None  # type: ignore[valid-type]


class QuestionIn(Schema):
    kind: KindKey  # type: ignore[valid-type]
    text: str
    choices: list[str] = Field(default_factory=list, description="2 to 20, for a choice question")
    required: bool = True


class SurveyIn(Schema):
    region: int = Field(..., description="A compound or a community")
    title: str
    description: str = ""
    matter: int | None = None
    questions: list[QuestionIn] = Field(default_factory=list, description="Added in order, all or nothing")


AnswerValue = int | list[int] | str | None
#: JSON object keys are strings: say that these are ids.
ID_KEYS = {"propertyNames": {"pattern": "^[0-9]{1,18}$"}}


class AnswerIn(Schema):
    answers: dict[int, AnswerValue] = Field(
        ...,
        description="Question id → a choice id (single), a list of choice ids (multiple), or text",
        json_schema_extra=ID_KEYS,
    )
    household: int | None = Field(None, description="Only for someone in two households of the area")


class PaperIn(Schema):
    code: str = Field("", description="The household code printed on the paper form, e.g. 3-16JG")
    household: int | None = Field(None, description="Or the household, where the code cannot be read")
    answers: dict[int, AnswerValue] = Field(..., json_schema_extra=ID_KEYS)


class PublishIn(Schema):
    period_days: int = DEFAULT_PERIOD_DAYS


class ReasonIn(Schema):
    reason: str
