"""The one place a matter's status or step changes: start, advance, return, withdraw, close, and the closes
at screening (decline, refer, merge).

Each move: in a transaction, re-read the matter locked, check authority and evidence, refuse with the
first reason in plain words, update with compare-and-set on the old step (of two concurrent clicks the
loser is refused clearly), write the append-only transition and the audit entry, tell the matter's people.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.queries import require
from yishi.audit.actions import MOVE_ACTIONS
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter, Status
from yishi.matters.predicates import may_merge_matter, may_screen_matter
from yishi.notifications import matter_moved
from yishi.people.actors import Actor

from . import definitions
from .evidence import missing
from .models import Transition, TransitionKind
from .predicates import (
    may_advance,
    may_close_unresolved,
    may_return,
    may_take_step_action,
    may_withdraw,
    not_open,
)


def _locked(matter: Matter) -> Matter:
    return Matter.objects.select_for_update().get(pk=matter.pk)


def _require_open(matter: Matter) -> None:
    enforce(not_open(matter))


def _expect(matter: Matter, expected_step: str | None) -> None:
    if expected_step is not None and matter.step_key != expected_step:
        raise Refused(
            _("Someone else has just moved this matter on; reload the page to see where it is now."),
            "stale_step",
        )


def _move(
    matter,
    *,
    actor: Actor,
    kind,
    to_step: str,
    status=Status.OPEN,
    reason: str = "",
    also: dict | None = None,
) -> Matter:
    """Compare-and-set the step, then write the transition and the audit entry. Caller holds the lock.

    ``also`` are further fields of the matter written in the same compare-and-set (a referral's receiving
    body, the matter a duplicate was merged into), and named in the audit entry."""
    now = timezone.now()
    fields = {"step_key": to_step, "step_since": now, "status": status}
    if status != Status.OPEN:
        fields["closed_at"] = now
    fields.update(also or {})
    updated = Matter.objects.filter(pk=matter.pk, step_key=matter.step_key, status=matter.status).update(
        **fields
    )
    if updated != 1:
        raise Refused(
            _("Someone else has just moved this matter on; reload the page to see where it is now."),
            "stale_step",
        )
    Transition.objects.create(
        matter=matter,
        kind=kind,
        procedure_key=matter.procedure_key,
        from_step=matter.step_key,
        to_step=to_step,
        reason=reason,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=now,
    )
    record(
        actor=actor,
        action=MOVE_ACTIONS[kind],
        target=matter,
        data={
            "procedure": matter.procedure_key,
            "from": matter.step_key,
            "to": to_step,
            "status": status,
            **{name: getattr(value, "pk", value) for name, value in (also or {}).items()},
        },
    )
    figures_hooks.changed(matter)
    for field, value in fields.items():
        setattr(matter, field, value)
    matter_moved(matter)
    return matter


def lock_for_screening(actor: Actor, matter: Matter, *, allow_open: bool = False) -> Matter:
    """The matter, locked, once ``actor`` may screen it and it still waits for screening (or, for a merge,
    is open). Every decision of screening starts here, so of two screenings at once the second is refused."""
    matter = _locked(matter)
    enforce((may_merge_matter if allow_open else may_screen_matter)(actor, matter))
    return matter


@transaction.atomic
def start(*, actor: Actor, matter: Matter, procedure_key: str, reason: str = "") -> Matter:
    """Put a matter waiting for screening on its procedure, at its first step (screening's acceptance)."""
    matter = lock_for_screening(actor, matter)
    try:
        procedure = definitions.get(procedure_key)
    except KeyError:
        raise Refused(_("Unknown procedure."), "unknown_procedure", field="procedure") from None
    reason = (reason or "").strip()
    if procedure.needs_reason and not reason:
        raise Refused(
            _("“%(procedure)s” leaves out steps of the eight-step model: give the reason for taking it.")
            % {"procedure": procedure.label},
            "reason_required",
            field="procedure_reason",
        )
    Matter.objects.filter(pk=matter.pk).update(procedure_key=procedure.key, procedure_reason=reason)
    matter.procedure_key, matter.procedure_reason = procedure.key, reason
    return _move(matter, actor=actor, kind=TransitionKind.START, to_step=procedure.first.key, reason=reason)


@transaction.atomic
def decline(*, actor: Actor, matter: Matter, reason: str) -> Matter:
    """Screening declines the matter; ``reason`` (required by the caller) is shown publicly."""
    matter = lock_for_screening(actor, matter)
    return _move(
        matter,
        actor=actor,
        kind=TransitionKind.DECLINE,
        to_step=matter.step_key,
        status=Status.DECLINED,
        reason=reason,
        also={"public_reason": reason},
    )


@transaction.atomic
def refer(*, actor: Actor, matter: Matter, to: str, reason: str = "") -> Matter:
    """Screening refers the matter to the body ``to`` it belongs to (转办)."""
    matter = lock_for_screening(actor, matter)
    return _move(
        matter,
        actor=actor,
        kind=TransitionKind.REFER,
        to_step=matter.step_key,
        status=Status.REFERRED,
        reason=reason,
        also={"public_reason": reason, "referred_to": to},
    )


@transaction.atomic
def close_as_merged(*, actor: Actor, matter: Matter, into: Matter, reason: str) -> Matter:
    """Close a duplicate (waiting for screening, or open) as merged into ``into``, an open matter; the
    duplicate's submitter and supporters are told. Its people and photos are the caller's to carry over."""
    # Both rows locked in one order, so two merges of the same pair in opposite directions do not deadlock.
    list(Matter.objects.select_for_update().filter(pk__in=[matter.pk, into.pk]).order_by("pk"))
    matter = lock_for_screening(actor, matter, allow_open=True)
    into = _locked(into)
    require(actor, "matters.screen_matter", into)
    if into.pk == matter.pk or into.is_closed:
        raise Refused(_("Choose another matter that is still open."), "invalid_merge_target", field="into")
    return _move(
        matter,
        actor=actor,
        kind=TransitionKind.MERGE,
        to_step=matter.step_key,
        status=Status.MERGED,
        reason=reason,
        also={"public_reason": reason, "merged_into": into},
    )


def evidence_missing(matter: Matter) -> list:
    step = matter.step
    return missing(matter, step) if step else []


@transaction.atomic
def advance(*, actor: Actor, matter: Matter, expected_step: str | None = None) -> Matter:
    """Complete the current step and move to the next; completing the last step resolves the matter."""
    matter = _locked(matter)
    enforce(may_advance(actor, matter))
    return advance_locked(actor=actor, matter=matter, expected_step=expected_step)


def advance_locked(*, actor: Actor, matter: Matter, expected_step: str | None = None) -> Matter:
    _require_open(matter)
    _expect(matter, expected_step)
    procedure, step = matter.procedure, matter.step
    reasons = missing(matter, step)
    following = procedure.next_after(step.key)
    if reasons:
        target = following.label if following else _("the close of the matter")
        raise Refused(
            _("%(reason)s It cannot move on to “%(step)s” yet.") % {"reason": reasons[0], "step": target},
            "evidence_missing",
        )
    if following is None:
        return _move(
            matter, actor=actor, kind=TransitionKind.RESOLVE, to_step=step.key, status=Status.RESOLVED
        )
    return _move(matter, actor=actor, kind=TransitionKind.ADVANCE, to_step=following.key)


def return_locked(*, actor: Actor, matter: Matter, step_key: str, reason: str) -> Matter:
    """Send the matter back (a rejected review, a failed vote). Caller holds the lock and has checked authority."""
    _require_open(matter)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give the reason for sending the matter back."), "reason_required", field="reason")
    if step_key not in matter.step.returns_to:
        raise Refused(
            _("From “%(step)s” a matter cannot go back to that step.") % {"step": matter.step.label},
            "invalid_return",
        )
    return _move(matter, actor=actor, kind=TransitionKind.RETURN, to_step=step_key, reason=reason)


@transaction.atomic
def return_to(
    *, actor: Actor, matter: Matter, step_key: str, reason: str, expected_step: str | None = None
) -> Matter:
    matter = _locked(matter)
    enforce(may_return(actor, matter))
    _expect(matter, expected_step)
    return return_locked(actor=actor, matter=matter, step_key=step_key, reason=reason)


@transaction.atomic
def withdraw(*, actor: Actor, matter: Matter, reason: str) -> Matter:
    """The submitter withdraws their matter, or staff do so at their request."""
    matter = _locked(matter)
    enforce(may_withdraw(actor, matter))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give the reason for withdrawing the matter."), "reason_required", field="reason")
    hidden = matter.back_to_back and actor is not None and actor.pk == matter.submitter_id
    if matter.status != Status.NEW:  # the committee's decision: its reason is posted with the matter
        Matter.objects.filter(pk=matter.pk).update(public_reason=reason)
        matter.public_reason = reason
    return _move(
        matter,
        actor=None if hidden else actor,
        kind=TransitionKind.WITHDRAW,
        to_step=matter.step_key,
        status=Status.WITHDRAWN,
        reason=reason,
    )


@transaction.atomic
def close_unresolved(*, actor: Actor, matter: Matter, reason: str) -> Matter:
    matter = _locked(matter)
    enforce(may_close_unresolved(actor, matter))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _("Give the reason the matter is closed unresolved; it is shown publicly."),
            "reason_required",
            field="reason",
        )
    Matter.objects.filter(pk=matter.pk).update(public_reason=reason)
    matter.public_reason = reason
    return _move(
        matter,
        actor=actor,
        kind=TransitionKind.CLOSE_UNRESOLVED,
        to_step=matter.step_key,
        status=Status.UNRESOLVED,
        reason=reason,
    )


def require_step_action(actor: Actor, matter: Matter, action: str) -> None:
    """The guard of a step action with no rule of its own (``predicates.may_take_step_action``): the actor holds
    the authority the role table gives for ``action`` (asked first), and the current step enables it."""
    enforce(may_take_step_action(actor, matter, action))


def return_after_failure(*, actor: Actor, matter: Matter, reason: str) -> Matter:
    """A rejected review or a failed vote sends the matter to the first step its current step returns to."""
    if matter.step.returns_to:
        return return_locked(actor=actor, matter=matter, step_key=matter.step.returns_to[0], reason=reason)
    return matter
