"""Moving a matter through its procedure: ``/matters/{id}/advance``, ``…/return``, withdrawing and closing it.

Mounted under /matters beside matters' own router (see ``yishi.api``), in the ``matters`` tag, with the ids
the operations were published with.
"""

from ninja import Field, Router, Schema

from yishi.api_schemas import WRITE_ERRORS
from yishi.matters import queries
from yishi.matters.api import _row
from yishi.matters.schemas import MatterOut, ReasonIn
from yishi.people.tokens import WRITE_AUTH

from . import services as engine

router = Router(tags=["matters"])


class AdvanceIn(Schema):
    expected_step: str = Field(..., description="The step the caller saw; refused as stale if it has moved")


class ReturnIn(Schema):
    step: str
    reason: str
    expected_step: str


# --- writes: moving through the procedure ----------------------------------------------------------------


@router.post(
    "/{int:matter_id}/advance",
    operation_id="yishi_matters_api_advance",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Complete the current step (refused with the missing evidence); the last one resolves",
)
def advance(request, matter_id: int, body: AdvanceIn):
    engine.advance(actor=request.auth, matter=queries.get_matter(matter_id), expected_step=body.expected_step)
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/return",
    operation_id="yishi_matters_api_return_step",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Send the matter back to an earlier step, with the reason",
)
def return_step(request, matter_id: int, body: ReturnIn):
    engine.return_to(
        actor=request.auth,
        matter=queries.get_matter(matter_id),
        step_key=body.step,
        reason=body.reason,
        expected_step=body.expected_step,
    )
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/withdraw",
    operation_id="yishi_matters_api_withdraw",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Withdraw the matter (its submitter, or staff at their request)",
)
def withdraw(request, matter_id: int, body: ReasonIn):
    engine.withdraw(actor=request.auth, matter=queries.get_matter(matter_id), reason=body.reason)
    return _row(queries.get_matter(matter_id))


@router.post(
    "/{int:matter_id}/close_unresolved",
    operation_id="yishi_matters_api_close_unresolved",
    auth=WRITE_AUTH,
    response={200: MatterOut, **WRITE_ERRORS},
    summary="Close the matter unresolved, with the public reason",
)
def close_unresolved(request, matter_id: int, body: ReasonIn):
    engine.close_unresolved(actor=request.auth, matter=queries.get_matter(matter_id), reason=body.reason)
    return _row(queries.get_matter(matter_id))
