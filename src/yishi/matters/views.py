"""Matter pages: thin. Parse the form, call the service, render; a Refused becomes the form's error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from yishi.errors import Refused
from yishi.meetings.services import record_session
from yishi.notices.services import publish_result
from yishi.people.models import Person
from yishi.people.phones import normalize_phone
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import services as engine
from yishi.regions.models import Level, Region, Unit
from yishi.reviews.services import submit_review
from yishi.votes.services import record_result
from yishi.works.models import Work
from yishi.works.services import assign_work, report_progress, supervise

from . import forms, queries, services
from .models import Matter, Status
from .pages import matter_context

STATUS_FILTERS = ["new", "open", "resolved", "closed"]


def matter_list(request, pk: int):
    region = get_object_or_404(Region, pk=pk)
    matters = queries.public_matters(region)
    status = request.GET.get("status", "")
    if status == "closed":
        matters = matters.exclude(status__in=[Status.NEW, Status.OPEN, Status.RESOLVED])
    elif status in STATUS_FILTERS:
        matters = matters.filter(status=status)
    page = Paginator(matters, 15).get_page(request.GET.get("page"))
    return render(request, "matters/list.html", {"region": region, "page": page, "status": status,
                                                 "filters": STATUS_FILTERS})


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
    served = Region.objects.filter(roles__person=user, roles__revoked_at__isnull=True).values_list("path", flat=True)
    ids = set()
    for path in list(lived) + list(served):
        ids |= {int(path[i:i + 10]) for i in range(0, len(path), 10)}
    asked = request.GET.get("region") or request.POST.get("region")
    q = Q(pk__in=ids)
    if asked and str(asked).isdigit():
        q |= Q(pk=int(asked))
    return Region.objects.filter(q, level__in=[Level.COMMUNITY, Level.COMPOUND]).order_by("path")


@login_required
@ratelimit(key="user", rate="20/h", method="POST", block=True)
def raise_matter(request):
    regions = _raise_regions(request)
    if request.method != "POST":
        form = forms.RaiseForm(regions=regions, initial={"region": request.GET.get("region")})
        return render(request, "matters/raise.html", {"form": form})
    form = forms.RaiseForm(request.POST, request.FILES, regions=regions)
    similar = []
    if form.is_valid():
        data = form.cleaned_data
        if not data["confirmed_new"]:
            similar = queries.similar_matters(region=data["region"], text=f"{data['title']} {data['description']}")
        if not similar:
            try:
                matter = services.raise_matter(
                    actor=request.user, region=data["region"], title=data["title"], description=data["description"],
                    category=data["category"], location=data["location"], back_to_back=data["back_to_back"],
                    photos=request.FILES.getlist("photos"),
                )
            except Refused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
            else:
                messages.success(request, _("Your matter has been recorded. The community will screen it."))
                return redirect("matters:detail", matter.pk)
        else:
            form.data = form.data.copy()
            form.data["confirmed_new"] = "on"
    return render(request, "matters/raise.html", {"form": form, "similar": similar}, status=200 if similar else 400)


@login_required
def record_matter(request):
    regions = Region.objects.filter(level__in=[Level.COMMUNITY, Level.COMPOUND]).filter(
        pk__in=_raise_regions(request).values("pk"))
    if request.method != "POST":
        return render(request, "matters/raise.html", {"form": forms.RecordForm(regions=regions), "recording": True})
    form = forms.RecordForm(request.POST, request.FILES, regions=regions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            submitter = None
            if data["submitter_phone"]:
                try:
                    phone = normalize_phone(data["submitter_phone"])
                except Exception:
                    raise Refused(_("This is not a mainland mobile number."), "invalid_phone",
                                  field="submitter_phone") from None
                submitter = Person.objects.filter(phone=phone).first()
                if submitter is None:
                    raise Refused(_("No resident is registered with this number; give the name instead."),
                                  "unknown_person", field="submitter_phone")
            matter = services.record_matter(
                actor=request.user, region=data["region"], title=data["title"], description=data["description"],
                category=data["category"], channel=data["channel"], location=data["location"], submitter=submitter,
                submitter_name=data["submitter_name"], back_to_back=data["back_to_back"],
                photos=request.FILES.getlist("photos"),
            )
        except Refused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        else:
            messages.success(request, _("The matter has been recorded."))
            return redirect("matters:detail", matter.pk)
    return render(request, "matters/raise.html", {"form": form, "recording": True}, status=400)


def _act(request, pk: int, name: str, form, call, success: str):
    """Run ``call(matter, cleaned_data)`` if the form is valid; re-render the matter page with errors if not."""
    matter = queries.get_matter(pk)
    if form is not None and not form.is_valid():
        return matter_detail(request, pk, {name: form}, status=400)
    try:
        call(matter, form.cleaned_data if form is not None else {})
    except Refused as exc:
        if form is None:
            messages.error(request, exc.reason)
            return redirect("matters:detail", pk)
        form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        return matter_detail(request, pk, {name: form}, status=403 if exc.code == Refused.FORBIDDEN else 409)
    messages.success(request, success)
    return redirect("matters:detail", pk)


@require_POST
@login_required
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def support(request, pk):
    def call(matter, data):
        person = None
        if request.POST.get("phone"):
            person = Person.objects.filter(phone=request.POST["phone"].strip()).first()
            if person is None:
                raise Refused(_("No resident is registered with this number."), "unknown_person")
        services.support(actor=request.user, matter=matter, person=person)
    return _act(request, pk, "support", None, call, _("Your name has been added."))


@require_POST
@login_required
def screen(request, pk):
    def call(matter, d):
        if d["decision"] == "accept":
            services.accept(actor=request.user, matter=matter, procedure_key=d["procedure"] or "eight_steps",
                            procedure_reason=d["procedure_reason"], category=d["category"],
                            stakeholders=d["stakeholders"])
        elif d["decision"] == "decline":
            services.decline(actor=request.user, matter=matter, reason=d["reason"])
        else:
            services.refer(actor=request.user, matter=matter, to=d["referred_to"], reason=d["reason"])
    return _act(request, pk, "screen", forms.ScreenForm(request.POST), call, _("The screening is recorded."))


@require_POST
@login_required
def merge(request, pk):
    def call(matter, d):
        into = Matter.objects.filter(pk=d["into"]).first()
        if into is None:
            raise Refused(_("There is no matter with that number."), "unknown_matter", field="into")
        services.merge(actor=request.user, matter=matter, into=into, reason=d["reason"])
    return _act(request, pk, "merge", forms.MergeForm(request.POST), call, _("The matters have been merged."))


@require_POST
@login_required
def advance(request, pk):
    def call(matter, d):
        engine.advance(actor=request.user, matter=matter, expected_step=d["expected_step"])
    return _act(request, pk, "advance", forms.AdvanceForm(request.POST), call, _("The step is complete."))


@require_POST
@login_required
def return_step(request, pk):
    def call(matter, d):
        engine.return_to(actor=request.user, matter=matter, step_key=d["step"], reason=d["reason"],
                         expected_step=d["expected_step"])
    return _act(request, pk, "return", forms.ReturnForm(request.POST), call, _("The matter has been sent back."))


@require_POST
@login_required
def withdraw(request, pk):
    def call(matter, d):
        engine.withdraw(actor=request.user, matter=matter, reason=d["reason"])
    return _act(request, pk, "withdraw", forms.ReasonForm(request.POST), call, _("The matter has been withdrawn."))


@require_POST
@login_required
def close_unresolved(request, pk):
    def call(matter, d):
        engine.close_unresolved(actor=request.user, matter=matter, reason=d["reason"])
    return _act(request, pk, "close", forms.ReasonForm(request.POST), call, _("The matter has been closed."))


@require_POST
@login_required
def session(request, pk):
    form = forms.SessionForm(request.POST)

    def call(matter, d):
        record_session(actor=request.user, matter=matter, title=d["title"], form=d["form"], held_at=d["held_at"],
                       place=d["place"], attendance=d["attendance"], other_attendees=d["other_attendees"],
                       ideas=form.idea_pairs())
    return _act(request, pk, "session", form, call, _("The session has been recorded."))


def units_for(matter):
    """Units that serve the matter's region or one of its ancestors."""
    return Unit.objects.filter(serves__pk__in=matter.region.ancestor_ids).distinct().order_by("name")


