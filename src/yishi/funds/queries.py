"""Reads about charges and the fund: what a rule would charge, totals, arrears, the ledger, the disclosure text.

Totals, the ledger and the disclosure are public; who owes what (per household) is for those who may
``funds.view_charges`` — callers check that (the Excel export does it itself).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from yishi.access.queries import can
from yishi.errors import Refused
from yishi.formats import yuan
from yishi.regions.models import Household, Level, Region, dwelling_order, within

from .apportion import FEN, by_area, by_occupancy, equal_shares, from_fen
from .models import Charge, ChargeRule, EntryKind, Fund, FundEntry, Method, RuleStatus

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def money_sum(expression) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=_MONEY)


def fen(value) -> Decimal:
    """An aggregate as yuan with two places (SQLite hands sums back as 650, PostgreSQL as 650.00)."""
    return Decimal(value).quantize(FEN)


def roster(compound: Region):
    """The compound's households in roster order: building, entrance, room. Leftover fen follow this order."""
    return (
        Household.objects.filter(within(compound, "region"))
        .select_related("region")
        .order_by(*dwelling_order(), "pk")
    )


# ---- what a rule charges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    household: Household
    amount: Decimal
    exempt: bool


def compute_charges(rule: ChargeRule) -> list[Line]:
    """Each household's charge under ``rule`` as it would be issued now; ``Refused`` when it cannot be issued.

    Exempt households pay nothing; equal and by-area shares are shared among the others.
    """
    households = list(roster(rule.region))
    if not households:
        raise Refused(_("The compound has no households recorded."), "no_households")
    exempt = set(rule.exemptions.values_list("household_id", flat=True))
    payers = [h for h in households if h.pk not in exempt]
    if not payers:
        raise Refused(_("Every household is exempt: there is nobody to share the cost."), "no_payers")
    if rule.method == Method.OCCUPANCY:
        fen = by_occupancy(
            [h.is_vacant for h in payers], occupied=rule.occupied_amount, vacant=rule.vacant_amount
        )
    elif rule.method == Method.AREA:
        missing = sum(1 for h in payers if h.floor_area is None)
        if missing:
            raise Refused(
                ngettext_lazy(
                    "%(count)d household has no floor area recorded. Record it, or exempt the household.",
                    "%(count)d households have no floor area recorded. Record them, or exempt the households.",
                    missing,
                )
                % {"count": missing},
                "area_missing",
            )
        fen = by_area([h.floor_area for h in payers], rule.rate_per_m2)
    else:
        fen = equal_shares(rule.total, len(payers))
    if rule.method != Method.OCCUPANCY and 0 in fen:
        raise Refused(
            _("The total is too small to share: some households would pay nothing."), "share_too_small"
        )
    amounts = {h.pk: from_fen(f) for h, f in zip(payers, fen, strict=True)}
    return [Line(h, amounts.get(h.pk, ZERO), h.pk in exempt) for h in households]


# ---- charges, payments, arrears --------------------------------------------------------------------------


def charges_of(rule: ChargeRule):
    """The rule's charges with ``owed`` (amount − paid), in roster order."""
    return (
        Charge.objects.filter(rule=rule)
        .select_related("household__region")
        .annotate(owed_amount=F("amount") - F("paid"))
        .order_by(*dwelling_order("household__"), "household__pk")
    )


def arrears(rule: ChargeRule):
    """The charges of ``rule`` not yet paid in full."""
    return charges_of(rule).filter(paid__lt=F("amount"))


def household_arrears(household: Household) -> tuple[list[Charge], Decimal]:
    """What a household still owes under every issued rule, and the sum."""
    charges = list(
        Charge.objects.filter(household=household, paid__lt=F("amount"))
        .select_related("rule")
        .order_by("rule__period_start", "rule__pk")
    )
    return charges, sum((c.owed for c in charges), ZERO)


def collected(rule: ChargeRule) -> Decimal:
    return fen(Charge.objects.filter(rule=rule).aggregate(s=money_sum("paid"))["s"])


