"""The JSON API for votes (表决): thin over the services and queries the pages use.

Reads are public (an opened or closed vote; a draft only for those who run it, else 404). Writes need a token
(``Authorization: Bearer``) or the browser's session with its CSRF token. A ``Refused`` becomes 403/409 with
``detail`` (the page's words) and a stable ``code`` (see ``yishi.api``); a malformed body is 422.

A secret vote never shows anyone's choice: its receipts come without choices and it has no named list. A cast
returns the receipt code once; for a secret vote the server cannot give it again (``/receipt`` says so), so a
client must keep it.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.responses import Status as HttpStatus

from yishi.access.queries import require
from yishi.api_schemas import WRITE_ERRORS, Problem, within_dates
from yishi.errors import Refused
from yishi.matters.queries import get_matter
from yishi.people.lookup import person_by_phone
from yishi.people.tokens import WRITE_AUTH, caller
from yishi.regions.models import Region, within

from . import casting, drafting, predicates, queries, rules_math, tallies
from .models import Status, Vote
from .queries import MANAGE
from .schemas import (
    CastIn,
    CastOut,
    CorrectionIn,
    CorrectionOut,
    ElectorPage,
    NamedPage,
    OpenVotePage,
    OwnReceiptOut,
    Paging,
    ParticipationIn,
    ParticipationOut,
    PresetOut,
    ProxyOut,
    ReceiptPage,
    TallyIn,
    TallyOut,
    VoteChangeIn,
    VoteDetail,
    VoteFilter,
    VoteIn,
    VotePage,
)

router = Router(tags=["votes"])

# --- helpers ---------------------------------------------------------------------------------------------


def _vote(user, vote_id: int) -> Vote:
    try:
        return queries.get_vote_for(user, vote_id)
    except Vote.DoesNotExist:
        raise Http404 from None


def _row(v: Vote) -> dict:
    return {
        "id": v.pk,
        "question": v.question,
        "region": {"id": v.region_id, "name": v.region.name},
        "kind": v.kind,
        "status": v.status,
        "status_label": str(v.status_label),
        "secret": v.secret,
        "matter": v.matter_id,
        "version": v.version.number if v.version_id else None,
        "opened_at": v.opened_at,
        "closed_at": v.closed_at,
        "passed": v.passed,
    }


def _rule(v: Vote) -> dict:
    label, source = queries.rule_source(v)
    return {
        "preset": v.preset,
        "label": label,
        "source": source,
        "words": v.rule.describe(),
        "method": v.method,
        "quorum": f"{v.quorum_numerator}/{v.quorum_denominator}",
        "quorum_strict": v.quorum_strict,
        "threshold": f"{v.threshold_numerator}/{v.threshold_denominator}",
        "threshold_base": v.threshold_base,
        "threshold_strict": v.threshold_strict,
        "by_area": v.by_area,
    }


def _seat(s) -> dict:
    return {
        "seat": s.key,
        "kind": s.kind,
        "elector": s.elector.pk,
        "label": s.label,
        "voted": s.used,
        "channel": s.channel,
    }


def _reason(result: dict, labels: dict) -> str:
    d = result["decision"]
    return rules_math.Decision(d["passed"], d["code"], d["params"], d["winner"]).reason(labels)


def _detail(vote: Vote, user) -> dict:
    options = list(vote.options.order_by("position"))
    labels = {o.key: str(o.display) for o in options}
    public = queries.public_result(vote, lists=False)
    result = None
    if public.closed:
        result = {
            "passed": public.passed,
            "code": vote.result_code
            if not public.corrected
            else queries.current_result(vote)["decision"]["code"],
            "reason": public.reason,
            "winner": public.winner,
            "counts": [{"key": k, "label": label, "votes": n} for k, label, n in public.counts],
            "blank": public.blank,
            "area": vote.result.get("area"),
            "corrected": public.corrected,
            "original_reason": _reason(vote.result, labels),
            "receipts": vote.result["receipts"],
            "receipts_digest": vote.result["receipts_digest"],
            "audit_seq": public.audit_seq,
            "audit_hash": public.audit_hash,
        }
    corrections = (
        public.corrections
        if public.closed
        else list(vote.corrections.select_related("signed_by").order_by("signed_at", "pk"))
    )
    return {
        **_row(vote),
        "description": vote.description,
        "options": [
            {"key": o.key, "label": str(o.display), "price": o.price, "description": o.description}
            for o in options
        ],
        "rule": _rule(vote),
        "electorate_kind": vote.electorate_kind,
        "body_role": vote.body_role,
        "electorate": public.electorate if vote.status != Status.DRAFT else None,
        "turnout": public.taking_part,
        "tallies": [{"channel": c, "state": s} for c, s in public.tallies.items()],
        "proxies_allowed": vote.proxies_allowed,
        "proxy_cap": vote.proxy_cap,
        "result": result,
        "corrections": [
            {
                "id": c.pk,
                "target": c.target,
                "target_id": c.target_id,
                "reason": c.reason,
                "signed_by": c.signed_by.name if c.signed_by else "",
                "signed_at": c.signed_at,
                "audit_hash": c.audit_hash,
                "counts": c.data["result"]["counts"] if "result" in c.data else None,
            }
            for c in corrections
        ],
        "my_seats": [_seat(s) for s in queries.seats_for(vote, user)],
        "may_manage": predicates.authority(user, MANAGE, vote) is None,
    }


def _staff(user, vote: Vote) -> None:
    """Who took part, by name, is for the staff who run the vote."""
    require(user, "votes.enter_tally", vote)


def _dated(votes, filters: VoteFilter):
    return within_dates(votes, "opened_at", filters)


def _page(rows, paging, item) -> dict:
    return {
        "count": rows.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [item(r) for r in rows[paging.offset : paging.offset + paging.limit]],
    }


# --- reads -----------------------------------------------------------------------------------------------


@router.get("/", response=VotePage, summary="Opened and closed votes, newest first, a page at a time")
def list_votes(request, filters: Query[VoteFilter]):
    if filters.region is not None:
        votes = queries.public_votes(get_object_or_404(Region, pk=filters.region))
    else:
        votes = (
            Vote.objects.exclude(status=Status.DRAFT).select_related("region").order_by("-opened_at", "-pk")
        )
    if filters.status:
        votes = votes.filter(status=filters.status)
    return _page(_dated(votes, filters).select_related("version"), filters, _row)


@router.get(
    "/presets", response=list[PresetOut], summary="The rules: defaults per body, each with its source"
)
def presets(request):
    return [
        {"key": p.key, "label": str(p.label), "words": p.rule.describe(), "source": p.source}
        for p in rules_math.PRESETS.values()
    ]


@router.get(
    "/mine",
    auth=WRITE_AUTH,
    response={200: OpenVotePage, 401: Problem},
    summary="The open votes the caller may vote in (own seat, household, or proxy), and whether they have",
)
def mine(request, paging: Query[Paging]):
    votes = queries.open_votes_for(request.auth).select_related("version")
    return _page(votes, paging, lambda v: {"vote": _row(v), "voted": v.voted})


@router.get(
    "/managed",
    auth=WRITE_AUTH,
    response={200: VotePage, 401: Problem},
    summary="The votes the caller runs, drafts included",
)
def managed(request, filters: Query[VoteFilter]):
    votes = queries.managed_votes(request.auth).select_related("version")
    if filters.region is not None:
        votes = votes.filter(within(get_object_or_404(Region, pk=filters.region), "region"))
    if filters.status:
        votes = votes.filter(status=filters.status)
    return _page(_dated(votes, filters), filters, _row)


@router.get(
    "/{int:vote_id}",
    response={200: VoteDetail, 401: Problem, 404: Problem},
    summary="A vote: question, options, rule and its source, turnout; once closed the result with its reason",
)
def vote_detail(request, vote_id: int):
    user = caller(request)
    return _detail(_vote(user, vote_id), user)


@router.get(
    "/{int:vote_id}/receipts",
    response={200: ReceiptPage, 401: Problem, 404: Problem},
    summary="The receipt codes counted, once closed (with choices only for an open vote)",
)
def receipts(request, vote_id: int, paging: Query[Paging], code: str = ""):
    vote = _vote(caller(request), vote_id)
    rows = queries.counted_ballots(vote)
    if code:
        rows = rows.filter(receipt=queries.normalize_receipt(code) or "-")

    def item(b):
        return {"receipt": b.receipt, "choice": None if vote.secret else str(b.option.display)}

    return _page(rows, paging, item)


@router.get(
    "/{int:vote_id}/named",
    response={200: NamedPage, 401: Problem, 404: Problem, 409: Problem},
    summary="An open vote's named list, once closed: who voted how (a secret vote has none)",
)
def named(request, vote_id: int, paging: Query[Paging]):
    vote = _vote(caller(request), vote_id)
    if vote.secret:
        raise Refused(_("A secret vote keeps no list of who voted how."), "secret_vote")
    return _page(
        queries.named_choices(vote),
        paging,
        lambda n: {"who": str(n.elector), "choice": str(n.option.display), "channel": n.channel},
    )


@router.get(
    "/{int:vote_id}/receipt",
    auth=WRITE_AUTH,
    response={200: list[OwnReceiptOut], **WRITE_ERRORS},
    summary="The caller's own receipts in an open vote (a secret vote keeps no link to find them again)",
)
def own_receipt(request, vote_id: int):
    vote = _vote(request.auth, vote_id)
    if vote.secret:
        raise Refused(
            _(
                "This was a secret ballot. The system keeps no link from you to your ballot, so it cannot "
                "find your code again."
            ),
            "secret_vote",
        )
    return [
        {"who": who, "receipt": code, "choice": choice}
        for who, code, choice in queries.own_receipts(vote, request.auth)
    ]


@router.get(
    "/{int:vote_id}/electors",
    auth=WRITE_AUTH,
    response={200: ElectorPage, **WRITE_ERRORS},
    summary="Staff: who is entitled to vote and how each took part (never their choice)",
)
def electors(request, vote_id: int, paging: Query[Paging], waiting: bool = False):
    vote = _vote(request.auth, vote_id)
    _staff(request.auth, vote)
    rows = (
        queries.electors_waiting(vote)
        if waiting
        else vote.electors.select_related("person", "household__region").order_by("pk")
    )
    page = list(rows[paging.offset : paging.offset + paging.limit])
    channels = dict(vote.participations.filter(elector__in=page).values_list("elector_id", "channel"))
    return {
        "count": rows.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [{"id": e.pk, "label": str(e), "channel": channels.get(e.pk)} for e in page],
    }


# --- writes ----------------------------------------------------------------------------------------------


@router.post("/", auth=WRITE_AUTH, response={201: VoteDetail, **WRITE_ERRORS}, summary="Draft a vote")
def create(request, body: VoteIn):
    region = get_object_or_404(Region, pk=body.region)
    matter = version = None
    if body.matter is not None:
        matter = get_matter(body.matter)
        if body.version is not None:
            version = matter.plan_versions.filter(number=body.version).first()
            if version is None:
                raise Refused(
                    _("Name a plan version of this matter to vote on."), "version_required", field="version"
                )
    people = [
        person_by_phone(request.auth, phone, action=MANAGE, target=region, field="people")
        for phone in body.people
    ]
    vote = drafting.create_vote(
        actor=request.auth,
        region=region,
        question=body.question,
        description=body.description,
        kind=body.kind,
        options=[o.dict() for o in body.options],
        electorate=body.electorate,
        body_role=body.body_role,
        people=people,
        preset=body.preset,
        secret=body.secret,
        proxies_allowed=body.proxies_allowed,
        proxy_cap=body.proxy_cap,
        secret_proxies=body.secret_proxies,
        matter=matter,
        version=version,
    )
    return HttpStatus(201, _detail(_vote(request.auth, vote.pk), request.auth))


@router.patch(
    "/{int:vote_id}",
    auth=WRITE_AUTH,
    response={200: VoteDetail, **WRITE_ERRORS},
    summary="Change a draft: its question, options, voters' list, rule or proxies",
)
def change(request, vote_id: int, body: VoteChangeIn):
    vote = _vote(request.auth, vote_id)
    changes = {name: value for name, value in body.dict(exclude_unset=True).items() if value is not None}
    if "people" in changes:
        changes["people"] = [
            person_by_phone(request.auth, phone, action=MANAGE, target=vote, field="people")
            for phone in changes["people"]
        ]
    vote = drafting.change_draft(actor=request.auth, vote=vote, **changes)
    return _detail(_vote(request.auth, vote.pk), request.auth)


@router.post(
    "/{int:vote_id}/open",
    auth=WRITE_AUTH,
    response={200: VoteDetail, **WRITE_ERRORS},
    summary="Open the vote: the electorate is taken now; question, rule and options freeze",
)
def open_vote(request, vote_id: int):
    vote = drafting.open_vote(actor=request.auth, vote=_vote(request.auth, vote_id))
    return _detail(_vote(request.auth, vote.pk), request.auth)


@router.post(
    "/{int:vote_id}/close",
    auth=WRITE_AUTH,
    response={200: VoteDetail, **WRITE_ERRORS},
    summary="Close: count every channel, decide by the frozen rule, publish with the audit chain's head",
)
def close_vote(request, vote_id: int):
    vote = tallies.close_vote(actor=request.auth, vote=_vote(request.auth, vote_id))
    return _detail(_vote(request.auth, vote.pk), request.auth)


@router.post(
    "/{int:vote_id}/ballots",
    auth=WRITE_AUTH,
    response={201: CastOut, **WRITE_ERRORS},
    summary="Vote online, once per seat; returns the receipt code",
)
def cast(request, vote_id: int, body: CastIn):
    vote = _vote(request.auth, vote_id)
    seats = queries.seats_for(vote, request.auth)
    if not seats:
        raise Refused(_("You are not entitled to vote in this vote."), Refused.FORBIDDEN)
    seat = queries.find_seat(seats, body.seat)
    if seat is None:
        if body.seat:
            raise Refused(_("You may not vote for that seat."), "unknown_seat")
        seat = seats[0]  # every seat used: the service says how this voter already took part
    kwargs = {}
    if seat.kind == "household":
        kwargs["household"] = seat.elector.household
    elif seat.kind == "proxy":
        kwargs["principal"] = seat.elector
    receipt = casting.cast_ballot(actor=request.auth, vote=vote, option=body.option, **kwargs)
    return HttpStatus(201, {"receipt": receipt, "seat": seat.key})


@router.post(
    "/{int:vote_id}/proxies",
    auth=WRITE_AUTH,
    response={201: ProxyOut, **WRITE_ERRORS},
    summary="Staff: record a proxy (委托书) with a photo of the signed form (multipart)",
)
def record_proxy(
    request, vote_id: int, holder_phone: Form[str], principal: Form[int], form_photo: File[UploadedFile]
):
    vote = _vote(request.auth, vote_id)
    require(request.auth, "votes.record_proxy", vote)
    elector = vote.electors.filter(pk=principal).first()
    if elector is None:
        raise Refused(
            _("This person is not entitled to vote in this vote."), "not_an_elector", field="principal"
        )
    holder = person_by_phone(
        request.auth, holder_phone, action="votes.record_proxy", target=vote, field="holder_phone"
    )
    recorded = casting.record_proxy(
        actor=request.auth, vote=vote, holder=holder, principal=elector, form_photo=form_photo
    )
    return HttpStatus(
        201,
        {
            "id": recorded.pk,
            "holder": recorded.holder.name,
            "principal": str(elector),
            "recorded_at": recorded.recorded_at,
        },
    )


@router.post(
    "/{int:vote_id}/participation",
    auth=WRITE_AUTH,
    response={201: ParticipationOut, **WRITE_ERRORS},
    summary="Staff: tick off who voted on paper or by show of hands (and, in an open vote, who chose what)",
)
def participation(request, vote_id: int, body: ParticipationIn):
    vote = _vote(request.auth, vote_id)
    require(request.auth, "votes.enter_tally", vote)
    by_id = {e.pk: e for e in vote.electors.filter(pk__in=[*body.electors, *body.choices])}
    missing = [pk for pk in [*body.electors, *body.choices] if pk not in by_id]
    if missing:
        raise Refused(
            _("This person is not entitled to vote in this vote."), "not_an_elector", field="electors"
        )
    made = tallies.record_participation(
        actor=request.auth,
        vote=vote,
        channel=body.channel,
        electors=[by_id[pk] for pk in body.electors],
        choices={by_id[pk]: key for pk, key in body.choices.items()} or None,
    )
    return HttpStatus(
        201,
        {"channel": body.channel, "recorded": len(made), "turnout": queries.participation_by_channel(vote)},
    )


@router.post(
    "/{int:vote_id}/tallies",
    auth=WRITE_AUTH,
    response={201: TallyOut, **WRITE_ERRORS},
    summary="Staff: enter a paper or show-of-hands count; accepted when a second, different person enters the same",
)
def tally(request, vote_id: int, body: TallyIn):
    vote = _vote(request.auth, vote_id)
    entry = tallies.enter_tally(actor=request.auth, vote=vote, channel=body.channel, counts=body.counts)
    state, _counts = queries.tally_status(vote, body.channel)
    return HttpStatus(
        201,
        {"channel": entry.channel, "round": entry.round, "position": entry.position, "state": state.value},
    )


@router.post(
    "/{int:vote_id}/corrections",
    auth=WRITE_AUTH,
    response={201: CorrectionOut, **WRITE_ERRORS},
    summary="A signed correction: withdraw an unused proxy, or a recount of a closed vote (beside the original)",
)
def correction(request, vote_id: int, body: CorrectionIn):
    vote = _vote(request.auth, vote_id)
    proxy = None
    if body.proxy is not None:
        proxy = vote.proxies.filter(pk=body.proxy).first()
        if proxy is None:
            raise Http404
    made = tallies.correct(
        actor=request.auth, vote=vote, reason=body.reason, proxy=proxy, tallies=body.tallies
    )
    return HttpStatus(
        201,
        {
            "id": made.pk,
            "target": made.target,
            "target_id": made.target_id,
            "reason": made.reason,
            "signed_by": made.signed_by.name,
            "signed_at": made.signed_at,
            "audit_hash": made.audit_hash,
            "counts": made.data["result"]["counts"] if "result" in made.data else None,
        },
    )
