"""Minutes: drafted by the system when the meeting is closed (attendance 应到/实到, agenda, ideas, decisions), edited
by the secretary, confirmed by the convener, then append-only: edits refused, a signed addendum allowed."""

import hashlib

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from tests.meetings.conftest import announced, at_the_meeting, schedule
from tests.procedures import flows
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.meetings import attending, closing, holding
from yishi.meetings.models import Addendum, MeetingStatus, Minutes


@pytest.fixture
def held(s1):
    """S1's meeting held: the fire brigade and two representatives signed in, ideas, a plan agreed, closed."""
    meeting = announced(s1)
    at_the_meeting(s1, meeting)
    attending.check_in(
        actor=s1.p.secretary, meeting=meeting, invitation=meeting.invitations.get(unit=s1.p.fire)
    )
    attending.sign_in(actor=s1.reps[0], meeting=meeting)
    attending.sign_in(actor=s1.reps[1], meeting=meeting)
    attending.sign_in(actor=s1.p.neighbour, meeting=meeting)
    holding.record_ideas(
        actor=s1.p.secretary,
        meeting=meeting,
        matter=s1.matter,
        ideas=[("先修补坑洼", "市消防救援支队"), ("施工期间提示居民", "代表1")],
    )
    flows.plan(s1.p, s1.matter)
    holding.record_decision(actor=s1.p.secretary, meeting=meeting, matter=s1.matter, text="四家单位分工负责")
    s1.clock.advance(hours=2)
    closing.close_meeting(actor=s1.p.secretary, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def test_closing_the_meeting_drafts_the_minutes_of_each_agenda_matter_from_the_records(s1, held):
    assert held.status == MeetingStatus.HELD
    (minutes,) = Minutes.objects.filter(meeting=held)
    assert minutes.matter == s1.matter and not minutes.is_confirmed
    text = minutes.text
    for fragment in (
        "让居民出行安全，对低洼路段进行维修",
        "社区协商议事厅",
        "张金利",
        "小区西侧小路积水",
        "市消防救援支队：先修补坑洼",
        "代表1：施工期间提示居民",
        "四家单位分工负责",
        "维修坑洼路面 — 市消防救援支队",
        "维持现场秩序 — 万泰丽景小区物业服务公司",
    ):
        assert fragment in text, fragment
    # 应到 9 (two committee members, three representatives, four units), 实到 3, 列席 1 (the neighbour).
    with translation.override(settings.LANGUAGE_CODE):
        counts = gettext(
            "Expected (%(basis)s): %(expected)s; present: %(present)s; also attending: %(others)s"
        ) % {"basis": gettext("invited participants"), "expected": 9, "present": 3, "others": 1}
    assert counts in text


def test_a_meeting_without_matters_gets_one_general_minutes(s1):
    meeting = announced(s1, agenda=[])
    at_the_meeting(s1, meeting)
    closing.close_meeting(actor=s1.p.secretary, meeting=meeting)
    (minutes,) = Minutes.objects.filter(meeting=meeting)
    assert minutes.matter is None and "社区协商议事厅" in minutes.text


def test_a_meeting_is_not_closed_before_it_starts_nor_twice(s1):
    meeting = announced(s1)
    with pytest.raises(Refused) as refused:
        closing.close_meeting(actor=s1.p.secretary, meeting=meeting)
    assert refused.value.code == "not_started"
    draft = schedule(s1)
    with pytest.raises(Refused):
        closing.close_meeting(actor=s1.p.secretary, meeting=draft)
    at_the_meeting(s1, meeting)
    closing.close_meeting(actor=s1.p.secretary, meeting=meeting)
    with pytest.raises(Refused) as refused:
        closing.close_meeting(actor=s1.p.secretary, meeting=meeting)
    assert refused.value.code == "not_announced"
    assert Minutes.objects.filter(meeting=meeting).count() == 1


def test_the_secretary_edits_the_draft_and_may_draft_it_again_from_the_records(s1, held):
    minutes = held.minutes.get()
    closing.edit_minutes(actor=s1.deputy, minutes=minutes, text="修改后的会议记录")
    minutes.refresh_from_db()
    assert minutes.text == "修改后的会议记录" and minutes.edited_by == s1.deputy
    holding.record_ideas(
        actor=s1.p.secretary, meeting=held, matter=s1.matter, ideas=[("会后补充：加装路灯", "")]
    )
    closing.redraft_minutes(actor=s1.p.secretary, minutes=minutes)
    minutes.refresh_from_db()
    assert "会后补充：加装路灯" in minutes.text and minutes.edited_by is None
    with pytest.raises(Refused) as refused:
        closing.edit_minutes(actor=s1.p.secretary, minutes=minutes, text="  ")
    assert refused.value.code == "text_required"


def test_a_sibling_committee_may_not_edit_the_minutes(s1, held):
    minutes = held.minutes.get()
    with pytest.raises(Refused) as refused:
        closing.edit_minutes(actor=s1.p.other_secretary, minutes=minutes, text="篡改")
    assert refused.value.code == Refused.FORBIDDEN
    assert Minutes.objects.get(pk=minutes.pk).text == minutes.text


def test_only_the_convener_confirms_and_the_digest_of_each_text_goes_into_the_audit_chain(s1, held):
    with pytest.raises(Refused) as refused:
        closing.confirm_minutes(actor=s1.deputy, meeting=held)
    assert refused.value.code == Refused.FORBIDDEN
    (minutes,) = closing.confirm_minutes(actor=s1.p.secretary, meeting=held)
    digest = hashlib.sha256(minutes.text.encode()).hexdigest()
    assert minutes.digest == digest and minutes.confirmed_by == s1.p.secretary
    entry = AuditEntry.objects.get(action="meetings.confirm_minutes", target_id=str(held.pk))
    assert entry.data == {"sha256": {str(minutes.pk): digest}}
    with pytest.raises(Refused) as refused:
        closing.confirm_minutes(actor=s1.p.secretary, meeting=held)
    assert refused.value.code == "already_confirmed"


def test_confirmed_minutes_are_never_edited_but_take_a_signed_addendum(s1, held):
    minutes = held.minutes.get()
    closing.confirm_minutes(actor=s1.p.secretary, meeting=held)
    minutes.refresh_from_db()
    for call in (
        lambda: closing.edit_minutes(actor=s1.p.secretary, minutes=minutes, text="改"),
        lambda: closing.redraft_minutes(actor=s1.p.secretary, minutes=minutes),
        lambda: holding.record_ideas(
            actor=s1.p.secretary, meeting=held, matter=s1.matter, ideas=[("迟到的主意", "")]
        ),
    ):
        with pytest.raises(Refused) as refused:
            call()
        assert refused.value.code == "minutes_confirmed"
    minutes.text = "直接改数据库对象"
    with pytest.raises(ValueError, match="never edited"):
        minutes.save()
    with pytest.raises(ValueError):
        minutes.delete()
    addendum = closing.add_addendum(actor=s1.deputy, minutes=minutes, text="更正：维修日期为11月15日")
    assert addendum.by == s1.deputy
    assert addendum.digest == hashlib.sha256("更正：维修日期为11月15日".encode()).hexdigest()
    assert AuditEntry.objects.filter(action="meetings.add_addendum", target_id=str(addendum.pk)).exists()
    addendum.text = "改"
    with pytest.raises(ValueError, match="append-only"):
        addendum.save()
    assert Minutes.objects.get(pk=minutes.pk).text != "直接改数据库对象"


def test_an_addendum_needs_confirmed_minutes_and_authority(s1, held):
    minutes = held.minutes.get()
    with pytest.raises(Refused) as refused:
        closing.add_addendum(actor=s1.p.secretary, minutes=minutes, text="太早")
    assert refused.value.code == "not_confirmed"
    closing.confirm_minutes(actor=s1.p.secretary, meeting=held)
    with pytest.raises(Refused) as refused:
        closing.add_addendum(actor=s1.p.other_secretary, minutes=minutes, text="越界")
    assert refused.value.code == Refused.FORBIDDEN
    with pytest.raises(Refused) as refused:
        closing.add_addendum(actor=s1.reps[0], minutes=minutes, text="代表不是工作人员")
    assert refused.value.code == Refused.FORBIDDEN
    assert not Addendum.objects.exists()
