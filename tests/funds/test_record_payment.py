"""Payments against charges: partial payments, arrears, no overpayment, receipts unique per compound."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.funds.conftest import charge_of, issued, pay
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.funds import queries, services
from yishi.funds.models import Charge, Payment

pytestmark = pytest.mark.django_db


def refused(expected, call, /, **kwargs):
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert info.value.code == expected, info.value.reason
    return info.value


@pytest.fixture
def rule(place):
    return issued(place)


def test_a_household_pays_in_parts_and_its_arrears_go_down_to_nothing(place, rule):
    charge = charge_of(rule, place.homes[0])
    first = pay(place, charge, "100", "JCC-0001", method="wechat")
    assert (first.amount, first.method, first.receipt_no, first.recorded_by) == (
        Decimal("100.00"),
        "wechat",
        "JCC-0001",
        place.secretary,
    )
    charge.refresh_from_db()
    assert (charge.paid, charge.owed) == (Decimal("100.00"), Decimal("50.00"))
    owing, total = queries.household_arrears(place.homes[0])
    assert owing == [charge] and total == Decimal("50.00")
    pay(place, charge, "50.00", "JCC-0002")
    charge.refresh_from_db()
    assert charge.owed == 0
    assert queries.household_arrears(place.homes[0]) == ([], Decimal("0.00"))
    entry = AuditEntry.objects.filter(action="funds.record_payment").last()
    assert entry.data == {
        "rule": rule.pk,
        "charge": charge.pk,
        "amount": "50.00",
        "paid_on": str(place.today),
        "method": "cash",
        "receipt_no": "JCC-0002",
    }


def test_totals_and_the_arrears_list_follow_the_payments(place, rule):
    pay(place, charge_of(rule, place.homes[0]), "150", "R1")  # paid in full
    pay(place, charge_of(rule, place.homes[1]), "40", "R2")  # partly
    totals = queries.rule_totals(rule)
    assert (totals.charged, totals.paid, totals.owed) == (
        Decimal("650.00"),
        Decimal("190.00"),
        Decimal("460.00"),
    )
    assert (totals.paid_in_full, totals.in_arrears, totals.unpaid) == (1, 4, 3)
    owing = list(queries.arrears(rule))
    assert [c.household for c in owing] == place.homes[1:]
    assert [c.owed_amount for c in owing] == [Decimal(x) for x in ("60.00", "150.00", "150.00", "100.00")]


def test_paying_more_than_is_owed_is_refused_and_nothing_is_saved(place, rule):
    charge = charge_of(rule, place.homes[0])
    pay(place, charge, "100", "R1")
    error = refused("overpayment", pay, p=place, charge=charge, amount="50.01", receipt="R2")
    assert "50.00" in str(error)
    pay(place, charge, "50", "R2")
    refused("paid_in_full", pay, p=place, charge=charge, amount="0.01", receipt="R3")
    assert Payment.objects.count() == 2
    assert AuditEntry.objects.filter(action="funds.record_payment").count() == 2


def test_the_database_refuses_a_charge_paid_beyond_its_amount(place, rule):
    charge = charge_of(rule, place.homes[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.filter(pk=charge.pk).update(paid=Decimal("150.01"))


def test_a_receipt_number_is_used_once_per_compound_but_another_compound_may_use_it(place, rule):
    pay(place, charge_of(rule, place.homes[0]), "150", "NO.0001")
    refused(
        "receipt_taken",
        pay,
        p=place,
        charge=charge_of(rule, place.homes[1]),
        amount="100",
        receipt=" NO.0001 ",
    )
    assert Payment.objects.count() == 1
    from tests import builders
    from yishi.funds.services import create_charge_rule, issue_charges

    neighbour_home = builders.household(place.tree.building)
    other = create_charge_rule(
        actor=place.secretary,
        compound=place.tree.compound,
        title="绿化费",
        method="equal",
        period_start=rule.period_start,
        period_end=rule.period_end,
        total="100",
    )
    issue_charges(actor=place.secretary, rule=other)
    pay(place, other.charges.get(household=neighbour_home), "100", "NO.0001")
    assert Payment.objects.filter(receipt_no="NO.0001").count() == 2


def test_the_database_itself_refuses_a_receipt_number_twice_in_a_compound(place, rule):
    first = pay(place, charge_of(rule, place.homes[0]), "150", "R1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            charge=charge_of(rule, place.homes[1]),
            region=place.compound,
            amount=1,
            paid_on=first.paid_on,
            method="cash",
            receipt_no="R1",
        )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"amount": "0"}, "amount_not_positive"),
        ({"amount": "-5"}, "amount_not_positive"),
        ({"amount": "10.001"}, "too_many_places"),
        ({"receipt": "  "}, "receipt_no_required"),
        ({"receipt": "R" * 31}, "receipt_no_too_long"),
        ({"method": "alipay"}, "invalid_method"),
        ({"paid_on": None}, "paid_on_required"),
        ({"paid_on": "2025-03-01"}, "invalid_date"),
    ],
)
def test_a_payment_needs_an_exact_amount_a_receipt_a_method_and_a_date(place, rule, fields, code):
    args = {"amount": "50", "receipt": "R1"} | fields
    refused(code, pay, p=place, charge=charge_of(rule, place.homes[0]), **args)
    assert not Payment.objects.exists()


def test_a_payment_cannot_be_dated_in_the_future(place, rule):
    refused(
        "future_date",
        pay,
        p=place,
        charge=charge_of(rule, place.homes[0]),
        amount="50",
        receipt="R1",
        paid_on=place.today + datetime.timedelta(days=1),
    )


def test_an_exempt_household_has_nothing_to_pay(place):
    from tests.funds.conftest import gardening_rule

    rule = gardening_rule(place)
    services.exempt_household(actor=place.secretary, rule=rule, household=place.homes[0], reason="低保户")
    services.issue_charges(actor=place.secretary, rule=rule)
    refused("exempt", pay, p=place, charge=charge_of(rule, place.homes[0]), amount="1", receipt="R1")


def test_the_owners_committee_records_payments_in_its_own_compound_only(place, rule):
    pay(place, charge_of(rule, place.homes[0]), "150", "R1", actor=place.owners)
    for who in (place.other_owners, place.other_secretary, place.resident):
        refused(
            "forbidden",
            pay,
            p=place,
            charge=charge_of(rule, place.homes[1]),
            amount="100",
            receipt="R2",
            actor=who,
        )
    assert Payment.objects.count() == 1


def test_a_mistaken_payment_is_reversed_by_a_new_row_and_the_household_owes_again(place, rule):
    charge = charge_of(rule, place.homes[0])
    wrong = pay(place, charge, "150", "R1")
    refused("reason_required", services.reverse_payment, actor=place.secretary, payment=wrong, reason="")
    refused("forbidden", services.reverse_payment, actor=place.other_secretary, payment=wrong, reason="录错")
    reversal = services.reverse_payment(actor=place.owners, payment=wrong, reason="录错户")
    assert (reversal.amount, reversal.reverses, reversal.receipt_no) == (Decimal("-150.00"), wrong, "")
    charge.refresh_from_db()
    assert charge.paid == 0
    refused("already_reversed", services.reverse_payment, actor=place.secretary, payment=wrong, reason="再次")
    refused("is_reversal", services.reverse_payment, actor=place.secretary, payment=reversal, reason="再次")
    # The receipt stays taken: it was issued, and it is on record with its reversal.
    refused("receipt_taken", pay, p=place, charge=charge, amount="150", receipt="R1")
    pay(place, charge, "150", "R1-2")
    assert Payment.objects.filter(charge=charge).count() == 3


def test_payments_are_never_edited(place, rule):
    payment = pay(place, charge_of(rule, place.homes[0]), "150", "R1")
    payment.amount = Decimal("1.00")
    with pytest.raises(ValueError, match="append-only"):
        payment.save()
