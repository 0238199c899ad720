"""The JSON API for the figures (/api/v1/figures): the dashboard's numbers for a region and period.

The same composition as the page (``pages.build``), so the API and the page never disagree. Reading needs
the permission ``stats.view_figures`` at the region (a token or the browser's session); a bad period is 422
with the page's sentence, code ``invalid_period`` and the field it is about.
"""

import math
from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from yishi.access.queries import require
from yishi.api_schemas import Problem
from yishi.errors import Refused
from yishi.meetings.models import Platform, SessionForm
from yishi.people.tokens import WRITE_AUTH
from yishi.regions.models import Region

from . import pages
from .figures import Percentiles, Period

router = Router(tags=["figures"])


class PeriodQuery(Schema):
    year: str | None = Field(None, description="A year, e.g. 2026 (with `quarter` or `month`, or alone)")
    quarter: str | None = Field(None, description="1-4, with `year`")
    month: str | None = Field(None, description="1-12, with `year`")
    from_: str | None = Field(
        None, alias="from", description="First month, YYYY-MM (with `to`, instead of `year`)"
    )
    to: str | None = Field(None, description="Last month, YYYY-MM")


class PeriodOut(Schema):
    start: date
    end: date
    label: str
    params: dict[str, str] = Field(..., description="The query that picks this period again")


class RegionRef(Schema):
    id: int
    name: str
    level: int


class Count(Schema):
    key: str
    label: str
    count: int


class Duration(Schema):
    count: int = Field(..., description="How many durations were measured")
    median_days: float | None = Field(None, description="Upper edge of the median's bucket, in days")
    p90_days: float | None = Field(None, description="Upper edge of the 90th percentile's bucket, in days")
    beyond_last_bucket: bool = Field(
        False,
        description="True when the 90th percentile (or the median) is longer than the last bucket (730 days); "
        "the value given is then that edge",
    )


class StepDuration(Duration):
    key: str
    label: str


class Tasks(Schema):
    due: int
    on_time: int
    late: int
    overdue: int
    not_yet_due: int


class Compliance(Schema):
    finished: int = Field(..., description="Matters that finished their procedure in the period")
    followed: int = Field(..., description="Of those, the ones with no deviation")
    share: float | None = Field(None, description="followed / finished (0-1); null when none finished")


class Month(Schema):
    month: str
    raised: int
    accepted: int
    resolved: int
    closed: int
    meetings: int
    open: int


class Dimension(Schema):
    key: str
    label: str
    raised: int
    resolved: int
    open: int


class Subregion(Schema):
    region: RegionRef
    meetings_held: int
    raised: int
    resolved: int
    open: int
    tasks_overdue: int
    resolution_median_days: float | None
    satisfaction: float | None
    compliance: float | None
    participants: int
    communities: int
    silent: int


class FiguresOut(Schema):
    region: RegionRef
    period: PeriodOut
    meetings_held: int
    meetings_by_form: list[Count]
    meetings_by_platform: list[Count]
    raised: int
    accepted: int
    referred: int
    declined: int
    merged: int
    withdrawn: int
    resolved: int
    unresolved: int
    open: int = Field(..., description="Matters open at the end of the period")
    resolution: Duration = Field(..., description="From raising to resolution")
    steps: list[StepDuration] = Field(..., description="From entering each step to completing it")
    tasks: Tasks
    satisfaction: float | None = Field(None, description="Average rating 1-5; null when nobody rated")
    ratings: dict[str, int] = Field(..., description="Rating (1-5) -> how many residents gave it")
    participants: int
    compliance: Compliance
    deviations: list[Count]
    communities: int
    silent: int
    silent_communities: list[RegionRef]
    trend: list[Month]
    by_category: list[Dimension]
    by_channel: list[Dimension]
    subregions: list[Subregion]


def _days(value):
    if value is None:
        return None
    return pages.LONGEST_DAYS if math.isinf(value) else value


