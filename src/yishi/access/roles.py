"""The table of roles and what each may do. It is the single source for permissions and their test matrix.

A role is held at a region and reaches that region and everything below it, never a sibling or a parent.
Later issues add their actions here (screening a matter, recording a tally …).
"""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from yishi.regions.models import Level

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")
    REPRESENTATIVE = "representative", _("residents' representative")
    COMMITTEE = "committee", _("committee member (两委)")
    COUNCIL = "council", _("deliberation council member")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee member")
    BUILDING_HEAD = "building_head", _("building head")
    EXPERT = "expert", _("expert")
    UNIT_STAFF = "unit_staff", _("responsible-unit staff")
    BUREAU = "bureau", _("civil-affairs bureau staff")
    ADMIN = "admin", _("system administrator")


class Expertise(models.TextChoices):
    LEGAL = "legal", _("law")
    SOCIAL = "social", _("social management")


R = Role

# action -> roles that may take it, within the region where the role is held and below.
ACTIONS: dict[str, frozenset[Role]] = {
    # See people's whole phone and ID numbers (everyone else sees them masked).
    "people.view_contact": frozenset({R.COMMITTEE, R.BUREAU, R.ADMIN}),
    "people.register_person": frozenset({R.COMMITTEE, R.ADMIN}),
    "regions.manage_regions": frozenset({R.BUREAU, R.ADMIN}),
    "regions.import_regions": frozenset({R.BUREAU, R.ADMIN}),
    "regions.manage_households": frozenset({R.COMMITTEE, R.ADMIN}),
    "regions.import_households": frozenset({R.COMMITTEE, R.ADMIN}),
    "regions.manage_units": frozenset({R.COMMITTEE, R.BUREAU, R.ADMIN}),
    # Change a region's rules (notice days, vote thresholds …) for it and the regions below it.
    "regions.manage_rules": frozenset({R.BUREAU, R.ADMIN}),
    "access.assign_roles": frozenset({R.COMMITTEE, R.BUREAU, R.ADMIN}),
    "access.view_roles": frozenset({R.COMMITTEE, R.BUREAU, R.ADMIN}),
    # Read the security log: the actions refused for want of authority in the regions overseen.
    "access.read_security_log": frozenset({R.BUREAU, R.ADMIN}),
    # Matters. Raising and supporting are open to every resident who is logged in; these are staff actions.
    "matters.record_matter": frozenset({R.COMMITTEE, R.ADMIN}),
    "matters.screen_matter": frozenset({R.COMMITTEE, R.ADMIN}),
    # The procedure. Step-bound actions are allowed only while the matter's step enables them.
    "procedures.advance": frozenset({R.COMMITTEE, R.ADMIN}),
    "procedures.record_session": frozenset({R.COMMITTEE, R.COUNCIL, R.ADMIN}),
    "procedures.draft_plan": frozenset({R.COUNCIL, R.COMMITTEE, R.ADMIN}),
    "procedures.record_consensus": frozenset({R.COMMITTEE, R.ADMIN}),
    "procedures.review_plan": frozenset({R.EXPERT}),
    "procedures.record_vote": frozenset({R.COMMITTEE, R.ADMIN}),
    "procedures.assign_work": frozenset({R.COMMITTEE, R.ADMIN}),
    "procedures.publish_result": frozenset({R.COMMITTEE, R.ADMIN}),
    # Meetings (会议): schedule, announce, change, cancel, sign people in, close, write the minutes.
    "meetings.manage_meeting": frozenset({R.COMMITTEE, R.ADMIN}),
    # The public board: answering residents' objections to a notice, publicly.
    "notices.reply_objection": frozenset({R.COMMITTEE, R.ADMIN}),
    # Household surveys (入户调查表). The owners' committee helps enter paper forms in its compound.
    "surveys.manage_survey": frozenset({R.COMMITTEE, R.ADMIN}),
    "surveys.record_response": frozenset({R.COMMITTEE, R.OWNERS_COMMITTEE, R.ADMIN}),
    # Cost sharing (费用分摊) and the compound's public fund. Charges per household (arrears) are not public.
    "funds.manage_charges": frozenset({R.COMMITTEE, R.ADMIN}),
    "funds.view_charges": frozenset({R.COMMITTEE, R.OWNERS_COMMITTEE, R.ADMIN}),
    "funds.record_payment": frozenset({R.COMMITTEE, R.OWNERS_COMMITTEE, R.ADMIN}),
    "funds.record_ledger": frozenset({R.COMMITTEE, R.OWNERS_COMMITTEE, R.ADMIN}),
    # Votes. Voting itself is by the electors frozen when a vote opens, not by a role. An owners' committee
    # runs the owners' votes of its compound (业主大会); closing a vote on a matter's plan also needs
    # "procedures.record_vote".
    "votes.manage_vote": frozenset({R.COMMITTEE, R.OWNERS_COMMITTEE, R.ADMIN}),
    "votes.enter_tally": frozenset({R.COMMITTEE, R.OWNERS_COMMITTEE, R.ADMIN}),
    "votes.record_proxy": frozenset({R.COMMITTEE, R.OWNERS_COMMITTEE, R.ADMIN}),
    "votes.correct": frozenset({R.COMMITTEE, R.ADMIN}),
    # See a region's figures (dashboard, exports, yearly report) and those of every region below it.
    "stats.view_figures": frozenset({R.COMMITTEE, R.BUREAU, R.ADMIN}),
    # Hide (with a public reason) or show again a resident's comment on a matter; the trace stays public.
    "comments.moderate": frozenset({R.COMMITTEE, R.ADMIN}),
}


