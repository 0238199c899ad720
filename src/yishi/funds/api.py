"""The JSON API for cost sharing (费用分摊), payments and a compound's public fund: thin over the services.

Public: a compound's fund ledger, its disclosures, and each issued rule's totals. Who owes what is for the
committee and the owners' committee (``funds.view_charges``); a household member sees their own charges.
Writes need a token or the browser's session with its CSRF token. Money goes in and comes out as decimal
strings ("150.00"), never floats. A ``Refused`` becomes 403/409 with ``detail`` and ``code``.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import Status

from yishi.access.queries import can
from yishi.api_schemas import WRITE_ERRORS, Problem, created, page_of
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.notices.services import DEFAULT_PERIOD_DAYS
from yishi.people.tokens import WRITE_AUTH, caller
from yishi.regions.models import Household

from . import exports, predicates, queries, services
from .models import ChargeRule, RuleStatus
from .queries import VIEW
from .schemas import (
    ChargeDetail,
    ChargeFilter,
    ChargePage,
    EntryIn,
    EntryOut,
    ExemptionIn,
    ExemptionOut,
    ExemptionPage,
    LedgerOut,
    MyChargePage,
    NoticeOut,
    NoticePage,
    Paging,
    PaymentIn,
    PaymentOut,
    PreviewOut,
    PublishIn,
    ReasonIn,
    RuleDetail,
    RuleFilter,
    RuleIn,
    RulePage,
    SurplusIn,
)

router = Router(tags=["funds"])

# --- presenting ------------------------------------------------------------------------------------------


def _household(h) -> dict:
    return {"id": h.pk, "label": str(h)}


def _rule(r: ChargeRule) -> dict:
    return {
        "id": r.pk,
        "region": {"id": r.region.pk, "name": r.region.name},
        "title": r.title,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "method": r.method,
        "method_label": str(r.get_method_display()),
        "occupied_amount": r.occupied_amount,
        "vacant_amount": r.vacant_amount,
        "rate_per_m2": r.rate_per_m2,
        "total": r.total,
        "contract_price": r.contract_price,
        "matter": r.matter_id,
        "status": r.status,
        "issued_at": r.issued_at,
        "issued_total": r.issued_total,
    }


def _rule_detail(rule: ChargeRule, user) -> dict:
    totals = None
    if rule.status == RuleStatus.ISSUED:
        t = queries.rule_totals(rule)
        totals = {
            "households": t.households,
            "exempt": t.exempt,
            "charged": t.charged,
            "paid": t.paid,
            "owed": t.owed,
            "paid_in_full": t.paid_in_full,
            "in_arrears": t.in_arrears,
            "unpaid": t.unpaid,
            "surplus_posted": t.surplus_posted,
            "expected_surplus": t.expected_surplus,
        }
    return {
        **_rule(rule),
        "totals": totals,
        "available_actions": predicates.listed(predicates.offers_on_rule(user, rule)),
    }


def _charge(c) -> dict:
    return {
        "id": c.pk,
        "rule": c.rule_id,
        "household": _household(c.household),
        "occupancy": c.occupancy,
        "floor_area": c.floor_area,
        "amount": c.amount,
        "paid": c.paid,
        "owed": c.amount - c.paid,
        "exempt": c.exempt,
    }


def _payment(p) -> dict:
    return {
        "id": p.pk,
        "charge": p.charge_id,
        "amount": p.amount,
        "paid_on": p.paid_on,
        "method": p.method,
        "receipt_no": p.receipt_no,
        "reverses": p.reverses_id,
        "reason": p.reason,
        "reversed": bool(getattr(p, "n_reversals", 0)),
    }


def _entry(e, after=None) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "amount": e.amount,
        "occurred_on": e.occurred_on,
        "description": e.description,
        "evidence_text": e.evidence_text,
        "evidence_photo": e.evidence_photo.url if e.evidence_photo else None,
        "rule": e.rule_id,
        "corrects": e.corrects_id,
        "balance_after": after,
    }


def _notice(n) -> dict:
    return {
        "id": n.pk,
        "title": n.title,
        "body": n.body,
        "region": {"id": n.region.pk, "name": n.region.name},
        "posted_at": n.posted_at,
        "period_days": n.period_days,
    }


def _forbidden() -> Refused:
    return Refused(_("You do not have the authority to do this here."), Refused.FORBIDDEN)


def _see_charges(user, rule: ChargeRule) -> None:
    if not can(user, VIEW, rule.region):
        raise _forbidden()


def _xlsx(content: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"funds.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


XLSX = {
    200: {
        "description": "An Excel workbook",
        "content": {exports.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }
}


# --- the public fund -------------------------------------------------------------------------------------


@router.get(
    "/compounds/{int:region_id}/ledger",
    response={200: LedgerOut, 404: Problem},
    summary="A compound's public fund: income, spending, balance and its entries with their evidence",
)
def ledger(request, region_id: int, paging: Query[Paging]):
    compound = queries.get_compound(region_id)
    totals = queries.fund_totals(compound)
    rows = queries.ledger(compound)
    return {
        "compound": {"id": compound.pk, "name": compound.name},
        "income": totals.income,
        "spending": totals.spending,
        "balance": totals.balance,
        "count": len(rows),
        "limit": paging.limit,
        "offset": paging.offset,
        "entries": [_entry(e, after) for e, after in rows[paging.offset : paging.offset + paging.limit]],
    }


@router.get(
    "/compounds/{int:region_id}/ledger.xlsx",
    response={404: Problem},
    openapi_extra={"responses": XLSX},
    summary="The compound's public fund ledger as an Excel workbook",
)
def ledger_xlsx(request, region_id: int):
    compound = queries.get_compound(region_id)
    return _xlsx(exports.ledger_workbook(compound=compound), exports.filename("公共资金台账", compound))


@router.get(
    "/compounds/{int:region_id}/disclosures",
    response={200: NoticePage, 404: Problem},
    summary="The fee and fund disclosures posted for the compound, newest first",
)
def disclosures(request, region_id: int, paging: Query[Paging]):
    rows = queries.disclosures_of(queries.get_compound(region_id)).select_related("notice__region")
    return {
        "count": rows.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_notice(d.notice) for d in rows[paging.offset : paging.offset + paging.limit]],
    }


@router.post(
    "/compounds/{int:region_id}/entries",
    auth=WRITE_AUTH,
    response={201: EntryOut, **WRITE_ERRORS},
    summary="Record income or spending of the public fund; spending needs evidence",
)
def add_entry(request, region_id: int, body: EntryIn):
    entry = services.record_fund_entry(
        actor=request.auth,
        compound=queries.get_compound(region_id),
        kind=body.kind,
        amount=body.amount,
        occurred_on=body.occurred_on,
        description=body.description,
        evidence_text=body.evidence_text,
    )
    return created(_entry(entry))


@router.post(
    "/entries/{int:entry_id}/correct",
    auth=WRITE_AUTH,
    response={201: EntryOut, **WRITE_ERRORS},
    summary="Cancel a mistaken entry by the opposite one, with the reason",
)
def correct_entry(request, entry_id: int, body: ReasonIn):
    entry = services.correct_fund_entry(
        actor=request.auth, entry=queries.get_entry(entry_id), reason=body.reason
    )
    return created(_entry(entry))


@router.post(
    "/compounds/{int:region_id}/disclosures",
    auth=WRITE_AUTH,
    response={201: NoticeOut, **WRITE_ERRORS},
    summary="Post the fee and fund disclosure on the public board: totals and counts, never a name",
)
def publish_disclosure(request, region_id: int, body: PublishIn | None = None):
    notice = services.publish_disclosure(
        actor=request.auth,
        compound=queries.get_compound(region_id),
        period_days=body.period_days if body is not None else DEFAULT_PERIOD_DAYS,
    )
    return created(_notice(notice))


# --- charge rules ----------------------------------------------------------------------------------------


@router.get(
    "/rules", response={200: RulePage, 404: Problem}, summary="A compound's charge rules, newest first"
)
def list_rules(request, filters: Query[RuleFilter]):
    rules = queries.rules_for(caller(request), queries.get_compound(filters.region)).select_related("region")
    return {
        "count": rules.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_rule(r) for r in rules[filters.offset : filters.offset + filters.limit]],
    }


@router.post(
    "/rules",
    auth=WRITE_AUTH,
    response={201: RuleDetail, **WRITE_ERRORS},
    summary="Draft a way of sharing a cost among a compound's households (by occupancy, by area, equal shares)",
)
def create_rule(request, body: RuleIn):
    rule = services.create_charge_rule(
        actor=request.auth,
        compound=queries.get_compound(body.region),
        title=body.title,
        period_start=body.period_start,
        period_end=body.period_end,
        method=body.method,
        occupied_amount=body.occupied_amount,
        vacant_amount=body.vacant_amount,
        rate_per_m2=body.rate_per_m2,
        total=body.total,
        contract_price=body.contract_price,
        matter=_matter(body.matter),
    )
    return created(_rule_detail(queries.get_rule_for(request.auth, rule.pk), request.auth))


def _matter(pk: int | None):
    if pk is None:
        return None
    return get_object_or_404(Matter.objects.select_related("region"), pk=pk)


@router.get(
    "/rules/{int:rule_id}",
    response={200: RuleDetail, 401: Problem, 404: Problem},
    summary="A charge rule with its public totals once issued (a draft only for those who manage charges)",
)
def rule_detail(request, rule_id: int):
    user = caller(request)
    return _rule_detail(queries.get_rule_for(user, rule_id), user)


@router.get(
    "/rules/{int:rule_id}/preview",
    auth=WRITE_AUTH,
    response={200: PreviewOut, **WRITE_ERRORS},
    summary="What each household would be charged if the rule were issued now, and the total",
)
def preview(request, rule_id: int, paging: Query[Paging]):
    rule = queries.get_rule_for(request.auth, rule_id)
    _see_charges(request.auth, rule)
    lines = queries.compute_charges(rule)
    return {
        "total": sum((line.amount for line in lines), queries.ZERO),
        "contract_price": rule.contract_price,
        "count": len(lines),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [
            {
                "household": _household(line.household),
                "occupancy": line.household.occupancy,
                "floor_area": line.household.floor_area,
                "amount": line.amount,
                "exempt": line.exempt,
            }
            for line in lines[paging.offset : paging.offset + paging.limit]
        ],
    }


@router.get(
    "/rules/{int:rule_id}/exemptions",
    auth=WRITE_AUTH,
    response={200: ExemptionPage, **WRITE_ERRORS},
    summary="The households exempted from the rule, with the reasons (not public)",
)
def list_exemptions(request, rule_id: int, paging: Query[Paging]):
    rule = queries.get_rule_for(request.auth, rule_id)
    _see_charges(request.auth, rule)
    return page_of(
        queries.exemptions_of(rule),
        paging,
        lambda x: {"id": x.pk, "household": _household(x.household), "reason": x.reason},
    )


@router.post(
    "/rules/{int:rule_id}/exemptions",
    auth=WRITE_AUTH,
    response={201: ExemptionOut, **WRITE_ERRORS},
    summary="Exempt a household (减免, e.g. a 低保 household) before the charges are issued",
)
def add_exemption(request, rule_id: int, body: ExemptionIn):
    rule = queries.get_rule_for(request.auth, rule_id)
    household = get_object_or_404(Household.objects.select_related("region"), pk=body.household)
    exemption = services.exempt_household(
        actor=request.auth, rule=rule, household=household, reason=body.reason
    )
    return created({"id": exemption.pk, "household": _household(household), "reason": exemption.reason})


@router.delete(
    "/rules/{int:rule_id}/exemptions/{int:exemption_id}",
    auth=WRITE_AUTH,
    response={204: None, **WRITE_ERRORS},
    summary="Remove an exemption from a draft rule",
)
def remove_exemption(request, rule_id: int, exemption_id: int):
    rule = queries.get_rule_for(request.auth, rule_id)
    services.remove_exemption(
        actor=request.auth, exemption=queries.get_exemption_for(request.auth, rule, exemption_id)
    )
    return Status(204, None)


@router.post(
    "/rules/{int:rule_id}/issue",
    auth=WRITE_AUTH,
    response={200: RuleDetail, **WRITE_ERRORS},
    summary="Issue the charges: one per household as previewed; the rule freezes",
)
def issue(request, rule_id: int):
    services.issue_charges(actor=request.auth, rule=queries.get_rule_for(request.auth, rule_id))
    return _rule_detail(queries.get_rule_for(request.auth, rule_id), request.auth)


@router.get(
    "/rules/{int:rule_id}/charges",
    auth=WRITE_AUTH,
    response={200: ChargePage, **WRITE_ERRORS},
    summary="Each household's charge, paid and owed, in roster order; `owing=true` lists the arrears",
)
def list_charges(request, rule_id: int, filters: Query[ChargeFilter]):
    rule = queries.get_rule_for(request.auth, rule_id)
    _see_charges(request.auth, rule)
    charges = queries.arrears(rule) if filters.owing else queries.charges_of(rule)
    return {
        "count": charges.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_charge(c) for c in charges[filters.offset : filters.offset + filters.limit]],
    }


@router.get(
    "/rules/{int:rule_id}/charges.xlsx",
    auth=WRITE_AUTH,
    response={**WRITE_ERRORS},
    openapi_extra={"responses": XLSX},
    summary="The rule's charges and payments as an Excel workbook",
)
def charges_xlsx(request, rule_id: int):
    rule = queries.get_rule_for(request.auth, rule_id)
    return _xlsx(
        exports.charges_workbook(viewer=request.auth, rule=rule), exports.filename("费用明细", rule.region)
    )


@router.post(
    "/rules/{int:rule_id}/surplus",
    auth=WRITE_AUTH,
    response={201: EntryOut, **WRITE_ERRORS},
    summary="Post what was collected beyond the contracted price (and not yet posted) as fund income",
)
def post_surplus(request, rule_id: int, body: SurplusIn | None = None):
    entry = services.post_surplus(
        actor=request.auth,
        rule=queries.get_rule_for(request.auth, rule_id),
        occurred_on=body.occurred_on if body is not None else None,
    )
    return created(_entry(entry))


# --- charges and payments --------------------------------------------------------------------------------


@router.get(
    "/mine",
    auth=WRITE_AUTH,
    response={200: MyChargePage, 401: Problem},
    summary="The charges of the caller's households, with their payments",
)
def mine(request, paging: Query[Paging]):
    return page_of(
        queries.my_charges(request.auth),
        paging,
        lambda c: {
            **_charge(c),
            "rule_title": c.rule.title,
            "payments": [_payment(p) for p in c.payments.all()],
        },
    )


@router.get(
    "/charges/{int:charge_id}",
    auth=WRITE_AUTH,
    response={200: ChargeDetail, **WRITE_ERRORS},
    summary="One household's charge with its payments: for staff, and for the household's members",
)
def charge_detail(request, charge_id: int):
    charge = queries.get_charge_for(request.auth, charge_id)
    return {
        **_charge(charge),
        "rule_title": charge.rule.title,
        "payments": [_payment(p) for p in queries.payments_of_charge(charge)],
    }


@router.post(
    "/charges/{int:charge_id}/payments",
    auth=WRITE_AUTH,
    response={201: PaymentOut, **WRITE_ERRORS},
    summary="Record a payment against a charge, with its receipt number (partial payments are fine)",
)
def record_payment(request, charge_id: int, body: PaymentIn):
    payment = services.record_payment(
        actor=request.auth,
        charge=queries.get_charge_for(request.auth, charge_id),
        amount=body.amount,
        paid_on=body.paid_on,
        method=body.method,
        receipt_no=body.receipt_no,
    )
    return created(_payment(payment))


@router.post(
    "/payments/{int:payment_id}/reverse",
    auth=WRITE_AUTH,
    response={201: PaymentOut, **WRITE_ERRORS},
    summary="Reverse a payment recorded by mistake, with the reason",
)
def reverse_payment(request, payment_id: int, body: ReasonIn):
    reversal = services.reverse_payment(
        actor=request.auth, payment=queries.get_payment_for(request.auth, payment_id), reason=body.reason
    )
    return created(_payment(reversal))
