"""The JSON API of the public board (/api/v1/board): reads are public, as on the pages.

An objector appears as on the page (surname and masked mobile; staff of the board see the name). Objecting and
replying need a token (``Authorization: Bearer``) or the browser's session with its CSRF token; a ``Refused``
becomes 403/409 (see ``yishi.api``); bad input is 422; an unknown id is 404.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from yishi.api_schemas import MAX_LIMIT, WRITE_ERRORS, Problem
from yishi.people.tokens import WRITE_AUTH
from yishi.regions.models import Region

from . import queries, services
from .models import Notice, Objection

router = Router(tags=["board"])
PAGE_SIZE = 20


class Ref(Schema):
    id: int
    name: str


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    matter: int | None
    meeting: int | None = Field(
        None, description="The meeting a meeting notice announces, changes or cancels"
    )
    posted_at: datetime
    period_days: int
    ends_at: datetime
    objections_close_at: datetime
    replaces: int | None


class NoticePage(Schema):
    board: Ref
    archive: bool
    count: int
    limit: int
    offset: int
    page: int = Field(..., description="The page number this offset falls on, at this limit")
    pages: int
    items: list[NoticeOut]


class ReplyOut(Schema):
    text: str
    at: datetime
    late: bool


class ObjectionOut(Schema):
    id: int
    who: str = Field(..., description="Surname and masked mobile; the full name only to the board's staff")
    text: str
    at: datetime
    reply_due: datetime
    overdue: bool
    reply: ReplyOut | None


class NoticeDetail(NoticeOut):
    board: Ref
    posted: bool = Field(..., description="Within its posting period and not replaced")
    replaced_by: int | None
    objections_open: bool
    objections: list[ObjectionOut]


class PageQuery(Schema):
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_LIMIT)
    offset: int | None = Field(None, ge=0, le=2**31, description="Wins over `page` when both are given")
    page: int = Field(1, ge=1, le=2**20, description="A page of `limit` notices: the board's own paging")


class TextIn(Schema):
    text: str = Field(..., max_length=2000)


def _meeting_of(notice: Notice) -> int | None:
    announcement = queries._announcement(notice)
    return announcement.meeting_id if announcement else None


def _row(n: Notice) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": str(n.get_kind_display()),
        "title": n.title,
        "body": n.body,
        "matter": n.matter_id,
        "meeting": _meeting_of(n),
        "posted_at": n.posted_at,
        "period_days": n.period_days,
        "ends_at": n.ends_at,
        "objections_close_at": n.objections_close_at,
        "replaces": n.replaces_id,
    }


def _detail(notice: Notice, viewer) -> dict:
    context = queries.notice_context(notice, viewer)
    return {
        **_row(notice),
        "board": {"id": notice.region_id, "name": notice.region.name},
        "posted": context["posted"],
        "replaced_by": context["replaced_by"].pk if context["replaced_by"] else None,
        "objections_open": context["objections_open"],
        "objections": [
            {
                "id": r.objection.pk,
                "who": r.who,
                "text": r.objection.text,
                "at": r.objection.at,
                "reply_due": r.objection.reply_due,
                "overdue": r.overdue,
                "reply": None
                if r.reply is None
                else {"text": r.reply.text, "at": r.reply.at, "late": r.reply.late},
            }
            for r in context["objections"]
        ],
    }


def _page(region_id: int, q: PageQuery, archive: bool) -> dict:
    region = get_object_or_404(Region, pk=region_id)
    board = queries.board_region(region)
    notices = queries.archived(board) if archive else queries.current(board)
    offset = q.offset if q.offset is not None else (q.page - 1) * q.limit
    count = len(notices) if isinstance(notices, list) else notices.count()
    return {
        "board": {"id": board.pk, "name": board.name},
        "archive": archive,
        "count": count,
        "limit": q.limit,
        "offset": offset,
        "page": offset // q.limit + 1,
        "pages": max(1, -(-count // q.limit)),
        "items": [_row(n) for n in notices[offset : offset + q.limit]],
    }


@router.get(
    "/{int:region_id}",
    response={200: NoticePage, 404: Problem},
    summary="Notices posted now on a region's board (a compound's is its community's), newest first",
)
def posted(request, region_id: int, q: Query[PageQuery]):
    return _page(region_id, q, archive=False)


@router.get(
    "/{int:region_id}/archive",
    response={200: NoticePage, 404: Problem},
    summary="Notices whose period ended or that were replaced, newest first",
)
def archive(request, region_id: int, q: Query[PageQuery]):
    return _page(region_id, q, archive=True)


@router.get(
    "/notices/{int:notice_id}",
    response={200: NoticeDetail, 404: Problem},
    summary="A notice with its objections and the public replies",
)
def notice_detail(request, notice_id: int):
    return _detail(queries.get_notice(notice_id), request.user)


def _limited(request) -> bool:
    """The page's limit on objections, counted per person."""
    return is_ratelimited(
        request, group="yishi.notices.views.object_to", key="user", rate="20/h", method="POST", increment=True
    )


@router.post(
    "/notices/{int:notice_id}/objections",
    auth=WRITE_AUTH,
    response={201: NoticeDetail, 429: Problem, **WRITE_ERRORS},
    summary="Object to a notice while its objection window is open (shown publicly)",
)
def object_to(request, notice_id: int, body: TextIn):
    notice = queries.get_notice(notice_id)
    if _limited(request):
        return Status(
            429,
            {
                "detail": str(
                    _("Too many attempts in a short time. Please wait a few minutes and try again.")
                ),
                "code": "rate_limited",
            },
        )
    services.object_to(actor=request.user, notice=notice, text=body.text)
    return Status(201, _detail(notice, request.user))


@router.post(
    "/notices/{int:notice_id}/objections/{int:objection_id}/reply",
    auth=WRITE_AUTH,
    response={201: NoticeDetail, **WRITE_ERRORS},
    summary="Staff of the board answer an objection, publicly",
)
def reply(request, notice_id: int, objection_id: int, body: TextIn):
    objection = get_object_or_404(Objection, pk=objection_id, notice_id=notice_id)
    services.reply_to(actor=request.user, objection=objection, text=body.text)
    return Status(201, _detail(queries.get_notice(notice_id), request.user))
