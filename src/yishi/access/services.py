"""Granting and revoking roles."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused
from yishi.people.actors import Actor
from yishi.regions.models import Level, Region, Unit

from .models import RefusedAttempt, RoleAssignment
from .queries import forget_roles, grantable_roles
from .roles import LEVELS, Expertise, Role


def _may_grant(actor: Actor, role: Role, region: Region) -> bool:
    """``actor=None`` is the system (a command run by the operator); see ``grantable_roles`` for people."""
    return actor is None or role in grantable_roles(actor, region)


def _person_acting(actor: Actor):
    """The person to name as granter or revoker: nobody for the system."""
    return actor if actor is not None and actor.is_authenticated else None


def _role_held() -> Refused:
    return Refused(_("This person already holds this role here."), "role_held")


def assign_role(
    *,
    actor: Actor,
    person,
    role: str,
    region: Region,
    unit: Unit | None = None,
    expertise: str = "",
    title: str = "",
) -> RoleAssignment:
    try:
        role = Role(role)
    except ValueError:
        raise Refused(_("Unknown role."), "unknown_role", field="role") from None
    if not _may_grant(actor, role, region):
        raise Refused(_("You may not give this role at this place."), Refused.FORBIDDEN)
    if region.level not in LEVELS[role]:
        levels = "、".join(str(Level(level).label) for level in sorted(LEVELS[role]))
        raise Refused(
            _("This role is held at a %(levels)s, not at a %(level)s.")
            % {"levels": levels, "level": region.get_level_display()},
            "wrong_level",
            field="region",
        )
    if role == Role.UNIT_STAFF and unit is None:
        raise Refused(_("Unit staff must belong to a responsible unit."), "unit_required", field="unit")
    if role != Role.UNIT_STAFF:
        unit = None
    if role == Role.EXPERT and expertise not in Expertise.values:
        raise Refused(
            _("An expert needs a field: law or social management."), "expertise_required", field="expertise"
        )
    if role != Role.EXPERT:
        expertise = ""
    with transaction.atomic():
        if RoleAssignment.objects.active().filter(person=person, role=role, region=region).exists():
            raise _role_held()
        try:
            # Two grants at once both pass the check above; the constraint stops the second.
            with transaction.atomic():
                assignment = RoleAssignment.objects.create(
                    person=person,
                    role=role,
                    region=region,
                    unit=unit,
                    expertise=expertise,
                    title=title.strip()[:50],
                    granted_by=_person_acting(actor),
                )
        except IntegrityError:
            raise _role_held() from None
        record(
            actor=actor,
            action=Action.ACCESS_ASSIGN_ROLE,
            target=assignment,
            data={"person": person.pk, "role": role.value, "region": region.pk, "unit": unit and unit.pk},
        )
    forget_roles(person)
    if actor is not None and actor.pk == person.pk:
        forget_roles(actor)
    return assignment


def revoke_role(*, actor: Actor, assignment: RoleAssignment) -> RoleAssignment:
    if not _may_grant(actor, Role(assignment.role), assignment.region):
        raise Refused(_("You may not take away this role."), Refused.FORBIDDEN)
    person = assignment.person  # the object the caller may hold; refresh_from_db() would drop it
    with transaction.atomic():
        updated = RoleAssignment.objects.filter(pk=assignment.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=_person_acting(actor)
        )
        if not updated:
            raise Refused(_("This role has already been taken away."), "already_revoked")
        assignment.refresh_from_db()
        record(
            actor=actor, action=Action.ACCESS_REVOKE_ROLE, target=assignment, data={"role": assignment.role}
        )
    forget_roles(person)
    if actor is not None and actor.pk == person.pk:
        forget_roles(actor)
    return assignment


def log_refused(attempts, *, address: str, path: str) -> list[RefusedAttempt]:
    """Write the authority refusals one request met to the security log (after its answer: the refused
    change itself was rolled back)."""
    return RefusedAttempt.objects.bulk_create(
        RefusedAttempt(
            person_id=a.person_id,
            action=a.action[:100],
            target=a.target[:100],
            region_id=a.region_id,
            address=address[:45],
            path=path[:200],
        )
        for a in attempts
    )
