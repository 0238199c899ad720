"""Story S1's consultation meeting (让居民出行安全，对低洼路段进行维修, 社区协商议事厅), walked in Chromium.

The secretary schedules and announces it; an anonymous visitor sees the notice on the community's board; on
the day a representative signs in with the meeting's QR link on their phone and the secretary checks others in;
ideas and the decision are recorded for the flooded-lane matter; the meeting is closed, the minutes are edited
and confirmed by the convener (after which an edit is refused); the result is posted on the board.

Each person has their own browser context at a phone's size. The clock (``timezone.now``) is moved from the
announcement to the meeting's day; the live server runs in this process, so it reads the same clock.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests import builders
from tests.e2e.test_story_s1 import login_with_code, login_with_password, phone_page
from tests.meetings.conftest import Clock
from yishi.matters import services as matters
from yishi.meetings.models import Attendance, Meeting, MeetingStatus, Minutes, Session, SignIn
from yishi.notices.models import Notice, NoticeKind
from yishi.plans.services import draft_version
from yishi.works.services import assign_work, report_progress, supervise

pytestmark = pytest.mark.usefixtures("a11y")  # axe-core on every page visited, normal and elderly
PASSWORD = "yishi-demo-2026"
TITLE = "让居民出行安全，对低洼路段进行维修"


@pytest.fixture
def clock(monkeypatch):
    c = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def s1(clock):
    t = builders.tree()
    people = {
        "secretary": builders.person("张金利", phone="13900000101", password=PASSWORD),
        "deputy": builders.person("李淑芬", phone="13900000102", password=PASSWORD),
        "fire": builders.person("赵振华", phone="13900000011", password=PASSWORD),
        "rep1": builders.person("陈大爷", phone="13910000011"),
        "rep2": builders.person("周阿姨", phone="13910000012"),
        "resident": builders.person("刘桂兰", phone="13910000001"),
    }
    builders.role(people["secretary"], "committee", t.community, title="社区党委书记")
    builders.role(people["deputy"], "committee", t.community, title="社区居委会主任")
    builders.role(people["rep1"], "representative", t.compound)
    builders.role(people["rep2"], "representative", t.community)
    units = {
        "fire": builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community]),
        "brigade": builders.unit(
            "运河区消防救援大队", kind="fire_rescue", home_region=t.district, serves=[t.district]
        ),
        "chengguan": builders.unit(
            "运河区城管", kind="urban_management", home_region=t.district, serves=[t.district]
        ),
        "property": builders.unit(
            "万泰丽景小区物业服务公司", kind="property", home_region=t.community, serves=[t.compound]
        ),
    }
    builders.role(people["fire"], "unit_staff", t.city, unit=units["fire"])
    matter = matters.raise_matter(
        actor=people["resident"],
        region=t.compound,
        category=builders.category("environment"),
        title="小区西侧小路积水，老邻居摔伤了",
        description="那里一下雨就积水，昨天有个老邻居在那儿摔伤了。",
    )
    matters.accept(
        actor=people["secretary"],
        matter=matter,
        procedure_key="short_path",
        procedure_reason="小型维修，无需公约和表决",
        stakeholders="万泰丽景小区居民",
    )
    draft_version(
        actor=people["secretary"],
        matter=matter,
        summary="修复小区西侧低洼路段",
        parts=[
            {
                "what": "对坑洼处进行维修",
                "unit": units["fire"],
                "due_on": timezone.localdate() + datetime.timedelta(days=30),
            },
            {"what": "对辖区居民进行提示", "responsible": "丽景社区居委会"},
            {"what": "维持现场秩序", "unit": units["property"]},
            {"what": "监督文明施工", "unit": units["chengguan"]},
        ],
    )
    return t, people, units, matter


def form_for(page: Page, action: str, has: str | None = None):
    selector = f"form[action$='{action}']" + (f":has({has})" if has else "")
    return page.locator(selector).first


def send(
    page: Page,
    action: str,
    fields: dict | None = None,
    *,
    has: str | None = None,
    selects=None,
    choices=None,
    labels=(),
    checks=(),
):
    form = form_for(page, action, has)
    for name, value in (fields or {}).items():
        form.locator(f"[name={name}]").fill(str(value))
    for name, label in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(label=label)
    for name, value in (choices or {}).items():
        form.locator(f"select[name={name}]").select_option(value=value)
    for label in labels:
        form.get_by_label(label, exact=True).check()
    for name in checks:
        form.locator(f"[name={name}]").check()
    form.locator("button[type=submit]").click()


def test_s1_meeting_is_announced_held_minuted_and_its_result_posted(browser: Browser, live_server, s1, clock):
    t, people, units, matter = s1
    base = live_server.url
    day = timezone.localdate() + datetime.timedelta(days=5)

    # 明确协商时间地点及参与主体: the secretary schedules it, the deputy (a committee member) convening.
    secretary = phone_page(browser)
    login_with_password(secretary, base, people["secretary"].phone)
    secretary.goto(f"{base}/meetings/new/?region={t.community.pk}")
    send(
        secretary,
        "/meetings/new/",
        {"title": TITLE, "starts_at": f"{day.isoformat()}T09:00", "place": "社区协商议事厅"},
        selects={"region": "丽景社区", "convener": "李淑芬"},
        choices={"form": "consultation", "platform": "party_hall"},
        labels=[f"{matter.pk} · {matter.title}"],
    )
    expect(secretary.locator("h1")).to_have_text(TITLE)
    meeting = Meeting.objects.get()
    assert (meeting.form, meeting.platform, meeting.place, meeting.convener) == (
        "consultation",
        "party_hall",
        "社区协商议事厅",
        people["deputy"],
    )
    assert timezone.localtime(meeting.starts_at).date() == day
    assert list(meeting.agenda.all()) == [matter]

    invite = f"/meetings/{meeting.pk}/invite/"
    send(secretary, invite, {"phones": "13900000101\n13900000102", "capacity": "两委成员"})
    expect(secretary.locator(".messages")).to_be_visible()
    send(secretary, invite, checks=["representatives"])
    send(
        secretary,
        invite,
        labels=["万泰丽景小区物业服务公司", "市消防救援支队", "运河区消防救援大队", "运河区城管"],
    )
    expect(secretary.locator(".messages")).to_be_visible()
    invited = meeting.invitations
    assert invited.filter(capacity="两委成员").count() == 2
    assert set(invited.exclude(person=None).values_list("person__name", flat=True)) >= {"陈大爷", "周阿姨"}
    assert set(invited.exclude(unit=None).values_list("unit__name", flat=True)) == {
        "万泰丽景小区物业服务公司",
        "市消防救援支队",
        "运河区消防救援大队",
        "运河区城管",
    }

    # 发布公告, five days ahead (the rule asks three): not late.
    send(secretary, f"/meetings/{meeting.pk}/announce/")
    expect(secretary.locator(".messages")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ANNOUNCED
    announcement = meeting.announcements.get()
    assert (announcement.late, announcement.given_days) == (False, 5)

    anonymous = phone_page(browser)
    anonymous.goto(f"{base}/r/{t.community.pk}/board/")
    expect(anonymous.get_by_text(TITLE).first).to_be_visible()
    anonymous.get_by_role("link", name=re.compile(TITLE)).first.click()
    for shown in ("社区协商议事厅", "市消防救援支队", "运河区消防救援大队", "运河区城管", "两委成员"):
        expect(anonymous.get_by_text(shown).first).to_be_visible()
    expect(anonymous.locator("body")).not_to_contain_text("陈大爷")  # residents appear by capacity, not name
    sign_in_link = secretary.locator(".signin-qr .mono").inner_text().strip()
    assert "/meetings/sign-in/" in sign_in_link

    # 召开会议: the day comes. A representative opens the QR link on their phone and confirms.
    representative = phone_page(browser)
    login_with_code(representative, base, people["rep1"].phone)
    clock.set(meeting.starts_at + datetime.timedelta(minutes=5))
    representative.goto(sign_in_link)
    representative.locator("form button[type=submit].primary").click()
    expect(representative.locator(".messages")).to_be_visible()
    assert Attendance.objects.get(meeting=meeting, person=people["rep1"]).method == SignIn.QR

    # The secretary checks in the other representative by mobile, and the fire brigade's row.
    secretary.goto(f"{base}/meetings/{meeting.pk}/run/")
    send(secretary, f"/meetings/{meeting.pk}/check-in/", {"phone": "13910000012"}, has="[name=phone]")
    expect(secretary.locator(".messages")).to_be_visible()
    fire_invitation = meeting.invitations.get(unit=units["fire"])
    form_for(
        secretary,
        f"/meetings/{meeting.pk}/check-in/",
        f"input[name=invitation][value='{fire_invitation.pk}']",
    ).locator("button[type=submit]").click()
    expect(secretary.locator(".messages")).to_be_visible()
    assert Attendance.objects.filter(meeting=meeting, method=SignIn.STAFF).count() == 2

    # Attendance, live: 8 invited (应到), 3 present (实到).
    expect(secretary.locator("#attendance .expected")).to_have_text("8")
    expect(secretary.locator("#attendance .present")).to_have_text("3")
    anonymous.goto(f"{base}/meetings/{meeting.pk}/attendance/")
    expect(anonymous.locator("#attendance .present")).to_have_text("3")

    # Ideas for the agenda matter become its consultation session; then the decision on the plan.
    send(
        secretary,
        f"/meetings/{meeting.pk}/matters/{matter.pk}/ideas/",
        {"ideas": "市消防救援支队：负责坑洼处维修\n物业公司：维持现场秩序\n运河区城管：监督文明施工"},
    )
    expect(secretary.get_by_text("负责坑洼处维修").first).to_be_visible()
    session = Session.objects.get(meeting=meeting, matter=matter)
    assert session.ideas.count() == 3 and session.attendance == 3
    send(
        secretary,
        f"/meetings/{meeting.pk}/matters/{matter.pk}/decision/",
        {"text": "各单位各负其责，11月15日进场施工"},
    )
    expect(secretary.locator(".messages")).to_be_visible()
    assert matter.consensus_records.filter(session=session).count() == 1

    # Closed: the minutes are drafted from the records (应到/实到, ideas, the decision).
    clock.advance(hours=2)
    send(secretary, f"/meetings/{meeting.pk}/close/")
    expect(secretary.locator(".minutes").first).to_be_visible()
    minutes = Minutes.objects.get(meeting=meeting)
    assert "负责坑洼处维修" in minutes.text and "各单位各负其责" in minutes.text
    edited = minutes.text + "\n后续安排：11月15日施工，社区跟进回访。"
    send(secretary, f"/meetings/{meeting.pk}/minutes/{minutes.pk}/", {"text": edited})
    expect(secretary.locator(".messages")).to_be_visible()
    minutes.refresh_from_db()
    assert minutes.text == edited.strip() and minutes.edited_by == people["secretary"]

    # The convener confirms; the secretary's page, still open, can no longer edit them.
    convener = phone_page(browser)
    login_with_password(convener, base, people["deputy"].phone)
    convener.goto(f"{base}/meetings/{meeting.pk}/run/")
    send(convener, f"/meetings/{meeting.pk}/minutes/confirm/")
    expect(convener.locator(".messages")).to_be_visible()
    minutes.refresh_from_db()
    assert minutes.confirmed_by == people["deputy"] and minutes.digest
    send(secretary, f"/meetings/{meeting.pk}/minutes/{minutes.pk}/", {"text": "改过的纪要"})
    expect(secretary.locator("#refused")).to_be_visible()
    minutes.refresh_from_db()
    assert minutes.text == edited.strip()
    anonymous.goto(f"{base}/meetings/{meeting.pk}/")
    expect(anonymous.get_by_text("后续安排：11月15日施工").first).to_be_visible()

    # The work is carried out (the S1 story test walks those pages), then the result is posted on the board.
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(secretary, "/advance/")
    expect(secretary.locator(".steps li.done")).to_have_count(2)
    for part in matter.plan_versions.get().parts.order_by("position"):  # each part its task
        work = assign_work(
            actor=people["secretary"],
            matter=matter,
            part=part,
            due_on=timezone.localdate() + datetime.timedelta(days=30),
            **({} if part.unit_id else {"to_committee": True}),
        )
        by = people["fire"] if part.unit_id == units["fire"].pk else people["secretary"]
        report_progress(actor=by, work=work, text="已完成", done=True)
        supervise(actor=people["resident"], work=work, verdict="confirm", rating=5)
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(secretary, "/advance/")
    send(
        secretary,
        "/publish/",
        {"title": "小区西侧低洼路段维修完成", "body": "10月15日协商议定，4处破损路面已维修完毕。"},
    )
    expect(secretary.locator(".messages")).to_be_visible()
    assert Notice.objects.filter(matter=matter, kind=NoticeKind.RESULT).count() == 1
    anonymous.goto(f"{base}/r/{t.community.pk}/board/")
    expect(anonymous.get_by_text("小区西侧低洼路段维修完成")).to_be_visible()
    expect(anonymous.get_by_text(TITLE).first).to_be_visible()
