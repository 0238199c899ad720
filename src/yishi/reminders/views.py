"""My notifications: read them, mark them read, choose my channels. And a community's progress-report draft."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.errors import Refused, refusal_to_form
from yishi.matters.queries import get_matter

from . import queries, services
from .forms import MarkReadForm, MuteForm, PreferencesForm


def _page(request, form=None, status=200):
    pref = queries.preference_of(request.user)
    form = form or PreferencesForm(
        initial={
            "sms": pref.sms,
            "email": pref.email,
            "email_address": pref.email_address,
            "digest": pref.digest,
        }
    )
    notifications = queries.inbox(request.user)
    return render(
        request,
        "reminders/inbox.html",
        {
            "notifications": notifications,
            "unread": sum(1 for n in notifications if n.read_at is None),
            "form": form,
            "has_phone": bool(request.user.phone),
            "followed": queries.followed_matters(request.user),
        },
        status=status,
    )


@login_required
def inbox(request):
    return _page(request)


@require_POST
@login_required
def mark_read(request):
    form = MarkReadForm(request.POST)
    ids = None
    if form.is_valid() and form.cleaned_data["notification"]:
        ids = [form.cleaned_data["notification"]]
    services.mark_read(actor=request.user, ids=ids)
    return redirect("reminders:inbox")


@require_POST
@login_required
def preferences(request):
    form = PreferencesForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.set_preferences(actor=request.user, **form.cleaned_data)
        except Refused as exc:
            status = refusal_to_form(form, exc)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("reminders:inbox")
    return _page(request, form, status=status)


@require_POST
@login_required
def mute(request, matter_id: int):
    form = MuteForm(request.POST)
    muted = form.is_valid() and form.cleaned_data["muted"]
    services.mute_matter(actor=request.user, matter=get_matter(matter_id), muted=muted)
    if muted:
        messages.success(
            request, _("You will hear no more of this matter's steps; its page still shows them.")
        )
    else:
        messages.success(request, _("You will hear of this matter's steps again."))
    return redirect("reminders:inbox")


@login_required
def draft(request, pk: int):
    found = queries.get_draft_for(request.user, pk)
    if found is None:
        raise Http404
    return render(request, "reminders/draft.html", {"draft": found})
