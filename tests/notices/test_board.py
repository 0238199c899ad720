"""The public board (张榜公示): posting periods, still-posted and archived views, replaced notices, objections within
five days and public replies due within five, the Atom feed and the printable A4 notice with its QR code."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.meetings.conftest import announced
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.meetings import announcing
from yishi.notices import queries, rules, services
from yishi.notices.models import Notice, NoticeKind, Objection, Reply

ATOM = "{http://www.w3.org/2005/Atom}"


def post(s1, title="公示：小区停车收费标准", days=10, region=None, replaces=None):
    from django.db import transaction

    with transaction.atomic():
        return services.post_notice(
            actor=s1.p.secretary,
            region=region or s1.t.community,
            kind=NoticeKind.RESULT,
            title=title,
            body="经协商，每月收费100元。",
            period_days=days,
            replaces=replaces,
        )


def html(response) -> str:
    return response.content.decode()


# --- posting periods and the archive ----------------------------------------------------------------------


def test_a_notice_is_posted_for_its_period_then_archived(s1):
    notice = post(s1, days=10)
    assert notice.ends_at == notice.posted_at + datetime.timedelta(days=10)
    assert notice in queries.current(s1.t.community) and notice not in queries.archived(s1.t.community)
    s1.clock.advance(days=10, seconds=-1)
    assert notice in queries.current(s1.t.community)
    s1.clock.advance(seconds=1)
    assert notice not in queries.current(s1.t.community) and notice in queries.archived(s1.t.community)


def test_the_default_posting_period_is_ten_days():
    assert rules.POSTING_DAYS == 10 and services.DEFAULT_PERIOD_DAYS == 10
    assert Notice._meta.get_field("period_days").default == 10


def test_a_replaced_notice_leaves_the_board_at_once_and_stays_in_the_archive(s1):
    old = post(s1, title="旧")
    new = post(s1, title="新", replaces=old)
    assert [n for n in queries.current(s1.t.community) if n.pk in (old.pk, new.pk)] == [new]
    assert old in queries.archived(s1.t.community)


def test_a_notice_is_never_edited_nor_deleted(s1):
    notice = post(s1)
    notice.title = "改"
    with pytest.raises(ValueError):
        notice.save()
    with pytest.raises(ValueError):
        notice.delete()
    assert Notice.objects.get(pk=notice.pk).title != "改"


def test_the_posting_period_is_one_day_to_a_year(s1):
    for days in (0, 366):
        with pytest.raises(Refused) as refused:
            post(s1, days=days)
        assert refused.value.code == "invalid_period"
    year = post(s1, days=365)
    s1.clock.advance(days=364)
    assert year in queries.current(s1.t.community)


def test_board_pages_show_posted_and_archived_notices_without_login(client, s1):
    old = post(s1, title="已过期的公示", days=2)
    s1.clock.advance(days=3)
    current = post(s1, title="正在公示的通知")
    board = client.get(reverse("notices:board", args=[s1.t.community.pk]))
    assert board.status_code == 200
    assert current.title in html(board) and old.title not in html(board)
    archive = client.get(reverse("notices:archive", args=[s1.t.community.pk]))
    assert archive.status_code == 200
    assert old.title in html(archive) and current.title not in html(archive)


def test_a_compounds_board_is_its_communitys(client, s1):
    notice = post(s1)
    page = client.get(reverse("notices:board", args=[s1.t.compound.pk]))
    assert page.status_code == 200 and notice.title in html(page)
    assert queries.board_region(s1.t.building) == s1.t.community


def test_the_region_page_links_its_board(client, s1):
    page = client.get(reverse("web:region", args=[s1.t.community.pk]))
    assert reverse("notices:board", args=[s1.t.community.pk]) in html(page)


def test_an_unknown_region_or_notice_is_404(client, s1):
    assert client.get(reverse("notices:board", args=[99999])).status_code == 404
    assert client.get(reverse("notices:detail", args=[99999])).status_code == 404


# --- objections and replies -----------------------------------------------------------------------------------


def test_a_resident_objects_within_five_days_and_not_after(s1):
    notice = post(s1)
    assert rules.OBJECTION_DAYS == 5 and rules.REPLY_DAYS == 5
    s1.clock.advance(days=5, seconds=-1)
    objection = services.object_to(actor=s1.p.resident, notice=notice, text="收费标准过高")
    assert objection.reply_due == objection.at + datetime.timedelta(days=5)
    s1.clock.advance(seconds=1)
    with pytest.raises(Refused) as refused:
        services.object_to(actor=s1.p.neighbour, notice=notice, text="太晚了")
    assert refused.value.code == "objections_closed"
    assert Objection.objects.filter(notice=notice).count() == 1


def test_an_objection_needs_words_and_goes_to_the_current_notice(s1):
    old = post(s1)
    with pytest.raises(Refused) as refused:
        services.object_to(actor=s1.p.resident, notice=old, text="  ")
    assert refused.value.code == "text_required"
    post(s1, replaces=old)
    with pytest.raises(Refused) as refused:
        services.object_to(actor=s1.p.resident, notice=old, text="反对")
    assert refused.value.code == "replaced"


def test_staff_reply_once_publicly_a_late_reply_is_marked_late(s1):
    notice = post(s1)
    first = services.object_to(actor=s1.p.resident, notice=notice, text="收费标准过高")
    second = services.object_to(actor=s1.p.neighbour, notice=notice, text="没有征求空房业主意见")
    reply = services.reply_to(actor=s1.p.secretary, objection=first, text="标准经业主大会表决通过")
    assert reply.late is False
    with pytest.raises(Refused) as refused:
        services.reply_to(actor=s1.p.secretary, objection=first, text="再答一次")
    assert refused.value.code == "already_answered"
    s1.clock.advance(days=6)
    assert services.reply_to(actor=s1.p.secretary, objection=second, text="已补充征求").late is True
    assert AuditEntry.objects.filter(action="notices.reply").count() == 2


def test_a_sibling_committee_or_a_resident_cannot_reply(s1):
    objection = services.object_to(actor=s1.p.resident, notice=post(s1), text="异议")
    for who in (s1.p.other_secretary, s1.p.neighbour):
        with pytest.raises(Refused) as refused:
            services.reply_to(actor=who, objection=objection, text="答复")
        assert refused.value.code == Refused.FORBIDDEN
    assert not Reply.objects.exists()


def test_the_notice_page_shows_objections_with_surnames_only_and_what_is_due(client, s1):
    notice = post(s1)
    objection = services.object_to(actor=s1.p.resident, notice=notice, text="收费标准过高")
    page = client.get(reverse("notices:detail", args=[notice.pk]))
    assert page.status_code == 200
    assert "收费标准过高" in html(page) and "刘**" in html(page) and "刘桂兰" not in html(page)
    assert s1.p.resident.phone not in html(page)
    s1.clock.advance(days=6)
    page = client.get(reverse("notices:detail", args=[notice.pk]))
    assert 'class="error"' in html(page)  # the reply is overdue, publicly
    client.force_login(s1.p.secretary)
    page = client.get(reverse("notices:detail", args=[notice.pk]))
    assert "刘桂兰" in html(page)  # staff who answer see the name
    assert reverse("notices:reply", args=[notice.pk, objection.pk]) in html(page)


def test_objecting_and_replying_through_the_pages(client, s1):
    notice = post(s1)
    url = reverse("notices:object", args=[notice.pk])
    assert client.post(url, {"text": "x"}).status_code == 302  # to the login page
    assert not Objection.objects.exists()
    client.force_login(s1.p.resident)
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "收费标准过高"}).status_code == 302
    objection = Objection.objects.get()
    reply_url = reverse("notices:reply", args=[notice.pk, objection.pk])
    assert client.post(reply_url, {"text": "居民不能答复"}).status_code == 403
    client.force_login(s1.p.secretary)
    assert client.post(reply_url, {"text": "标准经表决通过"}).status_code == 302
    page = client.get(reverse("notices:detail", args=[notice.pk]))
    assert "标准经表决通过" in html(page)
    s1.clock.advance(days=6)
    client.force_login(s1.p.neighbour)
    late = client.post(url, {"text": "晚了"})
    assert late.status_code == 409 and Objection.objects.count() == 1


# --- the feed and the printable notice ------------------------------------------------------------------------


def test_the_atom_feed_parses_and_lists_the_boards_notices_newest_first(client, s1):
    first = post(s1, title="第一条")
    s1.clock.advance(hours=1)
    second = post(s1, title="第二条")
    post(s1, title="别的社区", region=s1.t.sibling)
    response = client.get(reverse("notices:feed", args=[s1.t.community.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed, in a test
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[:2] == [second.title, first.title] and "别的社区" not in titles
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{reverse('notices:detail', args=[second.pk])}"
    assert entries[0].findtext(f"{ATOM}id") == link


def test_the_printable_notice_is_a_standalone_a4_page_with_its_qr_code_as_inline_svg(client, s1):
    notice = post(s1)
    response = client.get(reverse("notices:print", args=[notice.pk]))
    assert response.status_code == 200
    page = html(response)
    svg = re.search(r'<svg[^>]*class="qr"[^>]*>.*?</svg>', page, re.S)
    assert svg and "<path" in svg.group(0)
    assert f"http://testserver{reverse('notices:detail', args=[notice.pk])}" in page
    assert "<script" not in page and "style=" not in page  # the content policy allows neither inline
    assert escape(notice.title) in page and "print.css" in page


def test_the_qr_code_encodes_the_notices_address(s1):
    import segno

    from yishi.notices.printing import qr_svg

    url = "http://testserver/n/7/"
    svg = qr_svg(url)
    path = re.search(r'<path[^>]*d="([^"]+)"', svg).group(1)
    assert path in segno.make(url, error="m").svg_inline(scale=4, lineclass=None)
    assert path not in qr_svg("http://testserver/n/8/")
    # A viewBox lets the printed page scale it to its box without cutting off modules.
    size = segno.make(url, error="m").symbol_size(scale=4)[0]
    assert f'viewBox="0 0 {size} {size}"' in svg and f'width="{size}"' in svg


# --- meeting notices on the board ----------------------------------------------------------------------------


def test_a_meeting_notice_links_its_meeting_and_a_change_shows_what_it_replaced(client, s1):
    meeting = announced(s1)
    first = announcing.current_announcement(meeting).notice
    announcing.change_meeting(actor=s1.p.secretary, meeting=meeting, place="二楼会议室", reason="议事厅维修")
    page = client.get(reverse("notices:detail", args=[first.pk]))
    assert reverse("meetings:detail", args=[meeting.pk]) in html(page)
    assert "replaced" in html(page) or "替换" in html(page)
    board = client.get(reverse("notices:board", args=[s1.t.community.pk]))
    assert "二楼会议室" in html(board)


def test_the_acceptance_notice_reads_rightly_whatever_the_procedure_is_called(s1):
    """ "将按照“小事简易程序”程序办理" said 程序 twice (issue 16, point 4)."""
    notice = Notice.objects.get(matter=s1.matter, kind=NoticeKind.ACCEPTED)
    assert notice.body.startswith("社区已受理这个议题，将按“小事简易程序”办理。"), notice.body
    assert "程序”程序" not in notice.body
