"""Writes for cost sharing and the public fund. Each checks authority, validates, writes in one transaction
and appends one audit entry; nothing personal (a household, an exemption's reason) goes into it in clear.

Locks: a payment locks its charge (the database also refuses paid > amount); a reversal and a surplus
posting lock the rule first, so a reversal cannot take back money already posted to the fund as surplus;
every fund entry locks the fund, so two spendings cannot both pass the balance check.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.queries import community_of
from yishi.notices.models import Notice, NoticeKind
from yishi.notices.services import DEFAULT_PERIOD_DAYS, board_of
from yishi.people.actors import Actor, acting_person
from yishi.regions.models import Household, Region, within
from yishi.uploads import clean_photo

from . import predicates
from .apportion import parse_amount
from .models import (
    Charge,
    ChargeRule,
    Disclosure,
    EntryKind,
    Exemption,
    Fund,
    FundEntry,
    Method,
    Payment,
    PaymentMethod,
    RuleStatus,
)
from .queries import ZERO, collected, compute_charges, disclosure_text, posted_surplus


def _text(raw, *, field: str, limit: int, required, too_long, multiline: bool = False) -> str:
    text = (raw or "").strip() if multiline else " ".join(str(raw or "").split())
    if not text and required is not None:
        raise Refused(required, f"{field}_required", field=field)
    if len(text) > limit:
        raise Refused(too_long, f"{field}_too_long", field=field)
    return text


def _date(value, *, field: str, required) -> datetime.date:
    if value is None or value == "":
        raise Refused(required, f"{field}_required", field=field)
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise Refused(_("Enter a date."), "invalid_date", field=field)
    return value


def _not_future(value: datetime.date, field: str) -> None:
    if value > timezone.localdate():
        raise Refused(_("The date cannot be in the future."), "future_date", field=field)


def _locked_rule(rule: ChargeRule) -> ChargeRule:
    return ChargeRule.objects.select_for_update().get(pk=rule.pk)


# ---- charge rules ----------------------------------------------------------------------------------------


@transaction.atomic
def create_charge_rule(
    *,
    actor: Actor,
    compound: Region,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    method: str,
    occupied_amount=None,
    vacant_amount=None,
    rate_per_m2=None,
    total=None,
    contract_price=None,
    matter=None,
) -> ChargeRule:
    """A way of sharing a cost among the compound's households for a period (S2: 150 occupied, 100 vacant)."""
    enforce(predicates.may_create_rule(actor, compound))
    title = _text(
        title,
        field="title",
        limit=100,
        required=_("Give the charge a title."),
        too_long=_("A title has at most 100 characters."),
    )
    period_start = _date(period_start, field="period_start", required=_("Give the period the charge covers."))
    period_end = _date(period_end, field="period_end", required=_("Give the period the charge covers."))
    if period_end < period_start:
        raise Refused(_("The period ends before it starts."), "period_order", field="period_end")
    if method not in Method.values:
        raise Refused(_("Choose how the cost is shared."), "invalid_method", field="method")
    fields: dict[str, Decimal | None] = {}
    if method == Method.OCCUPANCY:
        fields["occupied_amount"] = parse_amount(occupied_amount, field="occupied_amount", allow_zero=True)
        fields["vacant_amount"] = parse_amount(vacant_amount, field="vacant_amount", allow_zero=True)
        if not any(fields.values()):
            raise Refused(
                _("Set the amount for occupied or vacant households."),
                "amount_required",
                field="occupied_amount",
            )
    elif method == Method.AREA:
        fields["rate_per_m2"] = parse_amount(rate_per_m2, field="rate_per_m2", places=4)
    else:
        fields["total"] = parse_amount(total, field="total")
    if contract_price is not None and contract_price != "":
        fields["contract_price"] = parse_amount(contract_price, field="contract_price", allow_zero=True)
    if matter is not None and community_of(matter.region).pk != community_of(compound).pk:
        raise Refused(_("The matter belongs to another community."), "matter_elsewhere", field="matter")
    rule = ChargeRule.objects.create(
        region=compound,
        matter=matter,
        title=title,
        period_start=period_start,
        period_end=period_end,
        method=method,
        created_by=acting_person(actor),
        **fields,
    )
    record(
        actor=actor,
        action=Action.FUNDS_CREATE_CHARGE_RULE,
        target=rule,
        data={
            "region": compound.pk,
            "matter": matter.pk if matter is not None else None,
            "method": method,
            "period": [period_start, period_end],
            **fields,
        },
    )
    return rule


