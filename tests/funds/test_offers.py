"""Offered equals accepted, for charges and the public fund: the fund, rule and charge pages and the rule's
``available_actions`` offer exactly what the services accept, for every state, principal and action (see
``tests/grid.py``). Who sees charges (``view_charges``) is a read, checked by the pages' tests."""

import datetime

import pytest
from django.utils import timezone

from tests import grid
from yishi.funds import api, predicates, services
from yishi.funds.models import Charge, ChargeRule, FundEntry, Payment

YEAR_START, YEAR_END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def _rule(w, *, issue=False, contract_price=None, paid=(), total=None):
    fields = {"method": "occupancy", "occupied_amount": "150.00", "vacant_amount": "100.00"}
    if total is not None:
        fields = {"method": "equal", "total": total}
    rule = services.create_charge_rule(
        actor=w.committee,
        compound=w.tree.compound,
        title="绿化养护费",
        period_start=YEAR_START,
        period_end=YEAR_END,
        contract_price=contract_price,
        **fields,
    )
    services.exempt_household(actor=w.committee, rule=rule, household=w.home3, reason="低保户")
    if issue:
        rule = services.issue_charges(actor=w.committee, rule=rule)
        for n, amount in enumerate(paid):
            _pay(w, rule.charges.get(household=w.home), amount, f"R{rule.pk}-{n}")
    return rule.pk


def _pay(w, charge, amount, receipt, actor=None):
    return services.record_payment(
        actor=actor or w.committee,
        charge=charge,
        amount=amount,
        paid_on=timezone.localdate(),
        method="cash",
        receipt_no=receipt,
    )


def build():
    w = grid.place()
    w.rules = {
        "draft": _rule(w),
        "draft whose cost cannot be shared": _rule(w, total="0.01"),
        "issued": _rule(w, issue=True, paid=["50.00"]),
        "issued, surplus to post": _rule(w, issue=True, contract_price="100.00", paid=["150.00"]),
        "issued, nothing to post yet": _rule(w, issue=True, contract_price="300.00", paid=["150.00"]),
        "issued, its surplus posted": _rule(w, issue=True, contract_price="100.00", paid=["150.00"]),
    }
    # The fund: an income, a corrected income and its correction, and the surplus posted from one rule.
    income = services.record_fund_entry(
        actor=w.committee,
        compound=w.tree.compound,
        kind="income",
        amount="500.00",
        occurred_on=timezone.localdate(),
        description="捐款",
    )
    mistaken = services.record_fund_entry(
        actor=w.committee,
        compound=w.tree.compound,
        kind="income",
        amount="20.00",
        occurred_on=timezone.localdate(),
        description="录错",
    )
    correction = services.correct_fund_entry(actor=w.committee, entry=mistaken, reason="重复录入")
    posted_rule = ChargeRule.objects.get(pk=w.rules["issued, its surplus posted"])
    surplus = services.post_surplus(actor=w.committee, rule=posted_rule)
    w.entries = {
        "an income": income.pk,
        "an income corrected": mistaken.pk,
        "a correction": correction.pk,
        "a surplus posted": surplus.pk,
    }
    # Payments: one to reverse, one reversed and its reversal, one whose money went into the fund as surplus.
    issued = ChargeRule.objects.get(pk=w.rules["issued"])
    first = Payment.objects.get(charge__rule=issued)
    second = _pay(w, issued.charges.get(household=w.home2), "10.00", "R-second")
    reversal = services.reverse_payment(actor=w.committee, payment=second, reason="录错户")
    w.payments = {
        "a payment": first.pk,
        "a reversed payment": second.pk,
        "a reversal": reversal.pk,
        "a payment gone into the fund as surplus": Payment.objects.get(charge__rule=posted_rule).pk,
    }
    w.charges = {
        "a charge owed": issued.charges.get(household=w.home).pk,
        "a charge of an exempt household": issued.charges.get(household=w.home3).pk,
        "a charge paid in full": posted_rule.charges.get(household=w.home).pk,
    }
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from grid.built_once(django_db_blocker, build)


