"""Excel (.xlsx) exports: a rule's charges (who owes what) and a compound's public fund ledger.

The sheets speak the community office's spreadsheet language, as the household roster import does: the
same Chinese column headers (楼栋, 单元, 房号, 居住状态, 建筑面积) and 常住/空房. Each sheet says which
compound, which period and when it was exported, above the table; totals are values, not formulas, so
every program shows them without recalculating.
"""

from io import BytesIO

from django.utils import timezone

from yishi.access.queries import require
from yishi.regions.models import Occupancy, Region

from .models import ChargeRule, EntryKind, Method, Payment, PaymentMethod
from .queries import ZERO, charges_of, fund_totals, ledger, rule_totals

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
OCCUPANCY_WORDS = {Occupancy.OCCUPIED: "常住", Occupancy.VACANT: "空房"}
METHOD_WORDS = {PaymentMethod.CASH: "现金", PaymentMethod.WECHAT: "微信", PaymentMethod.BANK: "银行转账"}


def _place(compound: Region) -> str:
    community = compound.parent
    return f"{compound.name}（{community.name}）" if community is not None else compound.name


def _how(rule: ChargeRule) -> str:
    if rule.method == Method.OCCUPANCY:
        return f"常住 {rule.occupied_amount} 元/户，空房 {rule.vacant_amount} 元/户"
    if rule.method == Method.AREA:
        return f"按建筑面积 {rule.rate_per_m2.normalize():f} 元/㎡"
    return f"总额 {rule.total} 元，各户均摊"


def _exported_at() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def _as_text(sheet, row: int) -> None:
    """openpyxl takes a text beginning with "=" for a formula; what people wrote (a name, a description) is
    only ever text, so a spreadsheet opened by staff runs nothing a resident typed."""
    for cell in sheet[row]:
        if cell.data_type == "f":
            cell.data_type = "s"


class _Sheet:
    """A sheet with a title, a few labelled lines, then a table; remembers where the table starts."""

    def __init__(self, sheet, title: str, facts: list[tuple[str, str]]):
        from openpyxl.styles import Font

        self.sheet = sheet
        self.bold = Font(bold=True)
        sheet.append([title])
        _as_text(sheet, 1)
        sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
        for label, value in facts:
            sheet.append([label, value])
            _as_text(sheet, sheet.max_row)
            sheet.cell(row=sheet.max_row, column=1).font = self.bold
        sheet.append([])

    def header(self, headers: list[str], widths: list[int]) -> None:
        from openpyxl.utils import get_column_letter

        self.sheet.append(headers)
        self.header_row = self.sheet.max_row
        for index, width in enumerate(widths, start=1):
            self.sheet.cell(row=self.header_row, column=index).font = self.bold
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = self.sheet.cell(row=self.header_row + 1, column=1)

    def row(self, values: list, money: tuple[int, ...] = (), bold: bool = False) -> None:
        self.sheet.append(values)
        number = self.sheet.max_row
        _as_text(self.sheet, number)
        for column in money:
            self.sheet.cell(row=number, column=column).number_format = MONEY_FORMAT
        if bold:
            for column in range(1, len(values) + 1):
                self.sheet.cell(row=number, column=column).font = self.bold


