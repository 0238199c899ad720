"""A consultation session recorded from the matter page (see yishi.matters.views).

The meetings' own pages are in views.py.
"""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.matters.views import _act, _bind

from .forms import ConsultationForm
from .holding import record_session


@require_POST
@login_required
def session(request, pk):
    form = _bind("session", ConsultationForm, request)

    def call(matter, d):
        record_session(
            actor=request.user,
            matter=matter,
            title=d["title"],
            form=d["form"],
            held_at=d["held_at"],
            place=d["place"],
            attendance=d["attendance"],
            other_attendees=d["other_attendees"],
            ideas=form.idea_pairs(),
        )

    return _act(request, pk, "session", form, call, _("The session has been recorded."))
