"""A vote counted elsewhere, recorded on a matter: ``/matters/{id}/votes``; the votes' own API is api.py.

Mounted under /matters beside matters' own router (see ``yishi.api``), in the ``matters`` tag, with the id the
operation was published with.
"""

from ninja import Router

from yishi.api_schemas import WRITE_ERRORS, created
from yishi.matters import queries
from yishi.matters.schemas import VoteIn, VoteOut
from yishi.people.tokens import WRITE_AUTH

from .tallies import record_result

router = Router(tags=["matters"])


def _vote(v, numbers: dict) -> dict:
    return {
        "id": v.pk,
        "version": numbers[v.version_id],
        "electorate": v.electorate,
        "present": v.present,
        "in_favour": v.in_favour,
        "against": v.against,
        "abstain": v.abstain,
        "rule": f"{v.numerator}/{v.denominator}",
        "body": v.preset.key,
        "body_label": str(v.preset.label),
        "basis": v.preset.source,
        "quorum": f"{v.quorum_numerator}/{v.quorum_denominator}" if v.quorum_numerator else "",
        "base": v.base,
        "seated": v.seated,
        "electorate_differs": v.electorate_differs,
        "entitled_names": v.entitled_names,
        "statement": v.statement,
        "passed": v.passed,
        "recorded_at": v.recorded_at,
    }


@router.post(
    "/{int:matter_id}/votes",
    operation_id="yishi_matters_api_add_vote",
    auth=WRITE_AUTH,
    response={201: VoteOut, **WRITE_ERRORS},
    summary="Record the decision on the plan as the body counted it; a failed vote returns to drafting",
    description="The body is one the step names (its statute's rule); the electorate is the body as seated "
    "today unless `entitled_names` lists who was (`entitled_list_required`).",
)
def add_vote(request, matter_id: int, body: VoteIn):
    result = record_result(actor=request.auth, matter=queries.get_matter(matter_id), **body.dict())
    return created(_vote(result, {result.version_id: result.version.number}))
