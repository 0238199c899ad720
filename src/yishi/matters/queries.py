"""Reads about matters: scoped lists, similar matters, lookups that check authority."""

from django.db.models import Q
from django.http import Http404

from yishi.regions.models import Level, Region, within

from .models import Matter, Status, Support
from .similarity import cosine, grams

SIMILAR_THRESHOLD = 0.25
SIMILAR_CANDIDATES = 300


def community_of(region: Region) -> Region:
    if region.level <= Level.COMMUNITY:
        return region
    return region.ancestors().filter(level=Level.COMMUNITY).first() or region


def similar_matters(*, region: Region, text: str, limit: int = 5, exclude: Matter | None = None) -> list:
    """Open matters in the same community that read like ``text``, most alike first, with their score."""
    target = grams(text)
    candidates = (
        Matter.objects.filter(within(community_of(region), "region"), status__in=[Status.NEW, Status.OPEN])
        .only("pk", "title", "description", "supporter_count", "status", "raised_at")
        .order_by("-raised_at")[:SIMILAR_CANDIDATES]
    )
    scored = []
    for matter in candidates:
        if exclude is not None and matter.pk == exclude.pk:
            continue
        score = cosine(target, grams(f"{matter.title} {matter.title} {matter.description}"))
        if score >= SIMILAR_THRESHOLD:
            scored.append((matter, round(score, 2)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def public_matters(region: Region):
    """Matters anyone may read: everything at or below ``region`` (back-to-back submitters are hidden by presenters)."""
    return (
        Matter.objects.filter(within(region, "region"))
        .select_related("region", "category")
        .order_by("-raised_at", "-pk")
    )


def get_matter(pk: int) -> Matter:
    """Matters are public: any existing matter may be read. Acting on it is checked by the services."""
    try:
        return Matter.objects.select_related("region", "category", "submitter").get(pk=pk)
    except Matter.DoesNotExist:
        raise Http404 from None


def to_screen(user):
    """New matters waiting for screening where ``user`` screens."""
    from yishi.access.queries import regions_where

    scope = regions_where(user, "matters.screen_matter")
    return (
        Matter.objects.filter(status=Status.NEW, region__in=scope)
        .select_related("region", "category")
        .order_by("raised_at", "pk")
    )


def waiting_on(user):
    """Open matters whose current step enables something ``user`` may do, oldest in its step first."""
    from yishi.access.queries import holding_roles
    from yishi.access.roles import ACTIONS
    from yishi.procedures.definitions import PROCEDURES

    pairs = []
    for action in ACTIONS:
        if not action.startswith("procedures."):
            continue
        for assignment in holding_roles(user, action):
            steps = [
                (p.key, s.key)
                for p in PROCEDURES.values()
                for s in p.steps
                if action in s.actions or action == "procedures.advance"
            ]
            pairs.append((assignment.region, steps))
    if not pairs:
        return Matter.objects.none()
    q = Q()
    for region, steps in pairs:
        step_q = Q()
        for procedure_key, step_key in steps:
            step_q |= Q(procedure_key=procedure_key, step_key=step_key)
        q |= within(region, "region") & step_q
    return (
        Matter.objects.filter(q, status=Status.OPEN)
        .select_related("region", "category")
        .order_by("step_since", "pk")
        .distinct()
    )


def mine(user):
    """Matters ``user`` raised or supports (a back-to-back matter is theirs to follow too)."""
    # A subquery, not a join: a join repeats the matter per support and needs DISTINCT over every column.
    supported = Support.objects.filter(person=user).values("matter")
    return (
        Matter.objects.filter(Q(submitter=user) | Q(pk__in=supported))
        .select_related("region", "category")
        .order_by("-raised_at", "-pk")
    )


def matter_numbered(number: int | None, *, field: str) -> Matter | None:
    """The matter a person typed the number of into a form (None when left empty), or a refusal on ``field``."""
    from django.utils.translation import gettext_lazy as _

    from yishi.errors import Refused

    if not number:
        return None
    matter = Matter.objects.select_related("region").filter(pk=number).first()
    if matter is None:
        raise Refused(_("There is no matter with that number."), "unknown_matter", field=field)
    return matter
