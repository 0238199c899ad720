"""Posting notices on the public board. A matter's result notice completes its last step."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from yishi.audit.services import record
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.procedures.services import require_step_action
from yishi.regions.models import Level

from .models import Notice, NoticeKind

DEFAULT_PERIOD_DAYS = 10


def board_of(region):
    """Matters are posted on their community's (or village's) board."""
    if region.level <= Level.COMMUNITY:
        return region
    return region.ancestors().filter(level=Level.COMMUNITY).first() or region


@transaction.atomic
def publish_result(*, actor, matter: Matter, title: str, body: str, kind: str = NoticeKind.RESULT,
                   period_days: int = DEFAULT_PERIOD_DAYS) -> Notice:
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    require_step_action(actor, matter, "procedures.publish_result")
    if kind not in (NoticeKind.RESULT, NoticeKind.RESOLUTION):
        raise Refused(_("Unknown kind of notice."), "invalid_kind", field="kind")
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise Refused(_("A notice needs a title and a text."), "notice_incomplete")
    if not 1 <= period_days <= 365:
        raise Refused(_("The posting period is 1 to 365 days."), "invalid_period", field="period_days")
    notice = Notice.objects.create(region=board_of(matter.region), matter=matter, kind=kind, title=title[:150],
                                   body=body[:10000], period_days=period_days, posted_by=actor)
    record(actor=actor, action="notices.publish", target=notice,
           data={"matter": matter.pk, "kind": kind, "region": notice.region_id, "period_days": period_days})
    return notice


def post_screening_notice(*, actor, matter: Matter) -> Notice:
    """Screening is public: an accepted, declined or referred matter is posted with its procedure or reason.

    The notice names the matter, never who raised it. Called inside the screening's transaction.
    """
    from yishi.matters.models import Status

    # The board speaks the site's language, whatever language the staff member's browser uses.
    with translation.override(settings.LANGUAGE_CODE):
        title, body, kind = _screening_text(matter, Status)
    notice = Notice.objects.create(region=board_of(matter.region), matter=matter, kind=kind, title=str(title)[:150],
                                   body=str(body)[:10000] or "—", period_days=DEFAULT_PERIOD_DAYS, posted_by=actor)
    record(actor=actor, action="notices.publish", target=notice,
           data={"matter": matter.pk, "kind": kind, "region": notice.region_id, "period_days": DEFAULT_PERIOD_DAYS})
    return notice


def _screening_text(matter, Status):
    if matter.status == Status.OPEN:
        kind = NoticeKind.ACCEPTED
        title = _("Accepted for consultation: %(title)s") % {"title": matter.title}
        body = _("The community has accepted this matter and will handle it by “%(procedure)s”.") % {
            "procedure": matter.procedure.label}
        if matter.procedure_reason:
            body = f"{body}\n{matter.procedure_reason}"
    else:
        kind = NoticeKind.DECLINED
        title = _("Not taken up: %(title)s") % {"title": matter.title}
        body = matter.public_reason
        if matter.referred_to:
            body = _("Referred to %(body)s.") % {"body": matter.referred_to} + (f"\n{body}" if body else "")
    return str(title), str(body), kind
