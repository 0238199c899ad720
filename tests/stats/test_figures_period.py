"""Periods: whole months, read from GET parameters, every bad input refused with its field."""

from datetime import date

import pytest

from yishi.errors import Refused
from yishi.stats.figures import Period, bucket_days, bucket_of, silent_since


def test_year_quarter_month():
    assert Period.year(2026) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert Period.quarter(2026, 4) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert Period.month(2024, 2) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert len(Period.year(2026).months()) == 12


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "2026"}, Period.year(2026)),
        ({"year": "2026", "quarter": "4"}, Period.quarter(2026, 4)),
        ({"year": "2026", "month": "3"}, Period.month(2026, 3)),
        ({"from": "2025-11", "to": "2026-02"}, Period(date(2025, 11, 1), date(2026, 2, 28))),
        ({"from": "2025-11-15", "to": "2026-02-03"}, Period(date(2025, 11, 1), date(2026, 2, 28))),
        ({}, Period.year(2031)),
    ],
)
def test_from_params(params, expected):
    period = Period.from_params(params, today=date(2031, 5, 6))
    assert period == expected
    assert Period.from_params(period.params()) == period


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1850"}, "year"),
        ({"year": "2026", "quarter": "5"}, "quarter"),
        ({"year": "2026", "month": "13"}, "month"),
        ({"year": "2026", "month": "1", "quarter": "1"}, "month"),
        ({"quarter": "1"}, "year"),
        ({"from": "2026-01"}, "to"),
        ({"to": "2026-01"}, "from"),
        ({"from": "2026/01", "to": "2026-02"}, "from"),
        ({"from": "2026-03", "to": "2026-02"}, "to"),
        ({"from": "2026-01", "to": "2026-02", "year": "2026"}, "from"),
    ],
)
def test_bad_params_are_refused_with_the_field(params, field):
    with pytest.raises(Refused) as caught:
        Period.from_params(params)
    assert caught.value.code == "invalid_period"
    assert caught.value.field == field


def test_a_period_is_whole_months():
    with pytest.raises(ValueError):
        Period(date(2026, 1, 2), date(2026, 1, 31))


def test_buckets_are_monotone_and_their_resolution_is_as_documented():
    assert bucket_days(bucket_of(0.5)) == pytest.approx(1 / 24)
    assert bucket_days(bucket_of(30 * 24 - 1)) == 30  # to the day below 60 days
    assert bucket_days(bucket_of(61 * 24)) == 63  # to the week beyond
    assert bucket_days(bucket_of(10_000 * 24)) == float("inf")
    edges = [bucket_of(h / 3) for h in range(0, 24 * 800 * 3, 97)]
    assert edges == sorted(edges)


def test_silence_window_is_three_months():
    assert silent_since(date(2026, 5, 31)) == date(2026, 2, 28)
    assert silent_since(date(2026, 4, 15)) == date(2026, 1, 15)