@require_POST
@login_required
def plan(request, pk):
    matter = queries.get_matter(pk)
    form = forms.PlanForm(request.POST, units=units_for(matter))

    def call(matter, d):
        draft_version(actor=request.user, matter=matter, summary=d["summary"], parts=form.parts(), budget=d["budget"],
                      cost_sharing=d["cost_sharing"], timeline=d["timeline"], beneficiaries=d["beneficiaries"])
    return _act(request, pk, "plan", form, call, _("The plan version has been saved."))


@require_POST
@login_required
def consensus(request, pk):
    def call(matter, d):
        version = matter.plan_versions.order_by("-number").first()
        if version is None:
            raise Refused(_("No plan has been drafted."), "no_plan")
        record_consensus(actor=request.user, matter=matter, version=version, minutes=d["minutes"])
    return _act(request, pk, "consensus", forms.ConsensusForm(request.POST), call, _("The consensus is recorded."))


@require_POST
@login_required
def review(request, pk):
    def call(matter, d):
        submit_review(actor=request.user, matter=matter, decision=d["decision"], opinion=d["opinion"])
    return _act(request, pk, "review", forms.ReviewForm(request.POST), call, _("Your review is signed and recorded."))


@require_POST
@login_required
def vote(request, pk):
    def call(matter, d):
        record_result(actor=request.user, matter=matter, **d)
    return _act(request, pk, "vote", forms.VoteForm(request.POST), call, _("The vote result is recorded."))


@require_POST
@login_required
def work_new(request, pk):
    matter = queries.get_matter(pk)

    def call(matter, d):
        assign_work(actor=request.user, matter=matter, title=d["title"], unit=d["unit"], due_on=d["due_on"])
    return _act(request, pk, "work", forms.WorkForm(request.POST, units=units_for(matter)), call,
                _("The task has been assigned."))


@require_POST
@login_required
def work_report(request, pk, work_id):
    def call(matter, d):
        work = get_object_or_404(Work, pk=work_id, matter=matter)
        report_progress(actor=request.user, work=work, text=d["text"], done=d["done"], photo=d["photo"])
    return _act(request, pk, f"report_{work_id}", forms.ReportForm(request.POST, request.FILES), call,
                _("Your progress report is recorded."))


@require_POST
@login_required
def work_supervise(request, pk, work_id):
    def call(matter, d):
        work = get_object_or_404(Work, pk=work_id, matter=matter)
        supervise(actor=request.user, work=work, verdict=d["verdict"], rating=d["rating"], reason=d["reason"])
    return _act(request, pk, f"supervise_{work_id}", forms.SuperviseForm(request.POST), call,
                _("Thank you: your verdict is recorded."))


@require_POST
@login_required
def publish(request, pk):
    def call(matter, d):
        publish_result(actor=request.user, matter=matter, kind=d["kind"], title=d["title"], body=d["body"],
                       period_days=d["period_days"])
    return _act(request, pk, "publish", forms.PublishForm(request.POST), call, _("The notice is posted."))
