from django.core.paginator import Paginator
from django.shortcuts import render

from .models import AuditEntry
from .services import verify_recent


def public_log(request):
    """The audit chain, newest first, with the result of a full verification."""
    page = Paginator(AuditEntry.objects.order_by("-seq"), 50).get_page(request.GET.get("page"))
    broken = verify_recent() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "audit/public.html",
        {"page": page, "verified": request.GET.get("verify") == "1", "broken": broken},
    )
