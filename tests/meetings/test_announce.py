"""发布公告: announcing posts the meeting's notice on the community board; the notice-period rule per form, its
reason when late and the flag on every agenda matter's compliance; changes and cancellations as new notices."""

import datetime

import pytest

from tests.meetings.conftest import announced, invite_s1, schedule
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.meetings import announcing, preparing, rules
from yishi.meetings.models import Announcement, Meeting, MeetingStatus
from yishi.notices import queries as board
from yishi.notices.models import Notice, NoticeKind
from yishi.procedures.queries import deviations


def late_flags(matter) -> list[str]:
    return [str(d.text) for d in deviations(matter) if d.kind == "late_notice"]


def test_announcing_posts_the_meeting_notice_on_the_community_board_with_agenda_and_invited(s1):
    meeting = invite_s1(s1, schedule(s1, days_ahead=10))
    announcement = announcing.announce(actor=s1.p.secretary, meeting=meeting)
    notice = announcement.notice
    assert notice.region == s1.t.community and notice.kind == NoticeKind.MEETING
    assert "让居民出行安全，对低洼路段进行维修" in notice.title
    for text in (
        "社区协商议事厅",
        "小区西侧小路积水",
        "市消防救援支队",
        "运河区消防救援大队",
        "运河区城管",
        "万泰丽景小区物业服务公司",
        "两委成员（2）",
    ):
        assert text in notice.body, text
    # Residents invited by name are counted, never named on the board.
    assert "代表1" not in notice.body
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.ANNOUNCED
    assert board.posted_on(s1.t.community)[0] == notice
    assert AuditEntry.objects.filter(action="meetings.announce", target_id=str(meeting.pk)).exists()
    assert late_flags(s1.matter) == []


@pytest.mark.parametrize(("form", "days"), [("villagers", 10), ("representatives", 3), ("consultation", 3)])
def test_the_default_minimum_notice_per_form_is_met_on_the_bound_and_missed_a_day_short(s1, form, days):
    assert rules.notice_days(form) == days
    on_time = schedule(s1, form=form, days_ahead=days)
    assert announcing.announce(actor=s1.p.secretary, meeting=on_time).late is False
    short = schedule(s1, form=form, days_ahead=days - 1)
    with pytest.raises(Refused) as refused:
        announcing.announce(actor=s1.p.secretary, meeting=short)
    assert refused.value.code == "short_notice" and refused.value.field == "late_reason"
    assert Meeting.objects.get(pk=short.pk).status == MeetingStatus.DRAFT
    assert not Announcement.objects.filter(meeting=short).exists()


def test_the_rule_counts_calendar_days_so_late_evening_of_the_day_before_does_not_count_as_a_day(s1):
    s1.clock.set(s1.clock.now.replace(hour=23, minute=30))
    meeting = schedule(s1, days_ahead=3)  # 23:30 three days later: three calendar days
    meeting = preparing.update_meeting(
        actor=s1.p.secretary,
        meeting=meeting,
        form="consultation",
        platform="party_hall",
        title=meeting.title,
        place=meeting.place,
        starts_at=meeting.starts_at.replace(hour=8),
    )
    assert announcing.announce(actor=s1.p.secretary, meeting=meeting).given_days == 3


def test_a_form_without_a_minimum_may_be_announced_the_day_before(s1):
    meeting = schedule(s1, form="talk", days_ahead=1)
    assert rules.notice_days("talk") is None
    announcement = announcing.announce(actor=s1.p.secretary, meeting=meeting)
    assert announcement.late is False and announcement.required_days is None


def test_a_deployment_may_change_the_minimum_by_setting(s1, settings):
    settings.YISHI_MEETING_NOTICE_DAYS = {"consultation": 5}
    with pytest.raises(Refused):
        announcing.announce(actor=s1.p.secretary, meeting=schedule(s1, days_ahead=4))
    settings.YISHI_MEETING_NOTICE_DAYS = {"consultation": None}
    assert announcing.announce(actor=s1.p.secretary, meeting=schedule(s1, days_ahead=1)).late is False


