"""The accessibility audit itself (a11y.py): it checks every page in both modes and names what fails."""

import pytest
from playwright.sync_api import Browser

from tests.e2e.a11y import Audit, page_key

BAD_PAGE = """<!doctype html><html lang="zh-hans"><head><title>坏页面</title></head><body><main>
<h1>坏页面</h1><img src="/static/none.png" class="no-alt"><p style="color:#ccc;background:#fff">看不清的字</p>
<a href="/login/">去登录</a></main></body></html>"""


def audited_page(browser: Browser, audit: Audit):
    context = audit.watch(browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN"))
    context.set_default_timeout(10_000)
    return context.new_page()


def test_page_keys_name_a_route_not_a_record():
    assert page_key("http://x/m/12/works/3/report/?a=1") == "/m/#/works/#/report/"
    assert page_key("http://x/votes/7/") == page_key("http://x/votes/8/")
    assert page_key("http://x/r/5/board/") != page_key("http://x/r/5/")


def test_a_page_left_at_once_is_still_checked_in_both_modes(browser: Browser, live_server, transactional_db):
    audit = Audit(new_context=browser.new_context)
    page = audited_page(browser, audit)
    page.goto(f"{live_server.url}/login/")
    page.goto(
        f"{live_server.url}/"
    )  # straight on: the login page's check holds this navigation until it reports
    audit.finish()
    assert not audit.errors
    assert audit.checked.get("/login/") == {"normal", "elderly"}
    assert audit.checked.get("/") == {"normal", "elderly"}
    assert not audit.findings


def test_a_violation_fails_the_test_naming_page_rule_and_element(
    browser: Browser, live_server, transactional_db
):
    audit = Audit(new_context=browser.new_context)
    page = audited_page(browser, audit)
    bad = f"{live_server.url}/bad/"
    page.route(
        bad, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=BAD_PAGE)
    )
    page.goto(bad)
    page.get_by_role("link", name="去登录").click()
    page.wait_for_url("**/login/")
    with pytest.raises(AssertionError) as failed:
        audit.finish()
    message = str(failed.value)
    assert f"{bad} [normal] image-alt" in message and 'class="no-alt"' in message
    assert f"{bad} [normal] color-contrast" in message and "看不清的字" in message
    assert "/login/" not in message.replace('href="/login/"', "")  # the site's own page passes


def test_a_page_whose_check_is_cut_short_is_checked_beside_the_test(
    browser: Browser, live_server, transactional_db
):
    audit = Audit(new_context=browser.new_context)
    page = audited_page(browser, audit)
    page.goto(f"{live_server.url}/login/")
    audit._wait(page)  # the login page's own report has come
    audit._pending[page] = f"{live_server.url}/"  # as if that page had loaded and its report never came
    audit._wait(page, seconds=0.05)
    audit.finish()
    assert not audit.errors and not audit.findings
    assert audit.checked.get("/") == {"normal", "elderly"}
