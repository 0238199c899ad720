"""Excel (.xlsx) exports of the dashboard's tables: one workbook with a sheet per table, or one table alone.

Each sheet says, above its table, which region (with the path down from the top), which period and when it
was exported, so a sheet copied out of the workbook still says what it counts. Numbers are written as
numbers (a spreadsheet sums them); a figure with no value (a median of no matters) is an empty cell, not 0.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses these in a sheet's name and cuts names at 31 characters.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Table:
    """A table of the dashboard: its key (its download's name in the URL), title, column headings and rows.

    ``rows`` hold raw values: text for labels, ``int``/``float`` for figures, ``None`` for no value. A page
    formats them; a sheet keeps them as numbers. ``note`` says how to read the table (what a share is of).
    """

    key: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence]
    note: str = ""


def sheet_name(title: str, taken: set[str]) -> str:
    base = title.translate(_SHEET_FORBIDDEN).strip()[:31] or "sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _write(sheet, table: Table, facts: Sequence[tuple[str, str]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    sheet.append([table.title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for label, value in facts:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=2).data_type = "s"  # the place's name: text, never a formula
        sheet.cell(row=sheet.max_row, column=1).font = bold
    if table.note:
        sheet.append([table.note])
    sheet.append([])
    sheet.append(list(table.headers))
    header_row = sheet.max_row
    for column in range(1, len(table.headers) + 1):
        sheet.cell(row=header_row, column=column).font = bold
    for row in table.rows:
        sheet.append([_cell(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a region's name beginning with "=" is text, never a formula
                cell.data_type = "s"
    for column, heading in enumerate(table.headers, start=1):
        longest = max(
            [len(str(heading))] + [len(str(row[column - 1])) for row in table.rows if column <= len(row)]
        )
        sheet.column_dimensions[get_column_letter(column)].width = min(max(12, longest * 2 + 2), 50)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def _cell(value):
    if isinstance(value, float):
        return round(value, 2)
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def facts(*, place: str, period: str, exported_at: datetime) -> list[tuple[str, str]]:
    return [
        (_("Region"), place),
        (_("Period"), period),
        (_("Exported at"), timezone.localtime(exported_at).strftime("%Y-%m-%d %H:%M")),
    ]


def workbook(*, tables: Sequence[Table], place: str, period: str, exported_at: datetime) -> bytes:
    """Every table on its own sheet, in the order given (the dashboard's order)."""
    from openpyxl import Workbook

    if not tables:
        raise ValueError("a workbook needs at least one table")
    book = Workbook()
    taken: set[str] = set()
    lines = facts(place=place, period=period, exported_at=exported_at)
    for i, table in enumerate(tables):
        sheet = book.active if i == 0 else book.create_sheet()
        sheet.title = sheet_name(table.title, taken)
        _write(sheet, table, lines)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def filename(*, region_name: str, period_slug: str, table: Table | None = None) -> str:
    """A download name such as 沧州市-数据统计-2026.xlsx or 沧州市-按类别-2026Q3.xlsx."""
    what = table.title if table is not None else _("figures")
    return f"{region_name}-{what}-{period_slug}.xlsx".translate(_SHEET_FORBIDDEN)
