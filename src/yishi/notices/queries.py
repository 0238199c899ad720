"""Reads of the public board: what is posted now, the archive, one notice with its objections, the feed."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from yishi.access.queries import can
from yishi.people.phones import mask_name, mask_phone
from yishi.regions.models import Level

from .models import Notice, Objection, Reply
from .predicates import may_object, may_reply, may_reply_here, objections_closed
from .services import MAX_PERIOD_DAYS, board_of


def board_region(region):
    """The board a region's page shows: a compound or building uses its community's board."""
    return board_of(region) if region.level > Level.COMMUNITY else region


def _replaced():
    return Exists(Notice.objects.filter(replaces=OuterRef("pk")))


def current(board, now=None) -> list[Notice]:
    """Notices still within their posting period and not replaced by a newer one, newest first.

    A period is at most a year, so only the last year's notices are read (one index range on region and
    posting time); their end is computed from each row, so a notice's dates stay its own two fields.
    """
    now = now or timezone.now()
    recent = (
        Notice.objects.filter(region=board, posted_at__gt=now - timedelta(days=MAX_PERIOD_DAYS))
        .filter(~Q(_replaced()))
        .select_related("matter")
        .order_by("-posted_at", "-pk")
    )
    return [n for n in recent if n.is_posted(now)]


def archived(board, now=None):
    """Notices whose period has ended or that a newer notice replaced, newest first."""
    posted = [n.pk for n in current(board, now)]
    return (
        Notice.objects.filter(region=board)
        .exclude(pk__in=posted)
        .select_related("matter")
        .order_by("-posted_at", "-pk")
    )


def posted_on(region, limit: int = 10) -> list[Notice]:
    """Notices still within their posting period on ``region``'s own board, newest first."""
    return current(region)[:limit]


def feed_items(board, limit: int = 50) -> list[Notice]:
    """The feed: every notice of the board, posted or archived, newest first."""
    return list(
        Notice.objects.filter(region=board).select_related("matter").order_by("-posted_at", "-pk")[:limit]
    )


def get_notice(pk: int) -> Notice:
    """Notices are public: any notice may be read."""
    try:
        return Notice.objects.select_related("region", "matter", "replaces").get(pk=pk)
    except Notice.DoesNotExist:
        raise Http404 from None


@dataclass
class ObjectionRow:
    objection: Objection
    who: str
    reply: Reply | None
    overdue: bool
    can_reply: bool


def objector_label(objection: Objection, viewer) -> str:
    """An objector appears masked as every resident does in public (王**, see ``mask_name``), with a masked
    phone to tell two apart; staff of the board see the whole name; the objector sees their own."""
    person = objection.person
    if (
        viewer is not None
        and viewer.is_authenticated
        and (viewer.pk == person.pk or can(viewer, "notices.reply_objection", objection.notice.region))
    ):
        return person.name
    masked = mask_name(person.name)
    return f"{masked}（{mask_phone(person.phone)}）" if person.phone else masked


def notice_context(notice: Notice, viewer) -> dict:
    now = timezone.now()
    objections = list(
        Objection.objects.filter(notice=notice)
        .select_related("person", "notice__region", "reply__by")
        .order_by("at", "pk")
    )
    may_reply_any = may_reply_here(viewer, notice) is None
    rows = []
    for o in objections:
        reply = o.reply if _has_reply(o) else None
        rows.append(
            ObjectionRow(
                objection=o,
                who=objector_label(o, viewer),
                reply=reply,
                overdue=reply is None and now > o.reply_due,
                can_reply=may_reply_any and may_reply(viewer, o, answered=reply is not None) is None,
            )
        )
    replaced_by = Notice.objects.filter(replaces=notice).order_by("posted_at", "pk").first()
    closed = objections_closed(notice, replaced=replaced_by is not None, now=now)
    return {
        "notice": notice,
        "board": notice.region,
        "posted": notice.is_posted(now) and replaced_by is None,
        "replaced_by": replaced_by,
        "objections": rows,
        "objections_open": closed is None,
        # Why nobody may object now, in the service's words (replaced; the window closed on …).
        "objections_closed": closed,
        # Whether the viewer may object now: None, or the refusal (log in first, or why it is closed).
        "object_refused": may_object(viewer, notice, replaced=replaced_by is not None, now=now),
        "may_reply": may_reply_any,
        "announcement": _announcement(notice),
    }


def _has_reply(objection) -> bool:
    try:
        objection.reply  # noqa: B018 - selected with the objection
    except Reply.DoesNotExist:
        return False
    return True


def _announcement(notice):
    from yishi.meetings.models import Announcement

    return Announcement.objects.filter(notice=notice).select_related("meeting").first()


def boards_for(user, limit: int = 10) -> list[tuple]:
    """The public boards of the places ``user`` lives (households) or is a resident of (role), each with its
    notices still posted: [(board region, [notice, …])]. One query per board, and a person has one or two."""
    from yishi.access.queries import active_roles
    from yishi.access.roles import Role
    from yishi.regions.models import Region

    if user is None or not user.is_authenticated:
        return []
    homes = list(Region.objects.filter(households__memberships__person=user).distinct())
    homes += [a.region for a in active_roles(user) if a.role == Role.RESIDENT]
    boards = {}
    for region in homes:
        board = board_region(region)
        boards.setdefault(board.pk, board)
    return [(board, current(board)[:limit]) for board in sorted(boards.values(), key=lambda r: r.path)]
