"""Stored script injection: a probe planted in every text field people can write, then every page showing it opened
in Chromium. No probe may run: ``window.__xss`` stays undefined, no dialog opens, no element carries an event
handler or a ``javascript:`` link made of the probe, and the content policy refuses an inline script outright.

The fields are written through the services, as the pages and the API write them; a field whose service refuses
the probe (a name that must look like a name …) is listed, and is safe by refusal.
"""

import contextlib
import datetime
import io
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser

from tests import builders
from yishi.errors import Refused

# In markup, in an attribute, in a URL, in an SVG: each sets window.__xss if it ever runs.
PROBE = (
    '"><script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
    '<svg onload="window.__xss=1">\'><a href="javascript:window.__xss=1">x</a>'
)
SHORT = '"><img src=x onerror=window.__xss=1>'
URLISH = "javascript:window.__xss=1//<svg onload=window.__xss=1>"
PHONE = {"width": 390, "height": 844}


def png(name):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


class Planter:
    """Runs each write; a write the service refuses is noted (the probe never got in)."""

    def __init__(self):
        self.planted, self.refused = [], []

    def __call__(self, field, call, *args, **kwargs):
        try:
            result = call(*args, **kwargs)
        except Refused as exc:
            self.refused.append(f"{field}: {exc.reason}")
            return None
        self.planted.append(field)
        return result


