"""Posting notices on the public board, objections to them and the replies. A matter's result notice
completes its last step; a meeting's announcement, change and cancellation are posted by the meetings app."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.people.actors import Actor, acting_person, person_of
from yishi.procedures.evidence import notice_due
from yishi.procedures.services import require_step_action
from yishi.regions.models import Level

from . import predicates, rules
from .models import Notice, NoticeKind, Objection, Reply

DEFAULT_PERIOD_DAYS = rules.POSTING_DAYS
MAX_PERIOD_DAYS = 365


def board_of(region):
    """Matters are posted on their community's (or village's) board."""
    if region.level <= Level.COMMUNITY:
        return region
    return region.ancestors().filter(level=Level.COMMUNITY).first() or region


def post_notice(
    *,
    actor: Actor,
    region,
    kind: str,
    title: str,
    body: str,
    period_days: int,
    matter=None,
    replaces: Notice | None = None,
) -> Notice:
    """Post a notice on ``region``'s board. The caller checks authority and holds the transaction."""
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise Refused(_("The posting period is 1 to 365 days."), "invalid_period", field="period_days")
    notice = Notice.objects.create(
        region=region,
        matter=matter,
        kind=kind,
        title=str(title)[:150],
        body=str(body)[:10000] or "—",
        posted_at=timezone.now(),
        period_days=period_days,
        posted_by=acting_person(actor) if _is_person(actor) else None,
        replaces=replaces,
    )
    data = {"kind": kind, "region": region.pk, "period_days": period_days}
    if matter is not None:
        data["matter"] = matter.pk
    if replaces is not None:
        data["replaces"] = replaces.pk
    record(actor=actor, action=Action.NOTICES_PUBLISH, target=notice, data=data)
    return notice


def _is_person(actor: Actor) -> bool:
    return actor is not None and actor.is_authenticated


@transaction.atomic
def publish_result(
    *,
    actor: Actor,
    matter: Matter,
    title: str,
    body: str,
    kind: str = NoticeKind.RESULT,
    period_days: int = DEFAULT_PERIOD_DAYS,
) -> Notice:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    require_step_action(actor, matter, "procedures.publish_result")
    if kind not in (NoticeKind.RESULT, NoticeKind.RESOLUTION):
        raise Refused(_("Unknown kind of notice."), "invalid_kind", field="kind")
    due = notice_due(matter.step)
    if due is not None and kind != due:
        if due == NoticeKind.RESOLUTION:
            text = _(
                "This step posts the resolution; the result is posted once the work is done and confirmed."
            )
        else:
            text = _("This step posts the result of the work; the resolution was posted at its own step.")
        raise Refused(text, "wrong_kind", field="kind")
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise Refused(_("A notice needs a title and a text."), "notice_incomplete")
    return post_notice(
        actor=actor,
        region=board_of(matter.region),
        matter=matter,
        kind=kind,
        title=title,
        body=body,
        period_days=period_days,
    )


def post_screening_notice(*, actor: Actor, matter: Matter) -> Notice:
    """Screening is public: an accepted, declined or referred matter is posted with its procedure or reason.

    The notice names the matter, never who raised it. Called inside the screening's transaction.
    """
    from yishi.matters.models import Status

    # The board speaks the site's language, whatever language the staff member's browser uses.
    with translation.override(settings.LANGUAGE_CODE):
        title, body, kind = _screening_text(matter, Status)
    return post_notice(
        actor=actor,
        region=board_of(matter.region),
        matter=matter,
        kind=kind,
        title=title,
        body=body,
        period_days=DEFAULT_PERIOD_DAYS,
    )


def _screening_text(matter, Status):
    if matter.status == Status.OPEN:
        kind = NoticeKind.ACCEPTED
        title = _("Accepted for consultation: %(title)s") % {"title": matter.title}
        body = _("The community has accepted this matter and will handle it by “%(procedure)s”.") % {
            "procedure": matter.procedure.label
        }
        if matter.procedure_reason:
            body = f"{body}\n{matter.procedure_reason}"
    else:
        kind = NoticeKind.DECLINED
        title = _("Not taken up: %(title)s") % {"title": matter.title}
        body = matter.public_reason
        if matter.referred_to:
            body = _("Referred to %(body)s.") % {"body": matter.referred_to} + (f"\n{body}" if body else "")
    return str(title), str(body), kind


# --- objections (异议) and replies ------------------------------------------------------------------------


@transaction.atomic
def object_to(*, actor: Actor, notice: Notice, text: str) -> Objection:
    """A logged-in resident objects to a notice within its objection window. The objection is public."""
    if _is_person(actor):
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
    enforce(predicates.may_object(actor, notice))
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write what you object to."), "text_required", field="text")
    objection = Objection.objects.create(
        notice=notice, person=person_of(actor), text=text[:2000], at=timezone.now()
    )
    record(
        actor=actor,
        action=Action.NOTICES_OBJECT,
        target=objection,
        data={"notice": notice.pk},
        personal={"text": objection.text},
    )
    return objection


@transaction.atomic
def reply_to(*, actor: Actor, objection: Objection, text: str) -> Reply:
    """Staff of the board's region answer an objection publicly, once. A late answer is shown as late."""
    objection = Objection.objects.select_for_update().select_related("notice__region").get(pk=objection.pk)
    enforce(predicates.may_reply(actor, objection))
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write the answer; it is shown publicly."), "text_required", field="text")
    reply = Reply.objects.create(
        objection=objection, text=text[:2000], by=person_of(actor), at=timezone.now()
    )
    record(
        actor=actor,
        action=Action.NOTICES_REPLY,
        target=reply,
        data={"notice": objection.notice_id, "objection": objection.pk, "late": reply.late},
    )
    return reply
