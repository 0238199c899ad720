from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("yishi.web.urls")),
    path("", include("yishi.people.urls")),
    path("", include("yishi.regions.urls")),
    path("", include("yishi.matters.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("yishi.audit.urls")),
    path("admin/", admin.site.urls),
]
