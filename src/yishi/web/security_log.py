"""The security log, written and read: every authority check refused while a request is answered is logged
after the answer (the refused change itself is rolled back), with who, what, which object and the address."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from yishi.access.models import RefusedAttempt
from yishi.access.queries import regions_where
from yishi.access.services import log_refused
from yishi.errors import noting_refused_attempts
from yishi.reminders.security import alarm_if_burst

PAGE_SIZE = 200


def client_address(request) -> str:
    return request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR", "") or ""


class RefusedAttemptsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with noting_refused_attempts() as noted:
            response = self.get_response(request)
        if noted:
            address = client_address(request)
            alarm_if_burst(log_refused(noted, address=address, path=request.path), address=address)
        return response


@login_required
def security_log(request):
    """The refused attempts in the regions the reader oversees, newest first."""
    scope = regions_where(request.user, "access.read_security_log")
    if not scope.exists():
        raise PermissionDenied
    attempts = (
        RefusedAttempt.objects.filter(region__in=scope)
        .select_related("person", "region")
        .order_by("-at", "-pk")[:PAGE_SIZE]
    )
    return render(request, "web/security_log.html", {"attempts": attempts})
