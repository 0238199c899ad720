"""The JSON API of a person's notifications (/api/v1/notifications): the inbox, marking read, channel choices.

Everything here is the caller's own: a token (``Authorization: Bearer``) or the browser's session is needed, and
nobody reads another person's notifications. A community's progress-report draft is for the staff who post its
notices; anyone else gets 404, as on the page.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from yishi.api_schemas import MAX_LIMIT, WRITE_ERRORS, Problem, page_of
from yishi.matters.queries import get_matter
from yishi.people.tokens import WRITE_AUTH

from . import queries, services
from .models import Notification

router = Router(tags=["notifications"], auth=WRITE_AUTH)


class NotificationOut(Schema):
    id: int
    text: str
    link: str = Field(..., description="The page it is about, a path on this site; empty when none")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int = Field(..., description="Unread notifications in all, whatever the filter")
    limit: int
    offset: int
    items: list[NotificationOut]


class InboxQuery(Schema):
    unread: bool = Field(False, description="Only the unread ones")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=2**31)


class MarkReadIn(Schema):
    notification: int | None = Field(None, description="One notification's id; all unread ones when left out")


class MarkedOut(Schema):
    marked: int = Field(..., description="How many were unread and are now read")
    unread: int


#: Addresses Django's validator takes (it takes a few more): dot-atom local part, labelled domain, letters' TLD.
EMAIL_PATTERN = r"^$|^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"


class PreferencesIO(Schema):
    sms: bool = Field(..., description="Text messages to the caller's phone")
    email: bool
    email_address: str = Field("", max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN})
    digest: bool = Field(..., description="One daily digest instead of single messages")

    @field_validator("email_address")
    @classmethod
    def _an_address(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValueError("not an e-mail address") from None
        return value


class DraftOut(Schema):
    id: int
    region: int
    period_start: date
    period_end: date
    title: str
    body: str
    matters: int = Field(..., description="How many matters the draft reports on")
    created_at: datetime


def _notification(n: Notification) -> dict:
    return {"id": n.pk, "text": n.text, "link": n.link, "created_at": n.created_at, "read_at": n.read_at}


@router.get(
    "/", response={200: NotificationPage, 401: Problem}, summary="The caller's notifications, newest first"
)
def inbox(request, q: Query[InboxQuery]):
    rows = Notification.objects.filter(person=request.auth).order_by("-created_at", "-pk")
    if q.unread:
        rows = rows.filter(read_at__isnull=True)
    return {**page_of(rows, q, _notification), "unread": queries.unread_count(request.auth)}


@router.post(
    "/read",
    response={200: MarkedOut, **WRITE_ERRORS},
    summary="Mark one notification read, or all unread ones",
)
def mark_read(request, body: MarkReadIn | None = None):
    ids = [body.notification] if body is not None and body.notification is not None else None
    marked = services.mark_read(actor=request.auth, ids=ids)
    return {"marked": marked, "unread": queries.unread_count(request.auth)}


def _preferences(pref) -> dict:
    return {"sms": pref.sms, "email": pref.email, "email_address": pref.email_address, "digest": pref.digest}


@router.get(
    "/preferences",
    response={200: PreferencesIO, 401: Problem},
    summary="How the caller is told: SMS, e-mail, a daily digest (the defaults until they choose)",
)
def get_preferences(request):
    return _preferences(queries.preference_of(request.auth))


@router.put(
    "/preferences",
    response={200: PreferencesIO, **WRITE_ERRORS},
    summary="Choose how to be told; e-mail needs an address",
)
def set_preferences(request, body: PreferencesIO):
    return _preferences(services.set_preferences(actor=request.auth, **body.dict()))


class MuteIO(Schema):
    muted: bool = Field(..., description="true: no more news of this matter's steps; false: news again")


@router.put(
    "/muted/{int:matter_id}",
    response={200: MuteIO, **WRITE_ERRORS},
    summary="Stop or resume news of one matter's steps (its page still shows them)",
)
def mute_matter(request, matter_id: int, body: MuteIO):
    matter = get_matter(matter_id)
    return {"muted": services.mute_matter(actor=request.auth, matter=matter, muted=body.muted)}


@router.get(
    "/drafts/{int:draft_id}",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="A community's periodic progress report, drafted for its staff to post",
)
def draft(request, draft_id: int):
    found = queries.get_draft_for(request.auth, draft_id)
    if found is None:
        raise Http404
    return {
        "id": found.pk,
        "region": found.region_id,
        "period_start": found.period_start,
        "period_end": found.period_end,
        "title": found.title,
        "body": found.body,
        "matters": found.matters,
        "created_at": found.created_at,
    }
