"""What the meeting pages show, gathered in one place: the public page and the staff page that runs the meeting."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from yishi.access.queries import regions_where
from yishi.access.roles import Role
from yishi.errors import Refused
from yishi.notices.printing import qr_svg
from yishi.notices.services import board_of
from yishi.people.models import Person
from yishi.regions.models import Level, within

from . import announcing, attending, forms, predicates, preparing, queries, rules
from .models import AgendaItem, Attendance, Invitation, MeetingStatus, Session

MANAGE = preparing.MANAGE


def manageable_regions(user):
    return regions_where(user, MANAGE).filter(level__in=[Level.COMMUNITY, Level.COMPOUND]).order_by("path")


def conveners_for(region, user=None):
    """Who may convene: the committee members of the meeting's community (and the person scheduling it)."""
    return conveners_in(board_of(region).ancestors(), user)


def conveners_in(regions, user=None):
    q = Q(roles__role=Role.COMMITTEE, roles__revoked_at__isnull=True, roles__region__in=regions)
    if user is not None and user.is_authenticated:
        q |= Q(pk=user.pk)
    return Person.objects.filter(q).distinct().order_by("name", "pk")


# Why recording on an agenda matter is not open, shown beside it where it helps the staff (not for a meeting
# being prepared or cancelled, nor once the minutes are confirmed: the page says so as a whole).
_RECORD_NOTES_HIDDEN = frozenset({Refused.FORBIDDEN, "not_sitting", "minutes_confirmed", "not_on_agenda"})


def _note(refused) -> str:
    return str(refused.reason) if refused is not None and refused.code not in _RECORD_NOTES_HIDDEN else ""


def _agenda_rows(request, meeting, bound: dict, now) -> list[dict]:
    items = list(
        AgendaItem.objects.filter(meeting=meeting).select_related("matter").order_by("position", "pk")
    )
    sessions = {s.matter_id: s for s in Session.objects.filter(meeting=meeting).prefetch_related("ideas")}
    sitting = predicates.not_sitting(meeting, now)
    rows = []
    for item in items:
        matter = item.matter
        session = sessions.get(matter.pk)
        ideas_name, decision_name = f"ideas_{matter.pk}", f"decision_{matter.pk}"
        ideas = predicates.may_record_ideas(request.user, meeting, matter, sitting=sitting, now=now)
        decision = predicates.may_record_decision(request.user, meeting, matter, sitting=sitting, now=now)
        rows.append(
            {
                "matter": matter,
                "session": session,
                "ideas": list(session.ideas.all()) if session else [],
                "consensus": list(matter.consensus_records.filter(session=session).select_related("version"))
                if session
                else [],
                "ideas_form": (bound.get(ideas_name) or forms.IdeasForm(auto_id=forms.auto_id(ideas_name)))
                if ideas is None
                else None,
                "decision_form": (
                    bound.get(decision_name) or forms.DecisionForm(auto_id=forms.auto_id(decision_name))
                )
                if decision is None
                else None,
                "ideas_note": _note(ideas),
            }
        )
    return rows


def _minutes_rows(request, meeting, bound: dict) -> list[dict]:
    rows = []
    for m in queries.minutes_of(meeting, confirmed_only=False):
        m.meeting = meeting
        edit_name, add_name = f"minutes_{m.pk}", f"addendum_{m.pk}"
        rows.append(
            {
                "minutes": m,
                "form": (
                    bound.get(edit_name)
                    or forms.MinutesForm(auto_id=forms.auto_id(edit_name), initial={"text": m.text})
                )
                if predicates.may_edit_minutes(request.user, m) is None
                else None,
                "addendum_form": (bound.get(add_name) or forms.AddendumForm(auto_id=forms.auto_id(add_name)))
                if predicates.may_add_addendum(request.user, m) is None
                else None,
            }
        )
    return rows


def sign_in_url(request, meeting) -> str:
    return request.build_absolute_uri(reverse("meetings:sign_in", args=[attending.sign_in_token(meeting)]))


