"""An expert's review from the matter page (see yishi.matters.views)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.matters.views import _act, _bind

from . import forms
from .services import submit_review


@require_POST
@login_required
def review(request, pk):
    def call(matter, d):
        submit_review(actor=request.user, matter=matter, decision=d["decision"], opinion=d["opinion"])

    return _act(
        request,
        pk,
        "review",
        _bind("review", forms.ReviewForm, request),
        call,
        _("Your review is signed and recorded."),
    )
