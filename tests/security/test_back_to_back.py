"""背靠背: a matter raised back to back never reveals who raised it, on any page, feed, print, export or API answer.

司马慧兰 (a name and a phone found nowhere else in the world) raises two matters back to back: one taken
through all eight steps (she confirms its task and rates its result, as its beneficiary), one put on a meeting's
agenda and discussed there. Then every page of the site that answers GET — each URL pattern filled with every
object of the world it can take — and every GET operation of the API is read by anonymous, a resident, the
committee, the bureau, the ADMIN role, an expert and a responsible unit's staff. Her name (whole or masked),
her phone, her masked phone and her pseudonym in the audit chain must appear in none of them, and no JSON answer
may carry her id in a field that names a person. Exports are unzipped and searched; the Atom feed and the
printables are read as text.

Her own pages are the exception the project makes on purpose: she alone is told the matter is hers.
"""

import io
import json
import re
import zipfile
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests import builders
from tests.procedures import flows
from tests.security import world as world_module
from tests.security.test_authority import view_methods
from yishi.people.phones import mask_name, mask_phone

NAME, PHONE = "司马慧兰", "13987654321"
# JSON fields that name a person: her id under any of them links her to what holds it.
PERSON_KEYS = {
    "submitter",
    "submitter_id",
    "person",
    "person_id",
    "author",
    "author_id",
    "actor",
    "actor_id",
    "by",
    "raised_by",
    "supervisor",
    "supervisor_id",
    "rater",
    "voter",
    "supporter",
    "user",
    "user_id",
}


def build():
    from yishi.comments.services import post_comment
    from yishi.matters import services as matters
    from yishi.meetings import announcing, preparing
    from yishi.notices.services import object_to, reply_to
    from yishi.procedures import services as engine
    from yishi.works.services import assign_work, rate_result, report_progress, supervise

    w = world_module.build()
    w.submitter = builders.person(NAME, phone=PHONE)
    # The helpers of the procedure tests raise as ``p.resident``: here, as her, back to back.
    p = SimpleNamespace(**vars(w))
    p.resident = w.submitter
    from tests.matters.test_pages import walk

    m = walk(p, "implement", back_to_back=True)
    work = assign_work(actor=w.secretary, matter=m, title="维修坑洼路面", unit=w.fire, due_on=w.soon)
    report_progress(actor=w.fire_staff, work=work, text="4处破损路面已维修", done=True)
    supervise(actor=w.submitter, work=work, verdict="confirm", rating=5)
    flows.implement_and_confirm(p, m, supervisor=w.submitter)  # and every part of the plan its task
    engine.advance(actor=w.secretary, matter=m)
    notice = flows.publish(w, m)
    objection = object_to(actor=w.neighbour, notice=notice, text="排水沟也要清理")
    reply_to(actor=w.secretary, objection=objection, text="已安排清理")
    rate_result(actor=w.submitter, matter=m, rating=5, comment="修得很好")
    engine.advance(actor=w.secretary, matter=m)
    w.matter = m
    # The second one stays in consultation: on a meeting's agenda, discussed, with comments.
    second = matters.raise_matter(
        actor=w.submitter,
        region=w.tree.compound,
        category=w.category,
        title="三单元楼道灯坏了",
        description="晚上楼道一片漆黑。",
        back_to_back=True,
    )
    matters.accept(actor=w.secretary, matter=second, procedure_key="eight_steps")
    post_comment(actor=w.neighbour, matter=second, body="我家门口的灯也坏了")
    import datetime

    from django.utils import timezone

    starts = timezone.now() + datetime.timedelta(minutes=2)
    meeting = preparing.create_meeting(
        actor=w.secretary,
        region=w.tree.community,
        form="consultation",
        platform="party_hall",
        title="楼道照明协商会",
        starts_at=starts,
        place="社区协商议事厅",
        agenda=[second],
    )
    preparing.invite(actor=w.secretary, meeting=meeting, people=[w.neighbour], units=[w.property])
    announcing.announce(actor=w.secretary, meeting=meeting, late_reason="照明关系安全，需尽快协商")
    w.second, w.meeting = second, meeting
    _money_and_surveys(w, m)
    return w


