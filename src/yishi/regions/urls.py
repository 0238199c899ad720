from django.urls import path

from . import views

app_name = "regions"
urlpatterns: list = [
    path("r/<int:pk>/rules/", views.region_rules, name="rules"),
    path("r/<int:pk>/import/regions/", views.import_regions, name="import_regions"),
    path("r/<int:pk>/import/households/", views.import_households, name="import_households"),
    path("r/<int:pk>/import/<slug:kind>/template.xlsx", views.import_template, name="import_template"),
]
