"""The dashboard's content: ``figures``' numbers for a region and period, laid out as tables and charts.

One composition serves the page, the Excel workbook, the yearly report and the API, so that the same number
reads the same everywhere. Tables hold raw values (numbers stay numbers in a sheet); the templates format them.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yishi.access.queries import can
from yishi.meetings.models import Platform, SessionForm
from yishi.procedures import definitions
from yishi.regions.models import Level, Region

from . import figures as fig
from .charts import Chart, Series, plain_number
from .exports import Table

ACTION = "stats.view_figures"

# The procedures in the order their steps are listed; the eight steps first, then the steps only others have.
PROCEDURES = (definitions.EIGHT_STEPS, definitions.FOUR_AND_TWO, definitions.SHORT_PATH)

# A duration past the last bucket is "over 730 days": charts draw it just past that edge.
LONGEST_DAYS = fig.DURATION_BUCKETS[-1] / 24


def step_order() -> list[tuple[str, str]]:
    """(step key, label) for every step of every procedure, each key once, in procedure order."""
    seen: dict[str, str] = {}
    for procedure in PROCEDURES:
        for step in procedure.steps:
            seen.setdefault(step.key, str(step.label))
    return list(seen.items())


def deviation_labels() -> dict[str, str]:
    return {
        "short_path": _("Took a shorter procedure (with its reason)"),
        "returned": _("Sent back to an earlier step"),
        "unresolved": _("Closed unresolved"),
        "late_notice": _("Meeting announced at short notice"),
        "escalated": _("Overdue task escalated (督办)"),
        "electorate_differs": _("Vote recorded with an electorate other than the body as seated"),
    }


def days(value) -> str:
    """A duration in days as shown: one decimal below ten days, whole days above, “over 730” past the buckets."""
    if value is None:
        return "–"
    if math.isinf(value) or value > LONGEST_DAYS:
        return _("over %(days)d") % {"days": LONGEST_DAYS}
    if 0 < value < 0.1:
        return "<0.1"
    return f"{value:.1f}" if value < 10 and not float(value).is_integer() else f"{value:.0f}"


def share(value) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _chartable_days(value):
    if value is None:
        return None
    return LONGEST_DAYS + 1 if math.isinf(value) else value


def _days_for_sheet(value):
    """A sheet cell: the number of days, or the words for a duration past the last bucket."""
    if value is None:
        return None
    if math.isinf(value):
        return days(value)
    return round(value, 2) if value < 1 else round(value, 1)


def _percent(value):
    return None if value is None else round(value * 100, 1)


def period_query(period: fig.Period, **extra) -> str:
    return urlencode({**period.params(), **{k: v for k, v in extra.items() if v}})


# --- the sub-region table's sorting ------------------------------------------------------------------------

SORT_KEYS = (
    "name",
    "meetings_held",
    "raised",
    "resolved",
    "open",
    "tasks_overdue",
    "resolution_median",
    "satisfaction",
    "compliance",
    "participants",
    "silent",
)


def sort_rows(rows: list, key: str, direction: str) -> tuple[list, str, str]:
    """Rows sorted by ``key`` (an attribute of SubregionRow, or the region's name) in ``direction``.

    An unknown key or direction falls back to the tree's order (by name, ascending): the links on the page
    only ever send known ones. A row without the figure (no ratings yet) sorts last either way.
    """
    if key not in SORT_KEYS:
        key = "name"
    if direction not in ("asc", "desc"):
        direction = "asc"
    if key == "name":
        ordered = sorted(rows, key=lambda r: (r.region.name, r.region.pk), reverse=direction == "desc")
        return ordered, key, direction
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    present.sort(key=lambda r: (getattr(r, key), r.region.name), reverse=direction == "desc")
    return present + sorted(missing, key=lambda r: r.region.name), key, direction


# --- the composition ---------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    region: Region
    period: fig.Period
    figures: fig.Figures
    trend: list
    categories: list
    channels: list
    subregions: list
    silent: list
    silent_parents: dict
    as_of: date
    exported_at: object = None
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)

    @property
    def place(self) -> str:
        """The region with the path down to it, for a sheet or a printed page: 沧州市 › 运河区 › 丽景社区."""
        return " › ".join(a.name for a in self.ancestors)

    @property
    def ancestors(self) -> list[Region]:
        if not hasattr(self, "_ancestors"):
            self._ancestors = list(self.region.ancestors())
        return self._ancestors

    def ordered_tables(self) -> list[Table]:
        return list(self.tables.values())


def child_link(child: Region, period: fig.Period) -> str:
    """Down the tree: a district, street or community to its own figures; below a community, to its matters."""
    if child.level <= Level.COMMUNITY:
        return f"{reverse('stats:dashboard', args=[child.pk])}?{period_query(period)}"
    return reverse("matters:list", args=[child.pk])


def build(region: Region, period: fig.Period, *, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    as_of = fig.silence_as_of(period, today)
    silent = fig.silent_communities(region, as_of)
    parent_ids = {r.parent_id for r in silent if r.parent_id}
    board = Dashboard(
        region=region,
        period=period,
        figures=fig.figures(region, period, today=today),
        trend=fig.trend(region, period),
        categories=fig.by_category(region, period),
        channels=fig.by_channel(region, period),
        subregions=fig.subregions(region, period, today=today),
        silent=silent,
        silent_parents=Region.objects.in_bulk(parent_ids) if parent_ids else {},
        as_of=as_of,
        exported_at=timezone.now(),
    )
    _compose(board)
    return board


def _compose(board: Dashboard) -> None:
    f, period = board.figures, board.period
    t, c = board.tables, board.charts
    t["headline"] = Table(
        "headline",
        _("Headline figures"),
        [_("Figure"), _("Number")],
        [
            [_("Meetings held"), f.meetings_held],
            [_("Matters raised"), f.raised],
            [_("Matters accepted"), f.accepted],
            [_("Referred elsewhere"), f.referred],
            [_("Declined"), f.declined],
            [_("Merged into another matter"), f.merged],
            [_("Withdrawn"), f.withdrawn],
            [_("Matters resolved"), f.resolved],
            [_("Closed unresolved"), f.unresolved],
            [_("Open at the end of the period"), f.open],
            [_("Days from raising to resolution (median)"), _days_for_sheet(f.resolution.median)],
            [_("Days from raising to resolution (90th percentile)"), _days_for_sheet(f.resolution.p90)],
            [_("Tasks due in the period"), f.tasks_due],
            [_("Tasks overdue"), f.tasks_overdue],
            [_("Satisfaction (average rating, 1–5)"), f.satisfaction],
            [_("Ratings given"), f.rating_count],
            [_("People taking part"), f.participants],
            [_("Matters that finished their procedure"), f.finished],
            [_("Of those, followed the procedure"), f.followed],
            [_("Followed the procedure (%)"), _percent(f.compliance)],
            [_("Communities and villages"), f.communities],
            [_("Silent communities (no consultation in three months)"), f.silent],
        ],
    )

    months = [m.month.strftime("%Y-%m") for m in board.trend]
    t["trend"] = Table(
        "trend",
        _("By month"),
        [
            _("Month"),
            _("Matters raised"),
            _("Matters accepted"),
            _("Matters resolved"),
            _("Matters closed"),
            _("Meetings held"),
            _("Open at the month's end"),
        ],
        [
            [label, m.raised, m.accepted, m.resolved, m.closed, m.meetings, m.open]
            for label, m in zip(months, board.trend, strict=True)
        ],
    )
    c["trend"] = Chart(
        "chart-trend",
        _("Matters and meetings by month"),
        _("Matters raised and resolved and meetings held in each month of %(period)s.")
        % {"period": period.label},
        _("Month"),
        months,
        [
            Series(_("Matters raised"), [m.raised for m in board.trend]),
            Series(_("Matters resolved"), [m.resolved for m in board.trend]),
            Series(_("Meetings held"), [m.meetings for m in board.trend]),
        ],
        kind="line",
    )

    for key, rows, title, heading in (
        ("categories", board.categories, _("Matters by category"), _("Category")),
        ("channels", board.channels, _("Matters by channel"), _("Channel")),
    ):
        t[key] = Table(
            key,
            title,
            [heading, _("Matters raised"), _("Matters resolved"), _("Open at the end of the period")],
            [[r.label, r.raised, r.resolved, r.open] for r in rows],
        )
        c[key] = Chart(
            f"chart-{key}",
            title,
            _("Matters raised in %(period)s, by %(what)s.") % {"period": period.label, "what": heading},
            heading,
            [r.label for r in rows],
            [Series(_("Matters raised"), [r.raised for r in rows])],
        )

    t["subregions"] = Table(
        "subregions",
        _("By sub-region"),
        [
            _("Region"),
            _("Level"),
            _("Meetings held"),
            _("Matters raised"),
            _("Matters resolved"),
            _("Open matters"),
            _("Tasks overdue"),
            _("Days to resolution (median)"),
            _("Satisfaction"),
            _("Followed the procedure (%)"),
            _("People taking part"),
            _("Silent communities"),
        ],
        [
            [
                r.region.name,
                r.region.kind_label,
                r.meetings_held,
                r.raised,
                r.resolved,
                r.open,
                r.tasks_overdue,
                _days_for_sheet(r.resolution_median),
                r.satisfaction,
                _percent(r.compliance),
                r.participants,
                r.silent,
            ]
            for r in board.subregions
        ],
    )
    c["subregions"] = Chart(
        "chart-subregions",
        _("Matters raised by sub-region"),
        _("Matters raised in %(period)s in each region directly below %(region)s.")
        % {"period": period.label, "region": board.region.name},
        _("Region"),
        [r.region.name for r in board.subregions],
        [Series(_("Matters raised"), [r.raised for r in board.subregions])],
        links=[child_link(r.region, period) for r in board.subregions],
    )

    forms = sorted(f.meetings_by_form.items(), key=lambda kv: (-kv[1], kv[0]))
    platforms = sorted(f.meetings_by_platform.items(), key=lambda kv: (-kv[1], kv[0]))
    form_labels = [choice_label(SessionForm, k) for k, _n in forms]
    platform_labels = [choice_label(Platform, k) for k, _n in platforms]
    t["forms"] = Table(
        "forms",
        _("Meetings by form"),
        [_("Form"), _("Meetings held")],
        [[label, n] for label, (_k, n) in zip(form_labels, forms, strict=True)],
    )
    t["platforms"] = Table(
        "platforms",
        _("Meetings by platform"),
        [_("Platform"), _("Meetings held")],
        [[label, n] for label, (_k, n) in zip(platform_labels, platforms, strict=True)],
    )
    c["forms"] = Chart(
        "chart-forms",
        _("Meetings by form"),
        _("Meetings held in %(period)s, by form.") % {"period": period.label},
        _("Form"),
        form_labels,
        [Series(_("Meetings held"), [n for _k, n in forms])],
    )
    c["platforms"] = Chart(
        "chart-platforms",
        _("Meetings by platform"),
        _("Meetings held in %(period)s, by platform.") % {"period": period.label},
        _("Platform"),
        platform_labels,
        [Series(_("Meetings held"), [n for _k, n in platforms])],
    )

    steps = [(key, label, f.steps[key]) for key, label in step_order() if key in f.steps]
    steps += [(key, key, p) for key, p in sorted(f.steps.items()) if key not in dict(step_order())]
    t["steps"] = Table(
        "steps",
        _("Time per step"),
        [_("Step"), _("Steps completed"), _("Days (median)"), _("Days (90th percentile)")],
        [[label, p.count, _days_for_sheet(p.median), _days_for_sheet(p.p90)] for _k, label, p in steps],
        note=_("From entering a step to completing it, for the steps completed in the period."),
    )
    c["steps"] = Chart(
        "chart-steps",
        _("Time per step (median days)"),
        _("Median days from entering each step to completing it, %(period)s.") % {"period": period.label},
        _("Step"),
        [label for _k, label, _p in steps],
        [Series(_("Days (median)"), [_chartable_days(p.median) for _k, _l, p in steps])],
        fmt=days,
    )

    t["tasks"] = Table(
        "tasks",
        _("Tasks due in the period"),
        [_("Tasks"), _("How many")],
        [
            [_("Done on time"), f.tasks_on_time],
            [_("Done late"), f.tasks_late],
            [_("Overdue (still open after the due date)"), f.tasks_overdue],
            [_("Not yet due"), f.tasks_not_yet_due],
        ],
    )
    c["tasks"] = Chart(
        "chart-tasks",
        _("Tasks due in the period"),
        _("Tasks due in %(period)s: done on time, done late, overdue and not yet due.")
        % {"period": period.label},
        _("Tasks"),
        [r[0] for r in t["tasks"].rows],
        [Series(_("How many"), [r[1] for r in t["tasks"].rows])],
    )

    stars = [5, 4, 3, 2, 1]
    t["satisfaction"] = Table(
        "satisfaction",
        _("Satisfaction"),
        [_("Rating"), _("How many")],
        [[pgettext("rating out of 5", "%(n)d of 5") % {"n": s}, f.ratings.get(s, 0)] for s in stars],
        note=_("Residents' ratings of the results, 5 is best. Average: %(avg)s")
        % {"avg": plain_number(f.satisfaction)},
    )
    c["satisfaction"] = Chart(
        "chart-satisfaction",
        _("Satisfaction"),
        _("How many residents gave each rating in %(period)s.") % {"period": period.label},
        _("Rating"),
        [r[0] for r in t["satisfaction"].rows],
        [Series(_("How many"), [r[1] for r in t["satisfaction"].rows])],
    )

    labels = deviation_labels()
    kinds = sorted(f.deviations.items(), key=lambda kv: (-kv[1], kv[0]))
    t["deviations"] = Table(
        "deviations",
        _("Deviations from the procedure"),
        [_("Deviation"), _("How many")],
        [[labels.get(k, k), n] for k, n in kinds],
        note=_(
            "%(followed)s of %(finished)s matters that finished in the period followed "
            "their procedure (%(share)s)."
        )
        % {"followed": f.followed, "finished": f.finished, "share": share(f.compliance)},
    )
    c["deviations"] = Chart(
        "chart-deviations",
        _("Deviations from the procedure"),
        _("Deviations by kind, for the matters that finished in %(period)s.") % {"period": period.label},
        _("Deviation"),
        [labels.get(k, k) for k, _n in kinds],
        [Series(_("How many"), [n for _k, n in kinds])],
    )

    t["silent"] = Table(
        "silent",
        _("Silent communities"),
        [_("Community or village"), _("Street or town")],
        [
            [r.name, board.silent_parents[r.parent_id].name if r.parent_id in board.silent_parents else ""]
            for r in board.silent
        ],
        note=_("No meeting held and no consultation recorded in the three months up to %(date)s.")
        % {"date": board.as_of.isoformat()},
    )


def choice_label(choices, key: str) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return key


# --- who sees what -----------------------------------------------------------------------------------------


def may_view(user, region: Region) -> bool:
    return bool(user is not None and user.is_authenticated and can(user, ACTION, region))


def breadcrumbs(user, board: Dashboard) -> list[dict]:
    """The path from the top down to the region; a step links to its figures where the viewer may see them."""
    query = period_query(board.period)
    return [
        {
            "name": a.name,
            "url": f"{reverse('stats:dashboard', args=[a.pk])}?{query}"
            if a.pk != board.region.pk and may_view(user, a)
            else None,
        }
        for a in board.ancestors
    ]