def _save(workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def charges_workbook(*, viewer, rule: ChargeRule) -> bytes:
    """Every household's charge under ``rule``: occupancy, amount, paid, owed; then the payments received."""
    from openpyxl import Workbook

    compound = rule.region
    require(viewer, "funds.view_charges", compound)
    totals = rule_totals(rule)
    workbook = Workbook()
    sheet = _Sheet(
        workbook.active,
        f"{rule.title} 费用分摊明细",
        [
            ("小区", _place(compound)),
            ("期间", f"{rule.period_start:%Y-%m-%d} 至 {rule.period_end:%Y-%m-%d}"),
            ("分摊方式", _how(rule)),
            ("合同价", "" if rule.contract_price is None else f"{rule.contract_price} 元"),
            ("导出时间", _exported_at()),
        ],
    )
    workbook.active.title = "费用明细"
    sheet.header(
        ["楼栋", "单元", "房号", "居住状态", "建筑面积", "应缴金额", "已缴金额", "欠缴金额", "备注"],
        [14, 8, 10, 10, 10, 12, 12, 12, 10],
    )
    for charge in charges_of(rule):
        household = charge.household
        sheet.row(
            [
                household.region.name,
                household.unit,
                household.room,
                OCCUPANCY_WORDS.get(charge.occupancy, ""),
                charge.floor_area,
                charge.amount,
                charge.paid,
                charge.owed,
                "减免" if charge.exempt else "",
            ],
            money=(6, 7, 8),
        )
    sheet.row(
        [
            "合计",
            "",
            f"{totals.households} 户",
            "",
            "",
            totals.charged,
            totals.paid,
            totals.owed,
            f"减免 {totals.exempt} 户",
        ],
        money=(6, 7, 8),
        bold=True,
    )

    payments = _Sheet(
        workbook.create_sheet("缴费记录"),
        f"{rule.title} 缴费记录",
        [
            ("小区", _place(compound)),
            ("期间", f"{rule.period_start:%Y-%m-%d} 至 {rule.period_end:%Y-%m-%d}"),
            ("导出时间", _exported_at()),
        ],
    )
    payments.header(
        ["缴费日期", "楼栋", "单元", "房号", "金额", "方式", "收据号", "说明"],
        [12, 14, 8, 10, 12, 10, 14, 30],
    )
    received = ZERO
    rows = (
        Payment.objects.filter(charge__rule=rule)
        .select_related("charge__household__region", "reverses")
        .order_by("paid_on", "pk")
    )
    for payment in rows:
        household = payment.charge.household
        note = f"冲正 {payment.reverses.receipt_no}：{payment.reason}" if payment.reverses_id else ""
        payments.row(
            [
                payment.paid_on,
                household.region.name,
                household.unit,
                household.room,
                payment.amount,
                METHOD_WORDS.get(payment.method, payment.method),
                payment.receipt_no,
                note,
            ],
            money=(5,),
        )
        payments.sheet.cell(row=payments.sheet.max_row, column=1).number_format = "yyyy-mm-dd"
        received += payment.amount
    payments.row(["合计", "", "", "", received, "", "", ""], money=(5,), bold=True)
    return _save(workbook)


def ledger_workbook(*, compound: Region) -> bytes:
    """The compound's public fund ledger: every entry with the balance after it. Public, like the ledger."""
    from openpyxl import Workbook

    totals = fund_totals(compound)
    entries = ledger(compound)
    workbook = Workbook()
    workbook.active.title = "公共资金台账"
    first = entries[0][0].occurred_on if entries else None
    last = entries[-1][0].occurred_on if entries else None
    sheet = _Sheet(
        workbook.active,
        "公共资金台账",
        [
            ("小区", _place(compound)),
            ("期间", f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}" if entries else "（尚无记录）"),
            ("导出时间", _exported_at()),
        ],
    )
    sheet.header(["日期", "收入", "支出", "余额", "摘要", "凭证", "凭证照片"], [12, 12, 12, 12, 36, 36, 10])
    for entry, after in entries:
        income = entry.amount if entry.kind == EntryKind.INCOME else None
        spending = entry.amount if entry.kind == EntryKind.SPENDING else None
        sheet.row(
            [
                entry.occurred_on,
                income,
                spending,
                after,
                entry.description,
                entry.evidence_text,
                "有" if entry.evidence_photo else "",
            ],
            money=(2, 3, 4),
        )
        sheet.sheet.cell(row=sheet.sheet.max_row, column=1).number_format = "yyyy-mm-dd"
    sheet.row(
        ["合计", totals.income, totals.spending, totals.balance, "", "", ""], money=(2, 3, 4), bold=True
    )
    return _save(workbook)


def filename(kind: str, compound: Region) -> str:
    """A download name such as 建材城小区-费用明细-20250301.xlsx."""
    return f"{compound.name}-{kind}-{timezone.localdate():%Y%m%d}.xlsx"
