"""The bureau's figures for any region and period: the one public interface of the stats app.

Pages, charts, exports and the API read figures only through the functions here:

    period = Period.from_params(request.GET)          # ?year=2026  ?year=2026&quarter=4  ?year=2026&month=3
                                                      # ?from=2026-01&to=2026-06  (whole months)
    figures(region, period)       -> Figures          # the headline numbers
    headline(region, period)      -> Figures          # raised, resolved, meetings held, ratings only
    trend(region, period)         -> list[MonthRow]   # one row per month of the period
    by_category(region, period)   -> list[DimensionRow]
    by_channel(region, period)    -> list[DimensionRow]
    subregions(region, period)    -> list[SubregionRow]   # one row per child region
    silent_communities(region, as_of) -> list[Region]     # no consultation in the three months up to as_of

Periods are whole months in the site's time zone: the roll-ups keep one counter per region and month, so a
city's year is read from a few hundred small rows whatever the number of matters. Each figure counts the events
that happened in the period in the region or below it:

- meetings held: meetings in the status "held" that started in the period, by form and by platform;
- matters raised (by raising time), accepted (when their procedure started), referred, declined, merged,
  withdrawn, resolved and closed unresolved (by closing time); open = raised up to the end of the period and
  not closed by then;
- durations: raising to resolution (resolved matters, by resolution month) and each step (from entering the
  step to completing it, by completion month) as the median and 90th percentile. They come from fixed
  buckets (``DURATION_BUCKETS``): a percentile is the upper edge of the bucket holding the nearest-rank value,
  so it is exact to the hour below a day, to the day below 60 days, to the week below 26 weeks, to 30 days
  below two years; beyond that it reads "over 730 days" (``None`` upper edge shown as ``math.inf``);
- tasks due in the period: done on time, done late, overdue (still open after their due date, as of today),
  not yet due;
- satisfaction: residents' ratings (1–5) of results given in the period;
- participants: distinct people who raised or supported a matter, signed in at a meeting or took part in a
  vote in the period;
- compliance: of the matters that finished their procedure in the period (resolved or closed unresolved), the
  share with no deviation (``procedures.queries.deviations``), and the deviations by kind;
- silent communities: communities and villages with no meeting held and no consultation session recorded in
  the three months before ``as_of``.
"""

from datetime import date

from django.utils import timezone

from yishi.regions.models import Region

from . import readers, rollups
from .shapes import (
    DURATION_BUCKETS,
    OVERFLOW_BUCKET,
    DimensionRow,
    Figures,
    MonthRow,
    Percentiles,
    Period,
    SubregionRow,
    add_months,
    bucket_days,
    bucket_of,
    dimension_labels,
    short_procedures,
    silence_as_of,
    silent_since,
    window_bounds,
)

__all__ = [
    "DURATION_BUCKETS",
    "OVERFLOW_BUCKET",
    "DimensionRow",
    "Figures",
    "MonthRow",
    "Percentiles",
    "Period",
    "SubregionRow",
    "add_months",
    "bucket_days",
    "bucket_of",
    "by_category",
    "by_channel",
    "dimension_labels",
    "figures",
    "headline",
    "short_procedures",
    "silence_as_of",
    "silent_communities",
    "silent_since",
    "subregions",
    "trend",
    "window_bounds",
]


# --- the functions ----------------------------------------------------------------------------------------


def figures(region: Region, period: Period, *, today: date | None = None) -> Figures:
    return readers.figures(region, period, today=today)


# The counters the public headline shows: "meet" and "raised" read their by-form and by-category rows too,
# which the headline leaves aside.
HEADLINE_DIMS = ("raised", "closed:resolved", "meet", "sat:")


def headline(region: Region, period: Period) -> Figures:
    """The public headline of ``figures(region, period)``: matters raised and resolved, meetings held and the
    ratings, as ``figures`` gives them, from one grouped read of the period's counters. Every other figure is
    left at zero (nothing open, no participants, no communities counted): read them through ``figures``."""
    first, last = rollups.month_of(period.start), rollups.month_of(period.end)
    f = Figures(region=region, period=period)
    rows = readers._totals([region.pk], first, last, HEADLINE_DIMS).get(region.pk, {})
    readers._figures_from(f, rows, {}, timezone.localdate())
    return f


def trend(region: Region, period: Period) -> list[MonthRow]:
    return readers.trend(region, period)


def by_category(region: Region, period: Period) -> list[DimensionRow]:
    return readers.by_dimension(region, period, "category")


def by_channel(region: Region, period: Period) -> list[DimensionRow]:
    return readers.by_dimension(region, period, "channel")


def subregions(region: Region, period: Period, *, today: date | None = None) -> list[SubregionRow]:
    return readers.subregions(region, period, today=today)


def silent_communities(region: Region, as_of: date | None = None) -> list[Region]:
    return readers.silent_communities(region, as_of or timezone.localdate())
