"""Importing the region tree from the official division-code list (.xlsx)."""

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests import builders
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.regions import region_import
from yishi.regions.models import Level, Region
from yishi.regions.region_import import import_regions, parse_level
from yishi.regions.workbooks import ImportRejected

HEADER = ["代码", "名称", "级别", "上级代码"]


def xlsx(rows, header=HEADER, title_rows=()) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (*title_rows, header, *rows):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def rejected(root, rows, **kwargs) -> list:
    with pytest.raises(ImportRejected) as info:
        import_regions(actor=None, root=root, file=xlsx(rows, **kwargs))
    return info.value.issues


def only_issue(issues):
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


@pytest.fixture
def t(db):
    return builders.tree()


# --- pure: level words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "level", "village"),
    [
        ("省", Level.PROVINCE, False),
        ("市", Level.CITY, False),
        ("区县", Level.DISTRICT, False),
        ("区", Level.DISTRICT, False),
        ("县", Level.DISTRICT, False),
        ("街道乡镇", Level.STREET, False),
        ("街道", Level.STREET, False),
        ("乡", Level.STREET, False),
        ("镇", Level.STREET, False),
        ("社区村", Level.COMMUNITY, False),
        ("社区", Level.COMMUNITY, False),
        ("村", Level.COMMUNITY, True),
        ("小区", Level.COMPOUND, False),
        ("楼栋", Level.BUILDING, False),
        ("乡级", Level.STREET, False),
        ("村级", Level.COMMUNITY, True),
        ("community", Level.COMMUNITY, False),
        ("Street", Level.STREET, False),
        ("building", Level.BUILDING, False),
        ("village", Level.COMMUNITY, True),
    ],
)
def test_level_words_offices_use_and_english_keys_are_understood(word, level, village):
    assert parse_level(word) == (level, village)


@pytest.mark.parametrize("word", ["", "大队", "组", "level 5"])
def test_unknown_level_words_are_not_guessed(word):
    assert parse_level(word) is None


def test_village_is_a_village_word_or_a_community_named_village():
    assert region_import.is_village(Level.COMMUNITY, True, "东关")
    assert region_import.is_village(Level.COMMUNITY, False, "东关村")
    assert region_import.is_village(Level.COMMUNITY, False, "东关村村民委员会")
    assert not region_import.is_village(Level.COMMUNITY, False, "城中村社区")
    assert not region_import.is_village(Level.STREET, True, "东关村")


# --- success ----------------------------------------------------------------------------------------------


def test_streets_and_communities_are_imported_in_any_order_under_the_root(t):
    rows = [
        ("130903002001", "新村社区", "社区", "130903002"),  # its street is further down
        ("130903002002", "李庄村", "村", "130903002"),
        ("130903002", "南陈屯乡", "乡", "130903"),  # an existing district, short official code
        ("130903001003", "光荣社区", "社区", "130903001000"),  # an existing street
    ]
    result = import_regions(actor=None, root=t.district, file=xlsx(rows))

    assert (result.rows, result.created, result.unchanged) == (4, 4, 0)
    assert result.by_level == {Level.STREET: 1, Level.COMMUNITY: 3}
    town = Region.objects.get(code="130903002000")
    assert (town.level, town.parent_id, town.rural) == (Level.STREET, t.district.pk, False)
    village = Region.objects.get(code="130903002002")
    assert village.parent_id == town.pk and village.rural and village.level == Level.COMMUNITY
    assert not Region.objects.get(code="130903002001").rural
    assert Region.objects.get(code="130903001003").parent_id == t.street.pk
    for region in Region.objects.filter(
        code__in=["130903002000", "130903002001", "130903002002", "130903001003"]
    ):
        assert t.district.contains(region)
        assert region.path == "".join(str(pk).zfill(10) for pk in region.ancestor_ids)
        assert Region.objects.get(pk=region.parent_id).contains(region)


