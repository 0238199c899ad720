"""Evidence checks: ``matter -> list of reasons`` (empty when satisfied), named in one mapping.

Each reason is written for a community worker: what is missing, in plain words.
"""

from collections.abc import Callable

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from yishi.matters.models import Status
from yishi.reviews.models import Decision
from yishi.works.models import WorkStatus
from yishi.works.queries import current_parts


def screened(matter) -> list:
    if matter.status == Status.NEW:
        return [_("The matter has not been screened yet.")]
    return []


def consultation_held(matter) -> list:
    sessions = list(matter.sessions.all())
    if not sessions:
        return [_("No consultation session has been recorded.")]
    if not any(s.ideas.exists() for s in sessions):
        return [_("The consultation session recorded no ideas.")]
    return []


def _latest_version(matter):
    return matter.plan_versions.order_by("-number").first()


def plan_drafted(matter) -> list:
    version = _latest_version(matter)
    if version is None:
        return [_("No plan has been drafted.")]
    parts = list(version.parts.all())
    if not parts:
        return [_("The plan does not yet say what is to be done by whom.")]
    if any(not (p.unit_id or p.responsible) for p in parts):
        return [_("Every part of the plan needs a responsible unit or person.")]
    if version.rejected_unchanged() is not None:
        return [
            _(
                "Version %(n)s of the plan was voted down: draft a new version, or give the reason for putting "
                "the same plan to the vote again (it is shown publicly)."
            )
            % {"n": version.number}
        ]
    return []


def consensus_recorded(matter) -> list:
    version = _latest_version(matter)
    if version is None:
        return [_("No plan has been drafted.")]
    if not matter.consensus_records.filter(version=version).exists():
        return [_("No meeting has yet agreed on version %(n)s of the plan.") % {"n": version.number}]
    return []


def required_reviews() -> tuple[str, ...]:
    return tuple(settings.YISHI_REQUIRED_REVIEWS)


def review_approved(matter) -> list:
    version = _latest_version(matter)
    if version is None:
        return [_("No plan has been drafted.")]
    reasons = []
    reviews = list(version.reviews.order_by("at", "pk"))
    for field in required_reviews():
        latest = [r for r in reviews if r.expertise == field]
        if not latest or latest[-1].decision != Decision.APPROVE:
            reasons.append(
                _("The expert review has not approved version %(n)s of the plan yet.") % {"n": version.number}
            )
            break
    return reasons


def vote_passed(matter) -> list:
    version = _latest_version(matter)
    result = (
        matter.vote_results.filter(version=version).order_by("-recorded_at", "-pk").first()
        if version
        else None
    )
    if result is None:
        return [_("The representatives have not voted on the plan yet.")]
    if not result.passed:
        return [_("The plan did not pass the representatives' vote.")]
    return []


def parts_assigned(matter) -> list:
    """谁负责谁执行: every part of the plan as it now stands is given to someone, by at least one task."""
    untasked = [part.what for part in current_parts(matter) if not part.tasked]
    if untasked:
        return [
            ngettext_lazy(
                "%(n)s part of the plan has no task yet: %(parts)s.",
                "%(n)s parts of the plan have no task yet: %(parts)s.",
                len(untasked),
            )
            % {"n": len(untasked), "parts": "、".join(f"“{what}”" for what in untasked)}
        ]
    return []


def works_confirmed(matter) -> list:
    works = list(matter.works.all())
    if not works:
        return [_("No tasks have been assigned.")]
    waiting = [w for w in works if w.status != WorkStatus.CONFIRMED]
    if waiting:
        return [
            ngettext_lazy(
                "%(n)s task is not yet confirmed by the residents.",
                "%(n)s tasks are not yet confirmed by the residents.",
                len(waiting),
            )
            % {"n": len(waiting)}
        ]
    return []


# The notice a step's evidence asks for, by the evidence's key: posting is the step's work (四议两公开's 决议公开
# and 实施结果公开, the eight steps' last). ``notice_due`` tells the board's service which kind the step posts.
NOTICE_EVIDENCE = {"resolution_published": "resolution", "result_published": "result"}


def notice_due(step) -> str | None:
    """The kind of notice ``step`` is completed by, or None when it is completed by something else."""
    for key in step.evidence if step is not None else ():
        if key in NOTICE_EVIDENCE:
            return NOTICE_EVIDENCE[key]
    return None


def _reported_since(matter, kind):
    """When what a notice of ``kind`` reports was settled: the vote that passed the latest plan (a resolution),
    or the last task confirmed by the residents (a result). None: nothing to wait for."""
    if kind == "resolution":
        version = _latest_version(matter)
        passed = (
            version.vote_results.filter(passed=True).order_by("-recorded_at").first() if version else None
        )
        return passed.recorded_at if passed else None
    confirmed = [w.confirmed_at for w in matter.works.all() if w.confirmed_at]
    return max(confirmed) if confirmed else None


def _notice_posted(kind):
    def check(matter) -> list:
        notices = matter.notices.filter(kind=kind)
        since = _reported_since(matter, kind)
        if since is not None and notices.exists() and not notices.filter(posted_at__gte=since).exists():
            early = notices.order_by("-posted_at").first()
            if kind == "resolution":
                text = _(
                    "The resolution notice of %(date)s was posted before the vote it reports: post the "
                    "resolution again now."
                )
            else:
                text = _(
                    "The result notice of %(date)s was posted before the residents confirmed the work: post the "
                    "result again now."
                )
            return [text % {"date": formats.date_format(timezone.localtime(early.posted_at), "DATE_FORMAT")}]
        if not notices.exists():
            if kind == "resolution":
                return [_("The resolution has not been posted on the public board.")]
            return [_("The result has not been posted on the public board.")]
        return []

    return check


CHECKS: dict[str, Callable] = {
    "screened": screened,
    "consultation_held": consultation_held,
    "plan_drafted": plan_drafted,
    "consensus_recorded": consensus_recorded,
    "review_approved": review_approved,
    "vote_passed": vote_passed,
    "parts_assigned": parts_assigned,
    "works_confirmed": works_confirmed,
    "resolution_published": _notice_posted("resolution"),
    "result_published": _notice_posted("result"),
}


def missing(matter, step) -> list:
    """Every reason the step's evidence is not yet complete, each once: checks that build on one another (a
    consensus needs a plan) would otherwise each say the plan is missing."""
    reasons: list = []
    for key in step.evidence:
        reasons += [r for r in CHECKS[key](matter) if str(r) not in map(str, reasons)]
    return reasons
