"""An expert's signed review of a matter's plan: ``/matters/{id}/reviews``.

Mounted under /matters beside matters' own router (see ``yishi.api``), in the ``matters`` tag, with the id the
operation was published with.
"""

from typing import Literal

from ninja import Router, Schema

from yishi.api_schemas import WRITE_ERRORS, created
from yishi.matters import queries
from yishi.matters.schemas import ReviewOut
from yishi.people.tokens import WRITE_AUTH

from .models import Decision
from .services import submit_review

router = Router(tags=["matters"])

DecisionKey = Literal[tuple(Decision.values)]  # type: ignore[valid-type]


class ReviewIn(Schema):
    decision: DecisionKey  # type: ignore[valid-type]
    opinion: str


def _review(r, numbers: dict) -> dict:
    return {
        "id": r.pk,
        "version": numbers[r.version_id],
        "reviewer": r.reviewer.name,
        "expertise": r.expertise,
        "decision": r.decision,
        "decision_label": str(r.get_decision_display()),
        "opinion": r.opinion,
        "at": r.at,
    }


@router.post(
    "/{int:matter_id}/reviews",
    operation_id="yishi_matters_api_add_review",
    auth=WRITE_AUTH,
    response={201: ReviewOut, **WRITE_ERRORS},
    summary="An expert's signed review of the latest plan version",
)
def add_review(request, matter_id: int, body: ReviewIn):
    review = submit_review(
        actor=request.auth, matter=queries.get_matter(matter_id), decision=body.decision, opinion=body.opinion
    )
    return created(_review(review, {review.version_id: review.version.number}))
