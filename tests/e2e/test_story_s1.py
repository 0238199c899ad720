"""Story S1, the flooded road (运河区 丽景社区, 万泰丽景小区), walked in Chromium by the people in it.

Each person has their own browser context at a phone's size: two residents, the community secretary, and
the staff of the three units. Forms are found by where they post, so the test reads the same in either
language; what people read is checked in Chinese.
"""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests import builders
from yishi.matters.models import Matter
from yishi.people.sms import MemoryBackend
from yishi.regions.models import Level
from yishi.regions.services import create_region

pytestmark = pytest.mark.usefixtures("a11y")  # axe-core on every page visited, normal and elderly
PASSWORD = "yishi-demo-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def s1():
    t = builders.tree()
    people = {
        "secretary": builders.person("张金利", phone="13900000101", password=PASSWORD),
        "fire": builders.person("赵振华", phone="13900000011", password=PASSWORD),
        "chengguan": builders.person("孙立新", phone="13900000013", password=PASSWORD),
        "property": builders.person("吴秀云", phone="13900000014", password=PASSWORD),
        "resident": builders.person("刘桂兰", phone="13910000001"),
        "neighbour": builders.person("王建国", phone="13910000002"),
    }
    builders.role(people["secretary"], "committee", t.community, title="社区党委书记")
    units = {
        "fire": builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community]),
        "chengguan": builders.unit(
            "运河区城管", kind="urban_management", home_region=t.district, serves=[t.community]
        ),
        "property": builders.unit(
            "万泰丽景小区物业服务公司", kind="property", home_region=t.community, serves=[t.compound]
        ),
    }
    builders.role(people["fire"], "unit_staff", t.city, unit=units["fire"])
    builders.role(people["chengguan"], "unit_staff", t.district, unit=units["chengguan"])
    builders.role(people["property"], "unit_staff", t.compound, unit=units["property"])
    home = create_region(actor=None, parent=t.compound, level=Level.BUILDING, name="2号楼")
    for who, room in (("resident", "101"), ("neighbour", "102")):
        household = builders.household(home, room=room)
        people[who].memberships.create(household=household, relation="owner", is_head=True)
    return t, people


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 160)).save(out, "PNG")
    return out.getvalue()


def phone_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    context.set_default_timeout(10_000)
    return context.new_page()


def login_with_password(page: Page, base: str, phone: str):
    page.goto(f"{base}/login/")
    form = page.locator("form[action$='/login/']")
    form.locator("[name=phone]").fill(phone)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator("header .who")).to_be_visible()


def login_with_code(page: Page, base: str, phone: str):
    page.goto(f"{base}/login/")
    page.locator("form[action$='/login/code/request/'] [name=phone]").fill(phone)
    page.locator("form[action$='/login/code/request/'] button[type=submit]").click()
    code = re.search(r"\d{6}", MemoryBackend.outbox[-1].text).group(0)
    page.locator("form[action$='/login/code/'] [name=code]").fill(code)
    page.locator("form[action$='/login/code/'] button[type=submit]").click()
    expect(page.locator("header .who")).to_be_visible()


def submit(
    page: Page,
    action: str,
    fields: dict,
    *,
    selects: dict | None = None,
    choices: dict | None = None,
    radios: dict | None = None,
    checks=(),
    files=None,
):
    """Fill and send the form posting to ``action``: ``selects`` by visible label, ``choices`` and ``radios`` by
    value. A radio is chosen first: it may show the fields that belong to it (screening)."""
    form = page.locator(f"form[action$='{action}']").first
    for name, value in (radios or {}).items():
        form.locator(f"input[name={name}][value='{value}']").check()
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(str(value))
    for name, label in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(label=label)
    for name, value in (choices or {}).items():
        form.locator(f"select[name={name}]").select_option(value=value)
    for name in checks:
        form.locator(f"[name={name}]").check()
    for name, payload in (files or {}).items():
        form.locator(f"[name={name}]").set_input_files(payload)
    form.locator("button[type=submit]").click()


