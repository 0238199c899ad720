"""Matter pages: thin. Parse the form, call the service, render; a Refused becomes the form's error.

Every action answers the same way: success redirects to the matter page with a message; input the form or
the service finds wrong re-renders the page with 400; an action the matter's state refuses (wrong step,
missing evidence, already done) re-renders with 409; one the person lacks authority for with 403. The
services run in a transaction, so a refusal leaves nothing half-saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from yishi.access.queries import regions_where
from yishi.errors import Refused, refusal_to_form
from yishi.people.lookup import person_by_phone
from yishi.regions.models import Level, Region

from . import forms, queries, services
from .limits import RAISE_GROUP, RAISE_RATE
from .models import Status
from .pages import matter_context

STATUS_FILTERS = ["new", "open", "resolved", "closed"]
PAGE_SIZE = 15

# A service names the field it refuses by its own name; a form may call it differently.
FIELD_ALIASES = {"photos": "photo", "parts": None}


def matter_list(request, pk: int):
    region = get_object_or_404(Region, pk=pk)
    matters = queries.public_matters(region)
    status = request.GET.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    if status == "closed":
        matters = matters.exclude(status__in=[Status.NEW, Status.OPEN, Status.RESOLVED])
    elif status:
        matters = matters.filter(status=status)
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matters/list.html",
        {"region": region, "page": page, "status": status, "filters": STATUS_FILTERS},
    )


def matter_detail(request, pk: int, bound: dict | None = None, status: int = 200):
    matter = queries.get_matter(pk)
    return render(request, "matters/detail.html", matter_context(request, matter, bound or {}), status=status)


def dossier(request, pk: int):
    matter = queries.get_matter(pk)
    return render(request, "matters/dossier.html", matter_context(request, matter, {}, dossier=True))


def _raise_regions(request):
    """Where a resident may raise: the communities and compounds they live in or serve, and the one asked for."""
    user = request.user
    lived = Region.objects.filter(households__memberships__person=user).values_list("path", flat=True)
    served = Region.objects.filter(roles__person=user, roles__revoked_at__isnull=True).values_list(
        "path", flat=True
    )
    ids = set()
    for path in list(lived) + list(served):
        ids |= {int(path[i : i + 10]) for i in range(0, len(path), 10)}
    asked = request.GET.get("region") or request.POST.get("region")
    q = Q(pk__in=ids)
    if asked and str(asked).isdigit():
        q |= Q(pk=int(asked))
    return Region.objects.filter(q, level__in=[Level.COMMUNITY, Level.COMPOUND]).order_by("path")


@login_required
@ratelimit(group=RAISE_GROUP, key="user", rate=RAISE_RATE, method="POST", block=True)
def raise_matter(request):
    regions = _raise_regions(request)
    if request.method != "POST":
        form = forms.RaiseForm(regions=regions, initial={"region": request.GET.get("region")})
        return render(request, "matters/raise.html", {"form": form})
    form = forms.RaiseForm(request.POST, request.FILES, regions=regions)
    similar = []
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        if not data["confirmed_new"]:
            similar = queries.similar_matters(
                region=data["region"], text=f"{data['title']} {data['description']}"
            )
        if not similar:
            try:
                matter = services.raise_matter(
                    actor=request.user,
                    region=data["region"],
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    location=data["location"],
                    back_to_back=data["back_to_back"],
                    photos=data["photos"],
                )
            except Refused as exc:
                status = refusal_to_form(form, exc, FIELD_ALIASES)
            else:
                messages.success(request, _("Your matter has been recorded. The community will screen it."))
                return redirect("matters:detail", matter.pk)
        else:
            # Nothing is created yet: the resident sees the alike matters and sends the form again.
            form.data = form.data.copy()
            form.data["confirmed_new"] = "on"
            status = 200
    return render(
        request,
        "matters/raise.html",
        {"form": form, "similar": similar, "photos_dropped": bool(similar and request.FILES)},
        status=status,
    )


@login_required
def record_matter(request):
    """Staff record a matter that came by visit, hotline, box … in the regions where they may.

    As for a resident, open matters that read alike are offered first; with the resident's mobile the
    offer adds their name to the one it is (附议) instead of opening a second matter.
    """
    scope = regions_where(request.user, "matters.record_matter")
    if not scope.exists():
        raise PermissionDenied
    regions = scope.filter(level__in=[Level.COMMUNITY, Level.COMPOUND]).order_by("path")
    if request.method != "POST":
        form = forms.RecordForm(regions=regions, initial={"region": request.GET.get("region")})
        return render(request, "matters/raise.html", {"form": form, "recording": True})
    form = forms.RecordForm(request.POST, request.FILES, regions=regions)
    similar = []
    submitter = None
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["submitter_phone"]:
                submitter = person_by_phone(
                    request.user,
                    data["submitter_phone"],
                    action="matters.record_matter",
                    target=data["region"],
                    field="submitter_phone",
                    unknown=_("No resident is registered with this number; give the name instead."),
                )
            named = submitter is not None or data["submitter_name"]
            if not data["confirmed_new"] and not (
                data["back_to_back"] and named
            ):  # that one is refused below
                similar = queries.similar_matters(
                    region=data["region"], text=f"{data['title']} {data['description']}"
                )
            if not similar:
                matter = services.record_matter(
                    actor=request.user,
                    region=data["region"],
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    channel=data["channel"],
                    location=data["location"],
                    submitter=submitter,
                    submitter_name=data["submitter_name"],
                    back_to_back=data["back_to_back"],
                    photos=data["photos"],
                )
        except Refused as exc:
            status = refusal_to_form(form, exc, FIELD_ALIASES)
            similar = []
        else:
            if not similar:
                messages.success(request, _("The matter has been recorded."))
                return redirect("matters:detail", matter.pk)
            form.data = form.data.copy()
            form.data["confirmed_new"] = "on"
            status = 200
    return render(
        request,
        "matters/raise.html",
        {
            "form": form,
            "recording": True,
            "similar": similar,
            # Only a registered resident's name can be added to a matter; a back-to-back one is never added.
            "offer_phone": submitter.phone
            if similar and submitter and not form.cleaned_data["back_to_back"]
            else "",
            "photos_dropped": bool(similar and request.FILES),
        },
        status=status,
    )


def _act(request, pk: int, name: str, form, call, success: str):
    """Run ``call(matter, cleaned_data)`` if the form is valid; re-render the matter page with errors if not."""
    matter = queries.get_matter(pk)
    if not form.is_valid():
        return matter_detail(request, pk, {name: form}, status=400)
    try:
        call(matter, form.cleaned_data)
    except Refused as exc:
        return matter_detail(request, pk, {name: form}, status=refusal_to_form(form, exc, FIELD_ALIASES))
    messages.success(request, success)
    return redirect("matters:detail", pk)


def _bind(name: str, cls, request, **kwargs):
    return cls(request.POST, request.FILES, auto_id=forms.auto_id(name), **kwargs)


@require_POST
@login_required
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def support(request, pk):
    form = _bind("support", forms.SupportForm, request)

    def call(matter, d):
        person = None
        if d["phone"]:
            person = person_by_phone(request.user, d["phone"], action="matters.record_matter", target=matter)
        services.support(actor=request.user, matter=matter, person=person)

    added = (
        _("The resident's name has been added.")
        if request.POST.get("phone")
        else _("Your name has been added.")
    )
    return _act(request, pk, "support", form, call, added)


@require_POST
@login_required
def screen(request, pk):
    def call(matter, d):
        if d["decision"] == "accept":
            services.accept(
                actor=request.user,
                matter=matter,
                procedure_key=d["procedure"] or "eight_steps",
                procedure_reason=d["procedure_reason"],
                category=d["category"],
                stakeholders=d["stakeholders"],
            )
        elif d["decision"] == "decline":
            services.decline(actor=request.user, matter=matter, reason=d["reason"])
        else:
            reason = d["referral_reason"] or d["reason"]  # a client posting one ``reason`` for any decision
            services.refer(actor=request.user, matter=matter, to=d["referred_to"], reason=reason)

    return _act(
        request,
        pk,
        "screen",
        _bind("screen", forms.ScreenForm, request),
        call,
        _("The screening is recorded."),
    )


@require_POST
@login_required
def merge(request, pk):
    def call(matter, d):
        into = queries.matter_numbered(d["into"], field="into")
        services.merge(actor=request.user, matter=matter, into=into, reason=d["reason"])

    return _act(
        request,
        pk,
        "merge",
        _bind("merge", forms.MergeForm, request),
        call,
        _("The matters have been merged."),
    )
