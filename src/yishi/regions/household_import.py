"""Importing a compound's household roster (.xlsx): buildings, households and their heads, each row checked on
its own and the file as a whole, then compared with what the compound holds and written in one transaction,
or nothing (``workbooks`` reads the file).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused
from yishi.people.actors import Actor
from yishi.people.models import Membership, Person, Relation
from yishi.people.phones import normalize_phone
from yishi.people.services import claim_heads, clean_name

from .models import Household, Level, Occupancy, Region
from .services import bulk_insert_regions, clean_region_name, parse_area, validate_region
from .workbooks import (
    COMMON_NOTES,
    Column,
    ImportRejected,
    Issue,
    RowReader,
    Table,
    build_template,
    changed_meanwhile,
    chunks,
    read_table,
)

HOUSEHOLD_COLUMNS = (
    Column(
        "building",
        "楼栋",
        True,
        _(
            "The building's name, e.g. 1号楼. A building not yet recorded is added to the "
            "compound. Leave it empty where the compound has no buildings."
        ),
        aliases=("楼号", "楼栋号"),
        example="1号楼",
        width=12,
    ),
    Column(
        "unit",
        "单元",
        False,
        _("The entrance (单元), e.g. 2; may be empty."),
        aliases=("单元号", "entrance"),
        example="2",
        width=8,
    ),
    Column(
        "room",
        "房号",
        True,
        _("The room number, e.g. 301 (up to 20 characters)."),
        aliases=("房间号", "门牌号"),
        example="301",
        width=10,
    ),
    Column(
        "number",
        "户号",
        False,
        _("The household number, if the office keeps one. One household cannot be in two buildings."),
        aliases=("household number",),
        example="WT-0301",
        width=12,
    ),
    Column(
        "occupancy",
        "居住状态",
        True,
        _("常住 (lived in) or 空房 (vacant)."),
        aliases=("occupancy",),
        example="常住",
        width=10,
        choices=("常住", "空房"),
    ),
    Column(
        "area",
        "建筑面积",
        False,
        _("Floor area in square metres, e.g. 89.5; may be empty."),
        aliases=("面积", "floor area", "area"),
        example="89.5",
        width=10,
    ),
    Column(
        "head_name",
        "户主姓名",
        False,
        _("The head of household's name; may be empty."),
        aliases=("户主", "head name"),
        example="张三",
        width=12,
    ),
    Column(
        "head_phone",
        "户主手机",
        False,
        _(
            "The head of household's mobile number. A person already registered "
            "with this number is linked (their name is not changed); otherwise "
            "they are registered."
        ),
        aliases=("户主电话", "手机号", "head phone"),
        example="13800138000",
        width=14,
    ),
)

HOUSEHOLD_NOTES = (
    *COMMON_NOTES,
    _("A household already recorded (same building, entrance and room) is updated, not added twice."),
)

OCCUPANCY_WORDS = {
    "常住": Occupancy.OCCUPIED,
    "空房": Occupancy.VACANT,
    **{value: value for value in Occupancy.values},
}
AREA_UNITS = re.compile(r"\s*(㎡|m²|m2|平方米|平米)$", re.IGNORECASE)


def check_household_target(region: Region) -> None:
    """A roster belongs to a compound, or to a village that has no compounds."""
    if region.level == Level.COMPOUND or (region.level == Level.COMMUNITY and region.rural):
        return
    raise Refused(_("A household roster is imported into a compound (小区) or a village."), "wrong_level")


@dataclass(eq=False)
class HouseholdRow:
    row: int
    building: str = ""
    unit: str = ""
    room: str = ""
    number: str = ""
    occupancy: str = ""
    area: Decimal | None = None
    head_name: str = ""
    head_phone: str | None = None
    ok: bool = True


def parse_household_rows(table: Table) -> tuple[list[HouseholdRow], list[Issue]]:
    """Check each row on its own, then the file as a whole (a dwelling twice, a household in two buildings)."""
    issues: list[Issue] = []
    rows: list[HouseholdRow] = []
    for number, values in table.rows:
        if table.is_example(values):
            issues.append(table.example_issue(number))
            rows.append(HouseholdRow(number, ok=False))
            continue
        cells = RowReader(table, number, values, issues)
        row = HouseholdRow(number)
        building = cells.text("building")
        if building:
            try:
                row.building = clean_region_name(building)
            except Refused as exc:
                cells.fail("building", exc.reason, exc.code)
        row.unit = cells.text("unit")
        if len(row.unit) > 20:
            cells.fail("unit", _("An entrance has at most 20 characters."), "invalid_unit")
        row.room = cells.text("room")
        if not row.room or len(row.room) > 20:
            cells.fail("room", _("A room number (up to 20 characters) is required."), "room_required")
        row.number = cells.text("number")
        if len(row.number) > 50:
            cells.fail("number", _("A household number has at most 50 characters."), "invalid_number")
        occupancy = cells.text("occupancy")
        if occupancy.lower() in OCCUPANCY_WORDS:
            row.occupancy = OCCUPANCY_WORDS[occupancy.lower()]
        elif not occupancy:
            cells.fail("occupancy", _("The occupancy is missing: write 常住 or 空房."), "invalid_occupancy")
        else:
            cells.fail(
                "occupancy",
                _("Unknown occupancy %(value)s: write 常住 or 空房.") % {"value": occupancy},
                "invalid_occupancy",
            )
        area = AREA_UNITS.sub("", cells.text("area"))
        try:
            row.area = parse_area(area)
        except Refused as exc:
            cells.fail("area", exc.reason, exc.code)
        head_name = cells.text("head_name")
        if head_name:
            try:
                row.head_name = clean_name(head_name)
            except Refused as exc:
                cells.fail("head_name", exc.reason, exc.code)
        phone = cells.text("head_phone")
        if phone:
            try:
                row.head_phone = normalize_phone(phone)
            except ValidationError as exc:
                cells.fail("head_phone", exc.messages[0], "invalid_phone")
        row.ok = cells.ok
        rows.append(row)
    _check_household_file(rows, table, issues)
    return rows, issues


def _check_household_file(rows: list[HouseholdRow], table: Table, issues: list[Issue]) -> None:
    dwellings: dict[tuple[str, str, str], HouseholdRow] = {}
    numbers: dict[str, HouseholdRow] = {}
    phones: dict[str, HouseholdRow] = {}

    def fail(row: HouseholdRow, key: str, reason, code: str) -> None:
        issues.append(table.issue(row.row, key, reason, code))
        row.ok = False

    for row in rows:
        if row.room:
            first = dwellings.setdefault((row.building, row.unit, row.room), row)
            if first is not row:
                fail(
                    row,
                    "room",
                    _(
                        "The same dwelling (building %(building)s, entrance %(unit)s, room %(room)s) "
                        "is also in row %(row)s."
                    )
                    % {
                        "building": row.building or "-",
                        "unit": row.unit or "-",
                        "room": row.room,
                        "row": first.row,
                    },
                    "repeated_dwelling",
                )
        if row.number:
            first = numbers.setdefault(row.number, row)
            if first.building != row.building:
                fail(
                    row,
                    "number",
                    _(
                        "Household %(number)s is also in row %(row)s, in building %(building)s: "
                        "a household cannot be in two buildings."
                    )
                    % {"number": row.number, "row": first.row, "building": first.building or "-"},
                    "household_in_two_buildings",
                )
        if row.head_phone and row.head_name:
            first = phones.setdefault(row.head_phone, row)
            if first.head_name != row.head_name:
                fail(
                    row,
                    "head_name",
                    _("The same mobile number is given with another name in row %(row)s.")
                    % {"row": first.row},
                    "phone_two_names",
                )


@dataclass
class HouseholdImportResult:
    rows: int
    households_created: int
    households_updated: int
    households_unchanged: int
    buildings_created: list[str]
    # Heads named by the roster, new or already registered alike: the answer does not tell the importer which
    # numbers are registered. A registered person is asked to confirm (``people.services.claim_heads``).
    heads_named: int

    def as_data(self) -> dict:
        return {
            "rows": self.rows,
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "households_unchanged": self.households_unchanged,
            "buildings_created": len(self.buildings_created),
            "heads_named": self.heads_named,
        }


@dataclass
class _HouseholdPlan:
    buildings: dict[str, Region]  # name -> building (recorded or new); "" -> the compound itself
    new_buildings: list[Region] = field(default_factory=list)
    new_households: list[tuple[HouseholdRow, Household]] = field(default_factory=list)
    changed_households: list[Household] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0
    members: dict[int, list[Membership]] = field(default_factory=dict)  # recorded household id -> members
    new_people: dict[str, Person] = field(default_factory=dict)  # phone, or "row:N" without one -> person
    heads: list[tuple[Household, "Person | str"]] = field(
        default_factory=list
    )  # a person or a new_people key
    claims: list[tuple[Household, Person]] = field(default_factory=list)  # registered people, to be asked


def _plan_buildings(
    compound: Region, rows: list[HouseholdRow], table: Table, issues: list[Issue]
) -> _HouseholdPlan:
    plan = _HouseholdPlan(buildings={"": compound})
    children = {c.name: c for c in Region.objects.filter(parent=compound)}
    refused: set[str] = set()
    for row in rows:
        if not row.ok or row.building in plan.buildings:
            continue
        if row.building in refused:
            row.ok = False  # reported at its first row
            continue
        child = children.get(row.building)
        reason = None
        if child is not None and child.level != Level.BUILDING:
            reason, code = (
                _("%(name)s is a %(level)s, not a building.")
                % {"name": child.name, "level": child.kind_label},
                "not_a_building",
            )
        elif child is not None:
            plan.buildings[row.building] = child
        else:
            try:
                name, _code = validate_region(
                    parent=compound, level=Level.BUILDING, name=row.building, code=None
                )
            except Refused as exc:
                reason, code = exc.reason, exc.code
            else:
                building = Region(parent=compound, level=Level.BUILDING, name=name)
                plan.buildings[row.building] = building
                plan.new_buildings.append(building)
        if reason is not None:
            issues.append(table.issue(row.row, "building", reason, code))
            row.ok = False
            refused.add(row.building)
    return plan


def _plan_households(
    compound: Region, rows: list[HouseholdRow], table: Table, issues: list[Issue]
) -> _HouseholdPlan:
    plan = _plan_buildings(compound, rows, table, issues)
    recorded_ids = sorted({b.pk for b in plan.buildings.values() if b.pk})
    households: dict[tuple[int, str, str], Household] = {}
    for chunk in chunks(recorded_ids):
        for h in Household.objects.filter(region_id__in=chunk):
            households[(h.region_id, h.unit, h.room)] = h
    phones = sorted({r.head_phone for r in rows if r.ok and r.head_phone})
    people_by_phone: dict[str, Person] = {}
    for chunk in chunks(phones):
        people_by_phone.update((p.phone, p) for p in Person.objects.filter(phone__in=chunk))
    names_by_phone = {r.head_phone: r.head_name for r in rows if r.ok and r.head_phone and r.head_name}

    def recorded(row: HouseholdRow) -> Household | None:
        building = plan.buildings[row.building]
        return households.get((building.pk, row.unit, row.room)) if building.pk else None

    matched = sorted(h.pk for h in (recorded(r) for r in rows if r.ok) if h is not None)
    for chunk in chunks(matched):
        for m in Membership.objects.filter(household_id__in=chunk).select_related("person"):
            plan.members.setdefault(m.household_id, []).append(m)

    for row in rows:
        if not row.ok:
            continue
        household = recorded(row)
        changed = False
        if household is None:
            household = Household(unit=row.unit, room=row.room, occupancy=row.occupancy, floor_area=row.area)
            plan.new_households.append((row, household))
        else:
            if household.occupancy != row.occupancy:
                household.occupancy = row.occupancy
                changed = True
            if row.area is not None and household.floor_area != row.area:
                household.floor_area = row.area
                changed = True
            if changed:
                plan.changed_households.append(household)
        current = plan.members.get(household.pk, []) if household.pk else []
        head = _plan_head(row, current, people_by_phone, names_by_phone, plan)
        if head is _MISSING_NAME:
            issues.append(
                table.issue(
                    row.row,
                    "head_name",
                    _(
                        "The head of household is not registered yet: give their name as well as the mobile number."
                    ),
                    "name_required",
                )
            )
            row.ok = False
            continue
        if isinstance(head, Person) and not any(m.person_id == head.pk for m in current):
            plan.claims.append((household, head))  # registered: asked, not linked; the household is unchanged
        elif head is not None:
            plan.heads.append((household, head))
            changed = True
        if household.pk:
            if changed:
                plan.updated += 1
            else:
                plan.unchanged += 1
    return plan


_MISSING_NAME = object()


def _plan_head(
    row: HouseholdRow, current: list[Membership], people_by_phone, names_by_phone, plan: _HouseholdPlan
):
    """Who becomes head of the row's household: a person, the key of a person to register, or None (no change)."""
    if not row.head_phone and not row.head_name:
        return None
    head = next((m for m in current if m.is_head), None)
    if row.head_phone:
        person = people_by_phone.get(row.head_phone)
        if person is None:
            name = row.head_name or names_by_phone.get(row.head_phone)
            if not name:
                return _MISSING_NAME
            plan.new_people.setdefault(row.head_phone, Person(phone=row.head_phone, name=name))
            return row.head_phone
        if head is not None and head.person_id == person.pk and head.relation == Relation.OWNER:
            return None
        return person
    if head is not None and head.person.name == row.head_name:
        return None  # the same head, recorded without a phone
    key = f"row:{row.row}"
    plan.new_people[key] = Person(phone=None, name=row.head_name)
    return key


