from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("r/<int:pk>/surveys/", views.survey_list, name="list"),
    path("r/<int:pk>/surveys/new/", views.new, name="new"),
    path("surveys/", views.mine, name="mine"),
    path("surveys/<int:pk>/", views.detail, name="detail"),
    path("surveys/<int:pk>/questions/", views.add_question, name="add_question"),
    path(
        "surveys/<int:pk>/questions/<int:question_id>/remove/", views.remove_question, name="remove_question"
    ),
    path("surveys/<int:pk>/open/", views.open_survey, name="open"),
    path("surveys/<int:pk>/close/", views.close_survey, name="close"),
    path("surveys/<int:pk>/publish/", views.publish, name="publish"),
    path("surveys/<int:pk>/answer/", views.answer, name="answer"),
    path("surveys/<int:pk>/paper/", views.paper, name="paper"),
    path("surveys/<int:pk>/responses/", views.responses, name="responses"),
    path("surveys/<int:pk>/responses/<int:response_id>/void/", views.void, name="void"),
    path("surveys/<int:pk>/print/", views.printable, name="print"),
]
