"""The plan's forms on the matter page: a new version, the consensus on it (see yishi.matters.views)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.errors import Refused
from yishi.matters import queries
from yishi.matters.views import _act, _bind
from yishi.procedures.forms import ReasonForm
from yishi.regions.queries import units_serving

from . import forms, services
from .services import draft_version, record_consensus


@require_POST
@login_required
def plan(request, pk):
    matter = queries.get_matter(pk)
    form = _bind("plan", forms.PlanForm, request, units=units_serving(matter.region))

    def call(matter, d):
        draft_version(
            actor=request.user,
            matter=matter,
            summary=d["summary"],
            parts=form.parts(),
            budget=d["budget"],
            cost_sharing=d["cost_sharing"],
            timeline=d["timeline"],
            beneficiaries=d["beneficiaries"],
        )

    return _act(request, pk, "plan", form, call, _("The plan version has been saved."))


@require_POST
@login_required
def resubmit(request, pk):
    return _act(
        request,
        pk,
        "resubmit",
        _bind("resubmit", ReasonForm, request),
        lambda matter, d: services.resubmit(actor=request.user, matter=matter, reason=d["reason"]),
        _("The plan goes to the vote again, with your reason posted."),
    )


@require_POST
@login_required
def consensus(request, pk):
    def call(matter, d):
        version = matter.plan_versions.order_by("-number").first()
        if version is None:
            raise Refused(_("No plan has been drafted."), "no_plan")
        record_consensus(actor=request.user, matter=matter, version=version, minutes=d["minutes"])

    return _act(
        request,
        pk,
        "consensus",
        _bind("consensus", forms.ConsensusForm, request),
        call,
        _("The consensus is recorded."),
    )
