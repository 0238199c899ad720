"""The bureau's figures for a region and period: the dashboard, its Excel exports and the yearly report.

Thin: the period comes from ``figures.Period``, the numbers from ``figures`` through ``pages.build``. Who may
look is one permission, ``stats.view_figures``, held at a region and reaching down: a street's staff see their
street and its communities, never the street beside it. Anonymous visitors are sent to log in; a logged-in
person without the permission here gets 403 (the region itself is public, its figures are not).
"""

from functools import wraps
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from yishi.errors import Refused, refusal_status
from yishi.regions.models import Level, Region

from . import exports, pages
from .figures import Period

QUARTERS = (1, 2, 3, 4)
MONTHS = tuple(range(1, 13))


def _region_for(request, pk: int) -> Region:
    region = get_object_or_404(Region, pk=pk)
    if not pages.may_view(request.user, region):
        raise PermissionDenied
    return region


def _picker(request) -> dict:
    """The period form as it was sent, to show it again (with the error) exactly as typed."""
    get = request.GET
    return {key: (get.get(key) or "").strip()[:20] for key in ("year", "quarter", "month", "from", "to")}


def _refused_period(request, region: Region, exc: Refused, template: str = "stats/dashboard.html"):
    context = {
        "region": region,
        "error": exc.reason,
        "error_field": exc.field,
        "picked": _picker(request),
        "quarters": QUARTERS,
        "months": MONTHS,
        "this_year": timezone.localdate().year,
    }
    return render(request, template, context, status=refusal_status(exc))


def _sort_links(board, sort: str, direction: str) -> list[dict]:
    """One heading per column of the sub-region table, each a link that sorts by it (again: the other way)."""
    headings = [
        ("name", _("Region")),
        ("meetings_held", _("Meetings held")),
        ("raised", _("Matters raised")),
        ("resolved", _("Matters resolved")),
        ("open", _("Open matters")),
        ("tasks_overdue", _("Tasks overdue")),
        ("resolution_median", _("Days to resolution (median)")),
        ("satisfaction", _("Satisfaction")),
        ("compliance", _("Followed the procedure")),
        ("participants", _("People taking part")),
        ("silent", _("Silent communities")),
    ]
    links = []
    for key, label in headings:
        # A first click on a figure shows the largest first; on the name, A to Z.
        first = "asc" if key == "name" else "desc"
        following = ("desc" if direction == "asc" else "asc") if key == sort else first
        links.append(
            {
                "key": key,
                "label": label,
                "current": key == sort,
                "aria_sort": ("ascending" if direction == "asc" else "descending") if key == sort else None,
                "url": "?" + urlencode({**board.period.params(), "sort": key, "dir": following}),
            }
        )
    return links


def _figures_view(period_of=lambda request: Period.from_params(request.GET)):
    """A figures view receives the region the viewer may see and its board for the period asked; a period
    that cannot be read shows the period form again with the reason (400)."""

    def decorate(view):
        @require_safe
        @login_required
        @wraps(view)
        def wrapped(request, pk: int, **kwargs):
            region = _region_for(request, pk)
            try:
                period = period_of(request)
            except Refused as exc:
                return _refused_period(request, region, exc)
            return view(request, region, pages.build(region, period), **kwargs)

        return wrapped

    return decorate


@_figures_view()
def dashboard(request, region: Region, board):
    period = board.period
    rows, sort, direction = pages.sort_rows(
        board.subregions, request.GET.get("sort", ""), request.GET.get("dir", "")
    )
    query = pages.period_query(period)
    context = {
        "region": region,
        "board": board,
        "f": board.figures,
        "period": period,
        "query": query,
        "crumbs": pages.breadcrumbs(request.user, board),
        "charts": board.charts,
        "tables": board.tables,
        "rows": [
            {
                "row": r,
                "url": pages.child_link(r.region, period),
                "matters_url": reverse("matters:list", args=[r.region.pk])
                if r.region.level == Level.COMMUNITY
                else None,
            }
            for r in rows
        ],
        "sort": sort,
        "dir": direction,
        "headings": _sort_links(board, sort, direction),
        "silent": [
            {"region": r, "parent": board.silent_parents.get(r.parent_id), "url": pages.child_link(r, period)}
            for r in board.silent
        ],
        "picked": _picker(request),
        "quarters": QUARTERS,
        "months": MONTHS,
        "this_year": timezone.localdate().year,
        "is_community": region.level >= Level.COMMUNITY,
        "report_year": period.end.year,
    }
    return render(request, "stats/dashboard.html", context)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    # An ASCII fallback name for old clients, the real (Chinese) name for the rest (RFC 6266).
    response["Content-Disposition"] = f"attachment; filename=\"figures.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


@_figures_view()
def workbook(request, region: Region, board):
    """Every table of the dashboard, a sheet each."""
    period = board.period
    content = exports.workbook(
        tables=board.ordered_tables(), place=board.place, period=period.label, exported_at=board.exported_at
    )
    return _xlsx(content, exports.filename(region_name=region.name, period_slug=_slug(period)))


@_figures_view()
def table_xlsx(request, region: Region, board, key: str):
    """One table of the dashboard alone."""
    period = board.period
    table = board.tables.get(key)
    if table is None:
        raise Http404(_("There is no such table."))
    content = exports.workbook(
        tables=[table], place=board.place, period=period.label, exported_at=board.exported_at
    )
    return _xlsx(content, exports.filename(region_name=region.name, period_slug=_slug(period), table=table))


def _slug(period: Period) -> str:
    return (
        "-".join(f"{v}" for v in period.params().values())
        if "from" not in period.params()
        else (f"{period.start:%Y%m}-{period.end:%Y%m}")
    )


def _report_year(request) -> Period:
    raw = (request.GET.get("year") or "").strip()
    return Period.from_params({"year": raw}) if raw else Period.current_year()


@_figures_view(period_of=_report_year)
def yearly_report(request, region: Region, board):
    """The year's figures on A4: headline numbers, the charts and every table, for printing or saving as PDF."""
    period = board.period
    return render(
        request,
        "stats/report.html",
        {
            "region": region,
            "board": board,
            "f": board.figures,
            "period": period,
            "charts": board.charts,
            "tables": board.tables,
            "printed_at": board.exported_at,
            "dashboard_url": request.build_absolute_uri(
                f"{reverse('stats:dashboard', args=[region.pk])}?{pages.period_query(period)}"
            ),
        },
    )
