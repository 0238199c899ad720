from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("figures/r/<int:pk>/", views.dashboard, name="dashboard"),
]
