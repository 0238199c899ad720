"""Reads about a matter's procedure: the compliance checklist and the deviations the bureau counts."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from yishi.access.roles import Role, roles_for
from yishi.matters.models import Status
from yishi.meetings.queries import late_notices
from yishi.reminders.queries import escalation_notes

from . import definitions
from .evidence import missing
from .models import Transition, TransitionKind
from .offers import offers


@dataclass
class ChecklistRow:
    key: str
    label: str
    state: str  # done | current | waiting | skipped
    completed_at: datetime | None = None
    completed_by: str = ""
    missing: list = field(default_factory=list)
    returns: int = 0


@dataclass
class Deviation:
    kind: str
    text: str


def transitions_of(matter) -> list[Transition]:
    """The matter's step changes, oldest first, with who made them: read once, handed to the readers below."""
    return list(Transition.objects.filter(matter=matter).select_related("actor").order_by("at", "pk"))


def checklist(matter, transitions: list[Transition] | None = None) -> list[ChecklistRow]:
    """Each step of the matter's procedure with its state, when and by whom it was completed."""
    procedure = matter.procedure
    if procedure is None:
        if matter.status != Status.NEW:
            return []  # closed at screening: it never entered a procedure
        first = definitions.DEFAULT.first
        return [
            ChecklistRow(
                s.key,
                s.label,
                "current" if s is first else "waiting",
                missing=missing(matter, s) if s is first else [],
            )
            for s in definitions.DEFAULT.steps
        ]
    if transitions is None:
        transitions = transitions_of(matter)
    completed: dict[str, Transition] = {}
    returns: dict[str, int] = {}
    for t in transitions:
        if t.kind in (TransitionKind.ADVANCE, TransitionKind.RESOLVE):
            completed[t.from_step] = t
        elif t.kind == TransitionKind.RETURN:
            returns[t.to_step] = returns.get(t.to_step, 0) + 1
            # Steps after the one returned to must be done again.
            back = procedure.index(t.to_step)
            for step in procedure.steps[back:]:
                completed.pop(step.key, None)
    rows = []
    for step in procedure.steps:
        done = completed.get(step.key)
        if done is not None:
            state = "done"
        elif step.key == matter.step_key and matter.status == Status.OPEN:
            state = "current"
        else:
            state = "waiting"
        rows.append(
            ChecklistRow(
                key=step.key,
                label=step.label,
                state=state,
                completed_at=done.at if done else None,
                completed_by=done.actor.name if done and done.actor else "",
                missing=missing(matter, step) if state == "current" else [],
                returns=returns.get(step.key, 0),
            )
        )
    return rows


def deviations(
    matter,
    transitions: list[Transition] | None = None,
    *,
    escalated: bool = True,
    announced_late: bool = True,
    voted: bool = True,
) -> list[Deviation]:
    """What departs from the default eight steps: a shorter procedure (with its reason), returns, early closes.

    A caller that already knows there is no escalation or no late announcement says so, to save reading them."""
    found = []
    procedure = matter.procedure
    if procedure is not None and procedure.key != definitions.DEFAULT.key:
        own = {s.key for s in procedure.steps}
        skipped = [str(s.label) for s in definitions.DEFAULT.steps if s.key not in own]
        if procedure.needs_reason:
            found.append(
                Deviation(
                    "short_path",
                    _("Took “%(procedure)s”, leaving out: %(steps)s. Reason: %(reason)s")
                    % {
                        "procedure": procedure.label,
                        "steps": "、".join(skipped),
                        "reason": matter.procedure_reason,
                    },
                )
            )
    if transitions is None:
        transitions = transitions_of(matter)
    for t in (t for t in transitions if t.kind == TransitionKind.RETURN):
        step = procedure.step(t.from_step).label if procedure else t.from_step
        found.append(
            Deviation(
                "returned", _("Sent back from “%(step)s”: %(reason)s") % {"step": step, "reason": t.reason}
            )
        )
    if matter.status == Status.UNRESOLVED:
        found.append(
            Deviation("unresolved", _("Closed unresolved: %(reason)s") % {"reason": matter.public_reason})
        )
    if escalated:
        found += [Deviation("escalated", text) for text in escalation_notes(matter)]
    if announced_late:  # a meeting on this matter announced at short notice
        found += [Deviation("late_notice", text) for text in late_notices(matter)]
    if voted:  # an electorate recorded other than the body as seated that day
        found += [
            Deviation(
                "electorate_differs",
                _(
                    "The vote of %(date)s counted %(n)s as entitled, though %(seated)s sat in the body; who was: %(names)s"
                )
                % {
                    "date": formats.date_format(timezone.localtime(v.recorded_at), "DATE_FORMAT"),
                    "n": v.electorate,
                    "seated": v.seated,
                    "names": "、".join(v.entitled_names),
                },
            )
            for v in matter.vote_results.filter(seated__isnull=False).exclude(electorate=F("seated"))
        ]
    return found


