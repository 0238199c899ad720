"""The figures computed straight from the raw tables by GROUP BY, without the roll-ups.

The same definitions as ``figures`` (read its notes), written independently of the roll-up code: the test
compares the two after random events, and the benchmark compares their speed. It scans every matter of the
region and period per request, which is what the roll-ups exist to avoid.
"""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone

from yishi.matters.models import Matter, Status, Support
from yishi.meetings.models import Announcement, Attendance, Meeting, MeetingStatus, Platform, Session
from yishi.procedures.models import Transition, TransitionKind
from yishi.regions.models import PATH_WIDTH, Level, Region, within
from yishi.reminders.models import Escalation
from yishi.votes.models import Participation, VoteResult
from yishi.works.models import Satisfaction, Work

from .shapes import (
    DimensionRow,
    Figures,
    MonthRow,
    Percentiles,
    Period,
    SubregionRow,
    bucket_days,
    bucket_of,
    dimension_labels,
    short_procedures,
    silence_as_of,
    window_bounds,
)


def percentiles(buckets: list[int]) -> Percentiles:
    """Nearest-rank median and 90th percentile of bucket indexes, as the buckets' upper edges in days."""
    if not buckets:
        return Percentiles()
    ordered = sorted(buckets)
    n = len(ordered)

    def rank(p: int) -> int:
        return ordered[max(0, -(-p * n // 100) - 1)]

    return Percentiles(count=n, median=bucket_days(rank(50)), p90=bucket_days(rank(90)))


def hours(delta) -> float:
    return delta.total_seconds() / 3600


def _matters(region: Region):
    return Matter.objects.filter(within(region, "region"))


def _in(period: Period, field: str) -> Q:
    lo, hi = period.bounds()
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _step_durations(region: Region, period: Period) -> dict[str, list[int]]:
    """Bucket of each step completion in the period, from the time the matter last entered that step."""
    lo, hi = period.bounds()
    completing = Transition.objects.filter(
        within(region, "matter__region"),
        kind__in=[TransitionKind.ADVANCE, TransitionKind.RESOLVE],
        at__gte=lo,
        at__lt=hi,
    )
    rows = (
        Transition.objects.filter(matter__in=completing.values("matter"), at__lt=hi)
        .order_by("matter", "at", "pk")
        .values_list("matter", "kind", "from_step", "to_step", "at")
    )
    out: dict[str, list[int]] = defaultdict(list)
    current, entered = None, {}
    for matter, kind, from_step, to_step, at in rows:
        if matter != current:
            current, entered = matter, {}
        if kind in (TransitionKind.ADVANCE, TransitionKind.RESOLVE) and from_step in entered and at >= lo:
            out[from_step].append(bucket_of(hours(at - entered[from_step])))
        if kind in (TransitionKind.START, TransitionKind.ADVANCE, TransitionKind.RETURN):
            entered[to_step] = at
    return out


def _tasks(region: Region, period: Period, today: date) -> dict:
    return Work.objects.filter(
        within(region, "matter__region"), due_on__gte=period.start, due_on__lte=period.end
    ).aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(done_at__isnull=False, done_at__date__lte=F("due_on"))),
        late=Count("id", filter=Q(done_at__isnull=False, done_at__date__gt=F("due_on"))),
        overdue=Count("id", filter=Q(done_at__isnull=True, due_on__lt=today)),
        not_yet=Count("id", filter=Q(done_at__isnull=True, due_on__gte=today)),
    )


def participants(region: Region, period: Period) -> int:
    raisers = (
        _matters(region)
        .filter(_in(period, "raised_at"), submitter__isnull=False)
        .values_list("submitter", flat=True)
    )
    supporters = Support.objects.filter(
        within(region, "matter__region"), _in(period, "at"), from_matter__isnull=True
    ).values_list("person", flat=True)
    attendees = Attendance.objects.filter(
        within(region, "meeting__region"), _in(period, "at"), person__isnull=False
    ).values_list("person", flat=True)
    voters = Participation.objects.filter(
        within(region, "vote__region"), _in(period, "at"), elector__person__isnull=False
    ).values_list("elector__person", flat=True)
    return raisers.order_by().union(supporters.order_by(), attendees.order_by(), voters.order_by()).count()


def _deviations(finished) -> tuple[int, Counter]:
    """How many of ``finished`` (a queryset of matters) had any deviation, and the deviations by kind."""
    per_matter: dict[int, Counter] = defaultdict(Counter)
    for pk, status, procedure in finished.values_list("pk", "status", "procedure_key"):
        if procedure in short_procedures():
            per_matter[pk]["short_path"] += 1
        if status == Status.UNRESOLVED:
            per_matter[pk]["unresolved"] += 1
    ids = finished.values("pk")
    for pk, n in (
        Transition.objects.filter(matter__in=ids, kind=TransitionKind.RETURN)
        .values_list("matter")
        .annotate(n=Count("id"))
    ):
        per_matter[pk]["returned"] += n
    for pk, n in (
        Escalation.objects.filter(work__matter__in=ids).values_list("work__matter").annotate(n=Count("id"))
    ):
        per_matter[pk]["escalated"] += n
    through = Announcement.matters.through
    for pk, n in (
        through.objects.filter(matter__in=ids, announcement__late=True)
        .exclude(announcement__meeting__status=MeetingStatus.CANCELLED)
        .values_list("matter")
        .annotate(n=Count("id"))
    ):
        per_matter[pk]["late_notice"] += n
    for pk, n in (
        VoteResult.objects.filter(matter__in=ids, seated__isnull=False)
        .exclude(electorate=F("seated"))
        .values_list("matter")
        .annotate(n=Count("id"))
    ):
        per_matter[pk]["electorate_differs"] += n
    kinds: Counter = Counter()
    for counts in per_matter.values():
        kinds.update(counts)
    return sum(1 for c in per_matter.values() if c), kinds


def figures(region: Region, period: Period, *, today: date | None = None) -> Figures:
    today = today or timezone.localdate()
    f = Figures(region=region, period=period)
    _lo, hi = period.bounds()
    meetings = Meeting.objects.filter(
        within(region, "region"), _in(period, "starts_at"), status=MeetingStatus.HELD
    )
    f.meetings_by_form = Counter(dict(meetings.values_list("form").annotate(n=Count("id")).order_by()))
    f.meetings_by_platform = Counter(
        dict(meetings.values_list("platform").annotate(n=Count("id")).order_by())
    )
    # Sessions recorded outside any meeting were meetings held too (platform "other").
    paper = Session.objects.filter(
        within(region, "matter__region"), _in(period, "held_at"), meeting__isnull=True
    )
    f.meetings_by_form.update(dict(paper.values_list("form").annotate(n=Count("id")).order_by()))
    f.meetings_by_platform[Platform.OTHER] += paper.count()
    f.meetings_by_form = dict(+f.meetings_by_form)
    f.meetings_by_platform = {str(k): n for k, n in (+f.meetings_by_platform).items()}
    f.meetings_held = sum(f.meetings_by_form.values())
    matters = _matters(region)
    f.raised = matters.filter(_in(period, "raised_at")).count()
    f.accepted = Transition.objects.filter(
        within(region, "matter__region"), _in(period, "at"), kind=TransitionKind.START
    ).count()
    closed = dict(
        matters.filter(_in(period, "closed_at")).values_list("status").annotate(n=Count("id")).order_by()
    )
    f.referred, f.declined, f.merged = (
        closed.get(Status.REFERRED, 0),
        closed.get(Status.DECLINED, 0),
        closed.get(Status.MERGED, 0),
    )
    f.withdrawn, f.resolved, f.unresolved = (
        closed.get(Status.WITHDRAWN, 0),
        closed.get(Status.RESOLVED, 0),
        closed.get(Status.UNRESOLVED, 0),
    )
    f.open = matters.filter(raised_at__lt=hi).exclude(closed_at__lt=hi).count()
    f.resolution = percentiles(
        [
            bucket_of(hours(closed_at - raised_at))
            for raised_at, closed_at in matters.filter(
                _in(period, "closed_at"), status=Status.RESOLVED
            ).values_list("raised_at", "closed_at")
        ]
    )
    f.steps = {key: percentiles(b) for key, b in sorted(_step_durations(region, period).items())}
    tasks = _tasks(region, period, today)
    f.tasks_due, f.tasks_on_time, f.tasks_late = tasks["due"], tasks["on_time"], tasks["late"]
    f.tasks_overdue, f.tasks_not_yet_due = tasks["overdue"], tasks["not_yet"]
    f.ratings = dict(
        Satisfaction.objects.filter(within(region, "matter__region"), _in(period, "at"))
        .values_list("rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    f.participants = participants(region, period)
    finished = matters.filter(_in(period, "closed_at"), status__in=[Status.RESOLVED, Status.UNRESOLVED])
    f.finished = finished.count()
    deviated, kinds = _deviations(finished)
    f.followed, f.deviations = f.finished - deviated, dict(kinds)
    communities, silent = _silence(region, silence_as_of(period, today))
    f.communities, f.silent = communities, len(silent)
    return f


def trend(region: Region, period: Period) -> list[MonthRow]:
    rows = []
    for month in period.months():
        p = Period.month(month.year, month.month)
        f = figures(region, p)
        rows.append(
            MonthRow(
                month=month,
                raised=f.raised,
                accepted=f.accepted,
                resolved=f.resolved,
                closed=f.resolved + f.unresolved + f.referred + f.declined + f.merged + f.withdrawn,
                meetings=f.meetings_held,
                open=f.open,
            )
        )
    return rows


def by_dimension(region: Region, period: Period, dimension: str) -> list[DimensionRow]:
    _lo, hi = period.bounds()
    field = "category__key" if dimension == "category" else "channel"
    matters = _matters(region)
    raised = dict(
        matters.filter(_in(period, "raised_at")).values_list(field).annotate(n=Count("id")).order_by()
    )
    resolved = dict(
        matters.filter(_in(period, "closed_at"), status=Status.RESOLVED)
        .values_list(field)
        .annotate(n=Count("id"))
        .order_by()
    )
    open_ = dict(
        matters.filter(raised_at__lt=hi)
        .exclude(closed_at__lt=hi)
        .values_list(field)
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = []
    for key, label in dimension_labels(dimension):
        row = DimensionRow(
            key=key,
            label=label,
            raised=raised.get(key, 0),
            resolved=resolved.get(key, 0),
            open=open_.get(key, 0),
        )
        if row.raised or row.resolved or row.open:
            rows.append(row)
    return rows


def subregions(region: Region, period: Period, *, today: date | None = None) -> list[SubregionRow]:
    rows = []
    for child in region.children.order_by("path"):
        f = figures(child, period, today=today)
        rows.append(
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
                participants=f.participants,
                communities=f.communities,
                silent=f.silent,
            )
        )
    return rows


def _silence(region: Region, as_of: date) -> tuple[int, list[Region]]:
    """The communities under ``region`` and those with no meeting held or session recorded in the window."""
    lo, hi = window_bounds(as_of)
    communities = list(Region.objects.subtree(region).filter(level=Level.COMMUNITY))
    if not communities:
        return 0, []
    paths = {c.path for c in communities}
    held = list(
        Meeting.objects.filter(
            within(region, "region"), status=MeetingStatus.HELD, starts_at__gte=lo, starts_at__lt=hi
        ).values_list("region__path", flat=True)
    )
    held += list(
        Session.objects.filter(within(region, "matter__region"), held_at__gte=lo, held_at__lt=hi).values_list(
            "matter__region__path", flat=True
        )
    )
    active = {p[:n] for p in set(held) for n in range(PATH_WIDTH, len(p) + 1, PATH_WIDTH) if p[:n] in paths}
    return len(communities), [c for c in communities if c.path not in active]


def silent_communities(region: Region, as_of: date) -> list[Region]:
    return _silence(region, as_of)[1]
