from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from .api import api
from .matters import urls as matters
from .meetings import urls as meetings
from .notices import urls as notices
from .plans import urls as plans
from .procedures import urls as procedures
from .reviews import urls as reviews
from .votes import urls as votes
from .works import urls as works

# The matter page and every form on it share one namespace, ``matters:``, whichever app handles the form.
matter_pages = [
    *matters.urlpatterns,
    *procedures.matter_urlpatterns,
    *meetings.matter_urlpatterns,
    *plans.matter_urlpatterns,
    *reviews.matter_urlpatterns,
    *votes.matter_urlpatterns,
    *works.matter_urlpatterns,
    *notices.matter_urlpatterns,
]

urlpatterns = [
    path("", include("yishi.web.urls")),
    path("", include("yishi.people.urls")),
    path("", include("yishi.regions.urls")),
    path("", include((matter_pages, matters.app_name))),
    path("", include("yishi.comments.urls")),
    path("", include("yishi.surveys.urls")),
    path("", include("yishi.funds.urls")),
    path("", include("yishi.votes.urls")),
    path("", include("yishi.meetings.urls")),
    path("", include("yishi.notices.urls")),
    path("", include("yishi.reminders.urls")),
    path("", include("yishi.stats.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("yishi.audit.urls")),
    path("admin/", admin.site.urls),
]

# A URL that matches no route answers JSON under /api/ (the API's Problem), the HTML page elsewhere.
handler404 = "yishi.api.not_found_view"

if settings.DEBUG:
    # Development only: uploaded photos. In production the web server in front serves MEDIA_ROOT.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
