"""The bureau's figures for a region and period: dashboard pages, exports and the yearly report."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from yishi.access.queries import can
from yishi.regions.models import Region


@require_safe
@login_required
def dashboard(request, pk: int):
    region = get_object_or_404(Region, pk=pk)
    if not can(request.user, "regions.manage_regions", region):
        raise PermissionDenied
    return render(request, "stats/dashboard.html", {"region": region})
