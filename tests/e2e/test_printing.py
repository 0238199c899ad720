"""Paper is a first-class channel: the printable notice, agenda, sign-in sheet and survey forms, rendered by
Chromium to A4 PDFs without console errors, with QR codes that encode the way back to the page online.

No QR decoder is installed: the code is read back by generating, with segno, the code of the URL it must
encode and comparing the SVG path data, which segno derives from the encoded bits alone.
"""

import datetime
import re

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import Browser, Page

from tests import builders
from tests.e2e.test_story_s1 import login_with_password
from yishi.matters import services as matters
from yishi.meetings import announcing, attending, preparing
from yishi.surveys import services as surveys

PASSWORD = "yishi-demo-2026"
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")  # a page, not the /Pages tree


def pdf_pages(pdf: bytes) -> int:
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    return len(PAGE_OBJECT.findall(pdf))


def qr_path(svg_or_html: str) -> str:
    """The path data of the (first) QR code's SVG."""
    svg = re.search(r'<svg[^>]*class="qr"[^>]*>.*?</svg>', svg_or_html, re.S)
    assert svg, "no QR code on the page"
    return re.search(r'<path[^>]*\sd="([^"]+)"', svg.group(0)).group(1)


def encodes(html: str, url: str) -> bool:
    expected = segno.make(url, error="m").svg_inline(scale=4, svgclass="qr", lineclass=None, omitsize=True)
    return qr_path(html) == qr_path(expected)


class Printer:
    """One browser context; every page it opens records console errors and uncaught exceptions."""

    def __init__(self, browser: Browser):
        self.context = browser.new_context(locale="zh-CN")
        self.context.set_default_timeout(10_000)
        self.errors: list[str] = []

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(f"{url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{url}: {e}"))
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        page.wait_for_load_state("networkidle")
        return page

    def pdf(self, url: str) -> tuple[bytes, str]:
        page = self.open(url)
        page.emulate_media(media="print")
        return page.pdf(format="A4"), page.content()


@pytest.fixture
def paper():
    t = builders.tree()
    secretary = builders.person("张金利", phone="13900000101", password=PASSWORD)
    builders.role(secretary, "committee", t.community, title="社区党委书记")
    resident = builders.person("刘桂兰")
    fire = builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community])
    matter = matters.raise_matter(
        actor=resident,
        region=t.compound,
        category=builders.category("environment"),
        title="小区西侧小路积水",
        description="那里一下雨就积水，昨天有个老邻居在那儿摔伤了。",
    )
    matters.accept(actor=secretary, matter=matter, procedure_key="short_path", procedure_reason="小型维修")
    meeting = preparing.create_meeting(
        actor=secretary,
        region=t.community,
        form="consultation",
        platform="party_hall",
        title="让居民出行安全，对低洼路段进行维修",
        place="社区协商议事厅",
        agenda=[matter],
        starts_at=timezone.now() + datetime.timedelta(days=5),
    )
    preparing.invite(actor=secretary, meeting=meeting, units=[fire], names=["居民代表王大爷"], capacity="")
    announcement = announcing.announce(actor=secretary, meeting=meeting)
    for room in ("101", "102", "201"):
        builders.household(t.building, room=room)
    survey = surveys.create_survey(
        actor=secretary,
        region=t.compound,
        title="绿化带养护入户调查",
        questions=[
            {
                "kind": "single",
                "text": "您是否同意聘请专业养护队伍？",
                "choices": ["同意", "不同意"],
                "required": True,
            },
            {"kind": "text", "text": "其他意见", "required": False},
        ],
    )
    return t, secretary, meeting, announcement.notice, survey


def test_printed_notice_agenda_sheet_and_survey_forms_render_to_a4_pdfs_with_qr_codes_back(
    browser: Browser, live_server, paper
):
    _t, secretary, meeting, notice, survey = paper
    base = live_server.url
    anonymous, staff = Printer(browser), Printer(browser)
    login_with_password(staff.context.new_page(), base, secretary.phone)

    # The notice, on one A4 page, with the QR code of its page online.
    pdf, html = anonymous.pdf(f"{base}/n/{notice.pk}/print/")
    assert pdf_pages(pdf) == 1
    assert notice.title in html
    assert encodes(html, f"{base}/n/{notice.pk}/")
    assert not encodes(html, f"{base}/n/{notice.pk + 1}/")

    # The agenda, public, with the QR code of the meeting's page.
    pdf, html = anonymous.pdf(f"{base}/meetings/{meeting.pk}/print/agenda/")
    assert pdf_pages(pdf) == 1
    assert "小区西侧小路积水" in html and "市消防救援支队" in html
    assert encodes(html, f"{base}/meetings/{meeting.pk}/")

    # The sign-in sheet names people: staff only; its QR code signs in by phone.
    pdf, html = staff.pdf(f"{base}/meetings/{meeting.pk}/print/sheet/")
    assert pdf_pages(pdf) == 2  # 20 rows (the invited, then blank) and the QR code
    assert "居民代表王大爷" in html
    assert encodes(html, f"{base}/meetings/sign-in/{attending.sign_in_token(meeting)}/")

    # The survey's paper forms: one A4 page per household of the compound.
    pdf, html = staff.pdf(f"{base}/surveys/{survey.pk}/print/")
    assert pdf_pages(pdf) == 3
    assert "您是否同意聘请专业养护队伍？" in html

    assert anonymous.errors == [] and staff.errors == []
