"""``{% load comments %}{% comment_section matter %}``: the comments under a matter, with their forms."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from yishi.comments import forms, queries
from yishi.comments.presenters import present
from yishi.comments.services import comments_refused

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, matter):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    bound = context.get("comment_forms") or {}
    errors = context.get("comment_errors") or {}
    moderator = queries.is_moderator(user, matter)
    refused = comments_refused(matter)
    logged_in = user is not None and user.is_authenticated
    open_for_me = logged_in and refused is None
    rows = []
    count = 0
    for comment in queries.top_level(matter):
        row = present(comment, matter, user, moderator=moderator)
        count += 1 + len(row["replies"])
        for r in [row, *row["replies"]]:
            name = f"hide_{r['id']}"
            r["hide_form"] = (bound.get(name) or forms.HideForm(auto_id=forms.auto_id(name))) if moderator else None
            r["errors"] = errors.get(r["id"], [])
        name = f"reply_{row['id']}"
        row["reply_open"] = name in bound
        fresh = open_for_me and not row["hidden"]
        row["reply_form"] = bound.get(name) or (forms.ReplyForm(auto_id=forms.auto_id(name)) if fresh else None)
        rows.append(row)
    next_url = reverse("matters:detail", args=[matter.pk]) + "#comments"
    return {
        "matter": matter,
        "rows": rows,
        "count": count,
        "moderator": moderator,
        "logged_in": logged_in,
        "closed_reason": str(refused) if refused is not None else "",
        "comment_form": bound.get("comment") or (
            forms.CommentForm(auto_id=forms.auto_id("comment")) if open_for_me else None),
        "login_url": reverse("people:login") + "?" + urlencode({"next": next_url}),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
