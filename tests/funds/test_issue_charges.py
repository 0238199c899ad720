"""Charge rules, exemptions and issuing: one exact charge per household, the total as announced."""

import datetime
from decimal import Decimal

import pytest

from tests import builders
from tests.funds.conftest import YEAR_END, YEAR_START, bulk_households, charge_of, gardening_rule, issued
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.funds import queries, services
from yishi.funds.models import Charge, ChargeRule, Exemption, RuleStatus
from yishi.regions.models import Level
from yishi.regions.services import create_region

pytestmark = pytest.mark.django_db


def refused(expected, call, /, **kwargs):
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert info.value.code == expected, info.value.reason
    return info.value


# ---- the rule --------------------------------------------------------------------------------------------


def test_story_s2_200_households_180_occupied_and_20_vacant_are_charged_29000_yuan_a_year(place):
    big = create_region(actor=None, parent=place.tree.community, level=Level.COMPOUND, name="建材城小区二期")
    building = create_region(actor=None, parent=big, level=Level.BUILDING, name="1号楼")
    bulk_households(building, occupied=180, vacant=20)
    rule = services.create_charge_rule(
        actor=place.secretary,
        compound=big,
        title="绿化养护费",
        period_start=YEAR_START,
        period_end=YEAR_END,
        method="occupancy",
        occupied_amount="150",
        vacant_amount="100",
        contract_price="25000",
    )
    rule = services.issue_charges(actor=place.secretary, rule=rule)
    assert rule.status == RuleStatus.ISSUED and rule.issued_total == Decimal("29000.00")
    assert rule.charges.count() == 200
    assert set(rule.charges.filter(occupancy="occupied").values_list("amount", flat=True)) == {
        Decimal("150.00")
    }
    assert set(rule.charges.filter(occupancy="vacant").values_list("amount", flat=True)) == {
        Decimal("100.00")
    }
    totals = queries.rule_totals(rule)
    assert (totals.households, totals.charged, totals.owed, totals.in_arrears) == (
        200,
        Decimal("29000.00"),
        Decimal("29000.00"),
        200,
    )
    assert totals.expected_surplus == Decimal("4000.00")  # against the gardening team's price
    entry = AuditEntry.objects.get(action="funds.issue_charges")
    assert entry.data == {"households": 200, "exempt": 0, "total": "29000.00"}


def test_equal_shares_of_1000_among_3_households_add_up_to_exactly_1000(place):
    small = create_region(actor=None, parent=place.tree.community, level=Level.COMPOUND, name="三户小院")
    homes = [builders.household(small, room=room) for room in ("1", "2", "3")]
    rule = services.create_charge_rule(
        actor=place.secretary,
        compound=small,
        title="路灯维修",
        method="equal",
        period_start=YEAR_START,
        period_end=YEAR_START,
        total="1000.00",
    )
    services.issue_charges(actor=place.secretary, rule=rule)
    amounts = [charge_of(rule, h).amount for h in homes]
    assert amounts == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]
    assert sum(amounts) == Decimal("1000.00")


def test_by_area_charges_add_up_exactly_to_the_total_area_times_the_rate(place):
    rule = issued(place, method="area", rate_per_m2="1.2345", occupied_amount=None, vacant_amount=None)
    charges = list(queries.charges_of(rule))
    total_area = sum(h.floor_area for h in place.homes)  # 377.56 m²
    assert (
        sum(c.amount for c in charges)
        == (total_area * Decimal("1.2345")).quantize(Decimal("0.01"))
        == Decimal("466.10")
    )
    for charge in charges:
        assert abs(charge.amount - charge.floor_area * Decimal("1.2345")) < Decimal("0.01")


def test_by_area_is_refused_while_a_paying_household_has_no_floor_area(place):
    no_area = builders.household(place.b2, room="201")
    rule = gardening_rule(place, method="area", rate_per_m2="1.00")
    refused("area_missing", services.issue_charges, actor=place.secretary, rule=rule)
    assert not Charge.objects.exists()
    services.exempt_household(actor=place.secretary, rule=rule, household=no_area, reason="待核实面积")
    services.issue_charges(actor=place.secretary, rule=rule)
    assert charge_of(rule, no_area).amount == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"method": "monthly"}, "invalid_method"),
        ({"occupied_amount": "150.005"}, "too_many_places"),
        ({"occupied_amount": "-1"}, "amount_not_positive"),
        ({"occupied_amount": "0", "vacant_amount": "0"}, "amount_required"),
        ({"vacant_amount": ""}, "amount_required"),
        ({"method": "area"}, "amount_required"),
        ({"method": "area", "rate_per_m2": "0.12345"}, "too_many_places"),
        ({"method": "equal", "total": "0"}, "amount_not_positive"),
        ({"period_end": datetime.date(2024, 12, 31)}, "period_order"),
        ({"period_start": None}, "period_start_required"),
        ({"title": " "}, "title_required"),
        ({"contract_price": "abc"}, "invalid_amount"),
    ],
)
def test_a_rule_must_be_complete_and_exact(place, fields, code):
    refused(code, gardening_rule, p=place, **fields)
    assert not ChargeRule.objects.exists()


def test_rules_belong_to_a_compound_and_to_those_who_manage_its_charges(place):
    refused(
        "wrong_level",
        services.create_charge_rule,
        actor=place.secretary,
        compound=place.tree.community,
        title="费",
        period_start=YEAR_START,
        period_end=YEAR_END,
        method="equal",
        total="100",
    )
    for who in (place.other_secretary, place.owners, place.resident):
        refused(
            "forbidden",
            services.create_charge_rule,
            actor=who,
            compound=place.compound,
            title="费",
            period_start=YEAR_START,
            period_end=YEAR_END,
            method="equal",
            total="100",
        )


