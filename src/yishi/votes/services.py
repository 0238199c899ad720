"""Recording the representatives' vote on the plan (step 6), as counted. A failed vote returns to drafting."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yishi.audit.services import record
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.procedures import services as engine

from .models import VoteResult
from .rules_math import reaches


@transaction.atomic
def record_result(*, actor, matter: Matter, electorate: int, present: int, in_favour: int, against: int,
                  abstain: int) -> VoteResult:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    engine.require_step_action(actor, matter, "procedures.record_vote")
    counts = (electorate, present, in_favour, against, abstain)
    if any(not isinstance(n, int) or n < 0 for n in counts):
        raise Refused(_("Counts must be whole numbers, zero or more."), "invalid_count")
    if electorate < 1:
        raise Refused(_("Give the number of representatives entitled to vote."), "electorate_required", field="electorate")
    if present > electorate:
        raise Refused(_("More present than entitled to vote: check the numbers."), "present_exceeds_electorate", field="present")
    if in_favour + against + abstain > present:
        raise Refused(_("More votes than people present: check the numbers."), "votes_exceed_present", field="in_favour")
    numerator, denominator = settings.YISHI_VOTE_THRESHOLD
    version = matter.plan_versions.order_by("-number").first()
    result = VoteResult.objects.create(
        matter=matter, version=version, electorate=electorate, present=present, in_favour=in_favour,
        against=against, abstain=abstain, numerator=numerator, denominator=denominator,
        passed=reaches(in_favour, electorate, numerator, denominator), recorded_by=actor,
    )
    record(actor=actor, action="votes.record_result", target=result,
           data={"matter": matter.pk, "version": version.number, "electorate": electorate, "present": present,
                 "in_favour": in_favour, "against": against, "abstain": abstain, "passed": result.passed})
    if not result.passed:
        reason = _("The vote did not pass: %(yes)s of %(n)s in favour, %(need)s needed.") % {
            "yes": in_favour, "n": electorate, "need": -(-electorate * numerator // denominator)}
        engine.return_after_failure(actor=actor, matter=matter, reason=str(reason))
    return result
