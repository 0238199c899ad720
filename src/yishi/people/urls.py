from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/request/", views.request_code, name="request_code"),
    path("login/code/", views.code_login, name="code_login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/households/<int:pk>/", views.answer_household, name="answer_household"),
]
