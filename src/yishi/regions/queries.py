"""Reads about regions for pages and the API."""

from django.db.models import Count

from .models import Household, Level, Region, within


def roots() -> list[Region]:
    return list(Region.objects.filter(parent__isnull=True).order_by("name"))


def landing_region() -> Region | None:
    """The home page's region: the single root, and down while there is only one child (河北省 → 沧州市)."""
    found = roots()
    if len(found) != 1:
        return None
    region = found[0]
    while True:
        children = list(region.children.all()[:2])
        if len(children) != 1:
            return region
        region = children[0]


def region_page_context(region: Region) -> dict:
    children = list(region.children.annotate(n_children=Count("children")).order_by("code", "name"))
    households = Household.objects.filter(within(region, "region"))
    return {
        "region": region,
        "ancestors": list(region.ancestors().exclude(pk=region.pk)),
        "children": children,
        "household_count": households.count() if region.level >= Level.STREET else None,
        "vacant_count": households.filter(occupancy="vacant").count() if region.level >= Level.COMPOUND else None,
        "can_raise_here": region.level >= Level.COMMUNITY,
        "units": list(region.units.order_by("name")) if region.level >= Level.COMMUNITY else [],
    }


def units_serving(region: Region):
    """Units that serve ``region`` or a region above it: the ones work there may be given to."""
    from .models import Unit

    return Unit.objects.filter(serves__pk__in=region.ancestor_ids).distinct().order_by("name")
