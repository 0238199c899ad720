"""Posting a matter's resolution or result on the board: ``/matters/{id}/notices``; the board's API is api.py.

Mounted under /matters beside matters' own router (see ``yishi.api``), in the ``matters`` tag, with the id the
operation was published with.
"""

from typing import Literal

from ninja import Router, Schema

from yishi.api_schemas import WRITE_ERRORS, created
from yishi.matters import queries
from yishi.matters.api import _ref
from yishi.matters.schemas import NoticeOut
from yishi.people.tokens import WRITE_AUTH

from .models import NoticeKind
from .services import DEFAULT_PERIOD_DAYS, publish_result

router = Router(tags=["matters"])

NoticeKindKey = Literal[NoticeKind.RESULT, NoticeKind.RESOLUTION]  # type: ignore[valid-type]


class NoticeIn(Schema):
    kind: NoticeKindKey = NoticeKind.RESULT.value  # type: ignore[valid-type]
    title: str
    body: str
    period_days: int = DEFAULT_PERIOD_DAYS


def _notice(n) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": str(n.get_kind_display()),
        "title": n.title,
        "body": n.body,
        "region": _ref(n.region),
        "posted_at": n.posted_at,
        "period_days": n.period_days,
        "ends_at": n.ends_at,
    }


@router.post(
    "/{int:matter_id}/notices",
    operation_id="yishi_matters_api_add_notice",
    auth=WRITE_AUTH,
    response={201: NoticeOut, **WRITE_ERRORS},
    summary="Post the resolution or the result on the community's public board",
)
def add_notice(request, matter_id: int, body: NoticeIn):
    notice = publish_result(
        actor=request.auth,
        matter=queries.get_matter(matter_id),
        kind=body.kind,
        title=body.title,
        body=body.body,
        period_days=body.period_days,
    )
    return created(_notice(notice))
