"""The fee and fund pages through the Django test client: the public fund and ledger, charge rules from draft
to issue, exemptions, payments and arrears, the surplus, the disclosure, the Excel downloads, and a household's
own charges; who may do what, and that no name or household appears publicly."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook
from PIL import Image

from tests import builders
from tests.funds.conftest import YEAR_END, YEAR_START, charge_of, gardening_rule, issued, pay
from yishi.funds import services
from yishi.funds.models import Charge, ChargeRule, Disclosure, Exemption, FundEntry, Payment, RuleStatus
from yishi.notices.models import Notice
from yishi.people.models import Membership

pytestmark = pytest.mark.django_db

BACKEND = "yishi.people.backends.PhonePasswordBackend"
NAMES = ["张金利", "业委会主任", "艾丽丽", "刘桂兰", "邻居王"]


def as_(person) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def tr(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def html(response) -> str:
    return response.content.decode()


def url(name: str, *args) -> str:
    return reverse(f"funds:{name}", args=args)


def errors_on(response) -> str:
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</', html(response), re.S))


def receipt_photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile("receipt.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def members(place):
    """刘桂兰 lives in 1号楼 101; 邻居王 in 2号楼 101."""
    Membership.objects.create(person=place.resident, household=place.homes[0], is_head=True)
    place.neighbour = builders.person("邻居王")
    Membership.objects.create(person=place.neighbour, household=place.homes[3], is_head=True)
    return place


def spend(p, amount="100.00", **kwargs):
    fields = {
        "actor": p.secretary,
        "compound": p.compound,
        "kind": "spending",
        "amount": amount,
        "occurred_on": p.today,
        "description": "购买绿化工具",
        "evidence_text": "发票号 00012345",
    }
    fields.update(kwargs)
    return services.record_fund_entry(**fields)


def income(p, amount="500.00", description="废品回收收入"):
    return services.record_fund_entry(
        actor=p.owners,
        compound=p.compound,
        kind="income",
        amount=amount,
        occurred_on=p.today,
        description=description,
    )


# ---- the compound's public fund --------------------------------------------------------------------------


def test_the_fund_page_shows_the_ledger_with_evidence_and_the_balance_to_everyone(place):
    income(place)
    spend(place, "120.50", evidence_photo=receipt_photo())
    page = Client().get(url("fund", place.compound.pk))
    assert page.status_code == 200
    assert "¥500.00" in html(page) and "¥120.50" in html(page) and "¥379.50" in html(page)
    assert "发票号 00012345" in html(page) and "废品回收收入" in html(page)
    photo = FundEntry.objects.get(kind="spending").evidence_photo
    assert photo.url in html(page)
    for name in NAMES:
        assert name not in html(page)
    # Nothing for staff on the public page.
    assert url("add_entry", place.compound.pk) not in html(page)
    assert url("publish", place.compound.pk) not in html(page)


def test_the_ledger_downloads_as_excel_for_anyone_and_opens(place):
    income(place)
    spend(place, "100.00")
    response = Client().get(url("ledger_xlsx", place.compound.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert [Decimal(str(v)) for v in rows["合计"][1:4]] == [Decimal(500), Decimal(100), Decimal(400)]
    assert rows["小区"][1] == "建材城小区（丽景社区）"
    assert Client().get(url("ledger_xlsx", place.b1.pk)).status_code == 404


@pytest.mark.parametrize("who", ["secretary", "owners"])
def test_staff_record_spending_with_evidence(place, who):
    income(place)
    client = as_(getattr(place, who))
    page = client.get(url("fund", place.compound.pk))
    assert url("add_entry", place.compound.pk) in html(page)
    response = client.post(
        url("add_entry", place.compound.pk),
        {
            "kind": "spending",
            "amount": "88.80",
            "occurred_on": place.today.isoformat(),
            "description": "修剪工具",
            "evidence_photo": receipt_photo(),
        },
    )
    assert response.status_code == 302
    entry = FundEntry.objects.get(kind="spending")
    assert (entry.amount, entry.recorded_by, bool(entry.evidence_photo)) == (
        Decimal("88.80"),
        getattr(place, who),
        True,
    )


def test_spending_without_evidence_or_beyond_the_balance_is_not_recorded(place):
    income(place, "50.00")
    client = as_(place.owners)
    data = {"kind": "spending", "amount": "20", "occurred_on": place.today.isoformat(), "description": "工具"}
    no_evidence = client.post(url("add_entry", place.compound.pk), data)
    assert no_evidence.status_code == 400
    assert tr("Spending needs evidence: a photo of the receipt, or what the invoice says.") in errors_on(
        no_evidence
    )
    too_much = client.post(
        url("add_entry", place.compound.pk), {**data, "amount": "50.01", "evidence_text": "发票"}
    )
    assert too_much.status_code == 400
    bad_amount = client.post(
        url("add_entry", place.compound.pk), {**data, "amount": "二十", "evidence_text": "发票"}
    )
    assert bad_amount.status_code == 400
    assert tr("The amount must be a number, such as 150 or 150.50.") in errors_on(bad_amount)
    not_a_photo = client.post(
        url("add_entry", place.compound.pk),
        {**data, "evidence_photo": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert not_a_photo.status_code == 400
    assert FundEntry.objects.filter(kind="spending").count() == 0


@pytest.mark.parametrize("who", ["other_secretary", "other_owners", "resident"])
def test_others_may_not_record_in_this_compounds_ledger(place, who):
    data = {"kind": "income", "amount": "20", "occurred_on": place.today.isoformat(), "description": "捐赠"}
    response = as_(getattr(place, who)).post(url("add_entry", place.compound.pk), data)
    assert response.status_code == 403 and not FundEntry.objects.exists()
    assert Client().post(url("add_entry", place.compound.pk), data).status_code == 302
    assert not FundEntry.objects.exists()


def test_a_mistaken_entry_is_corrected_by_an_opposite_one(place):
    entry = income(place, "30.00", "误记")
    client = as_(place.owners)
    blank = client.post(url("correct_entry", entry.pk), {"reason": ""})
    assert blank.status_code == 400 and FundEntry.objects.count() == 1
    assert client.post(url("correct_entry", entry.pk), {"reason": "重复记账"}).status_code == 302
    correction = FundEntry.objects.get(corrects=entry)
    assert (correction.kind, correction.amount) == ("spending", Decimal("30.00"))
    again = client.post(url("correct_entry", entry.pk), {"reason": "再来"})
    assert again.status_code == 409 and FundEntry.objects.count() == 2
    assert as_(place.resident).post(url("correct_entry", entry.pk), {"reason": "x"}).status_code == 403


def test_the_disclosure_is_posted_by_the_committee_and_linked_from_the_fund_page(place):
    client = as_(place.secretary)
    empty = client.post(url("publish", place.compound.pk), {"period_days": "10"})
    assert empty.status_code == 409 and tr("There are no charges or fund entries to disclose yet.") in html(
        empty
    )
    rule = issued(place, contract_price="500")
    pay(place, charge_of(rule, place.homes[0]), "150", "R001")
    assert as_(place.owners).post(url("publish", place.compound.pk), {"period_days": "10"}).status_code == 403
    response = client.post(url("publish", place.compound.pk), {"period_days": "10"})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/n/{notice.pk}/"
    assert Disclosure.objects.get().notice == notice
    assert "2025年绿化养护费" in notice.body
    for name in NAMES:
        assert name not in notice.body
    public = Client().get(url("fund", place.compound.pk))
    assert f"/n/{notice.pk}/" in html(public)


def test_a_community_lists_its_compounds_with_their_funds_and_a_building_leads_to_its_compound(place):
    income(place, "60.00")
    page = Client().get(url("fund", place.tree.community.pk))
    assert page.status_code == 200
    assert url("fund", place.compound.pk) in html(page) and url("fund", place.tree.compound.pk) in html(page)
    assert "¥60.00" in html(page)
    building = Client().get(url("fund", place.b1.pk))
    assert building.status_code == 302 and building["Location"] == url("fund", place.compound.pk)


def test_the_region_page_and_the_workbench_link_to_the_fund(place):
    assert url("fund", place.compound.pk) in html(Client().get(f"/r/{place.compound.pk}/"))
    assert url("mine") in html(as_(place.secretary).get("/work/"))


# ---- charge rules ----------------------------------------------------------------------------------------


def rule_form(**kwargs) -> dict:
    data = {
        "title": "2025年绿化养护费",
        "period_start": YEAR_START.isoformat(),
        "period_end": YEAR_END.isoformat(),
        "method": "occupancy",
        "occupied_amount": "150",
        "vacant_amount": "100",
        "contract_price": "",
    }
    data.update(kwargs)
    return data


def test_the_committee_drafts_a_rule_by_occupancy_and_previews_each_households_charge(place):
    client = as_(place.secretary)
    assert client.get(url("new_rule", place.compound.pk)).status_code == 200
    response = client.post(url("new_rule", place.compound.pk), rule_form(contract_price="500"))
    rule = ChargeRule.objects.get()
    assert response.status_code == 302 and response["Location"] == url("rule", rule.pk)
    assert (rule.method, rule.occupied_amount, rule.vacant_amount, rule.contract_price) == (
        "occupancy",
        Decimal("150.00"),
        Decimal("100.00"),
        Decimal("500.00"),
    )
    page = client.get(url("rule", rule.pk))
    preview = re.search(r'<section aria-labelledby="preview-h".*?</section>', html(page), re.S).group(0)
    assert preview.count("¥150.00") == 3 and preview.count("¥100.00") == 2


@pytest.mark.parametrize(
    ("method", "field", "value", "stored"),
    [("area", "rate_per_m2", "1.5", Decimal("1.5000")), ("equal", "total", "1000", Decimal("1000.00"))],
)
def test_rules_by_area_and_equal_shares_are_drafted_too(place, method, field, value, stored):
    response = as_(place.secretary).post(
        url("new_rule", place.compound.pk), rule_form(method=method, **{field: value})
    )
    assert response.status_code == 302
    rule = ChargeRule.objects.get()
    assert (rule.method, getattr(rule, field)) == (method, stored)
    # What the other ways of sharing would have needed is not kept.
    assert (rule.occupied_amount, rule.vacant_amount) == (None, None)


def test_a_rule_with_a_bad_amount_or_period_is_not_saved(place):
    client = as_(place.secretary)
    words = client.post(url("new_rule", place.compound.pk), rule_form(occupied_amount="一百五"))
    assert words.status_code == 400
    assert tr("The amount must be a number, such as 150 or 150.50.") in errors_on(words)
    backwards = client.post(
        url("new_rule", place.compound.pk), rule_form(period_end=YEAR_START.replace(year=2024).isoformat())
    )
    assert backwards.status_code == 400 and tr("The period ends before it starts.") in errors_on(backwards)
    no_method = client.post(url("new_rule", place.compound.pk), rule_form(method=""))
    assert no_method.status_code == 400
    assert not ChargeRule.objects.exists()


@pytest.mark.parametrize("who", ["owners", "other_secretary", "resident"])
def test_only_the_committee_drafts_a_rule(place, who):
    client = as_(getattr(place, who))
    assert client.get(url("new_rule", place.compound.pk)).status_code == 403
    assert client.post(url("new_rule", place.compound.pk), rule_form()).status_code == 403
    assert not ChargeRule.objects.exists()


def test_a_draft_rule_is_only_for_the_committee(place):
    rule = gardening_rule(place)
    for client in (Client(), as_(place.owners), as_(place.other_secretary)):
        assert client.get(url("rule", rule.pk)).status_code == 404
    assert as_(place.owners).post(url("issue", rule.pk)).status_code == 404
    assert not Charge.objects.exists()


def test_an_exemption_needs_a_reason_and_leaves_the_household_out_of_the_charges(place):
    rule = gardening_rule(place)
    client = as_(place.secretary)
    blank = client.post(url("exempt", rule.pk), {"household": place.homes[2].pk, "reason": ""})
    assert blank.status_code == 400 and tr("Give the reason for the exemption.") in errors_on(blank)
    assert not Exemption.objects.exists()
    assert (
        client.post(url("exempt", rule.pk), {"household": place.homes[2].pk, "reason": "低保户"}).status_code
        == 302
    )
    twice = client.post(url("exempt", rule.pk), {"household": place.homes[2].pk, "reason": "低保户"})
    assert twice.status_code == 400 and Exemption.objects.count() == 1
    elsewhere = builders.household(place.tree.building, room="909")
    outside = client.post(url("exempt", rule.pk), {"household": elsewhere.pk, "reason": "低保户"})
    assert outside.status_code == 400 and Exemption.objects.count() == 1
    assert "低保户" in html(client.get(url("rule", rule.pk)))
    assert client.post(url("issue", rule.pk)).status_code == 302
    rule.refresh_from_db()
    assert rule.status == RuleStatus.ISSUED and rule.issued_total == Decimal("500.00")
    exempt = charge_of(rule, place.homes[2])
    assert (exempt.exempt, exempt.amount) == (True, Decimal("0.00"))
    # Issued: the rule is frozen.
    late = client.post(url("exempt", rule.pk), {"household": place.homes[0].pk, "reason": "低保户"})
    assert late.status_code == 409 and Exemption.objects.count() == 1
    assert client.post(url("issue", rule.pk)).status_code == 409
    assert Charge.objects.count() == 5


def test_an_exemption_is_removed_while_the_rule_is_a_draft(place):
    rule = gardening_rule(place)
    exemption = services.exempt_household(
        actor=place.secretary, rule=rule, household=place.homes[1], reason="低保"
    )
    assert as_(place.owners).post(url("remove_exemption", rule.pk, exemption.pk)).status_code == 404
    assert as_(place.secretary).post(url("remove_exemption", rule.pk, exemption.pk)).status_code == 302
    assert not Exemption.objects.exists()


def test_an_area_rule_with_a_household_without_floor_area_says_so_in_the_preview(place):
    builders.household(place.b2, room="201")  # no floor area recorded
    rule = services.create_charge_rule(
        actor=place.secretary,
        compound=place.compound,
        title="按面积",
        period_start=YEAR_START,
        period_end=YEAR_END,
        method="area",
        rate_per_m2="1",
    )
    page = as_(place.secretary).get(url("rule", rule.pk))
    with translation.override("zh-hans"):
        missing = translation.ngettext(
            "%(count)d household has no floor area recorded. Record it, or exempt the household.",
            "%(count)d households have no floor area recorded. Record them, or exempt the households.",
            1,
        ) % {"count": 1}
    assert page.status_code == 200 and escape(missing) in html(page)
    assert as_(place.secretary).post(url("issue", rule.pk)).status_code == 409
    assert not Charge.objects.exists()


# ---- issued: totals for everyone, who owes what for staff ------------------------------------------------


def test_the_public_sees_an_issued_rules_totals_and_never_a_household(place):
    rule = issued(place)
    pay(place, charge_of(rule, place.homes[0]), "150", "R001")
    page = Client().get(url("rule", rule.pk))
    assert page.status_code == 200
    assert "¥650.00" in html(page) and "¥150.00" in html(page) and "¥500.00" in html(page)
    assert 'id="charges-h"' not in html(page) and "R001" not in html(page)
    assert str(place.homes[0]) not in html(page)
    assert url("charges_xlsx", rule.pk) not in html(page)
    for name in NAMES:
        assert name not in html(page)
    assert Client().get(url("charges_xlsx", rule.pk)).status_code == 403
    assert as_(place.resident).get(url("charges_xlsx", rule.pk)).status_code == 403


def test_staff_see_the_charges_and_the_arrears_list(place):
    rule = issued(place)
    pay(place, charge_of(rule, place.homes[0]), "150", "R001")
    pay(place, charge_of(rule, place.homes[1]), "40", "R002")
    client = as_(place.owners)
    every = client.get(url("rule", rule.pk))
    table = re.search(r'<section aria-labelledby="charges-h".*?</section>', html(every), re.S).group(0)
    assert table.count(url("charge", 0)[:-2]) == 5
    owing = client.get(url("rule", rule.pk), {"owing": "1"})
    arrears = re.search(r'<section aria-labelledby="charges-h".*?</section>', html(owing), re.S).group(0)
    assert url("charge", charge_of(rule, place.homes[0]).pk) not in arrears
    assert url("charge", charge_of(rule, place.homes[1]).pk) in arrears and "¥60.00" in arrears
    assert arrears.count("/funds/charges/") == 4
    # The committee of the compound next door sees totals only.
    assert 'id="charges-h"' not in html(as_(place.other_owners).get(url("rule", rule.pk)))


def test_the_rule_page_reads_a_fixed_number_of_queries_however_many_households(place):
    def count(rule) -> int:
        client = as_(place.owners)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("rule", rule.pk)).status_code == 200
        return len(ctx)

    few = count(issued(place, title="五户"))
    for room in range(301, 321):
        builders.household(place.b2, room=str(room), floor_area="50")
    rule = issued(place, title="二十五户")
    for i, charge in enumerate(rule.charges.all()[:10]):
        pay(place, charge, "10", f"M{i:03d}")
    assert count(rule) == few


def test_the_charges_download_as_excel_for_staff_and_open(place):
    rule = issued(place)
    pay(place, charge_of(rule, place.homes[0]), "150", "R001")
    response = as_(place.owners).get(url("charges_xlsx", rule.pk))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["费用明细", "缴费记录"]
    charges = [row for row in book["费用明细"].iter_rows(values_only=True) if row[0] in ("1号楼", "2号楼")]
    assert len(charges) == 5
    payments = [row for row in book["缴费记录"].iter_rows(values_only=True) if "R001" in row]
    assert len(payments) == 1
    assert as_(place.other_owners).get(url("charges_xlsx", rule.pk)).status_code == 403


@pytest.mark.parametrize("who", ["secretary", "owners"])
def test_staff_record_a_payment_with_its_receipt(place, who):
    rule = issued(place)
    charge = charge_of(rule, place.homes[1])
    data = {"charge": charge.pk, "amount": "100", "paid_on": place.today.isoformat(), "method": "wechat"}
    response = as_(getattr(place, who)).post(url("pay", rule.pk), {**data, "receipt_no": "JC-2025-001"})
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.receipt_no, payment.method, payment.recorded_by) == (
        Decimal("100.00"),
        "JC-2025-001",
        "wechat",
        getattr(place, who),
    )
    charge.refresh_from_db()
    assert charge.paid == Decimal("100.00")


def test_a_payment_without_a_receipt_twice_the_same_receipt_or_beyond_what_is_owed_is_refused(place):
    rule = issued(place)
    first, second = charge_of(rule, place.homes[0]), charge_of(rule, place.homes[3])
    client = as_(place.owners)
    base = {"amount": "50", "paid_on": place.today.isoformat(), "method": "cash"}
    no_receipt = client.post(url("pay", rule.pk), {**base, "charge": first.pk, "receipt_no": ""})
    assert no_receipt.status_code == 400 and tr("Give the receipt number.") in errors_on(no_receipt)
    assert (
        client.post(url("pay", rule.pk), {**base, "charge": first.pk, "receipt_no": "R1"}).status_code == 302
    )
    taken = client.post(url("pay", rule.pk), {**base, "charge": second.pk, "receipt_no": "R1"})
    assert taken.status_code == 400
    too_much = client.post(
        url("pay", rule.pk), {**base, "charge": first.pk, "amount": "100.01", "receipt_no": "R2"}
    )
    assert too_much.status_code == 400
    with translation.override("zh-hans"):
        owed = translation.gettext("Only %(owed)s yuan is still owed; a payment of more is not accepted.") % {
            "owed": "100.00"
        }
    assert escape(owed) in html(too_much)
    future = client.post(
        url("pay", rule.pk),
        {
            **base,
            "charge": first.pk,
            "receipt_no": "R3",
            "paid_on": place.today.replace(year=place.today.year + 1),
        },
    )
    assert future.status_code == 400
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("who", ["other_secretary", "other_owners", "resident"])
def test_others_may_not_record_payments(place, who):
    rule = issued(place)
    charge = charge_of(rule, place.homes[0])
    data = {
        "charge": charge.pk,
        "amount": "50",
        "paid_on": place.today.isoformat(),
        "method": "cash",
        "receipt_no": "R",
    }
    assert as_(getattr(place, who)).post(url("pay", rule.pk), data).status_code == 403
    assert as_(getattr(place, who)).post(url("charge_pay", charge.pk), data).status_code == 404
    assert not Payment.objects.exists()


def test_the_surplus_beyond_the_contracted_price_goes_into_the_fund(place):
    rule = issued(place, contract_price="400")
    client = as_(place.owners)
    nothing = client.post(url("surplus", rule.pk), {"occurred_on": place.today.isoformat()})
    assert nothing.status_code == 409 and not FundEntry.objects.exists()
    for i, home in enumerate(place.homes):
        charge = charge_of(rule, home)
        pay(place, charge, str(charge.amount), f"R{i}")
    assert client.post(url("surplus", rule.pk), {"occurred_on": place.today.isoformat()}).status_code == 302
    entry = FundEntry.objects.get()
    assert (entry.kind, entry.amount, entry.rule) == ("income", Decimal("250.00"), rule)
    assert as_(place.resident).post(url("surplus", rule.pk), {}).status_code == 403
    assert "¥250.00" in html(Client().get(url("fund", place.compound.pk)))


# ---- one household's charge ------------------------------------------------------------------------------


def test_a_household_member_sees_their_own_charge_and_payments_and_no_one_elses(members):
    p = members
    rule = issued(p)
    mine = charge_of(rule, p.homes[0])
    pay(p, mine, "100", "R-0001")
    page = as_(p.resident).get(url("charge", mine.pk))
    assert page.status_code == 200 and "R-0001" in html(page) and "¥50.00" in html(page)
    assert url("charge_pay", mine.pk) not in html(page) and url("reverse_payment", 1)[:-10] not in html(page)
    theirs = charge_of(rule, p.homes[3])
    assert as_(p.resident).get(url("charge", theirs.pk)).status_code == 404
    assert as_(p.neighbour).get(url("charge", mine.pk)).status_code == 404
    assert as_(p.other_owners).get(url("charge", mine.pk)).status_code == 404
    assert Client().get(url("charge", mine.pk)).status_code == 302
    overview = as_(p.resident).get(url("mine"))
    assert "2025年绿化养护费" in html(overview) and "R-0001" in html(overview)
    assert "R-0001" not in html(as_(p.neighbour).get(url("mine")))


def test_staff_record_and_reverse_a_payment_on_the_households_page(members):
    p = members
    rule = issued(p)
    charge = charge_of(rule, p.homes[0])
    client = as_(p.owners)
    page = client.get(url("charge", charge.pk))
    assert url("charge_pay", charge.pk) in html(page)
    data = {"amount": "150", "paid_on": p.today.isoformat(), "method": "bank", "receipt_no": "B-1"}
    assert client.post(url("charge_pay", charge.pk), data).status_code == 302
    paid_twice = client.post(url("charge_pay", charge.pk), {**data, "receipt_no": "B-2"})
    assert paid_twice.status_code == 400 and Payment.objects.count() == 1
    payment = Payment.objects.get()
    blank = client.post(url("reverse_payment", payment.pk), {"reason": ""})
    assert blank.status_code == 400 and Payment.objects.count() == 1
    assert as_(p.resident).post(url("reverse_payment", payment.pk), {"reason": "错"}).status_code == 404
    assert client.post(url("reverse_payment", payment.pk), {"reason": "录错户"}).status_code == 302
    reversal = Payment.objects.get(reverses=payment)
    assert reversal.amount == Decimal("-150.00")
    charge.refresh_from_db()
    assert charge.paid == Decimal("0.00")
    again = client.post(url("reverse_payment", payment.pk), {"reason": "再次"})
    assert again.status_code == 409 and Payment.objects.count() == 2
