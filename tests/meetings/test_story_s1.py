"""Story S1's meeting through the services: announced ten days ahead for 10月15日 in 社区协商议事厅 with the two
committees, the property company, the resident representatives and the three liaison units; held with sign-in
and minutes; its decision completes the matter's consultation step, and the result is posted on the board."""

import datetime

from django.utils import timezone

from tests.meetings.conftest import SHANGHAI
from tests.procedures import flows
from yishi.meetings import announcing, attending, closing, holding, preparing, queries
from yishi.meetings.models import Attendance, MeetingStatus
from yishi.notices import queries as board
from yishi.notices.models import NoticeKind
from yishi.plans.services import draft_version
from yishi.procedures import services as engine
from yishi.procedures.queries import deviations


def test_s1_meeting_announced_held_minuted_and_its_result_posted(s1):
    p, t = s1.p, s1.t
    year = timezone.localdate().year + 1
    s1.clock.set(datetime.datetime(year, 10, 5, 10, 0, tzinfo=SHANGHAI))
    meeting = preparing.create_meeting(
        actor=p.secretary,
        region=t.community,
        form="consultation",
        platform="party_hall",
        title="让居民出行安全，对低洼路段进行维修",
        place="社区协商议事厅",
        starts_at=datetime.datetime(year, 10, 15, 9, 0, tzinfo=SHANGHAI),
        agenda=[s1.matter],
    )
    preparing.invite(actor=p.secretary, meeting=meeting, people=[p.secretary, s1.deputy], capacity="两委成员")
    preparing.invite(actor=p.secretary, meeting=meeting, representatives=True)
    preparing.invite(actor=p.secretary, meeting=meeting, units=[p.property, p.fire, s1.brigade, s1.urban])
    announcement = announcing.announce(actor=p.secretary, meeting=meeting)
    assert (announcement.given_days, announcement.required_days, announcement.late) == (10, 3, False)
    notice = announcement.notice
    assert notice in board.current(t.community) and notice.kind == NoticeKind.MEETING
    assert "10月15日" in notice.body  # the board speaks Chinese dates

    s1.clock.set(datetime.datetime(year, 10, 15, 8, 50, tzinfo=SHANGHAI))
    attending.sign_in(actor=p.fire_staff, meeting=meeting)  # 市消防救援支队, by the QR code
    for rep in s1.reps:
        attending.sign_in(actor=rep, meeting=meeting)
    for unit in (p.property, s1.brigade, s1.urban):
        attending.check_in(actor=p.secretary, meeting=meeting, invitation=meeting.invitations.get(unit=unit))
    attending.check_in(actor=p.secretary, meeting=meeting, person=p.secretary)
    summary = queries.attendance_summary(meeting)
    assert (summary.expected, summary.present, summary.others) == (9, 8, 0)

    s1.clock.set(datetime.datetime(year, 10, 15, 9, 20, tzinfo=SHANGHAI))
    holding.record_ideas(
        actor=p.secretary,
        meeting=meeting,
        matter=s1.matter,
        ideas=[
            ("先把四处坑洼修补好", "市消防救援支队"),
            ("施工前通知居民绕行", "代表1"),
            ("施工时维持现场秩序", "物业"),
        ],
    )
    draft_version(
        actor=p.council,
        matter=s1.matter,
        summary="修复小区西侧低洼路段",
        parts=[
            {"what": "维修坑洼路面", "unit": p.fire, "due_on": datetime.date(year, 11, 15)},
            {"what": "提示辖区居民", "responsible": "丽景社区居委会"},
            {"what": "维持现场秩序", "unit": p.property},
            {"what": "监督文明施工", "unit": s1.urban},
        ],
    )
    holding.record_decision(
        actor=p.secretary,
        meeting=meeting,
        matter=s1.matter,
        text="四家单位分工负责，11月15日施工，社区跟进回访",
    )
    s1.clock.set(datetime.datetime(year, 10, 15, 11, 0, tzinfo=SHANGHAI))
    closing.close_meeting(actor=p.secretary, meeting=meeting)
    (minutes,) = closing.confirm_minutes(actor=p.secretary, meeting=meeting)
    assert "监督文明施工 — 运河区城管" in minutes.text and "四家单位分工负责" in minutes.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and Attendance.objects.filter(meeting=meeting).count() == 8

    # The meeting produced the consultation step's evidence: the short path moves on to implementation.
    engine.advance(actor=p.secretary, matter=s1.matter)
    s1.matter.refresh_from_db()
    assert s1.matter.step_key == "implement"
    flows.implement_and_confirm(p, s1.matter, supervisor=p.resident)
    engine.advance(actor=p.secretary, matter=s1.matter)
    result = flows.publish(p, s1.matter)
    engine.advance(actor=p.secretary, matter=s1.matter)
    s1.matter.refresh_from_db()
    assert s1.matter.status == "resolved"
    assert result in board.current(t.community)
    assert [d.kind for d in deviations(s1.matter)] == ["short_path"]
