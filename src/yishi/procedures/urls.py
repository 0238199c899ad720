from django.urls import path

from . import views

# Forms on the matter page: mounted in its namespace, ``matters:``, by yishi.urls.
matter_urlpatterns = [
    path("m/<int:pk>/advance/", views.advance, name="advance"),
    path("m/<int:pk>/return/", views.return_step, name="return"),
    path("m/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("m/<int:pk>/close/", views.close_unresolved, name="close"),
]
