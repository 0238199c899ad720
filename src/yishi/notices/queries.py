from django.utils import timezone

from .models import Notice


def posted_on(region, limit: int = 10) -> list[Notice]:
    """Notices still within their posting period on ``region``'s board, newest first."""
    now = timezone.now()
    recent = Notice.objects.filter(region=region).select_related("matter").order_by("-posted_at", "-pk")[:50]
    return [n for n in recent if n.is_posted(now)][:limit]
