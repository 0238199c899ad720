"""May a person review the plan? An expert whose scope reaches the matter, in the review step, once for each
version of the plan."""

from django.utils.translation import gettext_lazy as _

from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.procedures.predicates import may_take_step_action

from .models import Review


def may_review_plan(person, matter: Matter) -> Refused | None:
    refused = may_take_step_action(person, matter, "procedures.review_plan")
    if refused is not None:
        return refused
    version = matter.plan_versions.order_by("-number").first()
    if version is None:
        return Refused(_("No plan has been drafted."), "no_plan")
    if person is not None and Review.objects.filter(version=version, reviewer=person).exists():
        return Refused(
            _("You have already reviewed version %(n)s.") % {"n": version.number}, "already_reviewed"
        )
    return None
