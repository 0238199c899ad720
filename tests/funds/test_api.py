"""The JSON API for cost sharing and the public fund (/api/v1/funds): every endpoint, what it refuses, money as
exact decimal strings, and that no name or household appears where the public reads."""

import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from tests import builders
from tests.funds.conftest import YEAR_END, YEAR_START, charge_of, gardening_rule, issued, pay
from yishi.funds import services
from yishi.funds.models import Charge, ChargeRule, Exemption, FundEntry, Payment
from yishi.notices.models import Notice
from yishi.people.models import Membership
from yishi.people.tokens import issue_token

pytestmark = pytest.mark.django_db

API = "/api/v1/funds"
BACKEND = "yishi.people.backends.PhonePasswordBackend"
NAMES = ["张金利", "业委会主任", "艾丽丽", "刘桂兰"]


def bearer(person) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")


def post(client, path: str, data=None, **extra):
    return client.post(
        f"{API}{path}", data if data is not None else {}, content_type="application/json", **extra
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    return body["detail"]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def rule_body(p, **kwargs) -> dict:
    body = {
        "region": p.compound.pk,
        "title": "2025年绿化养护费",
        "period_start": YEAR_START.isoformat(),
        "period_end": YEAR_END.isoformat(),
        "method": "occupancy",
        "occupied_amount": "150",
        "vacant_amount": "100.00",
        "contract_price": "500",
    }
    body.update(kwargs)
    return body


# ---- charge rules ----------------------------------------------------------------------------------------


def test_story_s2_a_rule_is_drafted_previewed_issued_paid_and_its_surplus_posted(place):
    secretary, owners = bearer(place.secretary), bearer(place.owners)
    rule = ok(post(secretary, "/rules", rule_body(place)), 201)
    assert (rule["status"], rule["occupied_amount"], rule["vacant_amount"], rule["totals"]) == (
        "draft",
        "150.00",
        "100.00",
        None,
    )
    assert rule["available_actions"] == ["exempt", "issue"]
    preview = ok(secretary.get(f"{API}/rules/{rule['id']}/preview"))
    assert [line["amount"] for line in preview["items"]] == ["150.00", "100.00", "150.00", "150.00", "100.00"]
    assert (preview["total"], preview["contract_price"], preview["count"]) == ("650.00", "500.00", 5)
    assert len(ok(secretary.get(f"{API}/rules/{rule['id']}/preview", {"limit": 2}))["items"]) == 2
    issued_rule = ok(post(secretary, f"/rules/{rule['id']}/issue"))
    totals = issued_rule["totals"]
    assert (totals["households"], totals["charged"], totals["owed"], totals["expected_surplus"]) == (
        5,
        "650.00",
        "650.00",
        "150.00",
    )
    charges = ok(owners.get(f"{API}/rules/{rule['id']}/charges"))["items"]
    for i, charge in enumerate(charges):
        paid = ok(
            post(
                owners,
                f"/charges/{charge['id']}/payments",
                {
                    "amount": charge["amount"],
                    "paid_on": place.today.isoformat(),
                    "method": "cash",
                    "receipt_no": f"R{i}",
                },
            ),
            201,
        )
        assert paid["amount"] == charge["amount"]
    surplus = ok(post(owners, f"/rules/{rule['id']}/surplus"), 201)
    assert (surplus["kind"], surplus["amount"], surplus["rule"]) == ("income", "150.00", rule["id"])
    ledger = ok(Client().get(f"{API}/compounds/{place.compound.pk}/ledger"))
    assert (ledger["income"], ledger["balance"], ledger["count"]) == ("150.00", "150.00", 1)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"occupied_amount": "一百五"}, "invalid_amount"),
        ({"occupied_amount": "150.001"}, "too_many_places"),
        ({"occupied_amount": "-1"}, "amount_not_positive"),
        ({"period_end": "2024-12-31"}, "period_order"),
        ({"title": "  "}, "title_required"),
        ({"method": "area"}, "amount_required"),
    ],
)
def test_a_rule_the_service_refuses_is_409_with_its_code_and_not_saved(place, fields, code):
    refused(post(bearer(place.secretary), "/rules", rule_body(place, **fields)), 409, code)
    assert not ChargeRule.objects.exists()


