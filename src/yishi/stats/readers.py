"""Reading the roll-ups: the figures, trend, dimensions, subregions and silent communities of a region and a
period. Readers sum counter rows: a region's period costs its months × dimensions, never its matters.
"""

from collections import Counter as Tally
from collections import defaultdict
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from yishi.matters.models import CLOSED_STATUSES, Status
from yishi.regions.models import PATH_WIDTH, Level, Region, within

from .models import Counter, Participant
from .rollups import CONSULT, month_date, month_of
from .shapes import (
    OVERFLOW_BUCKET,
    DimensionRow,
    Figures,
    MonthRow,
    Percentiles,
    Period,
    SubregionRow,
    bucket_days,
    dimension_labels,
    silence_as_of,
    silent_since,
)

# --- reading ----------------------------------------------------------------------------------------------


def _period_months(period: Period) -> tuple[int, int]:
    return month_of(period.start), month_of(period.end)


def _filtered(region_ids, first: int, last: int, prefixes=None):
    qs = Counter.objects.filter(region_id__in=region_ids, month__gte=first, month__lte=last)
    if prefixes:
        cond = Q()
        for p in prefixes:
            cond |= Q(dim__startswith=p)
        qs = qs.filter(cond)
    return qs


def _sums(region_ids, first: int, last: int, prefixes=None) -> dict:
    """{(region, month, dim): n} for the regions and months."""
    return {
        (r, m, d): n
        for r, m, d, n in _filtered(region_ids, first, last, prefixes).values_list(
            "region_id", "month", "dim", "n"
        )
    }


def _totals(region_ids, first: int, last: int, prefixes=None) -> dict[int, dict]:
    """{region: {dim: n summed over the months}}, summed by the database."""
    out: dict[int, dict] = defaultdict(dict)
    rows = (
        _filtered(region_ids, first, last, prefixes)
        .values_list("region_id", "dim")
        .annotate(t=Sum("n"))
        .order_by()
    )
    for region, dim, n in rows:
        out[region][dim] = n
    return out


def _open_before(region_ids, last: int, prefix: str = "open") -> dict:
    """Open matters at the end of month ``last``: the +1/-1 rows up to it, per region and dim. ``prefix`` "open"
    reads the total only; "open.c:" or "open.h:" reads per category or channel."""
    qs = Counter.objects.filter(region_id__in=region_ids, month__lte=last)
    qs = qs.filter(dim="open") if prefix == "open" else qs.filter(dim__startswith=prefix)
    rows = qs.values_list("region_id", "dim").annotate(n=Sum("n")).order_by()
    return {(r, d): n for r, d, n in rows}


