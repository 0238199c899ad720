"""``{% load comments %}{% comment_section matter %}``: the comments under a matter, with their forms.

The section shows one page of top-level threads (``?comments=2`` on the matter page), with plain links to the
earlier and later ones: no script is needed to read a long discussion, and each page keeps every form.
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from yishi.comments import forms, predicates, queries
from yishi.comments.paging import PAGE_SIZE, PARAM, page_count, page_url
from yishi.comments.presenters import present

register = template.Library()

# Far past any real matter's last page, and small enough for every database's offset.
MAX_PAGE = 10**6


def _asked_page(context, request) -> int:
    """The page a refused form comes back to, or the one in the address; the first for anything else."""
    asked = context.get("comment_page") or (request.GET.get(PARAM) if request is not None else None)
    try:
        return min(max(1, int(asked)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _thread(matter, page: int):
    thread = queries.thread(matter, offset=(page - 1) * PAGE_SIZE)
    last = page_count(thread.threads)
    if page > last:  # an address past the end (made by hand): the last page rather than an empty one
        page = last
        thread = queries.thread(matter, offset=(page - 1) * PAGE_SIZE)
    return thread, page, last


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, matter):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    bound = context.get("comment_forms") or {}
    errors = context.get("comment_errors") or {}
    moderator = queries.is_moderator(user, matter)
    refused = predicates.comments_refused(matter)
    logged_in = user is not None and user.is_authenticated
    thread, page, last = _thread(matter, _asked_page(context, request))
    rows = []
    for comment in thread.comments:
        row = present(comment, matter, user, moderator=moderator, replies=comment.replies_here)
        for c, r in zip([comment, *comment.replies_here], [row, *row["replies"]], strict=True):
            c.matter = matter
            name = f"hide_{r['id']}"
            r["hide_form"] = (
                (bound.get(name) or forms.HideForm(auto_id=forms.auto_id(name)))
                if predicates.may_hide(user, c) is None
                else None
            )
            r["may_unhide"] = predicates.may_unhide(user, c) is None
            r["errors"] = errors.get(r["id"], [])
        name = f"reply_{row['id']}"
        row["reply_open"] = name in bound
        row["reply_form"] = bound.get(name) or (
            forms.ReplyForm(auto_id=forms.auto_id(name))
            if predicates.may_reply(user, comment) is None
            else None
        )
        rows.append(row)
    here = page_url(matter.pk, page)
    return {
        "matter": matter,
        "rows": rows,
        "count": thread.total,
        "page": page,
        "pages": last,
        "earlier_url": page_url(matter.pk, page - 1) if page > 1 else "",
        "later_url": page_url(matter.pk, page + 1) if page < last else "",
        # A refused comment comes back to the page it was written on.
        "post_url": reverse("comments:post", args=[matter.pk]) + (f"?{PARAM}={page}" if page > 1 else ""),
        "moderator": moderator,
        "logged_in": logged_in,
        "closed_reason": str(refused) if refused is not None else "",
        "comment_form": bound.get("comment")
        or (
            forms.CommentForm(auto_id=forms.auto_id("comment"))
            if predicates.may_comment(user, matter) is None
            else None
        ),
        "login_url": reverse("people:login") + "?" + urlencode({"next": here}),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
