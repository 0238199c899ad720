from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.mark_read, name="mark_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/drafts/<int:pk>/", views.draft, name="draft"),
    path("notifications/muted/<int:matter_id>/", views.mute, name="mute"),
]
