"""Importing part of the region tree from the official division-code list (.xlsx): the columns and their notes,
each row checked on its own and codes repeated within the file, then the rows compared with the tree and
inserted in one transaction, or none (``workbooks`` reads the file).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused
from yishi.people.actors import Actor

from .codes import CodeError, normalize_code
from .models import Level, Region
from .services import bulk_insert_regions, clean_region_name, validate_region
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
        cells = RowReader(table, number, values, issues)
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
        for chunk in chunks(todo):
            for child in Region.objects.filter(parent_id__in=chunk):
                self._by_name[(child.parent_id, child.name)] = child
        self._loaded.update(todo)

    def get(self, parent: Region, name: str) -> Region | None:
        return self._by_name.get((parent.pk, name))


def _regions_by_code(codes: set[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for chunk in chunks(sorted(codes)):
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


def import_regions(*, actor: Actor, root: Region, file) -> RegionImportResult:
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
        raise changed_meanwhile() from exc
    return result


def region_template() -> bytes:
    return build_template(REGION_COLUMNS, "区划", list(REGION_NOTES))
