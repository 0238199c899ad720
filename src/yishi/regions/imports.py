"""Excel (.xlsx) imports: the region tree from the official division-code list, and a compound's roster.

Community offices keep their data in spreadsheets; these imports take those files as they are. Each import
reads the whole file, checks every row (collecting every problem with its row, column and reason), and then
saves all rows in one transaction, or none: a file with one bad row changes nothing.

Layers, top to bottom:
- reading: ``read_table`` checks the file (size, zip signature, workbook) and finds the header row;
- parsing: ``parse_region_rows`` / ``parse_household_rows`` check each row on its own and the file as a
  whole (duplicates), without the database;
- services: ``import_regions`` / ``import_households`` check authority, compare with the database, write in
  bulk and append one audit entry per import.
"""

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused
from yishi.people.models import Membership, Person, Relation
from yishi.people.phones import normalize_phone
from yishi.people.services import clean_name

from .codes import CodeError, normalize_code
from .models import Household, Level, Occupancy, Region
from .services import bulk_insert_regions, clean_region_name, parse_area, validate_region

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected workbooks
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common
HEADER_MAX_COLUMNS = 100
MAX_ROWS = 100_000
QUERY_CHUNK = 500  # ids or codes per IN (...) query: far below SQLite's and PostgreSQL's limits
NOTES_SHEET = "说明"


def unpacked_limit() -> int:
    """How much a workbook may hold once unzipped (a defence against zip bombs)."""
    return max(200 * 1024 * 1024, 20 * settings.MAX_UPLOAD_BYTES)


def too_large_message() -> str:
    return _(
        "The file is larger than %(limit)s, the most that can be imported at once. Split it into smaller files."
    ) % {"limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}


# ---------------------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem in a file: the spreadsheet row (as Excel numbers it), the column header, the reason."""

    row: int | None
    column: str
    reason: str
    code: str = "invalid"
    position: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.row or '-'}\t{self.column or '-'}\t{self.reason}"


class ImportRejected(Refused):
    """The file has problems; nothing was saved. ``issues`` lists every one, in row order."""

    def __init__(self, issues: list[Issue], reason=None):
        issues = sorted(issues, key=lambda i: (i.row or 0, i.position))
        if reason is None:
            reason = ngettext_lazy(
                "Nothing was saved: %(count)d problem was found. Correct it in the file and upload it again.",
                "Nothing was saved: %(count)d problems were found. Correct them in the file and upload it again.",
                len(issues),
            ) % {"count": len(issues)}
        super().__init__(reason, "import_rejected")
        self.issues = issues


# ---------------------------------------------------------------------------------------------------------
# Reading a workbook
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the template: the Chinese header community offices use
    required: bool  # the header must be present (a value may still be optional)
    help: Promise
    aliases: tuple[str, ...] = ()
    example: object = ""
    width: int = 14
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the template


def header_key(value) -> str:
    """A header cell reduced for matching: no spaces, marks or notes in brackets (建筑面积（㎡） → 建筑面积)."""
    text = "" if value is None else str(value)
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", text)
    return re.sub(r"[\s*＊:：]", "", text).lower()


class CellError(ValueError):
    pass


def cell_text(value) -> str:
    """A cell's value as text, as the person typing it meant it (Excel keeps 101 and 130903 as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date | time):
        raise CellError(
            _(
                "Excel turned this cell into a date or time. Format the column as text and type the value again."
            )
        )
    return " ".join(str(value).split())


@dataclass
class Table:
    """The data rows of one sheet, keyed by column, with the headers as the file spells them."""

    columns: tuple[Column, ...]
    sheet: str
    header_row: int
    positions: dict[str, int]  # column key -> 0-based index in the sheet
    headers: dict[str, str]  # column key -> header text in the file
    rows: list[tuple[int, dict[str, object]]]

    def header(self, key: str) -> str:
        if key in self.headers:
            return self.headers[key]
        return next(c.header for c in self.columns if c.key == key)

    def is_example(self, values: dict) -> bool:
        """Is this the template's example row, left in by mistake? (It would import as real data.)"""
        try:
            return all(
                cell_text(values[c.key]) == cell_text(c.example) for c in self.columns if c.key in values
            )
        except CellError:
            return False

    def example_issue(self, row: int) -> Issue:
        reason = _("This is the template's example row. Delete it and import the file again.")
        return self.issue(row, "", reason, "example_row")

    def issue(self, row: int | None, key: str, reason, code: str = "invalid") -> Issue:
        position = self.positions.get(key, 1000 + [c.key for c in self.columns].index(key)) if key else -1
        return Issue(
            row=row, column=self.header(key) if key else "", reason=str(reason), code=code, position=position
        )


