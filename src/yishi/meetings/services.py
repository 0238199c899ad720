"""Meetings, from scheduling to confirmed minutes, and the consultation sessions recorded at them.

明确协商时间地点及参与主体 → 发布公告 → 召开会议 → 公布结果: a meeting is prepared (form, platform, time, place,
agenda, invitations), announced on the region's public board under the notice-period rule, changed or cancelled
only by new notices that replace the old, held (sign-in, ideas and decisions per agenda matter), closed, and its
minutes drafted from those records, edited by the secretary, confirmed by the convener and from then on only
added to (a signed addendum).

Every function takes ``actor`` (None is the system), checks authority, runs in one transaction and writes its
audit entry; a refusal leaves nothing half-saved.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.queries import active_roles, can, require
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter, Status
from yishi.notices.models import NoticeKind
from yishi.notices.services import MAX_PERIOD_DAYS, board_of, post_notice
from yishi.procedures.services import require_step_action
from yishi.regions.models import Level, Unit, within
from yishi.uploads import clean_photo, new_token

from . import predicates, rules
from .models import (
    Addendum,
    AgendaItem,
    Announcement,
    AnnouncementKind,
    Attendance,
    Idea,
    Invitation,
    Meeting,
    MeetingStatus,
    Minutes,
    Platform,
    Response,
    Session,
    SessionForm,
    SheetPhoto,
    SignIn,
)

MANAGE = "meetings.manage_meeting"
SIGN_IN_SALT = "yishi.meetings.sign-in"


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("region", "convener").get(pk=meeting.pk)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- consultation sessions (step 2, and the talks of later steps) --------------------------------------------


@transaction.atomic
def record_session(
    *,
    actor,
    matter: Matter,
    title: str,
    held_at,
    place: str,
    attendance: int,
    ideas: list[tuple[str, str]],
    form: str = SessionForm.CONSULTATION,
    attendees=(),
    other_attendees: str = "",
    meeting: Meeting | None = None,
) -> Session:
    """``ideas`` are (text, voiced_by) pairs as written down at the session."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    require_step_action(actor, matter, "procedures.record_session")
    title, place = (title or "").strip(), (place or "").strip()
    if not title or not place or held_at is None:
        raise Refused(_("A session needs a title, a time and a place."), "session_incomplete")
    if form not in SessionForm.values:
        raise Refused(_("Unknown form of meeting."), "invalid_form", field="form")
    if attendance is None or attendance < 1:
        raise Refused(_("Record how many people took part."), "attendance_required", field="attendance")
    ideas = _clean_ideas(ideas)
    session = Session.objects.create(
        matter=matter,
        meeting=meeting,
        form=form,
        title=title[:100],
        held_at=held_at,
        place=place[:100],
        attendance=attendance,
        other_attendees=(other_attendees or "").strip()[:2000],
        step_key=matter.step_key,
        recorded_by=actor,
    )
    session.attendees.set(attendees)
    Idea.objects.bulk_create([Idea(session=session, text=text[:2000], voiced_by=by) for text, by in ideas])
    data = {"matter": matter.pk, "step": matter.step_key, "attendance": attendance, "ideas": len(ideas)}
    if meeting is not None:
        data["meeting"] = meeting.pk
    record(actor=actor, action=Action.MEETINGS_RECORD_SESSION, target=session, data=data)
    figures_hooks.changed(session)
    return session


def _clean_ideas(ideas) -> list[tuple[str, str]]:
    ideas = [(text.strip(), (by or "").strip()[:100]) for text, by in ideas if text and text.strip()]
    if not ideas:
        raise Refused(_("Write down at least one idea from the session."), "ideas_required", field="ideas")
    return ideas


# --- preparing a meeting ---------------------------------------------------------------------------------------


