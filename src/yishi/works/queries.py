"""Reads about tasks: a unit's list, overdue ones in a scope, the ones waiting for a resident's verdict, and the
parts of a plan still without a task."""

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from yishi.access.queries import active_roles
from yishi.access.roles import Role
from yishi.matters.models import Status
from yishi.plans.models import PlanPart, PlanVersion
from yishi.regions.models import within

from .models import Work, WorkStatus


def of_open_matters():
    """Tasks of matters still open. A closed matter's tasks are settled business, in whatever state they were left:
    no one reports on them, confirms them or chases them any more."""
    return Work.objects.filter(matter__status=Status.OPEN)


def current_parts(matter):
    """The parts of the matter's plan as it now stands (its latest version: the one agreed, reviewed and voted),
    in the plan's order, each with ``tasked``: whether a task carries it out. One query."""
    latest = PlanVersion.objects.filter(matter=matter).order_by("-number").values("pk")[:1]
    return (
        PlanPart.objects.filter(version=Subquery(latest))
        .select_related("unit")
        .annotate(tasked=Exists(Work.objects.filter(part=OuterRef("pk"))))
        .order_by("position", "pk")
    )


def for_unit_staff(user):
    units = [a.unit_id for a in active_roles(user) if a.role == Role.UNIT_STAFF]
    return (
        of_open_matters()
        .filter(Q(unit_id__in=units) | Q(assignee=user))
        .exclude(status=WorkStatus.CONFIRMED)
        .select_related("matter", "unit")
        .order_by("due_on", "pk")
    )


def given_to(user):
    """The open tasks given to ``user`` by name (not through a unit), by due date."""
    return (
        of_open_matters()
        .filter(assignee=user)
        .exclude(status=WorkStatus.CONFIRMED)
        .select_related("matter")
        .order_by("due_on", "pk")
    )


def overdue_in(regions, today=None):
    today = today or timezone.localdate()
    q = Q()
    for region in regions:
        q |= within(region, "matter__region")
    if not q:
        return Work.objects.none()
    return (
        of_open_matters()
        .filter(q, status=WorkStatus.OPEN, due_on__lt=today)
        .select_related("matter__region", "unit", "assignee")
        .order_by("due_on", "pk")
    )


def to_confirm(user):
    """Tasks reported done on matters ``user`` raised or supports."""
    return (
        of_open_matters()
        .filter(Q(matter__submitter=user) | Q(matter__supports__person=user), status=WorkStatus.DONE)
        .select_related("matter__region", "unit", "assignee")
        .order_by("done_at", "pk")
        .distinct()
    )


def _rounded(count, average) -> dict:
    return {"count": count or 0, "average": round(average, 1) if average is not None else None}


def satisfaction_of(matter) -> dict:
    """The residents' rating of the result: how many rated, and the average to one decimal."""
    from django.db.models import Avg, Count

    figures = matter.satisfactions.aggregate(n=Count("pk"), average=Avg("rating"))
    return _rounded(figures["n"], figures["average"])


def satisfaction_columns() -> dict:
    """``satisfaction_of`` as two columns of a matter query, so a page reads the rating with other facts."""
    from django.db.models import Avg, Count, OuterRef, Subquery

    from .models import Satisfaction

    rated = Satisfaction.objects.filter(matter=OuterRef("pk")).order_by().values("matter")
    return {
        "rated_count": Subquery(rated.annotate(n=Count("pk")).values("n")),
        "rated_average": Subquery(rated.annotate(a=Avg("rating")).values("a")),
    }


def satisfaction_from(row: dict) -> dict:
    """The figures out of a row read with ``satisfaction_columns``."""
    return _rounded(row["rated_count"], row["rated_average"])
