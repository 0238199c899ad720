"""Issue 13 in the browser at a phone's width: a resident withdraws her own matter alone while it is new and is
told why she cannot once it is accepted (point 5), and stops hearing of its steps (point 8); a stranger reads her name masked (point 9); a secretary of
another community who sends a write by hand is refused, and the bureau finds the attempt in its security log
from its home (point 12)."""

import pytest
from playwright.sync_api import Browser, expect

from tests import builders
from tests.e2e.test_decisions import PASSWORD, login
from tests.e2e.test_story_s1 import phone_page, submit
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.matters.models import Status

pytestmark = pytest.mark.usefixtures("a11y")  # axe-core on every page visited, normal and elderly


def with_password(person):
    person.set_password(PASSWORD)
    person.save(update_fields=["password"])
    return person


def test_a_resident_withdraws_alone_until_acceptance_and_strangers_read_her_name_masked(
    browser: Browser, live_server, place
):
    base = live_server.url
    resident = with_password(place.resident)  # 刘桂兰
    new = flows.raise_flood(place)
    lights = matters.raise_matter(
        actor=resident,
        region=place.tree.compound,
        category=place.category,
        title="3号楼楼道灯坏了",
        description="晚上楼道里一片黑，老人上下楼很不安全。",
    )
    accepted = matters.accept(actor=place.secretary, matter=lights, procedure_key="eight_steps")

    page = phone_page(browser)
    login(page, base, resident)
    page.goto(f"{base}/m/{new.pk}/")
    expect(page.get_by_role("heading", name="撤回议题")).to_be_visible()
    submit(page, f"/m/{new.pk}/withdraw/", {"reason": "物业已经来疏通了"})
    expect(page.get_by_text("议题已撤回。").first).to_be_visible()
    new.refresh_from_db()
    assert new.status == Status.WITHDRAWN

    # Accepted: no form for her, and the reason in the words the service would refuse with.
    page.goto(f"{base}/m/{accepted.pk}/")
    expect(page.locator(f"form[action$='/m/{accepted.pk}/withdraw/']")).to_have_count(0)
    expect(
        page.get_by_text("议题已受理：现在只有社区两委可以决定撤回，并须公开说明理由。").first
    ).to_be_visible()

    # She follows it still, and may stop hearing of its steps (point 8).
    page.goto(f"{base}/notifications/")
    follows = page.locator("section[aria-labelledby=follow-h] li").filter(has_text=accepted.title)
    follows.get_by_role("button", name="不再提醒").click()
    expect(page.get_by_text("今后不再发送这个议题的进展消息；议题页面上仍可查看。")).to_be_visible()
    expect(page.locator("section[aria-labelledby=follow-h]")).to_contain_text("已不再提醒")

    stranger = phone_page(browser)
    stranger.goto(f"{base}/m/{accepted.pk}/")
    expect(stranger.get_by_text("刘**").first).to_be_visible()
    assert "刘桂兰" not in stranger.content()
    stranger.goto(f"{base}/m/{new.pk}/")
    assert "刘桂兰" not in stranger.content()


def test_a_write_sent_by_hand_from_another_community_is_refused_and_the_bureau_reads_it(
    browser: Browser, live_server, place
):
    base = live_server.url
    accepted = matters.accept(
        actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps"
    )
    intruder = with_password(place.other_secretary)  # 艾丽丽, committee of the community next door
    director = builders.person("民政局 周主任", password=PASSWORD)
    builders.role(director, "bureau", place.tree.city)

    page = phone_page(browser)
    login(page, base, intruder)
    page.goto(f"{base}/m/{accepted.pk}/")
    expect(page.locator("form[action$='/withdraw/']")).to_have_count(0)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        f"{base}/m/{accepted.pk}/withdraw/",
        form={"reason": "替他们撤了", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/m/{accepted.pk}/"},
    )
    assert answer.status == 403
    accepted.refresh_from_db()
    assert accepted.status == Status.OPEN

    bureau = phone_page(browser)
    login(bureau, base, director)
    bureau.goto(f"{base}/work/")
    bureau.get_by_role("link", name="安全日志").click()
    expect(bureau.get_by_role("heading", name="安全日志")).to_be_visible()
    row = bureau.locator("tbody tr").filter(has_text="艾丽丽")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(place.tree.compound.name)  # where the matter is
