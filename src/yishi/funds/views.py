"""Fee and fund pages: thin. Parse the form, call the service, render; a Refused becomes the form's error.

As on the matter pages: success redirects with a message; input the form or the service finds wrong re-renders
with 400; an action the state refuses (already issued, paid in full …) with 409; one the person lacks authority
for with 403. Who owes what is shown only to the committee and the owners' committee, and to each household
its own.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.access.queries import can
from yishi.errors import Refused, refusal_to_form
from yishi.matters.queries import matter_numbered
from yishi.regions.models import Level, Region

from . import exports, forms, pages, queries, services
from .queries import MANAGE, VIEW

# A service names the field it refuses by its own name; a form may call it differently.
FIELD_ALIASES = {"photos": "evidence_photo"}


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"funds.xlsx\"; filename*=UTF-8''{quote(name)}"


# ---- a compound's fund (public) --------------------------------------------------------------------------


def fund(request, pk: int, bound: dict | None = None, status: int = 200):
    """A compound's public fund and its charges; above a compound, the compounds below with their balances."""
    region = get_object_or_404(Region, pk=pk)
    if region.level != Level.COMPOUND:
        if region.level > Level.COMPOUND:
            return redirect("funds:fund", region.parent_id)
        return render(request, "funds/overview.html", pages.overview_context(request, region))
    return render(
        request, "funds/fund.html", pages.compound_context(request, region, bound or {}), status=status
    )


def ledger_xlsx(request, pk: int):
    compound = queries.get_compound(pk)
    return _xlsx(exports.ledger_workbook(compound=compound), exports.filename("公共资金台账", compound))


def _compound_act(request, pk: int, name: str, form, call, success: str):
    compound = queries.get_compound(pk)
    if not form.is_valid():
        return fund(request, pk, {name: form}, status=400)
    try:
        result = call(compound, form.cleaned_data)
    except Refused as exc:
        return fund(request, pk, {name: form}, status=refusal_to_form(form, exc, FIELD_ALIASES))
    messages.success(request, success)
    return redirect(result or reverse("funds:fund", args=[pk]))


@require_POST
@login_required
def add_entry(request, pk: int):
    form = forms.EntryForm(request.POST, request.FILES, auto_id="id_entry_%s")

    def call(compound, d):
        services.record_fund_entry(
            actor=request.user,
            compound=compound,
            kind=d["kind"],
            amount=d["amount"],
            occurred_on=d["occurred_on"],
            description=d["description"],
            evidence_text=d["evidence_text"],
            evidence_photo=d["evidence_photo"],
        )

    return _compound_act(request, pk, "entry", form, call, _("The entry is recorded in the ledger."))


@require_POST
@login_required
def publish(request, pk: int):
    def call(compound, d):
        notice = services.publish_disclosure(
            actor=request.user, compound=compound, period_days=d["period_days"]
        )
        return reverse("notices:detail", args=[notice.pk])

    return _compound_act(
        request,
        pk,
        "publish",
        forms.PublishForm(request.POST, auto_id="id_publish_%s"),
        call,
        _("The fee and fund disclosure is posted on the public board."),
    )


@require_POST
@login_required
def correct_entry(request, pk: int):
    entry = queries.get_entry(pk)
    compound = entry.fund.region
    form = forms.ReasonForm(request.POST)

    def call(compound, d):
        services.correct_fund_entry(actor=request.user, entry=entry, reason=d["reason"])

    return _compound_act(
        request, compound.pk, "correct", form, call, _("The entry is corrected by an opposite one.")
    )


# ---- charge rules ----------------------------------------------------------------------------------------


