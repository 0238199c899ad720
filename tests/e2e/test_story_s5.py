"""Story S5, the bureau's view, walked in Chromium on the demo city.

The bureau's staff member 王建华 (13900000001) logs in, opens the city's figures from the city's page, drills
down to a district, a street and a community, reads meetings by form and platform, matters by category and
channel, time per step, overdue tasks, satisfaction and compliance, downloads the Excel workbook and opens the
yearly report — on a phone, and sorts the sub-regions and downloads one table on a desktop. Every number on
the page is checked against the figures service for the same region and period; links are found by where
they lead, so the test reads the same in either language.
"""

import io
import re
from pathlib import Path

import axe_playwright_python
import pytest
from django.test.utils import override_settings
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_printing import pdf_pages
from tests.e2e.test_story_s1 import PASSWORD, login_with_password
from yishi.demo import city
from yishi.stats import figures as fig
from yishi.stats.pages import share
from yishi.stats.templatetags.stats import figure as as_cell

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
BUREAU_PHONE = "13900000001"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return city.load()


def context_page(browser: Browser, viewport: dict) -> Page:
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", has_touch=viewport is PHONE, accept_downloads=True
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def shown(page: Page, name: str) -> str:
    """A headline figure as the page shows it (its first number or word)."""
    return page.locator(f'dd[data-figure="{name}"]').inner_text().split()[0]


def check_headline(page: Page, region) -> fig.Figures:
    f = fig.figures(region, fig.Period.current_year())
    expect(page.locator("h1")).to_contain_text(region.name)
    assert shown(page, "raised") == str(f.raised)
    assert shown(page, "resolved") == str(f.resolved)
    assert shown(page, "meetings_held") == str(f.meetings_held)
    assert shown(page, "tasks_overdue") == str(f.tasks_overdue)
    assert shown(page, "compliance") == share(f.compliance)
    assert shown(page, "satisfaction") == as_cell(f.satisfaction)
    return f


def table_rows(page: Page, key: str) -> dict[str, list[str]]:
    rows = {}
    for row in page.locator(f'table[data-table="{key}"] tbody tr').all():
        cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
        if len(cells) > 1:
            rows[cells[0]] = cells[1:]
    return rows


AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")


