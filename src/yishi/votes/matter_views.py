"""A vote counted elsewhere, recorded from the matter page (see yishi.matters.views).

The votes' own pages are in views.py.
"""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.matters import queries
from yishi.matters.views import _act, _bind

from .forms import VoteResultForm, deciding_bodies
from .tallies import record_result


@require_POST
@login_required
def vote(request, pk):
    def call(matter, d):
        record_result(actor=request.user, matter=matter, **d)

    form = _bind("vote", VoteResultForm, request, bodies=deciding_bodies(queries.get_matter(pk)))
    return _act(request, pk, "vote", form, call, _("The vote result is recorded."))
