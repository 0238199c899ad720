"""Reads about comments: a page of a matter's thread in one query, whatever its length."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Q, Subquery
from django.http import Http404

from .models import Comment
from .paging import PAGE_SIZE
from .predicates import may_moderate


@dataclass
class Thread:
    """A page of a matter's top-level comments, oldest first, each with all its replies in ``replies_here``."""

    comments: list
    threads: int  # top-level comments on the matter, on every page
    total: int  # comments and replies on the matter, on every page


def _count(on_matter) -> Subquery:
    return Subquery(on_matter.annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def thread(matter, *, offset: int = 0, limit: int = PAGE_SIZE) -> Thread:
    """Top-level comments ``offset`` to ``offset + limit`` with their replies, authors, staff roles and moderation
    state, and the matter's counts, in one query (a second only for a page past the end)."""
    on_matter = Comment.objects.filter(matter=matter).order_by().values("matter")
    roots = (
        Comment.objects.filter(matter=matter, parent__isnull=True)
        .order_by("created_at", "pk")
        .values("pk")[offset : offset + limit]
    )
    rows = list(
        Comment.objects.filter(matter=matter)
        .filter(Q(pk__in=roots) | Q(parent__in=roots))
        .select_related("author")
        .annotate(
            threads_on_matter=_count(on_matter.filter(parent__isnull=True)), total_on_matter=_count(on_matter)
        )
        .order_by("created_at", "pk")
    )
    if not rows:
        if not offset:
            return Thread([], 0, 0)
        counts = Comment.objects.filter(matter=matter).aggregate(
            threads=Count("pk", filter=Q(parent__isnull=True)), total=Count("pk")
        )
        return Thread([], counts["threads"], counts["total"])
    tops, replies = [], defaultdict(list)
    for comment in rows:
        if comment.parent_id is None:
            tops.append(comment)
        else:
            replies[comment.parent_id].append(comment)
    for comment in tops:
        comment.replies_here = replies[comment.pk]
    return Thread(tops, rows[0].threads_on_matter, rows[0].total_on_matter)


def get_comment(pk: int) -> Comment:
    """Comments are public like their matter: any existing one may be read. Acting on it is for the services."""
    try:
        return Comment.objects.select_related("matter__region", "author").get(pk=pk)
    except Comment.DoesNotExist:
        raise Http404 from None


def is_moderator(viewer, matter) -> bool:
    return may_moderate(viewer, matter) is None