def test_a_malformed_rule_is_422(place):
    assert post(bearer(place.secretary), "/rules", rule_body(place, method="lottery")).status_code == 422
    assert (
        post(bearer(place.secretary), "/rules", rule_body(place, period_start="someday")).status_code == 422
    )
    assert not ChargeRule.objects.exists()


def test_rules_by_area_and_equal_shares_add_up_exactly(place):
    client = bearer(place.secretary)
    area = ok(post(client, "/rules", rule_body(place, method="area", rate_per_m2=1.5, title="按面积")), 201)
    assert area["rate_per_m2"] == "1.5000"
    equal = ok(post(client, "/rules", rule_body(place, method="equal", total="1000.01", title="均摊")), 201)
    shares = [
        Decimal(line["amount"]) for line in ok(client.get(f"{API}/rules/{equal['id']}/preview"))["items"]
    ]
    assert sum(shares) == Decimal("1000.01") and max(shares) - min(shares) == Decimal("0.01")


@pytest.mark.parametrize("who", ["owners", "other_secretary", "resident"])
def test_only_the_committee_drafts_rules(place, who):
    refused(post(bearer(getattr(place, who)), "/rules", rule_body(place)), 403, "forbidden")
    assert not ChargeRule.objects.exists()


def test_anonymous_writes_are_401_and_session_writes_need_the_csrf_token(place):
    assert post(Client(), "/rules", rule_body(place)).status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(place.secretary, backend=BACKEND)
    response = post(browser, "/rules", rule_body(place))
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    browser.cookies["csrftoken"] = "a" * 32
    ok(post(browser, "/rules", rule_body(place), HTTP_X_CSRFTOKEN="a" * 32), 201)
    assert ChargeRule.objects.count() == 1


def test_the_rules_list_is_public_for_issued_rules_and_paginated(place):
    draft = gardening_rule(place, title="草稿")
    first = issued(place, title="第一期")
    second = issued(
        place,
        title="第二期",
        period_start=YEAR_START.replace(year=2026),
        period_end=YEAR_END.replace(year=2026),
    )
    public = ok(Client().get(f"{API}/rules", {"region": place.compound.pk, "limit": 1}))
    assert (public["count"], [r["id"] for r in public["items"]]) == (2, [second.pk])
    staff = ok(bearer(place.secretary).get(f"{API}/rules", {"region": place.compound.pk}))
    assert {r["id"] for r in staff["items"]} == {draft.pk, first.pk, second.pk}
    assert Client().get(f"{API}/rules", {"region": place.tree.community.pk}).status_code == 404
    assert Client().get(f"{API}/rules", {"region": place.compound.pk, "limit": 500}).status_code == 422
    assert Client().get(f"{API}/rules/{draft.pk}").status_code == 404
    assert ok(Client().get(f"{API}/rules/{first.pk}"))["totals"]["charged"] == "650.00"


