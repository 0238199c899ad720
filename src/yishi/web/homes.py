"""A home for each role: what the signed-in person's roles put in front of them, gathered from each app's queries.

Each section is built only for a person who holds its role, so a resident's page never carries (nor costs) a
staff list. Every list is one query, or a fixed few, with what its rows show selected alongside: the number
of queries of a home does not grow with the length of its lists. The rules (what waits on whom) live in the
owning apps' queries; this module only chooses and groups.
"""

from dataclasses import dataclass, field

from yishi.access.queries import active_roles, holding_roles, regions_where
from yishi.access.roles import Role
from yishi.matters import queries as matters
from yishi.meetings import queries as meetings
from yishi.notices import queries as notices
from yishi.people.services import open_claims
from yishi.procedures.definitions import DEFAULT, PROCEDURES
from yishi.regions.models import Household
from yishi.reminders.queries import escalated_in
from yishi.reviews.queries import awaiting_review
from yishi.surveys import queries as surveys
from yishi.votes import queries as votes
from yishi.works import queries as works

LIST_LIMIT = 50

# The roles whose holders do the community's work (screening, steps, meetings, counts); the system
# administrator acts everywhere and sees the same lists.
COMMUNITY_WORK = frozenset({Role.COMMITTEE, Role.COUNCIL, Role.OWNERS_COMMITTEE, Role.ADMIN})
RESIDENT_LIKE = frozenset({Role.RESIDENT, Role.REPRESENTATIVE, Role.BUILDING_HEAD})


@dataclass
class StepGroup:
    label: str
    procedure: (
        str  # named only when it is not the default (eight steps), where labels could be taken for others'
    )
    matters: list = field(default_factory=list)


def _group_by_step(matters) -> list[StepGroup]:
    """Matters grouped by the step they wait at: the default procedure's steps first, each procedure in its
    steps' order."""
    procedures = list(PROCEDURES)
    groups: dict[tuple[str, str], StepGroup] = {}
    for m in matters:
        key = (m.procedure_key, m.step_key)
        if key not in groups:
            named = "" if m.procedure_key == DEFAULT.key else str(m.procedure.label)
            groups[key] = StepGroup(str(m.step.label), named)
        groups[key].matters.append(m)

    def order(key):
        procedure_key, step_key = key
        first = 0 if procedure_key == DEFAULT.key else 1 + procedures.index(procedure_key)
        return first, PROCEDURES[procedure_key].index(step_key)

    return [groups[k] for k in sorted(groups, key=order)]


def held_roles(user) -> set[str]:
    return {a.role for a in active_roles(user)}


def may_somewhere(user, action: str) -> bool:
    """Whether ``regions_where(user, action)`` holds a region, from the roles already read: a role's own region
    is within its reach. The system administrator's reach is every region there is, which only the database
    knows."""
    if user.is_superuser:
        return regions_where(user, action).exists()
    return bool(holding_roles(user, action))


def lives_somewhere(user) -> bool:
    return Household.objects.filter(memberships__person=user).exists()


def resident_section(user, *, with_votes: bool) -> dict:
    section = {
        "mine": list(matters.mine(user)[:LIST_LIMIT]),
        "surveys": [s for s in surveys.open_surveys_for(user) if not s.answered][:LIST_LIMIT],
        "to_confirm": list(works.to_confirm(user)[:LIST_LIMIT]),
        "given_to_me": list(works.given_to(user)[:LIST_LIMIT]),
        "boards": notices.boards_for(user),
    }
    if with_votes:
        section["votes"] = list(votes.open_votes_for(user).filter(voted=False)[:LIST_LIMIT])
    return section


def community_section(user) -> dict:
    scopes = [a.region for a in active_roles(user) if a.role in (Role.COMMITTEE, Role.ADMIN)]
    return {
        "to_screen": list(matters.to_screen(user)[:LIST_LIMIT]),
        "by_step": _group_by_step(matters.waiting_on(user)[:LIST_LIMIT]),
        "meetings": list(meetings.this_week(user)[:LIST_LIMIT]),
        "overdue": list(works.overdue_in(scopes)[:LIST_LIMIT]),
        "tallies": votes.tallies_to_enter(user)[:LIST_LIMIT],
        "paper_surveys": list(surveys.open_for_entry(user)[:LIST_LIMIT]),
        "can_record": may_somewhere(user, "matters.record_matter"),
        "can_screen": may_somewhere(user, "matters.screen_matter"),
    }


def representative_section(user) -> dict:
    return {
        "votes": list(votes.open_votes_for(user).filter(voted=False)[:LIST_LIMIT]),
        "invitations": list(meetings.upcoming_invitations(user)[:LIST_LIMIT]),
    }


def expert_section(user) -> dict:
    return {"reviews": awaiting_review(user)[:LIST_LIMIT]}


def unit_section(user) -> dict:
    return {
        "tasks": list(works.for_unit_staff(user)[:LIST_LIMIT]),
        "invitations": list(meetings.upcoming_invitations(user)[:LIST_LIMIT]),
    }


def bureau_section(user) -> dict:
    regions = sorted(
        {a.region.pk: a.region for a in active_roles(user) if a.role == Role.BUREAU}.values(),
        key=lambda r: r.path,
    )
    return {"regions": regions, "escalated": list(escalated_in(regions)[:LIST_LIMIT])}


def home_context(user) -> dict:
    """The sections of ``user``'s home, each present only for a role they hold.

    Everyone signed in who lives somewhere, holds a resident's role, or holds no role at all has the resident's
    section: their own matters, votes, surveys, confirmations and board.
    """
    roles = held_roles(user) | ({Role.ADMIN} if user.is_superuser else set())
    is_representative = Role.REPRESENTATIVE in roles
    sections = {}
    if roles & RESIDENT_LIKE or not roles or lives_somewhere(user):
        # A representative's votes stand in their own section: shown once.
        sections["resident"] = resident_section(user, with_votes=not is_representative)
    claims = list(open_claims(user)[:LIST_LIMIT])
    if claims:  # whoever a household roster names is asked first, whatever roles they hold
        sections["households"] = {"claims": claims}
    if roles & COMMUNITY_WORK:
        sections["community"] = community_section(user)
    if is_representative:
        sections["representative"] = representative_section(user)
    if Role.EXPERT in roles:
        sections["expert"] = expert_section(user)
    if Role.UNIT_STAFF in roles:
        sections["unit"] = unit_section(user)
    if Role.BUREAU in roles:
        sections["bureau"] = bureau_section(user)
    if "resident" not in sections and not is_representative:
        # Staff vote too (a committee's own vote, an owners' vote): shown only when one waits on them.

        waiting = list(votes.open_votes_for(user).filter(voted=False)[:LIST_LIMIT])
        if waiting:
            sections["votes"] = {"votes": waiting}
    return {"sections": sections, "roles": active_roles(user)}
