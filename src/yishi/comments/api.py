"""The JSON API for comments on a matter: thin over the services, queries and presenter the page uses.

Reading is public; a hidden comment's text comes only to moderators, its trace (when, why) to everyone.
Posting and replying are limited per person as on the page (5 a minute, 30 an hour, one counter for both).
"""

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from yishi.api_schemas import WRITE_ERRORS, Problem, created
from yishi.matters.queries import get_matter
from yishi.people.tokens import WRITE_AUTH, caller

from . import predicates, queries, services
from .models import MAX_BODY, MAX_REASON, Comment
from .presenters import present
from .views import POST_GROUP, POST_RATES

router = Router(tags=["comments"])


class ReplyOut(Schema):
    id: int
    parent: int | None = Field(
        ..., description="The top-level comment a reply belongs to; null for a comment"
    )
    author: str = Field(..., description="As the caller may see it: masked, 'a resident', or a role and name")
    own: bool = Field(..., description="The caller wrote it")
    raised_it: bool = Field(..., description="By the matter's submitter (never set on a back-to-back matter)")
    community_answer: bool = Field(..., description="Posted by staff answering for the community")
    staff_role: str | None
    staff_role_label: str | None
    hidden: bool
    hidden_at: datetime | None
    hidden_reason: str | None = Field(..., description="Why the community hid it: public")
    body: str | None = Field(..., description="Null when hidden, except for moderators")
    created_at: datetime


class CommentOut(ReplyOut):
    replies: list[ReplyOut]


class CommentPage(Schema):
    count: int = Field(..., description="Top-level comments")
    limit: int
    offset: int
    moderator: bool = Field(..., description="The caller may hide and show comments on this matter")
    open: bool = Field(..., description="The matter takes comments now")
    items: list[CommentOut]


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


class CommentIn(Schema):
    body: str = Field(..., description=f"Trimmed; 1 to {MAX_BODY} characters")


class HideIn(Schema):
    reason: str = Field(
        ..., description=f"Shown publicly in the comment's place; 1 to {MAX_REASON} characters"
    )


def _limited(request) -> bool:
    return any(
        is_ratelimited(request, group=POST_GROUP, key="user", rate=rate, method="POST", increment=True)
        for rate in POST_RATES
    )


def _too_many() -> Status:
    return Status(
        429,
        {
            "detail": str(_("Too many attempts in a short time. Please wait a few minutes and try again.")),
            "code": "rate_limited",
        },
    )


def _out(comment, viewer) -> dict:
    """A comment just written or moderated, with its replies, as ``viewer`` sees it."""
    comment = Comment.objects.select_related("author").get(pk=comment.pk)
    matter = get_matter(comment.matter_id)
    moderator = queries.is_moderator(viewer, matter)
    replies = (
        comment.replies.select_related("author").order_by("created_at", "pk") if not comment.parent_id else []
    )
    return present(comment, matter, viewer, moderator=moderator, replies=replies)


@router.get(
    "/matters/{int:matter_id}",
    response={200: CommentPage, 401: Problem, 404: Problem},
    summary="A matter's comments, oldest first, each with its replies; a page of top-level comments at a time",
)
def list_comments(request, matter_id: int, page: Query[PageQuery]):
    matter = get_matter(matter_id)
    viewer = caller(request)
    moderator = queries.is_moderator(viewer, matter)
    thread = queries.thread(matter, offset=page.offset, limit=page.limit)
    return {
        "count": thread.threads,
        "limit": page.limit,
        "offset": page.offset,
        "moderator": moderator,
        "open": predicates.comments_refused(matter) is None,
        "items": [
            present(c, matter, viewer, moderator=moderator, replies=c.replies_here) for c in thread.comments
        ],
    }


@router.post(
    "/matters/{int:matter_id}",
    auth=WRITE_AUTH,
    response={201: CommentOut, 429: Problem, **WRITE_ERRORS},
    summary="Comment on a matter (staff who moderate there answer for the community)",
)
def post_comment(request, matter_id: int, body: CommentIn):
    matter = get_matter(matter_id)
    if _limited(request):
        return _too_many()
    comment = services.post_comment(actor=request.auth, matter=matter, body=body.body)
    return created(_out(comment, request.auth))


@router.post(
    "/{int:comment_id}/replies",
    auth=WRITE_AUTH,
    response={201: CommentOut, 429: Problem, **WRITE_ERRORS},
    summary="Reply to a top-level comment (one level only)",
)
def reply(request, comment_id: int, body: CommentIn):
    parent = queries.get_comment(comment_id)
    if _limited(request):
        return _too_many()
    answer = services.reply(actor=request.auth, comment=parent, body=body.body)
    return created(_out(answer, request.auth))


@router.post(
    "/{int:comment_id}/hide",
    auth=WRITE_AUTH,
    response={200: CommentOut, **WRITE_ERRORS},
    summary="Hide a comment's text (moderators); when and why stay public",
)
def hide(request, comment_id: int, body: HideIn):
    comment = services.hide(actor=request.auth, comment=queries.get_comment(comment_id), reason=body.reason)
    return _out(comment, request.auth)


@router.post(
    "/{int:comment_id}/unhide",
    auth=WRITE_AUTH,
    response={200: CommentOut, **WRITE_ERRORS},
    summary="Show a hidden comment again (moderators)",
)
def unhide(request, comment_id: int):
    comment = services.unhide(actor=request.auth, comment=queries.get_comment(comment_id))
    return _out(comment, request.auth)
