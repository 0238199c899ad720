"""Excel exports of the charges and of the ledger: they open in openpyxl and their totals are right."""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.funds.conftest import charge_of, gardening_rule, issued, pay
from yishi.errors import Refused
from yishi.funds import exports, services

pytestmark = pytest.mark.django_db


def money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def facts(sheet) -> dict[str, str]:
    """The labelled lines above the table: 小区, 期间, 导出时间 …"""
    found = {}
    for row in sheet.iter_rows(min_row=2, max_row=8, max_col=2, values_only=True):
        if row[0]:
            found[row[0]] = row[1]
    return found


def table(sheet, first_header: str) -> tuple[list[str], list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    return list(rows[start]), [row for row in rows[start + 1 :] if any(v is not None for v in row)]


@pytest.fixture
def paid_rule(place):
    rule = gardening_rule(place, contract_price="500.00")
    services.exempt_household(actor=place.secretary, rule=rule, household=place.homes[4], reason="低保户")
    services.issue_charges(actor=place.secretary, rule=rule)
    pay(place, charge_of(rule, place.homes[0]), "150", "R1")
    pay(place, charge_of(rule, place.homes[1]), "60.50", "R2", method="wechat")
    wrong = pay(place, charge_of(rule, place.homes[2]), "150", "R3")
    services.reverse_payment(actor=place.secretary, payment=wrong, reason="录错户")
    return rule


def test_the_charges_workbook_lists_each_household_with_amount_paid_owed_and_the_totals(place, paid_rule):
    workbook = load_workbook(BytesIO(exports.charges_workbook(viewer=place.secretary, rule=paid_rule)))
    sheet = workbook["费用明细"]
    header, rows = table(sheet, "楼栋")
    assert header == [
        "楼栋",
        "单元",
        "房号",
        "居住状态",
        "建筑面积",
        "应缴金额",
        "已缴金额",
        "欠缴金额",
        "备注",
    ]
    *households, total = rows
    assert [(r[0], r[2], r[3], money(r[5]), money(r[6]), money(r[7]), r[8]) for r in households] == [
        ("1号楼", "101", "常住", Decimal("150.00"), Decimal("150.00"), Decimal("0.00"), None),
        ("1号楼", "102", "空房", Decimal("100.00"), Decimal("60.50"), Decimal("39.50"), None),
        ("1号楼", "201", "常住", Decimal("150.00"), Decimal("0.00"), Decimal("150.00"), None),
        ("2号楼", "101", "常住", Decimal("150.00"), Decimal("0.00"), Decimal("150.00"), None),
        ("2号楼", "102", "空房", Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), "减免"),
    ]
    assert total[0] == "合计" and total[2] == "5 户" and total[8] == "减免 1 户"
    assert [money(v) for v in total[5:8]] == [Decimal("550.00"), Decimal("210.50"), Decimal("339.50")]
    assert sheet.cell(row=sheet.max_row, column=6).number_format == "#,##0.00"


def test_the_charges_workbook_names_the_compound_the_period_and_the_time_of_export(place, paid_rule):
    before = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    workbook = load_workbook(BytesIO(exports.charges_workbook(viewer=place.owners, rule=paid_rule)))
    after = timezone.localtime().replace(tzinfo=None)
    sheet = workbook["费用明细"]
    assert sheet["A1"].value == "2025年绿化养护费 费用分摊明细"
    told = facts(sheet)
    assert told["小区"] == "建材城小区（丽景社区）"
    assert told["期间"] == "2025-01-01 至 2025-12-31"
    assert told["分摊方式"] == "常住 150.00 元/户，空房 100.00 元/户"
    assert told["合同价"] == "500.00 元"
    # The community's local time, as a wall-clock text.
    exported = datetime.datetime.strptime(told["导出时间"], "%Y-%m-%d %H:%M").replace(tzinfo=None)  # noqa: DTZ007
    assert before <= exported <= after


def test_the_payments_sheet_lists_receipts_and_reversals_and_sums_what_was_received(place, paid_rule):
    workbook = load_workbook(BytesIO(exports.charges_workbook(viewer=place.secretary, rule=paid_rule)))
    header, rows = table(workbook["缴费记录"], "缴费日期")
    assert header == ["缴费日期", "楼栋", "单元", "房号", "金额", "方式", "收据号", "说明"]
    *payments, total = rows
    assert [(money(r[4]), r[5], r[6]) for r in payments] == [
        (Decimal("150.00"), "现金", "R1"),
        (Decimal("60.50"), "微信", "R2"),
        (Decimal("150.00"), "现金", "R3"),
        (Decimal("-150.00"), "现金", None),
    ]
    assert payments[3][7] == "冲正 R3：录错户"
    assert total[0] == "合计" and money(total[4]) == Decimal("210.50")


def test_only_those_who_may_see_charges_export_them(place, paid_rule):
    for who in (place.resident, place.other_secretary, place.other_owners):
        with pytest.raises(Refused) as info:
            exports.charges_workbook(viewer=who, rule=paid_rule)
        assert info.value.code == "forbidden"


def test_the_ledger_workbook_shows_each_entry_with_the_running_balance_and_the_totals(place):
    rule = issued(place, contract_price="500.00")
    for i, home in enumerate(place.homes):
        pay(place, charge_of(rule, home), str(charge_of(rule, home).amount), f"R{i}")
    services.post_surplus(actor=place.secretary, rule=rule, occurred_on=datetime.date(2025, 3, 1))
    services.record_fund_entry(
        actor=place.owners,
        compound=place.compound,
        kind="spending",
        amount="45.50",
        description="购买垃圾袋",
        evidence_text="超市小票",
        occurred_on=datetime.date(2025, 3, 5),
    )
    workbook = load_workbook(BytesIO(exports.ledger_workbook(compound=place.compound)))
    sheet = workbook["公共资金台账"]
    told = facts(sheet)
    assert told["小区"] == "建材城小区（丽景社区）" and told["期间"] == "2025-03-01 至 2025-03-05"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", told["导出时间"])
    header, rows = table(sheet, "日期")
    assert header == ["日期", "收入", "支出", "余额", "摘要", "凭证", "凭证照片"]
    *entries, total = rows
    assert [(r[0].date(), money(r[1]), money(r[2]), money(r[3]), r[5]) for r in entries] == [
        (datetime.date(2025, 3, 1), Decimal("150.00"), None, Decimal("150.00"), entries[0][5]),
        (datetime.date(2025, 3, 5), None, Decimal("45.50"), Decimal("104.50"), "超市小票"),
    ]
    assert total[0] == "合计"
    assert [money(v) for v in total[1:4]] == [Decimal("150.00"), Decimal("45.50"), Decimal("104.50")]


def test_an_empty_ledger_still_exports_with_its_heading(place):
    sheet = load_workbook(BytesIO(exports.ledger_workbook(compound=place.compound)))["公共资金台账"]
    assert facts(sheet)["期间"] == "（尚无记录）"
    _header, rows = table(sheet, "日期")
    assert rows == [("合计", 0, 0, 0, None, None, None)]


def test_the_download_is_named_after_the_compound_and_the_day(place):
    name = exports.filename("费用明细", place.compound)
    assert name.startswith("建材城小区-费用明细-") and name.endswith(".xlsx")