@transaction.atomic
def exempt_household(*, actor: Actor, rule: ChargeRule, household: Household, reason: str) -> Exemption:
    """Exempt a household (减免, e.g. 低保) before the charges are issued. The reason stays off the board."""
    rule = _locked_rule(rule)
    enforce(predicates.may_exempt(actor, rule))
    if not Household.objects.filter(within(rule.region, "region"), pk=household.pk).exists():
        raise Refused(_("This household is not in the compound."), "household_elsewhere", field="household")
    reason = _text(
        reason,
        field="reason",
        limit=200,
        required=_("Give the reason for the exemption."),
        too_long=_("A reason has at most 200 characters."),
    )
    if Exemption.objects.filter(rule=rule, household=household).exists():
        raise Refused(_("This household is already exempt."), "already_exempt", field="household")
    exemption = Exemption.objects.create(
        rule=rule, household=household, reason=reason, recorded_by=acting_person(actor)
    )
    record(
        actor=actor,
        action=Action.FUNDS_EXEMPT_HOUSEHOLD,
        target=exemption,
        data={"rule": rule.pk},
        personal={"household": household.pk, "reason": reason},
    )
    return exemption


@transaction.atomic
def remove_exemption(*, actor: Actor, exemption: Exemption) -> None:
    rule = _locked_rule(exemption.rule)
    enforce(predicates.may_remove_exemption(actor, rule))
    household_id = exemption.household_id
    Exemption.objects.filter(pk=exemption.pk).delete()
    record(
        actor=actor,
        action=Action.FUNDS_REMOVE_EXEMPTION,
        target=rule,
        data={"rule": rule.pk},
        personal={"household": household_id},
    )


@transaction.atomic
def issue_charges(*, actor: Actor, rule: ChargeRule) -> ChargeRule:
    """Create one charge per household of the compound, as ``compute_charges`` shows them. The rule freezes."""
    rule = _locked_rule(rule)
    enforce(predicates.may_exempt(actor, rule))
    lines = compute_charges(rule)  # refuses as ``predicates.may_issue`` says, from the one computation
    Charge.objects.bulk_create(
        [
            Charge(
                rule=rule,
                household=line.household,
                occupancy=line.household.occupancy,
                floor_area=line.household.floor_area,
                amount=line.amount,
                exempt=line.exempt,
            )
            for line in lines
        ],
        batch_size=1000,
    )
    total = sum((line.amount for line in lines), ZERO)
    rule.status, rule.issued_at, rule.issued_by, rule.issued_total = (
        RuleStatus.ISSUED,
        timezone.now(),
        acting_person(actor),
        total,
    )
    rule.save(update_fields=["status", "issued_at", "issued_by", "issued_total"])
    record(
        actor=actor,
        action=Action.FUNDS_ISSUE_CHARGES,
        target=rule,
        data={"households": len(lines), "exempt": sum(1 for line in lines if line.exempt), "total": total},
    )
    return rule


# ---- payments --------------------------------------------------------------------------------------------


def _receipt_taken(number: str) -> Refused:
    return Refused(
        _("Receipt number %(number)s is already recorded in this compound.") % {"number": number},
        "receipt_taken",
        field="receipt_no",
    )


@transaction.atomic
def record_payment(
    *, actor: Actor, charge: Charge, amount, paid_on: datetime.date, method: str, receipt_no: str
) -> Payment:
    """Money received against a charge: partial payments are fine, paying more than is owed is refused."""
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    rule = ChargeRule.objects.select_related("region").get(pk=charge.rule_id)
    enforce(predicates.may_pay(actor, charge, rule))
    amount = parse_amount(amount)
    paid_on = _date(paid_on, field="paid_on", required=_("Give the date of the payment."))
    _not_future(paid_on, "paid_on")
    if method not in PaymentMethod.values:
        raise Refused(
            _("Choose how it was paid: cash, WeChat Pay or bank transfer."), "invalid_method", field="method"
        )
    receipt_no = _text(
        receipt_no,
        field="receipt_no",
        limit=30,
        required=_("Give the receipt number."),
        too_long=_("A receipt number has at most 30 characters."),
    )
    owed = charge.amount - charge.paid
    if amount > owed:
        raise Refused(
            _("Only %(owed)s yuan is still owed; a payment of more is not accepted.") % {"owed": owed},
            "overpayment",
            field="amount",
        )
    if Payment.objects.filter(region=rule.region, receipt_no=receipt_no).exists():
        raise _receipt_taken(receipt_no)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                charge=charge,
                region=rule.region,
                amount=amount,
                paid_on=paid_on,
                method=method,
                receipt_no=receipt_no,
                recorded_by=acting_person(actor),
            )
    except IntegrityError:
        raise _receipt_taken(receipt_no) from None
    Charge.objects.filter(pk=charge.pk).update(paid=F("paid") + amount)
    record(
        actor=actor,
        action=Action.FUNDS_RECORD_PAYMENT,
        target=payment,
        data={
            "rule": rule.pk,
            "charge": charge.pk,
            "amount": amount,
            "paid_on": paid_on,
            "method": method,
            "receipt_no": receipt_no,
        },
    )
    return payment