def _clean(*, form, platform, platform_name, title, starts_at, place) -> dict:
    title, place, platform_name = ((v or "").strip() for v in (title, place, platform_name))
    if form not in SessionForm.values:
        raise Refused(_("Unknown form of meeting."), "invalid_form", field="form")
    if platform not in Platform.values:
        raise Refused(_("Unknown platform."), "invalid_platform", field="platform")
    if platform == Platform.OTHER and not platform_name:
        raise Refused(
            _("Name the platform the meeting is held on."), "platform_name_required", field="platform_name"
        )
    if not title:
        raise Refused(_("A meeting needs a title."), "title_required", field="title")
    if not place:
        raise Refused(_("Say where the meeting is held."), "place_required", field="place")
    if starts_at is None:
        raise Refused(_("Say when the meeting starts."), "time_required", field="starts_at")
    return {
        "form": form,
        "platform": platform,
        "platform_name": platform_name[:50] if platform == Platform.OTHER else "",
        "title": title[:150],
        "starts_at": starts_at,
        "place": place[:100],
    }


def _clean_agenda(region, matters) -> list[Matter]:
    board = board_of(region)
    pks = list(dict.fromkeys(m.pk for m in matters))  # in the order given, once each
    fresh = Matter.objects.select_related("region").in_bulk(pks)
    agenda = []
    for matter in (fresh[pk] for pk in pks):
        if not board.contains(matter.region):
            raise Refused(
                _("“%(title)s” is not a matter of this community.") % {"title": matter.title},
                "matter_elsewhere",
                field="agenda",
            )
        if matter.status not in (Status.NEW, Status.OPEN):
            raise Refused(
                _("“%(title)s” is closed; it cannot be put on an agenda.") % {"title": matter.title},
                "matter_closed",
                field="agenda",
            )
        agenda.append(matter)
    return agenda


def _write_agenda(meeting: Meeting, agenda: list[Matter]) -> None:
    AgendaItem.objects.filter(meeting=meeting).delete()
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, matter=m, position=i) for i, m in enumerate(agenda, 1)]
    )


def agenda_of(meeting: Meeting) -> list[Matter]:
    return [
        item.matter
        for item in AgendaItem.objects.filter(meeting=meeting)
        .select_related("matter")
        .order_by("position", "pk")
    ]


def units_for(region):
    """Units that may be invited: those serving the community, a region above it, or a compound in it."""
    board = board_of(region)
    return (
        Unit.objects.filter(Q(serves__pk__in=board.ancestor_ids) | within(board, "serves"))
        .distinct()
        .order_by("name")
    )


def _check_convener(convener, region) -> None:
    if convener is None:
        raise Refused(_("Name the convener of the meeting."), "convener_required", field="convener")
    if not can(convener, MANAGE, region):
        raise Refused(
            _("The convener must be a committee member of this community."),
            "invalid_convener",
            field="convener",
        )


@transaction.atomic
def create_meeting(
    *,
    actor,
    region,
    form: str,
    platform: str,
    title: str,
    starts_at,
    place: str,
    platform_name: str = "",
    convener=None,
    agenda=(),
) -> Meeting:
    require(actor, MANAGE, region)
    if region.level not in (Level.COMMUNITY, Level.COMPOUND):
        raise Refused(
            _("A meeting is held by a community or village, or in one of its compounds."),
            "invalid_region",
            field="region",
        )
    fields = _clean(
        form=form,
        platform=platform,
        platform_name=platform_name,
        title=title,
        starts_at=starts_at,
        place=place,
    )
    convener = convener or _person(actor)
    _check_convener(convener, region)
    agenda = _clean_agenda(region, agenda)
    meeting = Meeting.objects.create(
        region=region, convener=convener, created_by=_person(actor), created_at=timezone.now(), **fields
    )
    _write_agenda(meeting, agenda)
    record(
        actor=actor,
        action=Action.MEETINGS_CREATE,
        target=meeting,
        data={
            "region": region.pk,
            "form": fields["form"],
            "starts_at": fields["starts_at"],
            "agenda": [m.pk for m in agenda],
        },
    )
    figures_hooks.changed(meeting)
    return meeting


