"""The household code printed on a paper survey form (入户调查表), for staff to key in.

A code names one household in one survey: ``<survey>-<household><check>``, both numbers in Crockford's
base 32 (digits and capital letters without I, L, O, U, so nothing reads as something else) and one check
character (Luhn mod 32 over both numbers). Survey 3 and household 1234 give ``3-16JG``; a compound of a few
thousand households keeps the code at five or six characters.

The check character catches every single mistyped character and every swap of two neighbouring ones (but
0 and Z, Luhn's one blind spot), so a typo is refused instead of filing the answers under the neighbour's door. The code is not a secret: it only
saves staff from looking the household up, and only staff with the authority to enter paper forms use it.
Keying a form into the wrong survey is refused too, because the survey's number is part of the code.
"""

import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)
# Crockford's reading rules: what a person may type for what the form shows.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(rf"([{ALPHABET}]+)-([{ALPHABET}]{{2,}})")


class CodeError(ValueError):
    pass


def encode(number: int) -> str:
    if number < 0:
        raise ValueError("only natural numbers have codes")
    digits = ""
    while True:
        number, digit = divmod(number, BASE)
        digits = ALPHABET[digit] + digits
        if number == 0:
            return digits


def decode(text: str) -> int:
    number = 0
    for char in text:
        number = number * BASE + ALPHABET.index(char)
    return number


def check_character(payload: str) -> str:
    """Luhn mod N (N = 32) over ``payload``: the character that makes the whole string check out."""
    total = 0
    factor = 2
    for char in reversed(payload):
        addend = factor * ALPHABET.index(char)
        total += addend // BASE + addend % BASE
        factor = 1 if factor == 2 else 2
    return ALPHABET[-total % BASE]


def household_code(survey_id: int, household_id: int) -> str:
    survey, household = encode(survey_id), encode(household_id)
    return f"{survey}-{household}{check_character(survey + household)}"


def parse_household_code(raw: str) -> tuple[int, int]:
    """The survey and household ids in a code as typed (any case, spaces ignored), or ``CodeError``."""
    text = re.sub(r"\s+", "", str(raw or "")).upper().translate(_READ_AS).replace("—", "-").replace("－", "-")
    match = _SHAPE.fullmatch(text)
    if match is None:
        raise CodeError("not the shape of a household code")
    survey, rest = match.groups()
    household, check = rest[:-1], rest[-1]
    if check_character(survey + household) != check:
        raise CodeError("the check character does not match")
    return decode(survey), decode(household)