def file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return size
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(position)
    return size


def _not_xlsx() -> Refused:
    return Refused(
        _(
            "This is not an Excel workbook (.xlsx). Open the file in Excel or WPS, choose “Save as” → "
            "Excel Workbook (*.xlsx), and upload that file."
        ),
        "not_xlsx",
    )


def read_table(file, columns: tuple[Column, ...]) -> Table:
    """Check that ``file`` is a readable .xlsx within the size limit and return its data rows.

    Raises ``Refused`` for a file that cannot be imported at all, and ``ImportRejected`` (listing the
    missing columns) when no sheet has the required header row.
    """
    size = file_size(file)
    if size == 0:
        raise Refused(_("The file is empty."), "empty_file")
    if size > settings.MAX_UPLOAD_BYTES:
        raise Refused(too_large_message(), "file_too_large")
    file.seek(0)
    signature = file.read(4)
    file.seek(0)
    if signature == OLE_SIGNATURE:
        raise Refused(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook. Remove the password, "
                "choose “Save as” → Excel Workbook (*.xlsx), and upload that file."
            ),
            "not_xlsx",
        )
    if signature != ZIP_SIGNATURE:
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_xlsx() from exc
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise _not_xlsx()  # a Word document or another zip file
    if unpacked > unpacked_limit():
        raise Refused(
            _("The workbook is too large once unpacked. Split it into smaller files."), "file_too_large"
        )
    file.seek(0)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for damaged files
        raise _not_xlsx() from exc
    try:
        return _read_sheets(workbook, columns)
    except Refused:
        raise
    except Exception as exc:  # read-only sheets are parsed lazily, so damage may show only here
        raise Refused(
            _(
                "The workbook could not be read; it may be damaged. Open it in Excel or WPS, save it again "
                "as .xlsx, and upload that file."
            ),
            "unreadable",
        ) from exc
    finally:
        workbook.close()


