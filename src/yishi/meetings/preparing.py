"""Preparing a meeting: its form, platform, time, place, convener and agenda, and the invitations.

明确协商时间地点及参与主体 → 发布公告 → 召开会议 → 公布结果: a meeting is prepared (here), announced on the region's
public board under the notice-period rule, changed or cancelled only by new notices that replace the old
(``announcing``), attended (``attending``: sign-in), held (``holding``: ideas and decisions per agenda matter),
closed, and its minutes drafted from those records, edited by the secretary, confirmed by the convener and from
then on only added to (``closing``: a signed addendum).

Every function takes ``actor`` (None is the system), checks authority, runs in one transaction and writes its
audit entry; a refusal leaves nothing half-saved. The meeting locked and the acting person are shared by all.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.queries import can, require
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter, Status
from yishi.notices.services import board_of
from yishi.people.actors import Actor, acting_person
from yishi.regions.models import Level, Unit, within

from . import predicates
from .models import (
    AgendaItem,
    Invitation,
    Meeting,
    Platform,
    SessionForm,
)

MANAGE = "meetings.manage_meeting"


def locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("region", "convener").get(pk=meeting.pk)


# --- preparing a meeting ---------------------------------------------------------------------------------------


def clean_fields(*, form, platform, platform_name, title, starts_at, place) -> dict:
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


def clean_agenda(region, matters) -> list[Matter]:
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


def write_agenda(meeting: Meeting, agenda: list[Matter]) -> None:
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
    actor: Actor,
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
    fields = clean_fields(
        form=form,
        platform=platform,
        platform_name=platform_name,
        title=title,
        starts_at=starts_at,
        place=place,
    )
    convener = convener or acting_person(actor)
    _check_convener(convener, region)
    agenda = clean_agenda(region, agenda)
    meeting = Meeting.objects.create(
        region=region, convener=convener, created_by=acting_person(actor), created_at=timezone.now(), **fields
    )
    write_agenda(meeting, agenda)
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
    actor: Actor,
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
    meeting = locked(meeting)
    enforce(predicates.may_edit(actor, meeting))
    fields = clean_fields(
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
        write_agenda(meeting, clean_agenda(meeting.region, agenda))
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
    actor: Actor,
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

    meeting = locked(meeting)
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
    now, by = timezone.now(), acting_person(actor)
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
