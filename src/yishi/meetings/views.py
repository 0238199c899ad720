"""Meeting pages: thin. Parse the form, call the service, render; a Refused becomes the form's error.

As on the matter pages: success redirects with a message; input the form or the service finds wrong re-renders
with 400; an action the meeting's state refuses with 409; one the person lacks authority for with 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from yishi.errors import Refused, refusal_status, refusal_to_form
from yishi.matters.models import Matter
from yishi.notices.printing import qr_svg
from yishi.people.lookup import person_by_phone

from . import announcing, attending, closing, forms, holding, pages, predicates, preparing, queries
from .models import Invitation, MeetingStatus, Minutes

MANAGE = preparing.MANAGE


# --- lists and scheduling -------------------------------------------------------------------------------------


@login_required
def index(request):
    """What I am invited to; for staff, the meetings they run and a way to schedule one."""
    user = request.user
    return render(
        request,
        "meetings/index.html",
        {
            "invitations": list(queries.invitations_of(user)[:50]),
            "managed": list(queries.managed_by(user)[:50]),
            "may_schedule": pages.manageable_regions(user).exists(),
        },
    )


@login_required
def new(request):
    regions = pages.manageable_regions(request.user)
    if not regions.exists():
        raise PermissionDenied
    matters = forms.open_matters(regions)
    kwargs = {"regions": regions, "matters": matters, "conveners": pages.conveners_in(regions, request.user)}
    if request.method != "POST":
        form = forms.MeetingForm(
            initial={"region": request.GET.get("region"), "convener": request.user.pk}, **kwargs
        )
        return render(request, "meetings/new.html", {"form": form})
    form = forms.MeetingForm(request.POST, **kwargs)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            meeting = preparing.create_meeting(
                actor=request.user,
                region=d["region"],
                form=d["form"],
                platform=d["platform"],
                platform_name=d["platform_name"],
                title=d["title"],
                starts_at=d["starts_at"],
                place=d["place"],
                agenda=list(d["agenda"]),
                convener=d["convener"],
            )
        except Refused as exc:
            status = refusal_to_form(form, exc)
        else:
            messages.success(request, _("The meeting is saved. Invite its participants, then announce it."))
            return redirect("meetings:run", meeting.pk)
    return render(request, "meetings/new.html", {"form": form}, status=status)


# --- the public page and the staff page -----------------------------------------------------------------------


def detail(request, pk: int, bound: dict | None = None, status: int = 200):
    meeting = queries.get_meeting_for(request.user, pk)
    return render(
        request, "meetings/detail.html", pages.detail_context(request, meeting, bound or {}), status=status
    )


@login_required
def run(request, pk: int, bound: dict | None = None, status: int = 200):
    meeting = queries.get_meeting_for(request.user, pk)
    if predicates.authority(request.user, meeting) is not None:
        raise PermissionDenied
    return render(
        request, "meetings/run.html", pages.run_context(request, meeting, bound or {}), status=status
    )


@vary_on_headers("HX-Request")
def quorum(request, pk: int):
    """Attendance and quorum, live: the pages poll this fragment while the meeting is announced."""
    meeting = queries.get_meeting_for(request.user, pk)
    summary = queries.attendance_summary(meeting)
    context = {"meeting": meeting, "summary": summary, "quorum": queries.quorum(meeting, summary)}
    template = "meetings/_attendance.html" if request.htmx else "meetings/attendance.html"
    return render(request, template, context)


def _act(request, pk: int, name: str, form, call, success: str, *, public: bool = False):
    """Run ``call(meeting, cleaned_data)`` if the form is valid; re-render the page with the errors if not."""
    meeting = queries.get_meeting_for(request.user, pk)
    page = detail if public else run
    if not form.is_valid():
        return page(request, pk, {name: form}, status=400)
    try:
        call(meeting, form.cleaned_data)
    except Refused as exc:
        return page(request, pk, {name: form}, status=refusal_to_form(form, exc))
    messages.success(request, success)
    return redirect("meetings:detail" if public else "meetings:run", pk)


def _bind(name: str, cls, request, **kwargs):
    return cls(request.POST, request.FILES, auto_id=forms.auto_id(name), **kwargs)


@require_POST
@login_required
def edit(request, pk: int):
    meeting = queries.get_meeting_for(request.user, pk)
    regions = pages.manageable_regions(request.user)
    form = _bind(
        "edit",
        forms.MeetingForm,
        request,
        regions=regions,
        matters=forms.open_matters(regions),
        conveners=pages.conveners_for(meeting.region, request.user),
    )

    def call(meeting, d):
        if d["region"] != meeting.region:
            raise Refused(
                _("A meeting stays with the community that scheduled it."), "region_fixed", field="region"
            )
        preparing.update_meeting(
            actor=request.user,
            meeting=meeting,
            form=d["form"],
            platform=d["platform"],
            platform_name=d["platform_name"],
            title=d["title"],
            starts_at=d["starts_at"],
            place=d["place"],
            agenda=list(d["agenda"]),
            convener=d["convener"],
        )

    return _act(request, pk, "edit", form, call, _("The meeting is saved."))


@require_POST
@login_required
def invite(request, pk: int):
    meeting = queries.get_meeting_for(request.user, pk)
    form = _bind("invite", forms.InviteForm, request, units=preparing.units_for(meeting.region))

    def call(meeting, d):
        people = [
            person_by_phone(request.user, raw, action=MANAGE, target=meeting, field="phones")
            for raw in form.phone_list()
        ]
        preparing.invite(
            actor=request.user,
            meeting=meeting,
            people=people,
            units=list(d["units"]),
            names=form.name_list(),
            capacity=d["capacity"],
            representatives=d["representatives"],
        )

    return _act(request, pk, "invite", form, call, _("The invitations are saved."))


@require_POST
@login_required
def announce(request, pk: int):
    def call(meeting, d):
        announcing.announce(actor=request.user, meeting=meeting, late_reason=d["late_reason"])

    return _act(
        request,
        pk,
        "announce",
        _bind("announce", forms.AnnounceForm, request),
        call,
        _("The meeting is announced on the public board."),
    )


@require_POST
@login_required
def change(request, pk: int):
    regions = pages.manageable_regions(request.user)

    def call(meeting, d):
        announcing.change_meeting(
            actor=request.user,
            meeting=meeting,
            reason=d["reason"],
            title=d["title"],
            starts_at=d["starts_at"],
            place=d["place"],
            platform=d["platform"],
            platform_name=d["platform_name"],
            agenda=list(d["agenda"]),
            late_reason=d["late_reason"],
        )

    return _act(
        request,
        pk,
        "change",
        _bind("change", forms.ChangeForm, request, matters=forms.open_matters(regions)),
        call,
        _("The change is posted on the public board."),
    )


@require_POST
@login_required
def cancel(request, pk: int):
    def call(meeting, d):
        announcing.cancel_meeting(actor=request.user, meeting=meeting, reason=d["reason"])

    return _act(
        request,
        pk,
        "cancel",
        _bind("cancel", forms.ReasonForm, request),
        call,
        _("The meeting is cancelled."),
    )


@require_POST
@login_required
def check_in(request, pk: int):
    def call(meeting, d):
        if d["invitation"]:
            invitation = Invitation.objects.filter(pk=d["invitation"], meeting=meeting).first()
            if invitation is None:
                raise Refused(_("That invitation belongs to another meeting."), "wrong_meeting")
            attending.check_in(actor=request.user, meeting=meeting, invitation=invitation)
        elif d["phone"]:
            attending.check_in(
                actor=request.user,
                meeting=meeting,
                person=person_by_phone(request.user, d["phone"], action=MANAGE, target=meeting),
            )
        else:
            raise Refused(_("Choose who is signing in."), "nobody", field="phone")

    return _act(request, pk, "check_in", _bind("check_in", forms.CheckInForm, request), call, _("Signed in."))


@require_POST
@login_required
def sheet(request, pk: int):
    def call(meeting, d):
        attending.attach_sheet_photo(actor=request.user, meeting=meeting, upload=d["photo"])

    return _act(
        request,
        pk,
        "sheet",
        _bind("sheet", forms.SheetForm, request),
        call,
        _("The photo of the sign-in sheet is attached."),
    )


def _agenda_matter(pk: int, matter_id: int) -> Matter:
    return get_object_or_404(Matter, pk=matter_id, agenda_items__meeting_id=pk)


@require_POST
@login_required
def ideas(request, pk: int, matter_id: int):
    matter = _agenda_matter(pk, matter_id)
    name = f"ideas_{matter.pk}"
    form = _bind(name, forms.IdeasForm, request)

    def call(meeting, d):
        holding.record_ideas(actor=request.user, meeting=meeting, matter=matter, ideas=form.idea_pairs())

    return _act(request, pk, name, form, call, _("The ideas are recorded."))


@require_POST
@login_required
def decision(request, pk: int, matter_id: int):
    matter = _agenda_matter(pk, matter_id)
    name = f"decision_{matter.pk}"

    def call(meeting, d):
        holding.record_decision(actor=request.user, meeting=meeting, matter=matter, text=d["text"])

    return _act(
        request, pk, name, _bind(name, forms.DecisionForm, request), call, _("The decision is recorded.")
    )


@require_POST
@login_required
def close(request, pk: int):
    def call(meeting, d):
        closing.close_meeting(actor=request.user, meeting=meeting)

    return _act(
        request,
        pk,
        "close",
        _bind("close", forms.EmptyForm, request),
        call,
        _("The meeting is closed; its minutes are drafted."),
    )


def _minutes(pk: int, minutes_id: int) -> Minutes:
    return get_object_or_404(Minutes, pk=minutes_id, meeting_id=pk)


@require_POST
@login_required
def edit_minutes(request, pk: int, minutes_id: int):
    minutes = _minutes(pk, minutes_id)
    name = f"minutes_{minutes.pk}"

    def call(meeting, d):
        closing.edit_minutes(actor=request.user, minutes=minutes, text=d["text"])

    return _act(request, pk, name, _bind(name, forms.MinutesForm, request), call, _("The minutes are saved."))


@require_POST
@login_required
def redraft_minutes(request, pk: int, minutes_id: int):
    minutes = _minutes(pk, minutes_id)

    def call(meeting, d):
        closing.redraft_minutes(actor=request.user, minutes=minutes)

    return _act(
        request,
        pk,
        f"redraft_{minutes.pk}",
        _bind("redraft", forms.EmptyForm, request),
        call,
        _("The minutes are drafted again from the records."),
    )


@require_POST
@login_required
def confirm_minutes(request, pk: int):
    def call(meeting, d):
        closing.confirm_minutes(actor=request.user, meeting=meeting)

    return _act(
        request,
        pk,
        "confirm",
        _bind("confirm", forms.EmptyForm, request),
        call,
        _("The minutes are confirmed and published; corrections are now addenda."),
    )


@require_POST
@login_required
def addendum(request, pk: int, minutes_id: int):
    minutes = _minutes(pk, minutes_id)
    name = f"addendum_{minutes.pk}"

    def call(meeting, d):
        closing.add_addendum(actor=request.user, minutes=minutes, text=d["text"])

    return _act(
        request,
        pk,
        name,
        _bind(name, forms.AddendumForm, request),
        call,
        _("The addendum is signed and recorded."),
    )


@require_POST
@login_required
def respond(request, pk: int):
    def call(meeting, d):
        attending.respond(actor=request.user, meeting=meeting, attending=d["attending"] == "yes")

    return _act(
        request,
        pk,
        "respond",
        _bind("respond", forms.RespondForm, request),
        call,
        _("Thank you: your answer is recorded."),
        public=True,
    )


# --- signing in by the QR code ---------------------------------------------------------------------------------


@login_required
@ratelimit(key="user", rate="30/h", method="POST", block=True)
def sign_in(request, token: str):
    """The meeting's QR code opens this page on a participant's phone; they confirm they are here."""
    meeting = attending.meeting_for_token(token)
    if meeting is None:
        return render(
            request,
            "web/message.html",
            {
                "title": _("This sign-in code is not valid"),
                "message": _("Scan the code shown at the meeting again, or ask the staff to sign you in."),
            },
            status=404,
        )
    context = {"meeting": meeting, "error": ""}
    status = 200
    if request.method == "POST":
        try:
            attending.sign_in(actor=request.user, meeting=meeting)
        except Refused as exc:
            context["error"] = exc.reason
            status = refusal_status(exc)
        else:
            messages.success(request, _("You are signed in. Welcome!"))
            return redirect("meetings:detail", meeting.pk)
    # Why this person cannot sign in now (not open yet, closed, signed in already), in the service's words.
    context["refused"] = predicates.may_sign_in(request.user, meeting)
    return render(request, "meetings/sign_in.html", context, status=status)


# --- paper ----------------------------------------------------------------------------------------------------


def print_agenda(request, pk: int):
    """The agenda for a paper meeting, on A4, with a QR code back to the meeting's page."""
    meeting = queries.get_meeting_for(request.user, pk)
    url = request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk]))
    return render(
        request,
        "meetings/print_agenda.html",
        {
            "meeting": meeting,
            "agenda": preparing.agenda_of(meeting),
            "participants": queries.participants_public(meeting),
            "url": url,
            "qr": qr_svg(url),
        },
    )


@login_required
def print_sheet(request, pk: int):
    """The paper sign-in sheet: the invited by name, blank rows for others, and the QR code to sign in by phone.
    It names people, so it is for the meeting's staff only."""
    meeting = queries.get_meeting_for(request.user, pk)
    if predicates.authority(request.user, meeting) is not None:
        raise PermissionDenied
    invitations = list(
        Invitation.objects.filter(meeting=meeting).select_related("person", "unit").order_by("pk")
    )
    url = pages.sign_in_url(request, meeting)
    return render(
        request,
        "meetings/print_sheet.html",
        {
            "meeting": meeting,
            "invitations": invitations,
            "blank_rows": range(max(5, 20 - len(invitations))),
            "url": url,
            "qr": qr_svg(url) if meeting.status == MeetingStatus.ANNOUNCED else "",
        },
    )