def test_s1_the_flooded_road_from_a_residents_report_to_the_published_result(
    browser: Browser, live_server, s1
):
    t, people = s1
    base = live_server.url
    today = timezone.localdate()

    # 1. A resident raises it online with a photo.
    resident = phone_page(browser)
    login_with_code(resident, base, "13910000001")
    resident.goto(f"{base}/m/new/?region={t.compound.pk}")
    submit(
        resident,
        "/m/new/",
        {
            "title": "小区西侧小路积水，老邻居摔伤了",
            "description": "那里一下雨就积水，昨天有个老邻居在那儿摔伤了，实在不安全。",
        },
        selects={"category": "小区环境", "region": "万泰丽景小区"},
        files={"photos": {"name": "road.png", "mimeType": "image/png", "buffer": png_bytes()}},
    )
    expect(resident.locator("h1")).to_have_text("小区西侧小路积水，老邻居摔伤了")
    matter = Matter.objects.get()
    assert matter.photos.count() == 1

    # The neighbour comes to the office; the secretary records the visit and is offered the same matter.
    secretary = phone_page(browser)
    login_with_password(secretary, base, "13900000101")
    secretary.goto(f"{base}/m/record/?region={t.compound.pk}")
    submit(
        secretary,
        "/m/record/",
        {
            "title": "西边小路下雨积水",
            "description": "居民来访：小区西边的小路一下雨就积水，有人摔伤",
            "submitter_phone": "13910000002",
        },
        selects={"category": "小区环境", "region": "万泰丽景小区"},
        choices={"channel": "visit"},
    )
    offer = secretary.locator(f"form[action$='/m/{matter.pk}/support/']")
    expect(offer).to_be_visible()
    offer.locator("button[type=submit]").click()
    expect(secretary.locator("h1")).to_have_text("小区西侧小路积水，老邻居摔伤了")
    assert Matter.objects.count() == 1
    matter.refresh_from_db()
    assert matter.supporter_count == 1

    # 2. Screening: accepted on the short path, with its reason. Each decision's fields show only once it is
    # chosen (issue 16, point 2), and that works without a script: it is CSS alone.
    screen = secretary.locator("form[action$='/screen/']")
    expect(screen.locator("[name=procedure]")).to_be_hidden()
    expect(screen.locator("[name=reason]")).to_be_hidden()
    screen.locator("input[name=decision][value=decline]").check()
    expect(screen.locator("[name=reason]")).to_be_visible()
    expect(screen.locator("[name=procedure]")).to_be_hidden()
    submit(
        secretary,
        "/screen/",
        {"stakeholders": "万泰丽景小区居民、物业公司", "procedure_reason": "小型维修，无需公约和表决"},
        radios={"decision": "accept"},
        choices={"procedure": "short_path"},
    )
    expect(secretary.locator(".steps li.current")).to_be_visible()
    matter.refresh_from_db()
    assert (matter.procedure_key, matter.step_key) == ("short_path", "consult")

    # 3–4. The consultation meeting of 10月15日, its ideas, and the plan that splits the work.
    submit(
        secretary,
        "/session/",
        {
            "title": "让居民出行安全，对低洼路段进行维修",
            "held_at": f"{today.isoformat()}T09:00",
            "place": "社区协商议事厅",
            "attendance": "18",
            "other_attendees": "社区两委、物业公司、居民代表、市消防救援支队、运河区消防救援大队、运河区城管",
            "ideas": "市消防救援支队：负责坑洼处维修\n城管：监督文明施工",
        },
    )
    due = (today + datetime.timedelta(days=30)).isoformat()
    submit(
        secretary,
        "/plan/",
        {
            "summary": "修复小区西侧低洼路段",
            "timeline": "11月15日进场施工",
            "part_1_what": "对坑洼处进行维修",
            "part_1_due_on": due,
            "part_2_what": "对辖区居民进行提示",
            "part_2_responsible": "丽景社区居委会",
            "part_3_what": "维持现场秩序",
            "part_4_what": "监督文明施工",
        },
        selects={
            "part_1_unit": "市消防救援支队",
            "part_3_unit": "万泰丽景小区物业服务公司",
            "part_4_unit": "运河区城管",
        },
    )
    submit(secretary, "/consensus/", {"minutes": "各单位各负其责，按计划推进"})
    submit(secretary, "/advance/", {})
    expect(secretary.locator(".steps li.done")).to_have_count(2)
    matter.refresh_from_db()
    assert matter.step_key == "implement"
    expect(secretary.get_by_text("小型维修，无需公约和表决").first).to_be_visible()

    # 6. Each part of the plan gets its task, starting from the part's link: the units the plan names, and
    #    telling the residents to the committee itself (the plan gives it to 丽景社区居委会).
    for part, title in (
        ("对坑洼处进行维修", "维修坑洼路面"),
        ("对辖区居民进行提示", "提示居民施工期间绕行"),
        ("维持现场秩序", "维持现场秩序"),
        ("监督文明施工", "监督文明施工"),
    ):
        secretary.locator("#assign").get_by_role("link", name=part).click()
        expect(secretary.locator("#assign select[name=part] option[selected]")).to_contain_text(part)
        submit(secretary, "/works/", {"title": title, "due_on": due})
        expect(secretary.locator(".messages")).to_be_visible()
    expect(secretary.locator("#assign a[href*='?part=']")).to_have_count(0)
    assert matter.works.count() == 4
    assert [(w.title, w.unit.name if w.unit else "两委") for w in matter.works.order_by("pk")] == [
        ("维修坑洼路面", "市消防救援支队"),
        ("提示居民施工期间绕行", "两委"),
        ("维持现场秩序", "万泰丽景小区物业服务公司"),
        ("监督文明施工", "运河区城管"),
    ]
    told = matter.works.get(to_committee=True)
    submit(secretary, f"/works/{told.pk}/report/", {"text": "已在楼栋张贴施工提示"}, checks=["done"])
    expect(secretary.locator(".messages")).to_be_visible()

    for who, task in (("fire", "维修坑洼路面"), ("property", "维持现场秩序"), ("chengguan", "监督文明施工")):
        unit_page = phone_page(browser)
        login_with_password(unit_page, base, people[who].phone)
        unit_page.goto(f"{base}/work/")
        unit_page.get_by_role("link", name=task).click()
        work = matter.works.get(title=task)
        submit(
            unit_page,
            f"/works/{work.pk}/report/",
            {"text": "4处破损路面已维修" if who == "fire" else "已完成"},
            checks=["done"],
            files={"photo": {"name": "done.png", "mimeType": "image/png", "buffer": png_bytes()}},
        )
        expect(unit_page.locator(".messages")).to_be_visible()
        unit_page.context.close()

    # The resident who raised it confirms each task and rates it.
    resident.goto(f"{base}/work/")
    for work in matter.works.order_by("pk"):
        resident.goto(f"{base}/m/{matter.pk}/")
        form = resident.locator(f"form[action$='/works/{work.pk}/supervise/']")
        form.locator("input[name=verdict][value=confirm]").check()
        form.locator("select[name=rating]").select_option("5")
        form.locator("button[type=submit]").click()
    assert matter.works.filter(status="confirmed").count() == 4

    # 7. The result is posted on the community's board and the matter is closed.
    secretary.goto(f"{base}/m/{matter.pk}/")
    submit(secretary, "/advance/", {})
    # The step posts the result, after the work is confirmed: the only kind the form offers (issue 13, point 3).
    kinds = secretary.locator("form[action$='/publish/'] select[name=kind] option")
    expect(kinds).to_have_count(1)
    expect(kinds).to_have_attribute("value", "result")
    submit(
        secretary,
        "/publish/",
        {"title": "小区西侧小路维修完成", "body": "11月15日，4处破损路面已维修完毕。感谢各单位。"},
    )
    submit(secretary, "/advance/", {})
    matter.refresh_from_db()
    assert matter.status == "resolved"
    expect(secretary.locator(".badge.status-resolved")).to_be_visible()

    anonymous = phone_page(browser)
    anonymous.goto(f"{base}/r/{t.community.pk}/")
    expect(anonymous.get_by_text("小区西侧小路维修完成")).to_be_visible()
    anonymous.goto(f"{base}/m/{matter.pk}/")
    expect(anonymous.get_by_text("小型维修，无需公约和表决").first).to_be_visible()