def test_village_rows_named_village_under_a_town_are_rural(t):
    rows = [("130903003", "红星镇", "街道乡镇", "130903"), ("130903003201", "前进村", "社区村", "130903003")]
    result = import_regions(actor=None, root=t.district, file=xlsx(rows))
    assert Region.objects.get(code="130903003201").rural
    assert result.villages == 1


def test_an_empty_parent_code_means_directly_under_the_root(t):
    import_regions(actor=None, root=t.street, file=xlsx([("130903001005", "新华社区", "社区", None)]))
    assert Region.objects.get(code="130903001005").parent_id == t.street.pk


def test_codes_typed_as_numbers_are_read_as_codes(t):
    rows = [(130903004, "运河镇", "镇", 130903), (130903004001.0, "河东社区", "社区", 130903004.0)]
    import_regions(actor=None, root=t.district, file=xlsx(rows))
    assert Region.objects.get(code="130903004001").parent.code == "130903004000"


def test_compounds_and_buildings_reach_their_parent_through_its_name(t):
    rows = [
        (None, "1号楼", "楼栋", "130903001001", "新苑小区"),
        (None, "新苑小区", "小区", "130903001001", None),
        (None, "2号楼", "楼栋", "130903001001", "万泰丽景小区"),  # a compound already recorded
    ]
    result = import_regions(actor=None, root=t.street, file=xlsx(rows, header=[*HEADER, "上级名称"]))
    compound = Region.objects.get(parent=t.community, name="新苑小区")
    assert compound.level == Level.COMPOUND and compound.code is None
    assert Region.objects.get(parent=compound, name="1号楼").level == Level.BUILDING
    assert Region.objects.filter(parent=t.compound, name="2号楼").exists()
    assert result.created == 3


def test_a_title_row_above_the_header_is_skipped_and_row_numbers_stay_excels(t):
    issues = rejected(t.district, [("130903009", "", "镇", "130903")], title_rows=[("运河区区划代码表",), ()])
    issue = only_issue(issues)
    assert (issue.row, issue.column) == (4, "名称")


def test_importing_the_same_list_again_changes_nothing(t):
    rows = [
        ("130903002", "南陈屯乡", "乡", "130903"),
        ("130903002001", "新村社区", "社区", "130903002"),
        (None, "新苑小区", "小区", "130903002001"),
    ]
    import_regions(actor=None, root=t.district, file=xlsx(rows))
    count = Region.objects.count()

    again = import_regions(
        actor=None, root=t.district, file=xlsx([*rows, ("130903002002", "李庄村", "村", "130903002")])
    )

    assert (again.created, again.unchanged) == (1, 3)
    assert Region.objects.count() == count + 1


def test_the_roots_own_row_in_the_list_is_left_as_it_is(t):
    rows = [("130903", "运河区", "区县", "130900"), ("130903002", "南陈屯乡", "乡", "130903")]
    result = import_regions(actor=None, root=t.district, file=xlsx(rows))
    assert (result.created, result.unchanged) == (1, 1)


def test_one_audit_entry_records_the_counts(t):
    before = AuditEntry.objects.count()
    rows = [("130903002", "南陈屯乡", "乡", "130903"), ("130903002001", "新村社区", "社区", "130903002")]
    import_regions(actor=None, root=t.district, file=xlsx(rows))
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "regions.import_regions"
    assert (entry.target_type, entry.target_id) == ("regions.region", str(t.district.pk))
    assert entry.data == {
        "rows": 2,
        "created": 2,
        "unchanged": 0,
        "villages": 0,
        "by_level": {str(Level.STREET.value): 1, str(Level.COMMUNITY.value): 1},
    }


def test_names_with_script_tags_are_stored_as_typed(t):
    name = "<script>alert(1)</script>社区"
    import_regions(actor=None, root=t.street, file=xlsx([("130903001007", name, "社区", "130903001")]))
    assert Region.objects.get(code="130903001007").name == name


