"""Vote pages: thin. Parse the form, call the service, render; a ``Refused`` becomes the form's error.

As on the matter pages: success redirects with a message; input the form or the service finds wrong re-renders
the page with 400; an action the vote's state refuses (closed, already voted, a count entered twice by one
person) re-renders with 409; one the person lacks authority for with 403. The services run in a transaction, so
a refusal leaves nothing half-saved.

**Receipts.** A secret ballot stores no link from the voter to their ballot, so the system cannot find a secret
receipt again for anyone. The ballot page hands the code to the voter and keeps it in a signed cookie in their
browser only (one per seat, sent only to the "my receipt" page of that vote, bound to the person who voted);
nothing about it is written on the server — not in the session, not in a message. An open vote's receipts are
found again from its named list.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from yishi.errors import Refused, refusal_to_form
from yishi.matters.queries import community_of, get_matter
from yishi.people.lookup import person_by_phone
from yishi.regions.models import Region

from . import casting, drafting, forms, pages, predicates, queries, tallies
from .models import Ballot, Vote
from .rules_math import TallyState

RECEIPT_COOKIE = "yishi_receipt_{vote}_{seat}"
RECEIPT_SALT = "yishi.votes.receipt"
RECEIPT_MAX_AGE = 60 * 60 * 24 * 400
PAGE_SIZE = 20

# A service names the field it refuses by its own name; a form may call it differently.
FIELD_ALIASES = {
    "photos": "form_photo",
    "rule": "preset",
    "options": "option_1_label",
    "electors": None,
    "choices": None,
    "counts": None,
    "tallies": None,
    "holder": "holder_phone",
}


def _vote(request, pk: int) -> Vote:
    try:
        return queries.get_vote_for(request.user, pk)
    except Vote.DoesNotExist:
        raise Http404 from None


# --- lists -------------------------------------------------------------------------------------------------


def region_votes(request, pk: int):
    region = get_object_or_404(Region, pk=pk)
    page = Paginator(queries.public_votes(region), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "votes/list.html", {"region": region, "page": page})


@login_required
def index(request):
    """Votes open to me; for staff, the votes they run and a way to create one."""
    user = request.user
    return render(
        request,
        "votes/index.html",
        {
            "open_to_me": list(queries.open_votes_for(user)[:50]),
            "managed": list(queries.managed_votes(user)[:50]),
            "may_create": pages.manageable_regions(user).exists(),
        },
    )


# --- creating ----------------------------------------------------------------------------------------------


def _plan_vote(request) -> dict:
    """The matter and plan version a vote is started from ("start the representatives' vote on version N")."""
    raw = request.POST.get("matter") if request.method == "POST" else request.GET.get("matter")
    if not raw or not str(raw).isdigit():
        return {}
    matter = get_matter(int(raw))
    version = matter.plan_versions.order_by("-number").first()
    return {"matter": matter, "version": version}


@login_required
def new(request):
    regions = pages.manageable_regions(request.user)
    if not regions.exists():
        raise PermissionDenied
    plan = _plan_vote(request)
    context = {"presets": pages.presets(), **plan}
    if request.method != "POST":
        initial = {"region": request.GET.get("region")}
        if plan and plan["version"] is not None:
            matter, version = plan["matter"], plan["version"]
            initial.update(
                {
                    "matter": matter.pk,
                    "version": version.number,
                    "region": community_of(matter.region).pk,
                    "question": _("Do you approve version %(n)s of the plan for “%(title)s”?")
                    % {"n": version.number, "title": matter.title[:120]},
                    "kind": "yes_no",
                    "electorate": "representatives",
                    "preset": "eight_step",
                }
            )
        context["form"] = forms.VoteForm(regions=regions, initial=initial)
        return render(request, "votes/new.html", context)
    form = forms.VoteForm(request.POST, regions=regions)
    context["form"] = form
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            matter = version = None
            if d["matter"]:
                matter = plan.get("matter")
                version = None
                if d["version"]:
                    version = matter.plan_versions.filter(number=d["version"]).first()
                    if version is None:
                        raise Refused(
                            _("Name a plan version of this matter to vote on."),
                            "version_required",
                            field="version",
                        )
            people = [
                person_by_phone(
                    request.user, phone, action=queries.MANAGE, target=d["region"], field="people"
                )
                for phone in form.phones()
            ]
            vote = drafting.create_vote(
                actor=request.user,
                region=d["region"],
                question=d["question"],
                description=d["description"],
                kind=d["kind"],
                options=form.option_rows() if d["kind"] == "options" else (),
                electorate=d["electorate"],
                body_role=d["body_role"],
                people=people,
                preset=d["preset"],
                secret=d["secret"],
                proxies_allowed=d["proxies_allowed"],
                proxy_cap=d["proxy_cap"],
                secret_proxies=d["secret_proxies"],
                matter=matter,
                version=version,
            )
        except Refused as exc:
            status = refusal_to_form(form, exc, FIELD_ALIASES)
        else:
            messages.success(
                request,
                _("The vote is drafted. Check it, then open it: from then on nothing about it can change."),
            )
            return redirect("votes:run", vote.pk)
    context["refusals"] = pages.refusals({"vote": form})
    return render(request, "votes/new.html", context, status=status)


@login_required
def edit(request, pk: int):
    """Change a draft. Once the vote is open nothing about its question, rule, options or electorate changes."""
    vote = _vote(request, pk)
    if not queries.may_manage(request.user, vote):
        raise PermissionDenied
    context = {"vote": vote, "presets": pages.presets(), "editing": True}
    refused = predicates.may_edit(request.user, vote)
    if request.method != "POST" and refused is not None:
        messages.info(request, refused.reason)
        return redirect("votes:run", vote.pk)
    if request.method != "POST":
        context["form"] = forms.DraftForm(vote=vote, initial=forms.DraftForm.initial_for(vote))
        return render(request, "votes/new.html", context)
    form = forms.DraftForm(request.POST, vote=vote)
    context["form"] = form
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        changes = {
            "question": d["question"],
            "description": d["description"],
            "preset": d["preset"],
            "secret": d["secret"],
            "proxies_allowed": d["proxies_allowed"],
            "proxy_cap": d["proxy_cap"],
        }
        try:
            if "option_1_label" in form.fields:
                changes["options"] = form.option_rows()
            if "people" in form.fields:
                changes["people"] = [
                    person_by_phone(request.user, phone, action=queries.MANAGE, target=vote, field="people")
                    for phone in form.phones()
                ]
            drafting.change_draft(actor=request.user, vote=vote, **changes)
        except Refused as exc:
            status = refusal_to_form(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("votes:run", vote.pk)
    context["refusals"] = pages.refusals({"vote": form})
    return render(request, "votes/new.html", context, status=status)


# --- the public page and the staff page ----------------------------------------------------------------------


@vary_on_headers("HX-Request")
def detail(request, pk: int):
    vote = _vote(request, pk)
    context = pages.detail_context(request, vote)
    if request.htmx:
        # Turnout alone, for the page to refresh while the vote runs.
        return render(request, "votes/_turnout.html", context)
    return render(request, "votes/detail.html", context)


@login_required
def run(request, pk: int, bound: dict | None = None, status: int = 200):
    vote = _vote(request, pk)
    if not queries.may_manage(request.user, vote):
        raise PermissionDenied
    return render(request, "votes/run.html", pages.run_context(request, vote, bound or {}), status=status)


def _act(request, pk: int, name: str, form, call, success: str):
    """Run ``call(vote, cleaned_data)`` if the form is valid; re-render the staff page with the errors if not."""
    vote = _vote(request, pk)
    if not queries.may_manage(request.user, vote):
        raise PermissionDenied
    if not form.is_valid():
        return run(request, pk, {name: form}, status=400)
    try:
        call(vote, form.cleaned_data)
    except Refused as exc:
        return run(request, pk, {name: form}, status=refusal_to_form(form, exc, FIELD_ALIASES))
    if success:
        messages.success(request, success)
    return redirect("votes:run", pk)


def _bind(name: str, cls, request, **kwargs):
    return cls(request.POST, request.FILES, auto_id=forms.auto_id(name), **kwargs)


@require_POST
@login_required
def open_vote(request, pk: int):
    def call(vote, d):
        drafting.open_vote(actor=request.user, vote=vote)

    return _act(
        request,
        pk,
        "open",
        _bind("open", forms.ConfirmForm, request),
        call,
        _("The vote is open. Its electorate, rule and options are now fixed."),
    )


@require_POST
@login_required
def close_vote(request, pk: int):
    def call(vote, d):
        tallies.close_vote(actor=request.user, vote=vote)

    return _act(
        request,
        pk,
        "close",
        _bind("close", forms.ConfirmForm, request),
        call,
        _("The vote is closed and its result published with the audit chain's head."),
    )


@require_POST
@login_required
def participation(request, pk: int):
    vote = _vote(request, pk)
    form = _bind(
        "participation",
        forms.ParticipationForm,
        request,
        electors=list(queries.electors_waiting(vote)),
        options=list(vote.options.order_by("position")),
        named=not vote.secret,
    )

    def call(vote, d):
        tallies.record_participation(
            actor=request.user,
            vote=vote,
            channel=d["channel"],
            electors=form.ticked(),
            choices=form.named() or None,
        )

    return _act(request, pk, "participation", form, call, _("Those who took part are ticked off."))


@require_POST
@login_required
def tally(request, pk: int):
    vote = _vote(request, pk)
    form = _bind("tally", forms.TallyForm, request, options=list(vote.options.order_by("position")))

    def call(vote, d):
        entry = tallies.enter_tally(actor=request.user, vote=vote, channel=d["channel"], counts=form.counts())
        if entry.position == 1:
            messages.info(
                request,
                _(
                    "Your count is entered. A second, different member of staff must now enter "
                    "the same count; it is accepted when both agree."
                ),
            )
        elif queries.tally_status(vote, d["channel"])[0] == TallyState.ACCEPTED:
            messages.success(request, _("Both counts agree: the count is accepted."))
        else:
            messages.warning(
                request,
                _(
                    "The two counts disagree, so neither is used. Count again; two members of "
                    "staff then enter the new count."
                ),
            )

    return _act(request, pk, "tally", form, call, "")


@require_POST
@login_required
def proxy(request, pk: int):
    vote = _vote(request, pk)
    form = _bind("proxy", forms.ProxyForm, request, electors=list(queries.electors_waiting(vote)))

    def call(vote, d):
        holder = person_by_phone(
            request.user, d["holder_phone"], action="votes.record_proxy", target=vote, field="holder_phone"
        )
        casting.record_proxy(
            actor=request.user,
            vote=vote,
            holder=holder,
            principal=form.principal_elector(),
            form_photo=d["form_photo"],
        )

    return _act(request, pk, "proxy", form, call, _("The proxy is recorded."))


@require_POST
@login_required
def withdraw_proxy(request, pk: int):
    vote = _vote(request, pk)
    form = _bind("withdraw", forms.WithdrawProxyForm, request, proxies=list(queries.active_proxies(vote)))

    def call(vote, d):
        tallies.correct(actor=request.user, vote=vote, reason=d["reason"], proxy=form.chosen())

    return _act(
        request, pk, "withdraw", form, call, _("The proxy is withdrawn; the correction is on record.")
    )


@require_POST
@login_required
def recount(request, pk: int):
    vote = _vote(request, pk)
    form = _bind("recount", forms.RecountForm, request, options=list(vote.options.order_by("position")))

    def call(vote, d):
        tallies.correct(
            actor=request.user, vote=vote, reason=d["reason"], tallies={d["channel"]: form.counts()}
        )

    return _act(
        request,
        pk,
        "recount",
        form,
        call,
        _("The recount is recorded beside the original result, signed and in the audit chain."),
    )


# --- voting ------------------------------------------------------------------------------------------------


def _receipt_cookie(vote: Vote, seat_key: str) -> str:
    return RECEIPT_COOKIE.format(vote=vote.pk, seat=seat_key)


def _cast_kwargs(seat) -> dict:
    if seat.kind == "household":
        return {"household": seat.elector.household}
    if seat.kind == "proxy":
        return {"principal": seat.elector}
    return {}


@login_required
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def ballot(request, pk: int):
    """Choose (large buttons, one choice), confirm, vote; then the receipt."""
    vote = _vote(request, pk)
    seats = queries.seats_for(vote, request.user)
    options = list(vote.options.order_by("position"))
    context = {"vote": vote, "seats": seats, "options": options, "step": "choose"}
    if not seats:
        context["blocked"] = _("You are not entitled to vote in this vote.")
        return render(request, "votes/ballot.html", context, status=403)
    closed = predicates.not_open(vote)
    if closed is not None:
        context["blocked"] = closed.reason
        return render(request, "votes/ballot.html", context, status=409)
    if request.method != "POST":
        seat = queries.find_seat(seats, request.GET.get("seat"))
        if seat is None or seat.used:
            context["done"] = True
            return render(request, "votes/ballot.html", context)
        context.update(seat=seat, form=forms.BallotForm(initial={"seat": seat.key}, options=options))
        return render(request, "votes/ballot.html", context)
    form = forms.BallotForm(request.POST, options=options)
    seat = queries.find_seat(seats, request.POST.get("seat") or "-")
    context.update(form=form, seat=seat)
    if seat is None:
        form.add_error(None, _("Choose for whom you vote."))
        return render(request, "votes/ballot.html", context, status=400)
    if not form.is_valid():
        return render(request, "votes/ballot.html", context, status=400)
    chosen = next(o for o in options if o.key == form.cleaned_data["option"])
    if not form.cleaned_data["confirm"]:
        confirm = forms.BallotForm(
            initial={"seat": seat.key, "option": chosen.key, "confirm": True}, options=options
        )
        context.update(step="confirm", form=confirm, chosen=chosen)
        return render(request, "votes/ballot.html", context)
    try:
        receipt = casting.cast_ballot(actor=request.user, vote=vote, option=chosen.key, **_cast_kwargs(seat))
    except Refused as exc:
        status = refusal_to_form(form, exc, FIELD_ALIASES)
        return render(request, "votes/ballot.html", context, status=status)
    messages.success(request, _("Your vote is recorded. Keep your receipt code."))
    response = redirect("votes:receipt", vote.pk)
    response.set_signed_cookie(
        _receipt_cookie(vote, seat.key),
        f"{request.user.pk}:{receipt}",
        salt=RECEIPT_SALT,
        max_age=RECEIPT_MAX_AGE,
        path=reverse("votes:receipt", args=[vote.pk]),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@login_required
def receipt(request, pk: int):
    """My receipt: an open vote's from its named list; a secret vote's only from this browser."""
    vote = _vote(request, pk)
    seats = queries.seats_for(vote, request.user)
    rows = []
    if not vote.secret:
        rows = [
            {"who": who, "code": code, "choice": choice}
            for who, code, choice in queries.own_receipts(vote, request.user)
        ]
    else:
        for seat in seats:
            value = request.get_signed_cookie(
                _receipt_cookie(vote, seat.key), default=None, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE
            )
            person, _sep, code = (value or "").partition(":")
            if code and person == str(request.user.pk):
                rows.append({"who": seat.label, "code": code, "choice": None})
    if vote.is_closed and rows:
        counted = set(
            Ballot.objects.filter(
                vote=vote, option__isnull=False, receipt__in=[r["code"] for r in rows]
            ).values_list("receipt", flat=True)
        )
        for row in rows:
            row["counted"] = row["code"] in counted
    return render(
        request,
        "votes/receipt.html",
        {
            "vote": vote,
            "rows": rows,
            "seats": seats,
            "used": any(s.used for s in seats),
            "in_record": queries.recorded_participations(vote, seats) if seats else [],
            "to_vote": [s for s in seats if not s.used]
            if predicates.may_vote(request.user, vote, seats) is None
            else [],
        },
    )
