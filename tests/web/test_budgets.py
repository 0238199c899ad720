"""Budgets of the pages residents use most, checked request by request (no browser):

- weight: the HTML plus the stylesheets and scripts it links, gzip-compressed as WhiteNoise serves them, stays
  under 100 KB (images excluded), and every image is lazy with its size given;
- no JavaScript needed: the page's main content is in the server's HTML and its forms post as plain forms;
- queries: a list page costs as many SQL queries with thirty items as with three (matters, notices, meetings,
  votes, surveys, comments).
"""

import datetime
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from whitenoise.compress import Compressor

from tests import builders
from tests.procedures import flows
from yishi.comments import services as comments
from yishi.comments.models import Comment
from yishi.comments.paging import PAGE_SIZE
from yishi.matters import services as matters
from yishi.meetings import announcing, preparing
from yishi.notices.services import post_notice
from yishi.people.models import Membership
from yishi.plans.services import record_consensus
from yishi.procedures import services as engine
from yishi.surveys import services as surveys
from yishi.surveys.models import Response
from yishi.votes import drafting
from yishi.votes.models import Ballot
from yishi.works.services import assign_work, report_progress

pytestmark = pytest.mark.django_db

BUDGET = 100 * 1024


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 110, 90)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class Tags(HTMLParser):
    """The tags of a page, each as (name, attributes)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def of(self, name: str) -> list[dict]:
        return [a for t, a in self.tags if t == name]


def linked_assets(html: str) -> list[str]:
    tags = Tags(html)
    css = [a["href"] for a in tags.of("link") if "stylesheet" in a.get("rel", "").split()]
    js = [a["src"] for a in tags.of("script") if a.get("src")]
    return css + js


def static_bytes(url: str) -> bytes:
    path = urlsplit(url).path
    assert path.startswith(settings.STATIC_URL), f"{url} is not one of the site's static files"
    found = finders.find(path[len(settings.STATIC_URL) :])
    assert found, f"{url} links a static file that does not exist"
    with open(found, "rb") as f:
        return f.read()


def weight(html: bytes) -> tuple[int, int]:
    """(HTML bytes, gzipped bytes of the HTML with its CSS and JS)."""
    gz = len(Compressor.compress_gzip(html))
    for url in linked_assets(html.decode()):
        gz += len(Compressor.compress_gzip(static_bytes(url)))
    return len(html), gz


@pytest.fixture
def town(place):
    """The root conftest's place, its residents at home in 1号楼 and representatives of the community."""
    t = place.tree
    residents = [place.resident, place.neighbour, builders.person("王凤英")]
    for n, resident in enumerate(residents, start=1):
        Membership.objects.create(
            person=resident, household=builders.household(t.building, room=f"10{n}"), is_head=True
        )
        builders.role(resident, "representative", t.community)
    place.residents = residents
    return place