def _apply_household_plan(rows: list[HouseholdRow], plan: _HouseholdPlan) -> HouseholdImportResult:
    bulk_insert_regions(plan.new_buildings)
    for row, household in plan.new_households:
        household.region = plan.buildings[row.building]
    Household.objects.bulk_create([h for _row, h in plan.new_households], batch_size=1000)
    if plan.changed_households:
        Household.objects.bulk_update(plan.changed_households, ["occupancy", "floor_area"], batch_size=500)
    new_people = list(plan.new_people.values())
    for person in new_people:
        person.set_unusable_password()
    Person.objects.bulk_create(new_people, batch_size=1000)

    demote: list[int] = []
    promote: list[int] = []
    create: list[Membership] = []
    for household, head in plan.heads:
        person = plan.new_people[head] if isinstance(head, str) else head
        mine = None
        for m in plan.members.get(household.pk, []) if household.pk else []:
            if m.person_id == person.pk:
                mine = m
            elif m.is_head:
                demote.append(m.pk)
        if mine is None:
            create.append(
                Membership(household=household, person=person, relation=Relation.OWNER, is_head=True)
            )
        else:
            promote.append(mine.pk)
    for chunk in chunks(demote):
        Membership.objects.filter(pk__in=chunk).update(is_head=False)
    for chunk in chunks(promote):
        Membership.objects.filter(pk__in=chunk).update(is_head=True, relation=Relation.OWNER)
    Membership.objects.bulk_create(create, batch_size=1000)
    return HouseholdImportResult(
        rows=len(rows),
        households_created=len(plan.new_households),
        households_updated=plan.updated,
        households_unchanged=plan.unchanged,
        buildings_created=[b.name for b in plan.new_buildings],
        heads_named=len(plan.heads) + len(plan.claims),
    )


def import_households(*, actor: Actor, compound: Region, file) -> HouseholdImportResult:
    """Import a compound's household roster (.xlsx): buildings, households and their heads."""
    require(actor, "regions.import_households", compound)
    check_household_target(compound)
    table = read_table(file, HOUSEHOLD_COLUMNS)
    rows, issues = parse_household_rows(table)
    try:
        with transaction.atomic():
            plan = _plan_households(compound, rows, table, issues)
            if issues:
                raise ImportRejected(issues)
            result = _apply_household_plan(rows, plan)
            claim_heads(by=actor, claims=plan.claims)
            registered = sorted([p.name, p.phone or ""] for p in plan.new_people.values())
            record(
                actor=actor,
                action=Action.REGIONS_IMPORT_HOUSEHOLDS,
                target=compound,
                data=result.as_data(),
                personal={"registered": registered} if registered else None,
            )
    except IntegrityError as exc:
        raise changed_meanwhile() from exc
    return result


def household_template() -> bytes:
    return build_template(HOUSEHOLD_COLUMNS, "住户", list(HOUSEHOLD_NOTES))
