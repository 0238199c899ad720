"""/work/, the home of each role: a section for every role held, what waits on the person, an empty state
written for a person, no staff list for a resident, and a cost in queries that does not grow with the lists."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from tests import builders
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.meetings import announcing, preparing
from yishi.notices.services import post_notice
from yishi.people.models import Membership
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import services as engine
from yishi.reminders.services import escalate
from yishi.reviews.services import submit_review
from yishi.surveys import services as surveys
from yishi.votes import casting, drafting, tallies
from yishi.works.services import assign_work, report_progress

SECTIONS = ("resident", "community", "representative", "expert", "unit", "bureau")


def tr(msgid: str) -> str:
    with translation.override("zh-hans"):
        return escape(translation.gettext(msgid))


def page(client, who) -> str:
    client.force_login(who)
    response = client.get(reverse("web:workbench"))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, name: str) -> str:
    match = re.search(rf'<section class="home" id="home-{name}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def sections(html: str) -> set[str]:
    return set(re.findall(r'<section class="home" id="home-(\w+)"', html))


def titles(html: str, heading_id: str) -> list[str]:
    """The link texts of the list labelled by ``heading_id``."""
    block = re.search(rf'<ul class="cards" aria-labelledby="{heading_id}">(.*?)</ul>', html, re.S)
    assert block, heading_id
    return re.findall(r'<li><a href="[^"]*">([^<]*)</a>', block.group(1))


@pytest.fixture
def town(place):
    """The place of the root conftest, with a home for 刘桂兰, a representative, a second committee member,
    the bureau at the district and the council."""
    t = place.tree
    place.home = builders.household(t.building, room="101")
    Membership.objects.create(person=place.resident, household=place.home, is_head=True)
    builders.role(place.resident, "resident", t.compound)
    place.rep = builders.person("代表老周")
    builders.role(place.rep, "representative", t.community)
    place.clerk = builders.person("李文书")
    builders.role(place.clerk, "committee", t.community)
    place.bureau = builders.person("民政局科员")
    builders.role(place.bureau, "bureau", t.district)
    return place


def raise_(p, title="小区西侧小路积水", who=None):
    return matters.raise_matter(
        actor=who or p.resident,
        region=p.tree.compound,
        category=p.category,
        title=title,
        description=f"{title}，请社区处理。",
    )


def list_vote(p, people, question="是否同意维修小区西侧道路？"):
    vote = drafting.create_vote(
        actor=p.secretary, region=p.tree.community, question=question, electorate="list", people=people
    )
    return drafting.open_vote(actor=p.secretary, vote=vote)


def survey(p, title="聘请专业绿化队入户调查表"):
    s = surveys.create_survey(actor=p.secretary, region=p.tree.compound, title=title)
    question = surveys.add_question(
        actor=p.secretary, survey=s, kind="single", text="是否同意？", choices=["同意", "不同意"]
    )
    surveys.open_survey(actor=p.secretary, survey=s)
    return s, question


def implementing(p, who=None):
    """A matter raised by ``who`` (刘桂兰) on the short path, at its implementing step."""
    m = matters.accept(
        actor=p.secretary, matter=raise_(p, who=who), procedure_key="short_path", procedure_reason="小修"
    )
    version = flows.plan(p, m)
    flows.session(p, m)
    record_consensus(actor=p.secretary, matter=m, version=version, minutes="分工")
    engine.advance(actor=p.secretary, matter=m)
    return m


def meeting_today(p, title="让居民出行安全，对低洼路段进行维修"):
    noon = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    return preparing.create_meeting(
        actor=p.secretary,
        region=p.tree.community,
        form="consultation",
        platform="party_hall",
        title=title,
        starts_at=noon,
        place="社区协商议事厅",
    )


def meeting_tomorrow(p, title="让居民出行安全，对低洼路段进行维修"):
    """A meeting that can still be announced (its time is ahead), on whatever day this week ends."""
    return preparing.create_meeting(
        actor=p.secretary,
        region=p.tree.community,
        form="consultation",
        platform="party_hall",
        title=title,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        place="社区协商议事厅",
    )


def at_review_with_two_versions(p):
    m = matters.accept(actor=p.secretary, matter=raise_(p), procedure_key="eight_steps")
    flows.session(p, m)
    engine.advance(actor=p.secretary, matter=m)
    flows.plan(p, m)
    engine.advance(actor=p.secretary, matter=m)
    second = draft_version(
        actor=p.council,
        matter=m,
        summary="修复小区西侧坑洼路段，并加装排水口",
        parts=[
            {"what": "维修坑洼路面", "unit": p.fire, "due_on": p.soon},
            {"what": "加装排水口", "unit": p.property},
        ],
        budget="1500",
    )
    record_consensus(actor=p.secretary, matter=m, version=second, minutes="同意第二版")
    engine.advance(actor=p.secretary, matter=m)
    return m


# --- who sees which section ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, town):
    response = client.get(reverse("web:workbench"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("resident", {"resident"}),
        ("outsider", {"resident"}),  # no role, no home: their own matters and votes still have a place
        ("secretary", {"community"}),
        ("council", {"community"}),
        ("rep", {"resident", "representative"}),
        ("lawyer", {"expert"}),
        ("fire_staff", {"unit"}),
        ("bureau", {"bureau"}),
    ],
)
def test_each_person_gets_a_section_for_every_role_they_hold_and_no_other(client, town, who, expected):
    assert sections(page(client, getattr(town, who))) == expected


def test_a_person_holding_several_roles_gets_each_section(client, town):
    builders.role(town.secretary, "representative", town.tree.community)
    builders.role(town.secretary, "expert", town.tree.community, expertise="social")
    assert sections(page(client, town.secretary)) == {"resident", "community", "representative", "expert"}


def test_staff_who_are_electors_find_the_vote_waiting_for_them(client, town):
    assert "votes" not in sections(page(client, town.secretary)), "no empty list for staff who vote rarely"
    vote = list_vote(town, [town.secretary, town.clerk], question="两委会议表决")

    assert titles(page(client, town.secretary), "home-votes-h") == ["两委会议表决"]
    casting.cast_ballot(actor=town.secretary, vote=vote, option="yes")
    assert "votes" not in sections(page(client, town.secretary))


def test_a_resident_never_sees_the_staff_lists_even_when_there_is_work(client, town):
    raise_(town)  # a new matter: the community's inbox has it
    html = page(client, town.resident)
    for staff in ("community", "expert", "unit", "bureau"):
        assert not section(html, staff)
    for heading in (
        "New matters to screen",
        "Overdue tasks",
        "Paper entries to confirm",
        "Expert reviews waiting",
    ):
        assert tr(heading) not in html


def test_every_empty_list_says_so_for_a_person(client, town):
    resident = section(page(client, town.resident), "resident")
    for text in (
        "You have not raised or supported a matter yet. When something troubles you, raise it: "
        "the community will take it up.",
        "No vote waits for you.",
        "No survey waits for your household.",
        "Nothing waits for your confirmation.",
        "Nothing is posted on your board at the moment.",
    ):
        assert tr(text) in resident, text
    community = section(page(client, town.secretary), "community")
    for text in (
        "No new matter waits to be screened.",
        "No matter waits on you at any step.",
        "No meeting this week.",
        "No task is overdue.",
        "No count or paper form waits to be entered.",
    ):
        assert tr(text) in community, text
    assert tr("No plan waits for your review.") in section(page(client, town.lawyer), "expert")
    assert tr("Your unit has no open task. Nothing waits on you.") in section(
        page(client, town.fire_staff), "unit"
    )
    assert tr("No escalated task is still overdue.") in section(page(client, town.bureau), "bureau")
    rep = section(page(client, town.rep), "representative")
    assert tr("No vote waits for you.") in rep and tr("No meeting invitation for you.") in rep


# --- the resident --------------------------------------------------------------------------------------


def test_the_resident_sees_their_matters_with_the_step_each_is_at(client, town):
    raise_(town, "楼道灯坏了")
    supported = raise_(town, "垃圾堆放", who=town.neighbour)
    matters.support(actor=town.resident, matter=supported)
    supported = matters.accept(actor=town.secretary, matter=supported, procedure_key="eight_steps")
    raise_(town, "别人的事", who=town.neighbour)

    html = section(page(client, town.resident), "resident")

    assert titles(html, "mine-h") == ["垃圾堆放", "楼道灯坏了"]  # the latest raised first
    with translation.override("zh-hans"):
        step = str(supported.procedure.step("ideas").label)
    assert escape(step) in html
    assert tr("waiting to be screened") in html


def test_the_resident_sees_open_votes_they_have_not_voted_in_until_they_vote(client, town):
    mine = list_vote(town, [town.resident, town.neighbour])
    list_vote(town, [town.neighbour], question="不是我的表决")

    assert titles(page(client, town.resident), "votes-h") == ["是否同意维修小区西侧道路？"]
    casting.cast_ballot(actor=town.resident, vote=mine, option="yes")
    assert titles(page(client, town.resident), "votes-h") == []


def test_the_resident_sees_their_households_open_surveys_until_the_household_answers(client, town):
    s, question = survey(town)
    draft = surveys.create_survey(actor=town.secretary, region=town.tree.compound, title="还没开始的调查")

    html = page(client, town.resident)
    assert titles(html, "surveys-h") == ["聘请专业绿化队入户调查表"] and draft.title not in html
    surveys.submit_response(actor=town.resident, survey=s, answers={question.pk: question.choices.first().pk})
    assert titles(page(client, town.resident), "surveys-h") == []


def test_the_resident_confirms_work_reported_done_on_their_matter(client, town):
    m = implementing(town)
    work = assign_work(actor=town.secretary, matter=m, title="维修坑洼路面", unit=town.fire, due_on=town.soon)
    assert titles(page(client, town.resident), "confirm-h") == []
    report_progress(actor=town.fire_staff, work=work, text="4处破损路面已维修", done=True)

    html = page(client, town.resident)

    assert titles(html, "confirm-h") == ["维修坑洼路面"]
    assert f'href="/m/{m.pk}/#work-{work.pk}"' in html


def test_the_resident_reads_their_communitys_board(client, town):
    post_notice(
        actor=town.secretary,
        region=town.tree.community,
        kind="progress",
        title="停水通知",
        body="周三停水",
        period_days=10,
    )
    post_notice(
        actor=town.other_secretary,
        region=town.tree.sibling,
        kind="progress",
        title="别的社区",
        body="…",
        period_days=10,
    )

    html = section(page(client, town.resident), "resident")

    assert titles(html, f"board-{town.tree.community.pk}-h") == ["停水通知"]
    assert "别的社区" not in html


# --- the community worker ------------------------------------------------------------------------------


def test_the_committee_sees_its_inbox_and_the_sibling_committee_does_not(client, town):
    raise_(town, "楼道灯坏了")
    assert titles(page(client, town.secretary), "screen-h") == ["楼道灯坏了"]
    assert titles(page(client, town.other_secretary), "screen-h") == []


def test_what_waits_on_the_committee_is_grouped_by_step_in_the_procedures_order(client, town):
    short = matters.accept(
        actor=town.secretary, matter=raise_(town, "小修"), procedure_key="short_path", procedure_reason="小修"
    )
    at_ideas = matters.accept(
        actor=town.secretary, matter=raise_(town, "在恳谈"), procedure_key="eight_steps"
    )
    at_draft = matters.accept(
        actor=town.secretary, matter=raise_(town, "在拟方案"), procedure_key="eight_steps"
    )
    flows.session(town, at_draft)
    engine.advance(actor=town.secretary, matter=at_draft)

    html = section(page(client, town.secretary), "community")

    groups = re.findall(r'<h4 id="wait-\d+-h">([^<]+?) <small>\(\d+\)([^<]*)</small>', html)
    with translation.override("zh-hans"):
        assert groups == [
            (escape(str(at_ideas.step.label)), ""),
            (escape(str(at_draft.procedure.step("draft").label)), ""),
            (
                escape(str(short.step.label)),
                escape(f" · {short.procedure.label}"),
            ),  # the other procedure after
        ]
    assert html.index("在恳谈") < html.index("在拟方案") < html.index("小修")


def test_the_council_sees_steps_but_no_screening_inbox(client, town):
    raise_(town, "楼道灯坏了")
    html = section(page(client, town.council), "community")
    assert html and 'id="screen-h"' not in html


def test_the_committee_sees_the_meetings_of_this_week_only(client, town):
    meeting_today(town)
    later = meeting_today(town, title="下个月的会")
    later.starts_at += datetime.timedelta(days=35)
    later.save(update_fields=["starts_at"])

    assert titles(page(client, town.secretary), "meet-h") == ["让居民出行安全，对低洼路段进行维修"]


def test_the_committee_sees_overdue_tasks(client, town):
    m = implementing(town)
    assign_work(
        actor=town.secretary,
        matter=m,
        title="过期的任务",
        unit=town.fire,
        due_on=town.today - datetime.timedelta(days=3),
    )
    assign_work(actor=town.secretary, matter=m, title="还没到期", unit=town.fire, due_on=town.soon)

    assert titles(page(client, town.secretary), "overdue-h") == ["过期的任务"]
    assert titles(page(client, town.other_secretary), "overdue-h") == []


def test_a_tally_entered_once_waits_on_another_member_of_staff_not_on_who_entered_it(client, town):
    vote = list_vote(town, [town.resident, town.neighbour])
    tallies.enter_tally(actor=town.clerk, vote=vote, channel="hands", counts={"yes": 0, "no": 0})

    assert "是否同意维修小区西侧道路？" in titles(page(client, town.secretary), "paper-h")
    assert titles(page(client, town.clerk), "paper-h") == []
    assert escape("李文书") in section(page(client, town.secretary), "community")

    tallies.enter_tally(actor=town.secretary, vote=vote, channel="hands", counts={"yes": 0, "no": 0})
    assert titles(page(client, town.secretary), "paper-h") == []


def test_open_surveys_wait_for_their_paper_forms(client, town):
    s, _question = survey(town)
    assert titles(page(client, town.secretary), "paper-h") == [s.title]
    assert titles(page(client, town.other_secretary), "paper-h") == []


# --- representative, expert, unit, bureau --------------------------------------------------------------


def test_the_representative_sees_votes_to_cast_and_meetings_they_are_invited_to(client, town):
    list_vote(town, [town.rep])
    meeting = meeting_tomorrow(town)
    preparing.invite(actor=town.secretary, meeting=meeting, representatives=True)
    assert titles(page(client, town.rep), "rep-inv-h") == [], "a meeting being prepared is not shown yet"
    announcing.announce(actor=town.secretary, meeting=meeting, late_reason="路面积水危及安全，需尽快协商")

    html = section(page(client, town.rep), "representative")

    assert titles(html, "rep-votes-h") == ["是否同意维修小区西侧道路？"]
    assert titles(html, "rep-inv-h") == ["让居民出行安全，对低洼路段进行维修"]
    assert 'id="votes-h"' not in page(client, town.rep), "the votes are listed once"


def test_the_expert_sees_the_review_waiting_with_what_changed_since_the_version_before(client, town):
    m = at_review_with_two_versions(town)

    html = section(page(client, town.lawyer), "expert")

    assert m.title in html and f"/m/{m.pk}/#v2" in html
    assert '<ins class="pre">修复小区西侧坑洼路段，并加装排水口</ins>' in html
    assert '<del class="pre">修复小区西侧坑洼路段</del>' in html
    assert "加装排水口" in html

    submit_review(actor=town.lawyer, matter=m, decision="approve", opinion="方案合法可行。")
    assert m.title not in section(page(client, town.lawyer), "expert")


def test_unit_staff_see_their_tasks_by_due_date_with_a_way_to_report_from_a_phone(client, town):
    m = implementing(town)
    late = assign_work(actor=town.secretary, matter=m, title="维持现场秩序", unit=town.fire, due_on=town.soon)
    early = assign_work(
        actor=town.secretary,
        matter=m,
        title="维修坑洼路面",
        unit=town.fire,
        due_on=town.today + datetime.timedelta(days=3),
    )
    assign_work(actor=town.secretary, matter=m, title="物业的任务", unit=town.property, due_on=town.soon)

    html = section(page(client, town.fire_staff), "unit")

    assert titles(html, "home-unit-h") == ["维修坑洼路面", "维持现场秩序"]
    assert f'class="button report" href="/m/{m.pk}/#work-{early.pk}"' in html
    assert f'href="/m/{m.pk}/#work-{late.pk}"' in html
    detail = client.get(f"/m/{m.pk}/").content.decode()
    report = re.search(rf'<article class="panel" id="work-{early.pk}">.*?</article>', detail, re.S).group(0)
    assert 'enctype="multipart/form-data"' in report and 'type="file"' in report


def test_the_bureau_links_to_the_figures_of_each_region_it_holds_and_sees_escalations(client, town):
    builders.role(town.bureau, "bureau", town.tree.other_district)
    m = implementing(town)
    work = assign_work(
        actor=town.secretary,
        matter=m,
        title="维修坑洼路面",
        unit=town.fire,
        due_on=town.today - datetime.timedelta(days=5),
    )
    escalate(work=work, today=town.today)

    html = section(page(client, town.bureau), "bureau")

    assert reverse("stats:dashboard", args=[town.tree.district.pk]) in html
    assert reverse("stats:dashboard", args=[town.tree.other_district.pk]) in html
    assert titles(html, "esc-h") == ["维修坑洼路面"]
    report_progress(actor=town.fire_staff, work=work, text="已完成", done=True)
    assert titles(section(page(client, town.bureau), "bureau"), "esc-h") == []


# --- the cost of a home does not grow with its lists ---------------------------------------------------


def _fill(p, n: int, start: int) -> None:
    """``n`` more of everything the secretary's home lists (they hold every role here)."""
    s = p.secretary
    m = p.busy_matter
    for i in range(start, start + n):
        raise_(p, f"新议题{i}", who=s)  # mine, and the inbox
        matters.accept(actor=s, matter=raise_(p, f"已受理{i}"), procedure_key="eight_steps")  # at a step
        vote = list_vote(p, [s, p.resident], question=f"表决{i}")  # to cast
        tallies.enter_tally(actor=p.clerk, vote=vote, channel="hands", counts={"yes": 0, "no": 0})  # to check
        survey(p, title=f"调查{i}")  # the household's, and paper forms to enter
        meeting_today(p, title=f"会议{i}")  # this week
        meeting = meeting_tomorrow(p, title=f"邀请{i}")
        preparing.invite(actor=s, meeting=meeting, people=[s])
        announcing.announce(actor=s, meeting=meeting, late_reason="紧急")  # an invitation
        done = assign_work(actor=s, matter=m, title=f"完成的任务{i}", unit=p.fire, due_on=p.soon)
        report_progress(actor=p.fire_staff, work=done, text="完成", done=True)  # to confirm
        late = assign_work(
            actor=s, matter=m, title=f"过期任务{i}", unit=p.fire, due_on=p.today - datetime.timedelta(days=2)
        )  # overdue, the unit's, escalated
        escalate(work=late, today=p.today)
        post_notice(
            actor=s, region=p.tree.community, kind="progress", title=f"公告{i}", body="…", period_days=10
        )


