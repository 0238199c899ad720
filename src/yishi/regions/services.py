"""Writes to the region tree, households and units. Each checks authority, validates and audits."""

import re
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused
from yishi.people.actors import Actor, person_of

from .codes import CodeError, code_belongs_under, normalize_code
from .models import PATH_WIDTH, Household, Level, Occupancy, Region, RegionRule, Unit, UnitKind
from .queries import known_rules


def path_for(parent: Region | None, pk: int) -> str:
    return (parent.path if parent else "") + str(pk).zfill(PATH_WIDTH)


def temporary_path() -> str:
    # Unique and not all digits, so it can never fall inside a real subtree range.
    return "t" + uuid.uuid4().hex


def clean_region_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise Refused(_("A name is required."), "name_required", field="name")
    if len(name) > 100:
        raise Refused(_("A name may have at most 100 characters."), "name_too_long", field="name")
    return name


def validate_region(*, parent: Region | None, level: int, name: str, code) -> tuple[str, str | None]:
    """Check a new region's place in the tree; return its cleaned name and code."""
    name = clean_region_name(name)
    if level not in Level.values:
        raise Refused(_("Unknown level."), "unknown_level", field="level")
    if parent is not None and level <= parent.level:
        raise Refused(
            _("A %(level)s cannot be placed under a %(parent)s.")
            % {"level": Level(level).label, "parent": parent.get_level_display()},
            "wrong_level",
            field="level",
        )
    try:
        code = normalize_code(code, level)
    except CodeError as exc:
        raise Refused(str(exc), "invalid_code", field="code") from exc
    if code and parent is not None and not code_belongs_under(code, parent.code, parent.level):
        raise Refused(
            _("The code %(code)s does not belong under %(parent)s (%(parent_code)s).")
            % {"code": code, "parent": parent.name, "parent_code": parent.code},
            "code_outside_parent",
            field="code",
        )
    return name, code


@transaction.atomic
def create_region(
    *,
    actor: Actor,
    parent: Region | None,
    level: int,
    name: str,
    code=None,
    rural: bool = False,
    description: str = "",
) -> Region:
    if parent is None:
        if actor is not None and not actor.is_superuser:
            raise Refused(
                _("Only the system administrator may create a top-level region."), Refused.FORBIDDEN
            )
    else:
        require(actor, "regions.manage_regions", parent)
    name, code = validate_region(parent=parent, level=level, name=name, code=code)
    if code and Region.objects.filter(code=code).exists():
        raise Refused(_("The code %(code)s is already in use.") % {"code": code}, "code_taken", field="code")
    if Region.objects.filter(parent=parent, name=name).exists():
        raise Refused(_("%(name)s already exists here.") % {"name": name}, "name_taken", field="name")
    region = Region.objects.create(
        parent=parent,
        level=level,
        name=name,
        code=code,
        rural=rural,
        description=description,
        path=temporary_path(),
    )
    region.path = path_for(parent, region.pk)
    Region.objects.filter(pk=region.pk).update(path=region.path)
    record(
        actor=actor,
        action=Action.REGIONS_CREATE_REGION,
        target=region,
        data={"parent": parent.pk if parent else None, "level": level, "code": code, "name": name},
    )
    return region


def bulk_insert_regions(rows: list[Region]) -> list[Region]:
    """Insert many regions whose parents are already saved, with their paths. No checks: callers validate."""
    for row in rows:
        row.path = temporary_path()
    created = Region.objects.bulk_create(rows, batch_size=2000)
    for row in created:
        row.path = path_for(row.parent, row.pk)
    Region.objects.bulk_update(created, ["path"], batch_size=2000)
    return created


def parse_area(raw) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        area = Decimal(str(raw).strip())
        if not area.is_finite():
            raise InvalidOperation
        area = area.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise Refused(
            _("The floor area must be a number of square metres."), "invalid_area", field="floor_area"
        ) from None
    if area <= 0 or area >= Decimal("100000"):
        raise Refused(
            _("The floor area must be between 0 and 100,000 m²."), "invalid_area", field="floor_area"
        )
    return area