def _percentiles(hist: Tally) -> Percentiles:
    n = sum(hist.values())
    if not n:
        return Percentiles()

    def rank(p: int) -> float:
        target, seen = -(-p * n // 100), 0
        for bucket in sorted(hist):
            seen += hist[bucket]
            if seen >= max(target, 1):
                return bucket_days(bucket)
        return bucket_days(OVERFLOW_BUCKET)

    return Percentiles(count=n, median=rank(50), p90=rank(90))


def _participants(region_ids, period: Period) -> dict[int, int]:
    """Distinct people per region: one counter row for a month, quarter or year; the bit masks otherwise."""
    first, last = _period_months(period)
    p = period.params()
    if "year" in p:
        dim = "people.m" if "month" in p else "people.q" if "quarter" in p else "people.y"
        return dict(
            Counter.objects.filter(region_id__in=region_ids, month=first, dim=dim).values_list(
                "region_id", "n"
            )
        )
    people: dict[int, set] = defaultdict(set)
    for year in range(first // 12, last // 12 + 1):
        bits = sum(1 << i for i in range(12) if first <= year * 12 + i <= last)
        rows = (
            Participant.objects.filter(region_id__in=region_ids, year=year)
            .alias(hit=F("mask").bitand(bits))
            .filter(hit__gt=0)
            .values_list("region_id", "person_id")
        )
        for region, person in rows:
            people[region].add(person)
    return {r: len(s) for r, s in people.items()}


def _silence_counts(region: Region, as_of: date, depth: int | None = None) -> tuple[dict, dict]:
    """Communities and active communities under ``region``, grouped by the first ``depth`` path characters."""
    since = silent_since(as_of)
    width = depth or len(region.path)
    communities = dict(
        Region.objects.filter(within(region), level=Level.COMMUNITY)
        .annotate(g=Substr("path", 1, width))
        .values_list("g")
        .annotate(n=Count("id"))
        .order_by()
    )
    active = dict(
        Counter.objects.filter(
            within(region, "region"),
            region__level=Level.COMMUNITY,
            month__gte=month_of(since),
            month__lte=month_of(as_of),
            dim__startswith=CONSULT,
            dim__gte=f"{CONSULT}{since.isoformat()}",
            dim__lte=f"{CONSULT}{as_of.isoformat()}",
            n__gt=0,
        )
        .annotate(g=Substr("region__path", 1, width))
        .values_list("g")
        .annotate(n=Count("region_id", distinct=True))
        .order_by()
    )
    return communities, active


def _figures_from(f: Figures, rows: dict, open_rows: dict, today: date) -> None:
    steps: dict[str, Tally] = defaultdict(Tally)
    res, forms, platforms, ratings, devs = Tally(), Tally(), Tally(), Tally(), Tally()
    closed: Tally = Tally()
    today_key = f"task.open:{today.isoformat()}"
    for dim, n in rows.items():
        if dim == "raised":
            f.raised += n
        elif dim == "accepted":
            f.accepted += n
        elif dim.startswith("closed:"):
            closed[dim[7:]] += n
        elif dim == "meet":
            f.meetings_held += n
        elif dim.startswith("meet.f:"):
            forms[dim[7:]] += n
        elif dim.startswith("meet.p:"):
            platforms[dim[7:]] += n
        elif dim.startswith("res:"):
            res[int(dim[4:])] += n
        elif dim.startswith("step:"):
            _, key, bucket = dim.split(":")
            steps[key][int(bucket)] += n
        elif dim == "task.due":
            f.tasks_due += n
        elif dim == "task.ontime":
            f.tasks_on_time += n
        elif dim == "task.late":
            f.tasks_late += n
        elif dim.startswith("task.open:"):
            if dim < today_key:
                f.tasks_overdue += n
            else:
                f.tasks_not_yet_due += n
        elif dim.startswith("sat:"):
            ratings[int(dim[4:])] += n
        elif dim == "finished":
            f.finished += n
        elif dim == "followed":
            f.followed += n
        elif dim.startswith("dev:"):
            devs[dim[4:]] += n
    f.referred, f.declined, f.merged = closed[Status.REFERRED], closed[Status.DECLINED], closed[Status.MERGED]
    f.withdrawn, f.resolved, f.unresolved = (
        closed[Status.WITHDRAWN],
        closed[Status.RESOLVED],
        closed[Status.UNRESOLVED],
    )
    f.open = open_rows.get("open", 0)
    f.resolution = _percentiles(res)
    f.steps = {key: _percentiles(h) for key, h in sorted(steps.items())}
    f.meetings_by_form, f.meetings_by_platform = dict(+forms), dict(+platforms)
    f.ratings, f.deviations = dict(+ratings), dict(+devs)


def figures(region: Region, period: Period, *, today: date | None = None) -> Figures:
    today = today or timezone.localdate()
    first, last = _period_months(period)
    f = Figures(region=region, period=period)
    rows = _totals([region.pk], first, last)[region.pk]
    open_rows = {d: n for (_r, d), n in _open_before([region.pk], last, "open").items()}
    _figures_from(f, rows, open_rows, today)
    f.participants = _participants([region.pk], period).get(region.pk, 0)
    communities, active = _silence_counts(region, silence_as_of(period, today))
    f.communities = communities.get(region.path, 0)
    f.silent = f.communities - active.get(region.path, 0)
    return f


def trend(region: Region, period: Period) -> list[MonthRow]:
    first, last = _period_months(period)
    rows = _sums([region.pk], first, last, ["raised", "accepted", "closed:", "meet", "open"])
    before = sum(n for (_r, d), n in _open_before([region.pk], first - 1, "open").items() if d == "open")
    out, running = [], before
    for month in range(first, last + 1):
        get = lambda dim, m=month: rows.get((region.pk, m, dim), 0)  # noqa: E731
        closed = sum(get(f"closed:{s}") for s in CLOSED_STATUSES)
        running += get("open")
        out.append(
            MonthRow(
                month=month_date(month),
                raised=get("raised"),
                accepted=get("accepted"),
                resolved=get(f"closed:{Status.RESOLVED}"),
                closed=closed,
                meetings=get("meet"),
                open=running,
            )
        )
    return out


def by_dimension(region: Region, period: Period, dimension: str) -> list[DimensionRow]:
    first, last = _period_months(period)
    tag = ".c:" if dimension == "category" else ".h:"
    rows = _totals([region.pk], first, last, [f"raised{tag}", f"resolved{tag}"])[region.pk]
    open_rows = {d: n for (_r, d), n in _open_before([region.pk], last, f"open{tag}").items()}
    out = []
    for key, label in dimension_labels(dimension):
        row = DimensionRow(
            key=key,
            label=label,
            raised=rows.get(f"raised{tag}{key}", 0),
            resolved=rows.get(f"resolved{tag}{key}", 0),
            open=open_rows.get(f"open{tag}{key}", 0),
        )
        if row.raised or row.resolved or row.open:
            out.append(row)
    return out


def subregions(region: Region, period: Period, *, today: date | None = None) -> list[SubregionRow]:
    today = today or timezone.localdate()
    children = list(region.children.order_by("path"))
    if not children:
        return []
    ids = [c.pk for c in children]
    first, last = _period_months(period)
    # What a sub-region's row shows: no step histograms.
    rows = _totals(
        ids, first, last, ["meet", "raised", "closed:", "res:", "task.", "sat:", "finished", "followed"]
    )
    opens = _open_before(ids, last, "open")
    people = _participants(ids, period)
    communities, active = _silence_counts(
        region, silence_as_of(period, today), depth=len(region.path) + PATH_WIDTH
    )
    out = []
    for child in children:
        f = Figures(region=child, period=period)
        _figures_from(f, rows.get(child.pk, {}), {"open": opens.get((child.pk, "open"), 0)}, today)
        n = communities.get(child.path, 0)
        out.append(
            SubregionRow(
                region=child,
                meetings_held=f.meetings_held,
                raised=f.raised,
                resolved=f.resolved,
                open=f.open,
                tasks_overdue=f.tasks_overdue,
                resolution_median=f.resolution.median,
                satisfaction=f.satisfaction,
                compliance=f.compliance,
                participants=people.get(child.pk, 0),
                communities=n,
                silent=n - active.get(child.path, 0),
            )
        )
    return out


def silent_communities(region: Region, as_of: date) -> list[Region]:
    since = silent_since(as_of)
    active = Counter.objects.filter(
        within(region, "region"),
        region__level=Level.COMMUNITY,
        month__gte=month_of(since),
        month__lte=month_of(as_of),
        dim__startswith=CONSULT,
        dim__gte=f"{CONSULT}{since.isoformat()}",
        dim__lte=f"{CONSULT}{as_of.isoformat()}",
        n__gt=0,
    ).values("region_id")
    return list(
        Region.objects.filter(within(region), level=Level.COMMUNITY).exclude(pk__in=active).order_by("path")
    )
