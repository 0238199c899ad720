"""The tasks' forms on the matter page: assign, report, supervise, rate (see yishi.matters.views)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.matters import queries
from yishi.matters.views import _act, _bind
from yishi.regions.queries import units_serving

from . import forms
from .models import Work
from .queries import current_parts
from .services import assign_work, rate_result, report_progress, supervise


@require_POST
@login_required
def work_new(request, pk):
    matter = queries.get_matter(pk)

    form = _bind(
        "work", forms.WorkForm, request, units=units_serving(matter.region), parts=current_parts(matter)
    )

    def call(matter, d):
        assign_work(
            actor=request.user,
            matter=matter,
            title=d["title"],
            due_on=d["due_on"],
            part=d["part"],
            **form.assignment(),
        )

    return _act(request, pk, "work", form, call, _("The task has been assigned."))


@require_POST
@login_required
def work_report(request, pk, work_id):
    get_object_or_404(Work, pk=work_id, matter_id=pk)

    def call(matter, d):
        work = Work.objects.get(pk=work_id)
        report_progress(actor=request.user, work=work, text=d["text"], done=d["done"], photo=d["photo"])

    name = f"report_{work_id}"
    return _act(
        request,
        pk,
        name,
        _bind(name, forms.ReportForm, request),
        call,
        _("Your progress report is recorded."),
    )


@require_POST
@login_required
def work_supervise(request, pk, work_id):
    get_object_or_404(Work, pk=work_id, matter_id=pk)

    def call(matter, d):
        work = Work.objects.get(pk=work_id)
        supervise(actor=request.user, work=work, verdict=d["verdict"], rating=d["rating"], reason=d["reason"])

    name = f"supervise_{work_id}"
    return _act(
        request,
        pk,
        name,
        _bind(name, forms.SuperviseForm, request),
        call,
        _("Thank you: your verdict is recorded."),
    )


@require_POST
@login_required
def rate(request, pk):
    def call(matter, d):
        rate_result(actor=request.user, matter=matter, rating=d["rating"], comment=d["comment"])

    return _act(
        request, pk, "rate", _bind("rate", forms.RateForm, request), call, _("Thank you for your rating.")
    )