def plant():
    from yishi.comments import services as comments
    from yishi.funds import services as funds
    from yishi.matters import services as matters
    from yishi.meetings import announcing, attending, closing, holding, preparing
    from yishi.notices import services as notices
    from yishi.plans.services import draft_version, record_consensus
    from yishi.procedures import services as engine
    from yishi.regions.models import Level
    from yishi.regions.services import create_region, create_unit
    from yishi.reviews.services import submit_review
    from yishi.surveys import services as surveys
    from yishi.votes import drafting, tallies
    from yishi.works.services import assign_work, rate_result, report_progress, supervise

    p = Planter()
    t = builders.tree()
    w = SimpleNamespace(t=t, p=p)
    now = timezone.now()
    soon = timezone.localdate() + datetime.timedelta(days=30)
    w.secretary = builders.person("张金利", password="pw-12345678x")
    builders.role(w.secretary, "committee", t.community)
    w.lawyer = builders.person("李明", password="pw-12345678x")
    builders.role(w.lawyer, "expert", t.city, expertise="legal")
    w.staff = builders.person("赵振华", password="pw-12345678x")
    w.region = (
        p("region name", create_region, actor=None, parent=t.community, level=Level.COMPOUND, name=SHORT)
        or t.compound
    )
    home_building = create_region(actor=None, parent=w.region, level=Level.BUILDING, name="1号楼")
    w.unit = p(
        "unit name",
        create_unit,
        actor=None,
        name=SHORT,
        kind="fire_rescue",
        home_region=t.city,
        serves=[t.community],
    ) or builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community])
    builders.role(w.staff, "unit_staff", t.city, unit=w.unit)
    w.resident = p("person name", builders.person, SHORT, password="pw-12345678x") or builders.person(
        "刘桂兰", password="pw-12345678x"
    )
    w.neighbour = builders.person("王建国", password="pw-12345678x")
    home = builders.household(home_building, room="101")
    w.resident.memberships.create(household=home, relation="owner", is_head=True)
    category = builders.category("environment")

    m = p(
        "matter title/description/location, photo file name",
        matters.raise_matter,
        actor=w.resident,
        region=w.region,
        category=category,
        title=SHORT,
        description=PROBE,
        location=URLISH,
        photos=[png(f"{SHORT}.png")],
    )
    if m is None:
        m = matters.raise_matter(
            actor=w.resident,
            region=w.region,
            category=category,
            title="路灯坏了",
            description="probe refused",
            location="",
        )
    w.matter = m
    matters.support(actor=w.neighbour, matter=m)
    c = p("comment", comments.post_comment, actor=w.neighbour, matter=m, body=PROBE)
    if c:
        p("comment reply", comments.reply, actor=w.resident, comment=c, body=PROBE)
        hidden = comments.post_comment(actor=w.neighbour, matter=m, body="另一条")
        p("comment hiding reason", comments.hide, actor=w.secretary, comment=hidden, reason=PROBE)
    p(
        "screening: stakeholders",
        matters.accept,
        actor=w.secretary,
        matter=m,
        procedure_key="eight_steps",
        stakeholders=PROBE,
    )
    p(
        "session title, place, ideas, who voiced them, other attendees",
        holding.record_session,
        actor=w.secretary,
        matter=m,
        title=SHORT,
        held_at=now,
        place=SHORT,
        attendance=9,
        ideas=[(PROBE, SHORT)],
        other_attendees=PROBE,
    )
    engine.advance(actor=w.secretary, matter=m)
    version = p(
        "plan summary, parts, cost sharing, timeline, beneficiaries",
        draft_version,
        actor=w.secretary,
        matter=m,
        summary=PROBE,
        parts=[{"what": PROBE, "unit": w.unit, "due_on": soon}, {"what": SHORT, "responsible": SHORT}],
        cost_sharing=PROBE,
        timeline=PROBE,
        beneficiaries=PROBE,
    )
    engine.advance(actor=w.secretary, matter=m)
    p("consensus minutes", record_consensus, actor=w.secretary, matter=m, version=version, minutes=PROBE)
    engine.advance(actor=w.secretary, matter=m)
    p("review opinion", submit_review, actor=w.lawyer, matter=m, decision="approve", opinion=PROBE)
    engine.advance(actor=w.secretary, matter=m)
    tallies.record_result(
        actor=w.secretary, matter=m, electorate=30, present=30, in_favour=20, against=10, abstain=0
    )
    engine.advance(actor=w.secretary, matter=m)
    first, second = version.parts.order_by("position")
    work = p(
        "task title",
        assign_work,
        actor=w.secretary,
        matter=m,
        title=SHORT,
        unit=w.unit,
        due_on=soon,
        part=first,
    )
    p(
        "progress report, its photo's file name",
        report_progress,
        actor=w.staff,
        work=work,
        text=PROBE,
        done=True,
        photo=png(f"{SHORT}.png"),
    )
    p("supervision reason", supervise, actor=w.neighbour, work=work, verdict="reopen", reason=PROBE)
    report_progress(actor=w.staff, work=work, text="已返工", done=True)
    supervise(actor=w.resident, work=work, verdict="confirm", rating=5)
    other = assign_work(actor=w.secretary, matter=m, part=second, to_committee=True, due_on=soon)
    report_progress(actor=w.secretary, work=other, text="已完成", done=True)
    supervise(actor=w.resident, work=other, verdict="confirm", rating=5)
    engine.advance(actor=w.secretary, matter=m)
    notice = p(
        "result notice title and body",
        notices.publish_result,
        actor=w.secretary,
        matter=m,
        title=SHORT,
        body=PROBE,
    )
    w.notice = notice
    if notice:
        objection = p("objection", notices.object_to, actor=w.neighbour, notice=notice, text=PROBE)
        if objection:
            p("objection reply", notices.reply_to, actor=w.secretary, objection=objection, text=PROBE)
    p("satisfaction comment", rate_result, actor=w.resident, matter=m, rating=4, comment=PROBE)

    declined = matters.raise_matter(
        actor=w.neighbour, region=w.region, category=category, title="别的事", description="不属于社区"
    )
    p("decline reason (public)", matters.decline, actor=w.secretary, matter=declined, reason=PROBE)
    referred = matters.raise_matter(
        actor=w.neighbour, region=w.region, category=category, title="再别的事", description="转办"
    )
    p("referral body and reason", matters.refer, actor=w.secretary, matter=referred, to=SHORT, reason=PROBE)
    w.recorded = p(
        "recorded matter: the resident's name given",
        matters.record_matter,
        actor=w.secretary,
        region=w.region,
        title="来访记录",
        description="来访",
        category=category,
        channel="visit",
        submitter_name=SHORT,
    )
    withdrawn = matters.raise_matter(
        actor=w.resident, region=w.region, category=category, title="撤回的事", description="撤回"
    )
    p("withdrawal reason", engine.withdraw, actor=w.resident, matter=withdrawn, reason=PROBE)
    w.matters = [m, declined, referred, withdrawn] + ([w.recorded] if w.recorded else [])

    # A meeting with the probe everywhere, held, its minutes confirmed and corrected.
    agenda_matter = matters.raise_matter(
        actor=w.neighbour, region=w.region, category=category, title="楼道灯", description="楼道灯坏了"
    )
    matters.accept(actor=w.secretary, matter=agenda_matter)
    w.matters.append(agenda_matter)
    meeting = p(
        "meeting title, place, platform name",
        preparing.create_meeting,
        actor=w.secretary,
        region=t.community,
        form="consultation",
        platform="other",
        platform_name=SHORT,
        title=SHORT,
        starts_at=now + datetime.timedelta(minutes=3),
        place=SHORT,
        agenda=[agenda_matter],
    )
    w.meeting = meeting
    if meeting:
        p(
            "invitation names and capacity",
            preparing.invite,
            actor=w.secretary,
            meeting=meeting,
            names=[SHORT],
            capacity=SHORT,
            people=[w.neighbour],
        )
        announcing.announce(actor=w.secretary, meeting=meeting, late_reason=PROBE)
        attending.check_in(actor=w.secretary, meeting=meeting, person=w.neighbour)
        meeting.starts_at = now - datetime.timedelta(minutes=5)
        meeting.save(update_fields=["starts_at"])  # it is sitting now: the rule on notice was met above
        p(
            "ideas at the meeting",
            holding.record_ideas,
            actor=w.secretary,
            meeting=meeting,
            matter=agenda_matter,
            ideas=[(PROBE, SHORT)],
        )
        closing.close_meeting(actor=w.secretary, meeting=meeting)
        minutes = meeting.minutes.order_by("pk").first()
        p("minutes text", closing.edit_minutes, actor=w.secretary, minutes=minutes, text=PROBE)
        closing.confirm_minutes(actor=w.secretary, meeting=meeting)
        p("addendum", closing.add_addendum, actor=w.secretary, minutes=minutes, text=PROBE)
    changed = preparing.create_meeting(
        actor=w.secretary,
        region=t.community,
        form="consultation",
        platform="party_hall",
        title="改期的会",
        starts_at=now + datetime.timedelta(days=12),
        place="议事厅",
    )
    announcing.announce(actor=w.secretary, meeting=changed)
    p(
        "meeting change reason",
        announcing.change_meeting,
        actor=w.secretary,
        meeting=changed,
        reason=PROBE,
        place="活动室",
    )
    p("meeting cancel reason", announcing.cancel_meeting, actor=w.secretary, meeting=changed, reason=PROBE)
    w.meetings = [x for x in (meeting, changed) if x]

    vote = p(
        "vote question, description, option labels and descriptions",
        drafting.create_vote,
        actor=w.secretary,
        region=t.community,
        question=SHORT,
        description=PROBE,
        kind="options",
        options=[{"label": SHORT, "description": PROBE}, {"label": "乙方案", "description": PROBE}],
        electorate="list",
        people=[w.resident, w.neighbour],
        preset="plurality",
    )
    if vote:
        drafting.open_vote(actor=w.secretary, vote=vote)
    w.vote = vote

    survey = p(
        "survey title and description",
        surveys.create_survey,
        actor=w.secretary,
        region=w.region,
        title=SHORT,
        description=PROBE,
    )
    w.survey = survey
    if survey:
        q = p(
            "survey question and choices",
            surveys.add_question,
            actor=w.secretary,
            survey=survey,
            kind="single",
            text=PROBE,
            choices=[SHORT, "不同意"],
        )
        text_q = surveys.add_question(
            actor=w.secretary, survey=survey, kind="text", text="其他意见", required=False
        )
        surveys.open_survey(actor=w.secretary, survey=survey)
        if q:
            p(
                "survey text answer",
                surveys.submit_response,
                actor=w.resident,
                survey=survey,
                answers={q.pk: q.choices.order_by("pk").first().pk, text_q.pk: PROBE},
            )

    rule = p(
        "charge rule title",
        funds.create_charge_rule,
        actor=w.secretary,
        compound=w.region,
        title=SHORT,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        method="occupancy",
        occupied_amount="150.00",
        vacant_amount="100.00",
    )
    w.rule = rule
    if rule:
        p(
            "exemption reason",
            funds.exempt_household,
            actor=w.secretary,
            rule=rule,
            household=home,
            reason=SHORT,
        )
    entry = p(
        "fund entry description and evidence",
        funds.record_fund_entry,
        actor=w.secretary,
        compound=w.region,
        kind="income",
        amount="100.00",
        occurred_on=timezone.localdate(),
        description=SHORT,
        evidence_text=PROBE,
    )
    if entry:
        p(
            "fund entry correction reason",
            funds.correct_fund_entry,
            actor=w.secretary,
            entry=entry,
            reason=SHORT,
        )
    p("fund disclosure", funds.publish_disclosure, actor=w.secretary, compound=w.region)
    return w