def _rule_calls(person, pk, w):
    def fresh():
        return ChargeRule.objects.select_related("region").get(pk=pk)

    def owed():
        return Charge.objects.filter(rule_id=pk, household=w.home2).first()

    calls = {
        "exempt": lambda: services.exempt_household(
            actor=person, rule=fresh(), household=w.home2, reason="困难户"
        ),
        "remove_exemption": lambda: services.remove_exemption(
            actor=person, exemption=fresh().exemptions.get()
        ),
        "issue": lambda: services.issue_charges(actor=person, rule=fresh()),
        "record_payment": lambda: _pay(w, owed(), "1.00", "R-grid", actor=person),
        "post_surplus": lambda: services.post_surplus(actor=person, rule=fresh()),
    }
    if owed() is None:
        del calls["record_payment"]  # no charge to pay before the charges are issued
    return calls


def test_every_action_on_a_charge_rule_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.rules.items():
        for label, person in grid.principals(world).items():
            rule = ChargeRule.objects.select_related("region").get(pk=pk)
            listed = api._rule_detail(rule, person)["available_actions"]
            reasons = predicates.rule_reasons(person, rule)
            calls = _rule_calls(person, pk, world)
            offered = {a: r for a, r in reasons.items() if a in calls}
            mismatches += grid.compare(
                state=state, principal=label, offered=offered, calls=calls, listed=listed
            )
            checked += len(calls)
    grid.assert_none(mismatches, checked)


def test_every_action_on_a_compound_is_offered_exactly_when_the_service_accepts_it(world, db):
    t = world.tree
    places = {
        "a compound with charges and a fund": t.compound,
        "a compound with nothing to disclose": t.compound_beside,
        "a community": t.community,
    }
    mismatches, checked = [], 0
    for state, region in places.items():
        for label, person in grid.principals(world).items():
            calls = {
                "create_rule": lambda person=person, region=region: services.create_charge_rule(
                    actor=person,
                    compound=region,
                    title="清运费",
                    period_start=YEAR_START,
                    period_end=YEAR_END,
                    method="equal",
                    total="300.00",
                ),
                "record_entry": lambda person=person, region=region: services.record_fund_entry(
                    actor=person,
                    compound=region,
                    kind="income",
                    amount="1.00",
                    occurred_on=timezone.localdate(),
                    description="捐款",
                ),
                "publish": lambda person=person, region=region: services.publish_disclosure(
                    actor=person, compound=region
                ),
            }
            offers = predicates.offers_on_compound(person, region)
            offered = {
                "create_rule": predicates.may_create_rule(person, region),
                "record_entry": predicates.may_record_entry(person, region),
                "publish": predicates.may_publish(person, region),
            }
            assert offers.open == {a for a, r in offered.items() if r is None}
            mismatches += grid.compare(state=state, principal=label, offered=offered, calls=calls)
            checked += len(calls)
    grid.assert_none(mismatches, checked)


def test_correcting_reversing_and_paying_are_offered_exactly_when_the_services_accept_them(world, db):
    mismatches, checked = [], 0
    compound = world.tree.compound
    for label, person in grid.principals(world).items():
        for state, pk in world.entries.items():
            entry = FundEntry.objects.get(pk=pk)
            offered = {"correct": predicates.may_correct_entry(person, entry, compound=compound)}
            calls = {
                "correct": lambda person=person, pk=pk: services.correct_fund_entry(
                    actor=person, entry=FundEntry.objects.get(pk=pk), reason="录错"
                )
            }
            mismatches += grid.compare(state=state, principal=label, offered=offered, calls=calls)
        for state, pk in world.payments.items():
            payment = Payment.objects.select_related("charge__rule__region").get(pk=pk)
            offered = {"reverse": predicates.may_reverse(person, payment, payment.charge.rule)}
            calls = {
                "reverse": lambda person=person, pk=pk: services.reverse_payment(
                    actor=person, payment=Payment.objects.get(pk=pk), reason="录错"
                )
            }
            mismatches += grid.compare(state=state, principal=label, offered=offered, calls=calls)
        for state, pk in world.charges.items():
            charge = Charge.objects.select_related("rule__region").get(pk=pk)
            offered = {"pay": predicates.may_pay(person, charge, charge.rule)}
            calls = {
                "pay": lambda person=person, pk=pk: _pay(
                    world, Charge.objects.get(pk=pk), "1.00", "R-g", person
                )
            }
            mismatches += grid.compare(state=state, principal=label, offered=offered, calls=calls)
        checked += len(world.entries) + len(world.payments) + len(world.charges)
    grid.assert_none(mismatches, checked)
