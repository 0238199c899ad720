from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("figures/r/<int:pk>/", views.dashboard, name="dashboard"),
    path("figures/r/<int:pk>/figures.xlsx", views.workbook, name="workbook"),
    path("figures/r/<int:pk>/xlsx/<slug:key>/", views.table_xlsx, name="table_xlsx"),
    path("figures/r/<int:pk>/report/", views.yearly_report, name="report"),
]
