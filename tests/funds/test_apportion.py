"""Cost-sharing arithmetic, without a database: exact, deterministic, never a float."""

from decimal import Decimal

import pytest

from yishi.errors import Refused
from yishi.funds.apportion import (
    area_total,
    by_area,
    by_occupancy,
    equal_shares,
    from_fen,
    parse_amount,
    split,
    to_fen,
)


def test_story_s2_180_occupied_and_20_vacant_households_give_29000_yuan_a_year():
    fen = by_occupancy([False] * 180 + [True] * 20, occupied=Decimal("150.00"), vacant=Decimal("100.00"))
    assert fen.count(15000) == 180 and fen.count(10000) == 20
    assert from_fen(sum(fen)) == Decimal("29000.00")


def test_equal_shares_of_1000_among_3_add_up_to_exactly_1000():
    fen = equal_shares(Decimal("1000.00"), 3)
    assert fen == [33334, 33333, 33333]  # the leftover fen goes to the first household in the roster
    assert from_fen(sum(fen)) == Decimal("1000.00")


@pytest.mark.parametrize("count", [1, 2, 3, 7, 13, 199, 200, 201])
@pytest.mark.parametrize("total", ["0.01", "1.00", "999.99", "1000.00", "12345.67"])
def test_equal_shares_always_add_up_and_differ_by_at_most_one_fen(total, count):
    fen = equal_shares(Decimal(total), count)
    assert sum(fen) == to_fen(Decimal(total))
    assert max(fen) - min(fen) <= 1
    assert fen == sorted(fen, reverse=True)  # the extra fen go to the earliest households, not at random


def test_sharing_is_deterministic_and_a_tie_goes_to_the_earlier_household():
    # The first and the fourth household have the same area: 21192.48 fen each.
    weights = [8925, 6013, 11250, 8925, 7001]
    assert split(100_000, weights) == [21193, 14278, 26713, 21192, 16624]
    assert split(100_000, list(weights)) == split(100_000, weights)


def test_by_area_rounding_adds_up_exactly_to_the_announced_total():
    areas = [Decimal(a) for a in ("89.25", "60.13", "112.50", "89.25", "70.01", "45.67", "101.09")]
    rate = Decimal("1.2345")
    fen = by_area(areas, rate)
    total = area_total(areas, rate)
    assert sum(fen) == total == 70107  # 567.90 m² × 1.2345 = 701.07255 → 701.07 yuan
    # Each household pays within one fen of its own area × rate.
    for area, share in zip(areas, fen, strict=True):
        assert abs(Decimal(share) - area * rate * 100) < 1
    # Rounding each household on its own would not add up here: that is why the total is shared instead.
    rounded_one_by_one = sum(
        int((a * rate * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP")) for a in areas
    )
    assert rounded_one_by_one != total


def test_equal_areas_pay_equal_amounts_but_for_a_leftover_fen():
    fen = by_area([Decimal("50.00")] * 3, Decimal("0.3333"))
    assert sum(fen) == area_total([Decimal("50.00")] * 3, Decimal("0.3333")) == 5000
    assert fen == [1667, 1667, 1666]


def test_largest_remainders_get_the_leftover_fen():
    # 100 fen over weights 1, 1, 1, 3 → 16.67, 16.67, 16.67, 50: the three 0.67 remainders get one fen each.
    assert split(100, [1, 1, 1, 3]) == [17, 17, 16, 50]
    assert split(100, [3, 1, 1, 1]) == [50, 17, 17, 16]


def test_nothing_to_share_among_is_an_error():
    with pytest.raises(ValueError):
        split(100, [])
    with pytest.raises(ValueError):
        split(100, [0, 0])
    with pytest.raises(ValueError):
        split(-1, [1])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("150", "150.00"),
        ("150.5", "150.50"),
        (" 1,000.00 ", "1000.00"),
        ("¥29000", "29000.00"),
        (150, "150.00"),
        (Decimal("0.01"), "0.01"),
    ],
)
def test_amounts_are_read_as_exact_decimals(raw, expected):
    amount = parse_amount(raw)
    assert amount == Decimal(expected) and str(amount) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "amount_required"),
        (None, "amount_required"),
        ("abc", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("1.005", "too_many_places"),
        ("0", "amount_not_positive"),
        ("-5", "amount_not_positive"),
        ("100000000", "amount_too_large"),
        ("Infinity", "invalid_amount"),
    ],
)
def test_a_bad_amount_is_refused_with_its_reason(raw, code):
    with pytest.raises(Refused) as info:
        parse_amount(raw)
    assert info.value.code == code


def test_zero_is_allowed_where_asked_and_a_rate_may_have_four_places():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    assert parse_amount("1.2345", places=4) == Decimal("1.2345")
    with pytest.raises(Refused):
        parse_amount("1.23456", places=4)


def test_a_float_is_a_programming_error_not_an_amount():
    with pytest.raises(TypeError):
        parse_amount(150.0)


def test_fen_and_yuan_convert_exactly():
    assert to_fen(Decimal("29000.00")) == 2_900_000
    assert from_fen(1) == Decimal("0.01")
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))