def accessible(page: Page):
    """axe-core (shipped in axe_playwright_python) finds no serious or critical WCAG 2 A/AA violation here."""
    page.evaluate(
        AXE_JS.read_text(encoding="utf-8")
    )  # through the debugger: the page's CSP allows no injection
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]},
        resultTypes: ["violations"]})).violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(" "))])""")
    assert [v for v in found if v[1] in ("serious", "critical")] == [], page.url


def open_details(page: Page, key: str):
    """Open the <details> holding a table's numbers (closed by default under most charts)."""
    details = page.locator(f'details.chart-data:has(table[data-table="{key}"])')
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def test_s5_the_bureau_reads_the_city_down_to_a_community_on_a_phone(
    browser: Browser, live_server, demo, tmp_path
):
    base = live_server.url
    cangzhou, district, street, community = (
        demo.regions[n] for n in ("沧州市", "运河区", "南湖街道", "丽景社区")
    )
    page = context_page(browser, PHONE)
    login_with_password(page, base, BUREAU_PHONE)
    assert PASSWORD  # the demo's published password, as the login above typed it

    # The city's public page shows this year's figures to anyone, and a link to the full figures for staff.
    page.goto(f"{base}/r/{cangzhou.pk}/")
    public = page.locator("section.public-figures")
    expect(public).to_be_visible()
    public.locator(f'a[href="/figures/r/{cangzhou.pk}/"]').click()
    f = check_headline(page, cangzhou)
    assert f.raised > 0
    accessible(page)

    # Charts are drawn on the server; each has its numbers beside it.
    assert page.locator("svg.chart").count() >= 9
    open_details(page, "categories")
    categories = table_rows(page, "categories")
    for row in fig.by_category(cangzhou, fig.Period.current_year()):
        assert categories[row.label][0] == str(row.raised)
    open_details(page, "channels")
    channels = table_rows(page, "channels")
    assert sum(int(v[0]) for v in channels.values()) == f.raised

    # Down the tree: district, street, community, each from the sub-region table.
    for region in (district, street, community):
        page.locator(f'table.subregions a[href^="/figures/r/{region.pk}/"]').click()
        f = check_headline(page, region)
        expect(page.locator('nav.crumbs li[aria-current="page"]')).to_have_text(region.name)

    page.screenshot(path=str(tmp_path / "s5-community-phone.png"), full_page=True)
    accessible(page)
    # The community: meetings by form and platform, time per step, tasks, satisfaction, compliance.
    assert f.raised > 0 and f.resolved > 0
    open_details(page, "forms")
    forms = table_rows(page, "forms")
    assert sum(int(v[0]) for v in forms.values()) == f.meetings_held
    open_details(page, "platforms")
    assert sum(int(v[0]) for v in table_rows(page, "platforms").values()) == f.meetings_held
    steps = table_rows(page, "steps")
    assert steps and sum(int(v[0]) for v in steps.values()) == sum(p.count for p in f.steps.values())
    assert any("多种渠道提议题" in label or "Raise" in label for label in steps)
    tasks = table_rows(page, "tasks")
    assert [int(v[0]) for v in tasks.values()] == [
        f.tasks_on_time,
        f.tasks_late,
        f.tasks_overdue,
        f.tasks_not_yet_due,
    ]
    assert page.locator('[data-figure="compliance-share"]').inner_text() == share(f.compliance)
    deviations = table_rows(page, "deviations")
    assert sum(int(v[0]) for v in deviations.values()) == sum(f.deviations.values())

    # On to the community's matters.
    page.locator(f'a.button[href="/r/{community.pk}/matters/"]').click()
    expect(page).to_have_url(re.compile(rf"/r/{community.pk}/matters/$"))
    assert page.locator("ul.matters li a").count() > 0
    page.go_back()

    # The Excel workbook of every table.
    with page.expect_download() as caught:
        page.locator(f'a[href^="/figures/r/{community.pk}/figures.xlsx"]').click()
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx") and community.name in download.suggested_filename
    saved = tmp_path / "figures.xlsx"
    download.save_as(saved)
    book = load_workbook(saved)
    assert len(book.sheetnames) == 12
    place, period, _exported = (
        row[1] for row in book.active.iter_rows(min_row=2, max_row=4, values_only=True)
    )
    assert place == "河北省 › 沧州市 › 运河区 › 南湖街道 › 丽景社区"
    assert str(fig.Period.current_year().start.year) in period
    headline = list(book.active.iter_rows(min_row=7, values_only=True))
    assert headline[1][1] == f.raised  # "matters raised", the headline sheet's second figure

    # The yearly report, for printing.
    page.locator(f'a[href^="/figures/r/{community.pk}/report/"]').click()
    expect(page.locator("body.report h1")).to_contain_text(community.name)
    assert page.locator("svg.chart").count() >= 7
    accessible(page)
    page.screenshot(path=str(tmp_path / "s5-report-phone.png"), full_page=True)
    # Printed (or saved as PDF) it is A4, a handful of pages, every page's media box 210 × 297 mm.
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "s5-report.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)
    assert 2 <= pdf_pages(pdf) <= 12
    page.context.close()


def test_s5_on_a_desktop_the_bureau_sorts_the_districts_and_downloads_one_table(
    browser: Browser, live_server, demo, tmp_path
):
    base = live_server.url
    cangzhou = demo.regions["沧州市"]
    page = context_page(browser, DESKTOP)
    login_with_password(page, base, BUREAU_PHONE)
    page.goto(f"{base}/figures/r/{cangzhou.pk}/")
    check_headline(page, cangzhou)
    # Pick the current quarter through the period form.
    period = fig.Period.current_year()
    today_quarter = (fig.timezone.localdate().month - 1) // 3 + 1
    page.locator("#p-year").fill(str(period.start.year))
    page.locator("#p-quarter").select_option(str(today_quarter))
    page.locator("form.period button[type=submit]").click()
    quarter = fig.Period.quarter(period.start.year, today_quarter)
    assert page.locator(".period-label").inner_text() == quarter.label
    assert shown(page, "raised") == str(fig.figures(cangzhou, quarter).raised)

    # Sort the districts by matters raised, largest first, then the other way.
    rows = fig.subregions(cangzhou, quarter)
    page.locator('table.subregions a[data-sort="raised"]').click()
    names = page.locator("table.subregions tbody th > a").all_inner_texts()
    expected = sorted(rows, key=lambda r: (-r.raised, r.region.name))
    assert names == [r.region.name for r in expected]
    page.locator('table.subregions a[data-sort="raised"]').click()
    assert page.locator('table.subregions th[aria-sort="ascending"]').count() == 1

    # One table alone.
    open_details(page, "categories")
    with page.expect_download() as caught:
        page.locator(f'a[href^="/figures/r/{cangzhou.pk}/xlsx/categories/"]').click()
    book = load_workbook(io.BytesIO(open(caught.value.path(), "rb").read()))  # noqa: SIM115
    assert len(book.sheetnames) == 1
    accessible(page)
    page.screenshot(path=str(tmp_path / "s5-desktop.png"), full_page=True)
    page.context.close()