def test_a_late_announcement_with_its_reason_is_posted_and_flagged_on_every_agenda_matter(s1):
    from tests.procedures import flows

    other = flows.raise_flood(s1.p)
    meeting = schedule(s1, days_ahead=1, agenda=[s1.matter, other])
    announcement = announcing.announce(
        actor=s1.p.secretary, meeting=meeting, late_reason="汛期将至，必须尽快协商"
    )
    assert announcement.late and announcement.given_days == 1 and announcement.required_days == 3
    assert "汛期将至，必须尽快协商" in announcement.notice.body
    for matter in (s1.matter, other):
        flags = late_flags(matter)
        assert len(flags) == 1 and "汛期将至" in flags[0] and "1" in flags[0] and "3" in flags[0]


def test_a_cancelled_late_meeting_is_no_longer_a_deviation(s1):
    meeting = schedule(s1, days_ahead=1)
    announcing.announce(actor=s1.p.secretary, meeting=meeting, late_reason="紧急")
    assert late_flags(s1.matter)
    announcing.cancel_meeting(actor=s1.p.secretary, meeting=meeting, reason="改期")
    assert late_flags(s1.matter) == []


def test_a_meeting_in_the_past_cannot_be_announced(s1):
    meeting = schedule(s1, days_ahead=1)
    s1.clock.advance(days=2)
    with pytest.raises(Refused) as refused:
        announcing.announce(actor=s1.p.secretary, meeting=meeting, late_reason="x")
    assert refused.value.code == "in_the_past"


def test_an_announced_meeting_is_not_edited_but_changed_by_a_notice_that_replaces_the_old(s1):
    meeting = announced(s1, days_ahead=10)
    first = announcing.current_announcement(meeting).notice
    with pytest.raises(Refused) as refused:
        preparing.update_meeting(
            actor=s1.p.secretary,
            meeting=meeting,
            form="consultation",
            platform="party_hall",
            title="改",
            starts_at=meeting.starts_at,
            place="别处",
        )
    assert refused.value.code == "announced"
    change = announcing.change_meeting(
        actor=s1.p.secretary, meeting=meeting, place="社区二楼会议室", reason="议事厅漏雨，改在二楼"
    )
    assert change.notice.replaces == first and change.notice.kind == NoticeKind.MEETING_CHANGED
    assert "议事厅漏雨" in change.notice.body and "社区二楼会议室" in change.notice.body
    # The first notice is untouched and archived; the board shows the change.
    assert Notice.objects.get(pk=first.pk).body == first.body
    assert [n for n in board.current(s1.t.community) if n.kind.startswith("meeting")] == [change.notice]
    assert first in board.archived(s1.t.community)
    assert Meeting.objects.get(pk=meeting.pk).place == "社区二楼会议室"


def test_a_change_needs_its_reason_and_a_real_change(s1):
    meeting = announced(s1)
    with pytest.raises(Refused) as refused:
        announcing.change_meeting(actor=s1.p.secretary, meeting=meeting, place="二楼", reason=" ")
    assert refused.value.code == "reason_required"
    with pytest.raises(Refused) as refused:
        announcing.change_meeting(actor=s1.p.secretary, meeting=meeting, place=meeting.place, reason="没变")
    assert refused.value.code == "unchanged"
    assert Announcement.objects.filter(meeting=meeting).count() == 1


def test_moving_the_meeting_earlier_falls_under_the_notice_rule_again(s1):
    meeting = announced(s1, days_ahead=10)
    s1.clock.advance(days=5)
    sooner = s1.clock.now + datetime.timedelta(days=2)
    with pytest.raises(Refused) as refused:
        announcing.change_meeting(actor=s1.p.secretary, meeting=meeting, starts_at=sooner, reason="提前")
    assert refused.value.code == "short_notice"
    assert late_flags(s1.matter) == []
    announcing.change_meeting(
        actor=s1.p.secretary,
        meeting=meeting,
        starts_at=sooner,
        reason="提前",
        late_reason="施工队只在这天有空",
    )
    assert len(late_flags(s1.matter)) == 1


def test_a_matter_added_late_is_flagged_but_the_matters_announced_in_time_are_not(s1):
    from tests.procedures import flows

    meeting = announced(s1, days_ahead=10)
    s1.clock.advance(days=9)
    added = flows.raise_flood(s1.p)
    announcing.change_meeting(
        actor=s1.p.secretary,
        meeting=meeting,
        agenda=[s1.matter, added],
        reason="增加议题",
        late_reason="居民临时提出",
    )
    assert late_flags(s1.matter) == []
    assert len(late_flags(added)) == 1


