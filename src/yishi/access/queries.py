"""Reads about authority: who may do what where, as a yes/no and as its queryset twin."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from yishi.people.actors import Actor
from yishi.regions.models import Region, within

from .models import RoleAssignment
from .roles import Role, roles_for

_CACHE_ATTR = "_yishi_roles"


def active_roles(user) -> list[RoleAssignment]:
    """The user's active roles with their regions, read once per user object (one request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(RoleAssignment.objects.active().filter(person=user).select_related("region", "unit"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _is_system_admin(user) -> bool:
    # Django's superuser is the system administrator: Django itself grants it every permission.
    return user is not None and user.is_authenticated and user.is_active and user.is_superuser


def region_of(target) -> Region | None:
    """The region an object belongs to: a region itself, or anything with a ``scope_region`` or ``region``."""
    if isinstance(target, Region):
        return target
    for attr in ("scope_region", "region"):
        region = getattr(target, attr, None)
        if isinstance(region, Region):
            return region
    return None


def holding_roles(user, action: str, roles=None) -> list[RoleAssignment]:
    allowed = roles_for(action) if roles is None else roles
    return [a for a in active_roles(user) if a.role in allowed]


def can(user, action: str, target) -> bool:
    """May ``user`` take ``action`` on ``target``? True when a role allowing it is held at or above it."""
    roles_for(action)  # an unknown action is a bug, for the system administrator too
    region = region_of(target)
    if region is None:
        return False
    if _is_system_admin(user):
        return True
    return any(a.region.contains(region) for a in holding_roles(user, action))


def regions_where(user, action: str):
    """The queryset twin of ``can``: every region where ``user`` may take ``action``."""
    roles_for(action)
    if _is_system_admin(user):
        return Region.objects.all()
    q = Q()
    for assignment in holding_roles(user, action):
        q |= within(assignment.region)
    if not q:
        return Region.objects.none()
    return Region.objects.filter(q)


def may_see_contact(viewer, person) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk == person.pk:
        return True
    scopes = holding_roles(viewer, "people.view_contact")
    if not scopes:
        return False
    q = Q()
    for assignment in scopes:
        q |= within(assignment.region)
    lives_or_serves = Region.objects.filter(q).filter(
        Q(households__memberships__person=person) | Q(roles__person=person, roles__revoked_at__isnull=True)
    )
    return lives_or_serves.exists()


def grantable_roles(user, region: Region) -> set[Role]:
    """Roles ``user`` may hand out at ``region``: all of them for the system administrator."""
    from .roles import GRANTABLE

    if _is_system_admin(user):
        return set(Role)
    granted: set[Role] = set()
    for assignment in holding_roles(user, "access.assign_roles"):
        if assignment.region.contains(region):
            granted |= GRANTABLE.get(Role(assignment.role), frozenset())
    return granted


def authority(actor: Actor, action: str, target):
    """``require`` as a predicate: the refusal when ``actor`` may not take ``action`` on ``target``, else None.
    ``None`` is the system (command line)."""
    from django.utils.translation import gettext_lazy as _

    from yishi.errors import Refused

    if actor is None or can(actor, action, target):
        return None
    refusal = Refused(_("You do not have the authority to do this here."), Refused.FORBIDDEN)
    region = region_of(target)
    refusal.attempt = Attempt(  # type: ignore[attr-defined]
        person_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target=f"{target._meta.label_lower}:{target.pk}" if hasattr(target, "_meta") else str(target)[:100],
        region_id=region.pk if region is not None else None,
    )
    return refusal


@dataclass(frozen=True)
class Attempt:
    """An action refused for want of authority: who, what, on which object, where."""

    person_id: int | None
    action: str
    target: str
    region_id: int | None


# The security log's alarm: this many refused attempts by one person (or one address) within the window.
ALARM_ATTEMPTS = 20
ALARM_WINDOW = datetime.timedelta(minutes=10)


def refused_recently(*, person_id: int | None, address: str, since) -> int:
    from .models import RefusedAttempt

    mine = RefusedAttempt.objects.filter(at__gte=since)
    return (mine.filter(person_id=person_id) if person_id else mine.filter(address=address)).count()


def require(actor: Actor, action: str, target) -> None:
    """Refuse unless ``actor`` may take ``action`` on ``target``. ``None`` is the system (command line)."""
    from yishi.errors import enforce

    enforce(authority(actor, action, target))
