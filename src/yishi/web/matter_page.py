"""The matter page and the dossier: what they show, from every app, gathered in a fixed number of queries.

The number of queries does not grow with the number of sessions, ideas, plan versions and parts, tasks,
reports or supervisions: each list is one query with its children prefetched, and a list the first facts query
finds empty is not read at all. The procedure's transitions are read once and handed to every reader.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Value, prefetch_related_objects
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from yishi.access.models import RoleAssignment
from yishi.funds import queries as fund_queries
from yishi.funds.models import ChargeRule
from yishi.matters import forms
from yishi.matters.models import Matter, Photo, Status, Support
from yishi.matters.presenters import is_own, submitter_label
from yishi.meetings.forms import ConsultationForm
from yishi.meetings.models import Announcement, Session
from yishi.notices.forms import PublishForm
from yishi.notices.models import Notice
from yishi.plans import forms as plan_forms
from yishi.plans.models import Consensus, PlanPart, PlanVersion, Resubmission
from yishi.plans.services import diff
from yishi.procedures import definitions
from yishi.procedures import forms as procedure_forms
from yishi.procedures.evidence import notice_due
from yishi.procedures.models import Transition
from yishi.procedures.offers import NOTHING, WORK_ACTIONS, offers
from yishi.procedures.queries import checklist, deviations, transitions_of, who_acts
from yishi.regions.queries import units_serving
from yishi.reminders.models import Escalation
from yishi.reviews.forms import ReviewForm
from yishi.reviews.models import Review
from yishi.surveys import queries as survey_queries
from yishi.surveys.models import Survey
from yishi.votes import queries as vote_queries
from yishi.votes.counting import seated
from yishi.votes.forms import VoteResultForm, deciding_bodies
from yishi.votes.models import Vote, VoteResult
from yishi.works import forms as work_forms
from yishi.works.models import Work
from yishi.works.queries import current_parts, satisfaction_columns, satisfaction_from


def units_for(matter):
    return units_serving(matter.region)


@dataclass(frozen=True)
class PageFacts:
    """What the matter page learns in one query before it reads any list: which of the matter's lists have
    rows (an empty list is then not read at all), whether the viewer supports it, and the residents' rating."""

    filled: frozenset
    supports: bool
    satisfaction: dict

    def has(self, name: str) -> bool:
        return name in self.filled


def page_facts(matter: Matter, viewer) -> PageFacts:
    here = OuterRef("pk")
    lists = {
        "photos": Photo.objects.filter(matter=here),
        "sessions": Session.objects.filter(matter=here),
        "versions": PlanVersion.objects.filter(matter=here),
        "consensus": Consensus.objects.filter(matter=here),
        "resubmissions": Resubmission.objects.filter(matter=here),
        "votes": VoteResult.objects.filter(matter=here),
        "works": Work.objects.filter(matter=here),
        "notices": Notice.objects.filter(matter=here),
        "transitions": Transition.objects.filter(matter=here),
        "merged_from": Matter.objects.filter(merged_into=here),
        "escalations": Escalation.objects.filter(work__matter=here),
        "late_notices": Announcement.objects.filter(matters=here, late=True),
        # What else was decided or asked about the matter, each where anyone may read it.
        "online_votes": Vote.objects.filter(vote_queries.PUBLIC, matter=here),
        "surveys": Survey.objects.filter(survey_queries.PUBLIC, matter=here),
        "charge_rules": ChargeRule.objects.filter(fund_queries.PUBLIC, matter=here),
    }
    signed_in = viewer is not None and viewer.is_authenticated
    supports = Exists(Support.objects.filter(matter=here, person=viewer.pk)) if signed_in else Value(False)
    row = (
        Matter.objects.filter(pk=matter.pk)
        .order_by()
        .values(
            viewer_supports=supports,
            **{f"has_{name}": Exists(q) for name, q in lists.items()},
            **satisfaction_columns(),
        )
        .get()
    )
    return PageFacts(
        frozenset(name for name in lists if row[f"has_{name}"]),
        bool(row["viewer_supports"]),
        satisfaction_from(row),
    )