def test_bureau_staff_import_under_their_own_region(t):
    bureau = builders.person("民政局")
    builders.role(bureau, "bureau", t.district)
    result = import_regions(
        actor=bureau, root=t.district, file=xlsx([("130903002", "南陈屯乡", "乡", "130903")])
    )
    assert result.created == 1
    assert AuditEntry.objects.order_by("-seq").first().actor_ref


# --- authority --------------------------------------------------------------------------------------------


def test_committee_members_may_not_import_regions(t):
    committee = builders.person("社区书记")
    builders.role(committee, "committee", t.community)
    with pytest.raises(Refused) as info:
        import_regions(actor=committee, root=t.community, file=xlsx([(None, "新苑小区", "小区", None)]))
    assert info.value.code == Refused.FORBIDDEN


def test_district_bureau_may_not_import_under_the_city(t):
    bureau = builders.person("民政局")
    builders.role(bureau, "bureau", t.district)
    with pytest.raises(Refused) as info:
        import_regions(actor=bureau, root=t.city, file=xlsx([("130904", "新区", "区县", "130900")]))
    assert info.value.code == Refused.FORBIDDEN


# --- bad rows: each with its row, column and reason ---------------------------------------------------------


def test_an_unknown_level_is_reported_at_its_cell(t):
    issue = only_issue(rejected(t.district, [("130903002", "南陈屯乡", "大队", "130903")]))
    assert (issue.row, issue.column, issue.code) == (2, "级别", "unknown_level")
    assert "大队" in issue.reason


def test_a_code_that_does_not_fit_its_level_is_reported(t):
    issue = only_issue(rejected(t.district, [("130903002001", "南陈屯乡", "乡", "130903")]))
    assert (issue.row, issue.column, issue.code) == (2, "代码", "invalid_code")
    assert "130903002001" in issue.reason


def test_a_code_outside_its_parent_is_reported(t):
    issue = only_issue(rejected(t.district, [("130903002001", "新村社区", "社区", "130903001")]))
    assert (issue.row, issue.column, issue.code) == (2, "代码", "code_outside_parent")


def test_a_level_not_below_its_parent_is_reported(t):
    issue = only_issue(rejected(t.district, [("130903005", "新街道", "街道", "130903001")]))
    assert (issue.row, issue.column, issue.code) == (2, "级别", "wrong_level")


def test_an_unknown_parent_code_is_reported(t):
    issue = only_issue(rejected(t.district, [("130903008001", "新村社区", "社区", "130903008")]))
    assert (issue.row, issue.column, issue.code) == (2, "上级代码", "unknown_parent")
    assert "130903008000" in issue.reason


def test_a_parent_outside_the_root_is_refused(t):
    issue = only_issue(rejected(t.district, [("130902001", "新华街道", "街道", "130902")]))
    assert (issue.row, issue.column, issue.code) == (2, "上级代码", "parent_outside_root")
    assert "新华区" in issue.reason


def test_a_code_twice_in_the_file_is_reported_at_the_second_row(t):
    rows = [("130903002", "南陈屯乡", "乡", "130903"), ("130903002", "南陈屯镇", "镇", "130903")]
    issue = only_issue(rejected(t.district, rows))
    assert (issue.row, issue.column, issue.code) == (3, "代码", "repeated_code")
    assert "2" in issue.reason


def test_a_code_already_used_by_another_region_is_reported(t):
    issue = only_issue(rejected(t.district, [("130903001001", "别的社区", "社区", "130903001")]))
    assert (issue.row, issue.column, issue.code) == (2, "代码", "code_taken")
    assert "丽景社区" in issue.reason


def test_a_recorded_region_is_not_moved_by_an_import(t):
    rows = [("130903002", "南陈屯乡", "乡", "130903"), ("130903001001", "丽景社区", "社区", "130903002")]
    issues = rejected(t.district, rows)
    assert [(i.row, i.column, i.code) for i in issues] == [(3, "上级代码", "moved")]


def test_a_name_already_under_the_parent_is_reported(t):
    issue = only_issue(rejected(t.street, [("130903001009", "丽景社区", "社区", "130903001")]))
    assert (issue.row, issue.column, issue.code) == (2, "名称", "name_taken")


