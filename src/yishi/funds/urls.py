from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("r/<int:pk>/funds/", views.fund, name="fund"),
    path("r/<int:pk>/funds/ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("r/<int:pk>/funds/entries/", views.add_entry, name="add_entry"),
    path("r/<int:pk>/funds/disclosure/", views.publish, name="publish"),
    path("r/<int:pk>/funds/rules/new/", views.new_rule, name="new_rule"),
    path("funds/", views.mine, name="mine"),
    path("funds/entries/<int:pk>/correct/", views.correct_entry, name="correct_entry"),
    path("funds/rules/<int:pk>/", views.rule, name="rule"),
    path("funds/rules/<int:pk>/charges.xlsx", views.charges_xlsx, name="charges_xlsx"),
    path("funds/rules/<int:pk>/exemptions/", views.exempt, name="exempt"),
    path(
        "funds/rules/<int:pk>/exemptions/<int:exemption_id>/remove/",
        views.remove_exemption,
        name="remove_exemption",
    ),
    path("funds/rules/<int:pk>/issue/", views.issue, name="issue"),
    path("funds/rules/<int:pk>/payments/", views.pay, name="pay"),
    path("funds/rules/<int:pk>/surplus/", views.post_surplus, name="surplus"),
    path("funds/charges/<int:pk>/", views.charge, name="charge"),
    path("funds/charges/<int:pk>/payments/", views.charge_pay, name="charge_pay"),
    path("funds/payments/<int:pk>/reverse/", views.reverse_payment, name="reverse_payment"),
]
