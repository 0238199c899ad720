"""Drafting plan versions (step 3) and recording the consensus on one (step 4)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.people.actors import Actor, acting_person
from yishi.procedures.predicates import may_draft_plan
from yishi.regions.models import Unit
from yishi.regions.queries import units_serving

from .models import Consensus, PlanPart, PlanVersion, Resubmission
from .predicates import may_record_consensus


def _money(raw, field: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise Refused(_("An amount must be a number of yuan."), "invalid_amount", field=field) from None
    if value < 0:
        raise Refused(_("An amount cannot be negative."), "invalid_amount", field=field)
    return value


@transaction.atomic
def draft_version(
    *,
    actor: Actor,
    matter: Matter,
    summary: str,
    parts: list[dict],
    budget=None,
    cost_sharing: str = "",
    timeline: str = "",
    beneficiaries: str = "",
) -> PlanVersion:
    """A new version of the plan. ``parts``: dicts with what, unit (Unit) or responsible (text), budget, due_on."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_draft_plan(actor, matter))
    summary = (summary or "").strip()
    if not summary:
        raise Refused(_("Say what the plan will do."), "summary_required", field="summary")
    if not parts:
        raise Refused(
            _("Split the plan into parts, each with who is responsible."), "parts_required", field="parts"
        )
    serving = set(units_serving(matter.region).values_list("pk", flat=True))
    cleaned = []
    for i, part in enumerate(parts, start=1):
        what = (part.get("what") or "").strip()
        unit, responsible = part.get("unit"), (part.get("responsible") or "").strip()
        if not what:
            raise Refused(
                _("Part %(n)s: say what is to be done.") % {"n": i}, "part_what_required", field="parts"
            )
        if unit is not None and not isinstance(unit, Unit):
            raise Refused(_("Part %(n)s: unknown unit.") % {"n": i}, "part_unit_invalid", field="parts")
        if unit is not None and unit.pk not in serving:
            raise Refused(
                _("Part %(n)s: %(unit)s does not serve this place.") % {"n": i, "unit": unit.name},
                "unit_not_serving",
                field="parts",
            )
        if unit is None and not responsible:
            raise Refused(
                _("Part %(n)s: name the responsible unit or person.") % {"n": i},
                "part_responsible_required",
                field="parts",
            )
        cleaned.append(
            PlanPart(
                position=i,
                what=what[:200],
                unit=unit,
                responsible=responsible[:100],
                budget=_money(part.get("budget"), "parts"),
                due_on=part.get("due_on"),
            )
        )
    number = (matter.plan_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion.objects.create(
        matter=matter,
        number=number,
        summary=summary[:5000],
        budget=_money(budget, "budget"),
        cost_sharing=(cost_sharing or "").strip()[:2000],
        timeline=(timeline or "").strip()[:2000],
        beneficiaries=(beneficiaries or "").strip()[:2000],
        drafted_by=acting_person(actor),
    )
    for plan_part in cleaned:
        plan_part.version = version
    PlanPart.objects.bulk_create(cleaned)
    record(
        actor=actor,
        action=Action.PLANS_DRAFT_VERSION,
        target=version,
        data={"matter": matter.pk, "number": number, "parts": len(cleaned)},
    )
    return version


@transaction.atomic
def record_consensus(
    *, actor: Actor, matter: Matter, version: PlanVersion, minutes: str, session=None
) -> Consensus:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_record_consensus(actor, matter))
    if version.matter_id != matter.pk:
        raise Refused(_("That plan version belongs to another matter."), "version_mismatch", field="version")
    latest = matter.plan_versions.order_by("-number").first()
    assert latest is not None  # noqa: S101 - ``version`` is one of this matter's versions (checked above)
    if version.pk != latest.pk:
        raise Refused(
            _("Consensus must name the latest version of the plan (version %(n)s).") % {"n": latest.number},
            "not_latest_version",
            field="version",
        )
    minutes = (minutes or "").strip()
    if not minutes:
        raise Refused(_("Write down what the meeting agreed."), "minutes_required", field="minutes")
    consensus = Consensus.objects.create(
        matter=matter,
        version=version,
        session=session,
        minutes=minutes[:5000],
        recorded_by=acting_person(actor),
    )
    record(
        actor=actor,
        action=Action.PLANS_RECORD_CONSENSUS,
        target=consensus,
        data={"matter": matter.pk, "version": version.number},
    )
    return consensus


@transaction.atomic
def resubmit(*, actor: Actor, matter: Matter, reason: str) -> Resubmission:
    """Put the latest plan, voted down, to the vote again as it is: the committee's decision, its reason public.
    The other way forward is a new version (``draft_version``)."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_draft_plan(actor, matter))
    version = matter.plan_versions.order_by("-number").first()
    failed = version.rejected_unchanged() if version is not None else None
    if version is None or failed is None:
        raise Refused(
            _("No plan here was voted down: there is nothing to put to the vote again."),
            "nothing_to_resubmit",
        )
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _("Give the reason for putting the same plan to the vote again; it is shown publicly."),
            "reason_required",
            field="reason",
        )
    resubmission = Resubmission.objects.create(
        matter=matter, version=version, reason=reason[:2000], by=acting_person(actor)
    )
    record(
        actor=actor,
        action=Action.PLANS_RESUBMIT,
        target=resubmission,
        data={"matter": matter.pk, "version": version.number, "failed_result": failed.pk},
    )
    return resubmission


def diff(old: PlanVersion | None, new: PlanVersion) -> list[tuple[str, str, str]]:
    """What changed between two versions, field by field: (label, before, after)."""
    rows = []
    fields = [
        ("summary", _("what is to be done")),
        ("budget", _("budget")),
        ("cost_sharing", _("cost sharing")),
        ("timeline", _("timeline")),
        ("beneficiaries", _("who benefits and supervises")),
    ]
    for name, label in fields:
        before = "" if old is None else str(getattr(old, name) or "")
        after = str(getattr(new, name) or "")
        if before != after:
            rows.append((str(label), before, after))

    def parts(v):
        return [] if v is None else [f"{p.what} — {p.responsible_label}" for p in v.parts.all()]

    before, after = parts(old), parts(new)
    if before != after:
        rows.append((str(_("parts")), "\n".join(before), "\n".join(after)))
    return rows