def test_exemptions_are_recorded_with_a_reason_listed_for_staff_and_removed_before_issue(place):
    rule = gardening_rule(place)
    client = bearer(place.secretary)
    refused(
        post(client, f"/rules/{rule.pk}/exemptions", {"household": place.homes[1].pk, "reason": ""}),
        409,
        "reason_required",
    )
    created = ok(
        post(client, f"/rules/{rule.pk}/exemptions", {"household": place.homes[1].pk, "reason": "低保户"}),
        201,
    )
    refused(
        post(client, f"/rules/{rule.pk}/exemptions", {"household": place.homes[1].pk, "reason": "低保户"}),
        409,
        "already_exempt",
    )
    elsewhere = builders.household(place.tree.building, room="909")
    refused(
        post(client, f"/rules/{rule.pk}/exemptions", {"household": elsewhere.pk, "reason": "低保"}),
        409,
        "household_elsewhere",
    )
    assert (
        post(client, f"/rules/{rule.pk}/exemptions", {"household": 99999, "reason": "低保"}).status_code
        == 404
    )
    listed = ok(client.get(f"{API}/rules/{rule.pk}/exemptions"))["items"]
    assert [(x["household"]["id"], x["reason"]) for x in listed] == [(place.homes[1].pk, "低保户")]
    assert client.delete(f"{API}/rules/{rule.pk}/exemptions/{created['id']}").status_code == 204
    assert not Exemption.objects.exists()
    services.exempt_household(actor=place.secretary, rule=rule, household=place.homes[1], reason="低保户")
    ok(post(client, f"/rules/{rule.pk}/issue"))
    refused(post(client, f"/rules/{rule.pk}/issue"), 409, "already_issued")
    refused(
        post(client, f"/rules/{rule.pk}/exemptions", {"household": place.homes[0].pk, "reason": "x"}),
        409,
        "already_issued",
    )
    assert Charge.objects.get(household=place.homes[1]).exempt
    # The owners' committee may read them (they keep the charges) but not add any.
    assert ok(bearer(place.owners).get(f"{API}/rules/{rule.pk}/exemptions"))["count"] == 1
    refused(bearer(place.other_owners).get(f"{API}/rules/{rule.pk}/exemptions"), 403, "forbidden")


# ---- who owes what ---------------------------------------------------------------------------------------


def test_charges_and_arrears_are_for_staff_only_and_paginated(place):
    rule = issued(place)
    pay(place, charge_of(rule, place.homes[0]), "150", "R1")
    pay(place, charge_of(rule, place.homes[1]), "40", "R2")
    every = ok(bearer(place.owners).get(f"{API}/rules/{rule.pk}/charges", {"limit": 2}))
    assert (every["count"], len(every["items"])) == (5, 2)
    owing = ok(bearer(place.owners).get(f"{API}/rules/{rule.pk}/charges", {"owing": "true"}))
    assert owing["count"] == 4
    first = owing["items"][0]
    assert (first["household"]["id"], first["paid"], first["owed"]) == (
        place.homes[1].pk,
        "40.00",
        "60.00",
    )
    for client in (bearer(place.resident), bearer(place.other_secretary), bearer(place.other_owners)):
        refused(client.get(f"{API}/rules/{rule.pk}/charges"), 403, "forbidden")
    assert Client().get(f"{API}/rules/{rule.pk}/charges").status_code == 401


def test_the_public_rule_reads_totals_and_never_a_household_or_a_name(place):
    rule = issued(place)
    pay(place, charge_of(rule, place.homes[0]), "150", "R1")
    response = Client().get(f"{API}/rules/{rule.pk}")
    body = ok(response)
    assert (body["totals"]["paid"], body["totals"]["paid_in_full"], body["available_actions"]) == (
        "150.00",
        1,
        [],
    )
    text = response.content.decode()
    for name in NAMES:
        assert name not in text
    assert "101" not in text and "R1" not in text