@login_required
def new_rule(request, pk: int):
    compound = queries.get_compound(pk)
    if not can(request.user, MANAGE, compound):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "funds/new_rule.html", {"compound": compound, "form": forms.RuleForm()})
    form = forms.RuleForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            matter = matter_numbered(d["matter"], field="matter")
            rule = services.create_charge_rule(
                actor=request.user,
                compound=compound,
                title=d["title"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                method=d["method"],
                occupied_amount=d["occupied_amount"],
                vacant_amount=d["vacant_amount"],
                rate_per_m2=d["rate_per_m2"],
                total=d["total"],
                contract_price=d["contract_price"],
                matter=matter,
            )
        except Refused as exc:
            status = refusal_to_form(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, _("The charge rule is drafted. Check the charges, then issue them."))
            return redirect("funds:rule", rule.pk)
    return render(request, "funds/new_rule.html", {"compound": compound, "form": form}, status=status)


def rule(request, pk: int, bound: dict | None = None, status: int = 200):
    rule = queries.get_rule_for(request.user, pk)
    return render(request, "funds/rule.html", pages.rule_context(request, rule, bound or {}), status=status)


def charges_xlsx(request, pk: int):
    rule = queries.get_rule_for(request.user, pk)
    if not can(request.user, VIEW, rule.region):
        raise PermissionDenied
    return _xlsx(
        exports.charges_workbook(viewer=request.user, rule=rule), exports.filename("费用明细", rule.region)
    )


def _rule_act(request, pk: int, name: str, form, call, success: str):
    rule_ = queries.get_rule_for(request.user, pk)
    if not form.is_valid():
        return rule(request, pk, {name: form}, status=400)
    try:
        call(rule_, form.cleaned_data)
    except Refused as exc:
        return rule(request, pk, {name: form}, status=refusal_to_form(form, exc, FIELD_ALIASES))
    messages.success(request, success)
    return redirect("funds:rule", pk)


@require_POST
@login_required
def exempt(request, pk: int):
    rule_ = queries.get_rule_for(request.user, pk)
    form = forms.ExemptionForm(
        request.POST, households=queries.roster(rule_.region), auto_id="id_exemption_%s"
    )

    def call(rule_, d):
        services.exempt_household(
            actor=request.user, rule=rule_, household=d["household"], reason=d["reason"]
        )

    return _rule_act(request, pk, "exemption", form, call, _("The household is exempt."))


@require_POST
@login_required
def remove_exemption(request, pk: int, exemption_id: int):
    rule_ = queries.get_rule_for(request.user, pk)
    exemption = queries.get_exemption_for(request.user, rule_, exemption_id)

    def call(rule_, d):
        services.remove_exemption(actor=request.user, exemption=exemption)

    return _rule_act(
        request, pk, "remove", forms.EmptyForm(request.POST), call, _("The exemption is removed.")
    )


@require_POST
@login_required
def issue(request, pk: int):
    def call(rule_, d):
        services.issue_charges(actor=request.user, rule=rule_)

    return _rule_act(
        request,
        pk,
        "issue",
        forms.EmptyForm(request.POST),
        call,
        _("The charges are issued to every household."),
    )


@require_POST
@login_required
def pay(request, pk: int):
    rule_ = queries.get_rule_for(request.user, pk)
    if not can(request.user, VIEW, rule_.region):
        raise PermissionDenied
    form = forms.PaymentForm(request.POST, charges=queries.arrears(rule_), auto_id="id_payment_%s")

    def call(rule_, d):
        services.record_payment(
            actor=request.user,
            charge=d["charge"],
            amount=d["amount"],
            paid_on=d["paid_on"],
            method=d["method"],
            receipt_no=d["receipt_no"],
        )

    return _rule_act(request, pk, "payment", form, call, _("The payment is recorded."))


@require_POST
@login_required
def post_surplus(request, pk: int):
    def call(rule_, d):
        services.post_surplus(actor=request.user, rule=rule_, occurred_on=d["occurred_on"])

    return _rule_act(
        request,
        pk,
        "surplus",
        forms.SurplusForm(request.POST, auto_id="id_surplus_%s"),
        call,
        _("The surplus is posted to the public fund."),
    )


# ---- one household's charge ------------------------------------------------------------------------------


@login_required
def charge(request, pk: int, bound: dict | None = None, status: int = 200):
    charge_ = queries.get_charge_for(request.user, pk)
    return render(
        request, "funds/charge.html", pages.charge_context(request, charge_, bound or {}), status=status
    )


@require_POST
@login_required
def charge_pay(request, pk: int):
    charge_ = queries.get_charge_for(request.user, pk)
    form = forms.PaymentForm(request.POST, auto_id="id_payment_%s")
    if not form.is_valid():
        return charge(request, pk, {"payment": form}, status=400)
    d = form.cleaned_data
    try:
        services.record_payment(
            actor=request.user,
            charge=charge_,
            amount=d["amount"],
            paid_on=d["paid_on"],
            method=d["method"],
            receipt_no=d["receipt_no"],
        )
    except Refused as exc:
        return charge(request, pk, {"payment": form}, status=refusal_to_form(form, exc, FIELD_ALIASES))
    messages.success(request, _("The payment is recorded."))
    return redirect("funds:charge", pk)


@require_POST
@login_required
def reverse_payment(request, pk: int):
    payment = queries.get_payment_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        return charge(request, payment.charge_id, {"reverse": form}, status=400)
    try:
        services.reverse_payment(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
    except Refused as exc:
        return charge(
            request, payment.charge_id, {"reverse": form}, status=refusal_to_form(form, exc, FIELD_ALIASES)
        )
    messages.success(request, _("The payment is reversed."))
    return redirect("funds:charge", payment.charge_id)


@login_required
def mine(request):
    """My household's charges and payments; for staff, the compounds whose charges they keep."""
    return render(
        request,
        "funds/mine.html",
        {"charges": queries.my_charges(request.user), "places": list(pages.staff_places(request.user)[:50])},
    )