@transaction.atomic
def create_household(
    *,
    actor: Actor,
    region: Region,
    room: str,
    unit: str = "",
    occupancy: str = Occupancy.OCCUPIED,
    floor_area=None,
) -> Household:
    require(actor, "regions.manage_households", region)
    if region.level not in (Level.BUILDING, Level.COMPOUND, Level.COMMUNITY):
        raise Refused(
            _("A household belongs to a building, compound or village."), "wrong_level", field="region"
        )
    room = " ".join(str(room or "").split())
    unit = " ".join(str(unit or "").split())
    if not room or len(room) > 20 or len(unit) > 20:
        raise Refused(_("A room number (up to 20 characters) is required."), "room_required", field="room")
    if occupancy not in Occupancy.values:
        raise Refused(_("Occupancy must be occupied or vacant."), "invalid_occupancy", field="occupancy")
    area = parse_area(floor_area)
    if Household.objects.filter(region=region, unit=unit, room=room).exists():
        raise Refused(_("This household is already recorded."), "household_exists", field="room")
    household = Household.objects.create(
        region=region, unit=unit, room=room, occupancy=occupancy, floor_area=area
    )
    record(
        actor=actor,
        action=Action.REGIONS_CREATE_HOUSEHOLD,
        target=household,
        data={"region": region.pk, "occupancy": occupancy},
    )
    return household


@transaction.atomic
def create_unit(
    *,
    actor: Actor,
    name: str,
    kind: str,
    home_region: Region,
    serves: Sequence[Region] = (),
    contact_phone: str = "",
) -> Unit:
    require(actor, "regions.manage_units", home_region)
    name = clean_region_name(name)
    if kind not in UnitKind.values:
        raise Refused(_("Unknown kind of unit."), "invalid_kind", field="kind")
    if Unit.objects.filter(name=name).exists():
        raise Refused(_("%(name)s already exists here.") % {"name": name}, "name_taken", field="name")
    contact_phone = " ".join((contact_phone or "").split())
    if contact_phone and not (
        re.fullmatch(r"[0-9+\- ]{7,20}", contact_phone) and len(re.sub(r"[^0-9]", "", contact_phone)) >= 7
    ):
        raise Refused(_("A contact phone has 7 to 20 digits."), "invalid_phone", field="contact_phone")
    unit = Unit.objects.create(name=name, kind=kind, home_region=home_region, contact_phone=contact_phone)
    for region in serves:
        require(actor, "regions.manage_units", region)
    unit.serves.set(serves)
    record(
        actor=actor,
        action=Action.REGIONS_CREATE_UNIT,
        target=unit,
        data={"kind": kind, "home_region": home_region.pk, "serves": [r.pk for r in serves]},
    )
    return unit


# --- the region's rules -------------------------------------------------------------------------------------------

MAX_NOTICE_DAYS = 60
MAX_DENOMINATOR = 100


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_rule_value(kind: str, value):
    if kind == "days":
        if value is None:
            return None
        if not _whole(value) or not 0 <= value <= MAX_NOTICE_DAYS:
            raise Refused(
                _("Notice days must be a whole number from 0 to 60, or none."), "invalid_value", field="value"
            )
        return value
    if kind == "fraction":
        if (
            not isinstance(value, list | tuple)
            or len(value) != 2
            or not all(_whole(v) for v in value)
            or not 1 <= value[1] <= MAX_DENOMINATOR
            or not 1 <= value[0] <= value[1]
        ):
            raise Refused(
                _("A threshold is a fraction n/d with 1 ≤ n ≤ d ≤ 100."), "invalid_value", field="value"
            )
        return [value[0], value[1]]
    raise Refused(_("Unknown rule."), "unknown_rule", field="key")


@transaction.atomic
def set_region_rule(*, actor: Actor, region: Region, key: str, value, source: str) -> RegionRule:
    """Set ``key`` at ``region`` (for it and everything below it). ``source`` says who decided and why."""
    require(actor, "regions.manage_rules", region)
    known = known_rules().get(key)
    if known is None:
        raise Refused(_("Unknown rule."), "unknown_rule", field="key")
    value = clean_rule_value(known.kind, value)
    source = " ".join((source or "").split())
    if not source:
        raise Refused(_("Say who decided this and why."), "source_required", field="source")
    if len(source) > 500:
        raise Refused(_("The source may have at most 500 characters."), "source_too_long", field="source")
    rule, _created = RegionRule.objects.update_or_create(
        region=region,
        key=key,
        defaults={"value": value, "source": source, "set_by": person_of(actor), "set_at": timezone.now()},
    )
    record(
        actor=actor,
        action=Action.REGIONS_SET_RULE,
        target=region,
        data={"key": key, "value": value, "source": source},
    )
    return rule