def test_a_name_twice_under_one_parent_in_the_file_is_reported(t):
    rows = [("130903001008", "新华社区", "社区", None), ("130903001009", "新华社区", "社区", None)]
    issue = only_issue(rejected(t.street, rows))
    assert (issue.row, issue.column, issue.code) == (3, "名称", "name_taken")


def test_a_missing_or_too_long_name_is_reported(t):
    rows = [("130903001008", "  ", "社区", None), ("130903001009", "长" * 101, "社区", None)]
    issues = rejected(t.street, rows)
    assert [(i.row, i.column, i.code) for i in issues] == [
        (2, "名称", "name_required"),
        (3, "名称", "name_too_long"),
    ]


def test_a_compound_with_a_code_is_reported(t):
    issue = only_issue(rejected(t.street, [("130903001001", "新苑小区", "小区", "130903001001")]))
    assert (issue.row, issue.column, issue.code) == (2, "代码", "invalid_code")


def test_an_unknown_parent_name_is_reported(t):
    rows = [(None, "9号楼", "楼栋", "130903001001", "不存在小区")]
    issue = only_issue(rejected(t.street, rows, header=[*HEADER, "上级名称"]))
    assert (issue.row, issue.column, issue.code) == (2, "上级名称", "unknown_parent")


def test_a_date_cell_is_reported_instead_of_guessed(t):
    issue = only_issue(rejected(t.street, [("130903001008", datetime(2024, 3, 1), "社区", None)]))  # noqa: DTZ001
    assert (issue.row, issue.column, issue.code) == (2, "名称", "date_cell")


def test_children_of_a_bad_row_are_not_reported_twice(t):
    rows = [("130903002", "南陈屯乡", "大队", "130903"), ("130903002001", "新村社区", "社区", "130903002")]
    issues = rejected(t.district, rows)
    assert [(i.row, i.column) for i in issues] == [(2, "级别")]


def test_every_problem_is_listed_in_row_order(t):
    rows = [
        ("130903002", "南陈屯乡", "乡", "130903"),
        ("130903002001", "", "社区", "130903002"),
        ("130903002002", "李庄村", "大队", "130903002"),
        ("130903002003", "王庄村", "村", "130903099"),
    ]
    issues = rejected(t.district, rows)
    assert [(i.row, i.column) for i in issues] == [(3, "名称"), (4, "级别"), (5, "上级代码")]


def test_nothing_is_saved_when_one_row_is_bad(t):
    regions, audit = Region.objects.count(), AuditEntry.objects.count()
    good = [(f"1309030020{n:02d}", f"新村{n}社区", "社区", "130903002") for n in range(1, 40)]
    rows = [("130903002", "南陈屯乡", "乡", "130903"), *good, ("130903002099", "坏社区", "大队", "130903002")]
    issue = only_issue(rejected(t.district, rows))
    assert issue.row == 42
    assert (Region.objects.count(), AuditEntry.objects.count()) == (regions, audit)


# --- files that cannot be imported ---------------------------------------------------------------------------


def refused(root, data: bytes) -> Refused:
    with pytest.raises(Refused) as info:
        import_regions(actor=None, root=root, file=io.BytesIO(data))
    return info.value


def test_a_text_file_is_not_an_excel_workbook(t):
    exc = refused(t.district, "代码,名称,级别,上级代码\n130903002,南陈屯乡,乡,130903\n".encode())
    assert exc.code == "not_xlsx" and ".xlsx" in str(exc.reason)


