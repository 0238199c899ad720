"""Story S3, the rubbish heap (运河区 朝东社区, 戒毒所小区), walked in Chromium by the people in it.

A complaint raised for years becomes one matter with many supporters: one resident raises it online with a photo,
a second raises it again (a duplicate the secretary merges into the first), a third adds her name on the page,
and a fourth, who came to the office, is added by the secretary. After a consultation, a plan in three parts with
three units (clear the rubbish, harden the ground, install fitness equipment) is reviewed by the legal expert and
passed by the representatives with exactly two thirds in favour. Each unit's staff report from their phone with a
photo; the residents confirm every task; the result is posted on the community's board and rated.

Each person has their own browser context at a phone's size. Every step is photographed; the photos are kept
in var/test-results/<test>/ when the story fails. Every page is checked with axe-core (the ``a11y`` fixture).
"""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests import builders
from tests.e2e.test_story_s1 import PASSWORD, login_with_code, login_with_password, phone_page, submit
from tests.e2e.test_story_s2 import expect_step, send
from yishi.matters.models import Matter
from yishi.notices.models import Notice
from yishi.regions.models import Level
from yishi.regions.services import create_region
from yishi.votes.models import Vote
from yishi.works.models import Satisfaction

pytestmark = pytest.mark.usefixtures("a11y")

TITLE = "戒毒所小区东侧空地垃圾堆积多年，蚊蝇滋生"
TASKS = [  # (who reports, task, unit, what the unit reports)
    ("chengguan", "清运空地陈年垃圾", "运河区城管", "垃圾已全部清运，共清运12车。"),
    ("builder", "空地硬化", "沧州市政建设有限公司", "空地已硬化，面积约300平方米。"),
    ("sports", "安装健身器材", "运河区文化广电体育和旅游局", "已安装健身器材8件，经验收合格。"),
]
REPRESENTATIVES = [
    ("韩淑珍", "13900000331", "yes"),
    ("马国庆", "13900000332", "yes"),
    ("邓玉兰", "13900000333", "no"),
]


@pytest.fixture
def s3():
    t = builders.tree()
    community, compound = t.sibling, t.sibling_compound  # 朝东社区, 戒毒所小区
    p = builders.person
    people = {
        "secretary": p("艾丽丽", phone="13900000301", password=PASSWORD),
        "expert": p("周正", phone="13900000241", password=PASSWORD),
        "chengguan": p("孙立新", phone="13900000013", password=PASSWORD),
        "builder": p("高建军", phone="13900000015", password=PASSWORD),
        "sports": p("程晓燕", phone="13900000016", password=PASSWORD),
        "residents": [
            p(name, phone=phone)
            for name, phone in (
                ("刘秀芝", "13910000301"),
                ("张德胜", "13910000302"),
                ("王凤英", "13910000303"),
                ("李长海", "13910000304"),
            )
        ],
        "reps": [p(name, phone=phone, password=PASSWORD) for name, phone, _ in REPRESENTATIVES],
    }
    builders.role(people["secretary"], "committee", community, title="社区党委书记")
    builders.role(people["expert"], "expert", t.district, expertise="legal")
    for rep in people["reps"]:
        builders.role(rep, "representative", community)
    units = {
        "chengguan": builders.unit(
            "运河区城管", kind="urban_management", home_region=t.district, serves=[community]
        ),
        "builder": builders.unit(
            "沧州市政建设有限公司", kind="contractor", home_region=t.district, serves=[compound]
        ),
        "sports": builders.unit(
            "运河区文化广电体育和旅游局", kind="government", home_region=t.district, serves=[community]
        ),
    }
    for who in units:
        builders.role(people[who], "unit_staff", t.district, unit=units[who])
    building = create_region(actor=None, parent=compound, level=Level.BUILDING, name="3号楼")
    for n, resident in enumerate(people["residents"], start=1):
        household = builders.household(building, room=f"10{n}")
        resident.memberships.create(household=household, relation="owner", is_head=True)
    return community, compound, people


