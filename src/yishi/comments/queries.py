"""Reads about comments: a matter's thread in a fixed number of queries, whatever its length."""

from django.db.models import Prefetch
from django.http import Http404

from yishi.access.queries import can

from .models import Comment
from .services import MODERATE


def top_level(matter):
    """The matter's top-level comments, oldest first, each with its author and its replies (two queries)."""
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    return (
        Comment.objects.filter(matter=matter, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )


def get_comment(pk: int) -> Comment:
    """Comments are public like their matter: any existing one may be read. Acting on it is for the services."""
    try:
        return Comment.objects.select_related("matter__region", "author").get(pk=pk)
    except Comment.DoesNotExist:
        raise Http404 from None


def is_moderator(viewer, matter) -> bool:
    return viewer is not None and viewer.is_authenticated and can(viewer, MODERATE, matter)