def test_payments_are_refused_beyond_what_is_owed_twice_by_receipt_and_for_others(place):
    rule = issued(place)
    charge = charge_of(rule, place.homes[0])
    body = {"amount": "100", "paid_on": place.today.isoformat(), "method": "wechat", "receipt_no": "R1"}
    refused(
        post(bearer(place.owners), f"/charges/{charge.pk}/payments", {**body, "amount": "150.01"}),
        409,
        "overpayment",
    )
    refused(
        post(bearer(place.owners), f"/charges/{charge.pk}/payments", {**body, "amount": 0.1 + 0.2}),
        409,
        "too_many_places",
    )
    ok(post(bearer(place.owners), f"/charges/{charge.pk}/payments", body), 201)
    other = charge_of(rule, place.homes[2])
    refused(post(bearer(place.secretary), f"/charges/{other.pk}/payments", body), 409, "receipt_taken")
    refused(
        post(bearer(place.owners), f"/charges/{charge.pk}/payments", {**body, "receipt_no": ""}),
        409,
        "receipt_no_required",
    )
    assert (
        post(bearer(place.owners), f"/charges/{charge.pk}/payments", {**body, "method": "gold"}).status_code
        == 422
    )
    for who in (place.resident, place.other_owners):
        assert (
            post(bearer(who), f"/charges/{charge.pk}/payments", {**body, "receipt_no": "X"}).status_code
            == 404
        )
    assert Payment.objects.count() == 1
    charge.refresh_from_db()
    assert charge.paid == Decimal("100.00")


def test_a_payment_is_reversed_once_with_a_reason(place):
    rule = issued(place)
    payment = pay(place, charge_of(rule, place.homes[0]), "150", "R1")
    refused(
        post(bearer(place.owners), f"/payments/{payment.pk}/reverse", {"reason": ""}), 409, "reason_required"
    )
    assert (
        post(bearer(place.resident), f"/payments/{payment.pk}/reverse", {"reason": "错"}).status_code == 404
    )
    reversal = ok(post(bearer(place.owners), f"/payments/{payment.pk}/reverse", {"reason": "录错户"}), 201)
    assert (reversal["amount"], reversal["reverses"]) == ("-150.00", payment.pk)
    refused(
        post(bearer(place.owners), f"/payments/{payment.pk}/reverse", {"reason": "再次"}),
        409,
        "already_reversed",
    )
    detail = ok(bearer(place.owners).get(f"{API}/charges/{payment.charge_id}"))
    assert [(p["amount"], p["reversed"]) for p in detail["payments"]] == [
        ("150.00", True),
        ("-150.00", False),
    ]
    assert detail["paid"] == "0.00"


def test_a_household_member_reads_their_own_charges_and_no_one_elses(place):
    Membership.objects.create(person=place.resident, household=place.homes[0])
    rule = issued(place)
    mine = charge_of(rule, place.homes[0])
    pay(place, mine, "100", "R1")
    listed = ok(bearer(place.resident).get(f"{API}/mine"))["items"]
    assert [
        (c["id"], c["rule_title"], c["owed"], [p["receipt_no"] for p in c["payments"]]) for c in listed
    ] == [(mine.pk, "2025年绿化养护费", "50.00", ["R1"])]
    assert ok(bearer(place.resident).get(f"{API}/charges/{mine.pk}"))["paid"] == "100.00"
    other = charge_of(rule, place.homes[3])
    assert bearer(place.resident).get(f"{API}/charges/{other.pk}").status_code == 404
    assert ok(bearer(place.other_secretary).get(f"{API}/mine"))["items"] == []
    assert Client().get(f"{API}/mine").status_code == 401


