"""A matter's plan: its versions and the consensus on one (``/matters/{id}/plan_versions``, ``…/consensus``).

Mounted under /matters beside matters' own router (see ``yishi.api``), in the ``matters`` tag, with the ids
the operations were published with.
"""

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from yishi.api_schemas import WRITE_ERRORS, created
from yishi.errors import Refused
from yishi.matters import queries
from yishi.matters.api import _ref
from yishi.matters.models import Matter
from yishi.matters.schemas import ConsensusOut, ResubmissionOut, VersionOut
from yishi.people.tokens import WRITE_AUTH
from yishi.regions.models import Unit
from yishi.regions.queries import units_serving

from .services import draft_version, record_consensus, resubmit

router = Router(tags=["matters"])


class PartIn(Schema):
    what: str
    unit: int | None = Field(None, description="A unit serving the matter's place; or give `responsible`")
    responsible: str = ""
    budget: Decimal | None = None
    due_on: date | None = None


class PlanIn(Schema):
    summary: str
    parts: list[PartIn]
    budget: Decimal | None = None
    cost_sharing: str = ""
    timeline: str = ""
    beneficiaries: str = ""


class ResubmissionIn(Schema):
    reason: str = Field(..., description="Why the same plan goes to the vote again; shown publicly")


class ConsensusIn(Schema):
    minutes: str
    version: int | None = Field(None, description="The version number agreed on; the latest when left out")


def _version(v) -> dict:
    return {
        "id": v.pk,
        "number": v.number,
        "summary": v.summary,
        "budget": v.budget,
        "cost_sharing": v.cost_sharing,
        "timeline": v.timeline,
        "beneficiaries": v.beneficiaries,
        "drafted_at": v.drafted_at,
        "parts": [
            {
                "id": p.pk,
                "position": p.position,
                "what": p.what,
                "unit": _ref(p.unit),
                "responsible": p.responsible_label,
                "budget": p.budget,
                "due_on": p.due_on,
            }
            for p in v.parts.all()
        ],
    }


def _consensus(c, numbers: dict) -> dict:
    return {"id": c.pk, "version": numbers[c.version_id], "minutes": c.minutes, "recorded_at": c.recorded_at}


def _resubmission(r, numbers: dict) -> dict:
    return {"id": r.pk, "version": numbers[r.version_id], "reason": r.reason, "at": r.at}


def _units_for(matter: Matter):
    return units_serving(matter.region)


def _unit(matter: Matter, unit_id: int | None) -> Unit | None:
    """As the page offers them: only a unit that serves the matter's place (or a place above it)."""
    if unit_id is None:
        return None
    return get_object_or_404(_units_for(matter), pk=unit_id)


@router.post(
    "/{int:matter_id}/plan_versions",
    operation_id="yishi_matters_api_add_plan_version",
    auth=WRITE_AUTH,
    response={201: VersionOut, **WRITE_ERRORS},
    summary="Draft a new version of the plan, each part with its responsible unit or person",
)
def add_plan_version(request, matter_id: int, body: PlanIn):
    matter = queries.get_matter(matter_id)
    parts = [
        {
            "what": p.what,
            "unit": _unit(matter, p.unit),
            "responsible": p.responsible,
            "budget": p.budget,
            "due_on": p.due_on,
        }
        for p in body.parts
    ]
    version = draft_version(
        actor=request.auth,
        matter=matter,
        summary=body.summary,
        parts=parts,
        budget=body.budget,
        cost_sharing=body.cost_sharing,
        timeline=body.timeline,
        beneficiaries=body.beneficiaries,
    )
    return created(_version(version))


@router.post(
    "/{int:matter_id}/consensus",
    operation_id="yishi_matters_api_add_consensus",
    auth=WRITE_AUTH,
    response={201: ConsensusOut, **WRITE_ERRORS},
    summary="Record that a meeting agreed on a named plan version",
)
def add_consensus(request, matter_id: int, body: ConsensusIn):
    matter = queries.get_matter(matter_id)
    if body.version is None:
        version = matter.plan_versions.order_by("-number").first()
        if version is None:
            raise Refused(_("No plan has been drafted."), "no_plan")
    else:
        version = get_object_or_404(matter.plan_versions, number=body.version)
    consensus = record_consensus(actor=request.auth, matter=matter, version=version, minutes=body.minutes)
    return created(_consensus(consensus, {version.pk: version.number}))


@router.post(
    "/{int:matter_id}/resubmissions",
    operation_id="yishi_matters_api_add_resubmission",
    auth=WRITE_AUTH,
    response={201: ResubmissionOut, **WRITE_ERRORS},
    summary="Put the latest plan, voted down, to the vote again unchanged, with a public reason",
    description="The other way back to the vote is a new version. Refused with `nothing_to_resubmit` when the "
    "latest version was not voted down, or its failure is already answered.",
)
def add_resubmission(request, matter_id: int, body: ResubmissionIn):
    matter = queries.get_matter(matter_id)
    done = resubmit(actor=request.auth, matter=matter, reason=body.reason)
    return created(_resubmission(done, {done.version_id: done.version.number}))
