"""A representatives' meeting where nobody is on record as a representative says so, instead of counting a
quorum of nothing ("应到0，需要0，实到0", issue 16, point 4)."""

import datetime

from django.utils import timezone

from yishi.meetings import preparing
from yishi.meetings.queries import attendance_summary, quorum


def representatives_meeting(place, region, actor):
    return preparing.create_meeting(
        actor=actor,
        region=region,
        form="representatives",
        platform="party_hall",
        title="居民代表会议",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        place="议事厅",
        agenda=[],
    )


def test_a_body_with_no_members_has_no_roster_to_count_a_quorum_against(place, client):
    meeting = representatives_meeting(place, place.tree.sibling, place.other_secretary)
    view = quorum(meeting, attendance_summary(meeting))
    assert view.no_roster and not view.met

    client.force_login(place.other_secretary)
    page = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert "无法计算法定到会人数" in page
    assert "应到0，需要0，实到0" not in page


def test_a_body_with_members_counts_its_quorum(place, client):
    from tests import builders

    for i in range(3):
        builders.role(builders.person(f"代表{i}"), "representative", place.tree.community)
    meeting = representatives_meeting(place, place.tree.community, place.secretary)
    view = quorum(meeting, attendance_summary(meeting))
    assert not view.no_roster and view.expected == 3 and view.needed == 2

    client.force_login(place.secretary)
    page = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert "尚未达到法定到会人数" in page and "应到3，需要2，实到0" in page