def _money_and_surveys(w, m):
    import datetime

    from yishi.funds import services as fs
    from yishi.surveys import services as ss

    rule = fs.create_charge_rule(
        actor=w.secretary,
        compound=w.tree.compound,
        title="道路维修分摊",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        method="occupancy",
        occupied_amount="50.00",
        vacant_amount="20.00",
        matter=m,
    )
    fs.issue_charges(actor=w.secretary, rule=rule)
    charge = rule.charges.get(household=w.home)
    fs.record_payment(
        actor=w.secretary, charge=charge, amount="50.00", receipt_no="R-1", paid_on=w.today, method="cash"
    )
    fs.record_fund_entry(
        actor=w.secretary,
        compound=w.tree.compound,
        kind="income",
        amount="100.00",
        occurred_on=w.today,
        description="维修结余",
    )
    survey = ss.create_survey(actor=w.secretary, region=w.tree.compound, title="路面维修满意度调查", matter=m)
    ss.add_question(actor=w.secretary, survey=survey, kind="text", text="还有哪里需要维修？")
    ss.open_survey(actor=w.secretary, survey=survey)
    w.rule, w.charge, w.survey = rule, charge, survey


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# ------------------------------------------------------------------------------------------------ what to read
def get_patterns(patterns=None, prefix="", namespace=()):
    """(name, route) of every URL pattern whose view answers GET (the admin and the API apart)."""
    found = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace in ("api", "admin"):
                continue
            ns = (*namespace, p.namespace) if p.namespace else namespace
            found += get_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and "GET" in view_methods(p.callback):
            found.append((":".join((*namespace, p.name or "")), prefix + str(p.pattern)))
    return found


def _ids(queryset):
    return list(queryset.values_list("pk", flat=True))


def objects(w) -> dict[str, list]:
    """Every object of the world a URL may name, by the kind of URL."""
    from yishi.meetings.attending import sign_in_token
    from yishi.notices.models import Notice
    from yishi.reminders.models import ProgressDraft

    t = w.tree
    return {
        # The matter's compound, its community and the city: every list and figure that could hold it.
        "region": [r.pk for r in (t.city, t.community, t.compound)],
        "matter": [w.matter.pk, w.second.pk],
        "meeting": [w.meeting.pk],
        "token": [sign_in_token(w.meeting)],
        "notice": _ids(Notice.objects.all()),
        "survey": [w.survey.pk],
        "rule": [w.rule.pk],
        "charge": [w.charge.pk],
        "vote": [],
        "draft": _ids(ProgressDraft.objects.all()),
        "kind": ["regions", "households"],
    }


# URL prefix -> the kind of object its <pk> is.
KINDS = [
    ("r/", "region"),
    ("figures/r/", "region"),
    ("m/", "matter"),
    ("meetings/", "meeting"),
    ("votes/", "vote"),
    ("surveys/", "survey"),
    ("n/", "notice"),
    ("funds/rules/", "rule"),
    ("funds/charges/", "charge"),
    ("notifications/drafts/", "draft"),
]
API_PARAMS = {
    "region_id": "region",
    "matter_id": "matter",
    "meeting_id": "meeting",
    "notice_id": "notice",
    "survey_id": "survey",
    "rule_id": "rule",
    "charge_id": "charge",
    "vote_id": "vote",
    "draft_id": "draft",
}
# GET routes not read here, and why.
SKIPPED = {"^media/(?P<path>.*)$": "uploaded photos: re-encoded images, no text"}


def page_urls(w, found=None) -> tuple[list[str], list[str]]:
    """The URLs to read, and the routes that could not be filled (a new kind of URL: add it to KINDS)."""
    pool = objects(w)
    urls, unfilled = [], []
    for name, route in found or get_patterns():
        if route in SKIPPED:
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        kind = next(
            (k for prefix, k in sorted(KINDS, key=lambda x: -len(x[0])) if route.startswith(prefix)), None
        )
        values = {}
        for param in params:
            if param == "pk":
                values[param] = pool[kind] if kind else None
            elif param == "token":
                values[param] = pool["token"]
            elif param == "kind":
                values[param] = pool["kind"]
            elif param == "key":
                values[param] = ["__from_links__"]
            else:
                values[param] = None
        if any(v is None for v in values.values()):
            unfilled.append(name or route)
            continue
        combos = [{}]
        for param, options in values.items():
            combos = [c | {param: o} for c in combos for o in options]
        for combo in combos:
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda mt, c=combo: str(c[mt.group(1)]), route)
            urls.append(url)
    return urls, unfilled


def api_urls(w) -> tuple[list[str], list[str]]:
    from yishi.api import api

    pool = objects(w)
    urls, unfilled = [], []
    for route, ops in api.get_openapi_schema()["paths"].items():
        if "get" not in ops:
            continue
        params = re.findall(r"{(\w+)}", route)
        if any(p not in API_PARAMS for p in params):
            unfilled.append(route)
            continue
        combos = [{}]
        for param in params:
            combos = [c | {param: o} for c in combos for o in pool[API_PARAMS[param]]]
        for combo in combos:
            url = re.sub(r"{(\w+)}", lambda mt, c=combo: str(c[mt.group(1)]), route)
            urls.append(url + ("&" if "?" in url else "?") + "limit=500")
    return urls, unfilled


def test_every_page_and_api_read_is_crawled(world, db):
    assert page_urls(world)[1] == [], "teach page_urls the new kind of URL"
    assert api_urls(world)[1] == [], "teach api_urls the new path parameter"


