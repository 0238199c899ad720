from django.urls import path

from . import views

# Forms on the matter page: mounted in its namespace, ``matters:``, by yishi.urls.
matter_urlpatterns = [
    path("m/<int:pk>/plan/", views.plan, name="plan"),
    path("m/<int:pk>/plan/again/", views.resubmit, name="resubmit"),
    path("m/<int:pk>/consensus/", views.consensus, name="consensus"),
]
