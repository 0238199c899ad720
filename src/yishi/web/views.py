"""Public pages: the home page, a region's page, and the switches for language and elderly mode."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yishi.access.queries import can
from yishi.matters import queries as matter_queries
from yishi.matters.predicates import takes_matters
from yishi.notices import queries as notice_queries
from yishi.regions import queries as region_queries
from yishi.regions.models import Level, Region
from yishi.surveys.predicates import SURVEY_LEVELS

from .middleware import ELDERLY_COOKIE

ELDERLY_COOKIE_AGE = 60 * 60 * 24 * 365 * 5


def home(request):
    landing = region_queries.landing_region()
    if landing is not None:
        return _region_page(
            request,
            landing.region,
            region_queries.region_page_context(
                landing.region, ancestors=landing.ancestors, children=landing.children
            ),
        )
    return render(request, "web/home.html", {"roots": region_queries.roots()})


def region_page(request, pk: int):
    region = get_object_or_404(Region, pk=pk)
    return _region_page(request, region, region_queries.region_page_context(region))


def _region_page(request, region: Region, context: dict):
    context["recent_matters"] = list(matter_queries.public_matters(region)[:5])
    context["can_raise_here"] = takes_matters(region) is None
    context["board"] = notice_queries.posted_on(region)
    context["may_import_regions"] = (
        can(request.user, "regions.import_regions", region) and region.level < Level.COMPOUND
    )
    context["may_import_households"] = can(
        request.user, "regions.import_households", region
    ) and region.level in (Level.COMMUNITY, Level.COMPOUND)
    # Household surveys and shared costs are held in a community or a compound (the surveys' own rule).
    context["surveys_here"] = region.level in SURVEY_LEVELS
    return render(request, "web/region.html", context)


def _safe_next(request, fallback="/"):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def toggle_elderly(request):
    response = redirect(_safe_next(request))
    if request.POST.get("on") == "1":
        response.set_cookie(
            ELDERLY_COOKIE,
            "1",
            max_age=ELDERLY_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(ELDERLY_COOKIE, samesite="Lax")
    return response


def rate_limited(request, exception):
    return render(
        request,
        "web/message.html",
        {
            "title": _("Too many attempts"),
            "message": _("Too many attempts in a short time. Please wait a few minutes and try again."),
        },
        status=429,
    )


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def workbench(request):
    """The signed-in person's home: a section for each role they hold (see ``homes``), what waits on them first."""
    from .homes import home_context

    return render(request, "web/workbench.html", home_context(request.user))