@transaction.atomic
def update_meeting(
    *,
    actor,
    meeting: Meeting,
    form: str,
    platform: str,
    title: str,
    starts_at,
    place: str,
    platform_name: str = "",
    convener=None,
    agenda=None,
) -> Meeting:
    """Edit a meeting that is still being prepared. Once announced, only ``change_meeting`` changes it."""
    meeting = _locked(meeting)
    enforce(predicates.may_edit(actor, meeting))
    fields = _clean(
        form=form,
        platform=platform,
        platform_name=platform_name,
        title=title,
        starts_at=starts_at,
        place=place,
    )
    if convener is not None:
        _check_convener(convener, meeting.region)
        fields["convener"] = convener
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    if agenda is not None:
        _write_agenda(meeting, _clean_agenda(meeting.region, agenda))
    record(
        actor=actor,
        action=Action.MEETINGS_UPDATE,
        target=meeting,
        data={
            "form": meeting.form,
            "starts_at": meeting.starts_at,
            "agenda": [m.pk for m in agenda_of(meeting)],
        },
    )
    figures_hooks.changed(meeting)
    return meeting


@transaction.atomic
def invite(
    *,
    actor,
    meeting: Meeting,
    people=(),
    units=(),
    names=(),
    capacity: str = "",
    representatives: bool = False,
) -> int:
    """Invite people (in a capacity: 居民代表, 两委成员 …), responsible units, and stakeholders named in words.

    ``representatives`` invites every residents' representative of the community. Whoever is already invited
    is left as they are. Returns how many invitations were added. Inviting more people needs no new notice.
    """
    from .queries import representatives_of

    meeting = _locked(meeting)
    enforce(predicates.may_invite(actor, meeting))
    capacity = (capacity or "").strip()[:50]
    names = [n.strip()[:100] for n in names if n and n.strip()]
    people = [(p, capacity) for p in people]
    if representatives:
        with translation.override(settings.LANGUAGE_CODE):
            as_representative = str(Role.REPRESENTATIVE.label)
        people += [(p, capacity or as_representative) for p in representatives_of(meeting.region)]
    units = list(units)
    if not (people or units or names):
        raise Refused(_("Name at least one person, unit or stakeholder to invite."), "nobody", field="people")
    serving = set(units_for(meeting.region).values_list("pk", flat=True))
    for unit in units:
        if unit.pk not in serving:
            raise Refused(
                _("%(unit)s does not serve this community.") % {"unit": unit.name},
                "unit_elsewhere",
                field="units",
            )
    invited = Invitation.objects.filter(meeting=meeting)
    have_people = set(invited.exclude(person=None).values_list("person_id", flat=True))
    have_units = set(invited.exclude(unit=None).values_list("unit_id", flat=True))
    have_names = set(invited.filter(person=None, unit=None).values_list("name", flat=True))
    now, by = timezone.now(), _person(actor)
    new = []
    for person, as_ in people:
        if person.pk not in have_people:
            have_people.add(person.pk)
            new.append(Invitation(meeting=meeting, person=person, capacity=as_, invited_by=by, at=now))
    for unit in units:
        if unit.pk not in have_units:
            have_units.add(unit.pk)
            new.append(Invitation(meeting=meeting, unit=unit, capacity=capacity, invited_by=by, at=now))
    for name in names:
        if name not in have_names:
            have_names.add(name)
            new.append(Invitation(meeting=meeting, name=name, capacity=capacity, invited_by=by, at=now))
    Invitation.objects.bulk_create(new)
    record(
        actor=actor,
        action=Action.MEETINGS_INVITE,
        target=meeting,
        data={
            "people": sum(1 for i in new if i.person_id),
            "units": [i.unit_id for i in new if i.unit_id],
            "named": sum(1 for i in new if i.name),
        },
    )
    return len(new)


# --- announcing, changing, cancelling: each a new notice ------------------------------------------------------


def notice_given(starts_at, now) -> int:
    """Days of notice: calendar days in the site's time zone from the day of posting to the day of the meeting."""
    return (timezone.localdate(starts_at) - timezone.localdate(now)).days


