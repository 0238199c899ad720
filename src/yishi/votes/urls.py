from django.urls import path

from . import matter_views, views

app_name = "votes"
urlpatterns = [
    path("r/<int:pk>/votes/", views.region_votes, name="list"),
    path("votes/", views.index, name="index"),
    path("votes/new/", views.new, name="new"),
    path("votes/<int:pk>/", views.detail, name="detail"),
    path("votes/<int:pk>/run/", views.run, name="run"),
    path("votes/<int:pk>/edit/", views.edit, name="edit"),
    path("votes/<int:pk>/open/", views.open_vote, name="open"),
    path("votes/<int:pk>/close/", views.close_vote, name="close"),
    path("votes/<int:pk>/participation/", views.participation, name="participation"),
    path("votes/<int:pk>/tally/", views.tally, name="tally"),
    path("votes/<int:pk>/proxies/", views.proxy, name="proxy"),
    path("votes/<int:pk>/proxies/withdraw/", views.withdraw_proxy, name="withdraw_proxy"),
    path("votes/<int:pk>/recount/", views.recount, name="recount"),
    path("votes/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("votes/<int:pk>/receipt/", views.receipt, name="receipt"),
]

# Forms on the matter page: mounted in its namespace, ``matters:``, by yishi.urls.
matter_urlpatterns = [
    path("m/<int:pk>/vote/", matter_views.vote, name="vote"),
]
