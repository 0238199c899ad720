"""Comment pages: thin. Every form posts here and goes back to the matter page at the comment.

A refusal re-renders the matter page with the form as it was sent (the text kept) and its error: 400 for bad
input, 403 without the authority, 409 when the matter or the comment is in the wrong state. Posting is limited
per person (5 a minute, 30 an hour); a tripped limit answers with the 429 page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from yishi.errors import Refused, refusal_status, refusal_to_form
from yishi.matters.pages import matter_context
from yishi.matters.queries import get_matter

from . import forms, queries, services
from .paging import link_to, page_of

POST_RATES = ("5/m", "30/h")
# One counter for comments and replies: a flood is a flood whichever form it comes through.
POST_GROUP = "yishi.comments.post"


def _back(comment):
    """To the comment, on the page of the matter's comments where its thread is."""
    return redirect(link_to(comment))


def _again(request, matter, name: str, form, exc: Refused, *, on_comment=None):
    """The matter page again, with the form as sent and the reason on its field (or above it).

    A refusal about a comment that is not about a field (already hidden, no authority, a reply to a reply)
    is shown at the comment: its form may not be on the page. Either way the page of comments is the one
    the form was on: the comment's, or the one a new comment was written on (in the form's address).
    """
    context = matter_context(request, matter, {})
    if on_comment is not None:
        context["comment_page"] = page_of(on_comment)
    if on_comment is not None and exc.field not in form.fields:
        context["comment_errors"] = {on_comment.pk: [str(exc.reason)]}
    else:
        refusal_to_form(form, exc)
    context["comment_forms"] = {name: form}
    return render(request, "matters/detail.html", context, status=refusal_status(exc))


def _limited(view):
    for rate in reversed(POST_RATES):
        view = ratelimit(group=POST_GROUP, key="user", rate=rate, method="POST", block=True)(view)
    return view


@require_POST
@login_required
@_limited
def post_comment(request, pk: int):
    matter = get_matter(pk)
    form = forms.CommentForm(request.POST, auto_id=forms.auto_id("comment"))
    form.is_valid()
    try:
        comment = services.post_comment(
            actor=request.user, matter=matter, body=form.cleaned_data.get("body", "")
        )
    except Refused as exc:
        return _again(request, matter, "comment", form, exc)
    messages.success(request, _("Your comment has been posted."))
    return _back(comment)


@require_POST
@login_required
@_limited
def reply(request, comment_id: int):
    parent = queries.get_comment(comment_id)
    name = f"reply_{parent.pk}"
    form = forms.ReplyForm(request.POST, auto_id=forms.auto_id(name))
    form.is_valid()
    try:
        answer = services.reply(actor=request.user, comment=parent, body=form.cleaned_data.get("body", ""))
    except Refused as exc:
        return _again(request, get_matter(parent.matter_id), name, form, exc, on_comment=parent)
    messages.success(request, _("Your reply has been posted."))
    return _back(answer)


@require_POST
@login_required
def hide(request, comment_id: int):
    comment = queries.get_comment(comment_id)
    name = f"hide_{comment.pk}"
    form = forms.HideForm(request.POST, auto_id=forms.auto_id(name))
    form.is_valid()
    try:
        services.hide(actor=request.user, comment=comment, reason=form.cleaned_data.get("reason", ""))
    except Refused as exc:
        return _again(request, get_matter(comment.matter_id), name, form, exc, on_comment=comment)
    messages.success(request, _("The comment is hidden; the reason is shown in its place."))
    return _back(comment)


@require_POST
@login_required
def unhide(request, comment_id: int):
    comment = queries.get_comment(comment_id)
    name = f"unhide_{comment.pk}"
    form = forms.UnhideForm(request.POST)
    try:
        services.unhide(actor=request.user, comment=comment)
    except Refused as exc:
        return _again(request, get_matter(comment.matter_id), name, form, exc, on_comment=comment)
    messages.success(request, _("The comment is shown again."))
    return _back(comment)
