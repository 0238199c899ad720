"""What the figures are counted in and come as: whole-month periods, the duration buckets, the result rows,
and the few definitions the roll-ups, their SQL rebuild and the plain GROUP BY all share.

Pages and the API read these through ``figures``, the stats app's one public interface (its notes define
every figure); the counting modules import them from here, so that ``figures`` may import the roll-ups.
"""

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.errors import Refused
from yishi.matters.models import Category, Channel
from yishi.procedures import definitions
from yishi.regions.models import Region

# Upper edges of the duration buckets, in hours. A duration d falls in the first bucket whose edge is >= d;
# longer than the last edge falls in the overflow bucket (index len(DURATION_BUCKETS)).
DURATION_BUCKETS: tuple[float, ...] = (
    tuple(float(h) for h in range(1, 24))  # hours below a day
    + tuple(24.0 * d for d in range(1, 61))  # days below 60 days
    + tuple(24.0 * 7 * w for w in range(9, 27))  # weeks to 26 weeks
    + tuple(24.0 * 30 * m for m in range(7, 25))  # 30-day months to two years (720 days)
    + (24.0 * 730,)
)
OVERFLOW_BUCKET = len(DURATION_BUCKETS)

SILENT_MONTHS = 3


def bucket_of(hours: float) -> int:
    """The bucket index of a duration in hours (binary search over the fixed edges)."""
    lo, hi = 0, len(DURATION_BUCKETS)
    while lo < hi:
        mid = (lo + hi) // 2
        if DURATION_BUCKETS[mid] >= hours:
            hi = mid
        else:
            lo = mid + 1
    return lo


def bucket_days(index: int) -> float:
    """The upper edge of a bucket in days (``math.inf`` for the overflow bucket)."""
    return DURATION_BUCKETS[index] / 24 if index < OVERFLOW_BUCKET else math.inf