def _match_headers(
    values: Iterable, columns: tuple[Column, ...]
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Which column each header cell names; also the keys named twice."""
    names: dict[str, str] = {}
    for column in columns:
        for alias in (column.header, column.key, *column.aliases):
            names[header_key(alias)] = column.key
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    repeated: list[str] = []
    for index, value in enumerate(values):
        key = names.get(header_key(value))
        if key is None:
            continue
        if key in positions:
            repeated.append(key)
            continue
        positions[key] = index
        headers[key] = " ".join(str(value).split())
    return positions, headers, repeated


def _read_sheets(workbook, columns: tuple[Column, ...]) -> Table:
    required = [c.key for c in columns if c.required]
    # The row that came closest to a header row, and the headers it has.
    best: tuple[int, dict[str, str]] | None = None
    any_content = False
    for sheet in workbook.worksheets:
        for number, values in enumerate(
            islice(sheet.iter_rows(max_col=HEADER_MAX_COLUMNS, values_only=True), HEADER_SEARCH_ROWS), start=1
        ):
            if any(v is not None and str(v).strip() for v in values):
                any_content = True
            positions, headers, repeated = _match_headers(values, columns)
            if all(key in positions for key in required):
                table = Table(columns, sheet.title, number, positions, headers, [])
                if repeated:
                    raise ImportRejected(
                        [
                            table.issue(
                                number,
                                key,
                                _("This column appears twice. Keep one of them."),
                                "repeated_column",
                            )
                            for key in repeated
                        ]
                    )
                return _read_rows(table, sheet)
            if positions and (best is None or len(headers) > len(best[1])):
                best = (number, headers)
    if not any_content:
        raise Refused(_("The workbook has no data. Fill in the template and upload it again."), "empty_file")
    row, found = best if best is not None else (1, {})
    table = Table(columns, "", row, {}, {}, [])
    issues = [
        table.issue(row, c.key, _("This column is missing from the header row."), "missing_column")
        for c in columns
        if c.required and c.key not in found
    ]
    raise ImportRejected(
        issues,
        _("The header row must name the columns %(columns)s. Start from the template.")
        % {"columns": "、".join(c.header for c in columns if c.required)},
    )


def _read_rows(table: Table, sheet) -> Table:
    for number, values in enumerate(
        # max_col: a sheet may declare itself 16,384 columns wide; only the columns read are filled in.
        sheet.iter_rows(
            min_row=table.header_row + 1, max_col=max(table.positions.values()) + 1, values_only=True
        ),
        start=table.header_row + 1,
    ):
        if not any(v is not None and str(v).strip() for v in values):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise Refused(
                _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS},
                "too_many_rows",
            )
        table.rows.append(
            (
                number,
                {
                    key: values[index] if index < len(values) else None
                    for key, index in table.positions.items()
                },
            )
        )
    if not table.rows:
        raise Refused(_("The file has a header row but no data rows."), "no_rows")
    return table


class _RowReader:
    """Reads one row's cells as text, turning a bad cell into an issue."""

    def __init__(self, table: Table, number: int, values: dict, issues: list[Issue]):
        self.table, self.number, self.values, self.issues = table, number, values, issues
        self.ok = True
        self.failed: set[str] = set()  # one problem per cell is enough

    def text(self, key: str) -> str:
        try:
            return cell_text(self.values.get(key))
        except CellError as exc:
            self.fail(key, exc.args[0], "date_cell")
            return ""

    def fail(self, key: str, reason, code: str = "invalid") -> None:
        self.ok = False
        if key not in self.failed:
            self.failed.add(key)
            self.issues.append(self.table.issue(self.number, key, reason, code))


def _chunks(items: list, size: int = QUERY_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------------------


def build_template(columns: tuple[Column, ...], sheet_title: str, notes: list[str]) -> bytes:
    """A workbook with the header row, one example row and a 说明 sheet describing each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=column.header)
        head.font = bold
        if column.required:
            head.fill = fill
        example = sheet.cell(row=2, column=index, value=column.example)
        if isinstance(column.example, str):
            example.number_format = "@"
            # Text format for the rows to be typed, so 101 or 130903 stay as typed.
            for row in range(3, 1001):
                sheet.cell(row=row, column=index).number_format = "@"
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            validation.add(f"{letter}2:{letter}1000")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(NOTES_SHEET)
    help_sheet.append([gettext("Column"), gettext("Required"), gettext("What to enter")])
    for cell in help_sheet[1]:
        cell.font = bold
    for column in columns:
        help_sheet.append(
            [column.header, gettext("yes") if column.required else gettext("no"), str(column.help)]
        )
    help_sheet.append([])
    for note in notes:
        help_sheet.append([str(note)])
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 90
    for row in help_sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


COMMON_NOTES = (
    _(
        "Keep the header row as it is; each following row is one record. Delete the example row before importing."
    ),
    _(
        "The file is checked first. If any row has a problem, nothing is saved and every problem is listed "
        "with its row and column."
    ),
    _("Type codes, room numbers and phone numbers as text, so that Excel does not change them."),
)


# ---------------------------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------------------------

REGION_COLUMNS = (
    Column(
        "code",
        "代码",
        True,
        _(
            "The 12-digit division code (统计用区划代码); a shorter official form such as "
            "130903 is padded with zeros. Leave it empty for compounds and buildings."
        ),
        aliases=("区划代码", "统计用区划代码"),
        example="130903001003",
        width=16,
    ),
    Column(
        "name",
        "名称",
        True,
        _("The name, up to 100 characters, e.g. 朝阳社区."),
        aliases=("区划名称",),
        example="示例社区",
        width=20,
    ),
    Column(
        "level",
        "级别",
        True,
        _(
            "One of 省, 市, 区县 (or 区, 县), 街道乡镇 (or 街道, 乡, 镇), 社区村 (or 社区, 村), "
            "小区, 楼栋. Rows marked 村, and communities whose name ends in 村, are villages."
        ),
        example="社区",
        width=10,
        choices=("省", "市", "区县", "街道乡镇", "社区", "村", "小区", "楼栋"),
    ),
    Column(
        "parent_code",
        "上级代码",
        True,
        _(
            "The code of the region above it: one already recorded, or another row "
            "of this file. Leave it empty for a region directly under the region "
            "you import into."
        ),
        aliases=("parent code", "parentcode"),
        example="130903001",
        width=16,
    ),
    Column(
        "parent_name",
        "上级名称",
        False,
        _(
            "Only when the region above has no code (a compound): its name, under "
            "the region given by 上级代码."
        ),
        aliases=("parent name", "parentname"),
        example="",
        width=16,
    ),
)

REGION_NOTES = (
    *COMMON_NOTES,
    _("Rows may come in any order: a row's parent may be further down the file."),
    _(
        "A row whose code is already recorded with the same name, level and parent is left as it is, so the "
        "same list can be imported again after adding new rows."
    ),
)

# The words offices use for levels, and the English level keys.
LEVEL_WORDS: dict[str, int] = {
    "省": Level.PROVINCE,
    "市": Level.CITY,
    "区县": Level.DISTRICT,
    "区": Level.DISTRICT,
    "县": Level.DISTRICT,
    "街道乡镇": Level.STREET,
    "街道": Level.STREET,
    "乡": Level.STREET,
    "镇": Level.STREET,
    "社区村": Level.COMMUNITY,
    "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY,
    "小区": Level.COMPOUND,
    "楼栋": Level.BUILDING,
    **{level.name.lower(): level.value for level in Level},
    "village": Level.COMMUNITY,
}
VILLAGE_WORDS = frozenset({"村", "village"})
VILLAGE_NAME_ENDINGS = ("村", "村委会", "村民委员会")


def parse_level(raw: str) -> tuple[int, bool] | None:
    """The level a word names, and whether the word itself says village (村); None when unknown."""
    word = " ".join(str(raw or "").split())
    lowered = word.lower()
    if lowered in LEVEL_WORDS:
        return LEVEL_WORDS[lowered], lowered in VILLAGE_WORDS
    if word.endswith("级") and word[:-1] in LEVEL_WORDS:  # 乡级, 村级 in the official lists
        return LEVEL_WORDS[word[:-1]], word[:-1] in VILLAGE_WORDS
    return None


def is_village(level: int, village_word: bool, name: str) -> bool:
    return level == Level.COMMUNITY and (village_word or name.endswith(VILLAGE_NAME_ENDINGS))


def loose_code(text: str) -> str | None:
    """A code as a reference (上级代码): digits, padded to 12."""
    text = text.removesuffix(".0")
    if re.fullmatch(r"\d{2,12}", text):
        return text.ljust(12, "0")
    return None


@dataclass(eq=False)
class RegionRow:
    row: int
    level: int | None = None
    name: str = ""
    code: str | None = None
    key_code: str | None = None  # the code others may refer to, even when this row is bad
    parent_code: str | None = None
    parent_name: str = ""
    rural: bool = False
    ok: bool = True
    region: Region | None = None  # the region to insert (unsaved)
    parent: "Region | RegionRow | None" = None
    existing: Region | None = None  # already recorded: left as it is

    @property
    def new(self) -> bool:
        return self.ok and self.existing is None


def parse_region_rows(table: Table) -> tuple[list[RegionRow], list[Issue]]:
    """Check each row on its own, and codes repeated within the file. No database."""
    issues: list[Issue] = []
    rows: list[RegionRow] = []
    first_row_of_code: dict[str, int] = {}
    for number, values in table.rows:
        if table.is_example(values):
            issues.append(table.example_issue(number))
            rows.append(RegionRow(number, ok=False))
            continue
        cells = _RowReader(table, number, values, issues)
        row = RegionRow(number)
        raw_code = cells.text("code")
        raw_level = cells.text("level")
        raw_name = cells.text("name")
        raw_parent = cells.text("parent_code")
        row.parent_name = cells.text("parent_name")
        row.key_code = loose_code(raw_code)
        try:
            row.name = clean_region_name(raw_name)
        except Refused as exc:
            cells.fail("name", exc.reason, exc.code)
        level = parse_level(raw_level)
        if level is None:
            reason = (
                _("The level is missing.")
                if not raw_level
                else _("Unknown level %(level)s. Use 省, 市, 区县, 街道乡镇, 社区, 村, 小区 or 楼栋.")
                % {"level": raw_level}
            )
            cells.fail("level", reason, "unknown_level")
        else:
            row.level = level[0]
            row.rural = is_village(row.level, level[1], row.name)
            try:
                row.code = normalize_code(raw_code, row.level)
            except CodeError as exc:
                cells.fail("code", exc.args[0], "invalid_code")
            else:
                row.key_code = row.code
        if raw_parent:
            row.parent_code = loose_code(raw_parent)
            if row.parent_code is None:
                cells.fail("parent_code", _("A parent code has 2 to 12 digits."), "invalid_code")
        if row.parent_name:
            try:
                row.parent_name = clean_region_name(row.parent_name)
            except Refused as exc:
                cells.fail("parent_name", exc.reason, exc.code)
        if row.key_code:
            if row.key_code in first_row_of_code:
                cells.fail(
                    "code",
                    _("The code %(code)s is also in row %(row)s.")
                    % {"code": row.key_code, "row": first_row_of_code[row.key_code]},
                    "repeated_code",
                )
                row.key_code = None  # references go to the first row
            else:
                first_row_of_code[row.key_code] = number
        row.ok = cells.ok
        if row.ok:
            row.region = Region(level=row.level, name=row.name, code=row.code, rural=row.rural)
        rows.append(row)
    return rows, issues


class _Children:
    """Recorded regions by (parent id, name), loaded in batches as the check reaches them."""

    def __init__(self):
        self._loaded: set[int] = set()
        self._by_name: dict[tuple[int, str], Region] = {}

    def load(self, parent_ids: Iterable[int]) -> None:
        todo = sorted(set(parent_ids) - self._loaded)
        for chunk in _chunks(todo):
            for child in Region.objects.filter(parent_id__in=chunk):
                self._by_name[(child.parent_id, child.name)] = child
        self._loaded.update(todo)

    def get(self, parent: Region, name: str) -> Region | None:
        return self._by_name.get((parent.pk, name))


def _regions_by_code(codes: set[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for chunk in _chunks(sorted(codes)):
        found.update((r.code, r) for r in Region.objects.filter(code__in=chunk))
    return found


REFUSED_FIELD_COLUMN = {"name": "name", "level": "level", "code": "code"}


@dataclass
class RegionImportResult:
    rows: int
    created: int
    unchanged: int
    by_level: dict[int, int]
    villages: int

    @property
    def created_by_level(self) -> list[tuple[str, int]]:
        return [(Level(level).label, n) for level, n in sorted(self.by_level.items())]

    def as_data(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "villages": self.villages,
            "by_level": {str(level): n for level, n in sorted(self.by_level.items())},
        }


class _RegionPlanner:
    """Compares the parsed rows with the recorded tree: finds each row's parent, then checks its place."""

    def __init__(self, root: Region, rows: list[RegionRow], table: Table, issues: list[Issue]):
        self.root, self.rows, self.table, self.issues = root, rows, table, issues
        self.file_by_code = {r.key_code: r for r in rows if r.key_code}
        wanted = {r.code for r in rows if r.code} | {r.parent_code for r in rows if r.parent_code}
        self.by_code = _regions_by_code(wanted)
        self.children = _Children()
        self.new_by_place: dict[tuple[str, int, str], RegionRow] = {}

    def fail(self, row: RegionRow, key: str, reason, code: str = "invalid") -> None:
        self.issues.append(self.table.issue(row.row, key, reason, code))
        row.ok = False

    def plan(self) -> None:
        for level in sorted({r.level for r in self.rows if r.ok}):
            level_rows = [r for r in self.rows if r.ok and r.level == level]
            bases = {r: self._base(r) for r in level_rows}
            self.children.load(
                b.pk for r, b in bases.items() if r.ok and r.parent_name and isinstance(b, Region)
            )
            for r, base in bases.items():
                if r.ok:
                    r.parent = self._by_name(r, base) if r.parent_name and base is not None else base
            self.children.load(r.parent.pk for r in level_rows if r.ok and isinstance(r.parent, Region))
            for r in level_rows:
                if r.ok:
                    self._check(r)

    @staticmethod
    def _node(row: RegionRow) -> "Region | RegionRow":
        return row.existing if row.existing is not None else row

    def _base(self, row: RegionRow) -> "Region | RegionRow | None":
        """The region 上级代码 names (the import's root when empty)."""
        existing = self.by_code.get(row.code) if row.code else None
        if existing is not None and existing.pk == self.root.pk:
            return None  # the root's own row: nothing to place
        if not row.parent_code:
            return self.root
        in_file = self.file_by_code.get(row.parent_code)
        if in_file is not None and in_file is not row:
            if not in_file.ok:
                row.ok = False  # its parent row is reported already
                return None
            return self._node(in_file)
        recorded = self.by_code.get(row.parent_code)
        if recorded is None:
            self.fail(
                row,
                "parent_code",
                _("No region has the code %(code)s, neither in this file nor under %(root)s.")
                % {"code": row.parent_code, "root": self.root.name},
                "unknown_parent",
            )
            return None
        if not self.root.contains(recorded):
            self.fail(
                row,
                "parent_code",
                _("The region %(code)s (%(name)s) is not under %(root)s, where you import.")
                % {"code": row.parent_code, "name": recorded.name, "root": self.root.name},
                "parent_outside_root",
            )
            return None
        return recorded

    def _by_name(self, row: RegionRow, base: "Region | RegionRow") -> "Region | RegionRow | None":
        """The region named 上级名称 directly under ``base``."""
        base_name = base.name if isinstance(base, Region) else base.region.name
        found = self._new_at(base, row.parent_name)
        if found is None and isinstance(base, Region):
            found = self.children.get(base, row.parent_name)
        if found is None:
            self.fail(
                row,
                "parent_name",
                _("There is no %(name)s under %(parent)s.") % {"name": row.parent_name, "parent": base_name},
                "unknown_parent",
            )
            return None
        return self._node(found) if isinstance(found, RegionRow) else found

    def _new_at(self, parent: "Region | RegionRow", name: str) -> RegionRow | None:
        return self.new_by_place.get(self._place(parent, name))

    @staticmethod
    def _place(parent: "Region | RegionRow", name: str) -> tuple[str, int, str]:
        return ("db", parent.pk, name) if isinstance(parent, Region) else ("row", parent.row, name)

    def _check(self, row: RegionRow) -> None:
        existing = self.by_code.get(row.code) if row.code else None
        if existing is not None and existing.pk == self.root.pk:
            if existing.level != row.level or existing.name != row.name:
                self.fail(
                    row,
                    "code",
                    _("The code %(code)s is already used by %(name)s.")
                    % {"code": row.code, "name": existing.name},
                    "code_taken",
                )
            else:
                row.existing = existing
            return
        if existing is not None and not self.root.contains(existing):
            self.fail(
                row,
                "code",
                _("The code %(code)s belongs to %(name)s, which is not under %(root)s.")
                % {"code": row.code, "name": existing.name, "root": self.root.name},
                "code_taken",
            )
            return
        parent = row.parent
        if parent is None:
            return  # reported while looking for it
        parent_region = parent if isinstance(parent, Region) else parent.region
        if existing is not None:
            if existing.level != row.level or existing.name != row.name:
                self.fail(
                    row,
                    "code",
                    _("The code %(code)s is already used by %(name)s.")
                    % {"code": row.code, "name": existing.name},
                    "code_taken",
                )
            elif not isinstance(parent, Region) or parent.pk != existing.parent_id:
                self.fail(
                    row,
                    "parent_code",
                    _("%(name)s is already recorded under another region; an import does not move regions.")
                    % {"name": existing.name},
                    "moved",
                )
            else:
                row.existing = existing
            return
        try:
            validate_region(parent=parent_region, level=row.level, name=row.name, code=row.code)
        except Refused as exc:
            self.fail(row, REFUSED_FIELD_COLUMN.get(exc.field, "code"), exc.reason, exc.code)
            return
        if isinstance(parent, Region):
            sibling = self.children.get(parent, row.name)
            if sibling is not None:
                if sibling.level == row.level and not row.code and not sibling.code:
                    row.existing = sibling  # a compound or building imported before
                else:
                    self.fail(
                        row,
                        "name",
                        _("%(name)s already exists under %(parent)s.")
                        % {"name": row.name, "parent": parent.name},
                        "name_taken",
                    )
                return
        place = self._place(parent, row.name)
        twin = self.new_by_place.get(place)
        if twin is not None:
            self.fail(
                row,
                "name",
                _("%(name)s appears twice under the same parent (also in row %(row)s).")
                % {"name": row.name, "row": twin.row},
                "name_taken",
            )
            return
        self.new_by_place[place] = row


def _insert_regions(rows: list[RegionRow]) -> dict[int, int]:
    """Insert the new rows level by level, parents first; return how many at each level."""
    by_level: dict[int, int] = {}
    for level in sorted({r.level for r in rows if r.new}):
        batch = []
        for r in rows:
            if r.new and r.level == level:
                parent = r.parent
                r.region.parent = parent if isinstance(parent, Region) else parent.region
                batch.append(r.region)
        bulk_insert_regions(batch)
        by_level[level] = len(batch)
    return by_level


def import_regions(*, actor, root: Region, file) -> RegionImportResult:
    """Import part of the region tree under ``root`` from the official division-code list (.xlsx)."""
    require(actor, "regions.import_regions", root)
    table = read_table(file, REGION_COLUMNS)
    rows, issues = parse_region_rows(table)
    try:
        with transaction.atomic():
            _RegionPlanner(root, rows, table, issues).plan()
            if issues:
                raise ImportRejected(issues)
            by_level = _insert_regions(rows)
            result = RegionImportResult(
                rows=len(rows),
                created=sum(by_level.values()),
                unchanged=sum(1 for r in rows if r.existing is not None),
                by_level=by_level,
                villages=sum(1 for r in rows if r.new and r.rural),
            )
            record(actor=actor, action=Action.REGIONS_IMPORT_REGIONS, target=root, data=result.as_data())
    except IntegrityError as exc:
        raise _changed_meanwhile() from exc
    return result


def _changed_meanwhile() -> Refused:
    return Refused(
        _(
            "Someone changed these records while the file was being imported. Nothing was saved; upload the file again."
        ),
        "conflict",
    )


def region_template() -> bytes:
    return build_template(REGION_COLUMNS, "区划", list(REGION_NOTES))


# ---------------------------------------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------------------------------------

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
        cells = _RowReader(table, number, values, issues)
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
    people_registered: int
    people_linked: int

    def as_data(self) -> dict:
        return {
            "rows": self.rows,
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "households_unchanged": self.households_unchanged,
            "buildings_created": len(self.buildings_created),
            "people_registered": self.people_registered,
            "people_linked": self.people_linked,
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
    linked: set[int] = field(default_factory=set)


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
    for chunk in _chunks(recorded_ids):
        for h in Household.objects.filter(region_id__in=chunk):
            households[(h.region_id, h.unit, h.room)] = h
    phones = sorted({r.head_phone for r in rows if r.ok and r.head_phone})
    people_by_phone: dict[str, Person] = {}
    for chunk in _chunks(phones):
        people_by_phone.update((p.phone, p) for p in Person.objects.filter(phone__in=chunk))
    names_by_phone = {r.head_phone: r.head_name for r in rows if r.ok and r.head_phone and r.head_name}

    def recorded(row: HouseholdRow) -> Household | None:
        building = plan.buildings[row.building]
        return households.get((building.pk, row.unit, row.room)) if building.pk else None

    matched = sorted(h.pk for h in (recorded(r) for r in rows if r.ok) if h is not None)
    for chunk in _chunks(matched):
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
        if head is not None:
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
        plan.linked.add(person.pk)
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
    for chunk in _chunks(demote):
        Membership.objects.filter(pk__in=chunk).update(is_head=False)
    for chunk in _chunks(promote):
        Membership.objects.filter(pk__in=chunk).update(is_head=True, relation=Relation.OWNER)
    Membership.objects.bulk_create(create, batch_size=1000)
    return HouseholdImportResult(
        rows=len(rows),
        households_created=len(plan.new_households),
        households_updated=plan.updated,
        households_unchanged=plan.unchanged,
        buildings_created=[b.name for b in plan.new_buildings],
        people_registered=len(new_people),
        people_linked=len(plan.linked),
    )


def import_households(*, actor, compound: Region, file) -> HouseholdImportResult:
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
            registered = sorted([p.name, p.phone or ""] for p in plan.new_people.values())
            record(
                actor=actor,
                action=Action.REGIONS_IMPORT_HOUSEHOLDS,
                target=compound,
                data=result.as_data(),
                personal={"registered": registered} if registered else None,
            )
    except IntegrityError as exc:
        raise _changed_meanwhile() from exc
    return result


def household_template() -> bytes:
    return build_template(HOUSEHOLD_COLUMNS, "住户", list(HOUSEHOLD_NOTES))
