"""建材城小区 (story S2) in 丽景社区 for the cost-sharing tests, with the people who manage its money."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import builders
from yishi.funds import services
from yishi.regions.models import Household, Level, Occupancy
from yishi.regions.services import create_region

YEAR_START = datetime.date(2025, 1, 1)
YEAR_END = datetime.date(2025, 12, 31)


def make_place():
    t = builders.tree()
    ns = SimpleNamespace(tree=t, today=timezone.localdate())
    ns.compound = create_region(actor=None, parent=t.community, level=Level.COMPOUND, name="建材城小区")
    ns.b1 = create_region(actor=None, parent=ns.compound, level=Level.BUILDING, name="1号楼")
    ns.b2 = create_region(actor=None, parent=ns.compound, level=Level.BUILDING, name="2号楼")
    # Five households: three lived in, two vacant, each with its floor area.
    ns.homes = [
        builders.household(ns.b1, room="101", floor_area="89.25"),
        builders.household(ns.b1, room="102", floor_area="60.13", occupancy=Occupancy.VACANT),
        builders.household(ns.b1, room="201", floor_area="112.50"),
        builders.household(ns.b2, room="101", floor_area="70.01"),
        builders.household(ns.b2, room="102", floor_area="45.67", occupancy=Occupancy.VACANT),
    ]
    ns.secretary = builders.person("张金利")
    builders.role(ns.secretary, "committee", t.community)
    ns.owners = builders.person("业委会主任")
    builders.role(ns.owners, "owners_committee", ns.compound)
    ns.other_secretary = builders.person("艾丽丽")
    builders.role(ns.other_secretary, "committee", t.sibling)
    ns.other_owners = builders.person("万泰业委会")
    builders.role(ns.other_owners, "owners_committee", t.compound)
    ns.resident = builders.person("刘桂兰")
    return ns


@pytest.fixture
def place(db):
    return make_place()


def gardening_rule(p, **kwargs):
    """The S2 rule: 150 yuan a year per occupied household, 100 per vacant one."""
    fields = {
        "title": "2025年绿化养护费",
        "period_start": YEAR_START,
        "period_end": YEAR_END,
        "method": "occupancy",
        "occupied_amount": "150.00",
        "vacant_amount": "100.00",
    }
    fields.update(kwargs)
    return services.create_charge_rule(actor=p.secretary, compound=p.compound, **fields)


def issued(p, **kwargs):
    rule = gardening_rule(p, **kwargs)
    return services.issue_charges(actor=p.secretary, rule=rule)


def charge_of(rule, household):
    return rule.charges.get(household=household)


def pay(p, charge, amount, receipt, actor=None, **kwargs):
    fields = {"paid_on": p.today, "method": "cash"}
    fields.update(kwargs)
    return services.record_payment(
        actor=actor or p.secretary, charge=charge, amount=amount, receipt_no=receipt, **fields
    )


def bulk_households(building, occupied: int, vacant: int) -> None:
    """Many households at once for the 200-household story (the roster import does the same in bulk)."""
    rows = [
        Household(
            region=building,
            unit="1",
            room=f"{i:04d}",
            occupancy=Occupancy.OCCUPIED,
            floor_area=Decimal("80.00"),
        )
        for i in range(occupied)
    ]
    rows += [
        Household(
            region=building,
            unit="2",
            room=f"{i:04d}",
            occupancy=Occupancy.VACANT,
            floor_area=Decimal("80.00"),
        )
        for i in range(vacant)
    ]
    Household.objects.bulk_create(rows)
