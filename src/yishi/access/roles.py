"""The table of roles and what each may do. It is the single source for permissions and their test matrix.

A role is held at a region and reaches that region and everything below it, never a sibling or a parent.
Later issues add their actions here (screening a matter, recording a tally …).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yishi.regions.models import Level


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
    "access.assign_roles": frozenset({R.COMMITTEE, R.BUREAU, R.ADMIN}),
    "access.view_roles": frozenset({R.COMMITTEE, R.BUREAU, R.ADMIN}),
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