# --- periods ----------------------------------------------------------------------------------------------


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, n: int) -> date:
    """The first of the month ``n`` months after ``d``'s month."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    """Whole months, ``start`` (the first of a month) to ``end`` (the last day of a month), both included."""

    start: date
    end: date

    def __post_init__(self):
        if self.start.day != 1 or self.end != _month_end(self.end):
            raise ValueError("a period runs from the first of a month to the last day of a month")
        if self.end < self.start:
            raise ValueError("a period ends after it starts")

    @classmethod
    def year(cls, year: int) -> "Period":
        _check_year(year)
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        _check_year(year)
        if quarter not in (1, 2, 3, 4):
            raise Refused(_("The quarter must be 1, 2, 3 or 4."), "invalid_period", field="quarter")
        first = date(year, 3 * quarter - 2, 1)
        return cls(first, _month_end(add_months(first, 2)))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        _check_year(year)
        if not 1 <= month <= 12:
            raise Refused(_("The month must be between 1 and 12."), "invalid_period", field="month")
        first = date(year, month, 1)
        return cls(first, _month_end(first))

    @classmethod
    def months_between(cls, first: date, last: date) -> "Period":
        """From ``first``'s month to ``last``'s month, both whole."""
        if last < first:
            raise Refused(_("The period must end after it starts."), "invalid_period", field="to")
        return cls(_month_start(first), _month_end(last))

    @classmethod
    def current_year(cls, today: date | None = None) -> "Period":
        return cls.year((today or timezone.localdate()).year)

    @classmethod
    def from_params(cls, params: Mapping, *, today: date | None = None) -> "Period":
        """Read a period from GET parameters: ``year`` with optional ``quarter`` or ``month``, or ``from`` and
        ``to`` as months (``2026-01``; a full date is read as its month). Nothing given: this year.
        Raises ``Refused`` (code ``invalid_period``, with the field) on anything else."""
        get = params.get
        start, end = (get("from") or "").strip(), (get("to") or "").strip()
        year, quarter, month = (
            (get("year") or "").strip(),
            (get("quarter") or "").strip(),
            (get("month") or "").strip(),
        )
        if start or end:
            if year or quarter or month:
                raise Refused(
                    _("Give either a year or a from–to range, not both."), "invalid_period", field="from"
                )
            if not (start and end):
                raise Refused(
                    _("Give both the first and the last month."),
                    "invalid_period",
                    field="to" if start else "from",
                )
            return cls.months_between(_parse_month(start, "from"), _parse_month(end, "to"))
        if not year:
            if quarter or month:
                raise Refused(_("Give the year too."), "invalid_period", field="year")
            return cls.current_year(today)
        y = _parse_int(year, "year")
        if quarter and month:
            raise Refused(_("Give a quarter or a month, not both."), "invalid_period", field="month")
        if quarter:
            return cls.quarter(y, _parse_int(quarter, "quarter"))
        if month:
            return cls.month(y, _parse_int(month, "month"))
        return cls.year(y)

    def months(self) -> list[date]:
        """The first day of each month in the period."""
        out, d = [], self.start
        while d <= self.end:
            out.append(d)
            d = add_months(d, 1)
        return out

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the site's time zone: [start, end)."""
        tz = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def params(self) -> dict[str, str]:
        """GET parameters that give this period back through ``from_params``."""
        if self.start.month == 1 and self.end == date(self.start.year, 12, 31):
            return {"year": str(self.start.year)}
        if self.start.year == self.end.year and self.start.month == self.end.month:
            return {"year": str(self.start.year), "month": str(self.start.month)}
        if (
            self.start.year == self.end.year
            and self.start.month % 3 == 1
            and self.end.month == self.start.month + 2
        ):
            return {"year": str(self.start.year), "quarter": str(self.start.month // 3 + 1)}
        return {"from": self.start.strftime("%Y-%m"), "to": self.end.strftime("%Y-%m")}

    @property
    def label(self) -> str:
        p = self.params()
        if "quarter" in p:
            return str(_("Q%(quarter)s %(year)s") % {"quarter": p["quarter"], "year": p["year"]})
        if "month" in p:
            return self.start.strftime("%Y-%m")
        if "year" in p:
            return p["year"]
        return f"{self.start:%Y-%m} – {self.end:%Y-%m}"

    def __str__(self) -> str:
        return self.label


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Refused(
            _("The year must be between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            "invalid_period",
            field="year",
        )


def _parse_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Refused(
            _("“%(value)s” is not a number.") % {"value": value[:20]}, "invalid_period", field=name
        ) from None


def _parse_month(value: str, name: str) -> date:
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar month, no time of day
        except ValueError:
            continue
        _check_year(parsed.year)
        return parsed
    raise Refused(_("Write the month as YYYY-MM, e.g. 2026-03."), "invalid_period", field=name)


# --- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Percentiles:
    """Median and 90th percentile in days (bucket upper edges, see the module notes); ``count`` durations."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass
class Figures:
    region: Region
    period: Period
    meetings_held: int = 0
    meetings_by_form: dict[str, int] = field(default_factory=dict)
    meetings_by_platform: dict[str, int] = field(default_factory=dict)
    raised: int = 0
    accepted: int = 0
    referred: int = 0
    declined: int = 0
    merged: int = 0
    withdrawn: int = 0
    resolved: int = 0
    unresolved: int = 0
    open: int = 0  # at the end of the period
    resolution: Percentiles = field(default_factory=Percentiles)
    steps: dict[str, Percentiles] = field(default_factory=dict)  # by step key
    tasks_due: int = 0
    tasks_on_time: int = 0
    tasks_late: int = 0
    tasks_overdue: int = 0
    tasks_not_yet_due: int = 0
    ratings: dict[int, int] = field(default_factory=dict)  # rating 1–5 → how many
    participants: int = 0
    finished: int = 0  # matters that finished their procedure in the period
    followed: int = 0  # of those, the ones with no deviation
    deviations: dict[str, int] = field(default_factory=dict)  # kind → how many deviations
    communities: int = 0  # communities and villages in the region
    silent: int = 0  # of those, with no consultation in the three months before the period's end (or today)

    @property
    def rating_count(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction(self) -> float | None:
        """The mean rating, or None when nobody rated."""
        n = self.rating_count
        return round(sum(r * c for r, c in self.ratings.items()) / n, 2) if n else None

    @property
    def compliance(self) -> float | None:
        """The share (0–1) of finished matters that followed their procedure; None when none finished."""
        return round(self.followed / self.finished, 4) if self.finished else None


@dataclass
class MonthRow:
    month: date  # the first of the month
    raised: int = 0
    accepted: int = 0
    resolved: int = 0
    closed: int = 0  # every way of closing, resolved included
    meetings: int = 0
    open: int = 0  # at the end of the month


@dataclass
class DimensionRow:
    """One category or channel: ``key`` (category key or channel value) and its label."""

    key: str
    label: str
    raised: int = 0
    resolved: int = 0
    open: int = 0  # at the end of the period


@dataclass
class SubregionRow:
    region: Region
    meetings_held: int = 0
    raised: int = 0
    resolved: int = 0
    open: int = 0
    tasks_overdue: int = 0
    resolution_median: float | None = None
    satisfaction: float | None = None
    compliance: float | None = None
    participants: int = 0
    communities: int = 0
    silent: int = 0


def silent_since(as_of: date) -> date:
    """The first day of the window in which a community must have consulted not to count as silent: the same
    day three months earlier (the month's last day where that month is shorter). The window ends on as_of."""
    first = add_months(as_of, -SILENT_MONTHS)
    return first.replace(day=min(as_of.day, calendar.monthrange(first.year, first.month)[1]))


def window_bounds(as_of: date) -> tuple[datetime, datetime]:
    """The silence window for ``as_of`` as aware datetimes: [since, the day after as_of)."""
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(silent_since(as_of), time.min, tzinfo=tz),
        datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=tz),
    )


def short_procedures() -> list[str]:
    """The procedures that leave out steps of the default (taking one is the "short_path" deviation)."""
    return [
        p.key
        for p in (definitions.EIGHT_STEPS, definitions.FOUR_AND_TWO, definitions.SHORT_PATH)
        if p.needs_reason
    ]


def dimension_labels(dimension: str) -> list[tuple[str, str]]:
    """(key, label) of every category or channel, in display order."""
    if dimension == "category":
        return [(c.key, c.name) for c in Category.objects.order_by("position", "key")]
    if dimension == "channel":
        return [(value, str(label)) for value, label in Channel.choices]
    raise ValueError(f"unknown dimension {dimension!r}")


def silence_as_of(period: Period, today: date | None = None) -> date:
    """The day silence is judged on for a period: its last day, or today while it is still running."""
    today = today or timezone.localdate()
    return min(period.end, today)