def _post(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    now,
    matters: list[Matter],
    subject: bool,
    late_reason: str = "",
    reason: str = "",
    replaces=None,
) -> Announcement:
    required = rules.notice_days(meeting.form, meeting.region)
    given = notice_given(meeting.starts_at, now)
    late = subject and required is not None and given < required
    late_reason = (late_reason or "").strip()
    if late and not late_reason:
        raise Refused(
            _(
                "A %(form)s must be announced at least %(days)s days ahead (%(source)s); this is %(given)s days "
                "ahead. Give the reason for the short notice: it is posted with the notice and shown on every "
                "matter on the agenda."
            )
            % {
                "form": meeting.get_form_display(),
                "days": required,
                "source": rules.notice_source(meeting.form, meeting.region),
                "given": given,
            },
            "short_notice",
            field="late_reason",
        )
    with translation.override(settings.LANGUAGE_CODE):
        title, body = _notice_text(meeting, kind, agenda_of(meeting), late_reason if late else "", reason)
    notice_kind = {
        AnnouncementKind.ANNOUNCE: NoticeKind.MEETING,
        AnnouncementKind.CHANGE: NoticeKind.MEETING_CHANGED,
        AnnouncementKind.CANCEL: NoticeKind.MEETING_CANCELLED,
    }[kind]
    # Posted until the day after the meeting (a cancellation: after the day it would have been).
    period = min(max(1, given + 1), MAX_PERIOD_DAYS)
    notice = post_notice(
        actor=actor,
        region=board_of(meeting.region),
        kind=notice_kind,
        title=title,
        body=body,
        period_days=period,
        replaces=replaces,
    )
    announcement = Announcement.objects.create(
        meeting=meeting,
        notice=notice,
        kind=kind,
        starts_at=meeting.starts_at,
        required_days=required,
        given_days=given,
        late=late,
        late_reason=late_reason if late else "",
        reason=reason,
        actor=_person(actor),
        at=now,
    )
    announcement.matters.set(matters)
    return announcement


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _notice_text(meeting: Meeting, kind: str, agenda: list[Matter], late_reason: str, reason: str):
    from .queries import participants_public

    titles = {
        AnnouncementKind.ANNOUNCE: _("Meeting notice: %(title)s"),
        AnnouncementKind.CHANGE: _("Meeting changed: %(title)s"),
        AnnouncementKind.CANCEL: _("Meeting cancelled: %(title)s"),
    }
    title = titles[kind] % {"title": meeting.title}
    lines = []
    if kind == AnnouncementKind.CANCEL:
        lines.append(
            _("The meeting of %(when)s at %(place)s will not take place.")
            % {"when": _when(meeting.starts_at), "place": meeting.place}
        )
        lines.append(_("Reason: %(reason)s") % {"reason": reason})
        return str(title), "\n".join(str(line) for line in lines)
    if kind == AnnouncementKind.CHANGE:
        lines.append(_("What changed: %(reason)s") % {"reason": reason})
    lines.append(_("Form: %(form)s") % {"form": meeting.get_form_display()})
    lines.append(_("Time: %(when)s") % {"when": _when(meeting.starts_at)})
    lines.append(
        _("Place: %(place)s (%(platform)s)") % {"place": meeting.place, "platform": meeting.platform_label}
    )
    if agenda:
        lines.append(_("Agenda:"))
        lines += [f"{i}. {m.title}" for i, m in enumerate(agenda, 1)]
    who = participants_public(meeting)
    if who:
        lines.append(_("Invited: %(who)s") % {"who": "、".join(who)})
    lines.append(_("Convened by: %(name)s") % {"name": meeting.convener.name})
    if late_reason:
        lines.append(_("Announced at short notice. Reason: %(reason)s") % {"reason": late_reason})
    return str(title), "\n".join(str(line) for line in lines)


def current_announcement(meeting: Meeting) -> Announcement | None:
    return (
        Announcement.objects.filter(meeting=meeting).select_related("notice").order_by("-at", "-pk").first()
    )


def _require_future(starts_at, now) -> None:
    enforce(predicates.in_the_past(starts_at, now))