# name on the page -> (the action that shows it, how to build it empty)
def _fresh_forms(matter, units, part=None) -> dict:
    """``part``: the plan part a task is asked for (``?part=``), which the task form starts from."""
    step = matter.step
    first_return = step.returns_to[0] if step and step.returns_to else ""

    def make(name, cls, **kwargs):
        return lambda: cls(auto_id=forms.auto_id(name), **kwargs)

    return {
        "screen": ("matters.screen_matter", make("screen", forms.ScreenForm)),
        "merge": ("matters.merge_matter", make("merge", forms.MergeForm)),
        "advance": (
            "procedures.advance",
            make("advance", procedure_forms.AdvanceForm, initial={"expected_step": matter.step_key}),
        ),
        "return": (
            "procedures.return",
            make(
                "return",
                procedure_forms.ReturnForm,
                initial={"expected_step": matter.step_key, "step": first_return},
            ),
        ),
        "withdraw": ("procedures.withdraw", make("withdraw", procedure_forms.ReasonForm)),
        "close": ("procedures.close_unresolved", make("close", procedure_forms.ReasonForm)),
        "session": ("procedures.record_session", make("session", ConsultationForm)),
        "plan": ("procedures.draft_plan", make("plan", plan_forms.PlanForm, units=units)),
        "resubmit": ("procedures.draft_plan", make("resubmit", procedure_forms.ReasonForm)),
        "consensus": ("procedures.record_consensus", make("consensus", plan_forms.ConsensusForm)),
        "review": ("procedures.review_plan", make("review", ReviewForm)),
        "vote": ("procedures.record_vote", lambda: _vote_form(matter)),
        "work": (
            "procedures.assign_work",
            lambda: work_forms.WorkForm(
                auto_id=forms.auto_id("work"), units=units, parts=current_parts(matter), part=part
            ),
        ),
        "publish": ("procedures.publish_result", lambda: _publish_form(matter, notice_due(step))),
        "rate": ("procedures.rate_result", make("rate", work_forms.RateForm)),
        "record_support": ("matters.record_support", make("support", forms.SupportForm)),
    }


def _publish_form(matter, due):
    """The notice the step posts; a resolution's text starts from the result in words, as the body decided it."""
    initial = {}
    passed = matter.vote_results.filter(passed=True).order_by("-recorded_at", "-pk").first()
    if due == "resolution" and passed is not None:
        initial["body"] = f"{passed.preset.label}：{passed.statement}"
    return PublishForm(auto_id=forms.auto_id("publish"), due=due, initial=initial)


def _vote_form(matter):
    bodies = deciding_bodies(matter)
    return VoteResultForm(
        auto_id=forms.auto_id("vote"), bodies=bodies, seated=seated(bodies[0][0], matter.region)
    )


def _forms(matter, actions, bound: dict, part=None, latest_voted_down: bool = False) -> dict:
    units = units_for(matter) if actions & {"procedures.draft_plan", "procedures.assign_work"} else None
    shown = {}
    for name, (action, make) in _fresh_forms(matter, units, part).items():
        if action in actions and (name != "resubmit" or latest_voted_down):
            shown[name] = bound.get("support" if name == "record_support" else name) or make()
    return shown


def _refusals(bound: dict) -> list[str]:
    """Every error of the form just sent, in words, for the summary at the top of the page."""
    out = []
    for form in bound.values():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field != NON_FIELD_ERRORS and field in form.fields else None
            for error in errors:
                out.append(f"{label}: {error}" if label else str(error))
    return out


def _steps(matter, transitions) -> tuple[str, list]:
    """The step indicator: the procedure's name and its rows. A new matter shows the default procedure at
    its first step, with what is missing; a matter closed at screening shows none."""
    rows = checklist(matter, transitions)
    if matter.procedure is not None:
        return matter.procedure.label, rows
    return (definitions.DEFAULT.label, rows) if rows else ("", [])


def _step_label(procedure_key: str, step_key: str) -> str:
    try:
        return definitions.get(procedure_key).step(step_key).label
    except KeyError:
        return step_key


