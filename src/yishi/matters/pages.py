"""Everything the matter page and the dossier show, gathered in a fixed number of queries."""


from yishi.plans.services import diff
from yishi.procedures.models import Transition
from yishi.procedures.queries import available_actions, checklist, deviations
from yishi.works.models import Work

from . import forms
from .presenters import is_own, submitter_label


def _forms(matter, actions: set[str], bound: dict) -> dict:
    from .views import units_for

    step = matter.step
    units = units_for(matter) if actions & {"procedures.draft_plan", "procedures.assign_work"} else None
    fresh = {
        "screen": ("matters.screen_matter", lambda: forms.ScreenForm()),
        "merge": ("matters.merge_matter", lambda: forms.MergeForm()),
        "advance": ("procedures.advance", lambda: forms.AdvanceForm(initial={"expected_step": matter.step_key})),
        "return": ("procedures.return", lambda: forms.ReturnForm(initial={
            "expected_step": matter.step_key, "step": step.returns_to[0] if step and step.returns_to else ""})),
        "withdraw": ("procedures.withdraw", lambda: forms.ReasonForm()),
        "close": ("procedures.close_unresolved", lambda: forms.ReasonForm()),
        "session": ("procedures.record_session", lambda: forms.SessionForm()),
        "plan": ("procedures.draft_plan", lambda: forms.PlanForm(units=units)),
        "consensus": ("procedures.record_consensus", lambda: forms.ConsensusForm()),
        "review": ("procedures.review_plan", lambda: forms.ReviewForm()),
        "vote": ("procedures.record_vote", lambda: forms.VoteForm()),
        "work": ("procedures.assign_work", lambda: forms.WorkForm(units=units)),
        "publish": ("procedures.publish_result", lambda: forms.PublishForm()),
    }
    return {name: bound.get(name) or make() for name, (action, make) in fresh.items() if action in actions}


def matter_context(request, matter, bound: dict, dossier: bool = False) -> dict:
    user = request.user
    actions = set() if dossier else available_actions(user, matter)
    versions = list(matter.plan_versions.prefetch_related("parts__unit", "reviews__reviewer").order_by("number"))
    version_rows = [{"version": v, "diff": diff(versions[i - 1] if i else None, v)} for i, v in enumerate(versions)]
    works = list(
        Work.objects.filter(matter=matter).select_related("unit", "assignee")
        .prefetch_related("reports", "supervisions").order_by("due_on", "pk")
    )
    from yishi.works.services import is_responsible

    work_rows = [{
        "work": w,
        "can_report": not dossier and matter.status == "open" and is_responsible(user, w),
        "can_supervise": not dossier and "procedures.confirm_work" in actions and w.status == "done",
        "report_form": bound.get(f"report_{w.pk}") or forms.ReportForm(),
        "supervise_form": bound.get(f"supervise_{w.pk}") or forms.SuperviseForm(),
    } for w in works]
    return {
        "matter": matter,
        "submitter": submitter_label(matter, user),
        "own": is_own(matter, user),
        "checklist": checklist(matter),
        "deviations": deviations(matter),
        "photos": list(matter.photos.all()),
        "sessions": list(matter.sessions.prefetch_related("ideas").order_by("held_at", "pk")),
        "versions": version_rows,
        "consensus": list(matter.consensus_records.select_related("version").order_by("recorded_at", "pk")),
        "votes": list(matter.vote_results.select_related("version").order_by("recorded_at", "pk")),
        "works": work_rows,
        "notices": list(matter.notices.order_by("posted_at", "pk")),
        "history": list(Transition.objects.filter(matter=matter).select_related("actor").order_by("at", "pk")),
        "merged_from": list(matter.merged_from.all()),
        "actions": actions,
        "forms": _forms(matter, actions, bound),
        "dossier": dossier,
    }
