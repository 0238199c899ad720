"""The shapes of the funds API (cost sharing, payments, a compound's public fund): what comes out and what goes
in. Money goes in and comes out as decimal strings ("150.00"), never floats.
"""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from yishi.notices.services import DEFAULT_PERIOD_DAYS

from .models import EntryKind, Method, PaymentMethod

MethodKey = Literal[tuple(Method.values)]  # type: ignore[valid-type]
PaymentMethodKey = Literal[tuple(PaymentMethod.values)]  # type: ignore[valid-type]
EntryKindKey = Literal[tuple(EntryKind.values)]  # type: ignore[valid-type]
# A decimal number or its text: the services read either exactly (and explain what is wrong with it).
Money = Decimal | str


# --- what comes out --------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class HouseholdOut(Schema):
    id: int
    label: str = Field(..., description="Building, entrance and room")


class RuleOut(Schema):
    id: int
    region: Ref
    title: str
    period_start: datetime.date
    period_end: datetime.date
    method: str
    method_label: str
    occupied_amount: Decimal | None
    vacant_amount: Decimal | None
    rate_per_m2: Decimal | None
    total: Decimal | None
    contract_price: Decimal | None
    matter: int | None
    status: str
    issued_at: datetime.datetime | None
    issued_total: Decimal | None


class RulePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RuleOut]


class TotalsOut(Schema):
    households: int
    exempt: int
    charged: Decimal
    paid: Decimal
    owed: Decimal
    paid_in_full: int
    in_arrears: int
    unpaid: int
    surplus_posted: Decimal
    expected_surplus: Decimal | None


class RuleDetail(RuleOut):
    totals: TotalsOut | None = Field(..., description="Once issued: public totals, never a household")
    available_actions: list[str]


class LineOut(Schema):
    household: HouseholdOut
    occupancy: str
    floor_area: Decimal | None
    amount: Decimal
    exempt: bool


class ExemptionOut(Schema):
    id: int
    household: HouseholdOut
    reason: str


class ExemptionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ExemptionOut]


class PaymentOut(Schema):
    id: int
    charge: int
    amount: Decimal = Field(..., description="Negative for a reversal")
    paid_on: datetime.date
    method: str
    receipt_no: str
    reverses: int | None
    reason: str
    reversed: bool


class ChargeOut(Schema):
    id: int
    rule: int
    household: HouseholdOut
    occupancy: str
    floor_area: Decimal | None
    amount: Decimal
    paid: Decimal
    owed: Decimal
    exempt: bool


class ChargePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ChargeOut]


class ChargeDetail(ChargeOut):
    rule_title: str
    payments: list[PaymentOut]


class MyChargePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ChargeDetail]


class EntryOut(Schema):
    id: int
    kind: str
    amount: Decimal
    occurred_on: datetime.date
    description: str
    evidence_text: str
    evidence_photo: str | None
    rule: int | None
    corrects: int | None
    balance_after: Decimal | None = Field(None, description="The fund's balance after this entry")


class LedgerOut(Schema):
    compound: Ref
    income: Decimal
    spending: Decimal
    balance: Decimal
    count: int
    limit: int
    offset: int
    entries: list[EntryOut] = Field(..., description="Oldest first, each with the balance after it")


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    region: Ref
    posted_at: datetime.datetime
    period_days: int


class NoticePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NoticeOut]


class PreviewOut(Schema):
    total: Decimal = Field(..., description="What the charges add up to")
    contract_price: Decimal | None
    count: int
    limit: int
    offset: int
    items: list[LineOut]


# --- what goes in ----------------------------------------------------------------------------------------


class Paging(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class RuleFilter(Paging):
    region: int = Field(..., description="A compound")


class ChargeFilter(Paging):
    owing: bool = Field(False, description="Only the households still owing (arrears)")


class RuleIn(Schema):
    region: int = Field(..., description="The compound")
    title: str
    period_start: datetime.date
    period_end: datetime.date
    method: MethodKey  # type: ignore[valid-type]
    occupied_amount: Money | None = Field(None, description='By occupancy, e.g. "150.00"')
    vacant_amount: Money | None = Field(None, description='By occupancy, e.g. "100.00"')
    rate_per_m2: Money | None = Field(None, description="By floor area, up to four places")
    total: Money | None = Field(None, description="Equal shares of this total")
    contract_price: Money | None = Field(None, description="What the work costs: the rest goes into the fund")
    matter: int | None = None


class ExemptionIn(Schema):
    household: int
    reason: str


class PaymentIn(Schema):
    amount: Money
    paid_on: datetime.date
    method: PaymentMethodKey  # type: ignore[valid-type]
    receipt_no: str


class ReasonIn(Schema):
    reason: str


class EntryIn(Schema):
    kind: EntryKindKey  # type: ignore[valid-type]
    amount: Money
    occurred_on: datetime.date
    description: str
    evidence_text: str = Field("", description="Spending needs it (photos only through the page)")


class SurplusIn(Schema):
    occurred_on: datetime.date | None = None


class PublishIn(Schema):
    period_days: int = DEFAULT_PERIOD_DAYS