def _actor_labels(matter, actors: set[int], submitter: str) -> dict[int, str]:
    """How each person who moved the matter appears on its timeline: by the role they hold over the matter's
    region (its title when it has one) and their name. The submitter appears as ``submitter`` (the presenter's
    label), so a back-to-back submitter who withdraws stays hidden. One query for every actor together."""
    labels: dict[int, str] = {}
    if matter.submitter_id in actors:
        labels[matter.submitter_id] = submitter
    others = actors - set(labels)
    if not others:
        return labels
    held = (
        RoleAssignment.objects.active()
        .filter(person__in=others)
        .select_related("person", "region")
        .order_by("-region__level", "pk")
    )
    for a in held:
        if a.person_id in labels or not a.region.contains(matter.region):
            continue
        labels[a.person_id] = f"{a.title or a.get_role_display()} {a.person.name}"
    for pk in others - set(labels):
        labels[pk] = str(_("a member of staff"))  # whose role has since been revoked
    return labels


def _history(matter, transitions, submitter: str) -> list[dict]:
    """Raised, every step change, and a close at screening (declined, referred, merged), oldest first, each with
    who acted (see ``_actor_labels``) and the step it concerns in the report's words."""
    rows = [
        {
            "at": matter.raised_at,
            "kind": _("matter raised"),
            "reason": matter.get_channel_display(),
            "to": "",
            "step": "",
            "who": submitter,
        }
    ]
    labels = _actor_labels(matter, {t.actor_id for t in transitions if t.actor_id}, submitter)
    for t in transitions:
        rows.append(
            {
                "at": t.at,
                "kind": t.get_kind_display(),
                "reason": t.reason,
                "to": _step_label(t.procedure_key, t.to_step)
                if t.kind in ("start", "advance", "return")
                else "",
                "step": _step_label(t.procedure_key, t.from_step) if t.from_step else "",
                "who": labels.get(t.actor_id, "") if t.actor_id else str(_("the system")),
            }
        )
    # A close at screening is a transition since the engine made it one; earlier ones left only the matter's
    # own fields.
    recorded = any(t.kind in ("decline", "refer", "merge") for t in transitions)
    if matter.procedure is None and matter.status != Status.NEW and matter.closed_at and not recorded:
        rows.append(
            {
                "at": matter.closed_at,
                "kind": matter.get_status_display(),
                "reason": matter.public_reason,
                "to": "",
                "step": "",
                "who": "",
            }
        )
    return rows


def _sessions(matter) -> list:
    # Onto the matter itself, so the evidence check of a consultation step reads these sessions and their ideas
    # rather than asking again for each session.
    prefetch_related_objects(
        [matter],
        Prefetch("sessions", queryset=Session.objects.prefetch_related("ideas").order_by("held_at", "pk")),
    )
    return list(matter.sessions.all())


def _versions(matter) -> list:
    return list(
        PlanVersion.objects.filter(matter=matter)
        .prefetch_related(
            Prefetch("parts", queryset=PlanPart.objects.select_related("unit")),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
        )
        .order_by("number")
    )


# How each action is named where the page says why it is not open (the headings of its form). Supporting one's
# own name has its place beside the count of supporters.
_ACTION_LABELS = {
    "matters.screen_matter": _("Screen the matter (研究协商议题)"),
    "procedures.record_session": _("Record a consultation session"),
    "procedures.draft_plan": _("Draft a plan version"),
    "procedures.record_consensus": _("Record the consensus on the latest version"),
    "procedures.review_plan": _("Your expert review of the latest version"),
    "procedures.record_vote": _("Record the representatives' vote"),
    "procedures.assign_work": _("Assign a task"),
    "procedures.confirm_work": _("Confirm the tasks are done"),
    "procedures.publish_result": _("Post a notice on the public board"),
    "procedures.advance": _("Complete this step"),
    "procedures.return": _("Send back to an earlier step"),
    "matters.merge_matter": _("Merge this duplicate into another matter"),
    "matters.record_support": _("Add the name of a resident who came in person"),
    "procedures.withdraw": _("Withdraw the matter"),
    "procedures.rate_result": _("Rate the result"),
    "procedures.close_unresolved": _("Close unresolved"),
}


def _closed(offered) -> list[dict]:
    """Why each action the person is entitled to is not open, in the words the service refuses with: one line
    for each reason, naming the actions it closes."""
    lines: dict[str, list[str]] = {}
    for action, label in _ACTION_LABELS.items():
        reason = offered.why_not(action)
        if reason:
            lines.setdefault(reason, []).append(str(label))
    return [{"reason": reason, "actions": actions} for reason, actions in lines.items()]


