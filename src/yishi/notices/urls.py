from django.urls import path

from . import matter_views, views

app_name = "notices"
urlpatterns = [
    path("r/<int:pk>/board/", views.board, name="board"),
    path("r/<int:pk>/board/archive/", views.archive, name="archive"),
    path("r/<int:pk>/board/feed/", views.feed, name="feed"),
    path("n/<int:pk>/", views.detail, name="detail"),
    path("n/<int:pk>/print/", views.printable, name="print"),
    path("n/<int:pk>/object/", views.object_to, name="object"),
    path("n/<int:pk>/objections/<int:objection_id>/reply/", views.reply, name="reply"),
]

# Forms on the matter page: mounted in its namespace, ``matters:``, by yishi.urls.
matter_urlpatterns = [
    path("m/<int:pk>/publish/", matter_views.publish, name="publish"),
]