def posted_surplus(rule: ChargeRule) -> Decimal:
    """What has gone into the fund as this rule's surplus (less any correction of it)."""
    signed = Case(When(kind=EntryKind.INCOME, then=F("amount")), default=-F("amount"), output_field=_MONEY)
    return fen(FundEntry.objects.filter(rule=rule).aggregate(s=money_sum(signed))["s"])


@dataclass(frozen=True)
class RuleTotals:
    households: int
    exempt: int
    charged: Decimal  # the sum of the charges
    paid: Decimal
    owed: Decimal
    paid_in_full: int  # households charged something who owe nothing now
    in_arrears: int  # households that still owe something (partly paid or not at all)
    unpaid: int  # households that have paid nothing of what they owe
    contract_price: Decimal | None
    surplus_posted: Decimal

    @property
    def expected_surplus(self) -> Decimal | None:
        """The charges beyond the contracted price, if everyone paid."""
        return None if self.contract_price is None else self.charged - self.contract_price

    @property
    def surplus_collected(self) -> Decimal | None:
        """What has been collected beyond the contracted price so far (never negative)."""
        return None if self.contract_price is None else max(self.paid - self.contract_price, ZERO)


def rule_totals(rule: ChargeRule) -> RuleTotals:
    # Aliases unlike the field names: an aggregate called "exempt" would shadow the field in the filters.
    f = Charge.objects.filter(rule=rule).aggregate(
        n_households=Count("pk"),
        n_exempt=Count("pk", filter=Q(exempt=True)),
        sum_charged=money_sum("amount"),
        sum_paid=money_sum("paid"),
        n_paid_in_full=Count("pk", filter=Q(exempt=False, paid=F("amount"))),
        n_in_arrears=Count("pk", filter=Q(paid__lt=F("amount"))),
        n_unpaid=Count("pk", filter=Q(paid=0, amount__gt=0)),
    )
    return RuleTotals(
        households=f["n_households"],
        exempt=f["n_exempt"],
        charged=fen(f["sum_charged"]),
        paid=fen(f["sum_paid"]),
        owed=fen(f["sum_charged"] - f["sum_paid"]),
        paid_in_full=f["n_paid_in_full"],
        in_arrears=f["n_in_arrears"],
        unpaid=f["n_unpaid"],
        contract_price=rule.contract_price,
        surplus_posted=posted_surplus(rule),
    )


# ---- the fund --------------------------------------------------------------------------------------------


def fund_of(compound: Region) -> Fund | None:
    return Fund.objects.filter(region=compound).first()


@dataclass(frozen=True)
class FundTotals:
    income: Decimal
    spending: Decimal

    @property
    def balance(self) -> Decimal:
        return self.income - self.spending


def fund_totals(compound: Region) -> FundTotals:
    figures = FundEntry.objects.filter(fund__region=compound).aggregate(
        income=Coalesce(Sum("amount", filter=Q(kind=EntryKind.INCOME)), Value(ZERO), output_field=_MONEY),
        spending=Coalesce(Sum("amount", filter=Q(kind=EntryKind.SPENDING)), Value(ZERO), output_field=_MONEY),
    )
    return FundTotals(fen(figures["income"]), fen(figures["spending"]))


def balance(compound: Region) -> Decimal:
    return fund_totals(compound).balance


def ledger(compound: Region) -> list[tuple[FundEntry, Decimal]]:
    """The fund's entries in date order, each with the balance after it."""
    running = ZERO
    rows = []
    for entry in FundEntry.objects.filter(fund__region=compound).order_by("occurred_on", "pk"):
        running += entry.signed_amount
        rows.append((entry, running))
    return rows


# ---- the disclosure notice (财务公开) ----------------------------------------------------------------------

DISCLOSED_RULES = 10
DISCLOSED_ENTRIES = 30


