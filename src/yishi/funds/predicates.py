"""May I? — one predicate per action on charges and the public fund, in the words the service refuses with.

Each ``may_<action>(person, …)`` returns None when ``person`` may take the action now, or the ``Refused`` the
service raises (``enforce(may_<action>(actor, …))`` once the rows are locked). ``person`` None is the system
(the command line). ``offers_on_rule`` and ``offers_on_compound`` list them for the pages and the API.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.errors import Offers, Refused
from yishi.regions.models import Level, Region

from .models import Charge, ChargeRule, EntryKind, FundEntry, Payment, RuleStatus
from .queries import (
    LEDGER,
    MANAGE,
    PAY,
    VIEW,
    ZERO,
    balance,
    collected,
    compute_charges,
    posted_surplus,
)

# The actions on a charge rule, in the order the API lists them (``available_actions``).
RULE_ACTIONS = ("exempt", "issue", "view_charges", "record_payment", "post_surplus")


def authority(person, action: str, target) -> Refused | None:
    """The role table's answer as a refusal: ``require`` raises it, a predicate returns it."""
    try:
        require(person, action, target)
    except Refused as refused:
        return refused
    return None


def wrong_level(region: Region) -> Refused | None:
    if region.level != Level.COMPOUND:
        return Refused(_("Charges and the public fund belong to a compound."), "wrong_level", field="region")
    return None


def not_draft(rule: ChargeRule) -> Refused | None:
    if rule.status != RuleStatus.DRAFT:
        return Refused(_("The charges have been issued; the rule can no longer change."), "already_issued")
    return None


def not_issued(rule: ChargeRule) -> Refused | None:
    if rule.status != RuleStatus.ISSUED:
        return Refused(_("The charges have not been issued yet."), "not_issued")
    return None


def short_of(compound: Region, kind: str, amount: Decimal, held: Decimal | None = None) -> Refused | None:
    """Spending more than the fund holds. ``held``: its balance, when the caller has read it already."""
    if kind != EntryKind.SPENDING:
        return None
    held = balance(compound) if held is None else held
    if amount > held:
        return Refused(
            _("The fund holds %(balance)s yuan; it cannot pay out %(amount)s yuan.")
            % {"balance": held, "amount": amount},
            "insufficient_balance",
            field="amount",
        )
    return None


def cannot_share(rule: ChargeRule) -> Refused | None:
    """Why the rule's charges cannot be computed now (no households, nobody to pay, a floor area missing)."""
    try:
        compute_charges(rule)
    except Refused as refused:
        return refused
    return None


# ---- a compound ------------------------------------------------------------------------------------------


def may_create_rule(person, compound: Region) -> Refused | None:
    return authority(person, MANAGE, compound) or wrong_level(compound)


def may_record_entry(person, compound: Region) -> Refused | None:
    return authority(person, LEDGER, compound) or wrong_level(compound)


def may_publish(person, compound: Region) -> Refused | None:
    """The fee and fund disclosure: something to disclose, an issued charge or a fund entry."""
    refused = authority(person, MANAGE, compound) or wrong_level(compound)
    if refused is None and not (
        ChargeRule.objects.filter(region=compound, status=RuleStatus.ISSUED).exists()
        or FundEntry.objects.filter(fund__region=compound).exists()
    ):
        refused = Refused(_("There are no charges or fund entries to disclose yet."), "nothing_to_disclose")
    return refused


def may_correct_entry(
    person,
    entry: FundEntry,
    *,
    compound: Region,
    corrected: set[int] | None = None,
    held: Decimal | None = None,
) -> Refused | None:
    """Correcting a fund entry by an opposite one. ``corrected`` (ids of the entries already corrected) and
    ``held`` (the fund's balance) when the caller has read them already."""
    refused = authority(person, LEDGER, compound)
    if refused is None and entry.corrects_id is not None:
        refused = Refused(
            _("A correction cannot itself be corrected; record the entry again."), "is_correction"
        )
    if refused is None and (
        entry.pk in corrected if corrected is not None else FundEntry.objects.filter(corrects=entry).exists()
    ):
        refused = Refused(_("This entry has already been corrected."), "already_corrected")
    if refused is None and entry.kind == EntryKind.INCOME:
        # Its correction pays the amount out again: the fund must still hold it.
        refused = short_of(compound, EntryKind.SPENDING, entry.amount, held)
    return refused