@transaction.atomic
def announce(*, actor, meeting: Meeting, late_reason: str = "") -> Announcement:
    """发布公告: post the meeting's notice on the board. Later than the form's minimum notice only with a reason,
    which is posted and flagged on every agenda matter's compliance."""
    meeting = _locked(meeting)
    now = timezone.now()
    enforce(predicates.may_announce(actor, meeting, now))
    announcement = _post(
        actor=actor,
        meeting=meeting,
        kind=AnnouncementKind.ANNOUNCE,
        now=now,
        matters=agenda_of(meeting),
        subject=True,
        late_reason=late_reason,
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.ANNOUNCED, announced_at=now)
    meeting.status, meeting.announced_at = MeetingStatus.ANNOUNCED, now
    record(
        actor=actor,
        action=Action.MEETINGS_ANNOUNCE,
        target=meeting,
        data={
            "notice": announcement.notice_id,
            "required_days": announcement.required_days,
            "given_days": announcement.given_days,
            "late": announcement.late,
        },
    )
    figures_hooks.changed(meeting)
    return announcement


@transaction.atomic
def change_meeting(
    *,
    actor,
    meeting: Meeting,
    reason: str,
    title: str | None = None,
    starts_at=None,
    place: str | None = None,
    platform: str | None = None,
    platform_name: str | None = None,
    agenda=None,
    late_reason: str = "",
) -> Announcement:
    """Change an announced meeting: a new notice, replacing the current one, says what changed and why.

    A new time, or matters added to the agenda, fall under the notice-period rule again.
    """
    meeting = _locked(meeting)
    enforce(predicates.may_change(actor, meeting))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _("Say what changed and why; it is posted with the change."), "reason_required", field="reason"
        )
    now = timezone.now()
    fields = _clean(
        form=meeting.form,
        platform=platform or meeting.platform,
        platform_name=meeting.platform_name if platform_name is None else platform_name,
        title=meeting.title if title is None else title,
        starts_at=starts_at or meeting.starts_at,
        place=meeting.place if place is None else place,
    )
    old_agenda = agenda_of(meeting)
    new_agenda = old_agenda if agenda is None else _clean_agenda(meeting.region, agenda)
    moved = fields["starts_at"] != meeting.starts_at
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    if [m.pk for m in new_agenda] != [m.pk for m in old_agenda]:
        changed.append("agenda")
    if not changed:
        raise Refused(_("Nothing has changed."), "unchanged")
    _require_future(fields["starts_at"], now)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    if "agenda" in changed:
        _write_agenda(meeting, new_agenda)
    old_pks = {m.pk for m in old_agenda}
    added = [m for m in new_agenda if m.pk not in old_pks]
    # Which matters this notice gives notice of: all of them at a new time, else only those just added.
    concerned = new_agenda if moved else added
    previous = current_announcement(meeting)
    announcement = _post(
        actor=actor,
        meeting=meeting,
        kind=AnnouncementKind.CHANGE,
        now=now,
        matters=concerned,
        subject=bool(concerned),
        late_reason=late_reason,
        reason=reason,
        replaces=previous.notice if previous else None,
    )
    record(
        actor=actor,
        action=Action.MEETINGS_CHANGE,
        target=meeting,
        data={"notice": announcement.notice_id, "changed": changed, "late": announcement.late},
    )
    figures_hooks.changed(meeting)
    return announcement


