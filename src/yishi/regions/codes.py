"""Official division codes (统计用区划代码): 2 digits province, 2 city, 2 county, 3 township, 3 village."""

import re

from django.utils.translation import gettext_lazy as _

from .models import Level

# How many leading digits identify a region at each level; the rest of its code is zeros.
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}


class CodeError(ValueError):
    pass


def normalize_code(raw, level: int) -> str | None:
    """The 12-digit code, padding a short official form (130903 → 130903000000); None when blank."""
    text = str(raw or "").strip()
    if text.endswith(".0"):  # Excel gives numbers as floats
        text = text[:-2]
    if not text:
        return None
    if level not in PREFIX_LENGTH:
        raise CodeError(_("Compounds and buildings have no division code."))
    if not re.fullmatch(r"[0-9]{2,12}", text):
        raise CodeError(_("A division code has up to 12 digits."))
    code = text.ljust(12, "0")
    if code[PREFIX_LENGTH[level] :].strip("0"):
        raise CodeError(
            _("The code %(code)s does not fit a %(level)s (only its first %(n)s digits may be non-zero).")
            % {"code": code, "level": Level(level).label, "n": PREFIX_LENGTH[level]}
        )
    return code


def code_belongs_under(code: str, parent_code: str | None, parent_level: int) -> bool:
    if not parent_code or parent_level not in PREFIX_LENGTH:
        return True
    n = PREFIX_LENGTH[parent_level]
    return code[:n] == parent_code[:n]
