"""THE PERMISSION MATRIX: every role, held at a node, against every action at the node, below, above, beside.

The expectations are written out here by hand, apart from ``access/roles.py``: a change to the role table
that is not also made here fails, and so does an action added there without a line here.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import builders
from tests.access.conftest import fresh
from yishi.access.queries import can, regions_where
from yishi.access.roles import ACTIONS, LEVELS, Role
from yishi.access.services import assign_role, revoke_role
from yishi.people.models import Person
from yishi.regions.models import Region

EVERY_ACTION = frozenset(
    {
        "people.view_contact",
        "people.register_person",
        "regions.manage_regions",
        "regions.import_regions",
        "regions.manage_households",
        "regions.import_households",
        "regions.manage_units",
        "regions.manage_rules",
        "access.assign_roles",
        "access.view_roles",
        "access.read_security_log",
        "matters.record_matter",
        "matters.screen_matter",
        "procedures.advance",
        "procedures.record_session",
        "procedures.draft_plan",
        "procedures.record_consensus",
        "procedures.review_plan",
        "procedures.record_vote",
        "procedures.assign_work",
        "procedures.publish_result",
        "meetings.manage_meeting",
        "notices.reply_objection",
        "surveys.manage_survey",
        "surveys.record_response",
        "funds.manage_charges",
        "funds.view_charges",
        "funds.record_payment",
        "funds.record_ledger",
        "votes.manage_vote",
        "votes.enter_tally",
        "votes.record_proxy",
        "votes.correct",
        "comments.moderate",
        "stats.view_figures",
    }
)

# role -> the actions it may take at the node where it is held and everywhere below.
MAY: dict[str, frozenset[str]] = {
    "resident": frozenset(),
    "representative": frozenset(),
    "committee": frozenset(
        {
            "people.view_contact",
            "people.register_person",
            "regions.manage_households",
            "regions.import_households",
            "regions.manage_units",
            "access.assign_roles",
            "access.view_roles",
            "matters.record_matter",
            "matters.screen_matter",
            "procedures.advance",
            "procedures.record_session",
            "procedures.draft_plan",
            "procedures.record_consensus",
            "procedures.record_vote",
            "procedures.assign_work",
            "procedures.publish_result",
            "meetings.manage_meeting",
            "notices.reply_objection",
            "surveys.manage_survey",
            "surveys.record_response",
            "funds.manage_charges",
            "funds.view_charges",
            "funds.record_payment",
            "funds.record_ledger",
            "votes.manage_vote",
            "votes.enter_tally",
            "votes.record_proxy",
            "votes.correct",
            "comments.moderate",
            "stats.view_figures",
        }
    ),
    "council": frozenset({"procedures.record_session", "procedures.draft_plan"}),
    "owners_committee": frozenset(
        {
            "surveys.record_response",
            "funds.view_charges",
            "funds.record_payment",
            "funds.record_ledger",
            "votes.manage_vote",
            "votes.enter_tally",
            "votes.record_proxy",
        }
    ),
    "building_head": frozenset(),
    "expert": frozenset({"procedures.review_plan"}),
    "unit_staff": frozenset(),
    "bureau": frozenset(
        {
            "people.view_contact",
            "regions.manage_regions",
            "regions.import_regions",
            "regions.manage_units",
            "regions.manage_rules",
            "access.assign_roles",
            "access.view_roles",
            "access.read_security_log",
            "stats.view_figures",
        }
    ),
    # The system administrator does everything except sign an expert's review.
    "admin": EVERY_ACTION - {"procedures.review_plan"},
}

# role -> (where it is held, its parent, a child, a sibling): names of nodes in the ``world`` fixture.
PLACES: dict[str, tuple[str, str, str, str]] = {
    "resident": ("community", "street", "compound", "sibling"),
    "representative": ("community", "street", "compound", "sibling"),
    "committee": ("community", "street", "compound", "sibling"),
    "council": ("community", "street", "compound", "sibling"),
    "owners_committee": ("compound", "community", "building", "compound_beside"),
    "building_head": ("compound", "community", "building", "compound_beside"),
    "expert": ("community", "street", "compound", "sibling"),
    "unit_staff": ("community", "street", "compound", "sibling"),
    "bureau": ("district", "city", "street", "other_district"),
    "admin": ("province_city", "province", "province_district", "province_city_beside"),
}

ROLES = sorted(MAY)


def hold(role: str, region: Region) -> Person:
    """A new person holding ``role`` at ``region``, granted by the system."""
    holder = builders.person(name=f"{role}持有人")
    extra = {}
    if role == Role.UNIT_STAFF:
        extra["unit"] = builders.unit(name=f"{region.name}服务队", home_region=region)
    if role == Role.EXPERT:
        extra["expertise"] = "legal"
    builders.role(holder, role, region, **extra)
    return holder


def is_under(region: Region, node: Region) -> bool:
    """Whether ``region`` is ``node`` or below it, by walking parents (not by the paths the code uses)."""
    while region is not None:
        if region.pk == node.pk:
            return True
        region = region.parent
    return False


def verdicts(user, action: str, region: Region) -> tuple[bool, bool, bool]:
    """The three ways of asking: the rules backend, ``can``, and the queryset twin."""
    return (
        user.has_perm(action, region),
        can(user, action, region),
        regions_where(user, action).filter(pk=region.pk).exists(),
    )


# ---- the table itself ------------------------------------------------------------------------------------


def test_every_action_in_roles_py_has_a_line_in_this_matrix():
    assert set(ACTIONS) == EVERY_ACTION, "add the new action to EVERY_ACTION and to MAY for each role"


def test_every_role_has_a_line_in_this_matrix_and_a_place_to_hold_it():
    assert set(Role.values) == set(MAY) == set(PLACES)


def test_the_matrix_table_agrees_with_roles_py():
    from_roles_py = {
        role: frozenset(a for a, roles in ACTIONS.items() if role in roles) for role in Role.values
    }
    assert from_roles_py == MAY


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_placed_at_a_level_it_may_be_held_at_with_the_right_neighbours(world, role):
    node, parent, child, sibling = (getattr(world, name) for name in PLACES[role])
    assert node.level in LEVELS[Role(role)]
    assert child.parent_id == node.pk
    assert node.parent_id == parent.pk
    assert sibling.parent_id == node.parent_id and sibling.pk != node.pk


# ---- each role at its node -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_role_reaches_its_node_and_below_never_above_or_beside(world, role):
    node, parent, child, sibling = (getattr(world, name) for name in PLACES[role])
    user = fresh(hold(role, node))
    wrong = []
    for action in sorted(EVERY_ACTION):
        allowed = action in MAY[role]
        for relation, region, expected in (
            ("own", node, allowed),
            ("child", child, allowed),
            ("parent", parent, False),
            ("sibling", sibling, False),
        ):
            got = verdicts(user, action, region)
            if got != (expected,) * 3:
                wrong.append(f"{action} at {relation}: has_perm/can/regions_where={got}, expected {expected}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_has_perm_can_and_regions_where_agree_over_every_region(world, role):
    node = getattr(world, PLACES[role][0])
    user = fresh(hold(role, node))
    regions = list(Region.objects.select_related("parent__parent__parent__parent__parent__parent"))
    assert len(regions) == 14
    wrong = []
    for action in sorted(EVERY_ACTION):
        where = set(regions_where(user, action).values_list("pk", flat=True))
        for region in regions:
            expected = action in MAY[role] and is_under(region, node)
            got = (user.has_perm(action, region), can(user, action, region), region.pk in where)
            if got != (expected,) * 3:
                wrong.append(f"{action} at {region.name}: {got}, expected {expected}")
    assert wrong == []


def test_roles_at_two_nodes_reach_both_subtrees_and_nothing_else(world):
    user = hold("committee", world.community)
    builders.role(user, "committee", world.sibling)
    user = fresh(user)
    assert set(regions_where(user, "regions.manage_households")) == {
        world.community,
        world.compound,
        world.building,
        world.compound_beside,
        world.sibling,
        world.sibling_compound,
    }
    assert not can(user, "regions.manage_households", world.street)


def test_an_object_inside_a_region_is_judged_by_its_region(world):
    committee = fresh(hold("committee", world.community))
    inside = builders.household(world.building)
    beside = builders.household(world.sibling_compound)
    assert can(committee, "regions.manage_households", inside)
    assert committee.has_perm("regions.manage_households", inside)
    assert not can(committee, "regions.manage_households", beside)
    assert not committee.has_perm("regions.manage_households", beside)


def test_a_permission_asked_without_an_object_is_refused_even_to_a_role_holder(world):
    committee = fresh(hold("committee", world.community))
    assert not committee.has_perm("regions.manage_households")


def test_an_unknown_action_is_a_bug_not_a_refusal_even_for_the_superuser(world):
    superuser = Person.objects.create_superuser("13700000001", "管理员", None)
    committee = fresh(hold("committee", world.community))
    for user in (superuser, committee):
        with pytest.raises(KeyError, match="unknown action"):
            can(user, "regions.manage_region", world.community)
        with pytest.raises(KeyError, match="unknown action"):
            regions_where(user, "regions.manage_region")


# ---- who gets nothing, and who gets everything -----------------------------------------------------------


def assert_nothing_anywhere(user) -> None:
    granted = [
        (action, region.name)
        for action in sorted(EVERY_ACTION)
        for region in Region.objects.all()
        if any(verdicts(user, action, region))
    ]
    assert granted == []


@pytest.mark.parametrize("role", ROLES)
def test_a_revoked_role_grants_nothing(world, role):
    node = getattr(world, PLACES[role][0])
    holder = hold(role, node)
    assignment = holder.roles.get()
    revoke_role(actor=None, assignment=assignment)
    assert_nothing_anywhere(fresh(holder))


def test_revoking_a_role_takes_effect_on_the_person_object_already_loaded(world):
    holder = hold("committee", world.community)
    assert can(holder, "regions.manage_households", world.community)  # roles now read and kept on the object
    revoke_role(actor=None, assignment=holder.roles.get())
    assert not can(holder, "regions.manage_households", world.community)


def test_granting_a_role_takes_effect_on_the_person_object_already_loaded(world):
    holder = builders.person()
    assert not can(holder, "regions.manage_households", world.community)
    builders.role(holder, "committee", world.community)
    assert can(holder, "regions.manage_households", world.community)


def test_an_inactive_user_holding_roles_may_do_nothing(world):
    holder = hold("committee", world.community)
    builders.role(holder, "admin", world.province_city)
    Person.objects.filter(pk=holder.pk).update(is_active=False)
    assert_nothing_anywhere(fresh(holder))


def test_an_anonymous_visitor_may_do_nothing(world):
    assert_nothing_anywhere(AnonymousUser())


def test_the_superuser_may_do_everything_everywhere(world):
    superuser = Person.objects.create_superuser("13700000001", "管理员", None)
    everywhere = set(Region.objects.all())
    for action in sorted(EVERY_ACTION):
        assert set(regions_where(superuser, action)) == everywhere
        for region in everywhere:
            assert verdicts(superuser, action, region) == (True, True, True), (action, region.name)


def test_an_inactive_superuser_may_do_nothing(world):
    Person.objects.create_superuser("13700000001", "管理员", None, is_active=False)
    assert_nothing_anywhere(Person.objects.get(phone="13700000001"))


def test_a_role_granted_to_oneself_takes_effect_on_the_acting_object_too(world):
    bureau = fresh(hold("bureau", world.district))
    assert not can(bureau, "people.register_person", world.community)  # roles now read and kept
    assign_role(actor=bureau, person=fresh(bureau), role="committee", region=world.community)
    assert can(bureau, "people.register_person", world.community)
