"""Implementation (step 7): tasks given to units, the committee or named people, progress reported, confirmed by
the residents who benefit.

谁负责谁执行: the unit, the committee or the person responsible reports. 谁受益谁监督: the residents who raised or supported the
matter confirm the work, rate it, or say it is not fixed, which reopens it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.people.actors import Actor, acting_person, person_of
from yishi.people.lookup import person_by_phone
from yishi.procedures.predicates import may_assign_work
from yishi.regions.models import Unit
from yishi.regions.queries import units_serving
from yishi.uploads import clean_photo

from .models import ProgressReport, Satisfaction, Supervision, Verdict, Work, WorkStatus
from .predicates import is_responsible as is_responsible  # kept importable from here, where they were
from .predicates import may_confirm_work, may_rate_result, may_report_progress
from .predicates import may_rate as may_rate
from .predicates import supervises as supervises


@transaction.atomic
def assign_work(
    *,
    actor: Actor,
    matter: Matter,
    title: str = "",
    due_on=None,
    part=None,
    unit: Unit | None = None,
    to_committee: bool = False,
    assignee=None,
    phone: str = "",
) -> Work:
    """Give a task to exactly one: a unit serving the matter's place, the committee (两委) of its community itself,
    or a person (``assignee``, or the person registered with ``phone``, found as ``people.lookup`` finds anyone).

    A task that carries out ``part`` of the plan as it now stands takes the part's words, its date and the unit
    it names, where they are not given; a part the plan gives to someone else (its ``responsible`` text) needs
    the committee or a person named."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_assign_work(actor, matter))
    if part is not None:
        if part.version.matter_id != matter.pk:
            raise Refused(_("That plan part belongs to another matter."), "part_mismatch", field="part")
        latest = matter.plan_versions.order_by("-number").values_list("pk", flat=True).first()
        if part.version_id != latest:
            raise Refused(
                _(
                    "That part is from an earlier version of the plan; choose a part of the plan as it now stands."
                ),
                "part_outdated",
                field="part",
            )
    title = (title or "").strip() or (part.what if part is not None else "")
    if not title:
        raise Refused(_("Say what the task is."), "title_required", field="title")
    phone = (phone or "").strip()
    named = [unit is not None, bool(to_committee), assignee is not None, bool(phone)]
    if sum(named) > 1:
        raise Refused(
            _("Give the task to one only: a unit, the community committee, or one person."),
            "responsible_ambiguous",
            field="responsible",
        )
    if not any(named):
        if part is not None and part.unit_id:
            unit = part.unit
        elif part is not None and part.responsible:
            raise Refused(
                _(
                    "The plan gives “%(what)s” to “%(who)s”: give the task to the community committee, or to "
                    "that person by their mobile number."
                )
                % {"what": part.what, "who": part.responsible},
                "responsible_required",
                field="responsible",
            )
        else:
            raise Refused(
                _(
                    "Say who carries out the task: a responsible unit, the community committee, or a person by "
                    "their mobile number."
                ),
                "responsible_required",
                field="responsible",
            )
    due_on = due_on or (part.due_on if part is not None else None)
    if due_on is None:
        raise Refused(_("Give a due date."), "due_required", field="due_on")
    if unit is not None and not units_serving(matter.region).filter(pk=unit.pk).exists():
        raise Refused(
            _("%(unit)s does not serve this place.") % {"unit": unit.name}, "unit_not_serving", field="unit"
        )
    if phone:
        # Unknown and closed numbers are answered alike, and only to someone who may assign (asked above).
        assignee = person_by_phone(actor, phone, action="procedures.assign_work", target=matter)
    work = Work.objects.create(
        matter=matter,
        part=part,
        title=title[:200],
        unit=unit,
        to_committee=bool(to_committee),
        assignee=assignee,
        due_on=due_on,
        assigned_by=acting_person(actor),
    )
    record(
        actor=actor,
        action=Action.WORKS_ASSIGN_WORK,
        target=work,
        data={
            "matter": matter.pk,
            "part": part.pk if part is not None else None,
            "to": str(work.responsible),
            "unit": unit.pk if unit else None,
            "due_on": due_on.isoformat(),
        },
        personal={"assignee": assignee.pk} if assignee is not None else None,
    )
    figures_hooks.changed(work)
    return work


def _locked_work(work: Work) -> Work:
    work = Work.objects.select_for_update().select_related("matter").get(pk=work.pk)
    Matter.objects.select_for_update().filter(pk=work.matter_id).first()
    return work


@transaction.atomic
def report_progress(*, actor: Actor, work: Work, text: str, done: bool = False, photo=None) -> ProgressReport:
    work = _locked_work(work)
    matter = work.matter
    enforce(may_report_progress(actor, matter, work))
    text = (text or "").strip()
    if not text:
        raise Refused(_("Say what has been done."), "text_required", field="text")
    report = ProgressReport(work=work, text=text[:2000], done=done, by=acting_person(actor))
    if photo is not None:
        content, _w, _h = clean_photo(photo)
        assert content.name is not None  # noqa: S101 - clean_photo names the file it makes
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
def supervise(
    *, actor: Actor, work: Work, verdict: str, rating: int | None = None, reason: str = ""
) -> Supervision:
    work = _locked_work(work)
    matter = work.matter
    enforce(may_confirm_work(actor, matter, work))
    if verdict not in Verdict.values:
        raise Refused(_("Say whether it is fixed."), "invalid_verdict", field="verdict")
    if rating is not None and not (1 <= rating <= 5):
        raise Refused(_("A rating is 1 to 5 stars."), "invalid_rating", field="rating")
    reason = (reason or "").strip()
    if verdict == Verdict.REOPEN and not reason:
        raise Refused(
            _("Say what is still wrong, so the unit can fix it."), "reason_required", field="reason"
        )
    supervision = Supervision.objects.create(
        work=work, supervisor=person_of(actor), verdict=verdict, rating=rating, reason=reason[:2000]
    )
    if verdict == Verdict.CONFIRM:
        Work.objects.filter(pk=work.pk).update(status=WorkStatus.CONFIRMED, confirmed_at=timezone.now())
    else:
        Work.objects.filter(pk=work.pk).update(status=WorkStatus.OPEN, done_at=None)
    # A back-to-back submitter's verdict must not carry their pseudonym: it would tie them to the matter.
    hidden = matter.back_to_back and person_of(actor).pk == matter.submitter_id
    record(
        actor=None if hidden else actor,
        action=Action.WORKS_SUPERVISE,
        target=work,
        data={"verdict": verdict, "rating": rating},
    )
    figures_hooks.changed(work)
    return supervision


@transaction.atomic
def rate_result(*, actor: Actor, matter: Matter, rating: int, comment: str = "") -> Satisfaction:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_rate_result(actor, matter))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Refused(_("A rating is 1 to 5 stars."), "invalid_rating", field="rating")
    satisfaction, _created = Satisfaction.objects.update_or_create(
        matter=matter,
        person=acting_person(actor),
        defaults={"rating": rating, "comment": (comment or "").strip()[:1000], "at": timezone.now()},
    )
    hidden = matter.back_to_back and person_of(actor).pk == matter.submitter_id
    record(
        actor=None if hidden else actor,
        action=Action.WORKS_RATE_RESULT,
        target=matter,
        data={"rating": rating},
    )
    figures_hooks.changed(matter)
    return satisfaction