@pytest.fixture
def story(town):
    """One of everything a resident reads, with photos on the matter and on its task's progress report."""
    p, t = town, town.tree
    resident = p.resident
    matter = matters.raise_matter(
        actor=resident,
        region=t.compound,
        category=p.category,
        title="小区西侧小路积水，老邻居摔伤了",
        description="一下雨就积水。",
        photos=[jpeg()],
    )
    matters.accept(actor=p.secretary, matter=matter, procedure_key="short_path", procedure_reason="小修")
    version = flows.plan(p, matter)
    flows.session(p, matter)
    record_consensus(actor=p.secretary, matter=matter, version=version, minutes="分工")
    engine.advance(actor=p.secretary, matter=matter)
    work = assign_work(actor=p.secretary, matter=matter, title="维修坑洼路面", unit=p.fire, due_on=p.soon)
    report_progress(actor=p.fire_staff, work=work, text="4处破损路面已维修", photo=jpeg("progress.jpg"))
    notice = post_notice(
        actor=p.secretary,
        region=t.community,
        kind="progress",
        title="路面维修进展",
        body="4处破损路面已维修完毕。",
        period_days=10,
    )
    vote = drafting.open_vote(
        actor=p.secretary,
        vote=drafting.create_vote(actor=p.secretary, region=t.community, question="是否同意加装排水口？"),
    )
    survey = surveys.create_survey(actor=p.secretary, region=t.compound, title="小区绿化入户调查表")
    surveys.add_question(
        actor=p.secretary,
        survey=survey,
        kind="single",
        text="是否同意聘请绿化队？",
        choices=["同意", "不同意"],
    )
    surveys.open_survey(actor=p.secretary, survey=survey)
    pages = {  # page: (url, what must be in the HTML without any script)
        "region home": (f"/r/{t.community.pk}/", t.community.name),
        "matter list": (f"/r/{t.compound.pk}/matters/", matter.title),
        "matter page": (f"/m/{matter.pk}/", "4处破损路面已维修"),
        "board": (f"/r/{t.community.pk}/board/", notice.title),
        "notice": (f"/n/{notice.pk}/", "4处破损路面已维修完毕。"),
        "vote page": (f"/votes/{vote.pk}/", vote.question),
        "survey page": (f"/surveys/{survey.pk}/", "是否同意聘请绿化队？"),
        "login": ("/login/", 'name="phone"'),
        "home": ("/work/", matter.title),
    }
    return resident, matter, vote, survey, pages


PAGES = (
    "region home",
    "matter list",
    "matter page",
    "board",
    "notice",
    "vote page",
    "survey page",
    "login",
    "home",
)


@pytest.mark.parametrize("name", PAGES)
def test_a_residents_page_weighs_under_100_kb_gzipped_with_its_css_and_js(client, story, name):
    resident, *_rest, pages = story
    if name != "login":
        client.force_login(resident)
    url, _text = pages[name]
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content
    assets = linked_assets(html.decode())
    assert any(a.endswith(".css") for a in assets), "the site's stylesheet is linked"
    _size, gzipped = weight(html)
    assert gzipped < BUDGET, f"{name} ({url}): {gzipped} bytes gzipped with {assets}, over {BUDGET}"


def test_a_matter_page_with_a_full_page_of_100_comment_threads_weighs_under_100_kb(client, story, town):
    """The comments show 100 threads a page: a full page of short ones, a third with two replies, read by a
    resident who gets a reply form under each, stays within the budget."""
    resident, matter, *_rest = story
    start = timezone.now() - datetime.timedelta(days=1)
    tops = Comment.objects.bulk_create(
        Comment(
            matter=matter,
            author=town.residents[i % 3],
            created_at=start + datetime.timedelta(minutes=i),
            body=f"第{i:03d}条：小区西侧小路积水的问题拖了很久，希望尽快修好，晚上也要装路灯。",
        )
        for i in range(PAGE_SIZE)
    )
    Comment.objects.bulk_create(
        Comment(
            matter=matter,
            parent=c,
            author=town.secretary if j else town.residents[(i + 1) % 3],
            staff_role="committee" if j else "",
            created_at=c.created_at + datetime.timedelta(seconds=j + 1),
            body="同意，附议。" if not j else "已记录，本周五协商会上讨论，结果会在公告栏公布。",
        )
        for i, c in enumerate(tops)
        if i % 3 == 0
        for j in range(2)
    )
    client.force_login(resident)
    html = client.get(f"/m/{matter.pk}/").content
    page = html.decode()
    assert page.count('class="comment panel') == PAGE_SIZE and "第099条" in page
    _size, gzipped = weight(html)
    assert gzipped < BUDGET, (
        f"the matter page with {PAGE_SIZE} threads: {gzipped} bytes gzipped, over {BUDGET}"
    )