def matter_context(request, matter, bound: dict, dossier: bool = False) -> dict:
    user = request.user
    facts = page_facts(matter, user)

    def read(name, rows):
        """A list the page shows, not read at all when the facts say it is empty."""
        return rows() if facts.has(name) else []

    offered = NOTHING if dossier else offers(user, matter, supports=facts.supports)
    actions = offered.open
    closed = _closed(offered)
    said = {line["reason"] for line in closed}
    versions = read("versions", lambda: _versions(matter))
    version_rows = [
        {"version": v, "diff": diff(versions[i - 1] if i else None, v)} for i, v in enumerate(versions)
    ]
    works = read(
        "works",
        lambda: list(
            Work.objects.filter(matter=matter)
            .select_related("unit", "assignee")
            .prefetch_related("reports", "supervisions")
            .order_by("due_on", "pk")
        ),
    )
    work_rows = []
    for w in works:
        w.matter = matter  # the responsibility check reads it: one matter, not one query per task
        on_work = offered.for_work(w)
        work_rows.append(
            {
                "work": w,
                "can_report": "procedures.report_progress" in on_work,
                "can_supervise": "procedures.confirm_work" in on_work,
                # Why not, when it is about this task: what closes the whole matter is said once, below.
                "why_not": [
                    text for text in (on_work.why_not(a) for a in WORK_ACTIONS) if text and text not in said
                ],
                "report_form": bound.get(f"report_{w.pk}")
                or work_forms.ReportForm(auto_id=forms.auto_id(f"report_{w.pk}")),
                "supervise_form": bound.get(f"supervise_{w.pk}")
                or work_forms.SuperviseForm(auto_id=forms.auto_id(f"supervise_{w.pk}")),
            }
        )
    sessions = read("sessions", lambda: _sessions(matter))
    transitions = read("transitions", lambda: transitions_of(matter))
    procedure_label, steps = _steps(matter, transitions)
    submitter = submitter_label(matter, user)
    return {
        "matter": matter,
        "submitter": submitter,
        "own": is_own(matter, user),
        "supports": facts.supports,
        "procedure_label": procedure_label,
        "checklist": steps,
        "deviations": deviations(
            matter,
            transitions,
            escalated=facts.has("escalations"),
            announced_late=facts.has("late_notices"),
            voted=facts.has("votes"),
        ),
        "photos": read("photos", lambda: list(matter.photos.all())),
        "sessions": sessions,
        "versions": version_rows,
        "consensus": read(
            "consensus",
            lambda: list(matter.consensus_records.select_related("version").order_by("recorded_at", "pk")),
        ),
        "votes": read(
            "votes", lambda: list(matter.vote_results.select_related("version").order_by("recorded_at", "pk"))
        ),
        "works": work_rows,
        "notices": read("notices", lambda: list(matter.notices.order_by("posted_at", "pk"))),
        "satisfaction": facts.satisfaction,
        "history": _history(matter, transitions, submitter),
        "next": who_acts(matter),
        "merged_from": read("merged_from", lambda: list(matter.merged_from.all())),
        "online_votes": read(
            "online_votes",
            lambda: list(Vote.objects.filter(vote_queries.PUBLIC, matter=matter).order_by("pk")),
        ),
        "surveys": read(
            "surveys",
            lambda: list(Survey.objects.filter(survey_queries.PUBLIC, matter=matter).order_by("pk")),
        ),
        "charge_rules": read(
            "charge_rules",
            lambda: list(ChargeRule.objects.filter(fund_queries.PUBLIC, matter=matter).order_by("pk")),
        ),
        "actions": actions,
        "closed": closed,
        "why_not_support": offered.why_not("matters.support"),
        # Someone not logged in is asked to, where a logged-in resident could add their name.
        "login_to_support": not user.is_authenticated and not dossier and not matter.is_closed,
        "resubmissions": read(
            "resubmissions", lambda: list(matter.resubmissions.select_related("version").order_by("at", "pk"))
        ),
        "forms": _forms(
            matter,
            actions,
            bound,
            part=request.GET.get("part"),
            # the way back to the vote for a plan voted down: a new version, or the same one with a reason
            latest_voted_down="procedures.draft_plan" in actions
            and facts.has("votes")
            and bool(versions)
            and versions[-1].rejected_unchanged() is not None,
        ),
        "refusals": _refusals(bound),
        "dossier": dossier,
    }
