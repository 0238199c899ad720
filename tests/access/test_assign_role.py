"""Granting and taking away roles: who may grant what, where, and what is written down."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import builders
from tests.access.conftest import fresh
from yishi.access.models import RoleAssignment
from yishi.access.queries import grantable_roles
from yishi.access.roles import Role
from yishi.access.services import assign_role, revoke_role
from yishi.audit.models import AuditEntry
from yishi.audit.services import actor_ref_for, verify
from yishi.errors import Refused
from yishi.people.models import Person

EVERY_ROLE = frozenset(
    {
        "resident",
        "representative",
        "committee",
        "council",
        "owners_committee",
        "building_head",
        "expert",
        "unit_staff",
        "bureau",
        "admin",
    }
)

# granter's role -> the roles they may hand out at their node and below. Written apart from roles.py.
GRANTS: dict[str, frozenset[str]] = {
    "resident": frozenset(),
    "representative": frozenset(),
    "committee": frozenset(
        {"resident", "representative", "council", "owners_committee", "building_head", "unit_staff"}
    ),
    "council": frozenset(),
    "owners_committee": frozenset(),
    "building_head": frozenset(),
    "expert": frozenset(),
    "unit_staff": frozenset(),
    "bureau": EVERY_ROLE - {"admin"},
    "admin": EVERY_ROLE,
}

# granter's role -> where the granter holds it (a node of the ``world`` fixture).
GRANTER_AT = {
    "resident": "community",
    "representative": "community",
    "committee": "community",
    "council": "community",
    "owners_committee": "compound",
    "building_head": "compound",
    "expert": "community",
    "unit_staff": "community",
    "bureau": "district",
    "admin": "city",
}

# role granted -> where in the builders' tree it is granted, at a level it may be held at.
GRANTED_AT = {
    "resident": "building",
    "representative": "compound",
    "committee": "community",
    "council": "community",
    "owners_committee": "compound",
    "building_head": "building",
    "expert": "community",
    "unit_staff": "compound",
    "bureau": "street",
    "admin": "city",
}


def needs(role: str, region) -> dict:
    """What a role needs besides a place: a unit for unit staff, a field for experts."""
    if role == "unit_staff":
        name = f"{region.name}服务队"
        return {"unit": builders.unit(name=name, home_region=region)}
    if role == "expert":
        return {"expertise": "social"}
    return {}


def holder_of(role: str, region, name: str = "持有人") -> Person:
    someone = builders.person(name=name)
    builders.role(someone, role, region, **needs(role, region))
    return fresh(someone)


def counts() -> tuple[int, int]:
    return RoleAssignment.objects.count(), AuditEntry.objects.count()


def refused(code: str, **kwargs) -> Refused:
    """Call assign_role expecting a refusal with ``code``; check that nothing was saved."""
    before = counts()
    with pytest.raises(Refused) as refusal:
        assign_role(**kwargs)
    assert refusal.value.code == code, refusal.value.reason
    assert counts() == before
    return refusal.value


def test_the_grant_table_covers_every_role():
    assert set(Role.values) == EVERY_ROLE == set(GRANTS) == set(GRANTER_AT) == set(GRANTED_AT)


@pytest.mark.parametrize("granter", sorted(GRANTS))
def test_a_role_holder_may_grant_exactly_the_roles_in_the_table_below_their_node(world, granter):
    actor = holder_of(granter, getattr(world, GRANTER_AT[granter]))
    wrong = []
    for role in sorted(EVERY_ROLE):
        region = getattr(world, GRANTED_AT[role])
        person = builders.person(name="新任")
        extra = needs(role, region)
        before = counts()
        try:
            assignment = assign_role(actor=actor, person=person, role=role, region=region, **extra)
        except Refused as refusal:
            if role in GRANTS[granter] or refusal.code != Refused.FORBIDDEN or counts() != before:
                wrong.append(f"{role}: refused {refusal.code}, saved {counts()} from {before}")
            continue
        if role not in GRANTS[granter]:
            wrong.append(f"{role}: granted")
        elif (assignment.person, assignment.role, assignment.region, assignment.granted_by) != (
            person,
            role,
            region,
            actor,
        ):
            wrong.append(f"{role}: saved as {assignment}")
    assert wrong == []


@pytest.mark.parametrize("granter", ["committee", "bureau", "admin"])
def test_grantable_roles_lists_the_table_at_the_node_and_below_and_nothing_above(world, granter):
    node = getattr(world, GRANTER_AT[granter])
    actor = holder_of(granter, node)
    assert {r.value for r in grantable_roles(actor, node)} == GRANTS[granter]
    assert {r.value for r in grantable_roles(actor, world.building)} == GRANTS[granter]
    outside = node.parent or world.province
    assert grantable_roles(actor, outside) == set()


def test_the_superuser_may_grant_every_role(world):
    superuser = Person.objects.create_superuser("13700000001", "管理员", None)
    assert {r.value for r in grantable_roles(superuser, world.city)} == EVERY_ROLE
    assignment = assign_role(actor=superuser, person=builders.person(), role="admin", region=world.city)
    assert assignment.granted_by == superuser


def test_an_inactive_superuser_may_grant_nothing(world):
    Person.objects.create_superuser("13700000001", "管理员", None, is_active=False)
    inactive = Person.objects.get(phone="13700000001")
    refused(
        Refused.FORBIDDEN, actor=inactive, person=builders.person(), role="resident", region=world.building
    )


def test_an_inactive_committee_member_may_grant_nothing(world):
    committee = holder_of("committee", world.community)
    Person.objects.filter(pk=committee.pk).update(is_active=False)
    refused(
        Refused.FORBIDDEN,
        actor=fresh(committee),
        person=builders.person(),
        role="resident",
        region=world.building,
    )


def test_an_anonymous_visitor_may_grant_nothing(world):
    refused(
        Refused.FORBIDDEN,
        actor=AnonymousUser(),
        person=builders.person(),
        role="resident",
        region=world.building,
    )


def test_a_committee_may_not_grant_in_a_sibling_community(world):
    committee = holder_of("committee", world.sibling)
    for region in (world.community, world.compound, world.building):
        refusal = refused(
            Refused.FORBIDDEN, actor=committee, person=builders.person(), role="resident", region=region
        )
    assert str(refusal.reason)


def test_a_committee_may_not_grant_above_its_community(world):
    committee = holder_of("committee", world.community)
    refused(
        Refused.FORBIDDEN,
        actor=committee,
        person=builders.person(),
        role="unit_staff",
        region=world.street,
        unit=builders.unit(home_region=world.street),
    )


@pytest.mark.parametrize(
    ("role", "place"),
    [
        ("resident", "street"),
        ("representative", "building"),
        ("committee", "compound"),
        ("committee", "street"),
        ("council", "compound"),
        ("owners_committee", "community"),
        ("building_head", "community"),
        ("expert", "compound"),
        ("unit_staff", "building"),
        ("bureau", "community"),
        ("admin", "district"),
    ],
)
def test_a_role_at_a_level_where_it_is_not_held_is_refused_as_wrong_level(world, role, place):
    region = getattr(world, place)
    refusal = refused(
        "wrong_level", actor=None, person=builders.person(), role=role, region=region, **needs(role, region)
    )
    assert refusal.field == "region"


def test_an_unknown_role_is_refused(world):
    refused("unknown_role", actor=None, person=builders.person(), role="mayor", region=world.community)


def test_unit_staff_need_a_unit(world):
    refusal = refused(
        "unit_required", actor=None, person=builders.person(), role="unit_staff", region=world.community
    )
    assert refusal.field == "unit"
    unit = builders.unit(home_region=world.community)
    assignment = assign_role(
        actor=None, person=builders.person(), role="unit_staff", region=world.community, unit=unit
    )
    assert assignment.unit == unit


def test_a_unit_given_with_another_role_is_not_kept(world):
    unit = builders.unit(home_region=world.community)
    assignment = assign_role(
        actor=None, person=builders.person(), role="resident", region=world.community, unit=unit
    )
    assert assignment.unit is None


@pytest.mark.parametrize("expertise", ["", "astrology"])
def test_experts_need_a_field_of_law_or_social_management(world, expertise):
    refusal = refused(
        "expertise_required",
        actor=None,
        person=builders.person(),
        role="expert",
        region=world.community,
        expertise=expertise,
    )
    assert refusal.field == "expertise"


def test_an_expert_keeps_their_field(world):
    assignment = assign_role(
        actor=None, person=builders.person(), role="expert", region=world.district, expertise="legal"
    )
    assert assignment.expertise == "legal"


def test_granting_a_role_already_held_there_is_refused(world):
    person = builders.person()
    builders.role(person, "representative", world.community)
    refused("role_held", actor=None, person=person, role="representative", region=world.community)


def test_the_same_role_may_be_held_at_another_node_and_another_role_at_the_same_node(world):
    person = builders.person()
    builders.role(person, "representative", world.community)
    builders.role(person, "representative", world.sibling)
    builders.role(person, "council", world.community)
    assert person.roles.active().count() == 3


def test_a_grant_racing_another_for_the_same_role_is_refused_as_held_not_an_error(world, monkeypatch):
    person = builders.person()
    builders.role(person, "representative", world.community)
    # The other grant committed after this one looked: the check sees nothing, the constraint stops it.
    monkeypatch.setattr(RoleAssignment.objects, "active", lambda: RoleAssignment.objects.none())
    refused("role_held", actor=None, person=person, role="representative", region=world.community)


def test_a_role_may_be_granted_again_after_it_was_taken_away(world):
    person = builders.person()
    revoke_role(actor=None, assignment=builders.role(person, "representative", world.community))
    again = builders.role(person, "representative", world.community)
    assert list(person.roles.active()) == [again]
    assert person.roles.count() == 2


def test_granting_writes_an_audit_entry_naming_the_granter_by_pseudonym(world):
    committee = holder_of("committee", world.community)
    person = builders.person()
    assignment = assign_role(actor=committee, person=person, role="representative", region=world.compound)
    entry = AuditEntry.objects.order_by("seq").last()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "access.assign_role",
        "access.roleassignment",
        str(assignment.pk),
    )
    assert entry.actor_ref == actor_ref_for(committee)
    assert entry.data == {
        "person": person.pk,
        "role": "representative",
        "region": world.compound.pk,
        "unit": None,
    }
    assert verify() is None


def test_taking_a_role_away_writes_an_audit_entry_and_keeps_the_row(world):
    committee = holder_of("committee", world.community)
    assignment = assign_role(
        actor=committee, person=builders.person(), role="representative", region=world.compound
    )
    before = counts()
    revoke_role(actor=committee, assignment=assignment)
    assert counts() == (before[0], before[1] + 1)
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert assignment.revoked_by == committee
    entry = AuditEntry.objects.order_by("seq").last()
    assert (entry.action, entry.target_id, entry.data) == (
        "access.revoke_role",
        str(assignment.pk),
        {"role": "representative"},
    )
    assert entry.actor_ref == actor_ref_for(committee)


def test_taking_a_role_away_twice_is_refused_and_writes_nothing(world):
    assignment = builders.role(builders.person(), "representative", world.community)
    revoke_role(actor=None, assignment=assignment)
    before = counts()
    with pytest.raises(Refused) as refusal:
        revoke_role(actor=None, assignment=RoleAssignment.objects.get(pk=assignment.pk))
    assert refusal.value.code == "already_revoked"
    assert counts() == before


def test_only_those_who_may_grant_a_role_may_take_it_away(world):
    assignment = builders.role(builders.person(), "committee", world.community)
    for actor in (
        holder_of("committee", world.community, "同社区两委"),  # committees do not make committees
        holder_of("committee", world.sibling, "邻社区两委"),
        holder_of("representative", world.community, "代表"),
        AnonymousUser(),
    ):
        with pytest.raises(Refused) as refusal:
            revoke_role(actor=actor, assignment=assignment)
        assert refusal.value.code == Refused.FORBIDDEN
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None
    revoke_role(actor=holder_of("bureau", world.district, "民政局"), assignment=assignment)
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is not None


def test_nothing_is_half_saved_when_the_audit_entry_cannot_be_written(world, monkeypatch):
    def failing_record(**kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr("yishi.access.services.record", failing_record)
    person = builders.person()
    before = counts()
    with pytest.raises(RuntimeError):
        assign_role(actor=None, person=person, role="representative", region=world.community)
    assert counts() == before


def test_a_revocation_is_undone_when_its_audit_entry_cannot_be_written(world, monkeypatch):
    assignment = builders.role(builders.person(), "representative", world.community)

    def failing_record(**kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr("yishi.access.services.record", failing_record)
    with pytest.raises(RuntimeError):
        revoke_role(actor=None, assignment=assignment)
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None