# How each action is named to people (the security log, refusals).
ACTION_LABELS: dict[str, "StrOrPromise"] = {
    "people.view_contact": _("See whole phone and ID numbers"),
    "people.register_person": _("Register a person"),
    "regions.manage_regions": _("Manage regions"),
    "regions.import_regions": _("Import regions"),
    "regions.manage_households": _("Manage households"),
    "regions.import_households": _("Import a household roster"),
    "regions.manage_units": _("Manage responsible units"),
    "regions.manage_rules": _("Change a region's rules"),
    "access.assign_roles": _("Assign roles"),
    "access.view_roles": _("See who holds which role"),
    "access.read_security_log": _("Read the security log"),
    "matters.record_matter": _("Record a matter raised in person"),
    "matters.screen_matter": _("Screen a matter"),
    "procedures.advance": _("Complete a step"),
    "procedures.record_session": _("Record a consultation session"),
    "procedures.draft_plan": _("Draft a plan"),
    "procedures.record_consensus": _("Record the consensus"),
    "procedures.review_plan": _("Review a plan as an expert"),
    "procedures.record_vote": _("Record a vote"),
    "procedures.assign_work": _("Assign a task"),
    "procedures.publish_result": _("Post a notice"),
    "meetings.manage_meeting": _("Manage a meeting"),
    "notices.reply_objection": _("Answer an objection"),
    "surveys.manage_survey": _("Manage a survey"),
    "surveys.record_response": _("Enter a paper answer"),
    "funds.manage_charges": _("Manage shared costs"),
    "funds.view_charges": _("See shared costs"),
    "funds.record_payment": _("Record a payment"),
    "funds.record_ledger": _("Record in the ledger"),
    "votes.manage_vote": _("Manage a vote"),
    "votes.enter_tally": _("Enter a tally"),
    "votes.record_proxy": _("Record a proxy"),
    "votes.correct": _("Correct a vote"),
    "stats.view_figures": _("See the figures"),
    "comments.moderate": _("Moderate comments"),
}

# Which roles a holder of each role may hand out (always at their own region or below).
GRANTABLE: dict[Role, frozenset[Role]] = {
    R.COMMITTEE: frozenset(
        {R.RESIDENT, R.REPRESENTATIVE, R.COUNCIL, R.OWNERS_COMMITTEE, R.BUILDING_HEAD, R.UNIT_STAFF}
    ),
    R.BUREAU: frozenset(set(Role) - {R.ADMIN}),
    R.ADMIN: frozenset(Role),
}

# Where in the tree each role may be held.
LEVELS: dict[Role, frozenset[int]] = {
    R.RESIDENT: frozenset({Level.COMMUNITY, Level.COMPOUND, Level.BUILDING}),
    R.REPRESENTATIVE: frozenset({Level.COMMUNITY, Level.COMPOUND}),
    R.COMMITTEE: frozenset({Level.COMMUNITY}),
    R.COUNCIL: frozenset({Level.COMMUNITY}),
    R.OWNERS_COMMITTEE: frozenset({Level.COMPOUND}),
    R.BUILDING_HEAD: frozenset({Level.COMPOUND, Level.BUILDING}),
    R.EXPERT: frozenset({Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY}),
    R.UNIT_STAFF: frozenset({Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.COMPOUND}),
    R.BUREAU: frozenset({Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET}),
    R.ADMIN: frozenset({Level.PROVINCE, Level.CITY}),
}


def roles_for(action: str) -> frozenset[Role]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}: add it to access/roles.py") from None
