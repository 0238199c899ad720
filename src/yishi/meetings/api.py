"""The JSON API for meetings (/api/v1/meetings): thin over the services and queries the pages use.

Reads are public and never name residents: invited people appear by capacity and number, attendance as counts.
Writes need a token (``Authorization: Bearer``) or the browser's session with its CSRF token. A ``Refused``
becomes 403/409 with ``detail`` and ``code`` (see ``yishi.api``); bad input is 422; an unknown id is 404.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, UploadedFile
from ninja.responses import Status

from yishi.access.queries import require
from yishi.api_schemas import WRITE_ERRORS, Problem, within_dates
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.people.lookup import person_by_phone
from yishi.people.models import Person
from yishi.people.tokens import WRITE_AUTH
from yishi.regions.models import Region, within

from . import announcing, attending, closing, holding, preparing, queries
from .models import Invitation, Meeting, MeetingStatus, Minutes
from .schemas import (
    AddendumOut,
    AnnounceIn,
    ChangeIn,
    CheckInIn,
    ConsensusOut,
    IdeasIn,
    InvitationOut,
    InviteIn,
    MeetingDetail,
    MeetingEditIn,
    MeetingFilter,
    MeetingIn,
    MeetingPage,
    MinutesOut,
    ReasonIn,
    ReplyIn,
    SessionOut,
    SheetOut,
    SignInIn,
    SignInOut,
    TextIn,
)

router = Router(tags=["meetings"])

# --- helpers ---------------------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _matters(ids: list[int]) -> list[Matter]:
    found = Matter.objects.in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise Refused(
            _("Unknown matter: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            "unknown_matter",
            field="agenda",
        )
    return [found[i] for i in ids]


def _row(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "title": m.title,
        "region": {"id": m.region_id, "name": m.region.name},
        "form": m.form,
        "form_label": str(m.get_form_display()),
        "platform": m.platform,
        "platform_label": m.platform_label,
        "starts_at": m.starts_at,
        "place": m.place,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "announced_at": m.announced_at,
        "ended_at": m.ended_at,
        "cancelled_at": m.cancelled_at,
    }


def _minutes(m: Minutes) -> dict:
    return {
        "id": m.pk,
        "matter": m.matter_id,
        "text": m.text,
        "confirmed": m.is_confirmed,
        "confirmed_at": m.confirmed_at,
        "digest": m.digest,
        "addenda": [{"text": a.text, "at": a.at, "digest": a.digest} for a in m.addenda.all()],
    }


def _detail(meeting: Meeting) -> dict:
    summary = queries.attendance_summary(meeting)
    view = queries.quorum(meeting, summary)
    return {
        **_row(meeting),
        "cancel_reason": meeting.cancel_reason,
        "convener": meeting.convener.name,
        "agenda": [{"id": m.pk, "title": m.title} for m in preparing.agenda_of(meeting)],
        "participants": [str(p) for p in queries.participants_public(meeting)],
        "attendance": vars(summary),
        "quorum": None
        if view is None
        else {"needed": view.needed, "present": view.present, "met": view.met, "source": view.rule.source},
        "announcements": [
            {
                "kind": a.kind,
                "notice": a.notice_id,
                "at": a.at,
                "required_days": a.required_days,
                "given_days": a.given_days,
                "late": a.late,
                "late_reason": a.late_reason,
                "reason": a.reason,
            }
            for a in meeting.announcements.order_by("at", "pk")
        ],
        "minutes": [_minutes(m) for m in queries.minutes_of(meeting, confirmed_only=True)],
    }


def _meeting(request, meeting_id: int) -> Meeting:
    return queries.get_meeting_for(request.user, meeting_id)


def _fresh(meeting: Meeting) -> dict:
    return _detail(Meeting.objects.select_related("region", "convener").get(pk=meeting.pk))


def _agenda_matter(meeting: Meeting, matter_id: int) -> Matter:
    return get_object_or_404(Matter, pk=matter_id, agenda_items__meeting=meeting)


def _meeting_minutes(meeting: Meeting, minutes_id: int) -> Minutes:
    return get_object_or_404(Minutes, pk=minutes_id, meeting=meeting)


# --- reads -----------------------------------------------------------------------------------------------


@router.get("/", response=MeetingPage, summary="Announced, held and cancelled meetings, the latest first")
def list_meetings(request, filters: Query[MeetingFilter]):
    meetings = Meeting.objects.exclude(status=MeetingStatus.DRAFT).select_related("region")
    if filters.region is not None:
        region = get_object_or_404(Region, pk=filters.region)
        meetings = meetings.filter(within(region, "region"))
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    meetings = within_dates(meetings, "starts_at", filters).order_by("-starts_at", "-pk")
    page = meetings[filters.offset : filters.offset + filters.limit]
    return {
        "count": meetings.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_row(m) for m in page],
    }


@router.get(
    "/{int:meeting_id}",
    response={200: MeetingDetail, 404: Problem},
    summary="A meeting: agenda, who is invited (no residents' names), attendance, notices, confirmed minutes",
)
def meeting_detail(request, meeting_id: int):
    return _detail(_meeting(request, meeting_id))


# --- preparing, announcing, changing, cancelling ---------------------------------------------------------


@router.post(
    "/", auth=WRITE_AUTH, response={201: MeetingDetail, **WRITE_ERRORS}, summary="Schedule a meeting"
)
def create(request, body: MeetingIn):
    region = get_object_or_404(Region, pk=body.region)
    convener = get_object_or_404(Person, pk=body.convener) if body.convener is not None else None
    meeting = preparing.create_meeting(
        actor=request.user,
        region=region,
        form=body.form,
        platform=body.platform,
        platform_name=body.platform_name,
        title=body.title,
        starts_at=_aware(body.starts_at),
        place=body.place,
        agenda=_matters(body.agenda),
        convener=convener,
    )
    return Status(201, _fresh(meeting))


@router.put(
    "/{int:meeting_id}",
    auth=WRITE_AUTH,
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Edit a meeting still being prepared: title, form, time, place, agenda, convener",
)
def edit(request, meeting_id: int, body: MeetingEditIn):
    meeting = _meeting(request, meeting_id)
    convener = get_object_or_404(Person, pk=body.convener) if body.convener is not None else None
    preparing.update_meeting(
        actor=request.user,
        meeting=meeting,
        form=body.form,
        platform=body.platform,
        platform_name=body.platform_name,
        title=body.title,
        starts_at=_aware(body.starts_at),
        place=body.place,
        agenda=_matters(body.agenda),
        convener=convener,
    )
    return _fresh(meeting)


@router.post(
    "/{int:meeting_id}/sheet",
    auth=WRITE_AUTH,
    response={201: SheetOut, **WRITE_ERRORS},
    summary="Staff: a photo of the paper sign-in sheet (multipart; re-encoded, staff only)",
)
def sheet(request, meeting_id: int, photo: File[UploadedFile]):
    made = attending.attach_sheet_photo(
        actor=request.user, meeting=_meeting(request, meeting_id), upload=photo
    )
    return Status(201, {"id": made.pk, "width": made.width, "height": made.height, "at": made.at})


@router.post(
    "/{int:meeting_id}/invitations",
    auth=WRITE_AUTH,
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Invite people (by mobile), units, named stakeholders, or all the representatives",
)
def invite(request, meeting_id: int, body: InviteIn):
    meeting = _meeting(request, meeting_id)
    people = [
        person_by_phone(request.user, raw, action=preparing.MANAGE, target=meeting, field="phones")
        for raw in body.phones
    ]
    serving = preparing.units_for(meeting.region)
    units = [get_object_or_404(serving, pk=pk) for pk in body.units]
    preparing.invite(
        actor=request.user,
        meeting=meeting,
        people=people,
        units=units,
        names=body.names,
        capacity=body.capacity,
        representatives=body.representatives,
    )
    return _fresh(meeting)


@router.post(
    "/{int:meeting_id}/announce",
    auth=WRITE_AUTH,
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="发布公告: post the meeting's notice on the board (short notice needs a reason)",
)
def announce(request, meeting_id: int, body: AnnounceIn):
    meeting = _meeting(request, meeting_id)
    announcing.announce(actor=request.user, meeting=meeting, late_reason=body.late_reason)
    return _fresh(meeting)


@router.post(
    "/{int:meeting_id}/change",
    auth=WRITE_AUTH,
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Change an announced meeting: a new notice replaces the current one",
)
def change(request, meeting_id: int, body: ChangeIn):
    meeting = _meeting(request, meeting_id)
    announcing.change_meeting(
        actor=request.user,
        meeting=meeting,
        reason=body.reason,
        title=body.title,
        starts_at=_aware(body.starts_at) if body.starts_at else None,
        place=body.place,
        platform=body.platform,
        platform_name=body.platform_name,
        agenda=None if body.agenda is None else _matters(body.agenda),
        late_reason=body.late_reason,
    )
    return _fresh(meeting)


@router.post(
    "/{int:meeting_id}/cancel",
    auth=WRITE_AUTH,
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Cancel a meeting (an announced one gets a cancellation notice)",
)
def cancel(request, meeting_id: int, body: ReasonIn):
    meeting = _meeting(request, meeting_id)
    announcing.cancel_meeting(actor=request.user, meeting=meeting, reason=body.reason)
    return _fresh(meeting)


@router.post(
    "/{int:meeting_id}/reply",
    auth=WRITE_AUTH,
    response={200: InvitationOut, **WRITE_ERRORS},
    summary="An invited person says whether they will come",
)
def reply(request, meeting_id: int, body: ReplyIn):
    invitation = attending.respond(
        actor=request.user, meeting=_meeting(request, meeting_id), attending=body.attending
    )
    return {"id": invitation.pk, "meeting": invitation.meeting_id, "response": invitation.response}


# --- holding it ------------------------------------------------------------------------------------------


def _signed(attendance) -> dict:
    return {
        "id": attendance.pk,
        "meeting": attendance.meeting_id,
        "method": attendance.method,
        "at": attendance.at,
    }


@router.post(
    "/sign-in",
    auth=WRITE_AUTH,
    response={201: SignInOut, **WRITE_ERRORS},
    summary="A participant signs in with the token of the meeting's QR code",
)
def sign_in(request, body: SignInIn):
    meeting = attending.meeting_for_token(body.token)
    if meeting is None:
        return Status(404, {"detail": str(_("This sign-in code is not valid")), "code": "invalid_token"})
    return Status(201, _signed(attending.sign_in(actor=request.user, meeting=meeting)))


@router.post(
    "/{int:meeting_id}/check-in",
    auth=WRITE_AUTH,
    response={201: SignInOut, **WRITE_ERRORS},
    summary="Staff sign someone in: an invitation, or a resident by mobile",
)
def check_in(request, meeting_id: int, body: CheckInIn):
    meeting = _meeting(request, meeting_id)
    if body.invitation is not None:
        invitation = get_object_or_404(Invitation, pk=body.invitation, meeting=meeting)
        attendance = attending.check_in(actor=request.user, meeting=meeting, invitation=invitation)
    elif body.phone:
        attendance = attending.check_in(
            actor=request.user,
            meeting=meeting,
            person=person_by_phone(request.user, body.phone, action=preparing.MANAGE, target=meeting),
        )
    else:
        raise Refused(_("Choose who is signing in."), "nobody", field="phone")
    return Status(201, _signed(attendance))


@router.post(
    "/{int:meeting_id}/matters/{int:matter_id}/ideas",
    auth=WRITE_AUTH,
    response={200: SessionOut, **WRITE_ERRORS},
    summary="Ideas said about an agenda matter; the first become its consultation session",
)
def ideas(request, meeting_id: int, matter_id: int, body: IdeasIn):
    meeting = _meeting(request, meeting_id)
    matter = _agenda_matter(meeting, matter_id)
    session = holding.record_ideas(
        actor=request.user, meeting=meeting, matter=matter, ideas=[(i.text, i.voiced_by) for i in body.ideas]
    )
    return {"id": session.pk, "matter": matter.pk, "ideas": session.ideas.count()}


@router.post(
    "/{int:meeting_id}/matters/{int:matter_id}/decision",
    auth=WRITE_AUTH,
    response={201: ConsensusOut, **WRITE_ERRORS},
    summary="What the meeting agreed on an agenda matter's latest plan",
)
def decision(request, meeting_id: int, matter_id: int, body: TextIn):
    meeting = _meeting(request, meeting_id)
    matter = _agenda_matter(meeting, matter_id)
    c = holding.record_decision(actor=request.user, meeting=meeting, matter=matter, text=body.text)
    return Status(201, {"id": c.pk, "matter": matter.pk, "version": c.version.number, "minutes": c.minutes})


@router.post(
    "/{int:meeting_id}/close",
    auth=WRITE_AUTH,
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Close the meeting: sign-in ends and the minutes are drafted",
)
def close(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    closing.close_meeting(actor=request.user, meeting=meeting)
    return _fresh(meeting)


# --- the minutes -----------------------------------------------------------------------------------------


@router.get(
    "/{int:meeting_id}/minutes",
    auth=WRITE_AUTH,
    response={200: list[MinutesOut], **WRITE_ERRORS},
    summary="The minutes with the drafts, for the meeting's staff",
)
def minutes(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    require(request.user, preparing.MANAGE, meeting)
    return [_minutes(m) for m in queries.minutes_of(meeting, confirmed_only=False)]


@router.post(
    "/{int:meeting_id}/minutes/confirm",
    auth=WRITE_AUTH,
    response={200: list[MinutesOut], **WRITE_ERRORS},
    summary="The convener confirms the minutes; from then on they are append-only",
)
def confirm(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    closing.confirm_minutes(actor=request.user, meeting=meeting)
    return [_minutes(m) for m in queries.minutes_of(meeting, confirmed_only=False)]


@router.post(
    "/{int:meeting_id}/minutes/{int:minutes_id}",
    auth=WRITE_AUTH,
    response={200: MinutesOut, **WRITE_ERRORS},
    summary="The secretary edits the drafted minutes",
)
def edit_minutes(request, meeting_id: int, minutes_id: int, body: TextIn):
    meeting = _meeting(request, meeting_id)
    m = closing.edit_minutes(
        actor=request.user, minutes=_meeting_minutes(meeting, minutes_id), text=body.text
    )
    return _minutes(m)


@router.post(
    "/{int:meeting_id}/minutes/{int:minutes_id}/redraft",
    auth=WRITE_AUTH,
    response={200: MinutesOut, **WRITE_ERRORS},
    summary="Draft the minutes again from the records",
)
def redraft_minutes(request, meeting_id: int, minutes_id: int):
    meeting = _meeting(request, meeting_id)
    return _minutes(
        closing.redraft_minutes(actor=request.user, minutes=_meeting_minutes(meeting, minutes_id))
    )


@router.post(
    "/{int:meeting_id}/minutes/{int:minutes_id}/addendum",
    auth=WRITE_AUTH,
    response={201: AddendumOut, **WRITE_ERRORS},
    summary="A signed correction to confirmed minutes",
)
def addendum(request, meeting_id: int, minutes_id: int, body: TextIn):
    meeting = _meeting(request, meeting_id)
    a = closing.add_addendum(
        actor=request.user, minutes=_meeting_minutes(meeting, minutes_id), text=body.text
    )
    return Status(201, {"text": a.text, "at": a.at, "digest": a.digest})