def test_cancelling_an_announced_meeting_posts_a_cancellation_that_replaces_its_notice(s1):
    meeting = announced(s1)
    first = announcing.current_announcement(meeting).notice
    announcing.cancel_meeting(actor=s1.p.secretary, meeting=meeting, reason="台风预警")
    cancel = announcing.current_announcement(meeting).notice
    assert (
        cancel.kind == NoticeKind.MEETING_CANCELLED and cancel.replaces == first and "台风预警" in cancel.body
    )
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED
    with pytest.raises(Refused):
        announcing.announce(actor=s1.p.secretary, meeting=meeting)


def test_cancelling_a_meeting_still_being_prepared_posts_nothing(s1):
    meeting = schedule(s1)
    announcing.cancel_meeting(actor=s1.p.secretary, meeting=meeting, reason="不开了")
    assert not Notice.objects.filter(kind=NoticeKind.MEETING_CANCELLED).exists()


def test_a_sibling_communitys_committee_may_not_schedule_announce_change_or_cancel(s1):
    other = s1.p.other_secretary
    with pytest.raises(Refused) as refused:
        preparing.create_meeting(
            actor=other,
            region=s1.t.community,
            form="consultation",
            platform="party_hall",
            title="越界",
            starts_at=s1.clock.now + datetime.timedelta(days=5),
            place="某处",
            convener=other,
        )
    assert refused.value.code == Refused.FORBIDDEN
    meeting = schedule(s1)
    for call in (
        lambda: announcing.announce(actor=other, meeting=meeting),
        lambda: announcing.cancel_meeting(actor=other, meeting=meeting, reason="x"),
        lambda: preparing.invite(actor=other, meeting=meeting, names=["某人"]),
    ):
        with pytest.raises(Refused) as refused:
            call()
        assert refused.value.code == Refused.FORBIDDEN
    announcing.announce(actor=s1.p.secretary, meeting=meeting)
    with pytest.raises(Refused) as refused:
        announcing.change_meeting(actor=other, meeting=meeting, place="别处", reason="x")
    assert refused.value.code == Refused.FORBIDDEN
    assert Announcement.objects.filter(meeting=meeting).count() == 1


def test_the_agenda_takes_only_open_matters_of_the_community(s1):
    from tests.procedures import flows
    from yishi.matters import services as matters

    elsewhere = matters.raise_matter(
        actor=s1.p.resident,
        region=s1.t.sibling_compound,
        category=s1.p.category,
        title="别处的事",
        description="朝东社区的事情",
    )
    with pytest.raises(Refused) as refused:
        schedule(s1, agenda=[elsewhere])
    assert refused.value.code == "matter_elsewhere"
    declined = flows.raise_flood(s1.p)
    matters.decline(actor=s1.p.secretary, matter=declined, reason="重复")
    with pytest.raises(Refused) as refused:
        schedule(s1, agenda=[declined])
    assert refused.value.code == "matter_closed"


def test_units_invited_must_serve_the_community_and_the_convener_must_be_its_staff(s1):
    meeting = schedule(s1)
    with pytest.raises(Refused) as refused:
        preparing.invite(actor=s1.p.secretary, meeting=meeting, units=[s1.faraway])
    assert refused.value.code == "unit_elsewhere"
    with pytest.raises(Refused) as refused:
        schedule(s1, convener=s1.p.resident)
    assert refused.value.code == "invalid_convener"
    with pytest.raises(Refused) as refused:
        preparing.create_meeting(
            actor=s1.p.secretary,
            region=s1.t.community,
            form="consultation",
            platform="other",
            title="x",
            starts_at=s1.clock.now,
            place="y",
        )
    assert refused.value.code == "platform_name_required"


def test_inviting_twice_adds_nobody_twice(s1):
    meeting = invite_s1(s1, schedule(s1))
    count = meeting.invitations.count()
    assert (
        preparing.invite(
            actor=s1.p.secretary, meeting=meeting, representatives=True, units=[s1.p.fire], names=[]
        )
        == 0
    )
    assert meeting.invitations.count() == count == 2 + 3 + 4