@transaction.atomic
def cancel_meeting(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting. An announced one gets a cancellation notice that replaces its current notice."""
    meeting = _locked(meeting)
    enforce(predicates.may_cancel(actor, meeting))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _("Give the reason for cancelling; an announced meeting's reason is posted."),
            "reason_required",
            field="reason",
        )
    now = timezone.now()
    notice_id = None
    if meeting.status == MeetingStatus.ANNOUNCED:
        previous = current_announcement(meeting)
        announcement = _post(
            actor=actor,
            meeting=meeting,
            kind=AnnouncementKind.CANCEL,
            now=now,
            matters=[],
            subject=False,
            reason=reason,
            replaces=previous.notice if previous else None,
        )
        notice_id = announcement.notice_id
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CANCELLED, cancelled_at=now, cancel_reason=reason[:2000]
    )
    meeting.status, meeting.cancelled_at, meeting.cancel_reason = MeetingStatus.CANCELLED, now, reason[:2000]
    record(actor=actor, action=Action.MEETINGS_CANCEL, target=meeting, data={"notice": notice_id})
    figures_hooks.changed(meeting)
    return meeting


# --- sign-in -------------------------------------------------------------------------------------------------


def sign_in_token(meeting: Meeting) -> str:
    """The token in the meeting's QR code: the meeting's id, signed, so that no other meeting's can be guessed."""
    return signing.Signer(salt=SIGN_IN_SALT).sign(str(meeting.pk))


def meeting_for_token(token: str) -> Meeting | None:
    try:
        pk = int(signing.Signer(salt=SIGN_IN_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None
    return Meeting.objects.select_related("region", "convener").filter(pk=pk).first()


self_sign_in_opens = predicates.self_sign_in_opens


def _attend(*, actor, meeting: Meeting, person, invitation: Invitation | None, method: str) -> Attendance:
    name = invitation.label if invitation is not None and person is None else person.name
    taken = Attendance.objects.filter(meeting=meeting)
    if (person is not None and taken.filter(person=person).exists()) or (
        invitation is not None and taken.filter(invitation=invitation).exists()
    ):
        raise predicates.already_signed_in(name)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting,
                invitation=invitation,
                person=person,
                name=name[:100],
                method=method,
                recorded_by=_person(actor),
                at=timezone.now(),
            )
    except IntegrityError:
        raise predicates.already_signed_in(name) from None
    record(
        actor=actor,
        action=Action.MEETINGS_SIGN_IN,
        target=attendance,
        data={"meeting": meeting.pk, "method": method, "invited": invitation is not None},
    )
    figures_hooks.changed(attendance)
    return attendance


def _unit_invitation_for(person, meeting: Meeting) -> Invitation | None:
    """A unit's staff member signs in for their invited unit, if nobody from the unit has yet."""
    unit_ids = [a.unit_id for a in active_roles(person) if a.role == Role.UNIT_STAFF and a.unit_id]
    if not unit_ids:
        return None
    attended = Attendance.objects.filter(meeting=meeting, invitation__isnull=False).values("invitation_id")
    return (
        Invitation.objects.filter(meeting=meeting, unit_id__in=unit_ids)
        .exclude(pk__in=attended)
        .select_related("unit")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def sign_in(*, actor, meeting: Meeting) -> Attendance:
    """A participant opens the meeting's QR link on their phone, logged in, and confirms they are here.

    Someone who was not invited may sign in too: the meeting is public; they are counted as attending without
    being among those expected (列席), and never towards a quorum they do not belong to.
    """
    person = _person(actor)
    if person is not None:
        meeting = _locked(meeting)
    enforce(predicates.may_sign_in(actor, meeting))
    invitation = Invitation.objects.filter(meeting=meeting, person=person).first() or _unit_invitation_for(
        person, meeting
    )
    return _attend(actor=actor, meeting=meeting, person=person, invitation=invitation, method=SignIn.QR)


@transaction.atomic
def check_in(*, actor, meeting: Meeting, invitation: Invitation | None = None, person=None) -> Attendance:
    """Staff sign someone in: an invited person, unit or named stakeholder, or a resident found by mobile."""
    meeting = _locked(meeting)
    enforce(predicates.may_check_in(actor, meeting))
    if invitation is not None:
        if invitation.meeting_id != meeting.pk:
            raise Refused(
                _("That invitation belongs to another meeting."), "wrong_meeting", field="invitation"
            )
        person = invitation.person
    elif person is not None:
        invitation = Invitation.objects.filter(meeting=meeting, person=person).first()
    else:
        raise Refused(_("Choose who is signing in."), "nobody", field="invitation")
    return _attend(actor=actor, meeting=meeting, person=person, invitation=invitation, method=SignIn.STAFF)


@transaction.atomic
def respond(*, actor, meeting: Meeting, attending: bool) -> Invitation:
    """An invited person says whether they will come."""
    person = _person(actor)
    invitation = (
        Invitation.objects.select_for_update().filter(meeting=meeting, person=person).first()
        if person
        else None
    )
    enforce(predicates.may_respond(actor, meeting, invitation))
    invitation.response = Response.YES if attending else Response.NO
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    record(
        actor=actor,
        action=Action.MEETINGS_RESPOND,
        target=invitation,
        data={"meeting": meeting.pk, "response": invitation.response},
    )
    return invitation


@transaction.atomic
def attach_sheet_photo(*, actor, meeting: Meeting, upload) -> SheetPhoto:
    """A photo of the paper sign-in sheet. Re-encoded (no location data); shown to staff only."""
    meeting = _locked(meeting)
    enforce(predicates.may_attach_sheet(actor, meeting))
    content, width, height = clean_photo(upload)
    photo = SheetPhoto(
        meeting=meeting,
        token=new_token(),
        width=width,
        height=height,
        uploaded_by=_person(actor),
        at=timezone.now(),
    )
    photo.image.save(content.name, content, save=False)
    photo.save()
    record(actor=actor, action=Action.MEETINGS_ATTACH_SHEET, target=photo, data={"meeting": meeting.pk})
    return photo


# --- holding it: ideas and decisions per agenda matter ----------------------------------------------------


@transaction.atomic
def record_ideas(*, actor, meeting: Meeting, matter: Matter, ideas: list[tuple[str, str]]) -> Session:
    """Ideas said at the meeting about one agenda matter. The first time, they become the matter's consultation
    session at this meeting (its step evidence), with who signed in; later ideas are added to that session."""
    from .queries import attendance_summary

    meeting = _locked(meeting)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(predicates.may_record_ideas(actor, meeting, matter))
    session = Session.objects.filter(meeting=meeting, matter=matter).first()
    if session is None:
        present = list(Attendance.objects.filter(meeting=meeting).select_related("person"))
        return record_session(
            actor=actor,
            matter=matter,
            title=meeting.title[:100],
            held_at=meeting.starts_at,
            place=meeting.place,
            attendance=attendance_summary(meeting).total,
            ideas=ideas,
            form=meeting.form,
            attendees=[a.person for a in present if a.person_id],
            other_attendees="、".join(a.name for a in present if not a.person_id),
            meeting=meeting,
        )
    ideas = _clean_ideas(ideas)
    Idea.objects.bulk_create([Idea(session=session, text=text[:2000], voiced_by=by) for text, by in ideas])
    record(
        actor=actor,
        action=Action.MEETINGS_ADD_IDEAS,
        target=session,
        data={"meeting": meeting.pk, "matter": matter.pk, "ideas": len(ideas)},
    )
    figures_hooks.changed(session)
    return session


@transaction.atomic
def record_decision(*, actor, meeting: Meeting, matter: Matter, text: str):
    """What the meeting agreed on an agenda matter: the consensus on the latest plan version, tied to the
    matter's session at this meeting (the procedure checks the matter's step)."""
    from yishi.plans.services import record_consensus

    meeting = _locked(meeting)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(predicates.may_record_decision(actor, meeting, matter))
    session = Session.objects.filter(meeting=meeting, matter=matter).first()
    version = matter.plan_versions.order_by("-number").first()
    return record_consensus(actor=actor, matter=matter, version=version, minutes=text, session=session)


# --- closing it and the minutes -------------------------------------------------------------------------------


@transaction.atomic
def close_meeting(*, actor, meeting: Meeting) -> Meeting:
    """The meeting is over: sign-in closes and the minutes are drafted, one per agenda matter."""
    from .queries import draft_minutes

    meeting = _locked(meeting)
    now = timezone.now()
    enforce(predicates.may_close(actor, meeting, now))
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD, ended_at=now)
    meeting.status, meeting.ended_at = MeetingStatus.HELD, now
    agenda = agenda_of(meeting) or [None]
    Minutes.objects.bulk_create(
        [
            Minutes(
                meeting=meeting, matter=m, position=i, text=draft_minutes(meeting, m)[:20000], drafted_at=now
            )
            for i, m in enumerate(agenda, 1)
        ]
    )
    record(actor=actor, action=Action.MEETINGS_CLOSE, target=meeting, data={"minutes": len(agenda)})
    figures_hooks.changed(meeting)
    return meeting


def _locked_minutes(minutes: Minutes) -> tuple[Meeting, Minutes]:
    meeting = _locked(minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    minutes.meeting = meeting
    return meeting, minutes


@transaction.atomic
def edit_minutes(*, actor, minutes: Minutes, text: str) -> Minutes:
    """The secretary edits the drafted minutes until the convener confirms them."""
    meeting, minutes = _locked_minutes(minutes)
    enforce(predicates.may_edit_minutes(actor, minutes))
    # A browser's textarea sends CRLF; the minutes (and their digest) keep the drafted text's LF line ends.
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise Refused(_("The minutes cannot be empty."), "text_required", field="text")
    minutes.text, minutes.edited_by, minutes.edited_at = text[:20000], _person(actor), timezone.now()
    minutes.save(update_fields=["text", "edited_by", "edited_at"])
    record(
        actor=actor,
        action=Action.MEETINGS_EDIT_MINUTES,
        target=minutes,
        data={"meeting": meeting.pk, "matter": minutes.matter_id, "sha256": _digest(minutes.text)},
    )
    return minutes


@transaction.atomic
def redraft_minutes(*, actor, minutes: Minutes) -> Minutes:
    """Draft the minutes again from what is recorded now (ideas added after the meeting closed), replacing
    the edits made so far."""
    from .queries import draft_minutes

    meeting, minutes = _locked_minutes(minutes)
    enforce(predicates.may_edit_minutes(actor, minutes))
    minutes.text = draft_minutes(meeting, minutes.matter)[:20000]
    minutes.drafted_at, minutes.edited_by, minutes.edited_at = timezone.now(), None, None
    minutes.save(update_fields=["text", "drafted_at", "edited_by", "edited_at"])
    record(
        actor=actor,
        action=Action.MEETINGS_REDRAFT_MINUTES,
        target=minutes,
        data={"meeting": meeting.pk, "matter": minutes.matter_id, "sha256": _digest(minutes.text)},
    )
    return minutes


@transaction.atomic
def confirm_minutes(*, actor, meeting: Meeting) -> list[Minutes]:
    """The convener confirms the meeting's minutes. From then on they are public and never edited; the digest
    of each text goes into the audit chain, so any later change to the stored text is detectable."""
    meeting = _locked(meeting)
    rows = list(Minutes.objects.select_for_update().filter(meeting=meeting).order_by("position", "pk"))
    # The system (actor None, the command line) may confirm; a person only if they are the convener.
    enforce(predicates.may_confirm(actor, meeting))
    now = timezone.now()
    digests = {}
    for m in rows:
        digests[str(m.pk)] = _digest(m.text)
        Minutes.objects.filter(pk=m.pk).update(
            confirmed_by=_person(actor), confirmed_at=now, digest=digests[str(m.pk)]
        )
        m.confirmed_by, m.confirmed_at, m.digest = _person(actor), now, digests[str(m.pk)]
    record(actor=actor, action=Action.MEETINGS_CONFIRM_MINUTES, target=meeting, data={"sha256": digests})
    return rows


@transaction.atomic
def add_addendum(*, actor, minutes: Minutes, text: str) -> Addendum:
    """A correction to confirmed minutes, signed by its author (the convener or the community's staff)."""
    meeting, minutes = _locked_minutes(minutes)
    person = _person(actor)
    enforce(predicates.may_add_addendum(actor, minutes))
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write the correction."), "text_required", field="text")
    text = text[:5000]
    addendum = Addendum.objects.create(
        minutes=minutes, text=text, by=person, at=timezone.now(), digest=_digest(text)
    )
    record(
        actor=actor,
        action=Action.MEETINGS_ADD_ADDENDUM,
        target=addendum,
        data={"meeting": meeting.pk, "minutes": minutes.pk, "sha256": addendum.digest},
    )
    return addendum
