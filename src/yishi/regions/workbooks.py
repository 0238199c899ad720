"""Excel (.xlsx) imports: the region tree from the official division-code list, and a compound's roster.

Community offices keep their data in spreadsheets; these imports take those files as they are. Each import
reads the whole file, checks every row (collecting every problem with its row, column and reason), and then
saves all rows in one transaction, or none: a file with one bad row changes nothing.

Layers, top to bottom:
- reading (this module): ``read_table`` checks the file (size, zip signature, workbook) and finds the header
  row; the problems found (``Issue``, ``ImportRejected``) and the downloadable templates are here too;
- parsing: ``region_import.parse_region_rows`` / ``household_import.parse_household_rows`` check each row on
  its own and the file as a whole (duplicates), without the database;
- services: ``region_import.import_regions`` / ``household_import.import_households`` check authority,
  compare with the database, write in bulk and append one audit entry per import.
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
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from yishi.errors import Refused

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


class RowReader:
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


def chunks(items: list, size: int = QUERY_CHUNK) -> Iterator[list]:
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


def changed_meanwhile() -> Refused:
    return Refused(
        _(
            "Someone changed these records while the file was being imported. Nothing was saved; upload the file again."
        ),
        "conflict",
    )
