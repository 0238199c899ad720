from django.urls import path

from . import matter_views, views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.index, name="index"),
    path("meetings/new/", views.new, name="new"),
    path("meetings/sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("meetings/<int:pk>/", views.detail, name="detail"),
    path("meetings/<int:pk>/run/", views.run, name="run"),
    path("meetings/<int:pk>/attendance/", views.quorum, name="attendance"),
    path("meetings/<int:pk>/edit/", views.edit, name="edit"),
    path("meetings/<int:pk>/invite/", views.invite, name="invite"),
    path("meetings/<int:pk>/announce/", views.announce, name="announce"),
    path("meetings/<int:pk>/change/", views.change, name="change"),
    path("meetings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("meetings/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("meetings/<int:pk>/matters/<int:matter_id>/ideas/", views.ideas, name="ideas"),
    path("meetings/<int:pk>/matters/<int:matter_id>/decision/", views.decision, name="decision"),
    path("meetings/<int:pk>/close/", views.close, name="close"),
    path("meetings/<int:pk>/minutes/confirm/", views.confirm_minutes, name="confirm"),
    path("meetings/<int:pk>/minutes/<int:minutes_id>/", views.edit_minutes, name="edit_minutes"),
    path(
        "meetings/<int:pk>/minutes/<int:minutes_id>/redraft/", views.redraft_minutes, name="redraft_minutes"
    ),
    path("meetings/<int:pk>/minutes/<int:minutes_id>/addendum/", views.addendum, name="addendum"),
    path("meetings/<int:pk>/respond/", views.respond, name="respond"),
    path("meetings/<int:pk>/print/agenda/", views.print_agenda, name="print_agenda"),
    path("meetings/<int:pk>/print/sheet/", views.print_sheet, name="print_sheet"),
]

# Forms on the matter page: mounted in its namespace, ``matters:``, by yishi.urls.
matter_urlpatterns = [
    path("m/<int:pk>/session/", matter_views.session, name="session"),
]