def _queries(client) -> int:
    client.get(reverse("web:workbench"))  # warm: session, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("web:workbench"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_a_home_with_every_section_costs_as_many_queries_with_thirty_of_everything_as_with_three(
    client, town
):
    s = town.secretary
    Membership.objects.create(
        person=s, household=builders.household(town.tree.building, room="102"), is_head=True
    )
    builders.role(s, "representative", town.tree.community)
    builders.role(s, "unit_staff", town.tree.community, unit=town.fire)
    builders.role(s, "bureau", town.tree.street)
    builders.role(s, "expert", town.tree.community, expertise="social")
    town.busy_matter = implementing(town, who=s)
    client.force_login(s)

    _fill(town, 3, 0)
    three = _queries(client)
    html = client.get(reverse("web:workbench")).content.decode()
    assert sections(html) == set(SECTIONS)
    assert html.count("过期任务") >= 3 and "调查2" in html and "会议2" in html and "邀请2" in html

    _fill(town, 27, 3)
    thirty = _queries(client)
    html = client.get(reverse("web:workbench")).content.decode()
    for text in ("新议题29", "表决29", "完成的任务29", "公告29", "调查29", "会议29", "邀请29", "已受理29"):
        assert text in html, text

    assert thirty == three, f"{three} queries with 3 of everything, {thirty} with 30"