def disclosure_text(compound: Region) -> str:
    """Charges and fund for the board: totals and counts only, never a household or a name."""
    lines: list[str] = []
    rules = list(
        ChargeRule.objects.filter(region=compound, status=RuleStatus.ISSUED).order_by("-period_start", "-pk")[
            :DISCLOSED_RULES
        ]
    )
    for rule in rules:
        t = rule_totals(rule)
        lines.append(
            f"【{rule.title}】 {date_format(rule.period_start, 'DATE_FORMAT')} – "
            f"{date_format(rule.period_end, 'DATE_FORMAT')}"
        )
        lines.append(
            ngettext(
                "%(households)d household charged, %(exempt)d exempt; total %(charged)s yuan.",
                "%(households)d households charged, %(exempt)d exempt; total %(charged)s yuan.",
                t.households,
            )
            % {"households": t.households, "exempt": t.exempt, "charged": t.charged}
        )
        lines.append(
            _(
                "Paid: %(paid)s yuan. Households paid in full: %(full)d; households still owing: %(owing)d "
                "(%(owed)s yuan)."
            )
            % {"paid": t.paid, "full": t.paid_in_full, "owing": t.in_arrears, "owed": t.owed}
        )
        if t.contract_price is not None:
            lines.append(
                _("Contracted price: %(price)s yuan; surplus posted to the public fund: %(posted)s yuan.")
                % {"price": t.contract_price, "posted": t.surplus_posted}
            )
        lines.append("")
    totals = fund_totals(compound)
    lines.append(
        _("Public fund: income %(income)s yuan, spending %(spending)s yuan, balance %(balance)s yuan.")
        % {"income": totals.income, "spending": totals.spending, "balance": totals.balance}
    )
    entries = ledger(compound)
    for entry, _after in entries[-DISCLOSED_ENTRIES:]:
        sign = "+" if entry.kind == EntryKind.INCOME else "−"
        lines.append(
            f"{date_format(entry.occurred_on, 'DATE_FORMAT')} {sign}{yuan(entry.amount)} {entry.description}"
        )
    if len(entries) > DISCLOSED_ENTRIES:
        hidden = len(entries) - DISCLOSED_ENTRIES
        lines.append(
            ngettext(
                "… and %(count)d earlier entry in the public ledger.",
                "… and %(count)d earlier entries in the public ledger.",
                hidden,
            )
            % {"count": hidden}
        )
    return "\n".join(lines)


# ---- lookups ---------------------------------------------------------------------------------------------


def rules_of(compound: Region):
    """A compound's charge rules, newest period first. Their totals are public; drafts are for staff."""
    return ChargeRule.objects.filter(region=compound).order_by("-period_start", "-pk")