def test_an_old_xls_file_gets_its_own_advice(t):
    exc = refused(t.district, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert exc.code == "not_xlsx" and ".xls" in str(exc.reason)


def test_a_zip_that_is_not_a_workbook_is_refused(t):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert refused(t.district, out.getvalue()).code == "not_xlsx"


def test_a_damaged_workbook_is_refused(t):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml")
    assert refused(t.district, out.getvalue()).code == "not_xlsx"


def test_an_empty_file_is_refused(t):
    assert refused(t.district, b"").code == "empty_file"


def test_a_workbook_without_data_rows_is_refused(t):
    with pytest.raises(Refused) as info:
        import_regions(actor=None, root=t.district, file=xlsx([]))
    assert info.value.code == "no_rows"


def test_an_empty_workbook_is_refused(t):
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    with pytest.raises(Refused) as info:
        import_regions(actor=None, root=t.district, file=out)
    assert info.value.code == "empty_file"


def test_missing_headers_are_named(t):
    with pytest.raises(ImportRejected) as info:
        import_regions(
            actor=None, root=t.district, file=xlsx([("130903002", "南陈屯乡")], header=["代码", "名称"])
        )
    assert [(i.row, i.column, i.code) for i in info.value.issues] == [
        (1, "级别", "missing_column"),
        (1, "上级代码", "missing_column"),
    ]
    assert "级别" in str(info.value.reason)


def test_headers_with_notes_and_english_keys_are_recognised(t):
    header = ["代码（12位）", "名称*", "level", "parent code"]
    result = import_regions(
        actor=None, root=t.district, file=xlsx([("130903002", "南陈屯乡", "乡", "130903")], header)
    )
    assert result.created == 1


def test_a_file_over_the_limit_is_refused_before_it_is_read(t, settings):
    settings.MAX_UPLOAD_BYTES = 1000

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the file was read")

    with pytest.raises(Refused) as info:
        import_regions(actor=None, root=t.district, file=Unreadable(b"x" * 5000))
    assert info.value.code == "file_too_large"


# --- scale --------------------------------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_number_of_rows(t, django_assert_max_num_queries):
    streets = [(f"130903{s:03d}", f"街道{s}", "街道", "130903") for s in range(10, 20)]
    communities = [
        (f"130903{s:03d}{c:03d}", f"社区{s}-{c}", "社区", f"130903{s:03d}")
        for s in range(10, 20)
        for c in range(1, 81)
    ]
    file = xlsx(streets + communities)
    with django_assert_max_num_queries(60):
        result = import_regions(actor=None, root=t.district, file=file)
    assert result.created == 810


# --- template and command -------------------------------------------------------------------------------------


def test_the_template_opens_with_the_headers_an_example_and_notes():
    workbook = openpyxl.load_workbook(io.BytesIO(region_import.region_template()))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]][:4] == HEADER
    assert sheet.max_row >= 2 and sheet["B2"].value
    assert "说明" in workbook.sheetnames
    assert workbook["说明"].max_row > len(region_import.REGION_COLUMNS)


def test_the_templates_example_row_is_not_imported(t):
    template = openpyxl.load_workbook(io.BytesIO(region_import.region_template())).worksheets[0]
    example = [c.value for c in template[2]]
    issues = rejected(t.street, [example], header=[c.value for c in template[1]])
    assert [(i.row, i.code) for i in issues] == [(2, "example_row")]


def test_the_command_imports_under_a_region_given_by_code(t, tmp_path):
    path = tmp_path / "regions.xlsx"
    path.write_bytes(xlsx([("130903002", "南陈屯乡", "乡", "130903")]).getvalue())
    out = io.StringIO()
    call_command("import_regions", "130903", str(path), stdout=out)
    assert Region.objects.filter(code="130903002000", parent=t.district).exists()
    assert "1" in out.getvalue()


def test_the_command_prints_the_problems_and_fails(t, tmp_path):
    path = tmp_path / "regions.xlsx"
    path.write_bytes(xlsx([("130903002", "南陈屯乡", "大队", "130903")]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_regions", f"id:{t.district.pk}", str(path), stdout=out)
    assert "2\t级别\t" in out.getvalue()
    assert not Region.objects.filter(code="130903002000").exists()


def test_the_command_refuses_a_file_that_is_not_xlsx(t, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("代码,名称\n")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_regions", "130903", str(path))
