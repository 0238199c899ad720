"""What the fee and fund pages show, gathered in a fixed number of queries however many households, payments
or ledger entries there are. Who owes what is shown only to those who may see charges there."""

from django.core.paginator import Paginator
from django.forms.forms import NON_FIELD_ERRORS

from yishi.access.queries import can, regions_where
from yishi.errors import Refused
from yishi.regions.models import Level

from . import forms, queries
from .models import RuleStatus
from .queries import LEDGER, MANAGE, PAY, VIEW

LEDGER_PAGE = 50
CHARGES_PAGE = 50


def refusals(bound: dict) -> list[str]:
    out = []
    for form in bound.values():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field != NON_FIELD_ERRORS and field in form.fields else None
            for error in errors:
                out.append(f"{label}: {error}" if label else str(error))
    return out


def compound_context(request, compound, bound: dict) -> dict:
    user = request.user
    manage, ledger_staff = can(user, MANAGE, compound), can(user, LEDGER, compound)
    rows = queries.ledger(compound)
    # Newest first on the page; the running balance was computed oldest first.
    page = Paginator(rows[::-1], LEDGER_PAGE).get_page(request.GET.get("page"))
    shown: dict = {}
    if ledger_staff:
        shown["entry"] = bound.get("entry") or forms.EntryForm(auto_id="id_entry_%s")
    if manage:
        shown["publish"] = bound.get("publish") or forms.PublishForm(auto_id="id_publish_%s")
    return {
        "compound": compound,
        "totals": queries.fund_totals(compound),
        "page": page,
        "corrected": queries.entries_corrected(compound) if ledger_staff else set(),
        "rules": list(queries.rules_for(user, compound)[:50]),
        "disclosures": list(queries.disclosures_of(compound)[:10]),
        "manage": manage,
        "ledger_staff": ledger_staff,
        "forms": shown,
        "refusals": refusals(bound),
    }


def rule_context(request, rule, bound: dict) -> dict:
    user = request.user
    compound = rule.region
    manage, view = can(user, MANAGE, compound), can(user, VIEW, compound)
    pay, ledger_staff = can(user, PAY, compound), can(user, LEDGER, compound)
    shown: dict = {}
    context = {
        "rule": rule,
        "compound": compound,
        "manage": manage,
        "view": view,
        "forms": shown,
        "refusals": refusals(bound),
    }
    if rule.status == RuleStatus.DRAFT:
        if manage:
            try:
                context["preview"] = queries.compute_charges(rule)
                context["preview_total"] = sum((line.amount for line in context["preview"]), queries.ZERO)
            except Refused as exc:
                context["preview_refused"] = exc.reason
            context["exemptions"] = list(queries.exemptions_of(rule))
            shown["exemption"] = bound.get("exemption") or forms.ExemptionForm(
                households=queries.roster(compound), auto_id="id_exemption_%s"
            )
        return context
    context["totals"] = queries.rule_totals(rule)
    if view:
        owing = request.GET.get("owing") == "1"
        charges = queries.arrears(rule) if owing else queries.charges_of(rule)
        context["owing"] = owing
        context["charges"] = Paginator(charges, CHARGES_PAGE).get_page(request.GET.get("page"))
        context["payments"] = list(queries.payments_of(rule)[:20])
        context["pay"] = pay
        if pay:
            shown["payment"] = bound.get("payment") or forms.PaymentForm(
                charges=queries.arrears(rule).filter(exempt=False), auto_id="id_payment_%s"
            )
    if ledger_staff and rule.contract_price is not None:
        shown["surplus"] = bound.get("surplus") or forms.SurplusForm(auto_id="id_surplus_%s")
    return context


def charge_context(request, charge, bound: dict) -> dict:
    user = request.user
    region = charge.rule.region
    pay = can(user, PAY, region)
    shown: dict = {}
    if pay and not charge.exempt and charge.paid < charge.amount:
        shown["payment"] = bound.get("payment") or forms.PaymentForm(auto_id="id_payment_%s")
    payments = list(queries.payments_of_charge(charge))
    return {
        "charge": charge,
        "rule": charge.rule,
        "payments": payments,
        "pay": pay,
        "forms": shown,
        "refusals": refusals(bound),
    }


def overview_context(request, region) -> dict:
    return {"region": region, "compounds": queries.compounds_below(region)}


def staff_places(user):
    """The compounds where the user sees charges (committee, owners' committee), in tree order."""
    return regions_where(user, VIEW).filter(level=Level.COMPOUND).order_by("path")
