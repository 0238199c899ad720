"""Money and cost sharing (费用分摊) as pure arithmetic: no database, no floats.

Amounts are ``Decimal`` with two places (yuan and fen) at the edges and integer fen inside. Every way of
sharing returns integer fen per household, and where a total is shared its parts add up to it exactly:
the fen left over after rounding down go one each to the households with the largest remainders, ties to
the earlier household in the order given (the roster order: building, entrance, room), so the same roster
always gets the same charges.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from yishi.errors import Refused

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal(
    "100000000"
)  # one hundred million yuan: far above any compound's fee, far below the column


def to_fen(amount: Decimal) -> int:
    """Exact fen of an amount that has at most two places."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def parse_amount(value, *, field: str = "amount", allow_zero: bool = False, places: int = 2) -> Decimal:
    """A user-entered amount as a Decimal, or ``Refused`` with the reason. Floats are a programming error."""
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a str, int or Decimal")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Refused(_("Enter an amount."), "amount_required", field=field)
    try:
        text = str(value).strip().replace(",", "").replace("，", "")
        if text.startswith(("¥", "￥")):
            text = text[1:].strip()
        amount = Decimal(text)
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise Refused(
            _("The amount must be a number, such as 150 or 150.50."), "invalid_amount", field=field
        ) from None
    quantum = Decimal(1).scaleb(-places)
    if amount != amount.quantize(quantum, rounding=ROUND_HALF_UP):
        if places == 2:
            message = _("An amount has at most two decimal places (fen).")
        else:
            message = _("A rate has at most four decimal places.")
        raise Refused(message, "too_many_places", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        message = (
            _("The amount cannot be negative.") if allow_zero else _("The amount must be more than zero.")
        )
        raise Refused(message, "amount_not_positive", field=field)
    if amount >= MAX_AMOUNT:
        raise Refused(_("The amount is too large."), "amount_too_large", field=field)
    return amount.quantize(quantum)


def split(total_fen: int, weights: Sequence[int]) -> list[int]:
    """Share ``total_fen`` in proportion to ``weights`` (largest remainder): the parts add up to the total.

    Each part is within one fen of its exact share. Leftover fen go to the largest remainders; ties to the
    earlier position. All weights zero (or no weights) is an error: there is nobody to share with.
    """
    if total_fen < 0 or any(w < 0 for w in weights):
        raise ValueError("totals and weights are never negative")
    whole = sum(weights)
    if whole == 0:
        raise ValueError("nothing to share among")
    parts = []
    remainders = []
    for position, weight in enumerate(weights):
        part, remainder = divmod(total_fen * weight, whole)
        parts.append(part)
        remainders.append((-remainder, position))
    leftover = total_fen - sum(parts)
    for _remainder, position in sorted(remainders)[:leftover]:
        parts[position] += 1
    return parts


def equal_shares(total: Decimal, count: int) -> list[int]:
    """Equal shares of ``total`` among ``count`` households, in fen; the first ones pay a fen more."""
    return split(to_fen(total), [1] * count)


def by_occupancy(vacancies: Sequence[bool], *, occupied: Decimal, vacant: Decimal) -> list[int]:
    """A fixed amount per household by occupancy (S2: 150.00 a year occupied, 100.00 vacant), in fen."""
    occupied_fen, vacant_fen = to_fen(occupied), to_fen(vacant)
    return [vacant_fen if is_vacant else occupied_fen for is_vacant in vacancies]


def area_total(areas: Sequence[Decimal], rate: Decimal) -> int:
    """What the whole compound owes at ``rate`` per m²: the total area times the rate, rounded half up to fen."""
    return int((sum(areas, Decimal(0)) * rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def by_area(areas: Sequence[Decimal], rate: Decimal) -> list[int]:
    """Shares at ``rate`` yuan per m², in fen, adding up exactly to ``area_total``.

    Rounding each household's area × rate on its own would make the charges add up to a few fen more or
    less than the total a notice announces; here the total is shared in proportion to area instead, so each
    household pays within one fen of its own area × rate and the sum is the announced total.
    """
    weights = [to_fen(area) for area in areas]  # m² with two places, as integers (hundredths of a m²)
    return split(area_total(areas, rate), weights)