def pages(w) -> list[str]:
    t = w.t
    urls = ["/", "/work/", "/audit/", "/notifications/", "/votes/", "/meetings/", "/surveys/", "/funds/"]
    for region in (t.community, w.region):
        urls += [
            f"/r/{region.pk}/",
            f"/r/{region.pk}/matters/",
            f"/r/{region.pk}/board/",
            f"/r/{region.pk}/board/archive/",
            f"/r/{region.pk}/votes/",
            f"/r/{region.pk}/surveys/",
            f"/r/{region.pk}/rules/",
            f"/figures/r/{region.pk}/",
        ]
    urls += [f"/r/{w.region.pk}/funds/"]
    for m in w.matters:
        urls += [f"/m/{m.pk}/", f"/m/{m.pk}/dossier/"]
    from yishi.notices.models import Notice

    for notice in Notice.objects.all():
        urls += [f"/n/{notice.pk}/", f"/n/{notice.pk}/print/"]
    for meeting in w.meetings:
        urls += [
            f"/meetings/{meeting.pk}/",
            f"/meetings/{meeting.pk}/run/",
            f"/meetings/{meeting.pk}/print/agenda/",
            f"/meetings/{meeting.pk}/print/sheet/",
        ]
    if w.vote:
        urls += [f"/votes/{w.vote.pk}/", f"/votes/{w.vote.pk}/run/", f"/votes/{w.vote.pk}/ballot/"]
    if w.survey:
        urls += [
            f"/surveys/{w.survey.pk}/",
            f"/surveys/{w.survey.pk}/responses/",
            f"/surveys/{w.survey.pk}/print/",
            f"/surveys/{w.survey.pk}/paper/",
        ]
    if w.rule:
        urls += [f"/funds/rules/{w.rule.pk}/"]
    return urls


