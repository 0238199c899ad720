"""The matter pages through the Django test client: the list, the matter page at every step, the dossier,
raising and recording a matter. The helpers here walk a matter to a step; the other page tests import them."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from PIL import Image

from tests import builders
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.matters.models import Matter, Photo, Status
from yishi.meetings.holding import record_session
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import definitions
from yishi.procedures import services as engine
from yishi.reviews.services import submit_review
from yishi.works.services import assign_work, report_progress, supervise

SCRIPT = "<script>alert(1)</script>"
SHORT_REASON = "小修小补：一次协商即可分工，不需要公约和表决"

# The state a matter is left in by walk(): each procedure's steps, then "resolved".
EIGHT = ["raise", "ideas", "draft", "consensus", "review", "vote", "implement", "publish", "resolved"]
SHORT = ["raise", "consult", "implement", "publish", "resolved"]


# --- helpers shared by the page tests -------------------------------------------------------------------


def tr(msgid: str, language: str = "zh-hans") -> str:
    """The text a page shows for ``msgid`` (pages are in zh-hans unless the visitor chose English)."""
    with translation.override(language):
        return translation.gettext(msgid)


def in_words(lazy, language: str = "zh-hans") -> str:
    """A lazy label (a step's name) as the page shows it."""
    with translation.override(language):
        return str(lazy)


def html(response) -> str:
    return response.content.decode()


def shows(response, text: str) -> bool:
    """The text appears on the page as the template writes it (autoescaped)."""
    return escape(text) in html(response)


def section(response, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html(response), re.S)
    return match.group(0) if match else ""


def step_states(response) -> list[tuple[str, str]]:
    """The step indicator as (state, label) pairs."""
    return re.findall(r'<li class="step (\w+)"[^>]*>\s*<strong>([^<]+)</strong>', html(response))


def missing_on_page(response) -> list[str]:
    block = re.search(r'<li class="step current".*?<ul class="missing">(.*?)</ul>', html(response), re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def options(response, name: str) -> list[str]:
    """The values offered by the select called ``name``."""
    select = re.search(rf'<select name="{name}".*?</select>', html(response), re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def messages_on(response) -> list[str]:
    return re.findall(r'<li class="(?:success|error)">(.*?)</li>', html(response))


def png(name: str = "flood.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def complete(p, m, step: str) -> None:
    """Record what completes ``step`` with the services, then advance as the community secretary."""
    if step in ("ideas", "consult"):
        flows.session(p, m)
    if step in ("draft", "consult"):
        flows.plan(p, m)
    if step in ("consensus", "consult"):
        record_consensus(
            actor=p.secretary,
            matter=m,
            version=m.plan_versions.order_by("-number").first(),
            minutes="各单位各负其责，按期完成",
        )
    if step == "review":
        submit_review(actor=p.lawyer, matter=m, decision="approve", opinion="方案合法可行。")
    if step == "vote":
        flows.vote(p, m, 20)
    if step == "implement":
        flows.implement_and_confirm(p, m, p.neighbour)
    if step == "publish":
        flows.publish(p, m)
    engine.advance(actor=p.secretary, matter=m)


def walk(p, to: str, *, procedure: str = "eight_steps", back_to_back: bool = False, supported: bool = True):
    """The flooded lane raised by 刘桂兰, supported by 王建国, and taken to step ``to`` (or "resolved")."""
    m = flows.raise_flood(p, back_to_back=back_to_back)
    if supported:
        matters.support(actor=p.neighbour, matter=m)
    if to == "raise":
        return Matter.objects.get(pk=m.pk)
    matters.accept(
        actor=p.secretary,
        matter=m,
        procedure_key=procedure,
        procedure_reason=SHORT_REASON if procedure == "short_path" else "",
    )
    for step in definitions.get(procedure).steps[1:]:
        if step.key == to:
            break
        complete(p, m, step.key)
    return Matter.objects.get(pk=m.pk)


def other_matter(p, title="三单元楼道灯坏了", region=None, by=None):
    return matters.raise_matter(
        actor=by or p.neighbour,
        region=region or p.tree.compound,
        category=p.category,
        title=title,
        description="晚上楼道一片漆黑，老人上下楼不安全。",
    )


@pytest.fixture
def bureau(place):
    who = builders.person("民政局科员")
    builders.role(who, "bureau", place.tree.district)
    return who


# --- the list of a region's matters ---------------------------------------------------------------------


def test_the_list_shows_matters_at_and_below_the_region_and_none_from_next_door(place, client):
    here = flows.raise_flood(place)
    next_door = other_matter(place, title="戒毒所小区垃圾堆", region=place.tree.sibling_compound)

    response = client.get(f"/r/{place.tree.community.pk}/matters/")

    assert response.status_code == 200
    assert f'href="/m/{here.pk}/"' in html(response)
    assert f'href="/m/{next_door.pk}/"' not in html(response)


def test_the_list_filters_by_status(place, client):
    new = flows.raise_flood(place)
    opened = walk(place, "ideas")
    resolved = walk(place, "resolved")
    declined = matters.decline(actor=place.secretary, matter=other_matter(place), reason="属于个人纠纷")
    url = f"/r/{place.tree.community.pk}/matters/"

    def listed(query):
        return {int(pk) for pk in re.findall(r'<li><a href="/m/(\d+)/">', html(client.get(url + query)))}

    assert listed("") == {new.pk, opened.pk, resolved.pk, declined.pk}
    assert listed("?status=new") == {new.pk}
    assert listed("?status=open") == {opened.pk}
    assert listed("?status=resolved") == {resolved.pk}
    assert listed("?status=closed") == {declined.pk}
    assert listed("?status=nonsense") == listed("")


def test_the_list_shows_fifteen_a_page_and_keeps_the_filter_in_the_page_links(place, client):
    for i in range(17):
        other_matter(place, title=f"第{i}号问题")
    url = f"/r/{place.tree.community.pk}/matters/?status=new"

    first, second = client.get(url), client.get(url + "&page=2")

    assert len(re.findall(r'<li><a href="/m/\d+/">', html(first))) == 15
    assert len(re.findall(r'<li><a href="/m/\d+/">', html(second))) == 2
    assert re.search(r'href="\?status=new&(amp;)?page=2"', html(first))
    assert re.search(r'href="\?status=new&(amp;)?page=1"', html(second))


def test_a_status_that_is_not_a_filter_is_not_written_into_the_page_links(place, client):
    for i in range(16):
        other_matter(place, title=f"第{i}号问题")

    response = client.get(f"/r/{place.tree.community.pk}/matters/?status=%22%3E%3Cb%3Ex")

    assert re.search(r'href="\?status=&(amp;)?page=2"', html(response))
    assert "&quot;&gt;&lt;b&gt;x" not in html(response)


def test_titles_are_escaped_on_the_list_and_the_matter_page(place, client):
    m = other_matter(place, title=SCRIPT)

    for url in (f"/r/{place.tree.community.pk}/matters/", f"/m/{m.pk}/", f"/m/{m.pk}/dossier/"):
        response = client.get(url)
        assert SCRIPT not in html(response), url
        assert escape(SCRIPT) in html(response), url


def test_the_list_of_a_region_that_does_not_exist_is_not_found(client, db):
    assert client.get("/r/999999/matters/").status_code == 404


# --- the matter page at every step ----------------------------------------------------------------------


MISSING_WHEN_ARRIVED = {
    "raise": ("The matter has not been screened yet.", {}),
    "ideas": ("No consultation session has been recorded.", {}),
    "consult": ("No consultation session has been recorded.", {}),
    "draft": ("No plan has been drafted.", {}),
    "consensus": ("No meeting has yet agreed on version %(n)s of the plan.", {"n": 1}),
    "review": ("The expert review has not approved version %(n)s of the plan yet.", {"n": 1}),
    "vote": ("The representatives have not voted on the plan yet.", {}),
    "implement": ("No tasks have been assigned.", {}),
    "publish": ("The result has not been posted on the public board.", {}),
}

PARTS_WITHOUT_TASK_AT_ARRIVAL = "方案中还有3项没有分派任务：“维修坑洼路面”、“提示辖区居民”、“维持现场秩序”。"


def _assert_indicator(response, procedure, at: str):
    labels = [in_words(s.label) for s in procedure.steps]
    keys = [s.key for s in procedure.steps]
    here = len(keys) if at == "resolved" else keys.index(at)
    expected = [("done", escape(label)) for label in labels[:here]]
    if at != "resolved":
        expected += [("current", escape(labels[here]))] + [
            ("waiting", escape(lb)) for lb in labels[here + 1 :]
        ]
    assert step_states(response) == expected
    assert shows(response, in_words(procedure.label))


@pytest.mark.parametrize("at", EIGHT)
def test_the_matter_page_shows_each_of_the_eight_steps_as_done_current_or_waiting(place, client, at):
    m = walk(place, at)

    response = client.get(f"/m/{m.pk}/")

    assert response.status_code == 200
    _assert_indicator(response, definitions.EIGHT_STEPS, at)
    if at == "resolved":
        assert missing_on_page(response) == []
        assert 'aria-current="step"' not in html(response)
    else:
        msgid, params = MISSING_WHEN_ARRIVED[at]
        # On arrival at implementation, no part of the plan has its task yet (flows.plan has three parts).
        first = [escape(PARTS_WITHOUT_TASK_AT_ARRIVAL)] if at == "implement" else []
        assert missing_on_page(response) == [*first, escape(tr(msgid) % params)]
        assert html(response).count('aria-current="step"') == 1
    assert not section(response, "dev-h"), "the eight steps depart from nothing"


@pytest.mark.parametrize("at", SHORT)
def test_the_matter_page_shows_each_step_of_the_short_path_and_its_reason(place, client, at):
    m = walk(place, at, procedure="short_path")

    response = client.get(f"/m/{m.pk}/")

    assert response.status_code == 200
    if at == "raise":  # not screened yet: it is on no procedure, the default is shown
        _assert_indicator(response, definitions.EIGHT_STEPS, at)
        return
    _assert_indicator(response, definitions.SHORT_PATH, at)
    if at != "resolved":
        msgid, params = MISSING_WHEN_ARRIVED[at]
        assert escape(tr(msgid) % params) in missing_on_page(response)
    panel = re.search(r'<section aria-labelledby="dev-h".*?</section>', html(response), re.S).group(0)
    assert escape(tr("Departures from the eight steps")) in panel
    assert SHORT_REASON in panel
    for left_out in ("review", "vote"):
        assert escape(in_words(definitions.EIGHT_STEPS.step(left_out).label)) in panel


def test_the_missing_evidence_goes_away_once_it_is_recorded(place, client):
    m = walk(place, "ideas")
    flows.session(place, m)

    response = client.get(f"/m/{m.pk}/")

    assert missing_on_page(response) == []
    assert ("current", escape(in_words(definitions.EIGHT_STEPS.step("ideas").label))) in step_states(response)


def test_a_consultation_with_several_missing_pieces_lists_each_in_words(place, client):
    m = walk(place, "consult", procedure="short_path")
    flows.session(place, m)

    response = client.get(f"/m/{m.pk}/")

    # The plan and the consensus on it are both missing, but the consensus is missing because the plan is: the
    # page says so once (it said it twice; issue 16, point 4).
    assert missing_on_page(response) == [escape(tr("No plan has been drafted."))]


def test_a_matter_closed_at_screening_shows_no_step_indicator_but_its_public_reason(place, client):
    m = matters.decline(
        actor=place.secretary, matter=flows.raise_flood(place), reason="属于个人纠纷，建议调解"
    )

    response = client.get(f"/m/{m.pk}/")

    assert step_states(response) == []
    assert "属于个人纠纷，建议调解" in html(response)
    assert shows(response, tr("declined"))


def test_a_sent_back_matter_counts_the_return_on_its_step_and_as_a_departure(place, client):
    m = walk(place, "consensus")
    engine.return_to(actor=place.secretary, matter=m, step_key="draft", reason="预算需要重新核算")

    response = client.get(f"/m/{m.pk}/")

    draft = escape(in_words(definitions.EIGHT_STEPS.step("draft").label))
    assert ("current", draft) in step_states(response)
    assert "预算需要重新核算" in section(response, "dev-h")
    assert "预算需要重新核算" in section(response, "hist-h")


def test_the_matter_page_shows_sessions_plan_tasks_and_notices_to_anyone(place, client):
    m = walk(place, "resolved")

    response = client.get(f"/m/{m.pk}/")

    assert response.status_code == 200
    page = html(response)
    for text in (
        "让居民出行安全，对低洼路段进行维修",
        "先修补坑洼",
        "修复小区西侧坑洼路段",
        "维修坑洼路面",
        "市消防救援支队",
        "4处破损路面已维修",
        "小路维修完成",
        "方案合法可行。",
    ):
        assert text in page, text
    assert "<form" not in page.split('<main id="main">')[1], "nobody logged in: nothing to do"


def test_an_unknown_matter_is_not_found(client, db):
    assert client.get("/m/999999/").status_code == 404
    assert client.get("/m/999999/dossier/").status_code == 404


def test_each_form_on_the_matter_page_has_its_own_element_ids(place, client):
    m = walk(place, "consensus")
    client.force_login(place.secretary)

    ids = re.findall(r'\sid="(id_[^"]+)"', html(client.get(f"/m/{m.pk}/")))

    assert ids, "the secretary has forms here"
    assert len(ids) == len(set(ids))


# --- the dossier ----------------------------------------------------------------------------------------


def test_the_dossier_holds_the_whole_history_in_words(place, client):
    m = walk(place, "resolved")

    response = client.get(f"/m/{m.pk}/dossier/")

    assert response.status_code == 200
    page = html(response)
    for text in (
        "小区西侧小路积水",
        "让居民出行安全，对低洼路段进行维修",
        "先修补坑洼",
        "修复小区西侧坑洼路段",
        "维修坑洼路面",
        "提示辖区居民",
        "丽景社区居委会",
        "方案合法可行。",
        "各单位各负其责，按期完成",
        "4处破损路面已维修",
        "小路维修完成",
        "4处破损路面已维修。",
        "刘**",  # the submitter, masked for the public (issue 13)
    ):
        assert text in page, text
    assert "刘桂兰" not in page
    assert escape(tr("passed")) in page
    assert escape(tr("posted for %(d)s days") % {"d": 10}) in page
    history = page.split(escape(tr("History")))[-1]
    for step in definitions.EIGHT_STEPS.steps:
        assert escape(in_words(step.label)) in history, step.key
    assert not re.search(r"\b(raise|ideas|draft) →", history), "steps are named in words, not by their keys"
    assert escape(tr("resolved and closed")) in history
    assert "<form" not in page


def test_the_dossier_of_a_declined_matter_keeps_the_reason_and_when(place, client):
    m = matters.decline(
        actor=place.secretary, matter=flows.raise_flood(place), reason="属于个人纠纷，建议调解"
    )

    response = client.get(f"/m/{m.pk}/dossier/")

    history = html(response).split(escape(tr("History")))[-1]
    assert escape(tr("declined")) in history
    assert "属于个人纠纷，建议调解" in history


def test_the_dossier_of_a_short_path_matter_shows_its_reason(place, client):
    m = walk(place, "implement", procedure="short_path")

    response = client.get(f"/m/{m.pk}/dossier/")

    assert SHORT_REASON in html(response)
    assert escape(in_words(definitions.SHORT_PATH.label)) in html(response)


# --- raising a matter: /m/new/ --------------------------------------------------------------------------


def _raise_data(p, **changes):
    data = {
        "region": p.tree.compound.pk,
        "category": p.category.pk,
        "title": "1号楼电梯经常停运",
        "description": "电梯一周坏了三次，老人下不了楼。",
        "location": "1号楼",
    }
    return data | changes


def test_raising_needs_a_login(client, db):
    response = client.get("/m/new/")
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=/m/new/")


def test_the_raise_form_offers_the_region_asked_for(place, client):
    client.force_login(place.resident)

    response = client.get(f"/m/new/?region={place.tree.compound.pk}")

    assert response.status_code == 200
    assert re.search(
        rf'<option value="{place.tree.compound.pk}" selected>万泰丽景小区</option>', html(response)
    )


def test_a_resident_raises_a_matter_and_lands_on_its_page(place, client):
    client.force_login(place.resident)

    response = client.post("/m/new/", _raise_data(place), follow=True)

    m = Matter.objects.get()
    assert response.redirect_chain == [(f"/m/{m.pk}/", 302)]
    assert (m.title, m.submitter, m.status, m.back_to_back) == (
        "1号楼电梯经常停运",
        place.resident,
        Status.NEW,
        False,
    )
    assert messages_on(response) == [
        escape(tr("Your matter has been recorded. The community will screen it."))
    ]


def test_a_raise_without_a_title_is_refused_with_the_reason_and_nothing_is_saved(place, client):
    client.force_login(place.resident)

    response = client.post("/m/new/", _raise_data(place, title=" "))

    assert response.status_code == 400
    assert shows(response, tr("This field is required."))
    assert not Matter.objects.exists()


def test_a_matter_like_an_open_one_is_offered_first_and_created_only_when_sent_again(place, client):
    flood = flows.raise_flood(place)
    client.force_login(place.neighbour)
    data = _raise_data(place, title="小区西边小路一下雨就积水", description="下雨积水，有老人摔伤了。")

    offered = client.post("/m/new/", data)

    assert offered.status_code == 200
    assert shows(offered, tr("Is it one of these?"))
    assert f'href="/m/{flood.pk}/"' in html(offered)
    assert f'action="/m/{flood.pk}/support/"' in html(offered)
    assert Matter.objects.count() == 1
    assert re.search(r'<input type="hidden" name="confirmed_new" value="on"', html(offered))

    sent_again = client.post("/m/new/", data | {"confirmed_new": "on"})

    assert sent_again.status_code == 302
    assert Matter.objects.count() == 2


def test_a_matter_unlike_any_open_one_is_created_at_once(place, client):
    flows.raise_flood(place)
    client.force_login(place.neighbour)

    response = client.post("/m/new/", _raise_data(place))

    assert response.status_code == 302
    assert Matter.objects.count() == 2


def test_a_real_photo_is_accepted_and_stored_re_encoded(place, client):
    client.force_login(place.resident)
    upload = png(size=(40, 30))

    response = client.post("/m/new/", _raise_data(place, photos=[upload]))

    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.image.name.endswith(".jpg")
    with Image.open(photo.image.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (40, 30))
    assert (photo.width, photo.height) == (40, 30)
    page = client.get(response.url)
    assert f'src="{photo.image.url}"' in html(page)


def test_a_text_file_named_jpg_is_refused_clearly_and_nothing_is_saved(place, client, settings):
    client.force_login(place.resident)
    fake = SimpleUploadedFile("flood.jpg", b"this is not a picture at all", content_type="image/jpeg")

    response = client.post("/m/new/", _raise_data(place, photos=[fake]))

    assert response.status_code == 400
    assert shows(response, tr("This file is not a photo that can be read."))
    assert response.context["form"].errors["photos"] == [tr("This file is not a photo that can be read.")]
    assert not Matter.objects.exists()
    assert not Photo.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_similar_matter_offer_warns_that_photos_must_be_chosen_again(place, client):
    flows.raise_flood(place)
    client.force_login(place.neighbour)
    data = _raise_data(place, title="小区西边小路一下雨就积水", description="下雨积水，有老人摔伤了。")

    response = client.post("/m/new/", data | {"photos": [png()]})

    assert shows(response, tr("Choose your photos again: they are not kept between the two sendings."))
    assert not Photo.objects.exists()


# --- recording a matter brought in person: /m/record/ ---------------------------------------------------


def test_recording_is_for_staff_only(place, client):
    assert client.get("/m/record/").status_code == 302
    for who in (place.resident, place.council, place.lawyer, place.fire_staff):
        client.force_login(who)
        assert client.get("/m/record/").status_code == 403, who.name
        assert client.post("/m/record/", {}).status_code == 403, who.name
    client.force_login(place.secretary)
    assert client.get("/m/record/").status_code == 200


def test_the_record_form_hides_the_residents_name_not_the_workers(place, client):
    """A worker fills it for a resident: "my name" on it read as the worker's (issue 16, point 4)."""
    client.force_login(place.secretary)
    page = client.get("/m/record/").content.decode()
    assert "背靠背：不向工作人员和公众显示这位居民的姓名" in page
    assert "显示我的姓名" not in page
    client.force_login(place.resident)
    assert "背靠背：不向工作人员和公众显示我的姓名" in client.get("/m/new/").content.decode()


def test_staff_may_record_only_in_their_own_community(place, client):
    client.force_login(place.other_secretary)

    form = client.get("/m/record/")
    response = client.post("/m/record/", _raise_data(place, channel="visit"))

    assert options(form, "region") == ["", str(place.tree.sibling.pk), str(place.tree.sibling_compound.pk)]
    assert response.status_code == 400
    assert not Matter.objects.exists()


def test_staff_record_a_visit_for_a_registered_resident_by_mobile(place, client):
    client.force_login(place.secretary)

    response = client.post(
        "/m/record/", _raise_data(place, channel="visit", submitter_phone=place.neighbour.phone)
    )

    m = Matter.objects.get()
    assert response.status_code == 302 and response.url == f"/m/{m.pk}/"
    assert (m.channel, m.submitter, m.recorded_by) == ("visit", place.neighbour, place.secretary)


def test_recording_with_an_unknown_mobile_is_refused_with_the_reason(place, client):
    client.force_login(place.secretary)

    response = client.post("/m/record/", _raise_data(place, channel="visit", submitter_phone="13999999999"))

    assert response.status_code == 400
    assert shows(response, tr("No resident is registered with this number; give the name instead."))
    assert not Matter.objects.exists()


def test_a_back_to_back_record_with_a_name_is_refused_and_nothing_is_saved(place, client):
    client.force_login(place.secretary)

    response = client.post(
        "/m/record/", _raise_data(place, channel="box", submitter_name="老王", back_to_back="on")
    )

    assert response.status_code == 400
    assert shows(response, tr("A back-to-back matter keeps no name: leave the resident's name empty."))
    assert not Matter.objects.exists()


# --- the number of queries does not grow with the matter ------------------------------------------------


def rich(p, n: int):
    """A matter at implementation with n sessions of n ideas, n plan versions of n parts, n expert reviews,
    and n tasks with n reports and a supervision each."""
    m = flows.raise_flood(p)
    matters.support(actor=p.neighbour, matter=m)
    matters.accept(actor=p.secretary, matter=m)
    for i in range(n):
        record_session(
            actor=p.secretary,
            matter=m,
            title=f"恳谈{i}",
            held_at=p.now,
            place="议事厅",
            attendance=5,
            ideas=[(f"主意{i}-{j}", f"居民{j}") for j in range(n)],
        )
    engine.advance(actor=p.secretary, matter=m)
    for i in range(n):
        version = draft_version(
            actor=p.council,
            matter=m,
            summary=f"方案{i}",
            parts=[
                {"what": f"分工{j}", "unit": p.fire if j % 2 else p.property, "due_on": p.soon}
                for j in range(n)
            ],
        )
    engine.advance(actor=p.secretary, matter=m)
    record_consensus(actor=p.secretary, matter=m, version=version, minutes="同意")
    engine.advance(actor=p.secretary, matter=m)
    for i in range(n):
        expert = builders.person(f"专家{i}")
        builders.role(expert, "expert", p.tree.city, expertise="legal")
        submit_review(actor=expert, matter=m, decision="approve", opinion=f"意见{i}")
    engine.advance(actor=p.secretary, matter=m)
    flows.vote(p, m, 20)
    engine.advance(actor=p.secretary, matter=m)
    for i in range(n):
        work = assign_work(actor=p.secretary, matter=m, title=f"任务{i}", unit=p.fire, due_on=p.soon)
        for j in range(n):
            report_progress(actor=p.fire_staff, work=work, text=f"进展{j}", done=j == n - 1)
        supervise(actor=p.neighbour, work=work, verdict="reopen", reason="还有一处没修好")
    return Matter.objects.get(pk=m.pk)


def _queries(client, url) -> int:
    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["secretary", "neighbour", "fire_staff", "lawyer", None])
@pytest.mark.parametrize("suffix", ["", "dossier/"])
def test_the_matter_page_costs_as_many_queries_with_five_of_everything_as_with_one(
    place, client, viewer, suffix
):
    if viewer:
        client.force_login(getattr(place, viewer))
    one, five = rich(place, 1), rich(place, 5)

    assert _queries(client, f"/m/{five.pk}/{suffix}") == _queries(client, f"/m/{one.pk}/{suffix}")


# --- the similar-matter offer when staff record a visit -------------------------------------------------


def test_staff_recording_a_visit_like_an_open_matter_may_add_the_residents_name_to_it(place, client):
    flood = flows.raise_flood(place)
    client.force_login(place.secretary)
    data = _raise_data(
        place,
        channel="visit",
        title="西边小路下雨积水",
        description="居民来访：小区西边的小路一下雨就积水，有人摔伤",
        submitter_phone=place.neighbour.phone,
    )

    offered = client.post("/m/record/", data)

    assert offered.status_code == 200
    assert shows(offered, tr("Is it one of these?"))
    offer = re.search(
        rf'<form method="post" action="/m/{flood.pk}/support/".*?</form>', html(offered), re.S
    ).group(0)
    assert f'name="phone" value="{place.neighbour.phone}"' in offer
    assert Matter.objects.count() == 1

    added = client.post(f"/m/{flood.pk}/support/", {"phone": place.neighbour.phone})

    assert added.status_code == 302 and added.url == f"/m/{flood.pk}/"
    flood.refresh_from_db()
    assert flood.supporter_count == 1 and flood.supports.get().person == place.neighbour
    assert Matter.objects.count() == 1


def test_recording_an_unnamed_visit_like_an_open_matter_offers_it_but_adds_nobodys_name(place, client):
    flood = flows.raise_flood(place)
    client.force_login(place.secretary)
    data = _raise_data(
        place,
        channel="hotline",
        title="西边小路下雨积水",
        description="热线反映：小区西边的小路一下雨就积水，有人摔伤",
    )

    offered = client.post("/m/record/", data)

    assert f'href="/m/{flood.pk}/"' in html(offered)
    assert f'action="/m/{flood.pk}/support/"' not in html(offered), "it would add the secretary's own name"
    assert client.post("/m/record/", data | {"confirmed_new": "on"}).status_code == 302
    assert Matter.objects.count() == 2


def test_the_raise_and_record_forms_post_to_their_own_addresses(place, client):
    client.force_login(place.secretary)
    assert '<form method="post" action="/m/new/"' in html(client.get("/m/new/"))
    assert '<form method="post" action="/m/record/"' in html(client.get("/m/record/"))


def test_the_list_costs_as_many_queries_with_fifteen_matters_as_with_one(place, client):
    other_matter(place, title="第一个问题")
    one = _queries(client, f"/r/{place.tree.community.pk}/matters/")
    for i in range(14):
        other_matter(place, title=f"第{i}号问题", region=place.tree.building if i % 2 else None)

    assert _queries(client, f"/r/{place.tree.community.pk}/matters/") == one