def test_the_vacant_amount_may_be_zero_so_vacant_homes_pay_nothing(place):
    rule = issued(place, vacant_amount="0")
    assert queries.rule_totals(rule).charged == Decimal("450.00")
    assert charge_of(rule, place.homes[1]).amount == 0


def test_a_total_too_small_to_share_is_refused(place):
    rule = gardening_rule(place, method="equal", total="0.04")
    refused("share_too_small", services.issue_charges, actor=place.secretary, rule=rule)


def test_a_compound_without_households_has_nothing_to_issue(place):
    empty = create_region(actor=None, parent=place.tree.community, level=Level.COMPOUND, name="新建小区")
    rule = services.create_charge_rule(
        actor=place.secretary,
        compound=empty,
        title="费",
        method="equal",
        period_start=YEAR_START,
        period_end=YEAR_END,
        total="100",
    )
    refused("no_households", services.issue_charges, actor=place.secretary, rule=rule)


# ---- exemptions ------------------------------------------------------------------------------------------


def test_an_exempt_household_is_charged_nothing_and_the_others_pay_their_fixed_amounts(place):
    rule = gardening_rule(place)
    exemption = services.exempt_household(
        actor=place.secretary, rule=rule, household=place.homes[0], reason="低保户"
    )
    assert exemption.reason == "低保户" and exemption.recorded_by == place.secretary
    services.issue_charges(actor=place.secretary, rule=rule)
    exempt = charge_of(rule, place.homes[0])
    assert (exempt.amount, exempt.exempt) == (Decimal("0.00"), True)
    totals = queries.rule_totals(rule)
    assert (totals.households, totals.exempt, totals.charged) == (5, 1, Decimal("500.00"))
    assert totals.in_arrears == 4  # the exempt household owes nothing


def test_equal_shares_are_shared_among_the_households_that_are_not_exempt(place):
    rule = gardening_rule(place, method="equal", total="1000.00")
    services.exempt_household(actor=place.secretary, rule=rule, household=place.homes[2], reason="低保户")
    services.issue_charges(actor=place.secretary, rule=rule)
    assert sorted(c.amount for c in rule.charges.filter(exempt=False)) == [Decimal("250.00")] * 4
    assert queries.rule_totals(rule).charged == Decimal("1000.00")


def test_an_exemptions_reason_stays_out_of_the_audit_log_in_clear(place):
    rule = gardening_rule(place)
    services.exempt_household(actor=place.secretary, rule=rule, household=place.homes[0], reason="低保户")
    entry = AuditEntry.objects.get(action="funds.exempt_household")
    assert entry.data == {"rule": rule.pk}
    assert entry.personal_digest and "低保" not in str(entry.data)


def test_exemptions_are_once_per_household_with_a_reason_for_a_household_of_the_compound(place):
    rule = gardening_rule(place)
    refused(
        "reason_required",
        services.exempt_household,
        actor=place.secretary,
        rule=rule,
        household=place.homes[0],
        reason=" ",
    )
    services.exempt_household(actor=place.secretary, rule=rule, household=place.homes[0], reason="低保户")
    refused(
        "already_exempt",
        services.exempt_household,
        actor=place.secretary,
        rule=rule,
        household=place.homes[0],
        reason="低保户",
    )
    elsewhere = builders.household(place.tree.building)
    refused(
        "household_elsewhere",
        services.exempt_household,
        actor=place.secretary,
        rule=rule,
        household=elsewhere,
        reason="低保户",
    )
    refused(
        "forbidden",
        services.exempt_household,
        actor=place.owners,
        rule=rule,
        household=place.homes[1],
        reason="低保户",
    )


def test_an_exemption_can_be_removed_until_the_charges_are_issued(place):
    rule = gardening_rule(place)
    exemption = services.exempt_household(
        actor=place.secretary, rule=rule, household=place.homes[0], reason="低保户"
    )
    services.remove_exemption(actor=place.secretary, exemption=exemption)
    assert not Exemption.objects.exists()
    again = services.exempt_household(
        actor=place.secretary, rule=rule, household=place.homes[0], reason="低保户"
    )
    services.issue_charges(actor=place.secretary, rule=rule)
    refused("already_issued", services.remove_exemption, actor=place.secretary, exemption=again)
    refused(
        "already_issued",
        services.exempt_household,
        actor=place.secretary,
        rule=rule,
        household=place.homes[1],
        reason="低保户",
    )


def test_issuing_is_once_and_freezes_each_households_occupancy_and_area(place):
    rule = issued(place)
    refused("already_issued", services.issue_charges, actor=place.secretary, rule=rule)
    assert rule.charges.count() == 5
    charge = charge_of(rule, place.homes[1])
    assert (charge.occupancy, charge.floor_area, charge.amount) == (
        "vacant",
        Decimal("60.13"),
        Decimal("100.00"),
    )


def test_the_preview_shows_what_issuing_will_charge_without_writing_anything(place):
    rule = gardening_rule(place)
    lines = queries.compute_charges(rule)
    assert [line.amount for line in lines] == [Decimal(a) for a in ("150", "100", "150", "150", "100")]
    assert not Charge.objects.exists()


def test_a_draft_rule_is_seen_only_by_those_who_manage_charges_there(place):
    from django.http import Http404

    rule = gardening_rule(place)
    assert queries.get_rule_for(place.secretary, rule.pk) == rule
    for who in (place.owners, place.resident, place.other_secretary, None):
        with pytest.raises(Http404):
            queries.get_rule_for(who, rule.pk)
    services.issue_charges(actor=place.secretary, rule=rule)
    assert queries.get_rule_for(place.resident, rule.pk) == rule
    assert list(queries.rules_of(place.compound)) == [rule]
    with pytest.raises(Http404):
        queries.get_rule_for(place.resident, "x")
