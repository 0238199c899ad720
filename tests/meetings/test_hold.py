"""召开会议: sign-in by the meeting's QR token and by staff, the live quorum of the representatives' assembly,
ideas per agenda matter becoming the matter's step evidence, and the sign-in sheet photo."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import builders
from tests.meetings.conftest import announced, at_the_meeting, invite_s1, schedule
from yishi.errors import Refused
from yishi.meetings import announcing, attending, closing, holding, preparing, queries, rules
from yishi.meetings.models import Attendance, Session, SignIn
from yishi.procedures import services as engine
from yishi.procedures.evidence import consultation_held


def photo(name="sheet.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "white").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


# --- the QR token -------------------------------------------------------------------------------------------


def test_the_sign_in_token_names_its_meeting_and_cannot_be_forged_for_another(s1):
    meeting = announced(s1)
    other = announced(s1)
    token = attending.sign_in_token(meeting)
    assert attending.meeting_for_token(token) == meeting
    forged = token.replace(str(meeting.pk), str(other.pk), 1)
    assert forged != token and attending.meeting_for_token(forged) is None
    assert attending.meeting_for_token("nonsense") is None
    assert attending.meeting_for_token(attending.sign_in_token(other)) == other


def test_an_invited_resident_signs_in_on_their_phone_once(s1):
    meeting = announced(s1)
    rep = s1.reps[0]
    at_the_meeting(s1, meeting)
    attendance = attending.sign_in(actor=rep, meeting=meeting)
    assert attendance.method == SignIn.QR and attendance.invitation.person == rep
    with pytest.raises(Refused) as refused:
        attending.sign_in(actor=rep, meeting=meeting)
    assert refused.value.code == "already_signed_in"
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_qr_sign_in_opens_two_hours_before_the_start_and_closes_when_the_meeting_is_closed(s1):
    meeting = announced(s1)
    s1.clock.set(meeting.starts_at - rules.SELF_SIGN_IN_OPENS_BEFORE - datetime.timedelta(minutes=1))
    with pytest.raises(Refused) as refused:
        attending.sign_in(actor=s1.reps[0], meeting=meeting)
    assert refused.value.code == "sign_in_not_open"
    s1.clock.advance(minutes=1)
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    at_the_meeting(s1, meeting)
    closing.close_meeting(actor=s1.p.secretary, meeting=meeting)
    with pytest.raises(Refused) as refused:
        attending.sign_in(actor=s1.reps[1], meeting=meeting)
    assert refused.value.code == "sign_in_closed"


def test_someone_not_invited_may_sign_in_and_is_counted_as_also_attending_not_as_expected(s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    attendance = attending.sign_in(actor=s1.p.neighbour, meeting=meeting)
    assert attendance.invitation is None
    summary = queries.attendance_summary(meeting)
    assert (summary.expected, summary.present, summary.others, summary.total) == (9, 0, 1, 1)


def test_staff_of_an_invited_unit_sign_in_for_their_unit(s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    attendance = attending.sign_in(actor=s1.p.fire_staff, meeting=meeting)
    assert attendance.invitation.unit == s1.p.fire
    assert queries.attendance_summary(meeting).present == 1
    with pytest.raises(Refused):  # the unit has signed in; staff cannot sign it in again
        attending.check_in(actor=s1.p.secretary, meeting=meeting, invitation=attendance.invitation)


def test_staff_check_in_invited_units_named_people_and_residents_by_mobile_but_nobody_twice(s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    fire = meeting.invitations.get(unit=s1.p.fire)
    attending.check_in(actor=s1.p.secretary, meeting=meeting, invitation=fire)
    attending.check_in(actor=s1.p.secretary, meeting=meeting, person=s1.reps[1])
    with pytest.raises(Refused) as refused:
        attending.check_in(actor=s1.p.secretary, meeting=meeting, invitation=fire)
    assert refused.value.code == "already_signed_in"
    with pytest.raises(Refused) as refused:
        attending.sign_in(actor=s1.reps[1], meeting=meeting)  # already checked in by staff
    assert refused.value.code == "already_signed_in"
    rows = list(Attendance.objects.filter(meeting=meeting).values_list("name", "method"))
    assert rows == [("市消防救援支队", SignIn.STAFF), ("代表2", SignIn.STAFF)]


def test_a_sibling_committee_cannot_check_anyone_in(s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    with pytest.raises(Refused) as refused:
        attending.check_in(actor=s1.p.other_secretary, meeting=meeting, person=s1.reps[0])
    assert refused.value.code == Refused.FORBIDDEN
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_nobody_signs_in_to_a_meeting_still_being_prepared(s1):
    meeting = invite_s1(s1, schedule(s1))
    with pytest.raises(Refused):
        attending.check_in(actor=s1.p.secretary, meeting=meeting, person=s1.reps[0])
    with pytest.raises(Refused):
        attending.sign_in(actor=s1.reps[0], meeting=meeting)


def test_an_attendance_row_is_never_edited():
    row = Attendance(name="x")
    row._state.adding = False
    with pytest.raises(ValueError, match="append-only"):
        row.save()


# --- quorum ---------------------------------------------------------------------------------------------------


def representatives(s1, n):
    more = [builders.person(f"新代表{i}") for i in range(n - len(s1.reps))]
    for rep in more:
        builders.role(rep, "representative", s1.t.compound)
    return s1.reps + more


def test_the_representatives_assembly_has_its_quorum_at_two_thirds_of_the_representatives(s1):
    reps = representatives(s1, 30)
    meeting = schedule(s1, form="representatives", days_ahead=5)
    preparing.invite(actor=s1.p.secretary, meeting=meeting, representatives=True)
    announcing.announce(actor=s1.p.secretary, meeting=meeting)
    at_the_meeting(s1, meeting)
    attending.sign_in(actor=s1.p.neighbour, meeting=meeting)  # not a representative: never counts
    for rep in reps[:19]:
        attending.check_in(actor=s1.p.secretary, meeting=meeting, person=rep)
    view = queries.quorum(meeting)
    assert (view.expected, view.present, view.needed, view.met) == (30, 19, 20, False)
    attending.sign_in(actor=reps[19], meeting=meeting)
    view = queries.quorum(meeting)
    assert (view.present, view.met) == (20, True)


def test_a_revoked_representative_is_not_expected(s1):
    from yishi.access.services import revoke_role

    meeting = schedule(s1, form="representatives", days_ahead=5)
    assert queries.quorum(meeting).expected == 3
    revoke_role(actor=None, assignment=s1.reps[2].roles.get())
    assert queries.quorum(meeting).expected == 2


def test_a_consultation_meeting_has_no_quorum_but_counts_expected_and_present(s1):
    meeting = announced(s1)
    assert queries.quorum(meeting) is None
    at_the_meeting(s1, meeting)
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    summary = queries.attendance_summary(meeting)
    assert (summary.basis, summary.expected, summary.present) == ("invited", 9, 1)


def test_the_villagers_meeting_counts_households_present_against_two_thirds_of_them(s1):
    homes = [builders.household(s1.t.building, room=str(100 + i)) for i in range(3)]
    from yishi.people.models import Membership

    Membership.objects.create(person=s1.p.resident, household=homes[0])
    Membership.objects.create(person=s1.p.neighbour, household=homes[0])
    Membership.objects.create(person=s1.reps[0], household=homes[1])
    meeting = schedule(s1, form="villagers", days_ahead=10)
    announcing.announce(actor=s1.p.secretary, meeting=meeting)
    at_the_meeting(s1, meeting)
    attending.sign_in(actor=s1.p.resident, meeting=meeting)
    attending.sign_in(actor=s1.p.neighbour, meeting=meeting)  # same household: still one
    view = queries.quorum(meeting)
    assert (view.expected, view.present, view.needed, view.met) == (3, 1, 2, False)
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    assert queries.quorum(meeting).met


@pytest.mark.parametrize(
    ("present", "expected", "met"),
    [(20, 30, True), (19, 30, False), (2, 3, True), (1, 3, False), (0, 0, False)],
)
def test_two_thirds_or_more_includes_the_bound(present, expected, met):
    rule = rules.QUORUM["representatives"]
    assert rule.met(present, expected) is met
    assert rule.needed(30) == 20 and rule.needed(31) == 21


# --- ideas become the matter's step evidence ------------------------------------------------------------------


def test_ideas_recorded_at_the_meeting_become_the_matters_session_with_who_signed_in(s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    assert consultation_held(s1.matter)
    attending.check_in(
        actor=s1.p.secretary, meeting=meeting, invitation=meeting.invitations.get(unit=s1.p.fire)
    )
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    session = holding.record_ideas(
        actor=s1.p.secretary,
        meeting=meeting,
        matter=s1.matter,
        ideas=[("先修补坑洼", "市消防救援支队"), ("通知居民绕行", "")],
    )
    assert session.meeting == meeting and session.attendance == 2
    assert list(session.attendees.all()) == [s1.reps[0]] and session.other_attendees == "市消防救援支队"
    assert session.place == "社区协商议事厅" and session.held_at == meeting.starts_at
    assert consultation_held(s1.matter) == []
    # More ideas on the same matter join the same session.
    again = holding.record_ideas(
        actor=s1.p.council, meeting=meeting, matter=s1.matter, ideas=[("物业维持秩序", "")]
    )
    assert again == session and session.ideas.count() == 3
    assert Session.objects.filter(matter=s1.matter).count() == 1


def test_ideas_wait_for_the_start_for_someone_signed_in_and_for_a_matter_on_the_agenda(s1):
    from tests.procedures import flows

    meeting = announced(s1)
    with pytest.raises(Refused) as refused:
        holding.record_ideas(actor=s1.p.secretary, meeting=meeting, matter=s1.matter, ideas=[("a", "")])
    assert refused.value.code == "not_started"
    at_the_meeting(s1, meeting)
    with pytest.raises(Refused) as refused:
        holding.record_ideas(actor=s1.p.secretary, meeting=meeting, matter=s1.matter, ideas=[("a", "")])
    assert refused.value.code == "nobody_signed_in"
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    with pytest.raises(Refused) as refused:
        holding.record_ideas(
            actor=s1.p.secretary, meeting=meeting, matter=flows.raise_flood(s1.p), ideas=[("a", "")]
        )
    assert refused.value.code == "not_on_agenda"
    assert not Session.objects.exists()


def test_the_matters_step_still_decides_whether_ideas_can_be_recorded(s1):
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    with pytest.raises(Refused) as refused:
        holding.record_ideas(
            actor=s1.p.other_secretary, meeting=meeting, matter=s1.matter, ideas=[("越界", "")]
        )
    assert refused.value.code == Refused.FORBIDDEN
    engine.withdraw(actor=s1.p.secretary, matter=s1.matter, reason="提出人已自行解决，申请撤回")
    with pytest.raises(Refused) as refused:
        holding.record_ideas(actor=s1.p.secretary, meeting=meeting, matter=s1.matter, ideas=[("a", "")])
    assert refused.value.code == "not_open"


def test_a_decision_records_the_consensus_on_the_latest_plan_tied_to_the_meetings_session(s1):
    from tests.procedures import flows

    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    with pytest.raises(Refused) as refused:
        holding.record_decision(actor=s1.p.secretary, meeting=meeting, matter=s1.matter, text="同意")
    assert refused.value.code == "no_session"
    session = holding.record_ideas(
        actor=s1.p.secretary, meeting=meeting, matter=s1.matter, ideas=[("修路", "")]
    )
    with pytest.raises(Refused) as refused:
        holding.record_decision(actor=s1.p.secretary, meeting=meeting, matter=s1.matter, text="同意")
    assert refused.value.code == "no_plan"
    version = flows.plan(s1.p, s1.matter)
    consensus = holding.record_decision(
        actor=s1.p.secretary, meeting=meeting, matter=s1.matter, text="各单位各负其责"
    )
    assert consensus.session == session and consensus.version == version


# --- the paper sheet ----------------------------------------------------------------------------------------


def test_a_photo_of_the_paper_sign_in_sheet_is_attached_re_encoded(s1):
    meeting = announced(s1)
    sheet = attending.attach_sheet_photo(actor=s1.p.secretary, meeting=meeting, upload=photo())
    assert sheet.image.name.endswith(".jpg") and (sheet.width, sheet.height) == (80, 60)
    with pytest.raises(Refused) as refused:
        attending.attach_sheet_photo(
            actor=s1.p.secretary, meeting=meeting, upload=SimpleUploadedFile("x.jpg", b"not a photo")
        )
    assert refused.value.code == "upload_not_image"
    with pytest.raises(Refused) as refused:
        attending.attach_sheet_photo(actor=s1.p.other_secretary, meeting=meeting, upload=photo())
    assert refused.value.code == Refused.FORBIDDEN
    assert meeting.sheet_photos.count() == 1


def test_an_invited_person_answers_whether_they_will_come(s1):
    meeting = announced(s1)
    invitation = attending.respond(actor=s1.reps[0], meeting=meeting, attending=False)
    assert invitation.response == "no"
    with pytest.raises(Refused) as refused:
        attending.respond(actor=s1.p.neighbour, meeting=meeting, attending=True)
    assert refused.value.code == "not_invited"
