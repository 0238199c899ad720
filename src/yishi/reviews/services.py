"""Expert review of the agreed plan (step 5). A rejection, or approval subject to changes, sends the plan
back to drafting: the revised version goes through consensus and review again."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import active_roles
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.people.actors import Actor, person_of
from yishi.procedures import services as engine

from .models import Decision, Review
from .predicates import may_review_plan


@transaction.atomic
def submit_review(*, actor: Actor, matter: Matter, decision: str, opinion: str) -> Review:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_review_plan(actor, matter))
    expertise = next(
        (
            a.expertise
            for a in active_roles(actor)
            if a.role == Role.EXPERT and a.region.contains(matter.region)
        ),
        "",
    )
    if decision not in Decision.values:
        raise Refused(
            _("Choose approve, approve with changes, or reject."), "invalid_decision", field="decision"
        )
    opinion = (opinion or "").strip()
    if not opinion:
        raise Refused(
            _("Write your opinion; it is signed with your name."), "opinion_required", field="opinion"
        )
    version = matter.plan_versions.order_by("-number").first()
    assert version is not None  # noqa: S101 - may_review_plan refuses while no plan has been drafted
    review = Review.objects.create(
        matter=matter,
        version=version,
        reviewer=person_of(actor),
        expertise=expertise,
        decision=decision,
        opinion=opinion[:5000],
    )
    record(
        actor=actor,
        action=Action.REVIEWS_SUBMIT_REVIEW,
        target=review,
        data={"matter": matter.pk, "version": version.number, "decision": decision, "expertise": expertise},
    )
    if decision != Decision.APPROVE:
        engine.return_after_failure(actor=actor, matter=matter, reason=opinion)
    return review
