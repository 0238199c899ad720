"""Reads about regions for pages and the API."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Household, Level, Region, within


def roots() -> list[Region]:
    return list(Region.objects.filter(parent__isnull=True).order_by("name"))


@dataclass
class Landing:
    """The home page's region with what its page shows of the tree, read while finding it."""

    region: Region
    ancestors: list[Region]  # root first, the region itself left out
    children: list[Region]  # as region_page_context lists them


def _children_listed(region: Region) -> list[Region]:
    return list(region.children.annotate(n_children=Count("children")).order_by("code", "name"))


def landing_region() -> Landing | None:
    """The home page's region: the single root, and down while there is only one child (河北省 → 沧州市).

    Each step down reads the children as the region's page lists them, so the last read is that page's list
    and the regions passed on the way are its ancestors: finding the region costs no query its page would not.
    """
    found = roots()
    if len(found) != 1:
        return None
    region, above = found[0], []
    while True:
        children = _children_listed(region)
        if len(children) != 1:
            return Landing(region, above, children)
        above.append(region)
        region = children[0]


def region_page_context(
    region: Region, *, ancestors: list[Region] | None = None, children: list[Region] | None = None
) -> dict:
    """What a region's page shows; ``ancestors`` and ``children`` when the caller has read them already."""
    households = Household.objects.filter(within(region, "region"))
    return {
        "region": region,
        "ancestors": list(region.ancestors().exclude(pk=region.pk)) if ancestors is None else ancestors,
        "children": _children_listed(region) if children is None else children,
        "household_count": households.count() if region.level >= Level.STREET else None,
        "vacant_count": households.filter(occupancy="vacant").count()
        if region.level >= Level.COMPOUND
        else None,
        "units": list(region.units.order_by("name")) if region.level >= Level.COMMUNITY else [],
    }


def units_serving(region: Region):
    """Units that serve ``region`` or a region above it: the ones work there may be given to."""
    from .models import Unit

    return Unit.objects.filter(serves__pk__in=region.ancestor_ids).distinct().order_by("name")


# --- rules a region may change (DESIGN.md, "Rules and defaults") ----------------------------------------------
# A rule belongs to the app that applies it (the meetings' notice periods, the eight-step vote threshold). That
# app declares it with its default when Django starts (``declare_rules`` in its AppConfig.ready) and reads it
# with ``rule_for``; the region tree stores, lists and checks the rules without importing the apps above it.


@dataclass(frozen=True)
class RuleKey:
    key: str
    label: object  # lazy text
    kind: str  # "days": whole days 0–60 or None (no minimum); "fraction": [numerator, denominator]
    # What holds where no region has set the rule; left out of comparing and hashing (a fraction is a list).
    default: object = field(default=None, compare=False)
    default_source: str = field(default="", compare=False)


_declared: list[Callable[[], list[RuleKey]]] = []


def declare_rules(rules: Callable[[], list[RuleKey]]) -> None:
    """Add the rules an app lets a region set: ``rules()`` lists them with their defaults as they stand now."""
    if rules not in _declared:
        _declared.append(rules)


def known_rules() -> dict[str, RuleKey]:
    """Every rule a region may set, by key, in the order the apps declared them."""
    return {rule.key: rule for rules in _declared for rule in rules()}


def nearest_rule(region: Region, key: str):
    """The RegionRule for ``key`` set at ``region`` or its nearest ancestor, or None."""
    from .models import RegionRule

    return (
        RegionRule.objects.filter(region_id__in=region.ancestor_ids, key=key)
        .select_related("region")
        .order_by("-region__path")
        .first()
    )


def rule_for(region: Region | None, key: str, default) -> tuple[Any, str]:
    """(value, source) of ``key`` at ``region``: its own or its nearest ancestor's setting, else ``default``.

    ``default`` is the (value, source) pair that holds where no region has set the rule.
    """
    found = nearest_rule(region, key) if region is not None else None
    if found is None:
        return default
    return found.value, str(
        _("set by %(region)s: %(source)s") % {"region": found.region.name, "source": found.source}
    )


def rules_page_rows(region: Region) -> list[dict]:
    rows = []
    for rule in known_rules().values():
        found = nearest_rule(region, rule.key)
        default_value, default_source = rule.default, rule.default_source
        rows.append(
            {
                "rule": rule,
                "value": found.value if found else default_value,
                "source": found.source if found else default_source,
                "set_at": found.region if found else None,
                "default": default_value,
                "default_source": default_source,
            }
        )
    return rows