def offers_on_compound(person, compound: Region) -> Offers:
    return Offers(
        {
            "create_rule": may_create_rule(person, compound),
            "record_entry": may_record_entry(person, compound),
            "publish": may_publish(person, compound),
        }
    )


# ---- a charge rule ---------------------------------------------------------------------------------------


def may_exempt(person, rule: ChargeRule) -> Refused | None:
    return authority(person, MANAGE, rule.region) or not_draft(rule)


may_remove_exemption = may_exempt


def may_issue(person, rule: ChargeRule, *, shared: Refused | None = None) -> Refused | None:
    """``shared``: ``cannot_share(rule)`` when the caller has computed the preview already."""
    refused = may_exempt(person, rule)
    if refused is None:
        refused = cannot_share(rule) if shared is None else shared
    return refused


def may_view_charges(person, rule: ChargeRule) -> Refused | None:
    return authority(person, VIEW, rule.region) or not_issued(rule)


def may_record_payment(person, rule: ChargeRule) -> Refused | None:
    """Payments against the rule's charges (each charge has its own ``may_pay``)."""
    return authority(person, PAY, rule.region) or not_issued(rule)


def may_post_surplus(person, rule: ChargeRule) -> Refused | None:
    refused = authority(person, LEDGER, rule.region) or not_issued(rule)
    if refused is None and rule.contract_price is None:
        refused = Refused(
            _("The rule has no contracted price, so there is no surplus to post."), "no_contract_price"
        )
    if refused is None and rule.contract_price is not None:  # a rule without one was refused just above
        money_in, posted = collected(rule), posted_surplus(rule)
        if money_in - rule.contract_price - posted <= 0:
            refused = Refused(
                _(
                    "Nothing to post: %(collected)s yuan collected does not exceed the contracted price of "
                    "%(price)s yuan and the %(posted)s yuan already posted."
                )
                % {"collected": money_in, "price": rule.contract_price, "posted": posted},
                "no_surplus",
            )
    return refused


def rule_reasons(person, rule: ChargeRule, *, shared: Refused | None = None) -> dict[str, Refused | None]:
    """Every action on ``rule`` for ``person`` now. ``shared`` as for ``may_issue``."""
    return {
        "exempt": may_exempt(person, rule),
        "remove_exemption": may_remove_exemption(person, rule),
        "issue": may_issue(person, rule, shared=shared),
        "view_charges": may_view_charges(person, rule),
        "record_payment": may_record_payment(person, rule),
        "post_surplus": may_post_surplus(person, rule),
    }


def offers_on_rule(person, rule: ChargeRule, *, shared: Refused | None = None) -> Offers:
    return Offers(rule_reasons(person, rule, shared=shared))


def listed(offered: Offers) -> list[str]:
    """The open actions on a rule in the API's order."""
    return [action for action in RULE_ACTIONS if action in offered]


# ---- a charge and its payments ---------------------------------------------------------------------------


def may_pay(person, charge: Charge, rule: ChargeRule) -> Refused | None:
    """A payment against ``charge`` (of ``rule``): not for an exempt household, nor one paid in full."""
    refused = authority(person, PAY, rule.region)
    if refused is None and charge.exempt:
        refused = Refused(_("This household is exempt from this charge."), "exempt")
    if refused is None and charge.amount - charge.paid == 0:
        refused = Refused(_("This charge is already paid in full."), "paid_in_full", field="amount")
    return refused


def may_reverse(
    person, payment: Payment, rule: ChargeRule, *, reversed_: bool | None = None, surplus: tuple | None = None
) -> Refused | None:
    """Taking back a payment recorded by mistake. ``reversed_`` (whether it has been reversed already) and
    ``surplus`` ((collected, posted) of the rule) when the caller has read them already."""
    refused = authority(person, PAY, rule.region)
    if refused is None and payment.reverses_id is not None:
        refused = Refused(_("A reversal cannot itself be reversed; record the payment again."), "is_reversal")
    if refused is None and (
        reversed_ if reversed_ is not None else Payment.objects.filter(reverses=payment).exists()
    ):
        refused = Refused(_("This payment has already been reversed."), "already_reversed")
    if refused is None:
        money_in, posted = surplus if surplus is not None else (collected(rule), posted_surplus(rule))
        if posted > 0 and money_in - payment.amount - (rule.contract_price or ZERO) < posted:
            refused = Refused(
                _(
                    "Part of this money has already gone into the public fund as surplus. "
                    "Correct that fund entry first."
                ),
                "surplus_posted",
            )
    return refused
