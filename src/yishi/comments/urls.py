from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("m/<int:pk>/comments/", views.post_comment, name="post"),
    path("comments/<int:comment_id>/reply/", views.reply, name="reply"),
    path("comments/<int:comment_id>/hide/", views.hide, name="hide"),
    path("comments/<int:comment_id>/unhide/", views.unhide, name="unhide"),
]
