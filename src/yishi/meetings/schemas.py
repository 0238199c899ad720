"""The shapes of the meetings API: what comes out (a meeting, its agenda, attendance counts, announcements,
minutes …) and what comes in."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from yishi.api_schemas import DateRange

from .models import MeetingStatus, Platform, SessionForm

FormKey = Literal[tuple(SessionForm.values)]  # type: ignore[valid-type]
PlatformKey = Literal[tuple(Platform.values)]  # type: ignore[valid-type]
StatusKey = Literal[tuple(MeetingStatus.values)]  # type: ignore[valid-type]


class Ref(Schema):
    id: int
    name: str


class AgendaOut(Schema):
    id: int
    title: str


class MeetingOut(Schema):
    id: int
    title: str
    region: Ref
    form: str
    form_label: str
    platform: str
    platform_label: str
    starts_at: datetime
    place: str
    status: str
    status_label: str
    announced_at: datetime | None
    ended_at: datetime | None
    cancelled_at: datetime | None


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeetingOut]


class AttendanceOut(Schema):
    basis: str = Field(..., description="invited | representatives | households: what is expected (应到)")
    expected: int
    present: int
    others: int = Field(..., description="Signed in without being among those expected (列席)")
    total: int


class QuorumOut(Schema):
    needed: int
    present: int
    met: bool
    source: str


class AnnouncementOut(Schema):
    kind: str
    notice: int
    at: datetime
    required_days: int | None
    given_days: int
    late: bool
    late_reason: str
    reason: str


class AddendumOut(Schema):
    text: str
    at: datetime
    digest: str


class MinutesOut(Schema):
    id: int
    matter: int | None
    text: str
    confirmed: bool
    confirmed_at: datetime | None
    digest: str
    addenda: list[AddendumOut]


class MeetingDetail(MeetingOut):
    cancel_reason: str
    convener: str = Field(..., description="The convener: a committee member, who signs the minutes")
    agenda: list[AgendaOut]
    participants: list[str] = Field(
        ..., description="Units and named parties; residents by capacity and number"
    )
    attendance: AttendanceOut
    quorum: QuorumOut | None
    announcements: list[AnnouncementOut]
    minutes: list[MinutesOut] = Field(..., description="Confirmed minutes only")


class InvitationOut(Schema):
    id: int
    meeting: int
    response: str


class SignInOut(Schema):
    id: int
    meeting: int
    method: str
    at: datetime


class SessionOut(Schema):
    id: int
    matter: int
    ideas: int = Field(..., description="How many ideas the session holds now")


class ConsensusOut(Schema):
    id: int
    matter: int
    version: int
    minutes: str


# --- what comes in ---------------------------------------------------------------------------------------


class MeetingFilter(DateRange):
    """``since``/``until`` bound the day the meeting starts."""

    region: int | None = Field(None, description="Meetings held in this region or below it")
    status: StatusKey | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=2**31)


class MeetingIn(Schema):
    region: int
    title: str = Field(..., max_length=150)
    form: FormKey = "consultation"
    platform: PlatformKey = "party_hall"
    platform_name: str = Field("", max_length=50)
    starts_at: datetime
    place: str = Field(..., max_length=100)
    agenda: list[int] = Field(default_factory=list, description="Matter ids, in order")
    convener: int | None = Field(None, description="A committee member's id; the caller by default")


class MeetingEditIn(Schema):
    """A draft meeting as a whole (it stays with its community); once announced, post a change instead."""

    title: str = Field(..., max_length=150)
    form: FormKey = "consultation"
    platform: PlatformKey = "party_hall"
    platform_name: str = Field("", max_length=50)
    starts_at: datetime
    place: str = Field(..., max_length=100)
    agenda: list[int] = Field(default_factory=list, description="Matter ids, in order")
    convener: int | None = Field(None, description="A committee member's id; unchanged when left out")


class SheetOut(Schema):
    id: int
    width: int
    height: int
    at: datetime


class InviteIn(Schema):
    phones: list[str] = Field(default_factory=list, description="Registered residents by mobile")
    units: list[int] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list, description="Other stakeholders by name")
    capacity: str = Field("", max_length=50)
    representatives: bool = False


class AnnounceIn(Schema):
    late_reason: str = Field("", max_length=2000)


class ChangeIn(Schema):
    reason: str = Field(..., max_length=2000)
    title: str | None = Field(None, max_length=150)
    starts_at: datetime | None = None
    place: str | None = Field(None, max_length=100)
    platform: PlatformKey | None = None
    platform_name: str | None = Field(None, max_length=50)
    agenda: list[int] | None = None
    late_reason: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class ReplyIn(Schema):
    attending: bool


class CheckInIn(Schema):
    invitation: int | None = None
    phone: str | None = Field(None, max_length=20)


class SignInIn(Schema):
    token: str = Field(..., max_length=200, description="The token of the meeting's QR code")


class IdeaIn(Schema):
    text: str = Field(..., max_length=2000)
    voiced_by: str = Field("", max_length=100)


class IdeasIn(Schema):
    ideas: list[IdeaIn]


class TextIn(Schema):
    text: str = Field(..., max_length=20000)
