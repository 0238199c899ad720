"""What the fee and fund pages show, gathered in a fixed number of queries however many households, payments
or ledger entries there are. Who owes what is shown only to those who may see charges there."""

from django.core.paginator import Paginator
from django.forms.forms import NON_FIELD_ERRORS

from yishi.access.queries import can, regions_where
from yishi.errors import Refused
from yishi.regions.models import Level

from . import forms, predicates, queries
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
    offers = predicates.offers_on_compound(user, compound)
    ledger_staff = predicates.authority(user, LEDGER, compound) is None
    totals = queries.fund_totals(compound)
    rows = queries.ledger(compound)
    # Newest first on the page; the running balance was computed oldest first.
    page = Paginator(rows[::-1], LEDGER_PAGE).get_page(request.GET.get("page"))
    correctable: set[int] = set()
    if ledger_staff:
        corrected = queries.entries_corrected(compound)
        correctable = {
            entry.pk
            for entry, _after in page
            if predicates.may_correct_entry(
                user, entry, compound=compound, corrected=corrected, held=totals.balance
            )
            is None
        }
    shown: dict = {}
    if "record_entry" in offers:
        shown["entry"] = bound.get("entry") or forms.EntryForm(auto_id="id_entry_%s")
    if "publish" in offers:
        shown["publish"] = bound.get("publish") or forms.PublishForm(auto_id="id_publish_%s")
    return {
        "compound": compound,
        "totals": totals,
        "page": page,
        "correctable": correctable,
        "rules": list(queries.rules_for(user, compound)[:50]),
        "disclosures": list(queries.disclosures_of(compound)[:10]),
        "offers": offers,
        "forms": shown,
        "refusals": refusals(bound),
    }


def rule_context(request, rule, bound: dict) -> dict:
    user = request.user
    compound = rule.region
    manage, view = can(user, MANAGE, compound), can(user, VIEW, compound)
    shown: dict = {}
    context = {
        "rule": rule,
        "compound": compound,
        "manage": manage,
        "view": view,
        "forms": shown,
        "refusals": refusals(bound),
    }
    shared = None
    if predicates.not_draft(rule) is None and manage:
        try:
            context["preview"] = queries.compute_charges(rule)
            context["preview_total"] = sum((line.amount for line in context["preview"]), queries.ZERO)
        except Refused as exc:
            shared = exc
            context["preview_refused"] = exc.reason
        context["exemptions"] = list(queries.exemptions_of(rule))
    offers = context["offers"] = predicates.offers_on_rule(user, rule, shared=shared)
    if "exempt" in offers:
        shown["exemption"] = bound.get("exemption") or forms.ExemptionForm(
            households=queries.roster(compound), auto_id="id_exemption_%s"
        )
    if predicates.not_issued(rule) is not None:
        return context
    context["totals"] = queries.rule_totals(rule)
    if view:
        owing = request.GET.get("owing") == "1"
        charges = queries.arrears(rule) if owing else queries.charges_of(rule)
        context["owing"] = owing
        context["charges"] = Paginator(charges, CHARGES_PAGE).get_page(request.GET.get("page"))
        context["payments"] = list(queries.payments_of(rule)[:20])
    if "record_payment" in offers:
        shown["payment"] = bound.get("payment") or forms.PaymentForm(
            charges=queries.arrears(rule).filter(exempt=False), auto_id="id_payment_%s"
        )
    if "post_surplus" in offers:
        shown["surplus"] = bound.get("surplus") or forms.SurplusForm(auto_id="id_surplus_%s")
    elif offers.closed.get("post_surplus") and offers.closed["post_surplus"].code == "no_surplus":
        # The contracted price is not yet exceeded: say so, with the figures, where the form would be.
        context["surplus_note"] = offers.why_not("post_surplus")
    return context


def charge_context(request, charge, bound: dict) -> dict:
    user = request.user
    rule = charge.rule
    shown: dict = {}
    if predicates.may_pay(user, charge, rule) is None:
        shown["payment"] = bound.get("payment") or forms.PaymentForm(auto_id="id_payment_%s")
    payments = list(queries.payments_of_charge(charge))
    reversible: set[int] = set()
    if payments and predicates.authority(user, PAY, rule.region) is None:
        surplus = (queries.collected(rule), queries.posted_surplus(rule))
        reversible = {
            p.pk
            for p in payments
            if predicates.may_reverse(user, p, rule, reversed_=bool(p.n_reversals), surplus=surplus) is None
        }
    return {
        "charge": charge,
        "rule": rule,
        "payments": payments,
        "reversible": reversible,
        "forms": shown,
        "refusals": refusals(bound),
    }


def overview_context(request, region) -> dict:
    return {"region": region, "compounds": queries.compounds_below(region)}


def staff_places(user):
    """The compounds where the user sees charges (committee, owners' committee), in tree order."""
    return regions_where(user, VIEW).filter(level=Level.COMPOUND).order_by("path")
