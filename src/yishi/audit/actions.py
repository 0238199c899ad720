"""The record's vocabulary: every action the audit chain may name, with the words the public page shows.

The value is what is stored and hashed, so a value never changes once entries carry it: the chain's old
entries must still verify. A new action is a new member; ``audit.record`` accepts nothing else, so a typo
fails at once instead of writing a word nobody can read. Each label is the plain Chinese the public
record shows (``gettext_lazy``; English ids).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    ACCESS_ASSIGN_ROLE = "access.assign_role", _("Role assigned")
    ACCESS_REVOKE_ROLE = "access.revoke_role", _("Role revoked")

    COMMENTS_POST = "comments.post", _("Comment posted")
    COMMENTS_REPLY = "comments.reply", _("Comment answered")
    COMMENTS_HIDE = "comments.hide", _("Comment hidden")
    COMMENTS_UNHIDE = "comments.unhide", _("Comment shown again")

    DEMO_GENERATE_CITY = "demo.generate_city", _("Demonstration city generated")

    FUNDS_CREATE_CHARGE_RULE = "funds.create_charge_rule", _("Cost-sharing rule set")
    FUNDS_EXEMPT_HOUSEHOLD = "funds.exempt_household", _("Household exempted from paying")
    FUNDS_REMOVE_EXEMPTION = "funds.remove_exemption", _("Household exemption removed")
    FUNDS_ISSUE_CHARGES = "funds.issue_charges", _("Households' shares issued")
    FUNDS_RECORD_PAYMENT = "funds.record_payment", _("Payment received")
    FUNDS_REVERSE_PAYMENT = "funds.reverse_payment", _("Payment reversed")
    FUNDS_RECORD_FUND_ENTRY = "funds.record_fund_entry", _("Fund income or spending entered")
    FUNDS_CORRECT_FUND_ENTRY = "funds.correct_fund_entry", _("Fund entry corrected")
    FUNDS_POST_SURPLUS = "funds.post_surplus", _("Fund surplus carried over")

    MATTERS_RAISE_MATTER = "matters.raise_matter", _("Matter raised")
    MATTERS_RECORD_MATTER = "matters.record_matter", _("Matter recorded for a resident")
    MATTERS_SUPPORT = "matters.support", _("Matter supported")
    MATTERS_ACCEPT = "matters.accept", _("Matter accepted for consultation")
    MATTERS_DECLINED = "matters.declined", _("Matter declined")
    MATTERS_REFERRED = "matters.referred", _("Matter referred elsewhere")
    MATTERS_MERGED = "matters.merged", _("Matter merged into another")

    MEETINGS_CREATE = "meetings.create", _("Meeting scheduled")
    MEETINGS_UPDATE = "meetings.update", _("Meeting draft edited")
    MEETINGS_INVITE = "meetings.invite", _("People invited to a meeting")
    MEETINGS_ANNOUNCE = "meetings.announce", _("Meeting announced")
    MEETINGS_CHANGE = "meetings.change", _("Announced meeting changed")
    MEETINGS_CANCEL = "meetings.cancel", _("Meeting cancelled")
    MEETINGS_SIGN_IN = "meetings.sign_in", _("Signed in at a meeting")
    MEETINGS_RESPOND = "meetings.respond", _("Invitation answered")
    MEETINGS_ATTACH_SHEET = "meetings.attach_sheet", _("Photo of the sign-in sheet added")
    MEETINGS_RECORD_SESSION = "meetings.record_session", _("Consultation recorded")
    MEETINGS_ADD_IDEAS = "meetings.add_ideas", _("Ideas from a consultation recorded")
    MEETINGS_CLOSE = "meetings.close", _("Meeting closed")
    MEETINGS_EDIT_MINUTES = "meetings.edit_minutes", _("Minutes edited")
    MEETINGS_REDRAFT_MINUTES = "meetings.redraft_minutes", _("Minutes drafted again")
    MEETINGS_CONFIRM_MINUTES = "meetings.confirm_minutes", _("Minutes confirmed")
    MEETINGS_ADD_ADDENDUM = "meetings.add_addendum", _("Addendum to the minutes added")

    NOTICES_PUBLISH = "notices.publish", _("Notice published")
    NOTICES_OBJECT = "notices.object", _("Objection to a notice raised")
    NOTICES_REPLY = "notices.reply", _("Objection answered")

    PEOPLE_REGISTER_PERSON = "people.register_person", _("Person registered")
    PEOPLE_ANSWER_HOUSEHOLD_CLAIM = (
        "people.answer_household_claim",
        _("A resident answered a household roster"),
    )

    PLANS_DRAFT_VERSION = "plans.draft_version", _("Plan draft written")
    PLANS_RECORD_CONSENSUS = "plans.record_consensus", _("Consensus on the plan recorded")
    PLANS_RESUBMIT = "plans.resubmit", _("A plan voted down put to the vote again, with the reason")

    PROCEDURES_START = "procedures.start", _("Procedure chosen and first step begun")
    PROCEDURES_ADVANCE = "procedures.advance", _("Step completed, on to the next")
    PROCEDURES_RETURN = "procedures.return", _("Returned to an earlier step")
    PROCEDURES_WITHDRAW = "procedures.withdraw", _("Matter withdrawn")
    PROCEDURES_CLOSE_UNRESOLVED = "procedures.close_unresolved", _("Matter closed unresolved")
    PROCEDURES_RESOLVE = "procedures.resolve", _("Matter resolved and closed")

    REGIONS_CREATE_REGION = "regions.create_region", _("Region created")
    REGIONS_CREATE_HOUSEHOLD = "regions.create_household", _("Household added")
    REGIONS_CREATE_UNIT = "regions.create_unit", _("Responsible unit added")
    REGIONS_SET_RULE = "regions.set_rule", _("Rule set for a region")
    REGIONS_IMPORT_REGIONS = "regions.import_regions", _("Regions imported from a spreadsheet")
    REGIONS_IMPORT_HOUSEHOLDS = "regions.import_households", _("Household roster imported")

    REMINDERS_ESCALATE = "reminders.escalate", _("Overdue task reported to the level above")
    REMINDERS_DRAFT_PROGRESS_REPORT = "reminders.draft_progress_report", _("Progress notice drafted")

    REVIEWS_SUBMIT_REVIEW = "reviews.submit_review", _("Plan review submitted")

    STATS_GENERATE_FIGURES_DATA = "stats.generate_figures_data", _("Sample figures data generated")

    SURVEYS_CREATE_SURVEY = "surveys.create_survey", _("Survey drafted")
    SURVEYS_ADD_QUESTION = "surveys.add_question", _("Survey question added")
    SURVEYS_REMOVE_QUESTION = "surveys.remove_question", _("Survey question removed")
    SURVEYS_OPEN_SURVEY = "surveys.open_survey", _("Survey opened")
    SURVEYS_CLOSE_SURVEY = "surveys.close_survey", _("Survey closed")
    SURVEYS_RECORD_RESPONSE = "surveys.record_response", _("Survey answer recorded")
    SURVEYS_VOID_RESPONSE = "surveys.void_response", _("Survey answer voided")

    VOTES_CREATE_VOTE = "votes.create_vote", _("Vote drafted")
    VOTES_CHANGE_DRAFT = "votes.change_draft", _("Vote draft edited")
    VOTES_OPEN_VOTE = "votes.open_vote", _("Vote opened")
    VOTES_CAST_BALLOT = "votes.cast_ballot", _("Ballot cast")
    VOTES_RECORD_PROXY = "votes.record_proxy", _("Proxy recorded")
    VOTES_RECORD_PARTICIPATION = (
        "votes.record_participation",
        _("Who voted on paper or by show of hands recorded"),
    )
    VOTES_ENTER_TALLY = "votes.enter_tally", _("Count of paper ballots or raised hands entered")
    VOTES_CLOSE_VOTE = "votes.close_vote", _("Vote closed and counted")
    VOTES_CORRECT = "votes.correct", _("Vote result corrected")
    VOTES_RECORD_RESULT = "votes.record_result", _("Representatives' vote on the plan recorded")

    WORKS_ASSIGN_WORK = "works.assign_work", _("Task assigned")
    WORKS_REPORT_PROGRESS = "works.report_progress", _("Task progress reported")
    WORKS_SUPERVISE = "works.supervise", _("Task checked by the residents")
    WORKS_RATE_RESULT = "works.rate_result", _("Result rated")


# The engine writes one entry per move; the kind of move (``procedures.models.TransitionKind``) names it.
MOVE_ACTIONS = {
    "start": Action.PROCEDURES_START,
    "advance": Action.PROCEDURES_ADVANCE,
    "return": Action.PROCEDURES_RETURN,
    "withdraw": Action.PROCEDURES_WITHDRAW,
    "close_unresolved": Action.PROCEDURES_CLOSE_UNRESOLVED,
    "resolve": Action.PROCEDURES_RESOLVE,
    # The closes at screening, moves of the engine too, keep the names their entries have always had.
    "decline": Action.MATTERS_DECLINED,
    "refer": Action.MATTERS_REFERRED,
    "merge": Action.MATTERS_MERGED,
}


def action_label(value: str) -> str:
    """The words for a stored action; an action this version does not know is shown as it was stored."""
    try:
        return str(Action(value).label)
    except ValueError:
        return value
