"""What a person is offered on a matter: every action on it, asked of the predicate its service is guarded by.

The matter page and the API list exactly these, and the services accept exactly these
(tests/procedures/test_offered_equals_accepted.py). A module of its own, above every app's predicates, so that
none of them has to import another's.
"""

from yishi.errors import Offers
from yishi.matters.models import Matter, Support
from yishi.matters.predicates import may_merge_matter, may_record_support, may_screen_matter, may_support
from yishi.plans.predicates import may_record_consensus
from yishi.reviews.predicates import may_review_plan
from yishi.works.predicates import may_confirm_work, may_rate_result, may_report_progress

from .predicates import (
    may_advance,
    may_assign_work,
    may_close_unresolved,
    may_draft_plan,
    may_publish_result,
    may_record_session,
    may_record_vote,
    may_return,
    may_withdraw,
)

# The actions on a matter as a whole, in the order the page lists them. Reporting on a task and confirming one
# are offered task by task (``MatterOffers.for_work``); "procedures.confirm_work" here says whether the person
# confirms the matter's tasks now, once the unit reports one finished.
MATTER_ACTIONS = (
    "matters.screen_matter",
    "procedures.record_session",
    "procedures.draft_plan",
    "procedures.record_consensus",
    "procedures.review_plan",
    "procedures.record_vote",
    "procedures.assign_work",
    "procedures.confirm_work",
    "procedures.publish_result",
    "procedures.advance",
    "procedures.return",
    "matters.merge_matter",
    "matters.support",
    "matters.record_support",
    "procedures.withdraw",
    "procedures.rate_result",
    "procedures.close_unresolved",
)
WORK_ACTIONS = ("procedures.report_progress", "procedures.confirm_work")


class MatterOffers(Offers):
    """``Offers`` on one matter, which also gives the offers on each of its tasks."""

    def __init__(self, reasons, *, person=None, matter: Matter | None = None, supports: bool | None = None):
        super().__init__(reasons)
        self.person, self.matter, self.supports = person, matter, supports

    def for_work(self, work) -> Offers:
        """Report progress on ``work``, and confirm or reopen it. The work's ``matter`` is this matter, read once."""
        if self.matter is None:
            return Offers({})
        return Offers(
            {
                "procedures.report_progress": may_report_progress(self.person, self.matter, work),
                "procedures.confirm_work": may_confirm_work(
                    self.person, self.matter, work, supports=self.supports
                ),
            }
        )


NOTHING = MatterOffers({})


def offers(person, matter: Matter, *, supports: bool | None = None) -> MatterOffers:
    """What ``person`` may do on ``matter`` now, and why each action they are entitled to is closed.

    ``supports``: whether ``person`` supports the matter, when the caller has read it already; else it is read
    here, once for every action and task (none asks it of the submitter)."""
    if person is None or not person.is_authenticated:
        return NOTHING  # every action asks for someone logged in
    if supports is None and person.pk != matter.submitter_id:
        supports = Support.objects.filter(matter=matter, person=person).exists()
    reasons = {
        "matters.screen_matter": may_screen_matter(person, matter),
        "procedures.record_session": may_record_session(person, matter),
        "procedures.draft_plan": may_draft_plan(person, matter),
        "procedures.record_consensus": may_record_consensus(person, matter),
        "procedures.review_plan": may_review_plan(person, matter),
        "procedures.record_vote": may_record_vote(person, matter),
        "procedures.assign_work": may_assign_work(person, matter),
        "procedures.confirm_work": may_confirm_work(person, matter, supports=supports),
        "procedures.publish_result": may_publish_result(person, matter),
        "procedures.advance": may_advance(person, matter),
        "procedures.return": may_return(person, matter),
        "matters.merge_matter": may_merge_matter(person, matter),
        "matters.support": may_support(person, matter, supports=supports),
        "matters.record_support": may_record_support(person, matter),
        "procedures.withdraw": may_withdraw(person, matter),
        "procedures.rate_result": may_rate_result(person, matter, supports=supports),
        "procedures.close_unresolved": may_close_unresolved(person, matter),
    }
    return MatterOffers(reasons, person=person, matter=matter, supports=supports)