def _duration(p: Percentiles) -> dict:
    beyond = any(v is not None and math.isinf(v) for v in (p.median, p.p90))
    return {
        "count": p.count,
        "median_days": _days(p.median),
        "p90_days": _days(p.p90),
        "beyond_last_bucket": beyond,
    }


def _counts(counts: dict[str, int], choices) -> list[dict]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"key": k, "label": pages.choice_label(choices, k), "count": n} for k, n in ordered]


def _ref(region: Region) -> dict:
    return {"id": region.pk, "name": region.name, "level": region.level}


@router.get(
    "/regions/{int:region_id}",
    auth=WRITE_AUTH,
    response={200: FiguresOut, 401: Problem, 403: Problem, 404: Problem, 422: Problem},
    summary="The figures of a region (and everything below it) for a period",
)
def region_figures(request, region_id: int, period: Query[PeriodQuery]):
    region = get_object_or_404(Region, pk=region_id)
    require(request.user, pages.ACTION, region)
    try:
        chosen = Period.from_params(
            {
                "year": period.year,
                "quarter": period.quarter,
                "month": period.month,
                "from": period.from_,
                "to": period.to,
            }
        )
    except Refused as exc:
        return Status(422, {"detail": str(exc.reason), "code": exc.code, "field": exc.field})
    board = pages.build(region, chosen)
    f = board.figures
    labels = pages.deviation_labels()
    step_labels = dict(pages.step_order())
    return {
        "region": _ref(region),
        "period": {
            "start": chosen.start,
            "end": chosen.end,
            "label": chosen.label,
            "params": chosen.params(),
        },
        "meetings_held": f.meetings_held,
        "meetings_by_form": _counts(f.meetings_by_form, SessionForm),
        "meetings_by_platform": _counts(f.meetings_by_platform, Platform),
        "raised": f.raised,
        "accepted": f.accepted,
        "referred": f.referred,
        "declined": f.declined,
        "merged": f.merged,
        "withdrawn": f.withdrawn,
        "resolved": f.resolved,
        "unresolved": f.unresolved,
        "open": f.open,
        "resolution": _duration(f.resolution),
        "steps": [{"key": k, "label": step_labels.get(k, k), **_duration(p)} for k, p in f.steps.items()],
        "tasks": {
            "due": f.tasks_due,
            "on_time": f.tasks_on_time,
            "late": f.tasks_late,
            "overdue": f.tasks_overdue,
            "not_yet_due": f.tasks_not_yet_due,
        },
        "satisfaction": f.satisfaction,
        "ratings": {str(r): f.ratings.get(r, 0) for r in range(1, 6)},
        "participants": f.participants,
        "compliance": {"finished": f.finished, "followed": f.followed, "share": f.compliance},
        "deviations": [
            {"key": k, "label": labels.get(k, k), "count": n} for k, n in sorted(f.deviations.items())
        ],
        "communities": f.communities,
        "silent": f.silent,
        "silent_communities": [_ref(r) for r in board.silent],
        "trend": [
            {
                "month": m.month.strftime("%Y-%m"),
                "raised": m.raised,
                "accepted": m.accepted,
                "resolved": m.resolved,
                "closed": m.closed,
                "meetings": m.meetings,
                "open": m.open,
            }
            for m in board.trend
        ],
        "by_category": [vars(r) for r in board.categories],
        "by_channel": [vars(r) for r in board.channels],
        "subregions": [
            {
                "region": _ref(r.region),
                "meetings_held": r.meetings_held,
                "raised": r.raised,
                "resolved": r.resolved,
                "open": r.open,
                "tasks_overdue": r.tasks_overdue,
                "resolution_median_days": _days(r.resolution_median),
                "satisfaction": r.satisfaction,
                "compliance": r.compliance,
                "participants": r.participants,
                "communities": r.communities,
                "silent": r.silent,
            }
            for r in board.subregions
        ],
    }