def get_rule_for(user, pk) -> ChargeRule:
    """An issued rule anyone may read (its totals); a draft only for those who manage charges there (else 404).

    Who owes what under it is a further check: ``can(user, "funds.view_charges", rule.region)``.
    """
    try:
        rule = ChargeRule.objects.select_related("region").get(pk=pk)
    except (ChargeRule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if rule.status == RuleStatus.DRAFT and not can(user, "funds.manage_charges", rule.region):
        raise Http404
    return rule


# ---- for the pages and the API ---------------------------------------------------------------------------

MANAGE = "funds.manage_charges"
VIEW = "funds.view_charges"
PAY = "funds.record_payment"
LEDGER = "funds.record_ledger"


def get_compound(pk) -> Region:
    """A compound: the place charges and a public fund belong to (else 404)."""
    try:
        return Region.objects.get(pk=pk, level=Level.COMPOUND)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# Whose charges anyone may read: the issued rules; a draft is for those who manage it.
PUBLIC = Q(status=RuleStatus.ISSUED)


def rules_for(user, compound: Region):
    """The compound's rules as ``user`` may list them: the issued ones, and drafts for those who manage them."""
    rules = rules_of(compound)
    if not can(user, MANAGE, compound):
        rules = rules.filter(PUBLIC)
    return rules


def compounds_below(region: Region, limit: int = 200) -> list[Region]:
    """The compounds at or below ``region`` with their fund's income, spending and balance, in one query."""
    income = Sum("fund__entries__amount", filter=Q(fund__entries__kind=EntryKind.INCOME))
    spending = Sum("fund__entries__amount", filter=Q(fund__entries__kind=EntryKind.SPENDING))
    compounds = list(
        Region.objects.filter(within(region), level=Level.COMPOUND)
        .annotate(
            income=Coalesce(income, Value(ZERO), output_field=_MONEY),
            spending=Coalesce(spending, Value(ZERO), output_field=_MONEY),
        )
        .order_by("path")[:limit]
    )
    for compound in compounds:
        compound.income, compound.spending = fen(compound.income), fen(compound.spending)
        compound.balance = compound.income - compound.spending
    return compounds


def charges_visible(user, rule: ChargeRule) -> bool:
    """Who owes what is for the committee and the owners' committee; the public sees totals only."""
    return can(user, VIEW, rule.region)


def _households_of(user):
    return Household.objects.filter(memberships__person=user)


def get_charge_for(user, pk) -> Charge:
    """A charge for staff who may see charges there, or for a member of the household charged (else 404)."""
    try:
        charge = Charge.objects.select_related("rule__region", "household__region").get(pk=pk)
    except (Charge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if can(user, VIEW, charge.rule.region):
        return charge
    if (
        user is not None
        and user.is_authenticated
        and _households_of(user).filter(pk=charge.household_id).exists()
    ):
        return charge
    raise Http404


def payments_of_charge(charge: Charge):
    """The charge's payments and reversals in date order, each with whether it has been reversed."""
    return (
        charge.payments.select_related("reverses")
        .annotate(n_reversals=Count("reversal"))
        .order_by("paid_on", "pk")
    )


def payments_of(rule: ChargeRule):
    """The rule's payments and reversals, newest first, with the household and whether each was reversed."""
    from .models import Payment

    return (
        Payment.objects.filter(charge__rule=rule)
        .select_related("charge__household__region", "reverses")
        .annotate(n_reversals=Count("reversal"))
        .order_by("-recorded_at", "-pk")
    )


def get_payment_for(user, pk):
    from .models import Payment

    try:
        payment = Payment.objects.select_related("charge__rule__region").get(pk=pk)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can(user, VIEW, payment.charge.rule.region):
        raise Http404
    return payment


def exemptions_of(rule: ChargeRule):
    from .models import Exemption

    return (
        Exemption.objects.filter(rule=rule)
        .select_related("household__region")
        .order_by(*dwelling_order("household__"), "pk")
    )


def get_exemption_for(user, rule: ChargeRule, pk):
    from .models import Exemption

    if not can(user, VIEW, rule.region):
        raise Http404
    try:
        return Exemption.objects.select_related("rule__region").get(pk=pk, rule=rule)
    except (Exemption.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_entry(pk) -> FundEntry:
    """A fund entry: public, like the ledger."""
    try:
        return FundEntry.objects.select_related("fund__region").get(pk=pk)
    except (FundEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def entries_corrected(compound: Region) -> set[int]:
    """The ids of the compound's entries already corrected (one query)."""
    return set(
        FundEntry.objects.filter(fund__region=compound, corrects__isnull=False).values_list(
            "corrects_id", flat=True
        )
    )


def my_charges(user) -> list[Charge]:
    """Every charge of the households the user belongs to, newest period first, with the payments on each."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Charge.objects.filter(household__in=_households_of(user))
        .select_related("rule__region", "household__region")
        .prefetch_related("payments")
        .order_by("-rule__period_start", "-rule__pk", "household__pk")
    )


def disclosures_of(compound: Region):
    """The fee and fund disclosures posted for the compound, newest first, with their notices."""
    from .models import Disclosure

    return (
        Disclosure.objects.filter(region=compound)
        .select_related("notice")
        .order_by("-notice__posted_at", "-pk")
    )
