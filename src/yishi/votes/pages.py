"""What the vote pages show, gathered in a fixed number of queries however large the electorate.

Lists that grow with the electorate (receipts, the named list of an open vote, who took part) come a page at a
time, each page one query.
"""

from django.core.paginator import Paginator
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import regions_where
from yishi.audit import receipts
from yishi.regions.models import Level

from . import forms, predicates, queries, rules_math
from .models import CorrectionTarget, Kind, Status
from .queries import MANAGE

LIST_PAGE = 100


def manageable_regions(user):
    """Where ``user`` may hold votes: communities, compounds and buildings in their scope."""
    return (
        regions_where(user, MANAGE)
        .filter(level__in=[Level.COMMUNITY, Level.COMPOUND, Level.BUILDING])
        .order_by("path")
    )


def refusals(bound: dict) -> list[str]:
    """Every error of the form just sent, in words, for the summary at the top of the page."""
    out = []
    for form in bound.values():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field != NON_FIELD_ERRORS and field in form.fields else None
            for error in errors:
                out.append(f"{label}: {error}" if label else str(error))
    return out


def presets() -> list[dict]:
    """The defaults per body with their rule in words and their source: shown beside the rule's choice."""
    return [
        {"key": p.key, "label": p.label, "rule": p.rule.describe(), "source": p.source}
        for p in rules_math.PRESETS.values()
    ]


def _decision(result: dict, labels: dict) -> str:
    d = result["decision"]
    return rules_math.Decision(d["passed"], d["code"], d["params"], d["winner"]).reason(labels)


def _corrections(vote, result, options, labels) -> list[dict]:
    """Each correction beside the original: a recount's counts and decision next to those written at closing."""
    rows = []
    for c in result.corrections:
        row = {"correction": c, "recount": c.target == CorrectionTarget.RESULT, "counts": [], "reason": ""}
        if row["recount"]:
            counts, original = c.data["result"]["counts"], vote.result["counts"]
            row["counts"] = [(labels[o.key], original.get(o.key, 0), counts.get(o.key, 0)) for o in options]
            row["reason"] = _decision(c.data["result"], labels)
        rows.append(row)
    return rows


def vote_context(request, vote) -> dict:
    """What the public page and the staff page both show: question, options, rule, turnout and the result."""
    user = request.user
    options = list(vote.options.order_by("position"))
    labels = {o.key: str(o.display) for o in options}
    result = queries.public_result(vote, lists=False)
    taking_part = result.taking_part
    rule_label, rule_source = queries.rule_source(vote)
    context = {
        "vote": vote,
        "options": options,
        "choices": [o for o in options if vote.kind == Kind.OPTIONS and o.key != rules_math.ABSTAIN],
        "rule": result.rule,
        "rule_label": rule_label,
        "rule_source": rule_source,
        "electorate": result.electorate if vote.status != Status.DRAFT else None,
        "taking_part": taking_part,
        "turnout": sum(taking_part.values()),
        "channels": [(key, label, taking_part[key]) for key, label in _channel_labels()],
        "result": result if result.closed else None,
        "may_manage": predicates.authority(user, MANAGE, vote) is None,
    }
    if result.closed:
        context["original_reason"] = _decision(vote.result, labels)
        context["corrections"] = _corrections(vote, result, options, labels)
        area = vote.result.get("area")
        context["area"] = area
        context["count_rows"] = [
            (label, n, area["counts"].get(key) if area else None) for key, label, n in result.counts
        ]
    elif vote.is_open:
        # Proxies withdrawn while the vote runs are public at once.
        result.corrections = list(vote.corrections.select_related("signed_by").order_by("signed_at", "pk"))
        context["corrections"] = _corrections(vote, result, options, labels)
    return context


def _channel_labels():
    from .models import Channel

    return [(c.value, c.label) for c in Channel]


