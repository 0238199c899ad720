"""Importing a compound's household roster (.xlsx)."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests import builders
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.people.models import HouseholdClaim, Membership, Person, Relation
from yishi.regions import household_import
from yishi.regions.household_import import import_households
from yishi.regions.models import Household, Level, Occupancy, Region
from yishi.regions.services import create_region
from yishi.regions.workbooks import ImportRejected

HEADER = ["楼栋", "单元", "房号", "户号", "居住状态", "建筑面积", "户主姓名", "户主手机"]


def xlsx(rows, header=HEADER) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (header, *rows):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def rejected(compound, rows, **kwargs) -> list:
    with pytest.raises(ImportRejected) as info:
        import_households(actor=None, compound=compound, file=xlsx(rows, **kwargs))
    return info.value.issues


def only_issue(issues):
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def counts():
    return (
        Region.objects.count(),
        Household.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def t(db):
    return builders.tree()


# --- success ----------------------------------------------------------------------------------------------


def test_a_roster_adds_buildings_households_and_their_heads(t):
    neighbour = builders.person("李四", phone="13912340002")
    rows = [
        ("1号楼", "1", "101", "WT-0101", "常住", 89.5, "张三", "139 1234 0001"),
        ("1号楼", "1", "102", "WT-0102", "空房", "76.20㎡", None, None),
        ("2号楼", 2, 301, None, "常住", None, "李四", "13912340002"),
        ("2号楼", 2, 302, None, "常住", 100, "王五", None),
    ]
    result = import_households(actor=None, compound=t.compound, file=xlsx(rows))

    assert (result.rows, result.households_created, result.households_updated) == (4, 4, 0)
    assert result.buildings_created == ["2号楼"]
    assert result.heads_named == 3  # 张三 and 王五 new, 李四 registered: asked, not linked
    building2 = Region.objects.get(parent=t.compound, name="2号楼")
    assert building2.level == Level.BUILDING and t.compound.contains(building2)
    first = Household.objects.get(region=t.building, unit="1", room="101")
    assert (first.occupancy, first.floor_area) == (Occupancy.OCCUPIED, Decimal("89.50"))
    vacant = Household.objects.get(region=t.building, unit="1", room="102")
    assert (vacant.occupancy, vacant.floor_area) == (Occupancy.VACANT, Decimal("76.20"))
    assert Household.objects.get(region=building2, unit="2", room="301").floor_area is None

    zhang = Person.objects.get(phone="13912340001")
    assert zhang.name == "张三" and not zhang.has_usable_password()
    head = Membership.objects.get(person=zhang)
    assert (head.household_id, head.is_head, head.relation) == (first.pk, True, Relation.OWNER)
    assert not Membership.objects.filter(person=neighbour).exists()
    assert HouseholdClaim.objects.get(person=neighbour, answered_at=None).household.room == "301"
    assert Person.objects.get(name="王五").phone is None
    assert not Membership.objects.filter(household=vacant).exists()


def test_an_existing_household_is_updated_not_duplicated(t):
    household = builders.household(t.building, room="101", unit="1", floor_area="80")
    old_head = builders.person("旧户主", phone="13912340010")
    Membership.objects.create(person=old_head, household=household, relation=Relation.OWNER, is_head=True)
    rows = [("1号楼", "1", "101", None, "空房", 82, "新户主", "13912340011")]

    result = import_households(actor=None, compound=t.compound, file=xlsx(rows))

    assert (result.households_created, result.households_updated, result.households_unchanged) == (0, 1, 0)
    assert Household.objects.filter(region=t.building, unit="1", room="101").count() == 1
    household.refresh_from_db()
    assert (household.occupancy, household.floor_area) == (Occupancy.VACANT, Decimal("82.00"))
    heads = Membership.objects.filter(household=household, is_head=True)
    assert [m.person.phone for m in heads] == ["13912340011"]
    assert Membership.objects.filter(household=household, person=old_head, is_head=False).exists()


def test_importing_the_same_roster_again_changes_nothing(t):
    rows = [
        ("1号楼", "1", "101", None, "常住", 89.5, "张三", "13912340001"),
        ("3号楼", "1", "101", None, "常住", None, "赵六", None),
    ]
    import_households(actor=None, compound=t.compound, file=xlsx(rows))
    before = counts()[:4]

    again = import_households(actor=None, compound=t.compound, file=xlsx(rows))

    assert (again.households_created, again.households_updated, again.households_unchanged) == (0, 0, 2)
    assert (again.heads_named, again.buildings_created) == (0, [])
    assert counts()[:4] == before


def test_a_blank_area_keeps_the_recorded_one(t):
    household = builders.household(t.building, room="101", unit="1", floor_area="80")
    import_households(
        actor=None, compound=t.compound, file=xlsx([("1号楼", "1", "101", None, "常住", None, None, None)])
    )
    household.refresh_from_db()
    assert household.floor_area == Decimal("80.00")


def test_a_phone_without_a_name_reuses_the_name_given_elsewhere_in_the_file(t):
    rows = [
        ("1号楼", "1", "101", None, "常住", None, None, "13912340001"),
        ("1号楼", "1", "102", None, "常住", None, "张三", "13912340001"),
    ]
    result = import_households(actor=None, compound=t.compound, file=xlsx(rows))
    assert result.heads_named == 2 and Person.objects.filter(phone="13912340001").count() == 1
    assert Membership.objects.filter(person__phone="13912340001", is_head=True).count() == 2


def test_households_without_buildings_belong_to_the_compound(t):
    import_households(
        actor=None, compound=t.compound, file=xlsx([(None, None, "平房3", None, "常住", None, None, None)])
    )
    assert Household.objects.get(room="平房3").region_id == t.compound.pk


def test_a_village_takes_a_roster_too(t):
    village = create_region(
        actor=None, parent=t.street, level=Level.COMMUNITY, name="李庄村", code="130903001201", rural=True
    )
    import_households(
        actor=None, compound=village, file=xlsx([(None, None, "8号", None, "常住", None, None, None)])
    )
    assert Household.objects.get(room="8号").region_id == village.pk


def test_one_audit_entry_holds_counts_and_nothing_personal(t):
    before = AuditEntry.objects.count()
    rows = [("1号楼", "1", "101", "WT-0101", "常住", 89.5, "张三", "13912340001")]
    import_households(actor=None, compound=t.compound, file=xlsx(rows))
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "regions.import_households"
    assert (entry.target_type, entry.target_id) == ("regions.region", str(t.compound.pk))
    assert entry.data == {
        "rows": 1,
        "households_created": 1,
        "households_updated": 0,
        "households_unchanged": 0,
        "buildings_created": 0,
        "heads_named": 1,
    }
    clear = json.dumps(entry.data, ensure_ascii=False)
    assert "张三" not in clear and "13912340001" not in clear
    assert entry.personal_digest


def test_names_with_script_tags_are_stored_as_typed(t):
    name = "<script>alert(1)</script>"
    rows = [(f"{name}楼", "1", "101", None, "常住", None, name, "13912340001")]
    import_households(actor=None, compound=t.compound, file=xlsx(rows))
    assert Person.objects.get(phone="13912340001").name == name
    assert Region.objects.filter(parent=t.compound, name=f"{name}楼").exists()


def test_committee_members_import_into_a_compound_of_their_community(t):
    committee = builders.person("社区书记")
    builders.role(committee, "committee", t.community)
    result = import_households(
        actor=committee,
        compound=t.compound,
        file=xlsx([("1号楼", "1", "101", None, "常住", None, None, None)]),
    )
    assert result.households_created == 1


# --- authority and target -------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["sibling", "resident"])
def test_others_may_not_import_a_roster(t, where):
    actor = builders.person("别人")
    if where == "sibling":
        builders.role(actor, "committee", t.sibling)
    else:
        builders.role(actor, "resident", t.community)
    with pytest.raises(Refused) as info:
        import_households(actor=actor, compound=t.compound, file=xlsx([("1号楼", "1", "101", None, "常住")]))
    assert info.value.code == Refused.FORBIDDEN


def test_a_roster_is_not_imported_into_an_urban_community(t):
    with pytest.raises(Refused) as info:
        import_households(actor=None, compound=t.community, file=xlsx([("1号楼", "1", "101", None, "常住")]))
    assert info.value.code == "wrong_level"


# --- bad rows ---------------------------------------------------------------------------------------------


def test_a_household_number_in_two_buildings_is_reported(t):
    rows = [("1号楼", "1", "101", "WT-0101", "常住"), ("2号楼", "1", "101", "WT-0101", "常住")]
    issue = only_issue(rejected(t.compound, rows, header=HEADER[:5]))
    assert (issue.row, issue.column, issue.code) == (3, "户号", "household_in_two_buildings")
    assert "WT-0101" in issue.reason and "1号楼" in issue.reason


def test_the_same_dwelling_twice_in_the_file_is_reported(t):
    rows = [("1号楼", "1", "101", None, "常住"), ("1号楼", 1, 101, None, "空房")]
    issue = only_issue(rejected(t.compound, rows, header=HEADER[:5]))
    assert (issue.row, issue.column, issue.code) == (3, "房号", "repeated_dwelling")
    assert "2" in issue.reason


@pytest.mark.parametrize("phone", ["1391234", "23912340001", "139-1234-00011", "电话"])
def test_a_malformed_phone_is_reported(t, phone):
    issue = only_issue(rejected(t.compound, [("1号楼", "1", "101", None, "常住", None, "张三", phone)]))
    assert (issue.row, issue.column, issue.code) == (2, "户主手机", "invalid_phone")


@pytest.mark.parametrize("area", ["八十", "-5", "0", "12,5", "1000000"])
def test_a_bad_area_is_reported(t, area):
    issue = only_issue(rejected(t.compound, [("1号楼", "1", "101", None, "常住", area)], header=HEADER[:6]))
    assert (issue.row, issue.column, issue.code) == (2, "建筑面积", "invalid_area")


@pytest.mark.parametrize("occupancy", ["出租", "半年", ""])
def test_an_unknown_occupancy_is_reported(t, occupancy):
    issue = only_issue(rejected(t.compound, [("1号楼", "1", "101", None, occupancy)], header=HEADER[:5]))
    assert (issue.row, issue.column, issue.code) == (2, "居住状态", "invalid_occupancy")


def test_english_occupancy_keys_are_accepted(t):
    rows = [("1号楼", "1", "101", None, "vacant")]
    import_households(actor=None, compound=t.compound, file=xlsx(rows, header=HEADER[:5]))
    assert Household.objects.get(room="101").occupancy == Occupancy.VACANT


def test_a_missing_room_is_reported(t):
    issue = only_issue(rejected(t.compound, [("1号楼", "1", None, None, "常住")], header=HEADER[:5]))
    assert (issue.row, issue.column, issue.code) == (2, "房号", "room_required")


def test_a_new_head_needs_a_name(t):
    issue = only_issue(rejected(t.compound, [("1号楼", "1", "101", None, "常住", None, None, "13912340001")]))
    assert (issue.row, issue.column, issue.code) == (2, "户主姓名", "name_required")


def test_a_phone_given_with_two_names_is_reported(t):
    rows = [
        ("1号楼", "1", "101", None, "常住", None, "张三", "13912340001"),
        ("1号楼", "1", "102", None, "常住", None, "张叁", "13912340001"),
    ]
    issue = only_issue(rejected(t.compound, rows))
    assert (issue.row, issue.column, issue.code) == (3, "户主姓名", "phone_two_names")


def test_a_too_long_head_name_is_reported(t):
    issue = only_issue(rejected(t.compound, [("1号楼", "1", "101", None, "常住", None, "名" * 51, None)]))
    assert (issue.row, issue.column, issue.code) == (2, "户主姓名", "name_too_long")


def test_every_problem_is_listed_with_its_row_and_column(t):
    rows = [
        ("1号楼", "1", "101", None, "常住", "abc", None, "123"),
        ("1号楼", "1", "102", None, "住", None, None, None),
        ("1号楼", "1", "101", None, "常住", None, None, None),
    ]
    issues = rejected(t.compound, rows)
    assert [(i.row, i.column) for i in issues] == [
        (2, "建筑面积"),
        (2, "户主手机"),
        (3, "居住状态"),
        (4, "房号"),
    ]


def test_nothing_is_saved_when_one_row_is_bad(t):
    before = counts()
    good = [("9号楼", "1", f"{n}01", None, "常住", 90, f"住户{n}", f"139123401{n:02d}") for n in range(1, 30)]
    issue = only_issue(
        rejected(t.compound, [*good, ("9号楼", "2", "101", None, "常住", None, None, "12345")])
    )
    assert issue.row == 31
    assert counts() == before


def test_missing_headers_are_named(t):
    with pytest.raises(ImportRejected) as info:
        import_households(
            actor=None, compound=t.compound, file=xlsx([("1号楼", "101")], header=["楼栋", "房号"])
        )
    assert [(i.column, i.code) for i in info.value.issues] == [("居住状态", "missing_column")]


def test_a_text_file_is_refused(t):
    with pytest.raises(Refused) as info:
        import_households(actor=None, compound=t.compound, file=io.BytesIO("楼栋,房号\n1号楼,101\n".encode()))
    assert info.value.code == "not_xlsx"


# --- template and command -------------------------------------------------------------------------------------


def test_the_template_opens_with_the_headers_an_example_and_notes():
    workbook = openpyxl.load_workbook(io.BytesIO(household_import.household_template()))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert [c.value for c in sheet[2]][4] == "常住"
    assert workbook.sheetnames[-1] == "说明"


def test_the_templates_example_row_is_not_imported_as_a_real_household(t):
    template = openpyxl.load_workbook(io.BytesIO(household_import.household_template())).worksheets[0]
    rows = [[c.value for c in template[2]], ("1号楼", "1", "101", None, "常住", None, None, None)]
    issues = rejected(t.compound, rows)
    assert [(i.row, i.column, i.code) for i in issues] == [(2, "", "example_row")]
    assert not Person.objects.filter(phone="13800138000").exists()


def test_the_command_imports_a_roster_by_region_id(t, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([("1号楼", "1", "101", None, "常住")], header=HEADER[:5]).getvalue())
    out = io.StringIO()
    call_command("import_households", str(t.compound.pk), str(path), stdout=out)
    assert Household.objects.filter(region=t.building, room="101").exists()
    assert "1" in out.getvalue()


def test_the_command_prints_the_problems_and_fails(t, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([("1号楼", "1", "101", None, "常住", None, "张三", "123")]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_households", f"id:{t.compound.pk}", str(path), stdout=out)
    assert "2\t户主手机\t" in out.getvalue()
    assert not Household.objects.filter(room="101").exists()
