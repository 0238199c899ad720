"""Decisions that cannot be typed around, in the browser at a phone's width (issue 13): the committee records
a vote counted elsewhere by the body as seated, reads the result in the statute's words, and puts the plan
voted down to the vote again with a public reason; a resident a household roster names confirms it at home."""

import io

import openpyxl
import pytest
from playwright.sync_api import Browser, expect

from tests import builders
from tests.e2e.test_story_s1 import phone_page, submit
from tests.procedures import flows
from tests.votes.conftest import representatives
from yishi.matters import services as matters
from yishi.people.models import Membership
from yishi.plans.models import Resubmission
from yishi.regions.household_import import import_households

pytestmark = pytest.mark.usefixtures("a11y")  # axe-core on every page visited, normal and elderly

PASSWORD = "pw-12345678x"  # the place fixture's staff password


def login(page, base, person, password=PASSWORD):
    page.goto(f"{base}/login/")
    form = page.locator("form[action$='/login/']")
    form.locator("[name=phone]").fill(person.phone)
    form.locator("[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page.locator("header .who")).to_be_visible()


def test_a_vote_is_recorded_by_the_seated_body_and_the_plan_put_again_with_a_reason(
    browser: Browser, live_server, place
):
    representatives(place.tree.community, 30)
    m = matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps")
    flows.to_review(place, m)
    flows.approve(place, m)
    base = live_server.url

    page = phone_page(browser)
    login(page, base, place.secretary)
    page.goto(f"{base}/m/{m.pk}/")
    expect(page.get_by_text("不填则按今天在册的成员计：30人")).to_be_visible()
    submit(page, f"/m/{m.pk}/vote/", {"present": 25, "in_favour": 19, "against": 6, "abstain": 0})
    expect(
        page.get_by_text("应到30人，实到25人，赞成19人；须全体代表三分之二以上即20人赞成：未通过").first
    ).to_be_visible()

    # Back at drafting: the same plan goes again only with a reason, which everyone reads.
    submit(page, f"/m/{m.pk}/plan/again/", {"reason": "表决当天多名代表外出，居民要求再议"})
    expect(page.get_by_text("表决当天多名代表外出，居民要求再议").first).to_be_visible()
    assert Resubmission.objects.filter(matter=m).count() == 1


def test_a_resident_a_roster_names_confirms_their_household_at_home(browser: Browser, live_server, place):
    me = builders.person("陈玉梅", password=PASSWORD)
    workbook = openpyxl.Workbook()
    for row in (
        ["楼栋", "单元", "房号", "户号", "居住状态", "建筑面积", "户主姓名", "户主手机"],
        ["1号楼", "1", "101", None, "常住", 80, "陈玉梅", me.phone],
    ):
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    import_households(actor=place.secretary, compound=place.tree.compound, file=data)
    assert not Membership.objects.filter(person=me).exists()  # asked, not linked

    page = phone_page(browser)
    login(page, live_server.url, me)
    page.goto(f"{live_server.url}/work/")
    expect(page.get_by_role("heading", name="这是您家吗？")).to_be_visible()
    page.get_by_role("button", name="是，这是我家").click()
    expect(page.get_by_text("已确认：您已登记为").first).to_be_visible()
    assert Membership.objects.get(person=me).is_head
