"""Reads about expert reviews: what waits on an expert, with what changed in the plan since they last looked."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from yishi.access.queries import holding_roles
from yishi.matters.models import Matter, Status
from yishi.plans.models import PlanVersion
from yishi.plans.services import diff
from yishi.procedures.definitions import PROCEDURES
from yishi.regions.models import within

from .models import Review

ACTION = "procedures.review_plan"


@dataclass
class ReviewWaiting:
    matter: Matter
    version: PlanVersion  # the version to review: the latest
    since: PlanVersion | None  # the version the changes are shown against
    changes: list = field(default_factory=list)  # plans.services.diff rows


def awaiting_review(user) -> list[ReviewWaiting]:
    """Matters in a review step within ``user``'s expert scope whose latest plan version they have not reviewed.

    The changes are shown against the last version this expert reviewed, else against the version before the
    latest (a first version is all new). Three queries, whatever the number of matters or versions.
    """
    scopes = [a.region for a in holding_roles(user, ACTION)]
    steps = [(p.key, s.key) for p in PROCEDURES.values() for s in p.steps if ACTION in s.actions]
    if not scopes or not steps:
        return []
    in_scope = within(scopes[0], "region")
    for region in scopes[1:]:
        in_scope |= within(region, "region")
    step_q = Q()
    for procedure_key, step_key in steps:
        step_q |= Q(procedure_key=procedure_key, step_key=step_key)
    versions = PlanVersion.objects.prefetch_related("parts__unit").order_by("number")
    matters = list(
        Matter.objects.filter(in_scope, step_q, status=Status.OPEN)
        .select_related("region", "category")
        .prefetch_related(Prefetch("plan_versions", queryset=versions))
        .order_by("step_since", "pk")
        .distinct()
    )
    reviewed = set(
        Review.objects.filter(reviewer=user, matter__in=matters).values_list("version_id", flat=True)
    )
    out = []
    for matter in matters:
        all_versions = list(matter.plan_versions.all())
        if not all_versions:
            continue
        latest = all_versions[-1]
        if latest.pk in reviewed:
            continue
        seen = [v for v in all_versions[:-1] if v.pk in reviewed]
        since = seen[-1] if seen else (all_versions[-2] if len(all_versions) > 1 else None)
        out.append(ReviewWaiting(matter, latest, since, diff(since, latest)))
    return out
