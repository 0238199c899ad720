"""The compound's public fund: income and spending with evidence, the balance, the surplus, the disclosure."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from tests.funds.conftest import charge_of, issued, pay
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.funds import queries, services
from yishi.funds.models import FundEntry
from yishi.notices.models import Notice, NoticeKind

pytestmark = pytest.mark.django_db


def refused(expected, call, /, **kwargs):
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert info.value.code == expected, info.value.reason
    return info.value


def entry(place, kind, amount, description="收入", actor=None, **kwargs):
    fields = {"occurred_on": place.today}
    if kind == "spending":
        fields["evidence_text"] = "发票号 00012345"
    fields.update(kwargs)
    return services.record_fund_entry(
        actor=actor or place.secretary,
        compound=place.compound,
        kind=kind,
        amount=amount,
        description=description,
        **fields,
    )


def receipt_photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile("receipt.png", out.getvalue(), content_type="image/png")


def test_income_and_spending_give_the_balance_entry_by_entry(place):
    entry(place, "income", "500.00", "废品回收收入")
    entry(place, "spending", "120.50", "购买绿化工具")
    entry(place, "income", "30", "捐赠")
    totals = queries.fund_totals(place.compound)
    assert (totals.income, totals.spending, totals.balance) == (
        Decimal("530.00"),
        Decimal("120.50"),
        Decimal("409.50"),
    )
    assert [after for _entry, after in queries.ledger(place.compound)] == [
        Decimal("500.00"),
        Decimal("379.50"),
        Decimal("409.50"),
    ]
    assert queries.balance(place.compound) == Decimal("409.50")
    assert queries.balance(place.tree.compound) == 0  # another compound's fund is its own


def test_spending_needs_evidence_a_text_or_a_photo(place):
    entry(place, "income", "500")
    refused("evidence_required", entry, place=place, kind="spending", amount="100", evidence_text="  ")
    spent = entry(place, "spending", "100", "修剪工具", evidence_text="", evidence_photo=receipt_photo())
    assert spent.evidence_photo.name.endswith(".jpg")  # re-encoded, metadata dropped
    assert AuditEntry.objects.filter(action="funds.record_fund_entry").last().data["photo"] is True


def test_the_fund_cannot_spend_more_than_it_holds(place):
    entry(place, "income", "100")
    error = refused("insufficient_balance", entry, place=place, kind="spending", amount="100.01")
    assert "100.00" in str(error)
    entry(place, "spending", "100")
    assert queries.balance(place.compound) == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "loan"}, "invalid_kind"),
        ({"amount": "0"}, "amount_not_positive"),
        ({"amount": "1.234"}, "too_many_places"),
        ({"description": " "}, "description_required"),
        ({"occurred_on": None}, "occurred_on_required"),
    ],
)
def test_an_entry_needs_a_kind_an_exact_amount_a_description_and_a_date(place, fields, code):
    args = {"kind": "income", "amount": "10"} | fields
    refused(code, entry, place=place, **args)
    assert not FundEntry.objects.exists()


def test_an_entry_cannot_be_dated_in_the_future(place):
    refused(
        "future_date",
        entry,
        place=place,
        kind="income",
        amount="10",
        occurred_on=place.today + datetime.timedelta(days=1),
    )


def test_the_owners_committee_keeps_its_own_compounds_ledger_and_no_other(place):
    entry(place, "income", "10", actor=place.owners)
    for who in (place.other_owners, place.other_secretary, place.resident):
        refused("forbidden", entry, place=place, kind="income", amount="10", actor=who)
    refused(
        "wrong_level",
        services.record_fund_entry,
        actor=place.secretary,
        compound=place.tree.community,
        kind="income",
        amount="10",
        description="x",
        occurred_on=place.today,
    )
    assert FundEntry.objects.count() == 1


def test_a_mistaken_entry_is_corrected_by_the_opposite_entry_never_edited(place):
    wrong = entry(place, "income", "500", "错记收入")
    correction = services.correct_fund_entry(actor=place.secretary, entry=wrong, reason="重复记账")
    assert (correction.kind, correction.amount, correction.corrects, correction.evidence_text) == (
        "spending",
        Decimal("500.00"),
        wrong,
        "重复记账",
    )
    assert queries.balance(place.compound) == 0
    refused(
        "already_corrected", services.correct_fund_entry, actor=place.secretary, entry=wrong, reason="再次"
    )
    refused(
        "is_correction", services.correct_fund_entry, actor=place.secretary, entry=correction, reason="再次"
    )
    wrong.amount = Decimal("1")
    with pytest.raises(ValueError, match="append-only"):
        wrong.save()


def test_the_surplus_beyond_the_contracted_price_goes_into_the_fund_as_it_is_collected(place):
    # Five households owe 650 yuan; the gardening team's price is 500, so up to 150 is surplus.
    rule = issued(place, contract_price="500.00")
    refused("no_surplus", services.post_surplus, actor=place.secretary, rule=rule)
    for i, home in enumerate(place.homes[:4]):
        pay(place, charge_of(rule, home), str(charge_of(rule, home).amount), f"R{i}")  # 550 collected
    first = services.post_surplus(actor=place.owners, rule=rule)
    assert (first.kind, first.amount, first.rule) == ("income", Decimal("50.00"), rule)
    refused("no_surplus", services.post_surplus, actor=place.secretary, rule=rule)
    pay(place, charge_of(rule, place.homes[4]), "100", "R9")
    second = services.post_surplus(actor=place.secretary, rule=rule)
    assert second.amount == Decimal("100.00")
    totals = queries.rule_totals(rule)
    assert (totals.paid, totals.surplus_collected, totals.surplus_posted) == (
        Decimal("650.00"),
        Decimal("150.00"),
        Decimal("150.00"),
    )
    assert queries.balance(place.compound) == Decimal("150.00")


def test_money_posted_as_surplus_cannot_be_taken_back_by_reversing_a_payment(place):
    rule = issued(place, contract_price="500.00")
    payments = [
        pay(place, charge_of(rule, h), str(charge_of(rule, h).amount), f"R{i}")
        for i, h in enumerate(place.homes)
    ]
    services.post_surplus(actor=place.secretary, rule=rule)  # 150
    refused(
        "surplus_posted", services.reverse_payment, actor=place.secretary, payment=payments[0], reason="录错"
    )
    surplus = FundEntry.objects.get(rule=rule)
    services.correct_fund_entry(actor=place.secretary, entry=surplus, reason="先冲回结余")
    services.reverse_payment(actor=place.secretary, payment=payments[0], reason="录错")
    assert queries.posted_surplus(rule) == 0


def test_a_rule_without_a_contracted_price_or_not_issued_has_no_surplus(place):
    from tests.funds.conftest import gardening_rule

    draft = gardening_rule(place, contract_price="100")
    refused("not_issued", services.post_surplus, actor=place.secretary, rule=draft)
    rule = issued(place, title="另一项费用")
    refused("no_contract_price", services.post_surplus, actor=place.secretary, rule=rule)


def test_the_disclosure_on_the_board_gives_totals_and_counts_and_never_a_name(place):
    refused(
        "nothing_to_disclose", services.publish_disclosure, actor=place.secretary, compound=place.compound
    )
    rule = issued(place, contract_price="500.00")
    for i, home in enumerate(place.homes[:4]):
        pay(place, charge_of(rule, home), str(charge_of(rule, home).amount), f"R{i}")
    services.post_surplus(actor=place.secretary, rule=rule)
    entry(place, "spending", "20", "购买垃圾袋")
    refused("forbidden", services.publish_disclosure, actor=place.owners, compound=place.compound)
    with translation.override("en"):
        notice = services.publish_disclosure(actor=place.secretary, compound=place.compound)
    assert notice.region == place.tree.community and notice.kind == NoticeKind.RESULT
    body = notice.body
    for figure in ("650.00", "550.00", "100.00", "500.00", "50.00", "30.00", "购买垃圾袋"):
        assert figure in body, figure
    assert "Households paid in full: 4; households still owing: 1 (100.00 yuan)" in body
    for private in ("刘桂兰", "101", "102", "201", "1号楼", "R0", "低保"):
        assert private not in body, private
    assert AuditEntry.objects.filter(action="notices.publish", target_id=str(notice.pk)).exists()
    assert Notice.objects.count() == 1
