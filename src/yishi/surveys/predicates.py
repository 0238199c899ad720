"""May I? — one predicate per survey action, in the words the service refuses with.

Each ``may_<action>(person, …)`` returns None when ``person`` may take the action now, or the ``Refused`` the
service raises (it calls ``enforce(may_<action>(actor, survey))`` once the survey is locked). ``person`` None
is the system (the command line), which holds every authority. ``offers`` lists them for a page or the API.
"""

from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.errors import Offers, Refused
from yishi.regions.models import Level, Region

from .models import Response, Survey, SurveyStatus
from .queries import MANAGE, RECORD, answering

# Where a survey is held: a compound, or a whole community (or village).
SURVEY_LEVELS = (Level.COMMUNITY, Level.COMPOUND)

# The actions on a survey, in the order the API lists them (``available_actions``).
ACTIONS = (
    "add_question",
    "remove_question",
    "open",
    "answer",
    "record_paper",
    "void_response",
    "close",
    "publish",
)


def authority(person, action: str, target) -> Refused | None:
    """The role table's answer as a refusal: ``require`` raises it, a predicate returns it."""
    try:
        require(person, action, target)
    except Refused as refused:
        return refused
    return None


# ---- the survey's state, whoever asks --------------------------------------------------------------------


def not_draft(survey: Survey) -> Refused | None:
    if survey.status != SurveyStatus.DRAFT:
        return Refused(_("The survey has been opened; its questions can no longer change."), "not_draft")
    return None


def not_open(survey: Survey) -> Refused | None:
    """Why the survey takes no answer now (also shown to everyone on its page), or None while it is open."""
    if survey.status == SurveyStatus.DRAFT:
        return Refused(_("The survey is not open yet."), "not_open")
    if survey.status == SurveyStatus.CLOSED:
        return Refused(_("The survey is closed."), "closed")
    return None


def already_answered() -> Refused:
    return Refused(_("This household has already answered the survey."), "already_answered")


# ---- the actions -----------------------------------------------------------------------------------------


def may_create(person, region: Region) -> Refused | None:
    return authority(person, MANAGE, region) or (
        Refused(_("A survey is held in a compound or a community."), "wrong_level", field="region")
        if region.level not in SURVEY_LEVELS
        else None
    )


def may_add_question(person, survey: Survey) -> Refused | None:
    return authority(person, MANAGE, survey.region) or not_draft(survey)


may_remove_question = may_add_question


def may_open(person, survey: Survey) -> Refused | None:
    refused = authority(person, MANAGE, survey.region) or not_draft(survey)
    if refused is None and not survey.questions.exists():
        refused = Refused(_("Add at least one question before opening the survey."), "no_questions")
    return refused


def may_close(person, survey: Survey) -> Refused | None:
    return authority(person, MANAGE, survey.region) or not_open(survey)


def may_void_response(person, survey: Survey) -> Refused | None:
    return authority(person, MANAGE, survey.region) or not_open(survey)


def may_void(person, response: Response) -> Refused | None:
    """Voiding one response: the survey's rule, and the response not voided already."""
    refused = may_void_response(person, response.survey)
    if refused is None and response.is_void:
        refused = Refused(_("This response has already been voided."), "already_void")
    return refused


def may_record_paper(person, survey: Survey) -> Refused | None:
    return authority(person, RECORD, survey.region) or not_open(survey)


def may_publish(person, survey: Survey) -> Refused | None:
    refused = authority(person, MANAGE, survey.region)
    if refused is None and survey.status != SurveyStatus.CLOSED:
        refused = Refused(_("Close the survey before publishing its results."), "not_closed")
    if refused is None and survey.is_published:
        refused = Refused(_("The results have already been published."), "already_published")
    return refused


def may_answer(person, survey: Survey, mine: list | None = None) -> Refused | None:
    """A member of a household of the area answers online, while the survey is open, once per household.

    ``mine``: ``queries.answering(person, survey)`` when the caller has read it already.
    """
    if person is None or not person.is_authenticated:
        return Refused(_("Log in to answer the survey."), Refused.FORBIDDEN)
    mine = answering(person, survey) if mine is None else mine
    if not mine:
        return Refused(
            _("Only the households of %(region)s answer this survey.") % {"region": survey.region.name},
            Refused.FORBIDDEN,
        )
    refused = not_open(survey)
    if refused is None and all(answered for _household, answered in mine):
        refused = already_answered()
    return refused


def reasons(person, survey: Survey, mine: list | None = None) -> dict[str, Refused | None]:
    """Every survey action for ``person`` now, each with None (open) or the refusal. ``mine`` as for
    ``may_answer``."""
    return {
        "add_question": may_add_question(person, survey),
        "remove_question": may_remove_question(person, survey),
        "open": may_open(person, survey),
        "answer": may_answer(person, survey, mine),
        "record_paper": may_record_paper(person, survey),
        "void_response": may_void_response(person, survey),
        "close": may_close(person, survey),
        "publish": may_publish(person, survey),
    }


def offers(person, survey: Survey, mine: list | None = None) -> Offers:
    return Offers(reasons(person, survey, mine))


def listed(offered: Offers) -> list[str]:
    """The open actions in the API's order."""
    return [action for action in ACTIONS if action in offered]
