"""Finding a person by their mobile number: the one way staff name a resident they add to something.

A lookup by number tells whoever makes it whether the number is registered. So the caller's authority for
what they are doing is checked first, and a number nobody registered and one whose account is closed get the
same answer, in the same words with the same code: no page or endpoint can be used to learn who is
registered.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.errors import Refused

from .actors import Actor
from .models import Person
from .phones import normalize_phone


def person_by_phone(
    actor: Actor, raw_phone: str, *, action: str, target, field: str = "phone", unknown=None
) -> Person:
    """The active person registered with ``raw_phone``, for ``actor`` about to take ``action`` on ``target``.

    ``field`` names the input the refusal is about; ``unknown`` replaces the words for a number that gives no
    one (a page with another way to name the resident says so)."""
    require(actor, action, target)
    try:
        phone = normalize_phone(raw_phone)
    except ValidationError:
        raise Refused(_("This is not a mainland mobile number."), "invalid_phone", field=field) from None
    person = Person.objects.filter(phone=phone, is_active=True).first()
    if person is None:
        raise Refused(
            unknown or _("No resident is registered with this number."), "unknown_person", field=field
        )
    return person