@pytest.mark.parametrize("name", PAGES)
def test_every_image_is_lazy_and_sized(client, story, name):
    resident, *_rest, pages = story
    client.force_login(resident)
    url, _text = pages[name]
    images = Tags(client.get(url).content.decode()).of("img")
    for img in images:
        assert img.get("loading") == "lazy", f"{name}: {img}"
        assert img.get("width", "").isdigit() and img.get("height", "").isdigit(), f"{name}: {img}"
        assert "alt" in img, f"{name}: {img}"
    if name == "matter page":
        assert len(images) == 2, "the resident's photo and the unit's progress photo"


@pytest.mark.parametrize("name", PAGES)
def test_the_main_content_is_in_the_html_and_forms_need_no_script(client, story, name):
    resident, *_rest, pages = story
    if name != "login":
        client.force_login(resident)
    url, text = pages[name]
    html = client.get(url).content.decode()
    assert text in html, f"{name}: {text!r} is not in the HTML the server sends"
    main = re.search(r"<main\b.*?</main>", html, re.S)
    assert main and (text in main.group(0) or name == "login"), f"{name}: the text is outside <main>"
    for form in Tags(html).of("form"):
        method = form.get("method", "get").lower()
        assert method in ("get", "post"), form
        if method == "post":
            assert form.get("action"), f"{name}: a form posting nowhere without script: {form}"


# --- forms work as plain posts --------------------------------------------------------------------------------


