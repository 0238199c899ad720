"""May a person move a matter, or take an action its step enables? Each ``may_<action>(person, matter)`` returns
the refusal the service raises (``errors.enforce``) and the matter page shows, or None.

Authority is asked first: someone who may never take the action is refused as such (``Refused.FORBIDDEN``,
not shown), whatever the matter's state; only then does the state refuse (closed, another step). ``person``
None is the system (the command line), as for ``access.queries.require``.

The step actions without a rule of their own (the role table's authority, and the step enables them) are
here, wherever their service lives; an action with a rule of its own has its predicate in the app that owns
that rule: ``plans`` (a consensus names a plan), ``reviews`` (one review per version), ``works`` (the unit
reports, the residents confirm and rate), ``matters`` (screening, merging, supporting).
"""

from django.utils.translation import gettext_lazy as _

from yishi.access.queries import authority
from yishi.errors import Refused
from yishi.matters.models import Matter, Status


def is_person(person) -> bool:
    return person is not None and person.is_authenticated


# --- the matter's state --------------------------------------------------------------------------------------


def not_open(matter: Matter) -> Refused | None:
    """Why the matter's procedure cannot move: it is not open (new, or closed)."""
    if matter.status != Status.OPEN:
        return Refused(
            _("This matter is %(status)s; its procedure cannot move.")
            % {"status": matter.get_status_display()},
            "not_open",
        )
    return None


def not_at_step_for(matter: Matter, action: str) -> Refused | None:
    """Why ``action`` cannot be taken now: the matter is not open, or its current step does not enable it."""
    refused = not_open(matter)
    if refused is None and not matter.procedure.enables(matter.step_key, action):
        refused = Refused(
            _("This cannot be done while the matter is at “%(step)s”.") % {"step": matter.step.label},
            "wrong_step",
        )
    return refused


def may_take_step_action(person, matter: Matter, action: str) -> Refused | None:
    """The role table gives ``person`` ``action`` over the matter's region, and the current step enables it."""
    return authority(person, action, matter) or not_at_step_for(matter, action)


# --- moving the matter ---------------------------------------------------------------------------------------


def may_advance(person, matter: Matter) -> Refused | None:
    """Complete the current step (its evidence is asked by the service, once the step is open to complete)."""
    return authority(person, "procedures.advance", matter) or not_open(matter)


def may_close_unresolved(person, matter: Matter) -> Refused | None:
    return authority(person, "procedures.advance", matter) or not_open(matter)


def may_return(person, matter: Matter) -> Refused | None:
    """Send the matter back to an earlier step: only from a step that names the steps it may return to."""
    refused = authority(person, "procedures.advance", matter) or not_open(matter)
    if refused is None and not matter.step.returns_to:
        refused = Refused(
            _("From “%(step)s” a matter cannot be sent back.") % {"step": matter.step.label},
            "invalid_return",
        )
    return refused


def may_withdraw(person, matter: Matter) -> Refused | None:
    """Until it is accepted, the submitter withdraws their own matter (or staff do, at their request). Once
    accepted, others have joined it (supporters, merged matters, tasks, contracts): withdrawing is then the
    committee's decision, with a public reason."""
    own = is_person(person) and person.pk == matter.submitter_id
    if own and matter.status == Status.NEW:
        return None
    refused = authority(person, "procedures.advance", matter)
    if matter.is_closed and (refused is None or own):
        return Refused(_("This matter is already closed."), "closed")
    if refused is not None and own:
        return Refused(
            _(
                "The matter has been accepted: only the community committee can now withdraw it, with a public reason."
            ),
            "withdraw_after_acceptance",
        )
    return refused


# --- the step actions with no rule of their own --------------------------------------------------------------


def may_record_session(person, matter: Matter) -> Refused | None:
    return may_take_step_action(person, matter, "procedures.record_session")


def may_draft_plan(person, matter: Matter) -> Refused | None:
    return may_take_step_action(person, matter, "procedures.draft_plan")


def may_record_vote(person, matter: Matter) -> Refused | None:
    return may_take_step_action(person, matter, "procedures.record_vote")


def may_assign_work(person, matter: Matter) -> Refused | None:
    return may_take_step_action(person, matter, "procedures.assign_work")


def may_publish_result(person, matter: Matter) -> Refused | None:
    return may_take_step_action(person, matter, "procedures.publish_result")
