from django.urls import path

from . import security_log, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("r/<int:pk>/", views.region_page, name="region"),
    path("elderly/", views.toggle_elderly, name="elderly"),
    path("work/", views.workbench, name="workbench"),
    path("healthz", views.healthz, name="healthz"),
    path("security/refused/", security_log.security_log, name="security_log"),
]
