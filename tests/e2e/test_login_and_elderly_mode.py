import re

from playwright.sync_api import Page, expect

from tests import builders


def test_staff_member_logs_in_and_switches_to_elderly_mode(page: Page, live_server, transactional_db):
    t = builders.tree()
    secretary = builders.person("张金利", phone="13900000101", password="yishi-demo-2026")
    builders.role(secretary, "committee", t.community, title="社区党委书记")

    page.goto(f"{live_server.url}/r/{t.community.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("丽景社区")
    page.get_by_role("link", name="登录").click()

    password_form = page.locator("form[action$='/login/']")
    password_form.get_by_label("手机号").fill("139 0000 0101")
    password_form.get_by_label("密码").fill("yishi-demo-2026")
    password_form.get_by_role("button", name="登录").click()

    expect(page.get_by_text("张金利")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/r/{t.community.pk}/$"))

    def font_size(selector):
        return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)")

    standard_heading, standard_text = font_size("h1"), font_size("main p")
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("body")).to_have_class(re.compile("elderly"))
    assert font_size("h1") >= standard_heading * 1.3, "elderly mode enlarges headings"
    assert font_size("main p") >= max(20, standard_text * 1.3), (
        "elderly mode enlarges body text to 20px or more"
    )
    contrast = page.evaluate("getComputedStyle(document.body).color")
    assert contrast == "rgb(0, 0, 0)", "elderly mode uses black text for contrast"

    # It holds on the next page too, and can be switched back.
    page.get_by_role("link", name="水月寺街道").click()
    expect(page.locator("body")).to_have_class(re.compile("elderly"))
    page.get_by_role("button", name="标准字号").click()
    expect(page.locator("body")).not_to_have_class(re.compile("elderly"))


def test_wrong_password_shows_a_clear_message(page: Page, live_server, transactional_db):
    builders.person("孙丽", phone="13900000201", password="yishi-demo-2026")
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form[action$='/login/']")
    form.get_by_label("手机号").fill("13900000201")
    form.get_by_label("密码").fill("wrong-password")
    form.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("手机号或密码不正确")
