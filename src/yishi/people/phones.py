"""Phone numbers and ID numbers: validation and masking (个人信息保护法; the masking format is ours)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes and a +86 prefix; return the 11 digits or raise ValidationError."""
    phone = re.sub(r"[\s\-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not MOBILE_RE.match(phone):
        raise ValidationError(
            _("%(value)s is not a mainland mobile number (11 digits starting with 1)."),
            code="invalid_phone",
            params={"value": raw},
        )
    return phone


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(id_number: str | None) -> str:
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"