class Form(HTMLParser):
    """The fields of the form posting to ``action``, filled as a person would: the first choice of each radio
    group, the first option of each select, hidden fields as given, a few words in each text box."""

    def __init__(self, html: str, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.found = action, False, False
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self.feed(html)
        assert self.found, f"no form posts to {action}"

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action", "").endswith(self.action):
            self.inside = self.found = True
        if self.inside and tag == "option" and self._select and a.get("value"):
            self.data.setdefault(self._select, a["value"])
        if not self.inside or "name" not in a:
            return
        name, kind = a["name"], a.get("type", "text")
        if tag == "input" and kind in ("hidden", "text", "tel", "number", "date"):
            self.data.setdefault(name, a.get("value") or ("1" if kind == "number" else "好"))
        elif tag == "input" and kind in ("radio", "checkbox"):
            self.data.setdefault(name, a.get("value", "on"))
        elif tag == "textarea":
            self.data.setdefault(name, "好")
        elif tag == "select":
            self._select = name
        elif tag == "button" and a.get("value"):
            self.data.setdefault(name, a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "select":
            self._select = None


def post_as_a_plain_form(client, page_url: str, action: str):
    html = client.get(page_url).content.decode()
    return client.post(action, Form(html, action).data)


def test_supporting_a_matter_is_a_plain_form_post(client, story, town):
    _resident, matter, *_rest = story
    neighbour = town.neighbour
    client.force_login(neighbour)
    response = post_as_a_plain_form(client, f"/m/{matter.pk}/", f"/m/{matter.pk}/support/")
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.supporter_count == 1


def test_answering_a_survey_is_a_plain_form_post(client, story):
    resident, _matter, _vote, survey, _pages = story
    client.force_login(resident)
    response = post_as_a_plain_form(client, f"/surveys/{survey.pk}/", f"/surveys/{survey.pk}/answer/")
    assert response.status_code in (200, 302)
    assert Response.objects.filter(survey=survey, channel="online").count() == 1


def test_voting_is_two_plain_form_posts_choose_then_confirm(client, story):
    resident, _matter, vote, *_rest = story
    client.force_login(resident)
    ballot = f"/votes/{vote.pk}/ballot/"
    confirm = client.post(ballot, Form(client.get(ballot).content.decode(), ballot).data)
    cast = Ballot.objects.filter(vote=vote, option__isnull=False)  # the seats' ballots are issued at opening
    assert confirm.status_code == 200 and not cast.exists()
    done = client.post(ballot, Form(confirm.content.decode(), ballot).data)
    assert done.status_code in (200, 302)
    assert cast.count() == 1


# --- list pages cost the same with more items ----------------------------------------------------------------


def commented(town):
    """The matter the comments of ``_fill`` go on (made once)."""
    if not hasattr(town, "commented"):
        town.commented = matters.raise_matter(
            actor=town.resident,
            region=town.tree.compound,
            category=town.category,
            title="评论很多的议题",
            description="大家说说。",
        )
    return town.commented


def _fill(town, start: int, n: int):
    t, secretary, residents, category = town.tree, town.secretary, town.residents, town.category
    soon = timezone.now() + datetime.timedelta(days=3)
    for i in range(start, start + n):
        who = residents[i % len(residents)]
        m = matters.raise_matter(
            actor=who, region=t.compound, category=category, title=f"议题{i:02d}", description="请社区处理。"
        )
        for other in residents:
            if other != who and i % 2:
                matters.support(actor=other, matter=m)
        post_notice(
            actor=secretary,
            region=t.community,
            kind="progress",
            title=f"公告{i:02d}",
            body="…",
            period_days=10,
        )
        meeting = preparing.create_meeting(
            actor=secretary,
            region=t.community,
            form="consultation",
            platform="party_hall",
            title=f"会议{i:02d}",
            starts_at=soon,
            place="议事厅",
        )
        preparing.invite(actor=secretary, meeting=meeting, people=residents)
        announcing.announce(actor=secretary, meeting=meeting, late_reason="紧急")
        vote = drafting.create_vote(actor=secretary, region=t.community, question=f"表决{i:02d}")
        if i % 2:
            drafting.open_vote(actor=secretary, vote=vote)
        survey = surveys.create_survey(actor=secretary, region=t.compound, title=f"调查{i:02d}")
        surveys.add_question(
            actor=secretary, survey=survey, kind="single", text="同意吗？", choices=["同意", "不同意"]
        )
        surveys.open_survey(actor=secretary, survey=survey)
        comment = comments.post_comment(actor=who, matter=commented(town), body=f"评论{i:02d}")
        if i % 2:
            comments.reply(actor=secretary, comment=comment, body=f"回复{i:02d}")


def list_pages(town) -> dict[str, tuple[object, str, str]]:
    t, secretary, residents = town.tree, town.secretary, town.residents
    return {  # page: (who reads it, url, the newest item's text)
        "matters of the compound": (residents[0], f"/r/{t.compound.pk}/matters/", "议题"),
        "matters of the community": (None, f"/r/{t.community.pk}/matters/", "议题"),
        "region home": (residents[0], f"/r/{t.community.pk}/", ""),
        "board": (None, f"/r/{t.community.pk}/board/", "公告"),
        "votes of the community": (residents[0], f"/r/{t.community.pk}/votes/", "表决"),
        "my votes": (residents[0], "/votes/", "表决"),
        "surveys of the compound": (residents[0], f"/r/{t.compound.pk}/surveys/", "调查"),
        "meetings": (secretary, "/meetings/", "会议"),
        "my invitations": (residents[0], "/meetings/", "会议"),
        "home": (residents[0], "/work/", ""),
        "a matter's comments": (residents[1], f"/m/{commented(town).pk}/", "评论"),
    }


def count_queries(client, who, url) -> tuple[int, str]:
    client.logout()
    if who is not None:
        client.force_login(who)
    client.get(url)  # warm: session, content types, translations
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def test_list_pages_cost_as_many_queries_with_thirty_items_as_with_three(client, town):
    pages = list_pages(town)
    _fill(town, 0, 3)
    three = {name: count_queries(client, who, url) for name, (who, url, _text) in pages.items()}
    _fill(town, 3, 27)
    thirty = {name: count_queries(client, who, url) for name, (who, url, _text) in pages.items()}
    for name, (_who, _url, text) in pages.items():
        if text:
            assert f"{text}29" in thirty[name][1] or f"{text}02" in thirty[name][1], f"{name} lists the items"
    grew = {name: (three[name][0], thirty[name][0]) for name in pages if three[name][0] != thirty[name][0]}
    assert not grew, f"queries with 3 items, with 30: {grew}"