def test_the_experts_home_costs_the_same_with_more_reviews_waiting(client, town):
    at_review_with_two_versions(town)
    client.force_login(town.lawyer)
    one = _queries(client)
    at_review_with_two_versions(town)
    at_review_with_two_versions(town)
    assert _queries(client) == one


# Fifteen until the household rosters waiting for a person's answer were asked first on every home (one
# query, whatever the roles): sixteen.
HOME_BUDGET = 16


def test_each_roles_home_stays_within_sixteen_queries_with_thirty_of_everything(client, town):
    # One town filled once for every role: filling it takes seconds, reading a home milliseconds.
    town.busy_matter = implementing(town, who=town.secretary)
    _fill(town, 30, 0)
    costs = {}
    for who in ("resident", "outsider", "secretary", "council", "rep", "lawyer", "fire_staff", "bureau"):
        client.force_login(getattr(town, who))
        costs[who] = _queries(client)
    assert {who: n for who, n in costs.items() if n > HOME_BUDGET} == {}, costs


def test_whether_staff_may_record_or_screen_is_read_from_their_roles(client, town):
    """The quick link to record a visit and the screening inbox follow the roles, without asking the database."""
    from yishi.web.homes import may_somewhere

    record, screen = "matters.record_matter", "matters.screen_matter"
    assert may_somewhere(town.secretary, record)  # reads the roles, once
    with CaptureQueriesContext(connection) as ctx:
        assert may_somewhere(town.secretary, screen) and may_somewhere(town.secretary, record)
    assert ctx.captured_queries == []
    assert not may_somewhere(town.council, screen)
    assert not may_somewhere(town.resident, record)
    admin = builders.person("系统管理员")
    admin.is_superuser = True
    admin.save()
    assert may_somewhere(admin, record)

    record_url = reverse("matters:record")
    assert record_url in page(client, town.secretary)
    assert record_url not in page(client, town.council)