# ------------------------------------------------------------------------------------------------ reading
def readable(response) -> str:
    """What a reader gets from the response: JSON decoded, a spreadsheet unzipped, HTML and Atom as sent."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "json" in kind:
        return json.dumps(json.loads(body or b"null"), ensure_ascii=False)
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return body.decode("utf-8", "replace")


def linked(value, pk) -> list[str]:
    """The person fields of a JSON answer that hold ``pk``."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in PERSON_KEYS and (inner == pk or (isinstance(inner, dict) and inner.get("id") == pk)):
                found.append(key)
            found += linked(inner, pk)
    elif isinstance(value, list):
        for inner in value:
            found += linked(inner, pk)
    return found


def next_pages(url, body) -> list[str]:
    """A paginated API answer ({count, limit, offset, items}) is read to its end."""
    if not isinstance(body, dict) or not {"count", "limit", "offset", "items"} <= body.keys():
        return []
    following = body["offset"] + len(body["items"])
    if not body["items"] or following >= body["count"]:
        return []
    base = re.sub(r"[?&]offset=\d+", "", url)
    return [base + ("&" if "?" in base else "?") + f"offset={following}"]


def viewers(w):
    t = w.tree
    return {
        "anonymous": None,
        "resident": w.plain,
        "neighbour": w.neighbour,
        "committee": w.secretary,
        "bureau": w.holders[("bureau", t.district.pk)],
        "admin role": w.holders[("admin", t.city.pk)],
        "expert": w.lawyer,
        "unit staff": w.fire_staff,
    }


VIEWERS = ["anonymous", "resident", "neighbour", "committee", "bureau", "admin role", "expert", "unit staff"]


def crawl(w, who, extra=()):
    from yishi.audit.services import actor_ref_for

    needles = [NAME, mask_name(NAME), PHONE, mask_phone(PHONE), actor_ref_for(w.submitter)]
    client = Client()
    if who is not None:
        client.force_login(who)
    pages, _ = page_urls(w)
    apis, _ = api_urls(w)
    seen, leaks, read = set(), [], 0
    queue = list(pages) + list(apis) + list(extra)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if "__from_links__" in url:
            continue
        response = client.get(url)
        if response.status_code == 422 and "limit=500" in url:  # a list that pages by less: ask for its most
            queue.insert(0, url.replace("limit=500", "limit=100"))
            continue
        if response.status_code >= 500:
            leaks.append(f"{url}: server error {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        read += 1
        text = readable(response)
        leaks += [f"{url}: {needle}" for needle in needles if needle and needle in text]
        if "json" in response.get("Content-Type", ""):
            body = json.loads(text)
            leaks += [f"{url}: id under {key!r}" for key in linked(body, w.submitter.pk)]
            queue += next_pages(url, body)
        # The public chain, 50 to a page: every page of it.
        if url.startswith("/audit/"):
            queue += [f"/audit/{link}" for link in re.findall(r'href="(\?page=\d+)"', text)]
        # The figures' spreadsheets are named on the dashboard: follow those links.
        if url.startswith("/figures/"):
            queue += [
                link for link in re.findall(r'href="(/figures/r/\d+/xlsx/[\w-]+/)"', text) if link not in seen
            ]
    return leaks, read


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_back_to_back_submitter_appears_nowhere(viewer, world, db):
    leaks, read = crawl(world, viewers(world)[viewer])
    print(f"{viewer}: {read} responses read")
    assert read > 60, f"only {read} pages read: the crawl is not reaching the site"
    assert leaks == []


def test_the_submitter_alone_is_told_the_matter_is_hers(world, db):
    client = Client()
    client.force_login(world.submitter)
    page = client.get(f"/m/{world.matter.pk}/").content.decode()
    others = Client()
    others.force_login(world.secretary)
    staff_page = others.get(f"/m/{world.matter.pk}/").content.decode()
    from tests.matters.test_pages import tr

    yours = tr("you (back to back: hidden from everyone else)")
    assert yours in page and yours not in staff_page
    assert tr("a resident (back to back)") in staff_page


def test_the_crawl_would_find_a_name_shown(world, db):
    """Proof the search has teeth: a matter she raises by name is found on the pages."""
    from yishi.matters import services as matters

    with transaction.atomic():
        named = matters.raise_matter(
            actor=world.submitter,
            region=world.tree.compound,
            category=world.category,
            title="小区门口井盖松动",
            description="踩上去会晃。",
        )
        leaks, _read = crawl(world, world.secretary, extra=[f"/m/{named.pk}/", f"/api/v1/matters/{named.pk}"])
        transaction.set_rollback(True)
    assert f"/m/{named.pk}/: {NAME}" in leaks
    assert f"/api/v1/matters/{named.pk}: {NAME}" in leaks
    assert any(leak.startswith("/api/v1/audit/entries") for leak in leaks), (
        leaks
    )  # her pseudonym: a named raise
