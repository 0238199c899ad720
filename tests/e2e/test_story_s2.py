"""Story S2, the gardening team (新华区 三角线社区, 建材城小区, no property company), walked in Chromium.

20 households stand in for the 200 (18 occupied, 2 vacant) and 6 representatives for the 30; the three
teams' prices are a tenth of the real ones, so that what half the households pay still leaves a surplus over
the chosen team's price. Everyone has their own browser context at a phone's size: the resident who raises it,
the secretary 孙丽 and a second committee member, an owners' committee member, the legal expert, three
representatives who vote online, and an anonymous visitor. Forms are found by where they post and fields by
their name or value, so the test reads the same in either language; what people read is checked in Chinese.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests import builders
from tests.e2e.test_story_s1 import PASSWORD, login_with_code, login_with_password, phone_page
from yishi.funds.models import Charge, ChargeRule, FundEntry, Payment
from yishi.matters.models import Matter
from yishi.regions.models import Level
from yishi.regions.services import create_region
from yishi.surveys.models import Response, Survey
from yishi.votes.models import Ballot, Participation, TallyEntry, Vote

pytestmark = pytest.mark.usefixtures("a11y")  # axe-core on every page visited, normal and elderly
TEAMS = [  # a tenth of the real offers (12,800 / 9,600 / 16,800 yuan a year)
    ("沧州绿源园林绿化队", "1280", "每周养护2次：施肥、浇灌、修剪，及时补植枯死树木，清除杂草。"),
    ("青禾绿化服务队", "960", "每周养护1次：浇灌、修剪、除草；补植树木另行收费。"),
    ("四季园艺养护队", "1680", "每周养护3次：施肥、浇灌、修剪、补植，含病虫害防治。"),
]
REPRESENTATIVES = [
    ("赵红梅", "13900000231"),
    ("钱建军", "13900000232"),
    ("孙秀英", "13900000233"),
    ("李国华", "13900000234"),
    ("周淑兰", "13900000235"),
    ("吴振国", "13900000236"),
]


@pytest.fixture
def s2():
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    district = create_region(actor=None, parent=city, level=Level.DISTRICT, name="新华区", code="130902")
    street = create_region(
        actor=None, parent=district, level=Level.STREET, name="建设北街街道", code="130902001"
    )
    community = create_region(
        actor=None, parent=street, level=Level.COMMUNITY, name="三角线社区", code="130902001001"
    )
    compound = create_region(actor=None, parent=community, level=Level.COMPOUND, name="建材城小区")
    buildings = [
        create_region(actor=None, parent=compound, level=Level.BUILDING, name=f"{n}号楼") for n in (1, 2)
    ]
    households = {}
    for b, building in enumerate(buildings, start=1):
        for room in range(101, 111):
            households[f"{b}-{room}"] = builders.household(
                building, room=str(room), unit="1", occupancy="vacant" if room == 110 else "occupied"
            )

    p = builders.person
    people = {
        "secretary": p("孙丽", phone="13900000201", password=PASSWORD),
        "director": p("刘卫东", phone="13900000202", password=PASSWORD),
        "owners": p("王建华", phone="13900000211", password=PASSWORD),
        "owners2": p("李淑珍", phone="13900000212"),
        "heads": [
            p(name, phone=phone)
            for name, phone in (
                ("张桂芝", "13900000221"),
                ("陈国强", "13900000222"),
                ("杨秀兰", "13900000223"),
            )
        ],
        "reps": [p(name, phone=phone, password=PASSWORD) for name, phone in REPRESENTATIVES],
        "expert": p("周正", phone="13900000241", password=PASSWORD),
        "resident": p("马桂兰", phone="13910000201"),
    }
    builders.role(people["secretary"], "committee", community, title="社区党委书记")
    builders.role(people["director"], "committee", community, title="社区居委会主任")
    for who in ("owners", "owners2"):
        builders.role(people[who], "owners_committee", compound, title="业委会委员")
    for head, building in zip(people["heads"], [*buildings, buildings[0]], strict=True):
        builders.role(head, "building_head", building, title="单元长")
    for rep in people["reps"]:
        builders.role(rep, "representative", community)
    builders.role(people["expert"], "expert", district, expertise="legal")
    people["resident"].memberships.create(household=households["1-101"], relation="owner", is_head=True)
    team = builders.unit(TEAMS[0][0], kind="contractor", home_region=district, serves=[compound])
    places = {"community": community, "compound": compound, "buildings": buildings}
    return places, households, people, team


def send(
    page: Page,
    action: str,
    fields: dict | None = None,
    *,
    choices: dict | None = None,
    selects: dict | None = None,
    radios: dict | None = None,
):
    """Fill and send the form posting to ``action``: ``choices``/``radios`` by value, ``selects`` by label."""
    form = page.locator(f"form[action$='{action}']").first
    # A choice first: it may show the fields that belong to it (screening).
    for name, value in (radios or {}).items():
        form.locator(f"input[name={name}][value='{value}']").check()
    for name, value in (fields or {}).items():
        form.locator(f"[name={name}]").fill(str(value))
    for name, value in (choices or {}).items():
        form.locator(f"select[name={name}]").select_option(value=str(value))
    for name, label in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(label=label)
    form.locator("button[type=submit]").click()


def tick(form, question: str, choice: str):
    """Tick ``choice`` under the question whose legend contains ``question`` (choices repeat across questions)."""
    form.locator("fieldset", has_text=question).get_by_label(choice, exact=True).check()


def expect_step(page: Page, label: str):
    expect(page.locator(".steps li.current strong")).to_contain_text(label)


def test_s2_the_gardening_team_from_a_survey_to_the_published_fund(browser: Browser, live_server, s2):
    places, households, people, team = s2
    community, compound = places["community"], places["compound"]
    base = live_server.url
    today = timezone.localdate()

    # 1. A resident asks for a professional team to keep the green belt.
    resident = phone_page(browser)
    login_with_code(resident, base, "13910000201")
    resident.goto(f"{base}/m/new/?region={compound.pk}")
    title = "请专业绿化队管护小区绿化带"
    send(
        resident,
        "/m/new/",
        {"title": title, "description": "小区200米绿化带没人管护，志愿者打理不专业，有人圈地种菜、养鸡鸭。"},
        selects={"category": "小区环境", "region": "建材城小区"},
    )
    expect(resident.locator("h1")).to_have_text(title)
    matter = Matter.objects.get()

    # The secretary screens it onto the eight steps.
    secretary = phone_page(browser)
    login_with_password(secretary, base, "13900000201")
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(
        secretary,
        "/screen/",
        {"stakeholders": "建材城小区全体住户、业主委员会、单元长"},
        radios={"decision": "accept"},
        choices={"procedure": "eight_steps"},
    )
    expect_step(secretary, "多方恳谈出主意")
    matter.refresh_from_db()
    assert (matter.procedure_key, matter.step_key) == ("eight_steps", "ideas")

    # 2. The committee drafts the household survey on the matter, adds its questions and opens it.
    secretary.goto(f"{base}/r/{compound.pk}/surveys/")
    secretary.locator(f"a[href$='/r/{compound.pk}/surveys/new/']").click()
    send(
        secretary,
        f"/r/{compound.pk}/surveys/new/",
        {
            "title": "建材城小区绿化带管护入户调查表",
            "matter": matter.pk,
            "description": "是否聘请专业绿化队管护绿化带，请每户填写一份。",
        },
    )
    survey = Survey.objects.get()
    q1, q2 = "是否同意聘请专业绿化队", "费用由全体住户分摊"
    for text, choices in (
        (f"您{q1}管护小区绿化带？", "同意\n不同意\n无所谓"),
        (f"绿化管护{q2}（常住户、空房户区别收费），您是否同意？", "同意\n不同意"),
    ):
        send(
            secretary,
            f"/surveys/{survey.pk}/questions/",
            {"text": text, "choices": choices},
            choices={"kind": "single"},
        )
        expect(secretary.locator(".messages")).to_be_visible()
    assert survey.questions.count() == 2
    send(secretary, f"/surveys/{survey.pk}/open/")
    expect(secretary.locator(f"form[action$='/surveys/{survey.pk}/close/']")).to_be_visible()

    # The resident answers online, for her household.
    resident.goto(f"{base}/surveys/{survey.pk}/")
    answer = resident.locator(f"form[action$='/surveys/{survey.pk}/answer/']")
    tick(answer, q1, "同意")
    tick(answer, q2, "同意")
    answer.locator("button[type=submit]").click()
    expect(resident.locator("#answer p.ok")).to_contain_text(str(households["1-101"]))
    expect(resident.locator(f"form[action$='/surveys/{survey.pk}/answer/']")).to_have_count(0)

    # Two paper forms collected door to door are keyed in by their printed household codes: one by the owners'
    # committee member, one by the secretary.
    owners = phone_page(browser)
    login_with_password(owners, base, "13900000211")
    for page, key, (first, second) in (
        (owners, "1-102", ("同意", "同意")),
        (secretary, "2-101", ("不同意", "不同意")),
    ):
        page.goto(f"{base}/surveys/{survey.pk}/print/?household={households[key].pk}")
        code = page.locator("td.code").inner_text().strip()
        assert re.fullmatch(r"[0-9A-Z]+-[0-9A-Z]+", code), code
        page.goto(f"{base}/surveys/{survey.pk}/paper/")
        form = page.locator(f"form[action$='/surveys/{survey.pk}/paper/']")
        form.locator("[name=code]").fill(code.lower())  # typed as read off the form, in any case
        tick(form, q1, first)
        tick(form, q2, second)
        form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(str(households[key]))
    # The same household's form keyed twice is refused.
    form = owners.locator(f"form[action$='/surveys/{survey.pk}/paper/']")
    form.locator("[name=code]").fill(code)
    tick(form, q1, "同意")
    tick(form, q2, "同意")
    form.locator("button[type=submit]").click()
    expect(owners.locator(".errors")).to_contain_text("这一户已经填过这份调查表了")
    responses = Response.objects.filter(survey=survey, voided_at__isnull=True)
    assert dict(responses.values_list("channel").annotate(n=Count("pk"))) == {"online": 1, "paper": 2}

    # Closed, and the results posted on the board: an anonymous visitor reads the counts.
    secretary.goto(f"{base}/surveys/{survey.pk}/")
    send(secretary, f"/surveys/{survey.pk}/close/")
    send(secretary, f"/surveys/{survey.pk}/publish/", {"period_days": 10})
    survey.refresh_from_db()
    assert survey.status == "closed" and survey.notice_id is not None
    anonymous = phone_page(browser)
    anonymous.goto(f"{base}/surveys/{survey.pk}/")
    expect(anonymous.locator("table.rate tfoot th")).to_have_text([re.compile(".+"), "3", "20", "15%"])
    first_question = anonymous.locator("article.result").first
    for choice, count in (("同意", "2"), ("不同意", "1"), ("无所谓", "0")):
        row = first_question.locator("tr", has=anonymous.locator("th", has_text=re.compile(f"^{choice}$")))
        expect(row.locator("td").first).to_have_text(count)
    anonymous.goto(f"{base}/r/{community.pk}/")
    expect(anonymous.get_by_text(survey.title).first).to_be_visible()

    # 3–4. The consultation meeting: the three teams state their price and service.
    secretary.goto(f"{base}/m/{matter.pk}/")
    held = f"{today.isoformat()}T09:30"
    send(
        secretary,
        "/session/",
        {
            "title": "建材城小区绿化队竞聘议事协商会议",
            "held_at": held,
            "place": "三角线社区议事厅",
            "attendance": "12",
            "other_attendees": "社区“两委”、业主委员会、单元长、报名竞聘的3支绿化队",
            "ideas": "\n".join(f"{name}：年报价{price}元。{what}" for name, price, what in TEAMS),
        },
        choices={"form": "consultation"},
    )
    sessions = secretary.locator("section[aria-labelledby=sess-h]")
    for name, price, _what in TEAMS:
        expect(sessions).to_contain_text(f"{name}：年报价{price}元")
    send(secretary, "/advance/")
    expect_step(secretary, "议事组织拟方案")

    # The show of hands among the three teams: an options vote of the committees, the owners' committee and the
    # building heads, ticked off and counted by the secretary, the count checked by a second committee member.
    electorate = [
        people["secretary"],
        people["director"],
        people["owners"],
        people["owners2"],
        *people["heads"],
    ]
    secretary.goto(f"{base}/votes/new/?region={compound.pk}")
    fields = {
        "question": "建材城小区绿化队竞聘：举手表决选定管护绿化带的队伍",
        "people": "\n".join(p.phone for p in electorate),
    }
    for i, (name, price, what) in enumerate(TEAMS, start=1):
        fields.update(
            {f"option_{i}_label": name, f"option_{i}_price": price, f"option_{i}_description": what}
        )
    send(
        secretary,
        "/votes/new/",
        fields,
        choices={"electorate": "list", "preset": "plurality"},
        radios={"kind": "options"},
    )
    hands_vote = Vote.objects.get(kind="options")
    expect(secretary).to_have_url(re.compile(rf"/votes/{hands_vote.pk}/run/$"))
    send(secretary, f"/votes/{hands_vote.pk}/open/")
    away = people["heads"][-1]  # one building head was away
    part = secretary.locator(f"form[action$='/votes/{hands_vote.pk}/participation/']")
    part.locator("input[name=channel][value=hands]").check()
    for person in electorate:
        if person != away:
            part.get_by_label(person.name, exact=True).check()
    part.locator("button[type=submit]").click()
    expect(secretary.locator("#who-h")).to_contain_text("6")
    hands = {"count_1": 4, "count_2": 1, "count_3": 1, "count_abstain": 0}
    send(secretary, f"/votes/{hands_vote.pk}/tally/", hands, radios={"channel": "hands"})
    expect(secretary.locator("tr.tally-pending")).to_be_visible()
    # The one who counted cannot also enter the check count.
    send(secretary, f"/votes/{hands_vote.pk}/tally/", hands, radios={"channel": "hands"})
    expect(secretary.locator("#refused")).to_be_visible()
    assert TallyEntry.objects.filter(vote=hands_vote).count() == 1
    director = phone_page(browser)
    login_with_password(director, base, "13900000202")
    director.goto(f"{base}/votes/{hands_vote.pk}/run/")
    send(director, f"/votes/{hands_vote.pk}/tally/", hands, radios={"channel": "hands"})
    expect(director.locator("tr.tally-accepted")).to_be_visible()
    assert list(
        TallyEntry.objects.filter(vote=hands_vote)
        .values_list("entered_by__name", flat=True)
        .order_by("position")
    ) == ["孙丽", "刘卫东"]
    send(director, f"/votes/{hands_vote.pk}/close/")
    hands_vote.refresh_from_db()
    assert hands_vote.status == "closed" and hands_vote.winner.label == TEAMS[0][0]
    anonymous.goto(f"{base}/votes/{hands_vote.pk}/")
    expect(anonymous.locator(".verdict")).to_contain_text(TEAMS[0][0])

    # The plan: hire the chosen team and share its cost; consensus; the legal expert approves.
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(
        secretary,
        "/plan/",
        {
            "summary": f"聘请举手表决选出的{TEAMS[0][0]}（年报价{TEAMS[0][1]}元）负责小区绿化带日常养护。",
            "budget": TEAMS[0][1],
            "cost_sharing": "常住户每户每年150元，空房户每户每年100元；结余存入小区公共资金，收支公示。",
            "timeline": "方案表决通过后半个月内进场，合同期一年",
            "part_1_what": "绿化带日常养护：施肥、浇灌、修剪、补植",
            "part_1_due_on": (today + datetime.timedelta(days=365)).isoformat(),
            "part_2_what": "登记收取分摊费用",
            "part_2_responsible": "建材城小区业主委员会",
        },
        selects={"part_1_unit": TEAMS[0][0]},
    )
    expect(secretary.locator("#plan-h")).to_be_visible()
    assert matter.plan_versions.get().parts.order_by("pk").first().unit == team
    send(secretary, "/advance/")
    send(secretary, "/consensus/", {"minutes": f"同意聘请{TEAMS[0][0]}，费用按常住户150元、空房户100元分摊"})
    send(secretary, "/advance/")
    expect_step(secretary, "专家审查定公约")

    expert = phone_page(browser)
    login_with_password(expert, base, "13900000241")
    expert.goto(f"{base}/m/{matter.pk}/")
    send(
        expert,
        "/review/",
        {"opinion": "方案符合法律规定，收费标准经表决通过后执行，结余须公示。"},
        radios={"decision": "approve"},
    )
    expect(expert.locator(".review")).to_contain_text("周正")
    expert.context.close()
    secretary.goto(f"{base}/m/{matter.pk}/")
    send(secretary, "/advance/")
    expect_step(secretary, "居民表决说了算")

    # 5. The representatives' vote on the plan, started from the matter's page.
    secretary.locator(f"a.button[href*='/votes/new/?matter={matter.pk}']").click()
    expect(secretary.locator("form[action$='/votes/new/'] [name=question]")).to_have_value(re.compile(title))
    send(secretary, "/votes/new/")
    plan_vote = Vote.objects.get(matter=matter)
    assert (plan_vote.electorate_kind, plan_vote.region_id) == ("representatives", community.pk)
    send(secretary, f"/votes/{plan_vote.pk}/open/")
    expect(secretary.locator("#turnout")).to_contain_text("6")

    # Three representatives vote online; each gets a receipt.
    receipts = {}
    voters = []
    for i, (name, phone) in enumerate(REPRESENTATIVES[:3]):
        rep = phone_page(browser)
        (login_with_code if i == 0 else login_with_password)(rep, base, phone)
        rep.goto(f"{base}/votes/{plan_vote.pk}/")
        rep.locator(f"a.button[href*='/votes/{plan_vote.pk}/ballot/']").click()
        rep.locator("input[name=option][value=yes]").check()
        rep.locator(f"form[action$='/votes/{plan_vote.pk}/ballot/'] button[type=submit]").click()
        rep.locator(f"form[action$='/votes/{plan_vote.pk}/ballot/'] button[type=submit]").click()
        code = rep.locator(".receipt .code").inner_text().strip()
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code), code
        receipts[name] = code
        voters.append(rep)
    # Voting again is not offered: the ballot page says the vote is in.
    first = voters[0]
    first.goto(f"{base}/votes/{plan_vote.pk}/ballot/")
    expect(first.locator(f"a[href$='/votes/{plan_vote.pk}/receipt/']")).to_be_visible()
    expect(first.locator("input[name=option]")).to_have_count(0)
    for rep in voters[1:]:
        rep.context.close()

    # The other three voted on paper: ticked off (those who voted online are not offered), counted twice.
    secretary.goto(f"{base}/votes/{plan_vote.pk}/run/")
    part = secretary.locator(f"form[action$='/votes/{plan_vote.pk}/participation/']")
    for name, _phone in REPRESENTATIVES[:3]:
        expect(part.get_by_label(name, exact=True)).to_have_count(0)
    part.locator("input[name=channel][value=paper]").check()
    for name, _phone in REPRESENTATIVES[3:]:
        part.get_by_label(name, exact=True).check()
    part.locator("button[type=submit]").click()
    expect(secretary.locator("#who-h")).to_contain_text("6")
    paper = {"count_yes": 1, "count_no": 1, "count_abstain": 1}
    send(secretary, f"/votes/{plan_vote.pk}/tally/", paper, radios={"channel": "paper"})
    director.goto(f"{base}/votes/{plan_vote.pk}/run/")
    send(director, f"/votes/{plan_vote.pk}/tally/", paper, radios={"channel": "paper"})
    expect(director.locator("tr.tally-accepted")).to_be_visible()
    director.context.close()
    # Closing is offered once the paper count is checked: the secretary's page, from before, says so on reload.
    expect(secretary.locator(f"form[action$='/votes/{plan_vote.pk}/close/']")).to_have_count(0)
    secretary.reload()
    send(secretary, f"/votes/{plan_vote.pk}/close/")
    plan_vote.refresh_from_db()
    assert plan_vote.status == "closed" and plan_vote.passed  # 4 of 6 in favour: exactly 2/3
    assert plan_vote.result["counts"] == {"yes": 4, "no": 1, "abstain": 1}
    participations = Participation.objects.filter(vote=plan_vote)
    assert dict(participations.values_list("channel").annotate(n=Count("pk"))) == {"online": 3, "paper": 3}
    assert participations.values("elector").distinct().count() == participations.count() == 6
    assert Ballot.objects.filter(vote=plan_vote, option__isnull=False).count() == 3

    # The secretary completes the vote step.
    secretary.goto(f"{base}/m/{matter.pk}/")
    vote_result = matter.vote_results.get()
    assert (vote_result.electorate, vote_result.in_favour, vote_result.passed) == (6, 4, True)
    send(secretary, "/advance/")
    expect_step(secretary, "两委督促抓落实")
    matter.refresh_from_db()
    assert matter.step_key == "implement"

    # A representative checks that her receipt is among those counted, on the public page.
    first.goto(f"{base}/votes/{plan_vote.pk}/")
    expect(first.locator("ul.receipts")).to_contain_text(receipts[REPRESENTATIVES[0][0]])
    expect(first.locator("ul.receipts li")).to_have_count(3)
    first.goto(f"{base}/votes/{plan_vote.pk}/receipt/")
    expect(first.locator(".receipt .ok")).to_be_visible()
    anonymous.goto(f"{base}/votes/{plan_vote.pk}/?code={receipts[REPRESENTATIVES[1][0]].lower()}")
    expect(anonymous.locator("p.ok[role=status]")).to_be_visible()
    anonymous.goto(f"{base}/votes/{plan_vote.pk}/?code=2222-2222-2222")
    expect(anonymous.locator("p.error[role=status]")).to_be_visible()
    first.context.close()

    # The cost is shared by occupancy: previewed (18 × 150 + 2 × 100), then issued.
    secretary.goto(f"{base}/r/{compound.pk}/funds/")
    secretary.locator(f"a[href$='/r/{compound.pk}/funds/rules/new/']").click()
    year_end = today + datetime.timedelta(days=364)
    send(
        secretary,
        f"/r/{compound.pk}/funds/rules/new/",
        {
            "title": "建材城小区绿化管护费",
            "period_start": today.isoformat(),
            "period_end": year_end.isoformat(),
            "occupied_amount": "150",
            "vacant_amount": "100",
            "contract_price": TEAMS[0][1],
            "matter": matter.pk,
        },
        radios={"method": "occupancy"},
    )
    rule = ChargeRule.objects.get()
    expect(secretary.locator("table.charges tbody tr")).to_have_count(20)
    expect(secretary.locator("table.charges tfoot")).to_contain_text("¥2900.00")
    send(secretary, f"/funds/rules/{rule.pk}/issue/")
    rule.refresh_from_db()
    assert rule.status == "issued"
    charges = Charge.objects.filter(rule=rule)
    assert charges.count() == 20
    assert charges.aggregate(total=Sum("amount"))["total"] == Decimal("2900.00")
    assert (
        sorted(charges.values_list("amount", flat=True)) == [Decimal("100.00")] * 2 + [Decimal("150.00")] * 18
    )
    assert set(charges.filter(amount=Decimal("100.00")).values_list("household__room", flat=True)) == {"110"}

    # Half the households pay; the owners' committee records each payment with its receipt number.
    paying = [f"1-{room}" for room in range(101, 111)]  # nine occupied and one vacant: 1,450.00 yuan
    owners.goto(f"{base}/funds/rules/{rule.pk}/")
    for n, key in enumerate(paying, start=1):
        charge = charges.get(household=households[key])
        send(
            owners,
            f"/funds/rules/{rule.pk}/payments/",
            {"amount": str(charge.amount), "paid_on": today.isoformat(), "receipt_no": f"JCC-{n:03d}"},
            choices={"charge": charge.pk, "method": "cash" if n % 2 else "wechat"},
        )
        expect(owners.locator(".messages")).to_be_visible()
    paid = Payment.objects.filter(charge__rule=rule)
    assert paid.count() == 10
    assert paid.aggregate(total=Sum("amount"))["total"] == Decimal("1450.00")
    expect(owners.locator("dl.figures")).to_contain_text("1450.00")

    # What is collected beyond the team's price goes into the compound's public fund.
    send(owners, f"/funds/rules/{rule.pk}/surplus/", {"occurred_on": today.isoformat()})
    surplus = FundEntry.objects.get(rule=rule)
    assert (surplus.kind, surplus.amount) == ("income", Decimal("170.00"))
    owners.context.close()

    # The fee and fund disclosure is posted; an anonymous visitor reads it, with no names in it.
    secretary.goto(f"{base}/r/{compound.pk}/funds/")
    send(secretary, f"/r/{compound.pk}/funds/disclosure/", {"period_days": 30})
    expect(secretary.locator("h1")).to_contain_text("建材城小区")
    anonymous.goto(f"{base}/r/{compound.pk}/funds/")
    expect(anonymous.locator("dl.figures")).to_contain_text("170.00")
    expect(anonymous.locator("table.ledger")).to_contain_text("建材城小区绿化管护费")
    # On a phone the ledger is a column of cards that fits the screen, in both modes (issue 16, point 5).
    width = "document.documentElement.scrollWidth"
    assert anonymous.evaluate(width) <= 390
    card = anonymous.locator("table.ledger tbody tr").first
    assert card.evaluate("r => getComputedStyle(r).display") == "block"
    purpose = card.locator("td.what")
    assert purpose.evaluate("td => td.getBoundingClientRect().width") > 250  # not one character a line
    anonymous.get_by_role("button", name="大字模式").click()
    expect(anonymous.locator("body")).to_have_class(re.compile("elderly"))
    assert anonymous.evaluate(width) <= 390
    anonymous.get_by_role("button", name="标准字号").click()
    anonymous.locator("#disc-h + ul a").first.click()
    notice = anonymous.locator("main")
    for figure in ("2900.00", "1450.00", "1280.00", "170.00"):  # charged, paid, the team's price, the surplus
        expect(notice).to_contain_text(figure)
    text = notice.inner_text()
    for who in (people["resident"], people["owners"], people["secretary"]):
        assert who.name not in text
    assert "JCC-" not in text and str(households["1-101"]) not in text