RAN = "() => typeof window.__xss !== 'undefined'"
# An element the probe made: an event handler or a javascript: link carrying it, or a script holding it.
MADE = """() => [...document.querySelectorAll('*')].filter(e =>
    [...e.attributes].some(a => (a.name.startsWith('on') && a.value.includes('__xss'))
        || (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name)
            && /^\\s*javascript:/i.test(a.value)))
    || (e.tagName === 'SCRIPT' && e.textContent.includes('__xss'))).map(e => e.outerHTML.slice(0, 120))"""


def session_cookie(person, base):
    client = Client()
    client.force_login(person)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def visit(browser: Browser, base: str, who, urls) -> tuple[list[str], list[str]]:
    """Open every page as ``who``: (what ran or was made, the pages that show a probe)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    context.set_default_timeout(15_000)
    if who is not None:
        context.add_cookies([session_cookie(who, base)])
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    found, showing = [], []
    try:
        for url in urls:
            response = page.goto(base + url, wait_until="load")
            if response is None or response.status >= 400:
                continue
            page.wait_for_timeout(50)  # an onerror fires once the broken image has failed to load
            if page.evaluate(RAN):
                found.append(f"{url}: window.__xss is set")
            made = page.evaluate(MADE)
            found += [f"{url}: {html}" for html in made]
            if "__xss" in page.content():
                showing.append(url)
        found += [f"dialog: {message}" for message in dialogs]
    finally:
        context.close()
    return found, showing


@pytest.fixture
def planted(transactional_db):
    return plant()


def test_no_probe_runs_on_any_page_for_staff_or_the_public(planted, live_server, browser):
    w = planted
    assert len(w.p.planted) >= 39, (w.p.planted, w.p.refused)
    urls = pages(w)
    shown = set()
    for who in (w.secretary, None, w.resident):
        found, showing = visit(browser, live_server.url, who, urls)
        assert found == [], found
        shown |= set(showing)
    # The probes are really on the pages, as text.
    for url in ("/", f"/m/{w.matter.pk}/", f"/m/{w.matter.pk}/dossier/", f"/r/{w.region.pk}/board/"):
        assert url in shown, url
    assert len(shown) >= 30, sorted(set(urls) - shown)


def test_the_content_policy_refuses_an_inline_script(planted, live_server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    response = page.goto(f"{live_server.url}/m/{planted.matter.pk}/")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    with contextlib.suppress(Exception):  # refused by the policy is what we want; the check follows
        page.add_script_tag(content="window.__inline = 1")
    page.wait_for_timeout(100)
    assert page.evaluate("() => typeof window.__inline") == "undefined"
    assert violations, "the browser reported no policy violation"
    context.close()


def test_the_feed_and_the_printables_carry_the_probe_only_as_text(planted, client):
    w = planted
    feed = client.get(f"/r/{w.t.community.pk}/board/feed/").content.decode()
    # The summary is typed html: a reader decodes it once, so the probe must still be escaped after that.
    assert "__xss" in feed
    assert "<script" not in feed and "&lt;script" not in feed and "&amp;lt;script" in feed
    printables = [
        f"/n/{w.notice.pk}/print/",
        f"/m/{w.matter.pk}/dossier/",
        f"/meetings/{w.meeting.pk}/print/agenda/",
    ]
    client.force_login(w.secretary)
    printables += [f"/surveys/{w.survey.pk}/print/", f"/meetings/{w.meeting.pk}/print/sheet/"]
    for url in printables:
        page = client.get(url).content.decode()
        assert page.count("__xss") >= 1, url
        # Escaped, the probe is text (&lt;img …); only a real tag or link could run.
        assert not re.search(
            r"<(script|img|svg|a)\b[^<>]*__xss|<script>window|href=\"\s*javascript:", page
        ), url
