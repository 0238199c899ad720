from django.urls import path

from . import views

# Forms on the matter page: mounted in its namespace, ``matters:``, by yishi.urls.
matter_urlpatterns = [
    path("m/<int:pk>/works/", views.work_new, name="work_new"),
    path("m/<int:pk>/works/<int:work_id>/report/", views.work_report, name="work_report"),
    path("m/<int:pk>/works/<int:work_id>/supervise/", views.work_supervise, name="work_supervise"),
    path("m/<int:pk>/rate/", views.rate, name="rate"),
]
