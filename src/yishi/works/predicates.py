"""May a person report on a task, confirm it, or rate the result? 谁负责谁执行: whoever the task is given to reports
(the unit's staff, the person named, the community committee).
谁受益谁监督: the residents who raised or support the matter confirm its tasks and rate its result.

Each ``may_<action>`` returns the refusal the service raises and the matter page shows, or None; who is
entitled is asked first (see ``procedures.predicates``). ``supports``: whether the person supports the matter,
when the caller has read it already (one lookup for the whole page). Assigning a task has no rule of its own:
``procedures.predicates.may_assign_work``.
"""

from django.utils.translation import gettext_lazy as _

from yishi.access.queries import active_roles, can
from yishi.access.roles import Role
from yishi.errors import Refused
from yishi.matters.models import Matter, Status, Support
from yishi.people.actors import Actor
from yishi.procedures.predicates import not_at_step_for

from .models import Work, WorkStatus


def is_responsible(actor: Actor, work: Work) -> bool:
    """The unit's own staff, the person assigned, or the committee where the matter is: a task given to the
    committee itself is theirs, and they answer for every task of the matters they assign."""
    if actor is None or not actor.is_authenticated:
        return False
    if work.assignee_id == actor.pk:
        return True
    if work.unit_id and any(
        a.role == Role.UNIT_STAFF and a.unit_id == work.unit_id for a in active_roles(actor)
    ):
        return True
    return can(actor, "procedures.assign_work", work.matter)


def supervises(person, matter: Matter, *, supports: bool | None = None) -> bool:
    """谁受益谁监督: whether ``person`` raised or supports the matter. ``supports``: whether they support it, when
    the caller has read that already. One lookup by the person, however many support the matter."""
    if person is None or not person.is_authenticated:
        return False
    if person.pk == matter.submitter_id:
        return True
    return Support.objects.filter(matter=matter, person=person).exists() if supports is None else supports


def may_rate(actor: Actor, matter: Matter, *, supports: bool | None = None) -> bool:
    """Residents who raised or supported a matter rate its result once it is being published or resolved."""
    at_last_step = matter.status == Status.OPEN and matter.procedure.next_after(matter.step_key) is None
    return (at_last_step or matter.status == Status.RESOLVED) and supervises(actor, matter, supports=supports)


def may_report_progress(person, matter: Matter, work: Work) -> Refused | None:
    """Whoever the task is given to reports on it while the matter is carried out, until the residents confirm
    it: the unit's staff, the person named, the community committee."""
    if not is_responsible(person, work):
        return Refused(
            _(
                "Only those the task is given to report on it: the unit's staff, the person named, or the committee."
            ),
            Refused.FORBIDDEN,
        )
    refused = not_at_step_for(matter, "procedures.report_progress")
    if refused is None and work.status == WorkStatus.CONFIRMED:
        refused = Refused(_("This task is already confirmed by the residents."), "already_confirmed")
    return refused


def may_confirm_work(
    person, matter: Matter, work: Work | None = None, *, supports: bool | None = None
) -> Refused | None:
    """The residents who raised or support the matter confirm (or reopen) a task the unit reported finished.
    Without ``work``: whether they may confirm the matter's tasks now, once one is finished."""
    if not supervises(person, matter, supports=supports):
        return Refused(
            _("Only the residents who raised or supported this matter confirm its tasks."), Refused.FORBIDDEN
        )
    refused = not_at_step_for(matter, "procedures.confirm_work")
    if refused is None and work is not None and work.status != WorkStatus.DONE:
        refused = Refused(_("The unit has not reported this task finished yet."), "not_done")
    return refused


def may_rate_result(person, matter: Matter, *, supports: bool | None = None) -> Refused | None:
    if not may_rate(person, matter, supports=supports):
        return Refused(
            _(
                "Only the residents who raised or supported this matter rate its result, once it is "
                "being published."
            ),
            Refused.FORBIDDEN,
        )
    return None
