"""Phone numbers and ID numbers: validation and masking; names: masking (个人信息保护法; the masking format is
ours)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ASCII digits only: Python's \d also matches full-width and other scripts' digits, which would be
# stored as a different number and never match the one the SMS gateway or a login uses.
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes and a +86 / 0086 prefix; return the 11 digits or raise ValidationError.

    Full-width digits (typed with a Chinese input method) are read as the ASCII digits they look like.
    """
    phone = unicodedata.normalize("NFKC", raw or "")
    phone = re.sub(r"[\s\-]", "", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not MOBILE_RE.fullmatch(phone):
        raise ValidationError(
            _("%(value)s is not a mainland mobile number (11 digits starting with 1)."),
            code="invalid_phone",
            params={"value": raw},
        )
    return phone


def mask_phone(phone: str | None) -> str:
    """138****5678; anything too short to mask that way is hidden whole."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(id_number: str | None) -> str:
    """The first 6 and the last 4 characters; anything too short to mask that way is hidden whole."""
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"


def mask_name(name: str | None) -> str:
    """The first character and a star for each other one: 刘桂兰 → 刘**. The one rule for a resident's name
    wherever the public reads it (a matter's submitter, a commenter, an objector on the board)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    return name[0] + "*" * (len(name) - 1)