@transaction.atomic
def reverse_payment(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """Take back a payment recorded by mistake: a new row with the opposite amount that points at it."""
    rule = _locked_rule(payment.charge.rule)
    charge = Charge.objects.select_for_update().get(pk=payment.charge_id)
    payment = Payment.objects.get(pk=payment.pk)
    enforce(predicates.may_reverse(actor, payment, rule))
    reason = _text(
        reason,
        field="reason",
        limit=200,
        required=_("Give the reason."),
        too_long=_("A reason has at most 200 characters."),
    )
    reversal = Payment.objects.create(
        charge=charge,
        region=payment.region,
        amount=-payment.amount,
        paid_on=timezone.localdate(),
        method=payment.method,
        receipt_no="",
        reverses=payment,
        reason=reason,
        recorded_by=acting_person(actor),
    )
    Charge.objects.filter(pk=charge.pk).update(paid=F("paid") - payment.amount)
    record(
        actor=actor,
        action=Action.FUNDS_REVERSE_PAYMENT,
        target=reversal,
        data={"rule": rule.pk, "charge": charge.pk, "reverses": payment.pk, "amount": reversal.amount},
        personal={"reason": reason},
    )
    return reversal


# ---- the public fund -------------------------------------------------------------------------------------


def _locked_fund(compound: Region) -> Fund:
    """The compound's fund, locked until the transaction ends; opened on its first entry."""
    fund = Fund.objects.select_for_update().filter(region=compound).first()
    if fund is None:
        Fund.objects.bulk_create([Fund(region=compound)], ignore_conflicts=True)
        fund = Fund.objects.select_for_update().get(region=compound)
    return fund


def _check_balance(compound: Region, kind: str, amount: Decimal) -> None:
    enforce(predicates.short_of(compound, kind, amount))


@transaction.atomic
def record_fund_entry(
    *,
    actor: Actor,
    compound: Region,
    kind: str,
    amount,
    occurred_on: datetime.date,
    description: str,
    evidence_text: str = "",
    evidence_photo=None,
) -> FundEntry:
    """Income or spending of the compound's public fund. Spending needs evidence: a text, a photo, or both."""
    enforce(predicates.may_record_entry(actor, compound))
    if kind not in EntryKind.values:
        raise Refused(_("An entry is income or spending."), "invalid_kind", field="kind")
    amount = parse_amount(amount)
    occurred_on = _date(occurred_on, field="occurred_on", required=_("Give the date."))
    _not_future(occurred_on, "occurred_on")
    description = _text(
        description,
        field="description",
        limit=200,
        required=_("Say what the money is for."),
        too_long=_("A description has at most 200 characters."),
    )
    evidence_text = _text(
        evidence_text,
        field="evidence_text",
        limit=2000,
        required=None,
        too_long=_("The evidence text has at most 2,000 characters."),
        multiline=True,
    )
    if kind == EntryKind.SPENDING and not evidence_text and evidence_photo is None:
        raise Refused(
            _("Spending needs evidence: a photo of the receipt, or what the invoice says."),
            "evidence_required",
            field="evidence_text",
        )
    fund = _locked_fund(compound)
    _check_balance(compound, kind, amount)
    entry = FundEntry(
        fund=fund,
        kind=kind,
        amount=amount,
        occurred_on=occurred_on,
        description=description,
        evidence_text=evidence_text,
        recorded_by=acting_person(actor),
    )
    if evidence_photo is not None:
        content, _width, _height = clean_photo(evidence_photo)
        assert content.name is not None  # noqa: S101 - clean_photo names the file it makes
        entry.evidence_photo.save(content.name, content, save=False)
    entry.save()
    record(
        actor=actor,
        action=Action.FUNDS_RECORD_FUND_ENTRY,
        target=entry,
        data={
            "fund": fund.pk,
            "kind": kind,
            "amount": amount,
            "occurred_on": occurred_on,
            "photo": evidence_photo is not None,
        },
    )
    return entry


@transaction.atomic
def correct_fund_entry(*, actor: Actor, entry: FundEntry, reason: str) -> FundEntry:
    """Cancel a mistaken entry by the opposite one (dated today), which points at it. Nothing is deleted."""
    compound = Fund.objects.select_related("region").get(pk=entry.fund_id).region
    if entry.rule is not None:
        _locked_rule(entry.rule)  # the surplus a reversal may look at changes here
    fund = _locked_fund(compound)
    entry = FundEntry.objects.get(pk=entry.pk)
    enforce(predicates.may_correct_entry(actor, entry, compound=compound))
    reason = _text(
        reason,
        field="reason",
        limit=200,
        required=_("Give the reason."),
        too_long=_("A reason has at most 200 characters."),
    )
    kind = EntryKind.SPENDING if entry.kind == EntryKind.INCOME else EntryKind.INCOME
    description = _("Correction of the entry of %(date)s: %(description)s") % {
        "date": entry.occurred_on.isoformat(),
        "description": entry.description,
    }
    correction = FundEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=entry.amount,
        occurred_on=timezone.localdate(),
        description=Truncator(str(description)).chars(200),
        evidence_text=reason,
        rule=entry.rule,
        corrects=entry,
        recorded_by=acting_person(actor),
    )
    record(
        actor=actor,
        action=Action.FUNDS_CORRECT_FUND_ENTRY,
        target=correction,
        data={"fund": fund.pk, "corrects": entry.pk, "kind": kind, "amount": entry.amount},
    )
    return correction


