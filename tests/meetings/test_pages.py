"""The meeting pages through the Django test client: staff schedule, announce, change, cancel and run a meeting;
participants see their invitations, answer them and sign in by the QR link; the public reads the meeting."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.meetings.conftest import announced, at_the_meeting, schedule
from tests.procedures import flows
from yishi.meetings import announcing, attending, preparing
from yishi.meetings.models import Attendance, Invitation, Meeting, MeetingStatus, Minutes, Session
from yishi.notices.models import NoticeKind


def html(response) -> str:
    return response.content.decode()


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def staff(client, s1):
    client.force_login(s1.p.secretary)
    return client


def run_url(meeting, name="run", *args):
    return reverse(f"meetings:{name}", args=[meeting.pk, *args])


# --- lists and scheduling ---------------------------------------------------------------------------------------


def test_the_workbench_links_the_meetings_page(staff):
    assert reverse("meetings:index") in html(staff.get(reverse("web:workbench")))


def test_staff_schedule_a_meeting_from_the_form(staff, s1):
    page = staff.get(reverse("meetings:new"))
    assert page.status_code == 200 and s1.matter.title in html(page)
    starts = s1.clock.now.replace(hour=9) + datetime.timedelta(days=10)
    response = staff.post(
        reverse("meetings:new"),
        {
            "region": s1.t.community.pk,
            "title": "让居民出行安全，对低洼路段进行维修",
            "form": "consultation",
            "platform": "party_hall",
            "starts_at": local(starts),
            "place": "社区协商议事厅",
            "agenda": [s1.matter.pk],
            "convener": s1.p.secretary.pk,
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url(meeting)
    assert meeting.status == MeetingStatus.DRAFT and list(meeting.agenda.all()) == [s1.matter]
    assert meeting.starts_at == starts


def test_the_schedule_form_refuses_what_the_service_refuses(staff, s1):
    response = staff.post(
        reverse("meetings:new"),
        {
            "region": s1.t.community.pk,
            "title": "x",
            "form": "consultation",
            "platform": "other",
            "starts_at": local(s1.clock.now),
            "place": "y",
        },
    )
    assert response.status_code == 400 and not Meeting.objects.exists()


def test_a_resident_may_not_schedule_meetings(client, s1):
    client.force_login(s1.p.resident)
    assert client.get(reverse("meetings:new")).status_code == 403
    page = client.get(reverse("meetings:index"))
    assert page.status_code == 200 and reverse("meetings:new") not in html(page)


def test_participants_see_their_invitations_but_not_before_the_meeting_is_announced(client, s1):
    meeting = schedule(s1)
    preparing.invite(actor=s1.p.secretary, meeting=meeting, representatives=True, units=[s1.p.fire])
    for person in (s1.reps[0], s1.p.fire_staff):
        client.force_login(person)
        assert meeting.title not in html(client.get(reverse("meetings:index")))
    announcing.announce(actor=s1.p.secretary, meeting=meeting)
    for person in (s1.reps[0], s1.p.fire_staff):
        client.force_login(person)
        assert meeting.title in html(client.get(reverse("meetings:index")))
    client.force_login(s1.p.neighbour)
    assert meeting.title not in html(client.get(reverse("meetings:index")))


# --- the public page ---------------------------------------------------------------------------------------------


def test_a_meeting_being_prepared_is_hidden_from_the_public_and_from_a_sibling_committee(client, s1):
    meeting = schedule(s1)
    assert client.get(run_url(meeting, "detail")).status_code == 404
    client.force_login(s1.p.other_secretary)
    assert client.get(run_url(meeting, "detail")).status_code == 404
    assert client.get(run_url(meeting)).status_code == 404
    client.force_login(s1.p.secretary)
    assert client.get(run_url(meeting, "detail")).status_code == 200


def test_the_public_page_shows_the_meeting_its_agenda_units_and_capacities_without_names(client, s1):
    meeting = announced(s1)
    page = client.get(run_url(meeting, "detail"))
    assert page.status_code == 200
    text = html(page)
    for fragment in (
        "社区协商议事厅",
        "市消防救援支队",
        "运河区城管",
        "两委成员（2）",
        s1.matter.title,
        reverse("notices:detail", args=[announcing.current_announcement(meeting).notice_id]),
    ):
        assert fragment in text, fragment
    assert "代表1" not in text and s1.reps[0].phone not in text
    assert run_url(meeting) not in text  # no staff link for the public


def test_the_attendance_fragment_is_what_htmx_polls(client, s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    fragment = client.get(run_url(meeting, "attendance"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    assert html(fragment).lstrip().startswith('<div id="attendance"') and "<html" not in html(fragment)
    assert 'hx-trigger="every 10s"' in html(fragment)
    assert re.search(r'class="present">1<', html(fragment))
    full = client.get(run_url(meeting, "attendance"))
    assert "<html" in html(full) and 'id="attendance"' in html(full)


def test_an_invited_representative_answers_the_invitation(client, s1):
    meeting = announced(s1)
    client.force_login(s1.reps[0])
    page = client.get(run_url(meeting, "detail"))
    assert run_url(meeting, "respond") in html(page)
    assert client.post(run_url(meeting, "respond"), {"attending": "yes"}).status_code == 302
    assert Invitation.objects.get(meeting=meeting, person=s1.reps[0]).response == "yes"
    client.force_login(s1.p.neighbour)
    assert run_url(meeting, "respond") not in html(client.get(run_url(meeting, "detail")))
    assert client.post(run_url(meeting, "respond"), {"attending": "yes"}).status_code == 409


# --- running it ---------------------------------------------------------------------------------------------------


def test_the_run_page_is_for_the_communitys_staff_only(client, s1):
    meeting = announced(s1)
    assert client.get(run_url(meeting)).status_code == 302  # to the login page
    client.force_login(s1.p.resident)
    assert client.get(run_url(meeting)).status_code == 403
    client.force_login(s1.p.other_secretary)
    assert client.get(run_url(meeting)).status_code == 403
    client.force_login(s1.p.secretary)
    page = client.get(run_url(meeting))
    assert page.status_code == 200 and "<svg" in html(page) and attending.sign_in_token(meeting) in html(page)


def test_staff_edit_invite_and_announce_a_draft_from_its_page(staff, s1):
    meeting = schedule(s1, days_ahead=1)
    page = staff.get(run_url(meeting))
    assert page.status_code == 200 and run_url(meeting, "announce") in html(page)
    response = staff.post(
        run_url(meeting, "edit"),
        {
            "region": s1.t.community.pk,
            "title": "低洼路段维修协商会",
            "form": "consultation",
            "platform": "bench",
            "starts_at": local(meeting.starts_at),
            "place": "小区广场",
            "agenda": [s1.matter.pk],
            "convener": s1.p.secretary.pk,
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).platform == "bench"
    response = staff.post(
        run_url(meeting, "invite"),
        {
            "representatives": "on",
            "units": [s1.p.fire.pk, s1.urban.pk],
            "names": "万泰丽景小区业主委员会\n",
            "phones": s1.p.resident.phone,
            "capacity": "",
        },
    )
    assert response.status_code == 302 and meeting.invitations.count() == 3 + 2 + 1 + 1
    assert staff.post(run_url(meeting, "invite"), {"phones": "12345"}).status_code == 400
    late = staff.post(run_url(meeting, "announce"), {"late_reason": ""})
    assert late.status_code == 400 and Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.DRAFT
    assert "late_reason" in html(late)
    assert staff.post(run_url(meeting, "announce"), {"late_reason": "汛期将至"}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.ANNOUNCED
    matter_page = staff.get(reverse("matters:detail", args=[s1.matter.pk]))
    assert "汛期将至" in html(matter_page)  # the late notice is a departure on the matter's compliance


def test_staff_change_then_cancel_an_announced_meeting_each_a_notice(staff, s1):
    meeting = announced(s1)
    response = staff.post(
        run_url(meeting, "change"),
        {
            "title": meeting.title,
            "starts_at": local(meeting.starts_at),
            "place": "社区二楼会议室",
            "platform": "party_hall",
            "agenda": [s1.matter.pk],
            "reason": "议事厅漏雨",
        },
    )
    assert response.status_code == 302
    assert staff.post(run_url(meeting, "cancel"), {"reason": ""}).status_code == 400
    assert staff.post(run_url(meeting, "cancel"), {"reason": "台风"}).status_code == 302
    kinds = list(meeting.announcements.values_list("notice__kind", flat=True))
    assert kinds == [NoticeKind.MEETING, NoticeKind.MEETING_CHANGED, NoticeKind.MEETING_CANCELLED]


def test_a_sibling_committee_posting_to_a_meeting_is_refused_with_403_and_nothing_changes(client, s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    client.force_login(s1.p.other_secretary)
    invitation = meeting.invitations.get(unit=s1.p.fire)
    for name, data in (
        ("cancel", {"reason": "x"}),
        ("check_in", {"invitation": invitation.pk}),
        ("close", {}),
        ("invite", {"names": "某人"}),
    ):
        assert client.post(run_url(meeting, name), data).status_code == 403, name
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.ANNOUNCED
    assert not Attendance.objects.exists()


def test_staff_check_people_in_and_a_second_check_in_is_refused(staff, s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    invitation = meeting.invitations.get(unit=s1.p.fire)
    assert staff.post(run_url(meeting, "check_in"), {"invitation": invitation.pk}).status_code == 302
    again = staff.post(run_url(meeting, "check_in"), {"invitation": invitation.pk})
    assert again.status_code == 409
    assert staff.post(run_url(meeting, "check_in"), {"phone": s1.p.neighbour.phone}).status_code == 302
    assert staff.post(run_url(meeting, "check_in"), {"phone": "13999999999"}).status_code == 400
    assert list(Attendance.objects.values_list("name", flat=True)) == ["市消防救援支队", "王建国"]


def test_a_photo_of_the_paper_sheet_is_uploaded_from_the_run_page(staff, s1):
    meeting = announced(s1)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    upload = SimpleUploadedFile("sheet.png", out.getvalue(), content_type="image/png")
    assert staff.post(run_url(meeting, "sheet"), {"photo": upload}).status_code == 302
    photo = meeting.sheet_photos.get()
    assert photo.image.url in html(staff.get(run_url(meeting)))
    assert photo.image.url not in html(
        staff.get(run_url(meeting, "detail"))
    )  # names and signatures: staff only


def test_the_whole_meeting_through_the_pages_ideas_decision_close_minutes_confirm_addendum(client, s1):
    meeting = announced(s1)
    client.force_login(s1.p.secretary)
    assert run_url(meeting, "ideas", s1.matter.pk) not in html(client.get(run_url(meeting)))  # not started
    at_the_meeting(s1, meeting)
    client.post(run_url(meeting, "check_in"), {"invitation": meeting.invitations.get(unit=s1.p.fire).pk})
    response = client.post(
        run_url(meeting, "ideas", s1.matter.pk), {"ideas": "市消防救援支队：先修补坑洼\n物业维持秩序"}
    )
    assert response.status_code == 302
    session = Session.objects.get(meeting=meeting)
    assert [(i.voiced_by, i.text) for i in session.ideas.all()] == [
        ("市消防救援支队", "先修补坑洼"),
        ("", "物业维持秩序"),
    ]
    flows.plan(s1.p, s1.matter)
    assert (
        client.post(run_url(meeting, "decision", s1.matter.pk), {"text": "四家单位分工"}).status_code == 302
    )
    assert client.post(run_url(meeting, "close")).status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    page = client.get(run_url(meeting))
    assert run_url(meeting, "edit_minutes", minutes.pk) in html(page) and "先修补坑洼" in html(page)
    assert (
        client.post(run_url(meeting, "edit_minutes", minutes.pk), {"text": "定稿的会议记录"}).status_code
        == 302
    )
    assert "定稿的会议记录" not in html(client.get(run_url(meeting, "detail")))  # drafts are not public
    client.force_login(s1.deputy)
    assert client.post(run_url(meeting, "confirm")).status_code == 403
    client.force_login(s1.p.secretary)
    assert client.post(run_url(meeting, "confirm")).status_code == 302
    assert "定稿的会议记录" in html(client.get(run_url(meeting, "detail")))
    refused = client.post(run_url(meeting, "edit_minutes", minutes.pk), {"text": "再改"})
    assert refused.status_code == 409
    assert (
        client.post(run_url(meeting, "addendum", minutes.pk), {"text": "更正：日期为11月15日"}).status_code
        == 302
    )
    public = client.get(run_url(meeting, "detail"))
    assert "更正：日期为11月15日" in html(public) and "定稿的会议记录" in html(public)
    assert Minutes.objects.get(pk=minutes.pk).text == "定稿的会议记录"


def test_redrafting_the_minutes_from_the_page(staff, s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    staff.post(run_url(meeting, "close"))
    minutes = Minutes.objects.get(meeting=meeting)
    staff.post(run_url(meeting, "edit_minutes", minutes.pk), {"text": "手写"})
    assert staff.post(run_url(meeting, "redraft_minutes", minutes.pk)).status_code == 302
    assert Minutes.objects.get(pk=minutes.pk).text != "手写"


# --- signing in by the QR link --------------------------------------------------------------------------------


def test_the_qr_link_asks_for_login_then_signs_in_once(client, s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    url = reverse("meetings:sign_in", args=[attending.sign_in_token(meeting)])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("people:login") in anonymous["Location"]
    client.force_login(s1.reps[0])
    page = client.get(url)
    assert page.status_code == 200 and "<form" in html(page) and meeting.title in html(page)
    assert not Attendance.objects.exists()  # opening the link is not signing in
    assert client.post(url).status_code == 302
    assert Attendance.objects.get().person == s1.reps[0]
    assert client.post(url).status_code == 409
    assert Attendance.objects.count() == 1


def test_a_forged_sign_in_link_is_404_and_a_closed_meeting_refuses(client, s1):
    meeting = announced(s1)
    client.force_login(s1.reps[0])
    assert client.get(reverse("meetings:sign_in", args=[f"{meeting.pk}:forged"])).status_code == 404
    url = reverse("meetings:sign_in", args=[attending.sign_in_token(meeting)])
    early = client.get(url)
    assert early.status_code == 200 and '<form method="post" class="panel"' not in html(early)
    assert client.post(url).status_code == 409
    assert not Attendance.objects.exists()


# --- paper ---------------------------------------------------------------------------------------------------------


def test_the_printable_agenda_is_public_with_a_qr_code_to_the_meeting(client, s1):
    meeting = announced(s1)
    page = client.get(run_url(meeting, "print_agenda"))
    assert page.status_code == 200
    assert re.search(r'<svg[^>]*class="qr"', html(page)) and s1.matter.title in html(page)
    assert f"http://testserver{run_url(meeting, 'detail')}" in html(page)
    assert client.get(run_url(schedule(s1), "print_agenda")).status_code == 404


def test_the_printable_sign_in_sheet_lists_the_invited_and_is_for_staff_only(client, s1):
    meeting = announced(s1)
    assert client.get(run_url(meeting, "print_sheet")).status_code == 302
    client.force_login(s1.reps[0])
    assert client.get(run_url(meeting, "print_sheet")).status_code == 403
    client.force_login(s1.p.secretary)
    page = client.get(run_url(meeting, "print_sheet"))
    assert page.status_code == 200
    for name in ("代表1", "市消防救援支队", "运河区消防救援大队", "万泰丽景小区物业服务公司"):
        assert name in html(page)
    assert re.search(r'<svg[^>]*class="qr"', html(page)) and attending.sign_in_token(meeting) in html(page)
