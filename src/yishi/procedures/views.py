"""Moving a matter through its procedure from the matter page (see yishi.matters.views)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.matters.views import _act, _bind

from . import forms
from . import services as engine


@require_POST
@login_required
def advance(request, pk):
    def call(matter, d):
        engine.advance(actor=request.user, matter=matter, expected_step=d["expected_step"])

    return _act(
        request, pk, "advance", _bind("advance", forms.AdvanceForm, request), call, _("The step is complete.")
    )


@require_POST
@login_required
def return_step(request, pk):
    def call(matter, d):
        engine.return_to(
            actor=request.user,
            matter=matter,
            step_key=d["step"],
            reason=d["reason"],
            expected_step=d["expected_step"],
        )

    return _act(
        request,
        pk,
        "return",
        _bind("return", forms.ReturnForm, request),
        call,
        _("The matter has been sent back."),
    )


@require_POST
@login_required
def withdraw(request, pk):
    def call(matter, d):
        engine.withdraw(actor=request.user, matter=matter, reason=d["reason"])

    return _act(
        request,
        pk,
        "withdraw",
        _bind("withdraw", forms.ReasonForm, request),
        call,
        _("The matter has been withdrawn."),
    )


@require_POST
@login_required
def close_unresolved(request, pk):
    def call(matter, d):
        engine.close_unresolved(actor=request.user, matter=matter, reason=d["reason"])

    return _act(
        request,
        pk,
        "close",
        _bind("close", forms.ReasonForm, request),
        call,
        _("The matter has been closed."),
    )