def detail_context(request, vote) -> dict:
    """The public page: anyone, no login. A secret vote shows no choice of anyone, ever."""
    context = vote_context(request, vote)
    seats = queries.seats_for(vote, request.user)
    context["seats"] = seats
    may_vote = predicates.may_vote(request.user, vote, seats) is None
    context["to_vote"] = [s for s in seats if not s.used] if may_vote else []
    context["voted"] = any(s.used for s in seats)
    if vote.is_closed and vote.audit_seq:
        context["recorded"] = receipts.holding(vote.audit_seq)
    if vote.is_closed:
        context["receipts"] = Paginator(queries.counted_ballots(vote), LIST_PAGE).get_page(
            request.GET.get("page")
        )
        context["named"] = Paginator(queries.named_choices(vote), LIST_PAGE).get_page(
            request.GET.get("named")
        )
        check = forms.ReceiptCheckForm(request.GET if "code" in request.GET else None, auto_id="id_check_%s")
        context["check"] = check
        if check.is_bound and check.is_valid():
            code = queries.normalize_receipt(check.cleaned_data["code"])
            context["checked"] = {
                "code": code or check.cleaned_data["code"],
                "counted": bool(code) and queries.receipt_counted(vote, code),
            }
    return context


def run_context(request, vote, bound: dict) -> dict:
    """The staff page: open, tick off paper and show-of-hands voters, enter counts, proxies, close, correct."""
    context = vote_context(request, vote)
    options = context["options"]
    shown: dict = {}
    proxies = list(
        queries.active_proxies(vote)
        .select_related("holder", "principal__person", "principal__household__region")
        .order_by("pk")
    )
    used_proxies = set(vote.participations.filter(proxy__isnull=False).values_list("proxy_id", flat=True))
    offers = predicates.offers(request.user, vote)
    if "open" in offers:
        shown["open"] = bound.get("open") or forms.ConfirmForm(auto_id=forms.auto_id("open"))
    waiting = []
    if "participation" in offers or "proxy" in offers:
        waiting = list(queries.electors_waiting(vote))
        context["waiting_count"] = len(waiting)
    if "participation" in offers:
        shown["participation"] = bound.get("participation") or forms.ParticipationForm(
            electors=waiting, options=options, named=not vote.secret, auto_id=forms.auto_id("participation")
        )
    if "tally" in offers:
        shown["tally"] = bound.get("tally") or forms.TallyForm(
            options=options, auto_id=forms.auto_id("tally")
        )
    if "proxy" in offers:
        shown["proxy"] = bound.get("proxy") or forms.ProxyForm(
            electors=waiting, auto_id=forms.auto_id("proxy")
        )
    if "close" in offers:
        shown["close"] = bound.get("close") or forms.ConfirmForm(auto_id=forms.auto_id("close"))
    if "recount" in offers:
        shown["recount"] = bound.get("recount") or forms.RecountForm(
            options=options, auto_id=forms.auto_id("recount")
        )
    # Proxies withdrawn already are not among the active ones; a used one stands.
    unused = [p for p in proxies if p.pk not in used_proxies]
    if unused and "withdraw_proxy" in offers:
        shown["withdraw"] = bound.get("withdraw") or forms.WithdrawProxyForm(
            proxies=unused, auto_id=forms.auto_id("withdraw")
        )
    context.update(
        {
            "forms": shown,
            "offers": offers,
            # Why a draft cannot be opened, or an open vote not yet closed (a count waiting for its check …).
            "open_note": offers.why_not("open") if "edit" in offers else "",
            "close_note": offers.why_not("close") if vote.is_open else "",
            "refusals": refusals(bound),
            "tallies": _tallies(vote, options) if vote.status != Status.DRAFT else [],
            "proxies": [{"proxy": p, "used": p.pk in used_proxies} for p in proxies],
            "participants": Paginator(queries.participants(vote), LIST_PAGE).get_page(
                request.GET.get("page")
            ),
            "people": list(vote.listed.order_by("pk")[:LIST_PAGE]) if vote.status == Status.DRAFT else [],
            "electorate_note": _electorate_note(vote),
        }
    )
    return context


def _tallies(vote, options) -> list:
    """The double-entry state per channel, with counts named by their options' labels."""

    def named(counts):
        """In the options' order: a JSON column need not keep the keys' order (PostgreSQL's jsonb does not)."""
        return [(str(o.display), counts.get(o.key, 0)) for o in options] if counts else []

    rows = queries.tally_overview(vote)
    for row in rows:
        row.accepted_rows = named(row.accepted)
        row.disagreeing = [(e.entered_by.name, named(e.counts)) for e in row.disagreeing]
    return rows


def _electorate_note(vote) -> str:
    if vote.electorate_kind == "body" and vote.body_role:
        return str(_("the members of this body: %(body)s") % {"body": vote.get_body_role_display()})
    return str(vote.get_electorate_kind_display())
