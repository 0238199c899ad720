"""Implementation (step 7): tasks assigned to units, progress reported, confirmed by the residents who benefit.

谁负责谁执行: the unit (or person) responsible reports. 谁受益谁监督: the residents who raised or supported the
matter confirm the work, rate it, or say it is not fixed, which reopens it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.queries import active_roles, can
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused
from yishi.matters.models import Matter, Support
from yishi.procedures.services import require_step, require_step_action
from yishi.regions.models import Unit
from yishi.regions.queries import units_serving
from yishi.uploads import clean_photo

from .models import ProgressReport, Satisfaction, Supervision, Verdict, Work, WorkStatus


@transaction.atomic
def assign_work(
    *, actor, matter: Matter, title: str, due_on, unit: Unit | None = None, assignee=None, part=None
) -> Work:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    require_step_action(actor, matter, "procedures.assign_work")
    title = (title or "").strip()
    if not title:
        raise Refused(_("Say what the task is."), "title_required", field="title")
    if unit is None and assignee is None:
        raise Refused(_("Name the responsible unit or person."), "responsible_required", field="unit")
    if due_on is None:
        raise Refused(_("Give a due date."), "due_required", field="due_on")
    if unit is not None and not units_serving(matter.region).filter(pk=unit.pk).exists():
        raise Refused(
            _("%(unit)s does not serve this place.") % {"unit": unit.name}, "unit_not_serving", field="unit"
        )
    if part is not None and part.version.matter_id != matter.pk:
        raise Refused(_("That plan part belongs to another matter."), "part_mismatch", field="part")
    work = Work.objects.create(
        matter=matter,
        part=part,
        title=title[:200],
        unit=unit,
        assignee=assignee,
        due_on=due_on,
        assigned_by=actor,
    )
    record(
        actor=actor,
        action=Action.WORKS_ASSIGN_WORK,
        target=work,
        data={"matter": matter.pk, "unit": unit.pk if unit else None, "due_on": due_on.isoformat()},
    )
    figures_hooks.changed(work)
    return work


def is_responsible(actor, work: Work) -> bool:
    """The unit's own staff, the person assigned, or the committee where the matter is."""
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


def _locked_work(work: Work) -> Work:
    work = Work.objects.select_for_update().select_related("matter").get(pk=work.pk)
    Matter.objects.select_for_update().filter(pk=work.matter_id).first()
    return work


@transaction.atomic
def report_progress(*, actor, work: Work, text: str, done: bool = False, photo=None) -> ProgressReport:
    work = _locked_work(work)
    matter = work.matter
    if not is_responsible(actor, work):
        raise Refused(_("Only the responsible unit reports on this task."), Refused.FORBIDDEN)
    require_step(matter, "procedures.report_progress")
    if work.status == WorkStatus.CONFIRMED:
        raise Refused(_("This task is already confirmed by the residents."), "already_confirmed")
    text = (text or "").strip()
    if not text:
        raise Refused(_("Say what has been done."), "text_required", field="text")
    report = ProgressReport(work=work, text=text[:2000], done=done, by=actor)
    if photo is not None:
        content, _w, _h = clean_photo(photo)
        report.photo.save(content.name, content, save=False)
    report.save()
    if done:
        Work.objects.filter(pk=work.pk).update(status=WorkStatus.DONE, done_at=timezone.now())
    record(
        actor=actor,
        action=Action.WORKS_REPORT_PROGRESS,
        target=work,
        data={"done": done, "photo": photo is not None},
    )
    figures_hooks.changed(work)
    return report


@transaction.atomic
def supervise(*, actor, work: Work, verdict: str, rating: int | None = None, reason: str = "") -> Supervision:
    work = _locked_work(work)
    matter = work.matter
    if not supervises(actor, matter):
        raise Refused(
            _("Only the residents who raised or supported this matter confirm its tasks."), Refused.FORBIDDEN
        )
    require_step(matter, "procedures.confirm_work")
    if verdict not in Verdict.values:
        raise Refused(_("Say whether it is fixed."), "invalid_verdict", field="verdict")
    if work.status != WorkStatus.DONE:
        raise Refused(_("The unit has not reported this task finished yet."), "not_done")
    if rating is not None and not (1 <= rating <= 5):
        raise Refused(_("A rating is 1 to 5 stars."), "invalid_rating", field="rating")
    reason = (reason or "").strip()
    if verdict == Verdict.REOPEN and not reason:
        raise Refused(
            _("Say what is still wrong, so the unit can fix it."), "reason_required", field="reason"
        )
    supervision = Supervision.objects.create(
        work=work, supervisor=actor, verdict=verdict, rating=rating, reason=reason[:2000]
    )
    if verdict == Verdict.CONFIRM:
        Work.objects.filter(pk=work.pk).update(status=WorkStatus.CONFIRMED, confirmed_at=timezone.now())
    else:
        Work.objects.filter(pk=work.pk).update(status=WorkStatus.OPEN, done_at=None)
    # A back-to-back submitter's verdict must not carry their pseudonym: it would tie them to the matter.
    hidden = matter.back_to_back and actor.pk == matter.submitter_id
    record(
        actor=None if hidden else actor,
        action=Action.WORKS_SUPERVISE,
        target=work,
        data={"verdict": verdict, "rating": rating},
    )
    figures_hooks.changed(work)
    return supervision


def may_rate(actor, matter: Matter, *, supports: bool | None = None) -> bool:
    """Residents who raised or supported a matter rate its result once it is being published or resolved."""
    from yishi.matters.models import Status

    at_last_step = matter.status == Status.OPEN and matter.procedure.next_after(matter.step_key) is None
    return (at_last_step or matter.status == Status.RESOLVED) and supervises(actor, matter, supports=supports)


@transaction.atomic
def rate_result(*, actor, matter: Matter, rating: int, comment: str = "") -> Satisfaction:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if not may_rate(actor, matter):
        raise Refused(
            _(
                "Only the residents who raised or supported this matter rate its result, once it is "
                "being published."
            ),
            Refused.FORBIDDEN,
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Refused(_("A rating is 1 to 5 stars."), "invalid_rating", field="rating")
    satisfaction, _created = Satisfaction.objects.update_or_create(
        matter=matter,
        person=actor,
        defaults={"rating": rating, "comment": (comment or "").strip()[:1000], "at": timezone.now()},
    )
    hidden = matter.back_to_back and actor.pk == matter.submitter_id
    record(
        actor=None if hidden else actor,
        action=Action.WORKS_RATE_RESULT,
        target=matter,
        data={"rating": rating},
    )
    figures_hooks.changed(matter)
    return satisfaction
