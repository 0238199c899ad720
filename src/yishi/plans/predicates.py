"""May a person record the consensus on the plan? The step must take it, and there must be a plan to agree on.

Drafting a plan has no rule of its own: ``procedures.predicates.may_draft_plan``.
"""

from django.utils.translation import gettext_lazy as _

from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.procedures.predicates import may_take_step_action


def may_record_consensus(person, matter: Matter) -> Refused | None:
    refused = may_take_step_action(person, matter, "procedures.record_consensus")
    if refused is None and not matter.plan_versions.exists():
        refused = Refused(_("No plan has been drafted."), "no_plan")
    return refused