@transaction.atomic
def post_surplus(*, actor: Actor, rule: ChargeRule, occurred_on: datetime.date | None = None) -> FundEntry:
    """Post what the rule has collected beyond its contracted price (and not yet posted) as fund income.

    May be called again as more payments come in; each call posts only the new surplus.
    """
    rule = _locked_rule(rule)
    enforce(predicates.may_post_surplus(actor, rule))
    occurred_on = (
        timezone.localdate()
        if occurred_on is None
        else _date(occurred_on, field="occurred_on", required=_("Give the date."))
    )
    _not_future(occurred_on, "occurred_on")
    assert rule.contract_price is not None  # noqa: S101 - may_post_surplus refuses a rule without one
    money_in, posted = collected(rule), posted_surplus(rule)
    surplus = money_in - rule.contract_price - posted
    fund = _locked_fund(rule.region)
    description = _("Surplus of “%(title)s” beyond the contracted price") % {"title": rule.title}
    evidence = _(
        "Collected %(collected)s yuan; contracted price %(price)s yuan; posted before %(posted)s yuan."
    ) % {"collected": money_in, "price": rule.contract_price, "posted": posted}
    entry = FundEntry.objects.create(
        fund=fund,
        kind=EntryKind.INCOME,
        amount=surplus,
        occurred_on=occurred_on,
        description=Truncator(str(description)).chars(200),
        evidence_text=str(evidence),
        rule=rule,
        recorded_by=acting_person(actor),
    )
    record(
        actor=actor,
        action=Action.FUNDS_POST_SURPLUS,
        target=entry,
        data={
            "fund": fund.pk,
            "rule": rule.pk,
            "amount": surplus,
            "collected": money_in,
            "contract_price": rule.contract_price,
        },
    )
    return entry


# ---- the disclosure notice -------------------------------------------------------------------------------


@transaction.atomic
def publish_disclosure(*, actor: Actor, compound: Region, period_days: int = DEFAULT_PERIOD_DAYS) -> Notice:
    """Post the fee and fund disclosure (财务公开) on the board: totals and counts, never a name."""
    enforce(predicates.may_publish(actor, compound))
    if not 1 <= period_days <= 365:
        raise Refused(_("The posting period is 1 to 365 days."), "invalid_period", field="period_days")
    title = _("Fees and public fund of %(compound)s, as of %(date)s") % {
        "compound": compound.name,
        "date": date_format(timezone.localdate(), "DATE_FORMAT"),
    }
    # NoticeKind has no finance kind yet: RESULT is the nearest (see the report to the notices owner).
    notice = Notice.objects.create(
        region=board_of(compound),
        kind=NoticeKind.RESULT,
        title=Truncator(str(title)).chars(150),
        body=disclosure_text(compound)[:10000],
        period_days=period_days,
        posted_by=acting_person(actor),
    )
    Disclosure.objects.create(region=compound, notice=notice)
    record(
        actor=actor,
        action=Action.NOTICES_PUBLISH,
        target=notice,
        data={
            "compound": compound.pk,
            "disclosure": "funds",
            "kind": notice.kind,
            "region": notice.region_id,
            "period_days": period_days,
        },
    )
    return notice
