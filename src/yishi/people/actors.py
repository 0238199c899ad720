"""Who takes an action: a signed-in person, an anonymous visitor (refused, or reading what is public), or
nobody — the system itself (a scheduled reminder, an import's own bookkeeping)."""

from typing import TYPE_CHECKING, TypeAlias

from django.utils.translation import gettext_lazy as _

from yishi.errors import Refused

from .models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Actor: TypeAlias = "Person | AnonymousUser | None"


def acting_person(actor: Actor) -> Person | None:
    """The person acting, or None for an anonymous visitor or the system (what a nullable "by" column keeps)."""
    return actor if isinstance(actor, Person) and actor.is_authenticated else None


def person_of(actor: Actor) -> Person:
    """The person behind an action the service's guard has let through: only a signed-in person gets past one,
    so this refuses only where a guard was forgotten."""
    person = acting_person(actor)
    if person is None:
        raise Refused(_("Log in first."), Refused.FORBIDDEN)
    return person