def phone_photo(colour=(120, 110, 90)) -> dict:
    """A photo as a phone sends it: a JPEG named by the camera."""
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, "JPEG", quality=80)
    stamp = timezone.now().strftime("%Y%m%d_%H%M%S")
    return {"name": f"IMG_{stamp}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_s3_the_rubbish_heap_from_many_complaints_to_a_rated_result(browser: Browser, live_server, s3, film):
    community, compound, people = s3
    base = live_server.url
    today = timezone.localdate()
    first, second, third, fourth = people["residents"]
    pages: dict[str, Page] = {}

    def person(key: str, phone: str, *, code=False) -> Page:
        page = pages[key] = phone_page(browser)
        (login_with_code if code else login_with_password)(page, base, phone)
        film.shot(page, key, "logged-in")
        return page

    # 1. The first resident raises it online with a photo from her phone.
    resident = person("resident1", first.phone, code=True)
    resident.goto(f"{base}/r/{compound.pk}/")
    resident.locator("a.button[href*='/m/new/']").first.click()
    submit(
        resident,
        "/m/new/",
        {
            "title": TITLE,
            "description": "小区东侧空地的垃圾堆了好几年，夏天臭气熏天、蚊蝇滋生，反映过很多次了。",
            "location": "3号楼东侧空地",
        },
        selects={"category": "小区环境", "region": "戒毒所小区"},
        files={"photos": phone_photo()},
    )
    expect(resident.locator("h1")).to_have_text(TITLE)
    film.shot(resident, "resident1", "raised-with-photo")
    matter = Matter.objects.get()

    # A neighbour raises the same complaint again, as its own matter.
    neighbour = person("resident2", second.phone, code=True)
    neighbour.goto(f"{base}/m/new/?region={compound.pk}")
    submit(
        neighbour,
        "/m/new/",
        {"title": "空地垃圾堆没人管", "description": "东边空地的垃圾又堆起来了，希望社区管一管。"},
        selects={"category": "小区环境", "region": "戒毒所小区"},
    )
    # The first matter is offered as one that reads alike; he sends his own all the same.
    expect(neighbour.locator("section[aria-labelledby=similar-h]")).to_contain_text(TITLE)
    film.shot(neighbour, "resident2", "offered-the-same-matter")
    neighbour.locator("form[action$='/m/new/'] button[type=submit]").click()
    expect(neighbour.locator("h1")).to_have_text("空地垃圾堆没人管")
    film.shot(neighbour, "resident2", "raised-again")
    duplicate = Matter.objects.exclude(pk=matter.pk).get()

    # A third reads the first matter and adds her name (附议).
    supporter = person("resident3", third.phone, code=True)
    supporter.goto(f"{base}/r/{compound.pk}/matters/")
    supporter.get_by_role("link", name=TITLE).click()
    supporter.locator(f"form[action$='/m/{matter.pk}/support/'] button[type=submit]").click()
    expect(supporter.locator(".messages")).to_be_visible()
    film.shot(supporter, "resident3", "supported")

    # 2. The secretary merges the duplicate into the first matter, adds the resident who came to the office, and
    # screens the matter onto the eight steps.
    secretary = person("secretary", people["secretary"].phone)
    secretary.goto(f"{base}/m/{duplicate.pk}/")
    send(secretary, f"/m/{duplicate.pk}/merge/", {"into": matter.pk, "reason": "同一处空地的垃圾问题"})
    film.shot(secretary, "secretary", "merged-duplicate")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", matter.pk)
    secretary.goto(f"{base}/m/{matter.pk}/")
    record = secretary.locator(f"form[action$='/m/{matter.pk}/support/']:has([name=phone])")
    record.locator("[name=phone]").fill(fourth.phone)
    record.locator("button[type=submit]").click()
    expect(secretary.locator(".messages")).to_be_visible()
    film.shot(secretary, "secretary", "recorded-visitor-support")
    matter.refresh_from_db()
    assert matter.supporter_count == 3
    expect(secretary.get_by_text("3位居民附议")).to_be_visible()
    send(
        secretary,
        "/screen/",
        {"stakeholders": "戒毒所小区全体居民、运河区城管、施工单位、体育部门"},
        radios={"decision": "accept"},
        choices={"procedure": "eight_steps"},
    )
    expect_step(secretary, "多方恳谈出主意")
    film.shot(secretary, "secretary", "screened")

    # 3–4. The consultation, the plan in three parts with three units, and the consensus.
    send(
        secretary,
        "/session/",
        {
            "title": "戒毒所小区空地垃圾治理恳谈会",
            "held_at": f"{today.isoformat()}T15:00",
            "place": "朝东社区党群议事厅",
            "attendance": "16",
            "other_attendees": "社区两委、居民代表、运河区城管、沧州市政建设有限公司、运河区文化广电体育和旅游局",
            "ideas": "刘秀芝：先把垃圾清走\n张德胜：地面硬化，免得再堆垃圾\n王凤英：装些健身器材，老人孩子都能用",
        },
    )
    film.shot(secretary, "secretary", "consultation-recorded")
    send(secretary, "/advance/")
    expect_step(secretary, "议事组织拟方案")
    due = (today + datetime.timedelta(days=45)).isoformat()
    fields = {
        "summary": "清理空地垃圾，硬化地面，安装健身器材，变垃圾堆为居民健身场地。",
        "budget": "86000",
        "timeline": "一个半月内完成",
        "beneficiaries": "戒毒所小区全体居民",
    }
    for i, (_who, task, _unit, _text) in enumerate(TASKS, start=1):
        fields.update({f"part_{i}_what": task, f"part_{i}_due_on": due})
    submit(
        secretary,
        "/plan/",
        fields,
        selects={f"part_{i}_unit": unit for i, (_, _, unit, _) in enumerate(TASKS, 1)},
    )
    expect(secretary.locator("#plan-h")).to_be_visible()
    film.shot(secretary, "secretary", "plan-drafted")
    parts = list(matter.plan_versions.get().parts.order_by("pk").values_list("what", "unit__name"))
    assert parts == [(task, unit) for _who, task, unit, _text in TASKS]
    send(secretary, "/advance/")
    send(
        secretary,
        "/consensus/",
        {"minutes": "与会各方同意方案：清运垃圾、地面硬化、安装健身器材，三个单位各负其责。"},
    )
    send(secretary, "/advance/")
    expect_step(secretary, "专家审查定公约")
    film.shot(secretary, "secretary", "consensus")

    # 5. The legal expert reviews and approves the plan.
    expert = person("expert", people["expert"].phone)
    expert.goto(f"{base}/m/{matter.pk}/")
    send(
        expert,
        "/review/",
        {"opinion": "方案合法可行，施工期间须注意安全并做好公示。"},
        radios={"decision": "approve"},
    )
    expect(expert.locator(".review")).to_contain_text("周正")
    film.shot(expert, "expert", "reviewed")
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(secretary, "/advance/")
    expect_step(secretary, "居民表决说了算")

    # 6. The representatives' vote: two of the three in favour, exactly two thirds, passes.
    secretary.locator(f"a.button[href*='/votes/new/?matter={matter.pk}']").click()
    send(secretary, "/votes/new/")
    vote = Vote.objects.get(matter=matter)
    send(secretary, f"/votes/{vote.pk}/open/")
    film.shot(secretary, "secretary", "vote-opened")
    for n, (_name, phone, choice) in enumerate(REPRESENTATIVES, start=1):
        rep = person(f"rep{n}", phone)
        rep.goto(f"{base}/votes/{vote.pk}/")
        rep.locator(f"a.button[href*='/votes/{vote.pk}/ballot/']").click()
        rep.locator(f"input[name=option][value={choice}]").check()
        rep.locator(f"form[action$='/votes/{vote.pk}/ballot/'] button[type=submit]").click()
        rep.locator(f"form[action$='/votes/{vote.pk}/ballot/'] button[type=submit]").click()
        expect(rep.locator(".receipt .code")).to_have_text(re.compile(r"\w{4}-\w{4}-\w{4}"))
        film.shot(rep, f"rep{n}", "voted")
        rep.context.close()
    secretary.goto(f"{base}/votes/{vote.pk}/run/")
    send(secretary, f"/votes/{vote.pk}/close/")
    film.shot(secretary, "secretary", "vote-closed")
    vote.refresh_from_db()
    assert vote.status == "closed" and vote.passed
    assert vote.result["counts"]["yes"] == 2 and vote.result["counts"]["no"] == 1
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(secretary, "/advance/")
    expect_step(secretary, "两委督促抓落实")
    film.shot(secretary, "secretary", "vote-step-done")

    # 7. Three tasks for three units; each unit's staff report from their phone, with a photo.
    for _who, task, unit, _text in TASKS:
        secretary.locator("#assign").get_by_role(
            "link", name=task
        ).click()  # the part of the plan it carries out
        submit(secretary, "/works/", {"title": task, "due_on": due}, selects={"unit": unit})
        expect(secretary.locator(".messages")).to_be_visible()
    film.shot(secretary, "secretary", "tasks-assigned")
    assert list(matter.works.order_by("pk").values_list("unit__name", flat=True)) == [
        u for _, _, u, _ in TASKS
    ]
    for n, (who, task, _unit, text) in enumerate(TASKS):
        staff = person(who, people[who].phone)
        staff.goto(f"{base}/work/")
        staff.get_by_role("link", name=task).click()
        work = matter.works.get(title=task)
        submit(
            staff,
            f"/works/{work.pk}/report/",
            {"text": text},
            checks=["done"],
            files={"photo": phone_photo((100 + 40 * n, 120, 90))},
        )
        expect(staff.locator(".messages")).to_be_visible()
        film.shot(staff, who, "reported-with-photo")
        staff.context.close()
    assert matter.works.filter(status="done").count() == 3
    assert all(w.reports.get().photo for w in matter.works.all())

    # The residents who raised and supported it (谁受益谁监督) confirm the tasks, one each: a task stays confirmed.
    checkers = (("resident1", resident), ("resident2", neighbour), ("resident3", supporter))
    for (key, page), work in zip(checkers, matter.works.order_by("pk"), strict=True):
        page.goto(f"{base}/m/{matter.pk}/")
        form = page.locator(f"form[action$='/works/{work.pk}/supervise/']")
        form.locator("input[name=verdict][value=confirm]").check()
        form.locator("select[name=rating]").select_option("5")
        form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()
        film.shot(page, key, f"confirmed-{work.pk}")
    assert matter.works.filter(status="confirmed").count() == 3

    # 8. The result is posted on the board; the residents rate it; the matter is resolved.
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(secretary, "/advance/")
    notice_title = "戒毒所小区空地垃圾治理完成"
    send(
        secretary,
        "/publish/",
        {
            "title": notice_title,
            "body": "空地陈年垃圾已清运，地面已硬化，健身器材已安装，欢迎居民使用和监督。",
        },
    )
    film.shot(secretary, "secretary", "result-posted")
    for key, page, stars in (("resident1", resident, "5"), ("resident3", supporter, "4")):
        page.goto(f"{base}/m/{matter.pk}/")
        rate = page.locator(f"form[action$='/m/{matter.pk}/rate/']")
        rate.locator(f"input[name=rating][value='{stars}']").check()
        rate.locator("[name=comment]").fill("终于不用闻臭味了，还能在家门口锻炼。")
        rate.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()
        film.shot(page, key, "rated")
    assert sorted(Satisfaction.objects.filter(matter=matter).values_list("rating", flat=True)) == [4, 5]
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(secretary, "/advance/")
    matter.refresh_from_db()
    assert matter.status == "resolved"
    expect(secretary.locator(".badge.status-resolved")).to_be_visible()
    film.shot(secretary, "secretary", "resolved")

    # Anyone reads the result on the community's board, and the matter's whole course.
    anonymous = pages["anonymous"] = phone_page(browser)
    anonymous.goto(f"{base}/r/{community.pk}/board/")
    anonymous.get_by_role("link", name=notice_title).click()
    expect(anonymous.locator("main")).to_contain_text("健身器材已安装")
    film.shot(anonymous, "anonymous", "board-notice")
    notice = Notice.objects.get(title=notice_title)
    assert notice.matter_id == matter.pk and notice.kind == "result"
    anonymous.goto(f"{base}/m/{matter.pk}/")
    for _who, task, _unit, _text in TASKS:
        expect(anonymous.locator("section[aria-labelledby=works-h]")).to_contain_text(task)
    expect(anonymous.locator(".steps li.done")).to_have_count(8)
    film.shot(anonymous, "anonymous", "matter-resolved")
