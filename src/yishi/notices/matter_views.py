"""Posting a matter's result from the matter page (see yishi.matters.views).

The board's own pages are in views.py.
"""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.matters.views import _act, _bind

from .forms import PublishForm
from .services import publish_result


@require_POST
@login_required
def publish(request, pk):
    def call(matter, d):
        publish_result(
            actor=request.user,
            matter=matter,
            kind=d["kind"],
            title=d["title"],
            body=d["body"],
            period_days=d["period_days"],
        )

    return _act(
        request, pk, "publish", _bind("publish", PublishForm, request), call, _("The notice is posted.")
    )
