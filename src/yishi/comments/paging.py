"""Where a comment is shown: the matter page, one page of top-level threads at a time.

A thread (a top-level comment and all its replies) is never split across pages, so a reply lives on its
parent's page. Pages are counted oldest first, and comments are never deleted (hidden ones stay as a trace),
so a comment stays on the same page for good: a link to it never goes stale.
"""

from django.db.models import Q
from django.urls import reverse

from .models import Comment

# Short threads keep a page of 100 well under the 100 KB budget; longer discussions go on later pages.
PAGE_SIZE = 100
PARAM = "comments"


def page_count(threads: int) -> int:
    return max(1, -(-threads // PAGE_SIZE))


def page_url(matter_pk: int, page: int, anchor: str = "comments") -> str:
    """The matter page at ``page`` of its comments; the first page is the matter's plain address."""
    query = f"?{PARAM}={page}" if page > 1 else ""
    return reverse("matters:detail", args=[matter_pk]) + f"{query}#{anchor}"


def page_of(comment: Comment) -> int:
    """The page of ``comment``'s thread (one query)."""
    root = comment.parent if comment.parent_id else comment
    before = (
        Comment.objects.filter(matter_id=root.matter_id, parent__isnull=True)
        .filter(Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk))
        .count()
    )
    return before // PAGE_SIZE + 1


def link_to(comment: Comment) -> str:
    return page_url(comment.matter_id, page_of(comment), f"comment-{comment.pk}")