STEP_ACTIONS = (
    "procedures.record_session",
    "procedures.draft_plan",
    "procedures.record_consensus",
    "procedures.review_plan",
    "procedures.record_vote",
    "procedures.assign_work",
    "procedures.publish_result",
)


def available_actions(user, matter, *, supports: bool | None = None) -> set[str]:
    """What ``user`` may do on ``matter`` right now (``offers.offers``, whose reasons say why the rest is closed).
    ``supports``: whether ``user`` supports the matter, when the caller has read it already."""
    return set(offers(user, matter, supports=supports).open)


# Step actions not in the role table: who takes them is decided per matter (its units, its residents).
_ACTORS_BY_ACTION = {
    "procedures.report_progress": _(
        "the units, the committee or the people given the tasks, reporting progress with photos"
    ),
    "procedures.confirm_work": _("the residents who raised or support it, confirming the work is done"),
}


@dataclass
class NextActors:
    step: str  # the label of the step that comes now
    hint: str
    who: list = field(default_factory=list)  # what each party does, in plain words
    then: str = ""  # the label of the step after it, "" at the last step


def who_acts(matter) -> NextActors | None:
    """What comes next on ``matter`` and who acts, from the procedure's data and the role table; None once the
    matter is closed. A new matter waits for the community to screen it."""

    def roles(action):
        return [str(Role(r).label) for r in Role if r in roles_for(action) and r != Role.ADMIN]

    if matter.status == Status.NEW:
        step = definitions.DEFAULT.first
        return NextActors(
            str(step.label),
            str(step.hint),
            [
                _("%(roles)s: accept, merge, refer or decline it")
                % {"roles": "、".join(roles("matters.screen_matter"))}
            ],
            str(definitions.DEFAULT.steps[1].label),
        )
    if matter.status != Status.OPEN or matter.procedure is None:
        return None
    procedure, step = matter.procedure, matter.step
    who = []
    for action in step.actions:
        if action in _ACTORS_BY_ACTION:
            who.append(str(_ACTORS_BY_ACTION[action]))
        elif action in STEP_ACTIONS:
            who.append(
                _("%(roles)s: %(action)s")
                % {"roles": "、".join(roles(action)), "action": _ACTION_WORDS.get(action, action)}
            )
    who.append(
        _("%(roles)s: complete the step once its evidence is in")
        % {"roles": "、".join(roles("procedures.advance"))}
    )
    after = procedure.next_after(step.key)
    return NextActors(
        str(step.label), str(step.hint), [str(w) for w in who], str(after.label) if after else ""
    )


_ACTION_WORDS = {
    "procedures.record_session": _("record the consultation and its ideas"),
    "procedures.draft_plan": _("draft the plan"),
    "procedures.record_consensus": _("record the consensus on a plan version"),
    "procedures.review_plan": _("review the plan and sign an opinion"),
    "procedures.record_vote": _("hold and record the representatives' vote"),
    "procedures.assign_work": _("give each part of the plan to a unit, the committee itself or a person"),
    "procedures.publish_result": _("post the result on the public board"),
}
