"""A notice printed in elderly mode (适老化), as Chromium lays it out for paper: the person who switched the mode on
gets a notice a 75-year-old can read on the board at arm's length — its text at 20pt, nothing under 16pt, and
nothing wider than A4. The same notice printed without the mode keeps its standard size."""

import re

from django.db import transaction
from playwright.sync_api import Browser, expect

from tests import builders
from tests.e2e.test_printing import pdf_pages
from yishi.notices import services as notices
from yishi.notices.models import NoticeKind

A4_WIDTH = 794  # CSS pixels across an A4 sheet

SIZES = """() => {
  const pt = el => Math.round(parseFloat(getComputedStyle(el).fontSize) * 75) / 100;
  const texts = [...document.querySelectorAll('main *')].filter(el =>
    el.getClientRects().length && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  return {body: pt(document.querySelector('.body')), smallest: Math.min(...texts.map(pt)),
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


def test_a_notice_printed_in_elderly_mode_has_large_type_on_a4(browser: Browser, live_server):
    t = builders.tree()
    secretary = builders.person("张金利")
    builders.role(secretary, "committee", t.community, title="社区党委书记")
    with transaction.atomic():
        notice = notices.post_notice(
            actor=secretary,
            region=t.community,
            kind=NoticeKind.RESULT,
            title="公示：小区停车收费标准",
            body="经居民协商议事会协商，小区地面停车位自2027年1月1日起每月收费100元，所得用于道路维修和绿化养护。\n"
            "如有意见，请在公示期内扫码留言，或到社区居委会当面反映。",
            period_days=10,
        )
    context = browser.new_context(locale="zh-CN", viewport={"width": A4_WIDTH, "height": 1123})
    context.set_default_timeout(10_000)
    page = context.new_page()
    printable = f"{live_server.url}/n/{notice.pk}/print/"

    page.goto(printable)
    page.emulate_media(media="print")
    standard = page.evaluate(SIZES)
    assert standard["body"] == 13, "without the mode the notice keeps its size"

    # Switched on the ordinary way, from the notice's page online.
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/n/{notice.pk}/")
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\belderly\b"))
    page.goto(printable)
    expect(page.locator("body")).to_have_class("sheet elderly")
    assert page.evaluate(SIZES)["smallest"] >= 15, "20 px (15pt) or more on screen"

    page.emulate_media(media="print")
    elderly = page.evaluate(SIZES)
    assert elderly["body"] >= 20, "the notice's text at 20pt, read standing at the board"
    assert elderly["smallest"] >= 16, "no text on the sheet under 16pt"
    assert elderly["overflow"] == 0, "nothing runs off the A4 sheet"
    assert pdf_pages(page.pdf(format="A4")) == 1
    context.close()