def test_the_charges_workbook_downloads_for_staff_and_opens(place):
    rule = issued(place)
    pay(place, charge_of(rule, place.homes[0]), "150", "R1")
    response = bearer(place.owners).get(f"{API}/rules/{rule.pk}/charges.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["费用明细", "缴费记录"]
    refused(bearer(place.resident).get(f"{API}/rules/{rule.pk}/charges.xlsx"), 403, "forbidden")


# ---- the public fund -------------------------------------------------------------------------------------


def test_the_ledger_is_public_oldest_first_with_the_running_balance_and_paginated(place):
    client = bearer(place.owners)
    ok(
        post(
            client,
            f"/compounds/{place.compound.pk}/entries",
            {
                "kind": "income",
                "amount": "500",
                "occurred_on": place.today.isoformat(),
                "description": "废品回收",
            },
        ),
        201,
    )
    spent = ok(
        post(
            client,
            f"/compounds/{place.compound.pk}/entries",
            {
                "kind": "spending",
                "amount": 120.5,
                "occurred_on": place.today.isoformat(),
                "description": "工具",
                "evidence_text": "发票 0001",
            },
        ),
        201,
    )
    assert spent["amount"] == "120.50"
    page = ok(Client().get(f"{API}/compounds/{place.compound.pk}/ledger", {"limit": 1, "offset": 1}))
    assert (page["income"], page["spending"], page["balance"], page["count"]) == (
        "500.00",
        "120.50",
        "379.50",
        2,
    )
    assert [(e["description"], e["balance_after"], e["evidence_text"]) for e in page["entries"]] == [
        ("工具", "379.50", "发票 0001")
    ]
    text = Client().get(f"{API}/compounds/{place.compound.pk}/ledger").content.decode()
    for name in NAMES:
        assert name not in text
    workbook = Client().get(f"{API}/compounds/{place.compound.pk}/ledger.xlsx")
    assert workbook.status_code == 200
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames == ["公共资金台账"]
    assert Client().get(f"{API}/compounds/{place.tree.community.pk}/ledger").status_code == 404


def test_fund_entries_need_evidence_for_spending_a_balance_and_the_authority(place):
    base = {"kind": "spending", "amount": "10", "occurred_on": place.today.isoformat(), "description": "工具"}
    path = f"/compounds/{place.compound.pk}/entries"
    refused(post(bearer(place.owners), path, base), 409, "evidence_required")
    refused(post(bearer(place.owners), path, {**base, "evidence_text": "发票"}), 409, "insufficient_balance")
    future = place.today.replace(year=place.today.year + 1).isoformat()
    refused(
        post(bearer(place.owners), path, {**base, "kind": "income", "occurred_on": future}),
        409,
        "future_date",
    )
    for who in (place.resident, place.other_owners, place.other_secretary):
        refused(post(bearer(who), path, {**base, "kind": "income"}), 403, "forbidden")
    assert post(Client(), path, {**base, "kind": "income"}).status_code == 401
    assert not FundEntry.objects.exists()


def test_an_entry_is_corrected_once_by_the_opposite_one(place):
    entry = services.record_fund_entry(
        actor=place.owners,
        compound=place.compound,
        kind="income",
        amount="30",
        occurred_on=place.today,
        description="误记",
    )
    refused(post(bearer(place.resident), f"/entries/{entry.pk}/correct", {"reason": "错"}), 403, "forbidden")
    correction = ok(post(bearer(place.owners), f"/entries/{entry.pk}/correct", {"reason": "重复记账"}), 201)
    assert (correction["kind"], correction["amount"], correction["corrects"]) == (
        "spending",
        "30.00",
        entry.pk,
    )
    refused(
        post(bearer(place.owners), f"/entries/{entry.pk}/correct", {"reason": "再次"}),
        409,
        "already_corrected",
    )
    assert post(bearer(place.owners), "/entries/99999/correct", {"reason": "x"}).status_code == 404


def test_the_disclosure_is_posted_by_the_committee_and_listed_publicly(place):
    path = f"/compounds/{place.compound.pk}/disclosures"
    refused(post(bearer(place.secretary), path), 409, "nothing_to_disclose")
    issued(place)
    refused(post(bearer(place.owners), path), 403, "forbidden")
    notice = ok(post(bearer(place.secretary), path, {"period_days": 15}), 201)
    assert (notice["region"]["id"], notice["period_days"]) == (place.tree.community.pk, 15)
    for name in NAMES:
        assert name not in notice["body"]
    listed = ok(Client().get(f"{API}{path}"))
    assert listed["count"] == 1
    assert [n["id"] for n in listed["items"]] == [notice["id"]] == [Notice.objects.get().pk]


def test_money_is_never_a_json_number(place):
    rule = issued(place)
    body = json.loads(Client().get(f"{API}/rules/{rule.pk}").content)
    assert isinstance(body["issued_total"], str) and isinstance(body["totals"]["charged"], str)