def run_context(request, meeting, bound: dict) -> dict:
    """The staff page: prepare, announce, change or cancel; sign people in; record; close; the minutes."""
    now = timezone.now()
    summary = queries.attendance_summary(meeting)
    attended = {
        a.invitation_id: a for a in Attendance.objects.filter(meeting=meeting, invitation__isnull=False)
    }
    invitations = list(
        Invitation.objects.filter(meeting=meeting).select_related("person", "unit").order_by("pk")
    )
    scope = manageable_regions(request.user)
    matters = forms.open_matters(scope.filter(within(board_of(meeting.region))) if scope.exists() else scope)
    agenda_ids = [m.pk for m in preparing.agenda_of(meeting)]
    initial = {
        "region": meeting.region_id,
        "title": meeting.title,
        "form": meeting.form,
        "platform": meeting.platform,
        "platform_name": meeting.platform_name,
        "starts_at": timezone.localtime(meeting.starts_at),
        "place": meeting.place,
        "agenda": agenda_ids,
        "convener": meeting.convener_id,
    }
    status = meeting.status
    offers = predicates.offers(request.user, meeting, now=now)
    context = {
        "meeting": meeting,
        "summary": summary,
        "quorum": queries.quorum(meeting, summary),
        "invitations": [{"invitation": i, "attended": attended.get(i.pk)} for i in invitations],
        "attendance": list(
            Attendance.objects.filter(meeting=meeting).select_related("invitation").order_by("at", "pk")
        ),
        "agenda": _agenda_rows(request, meeting, bound, now),
        "minutes": _minutes_rows(request, meeting, bound) if status == MeetingStatus.HELD else [],
        "confirmed": predicates.confirmed(meeting),
        "offers": offers,
        # Why a draft cannot be announced yet (its time has passed), or an announced meeting not yet closed.
        "announce_note": offers.why_not("announce") if "edit" in offers else "",
        "close_note": offers.why_not("close") if "check_in" in offers else "",
        "announcements": list(meeting.announcements.select_related("notice").order_by("at", "pk")),
        "sheet_photos": list(meeting.sheet_photos.order_by("at", "pk")),
        "notice_days": rules.notice_days(meeting.form, meeting.region),
        "notice_source": rules.notice_source(meeting.form, meeting.region),
        "days_ahead": announcing.notice_given(meeting.starts_at, now),
        "refusals": _refusals(bound),
        "forms": {},
    }
    f = context["forms"]
    if "invite" in offers:
        f["invite"] = bound.get("invite") or forms.InviteForm(
            auto_id=forms.auto_id("invite"), units=preparing.units_for(meeting.region)
        )
    if "cancel" in offers:
        f["cancel"] = bound.get("cancel") or forms.ReasonForm(auto_id=forms.auto_id("cancel"))
    if "edit" in offers:
        f["edit"] = bound.get("edit") or forms.MeetingForm(
            auto_id=forms.auto_id("edit"),
            initial=initial,
            regions=scope,
            matters=matters,
            conveners=conveners_for(meeting.region, request.user),
        )
    if "announce" in offers:
        f["announce"] = bound.get("announce") or forms.AnnounceForm(auto_id=forms.auto_id("announce"))
    if "change" in offers:
        f["change"] = bound.get("change") or forms.ChangeForm(
            auto_id=forms.auto_id("change"), initial=initial, matters=matters
        )
    if "check_in" in offers:
        f["check_in"] = bound.get("check_in") or forms.CheckInForm(auto_id=forms.auto_id("check_in"))
        context["sign_in_url"] = sign_in_url(request, meeting)
        context["sign_in_qr"] = qr_svg(context["sign_in_url"])
        context["sign_in_opens"] = predicates.self_sign_in_opens(meeting)
    if "sheet" in offers:
        f["sheet"] = bound.get("sheet") or forms.SheetForm(auto_id=forms.auto_id("sheet"))
    return context


def _refusals(bound: dict) -> list[str]:
    out = []
    for form in bound.values():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else None
            out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


def detail_context(request, meeting, bound: dict) -> dict:
    """The public page: what, when, where, who is invited (units and capacities), the notices, attendance and
    quorum, and the confirmed minutes with their addenda."""
    user = request.user
    summary = queries.attendance_summary(meeting)
    invitation = (
        Invitation.objects.filter(meeting=meeting, person=user).first() if user.is_authenticated else None
    )
    offers = predicates.offers(user, meeting, invitation=invitation)
    return {
        "meeting": meeting,
        "agenda": preparing.agenda_of(meeting),
        "participants": queries.participants_public(meeting),
        "summary": summary,
        "quorum": queries.quorum(meeting, summary),
        "announcements": list(meeting.announcements.select_related("notice").order_by("at", "pk")),
        "minutes": queries.minutes_of(meeting, confirmed_only=True),
        "invitation": invitation,
        "respond_form": bound.get("respond")
        or forms.RespondForm(
            auto_id=forms.auto_id("respond"),
            initial={"attending": invitation.response} if invitation and invitation.response else None,
        ),
        "offers": offers,
        "may_manage": predicates.authority(user, meeting) is None,
        "refusals": _refusals(bound),
    }
