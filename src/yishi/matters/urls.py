from django.urls import path

from . import views

app_name = "matters"
urlpatterns = [
    path("r/<int:pk>/matters/", views.matter_list, name="list"),
    path("m/new/", views.raise_matter, name="raise"),
    path("m/record/", views.record_matter, name="record"),
    path("m/<int:pk>/", views.matter_detail, name="detail"),
    path("m/<int:pk>/dossier/", views.dossier, name="dossier"),
    path("m/<int:pk>/support/", views.support, name="support"),
    path("m/<int:pk>/screen/", views.screen, name="screen"),
    path("m/<int:pk>/merge/", views.merge, name="merge"),
]
