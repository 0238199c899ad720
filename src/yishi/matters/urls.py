from django.urls import path

from . import views

app_name = "matters"
urlpatterns = [
    path("r/<int:pk>/matters/", views.matter_list, name="list"),
    path("m/new/", views.raise_matter, name="raise"),
    path("m/record/", views.record_matter, name="record"),
    path("m/<int:pk>/", views.matter_detail, name="detail"),
    path("m/<int:pk>/dossier/", views.dossier, name="dossier"),
    path("m/<int:pk>/support/", views.support, name="support"),
    path("m/<int:pk>/screen/", views.screen, name="screen"),
    path("m/<int:pk>/merge/", views.merge, name="merge"),
    path("m/<int:pk>/advance/", views.advance, name="advance"),
    path("m/<int:pk>/return/", views.return_step, name="return"),
    path("m/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("m/<int:pk>/close/", views.close_unresolved, name="close"),
    path("m/<int:pk>/session/", views.session, name="session"),
    path("m/<int:pk>/plan/", views.plan, name="plan"),
    path("m/<int:pk>/consensus/", views.consensus, name="consensus"),
    path("m/<int:pk>/review/", views.review, name="review"),
    path("m/<int:pk>/vote/", views.vote, name="vote"),
    path("m/<int:pk>/works/", views.work_new, name="work_new"),
    path("m/<int:pk>/works/<int:work_id>/report/", views.work_report, name="work_report"),
    path("m/<int:pk>/works/<int:work_id>/supervise/", views.work_supervise, name="work_supervise"),
    path("m/<int:pk>/publish/", views.publish, name="publish"),
    path("m/<int:pk>/rate/", views.rate, name="rate"),
]
