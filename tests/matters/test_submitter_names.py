"""个人信息保护法 (issue 13): a resident's name is shown whole only to whom it is needed.

刘桂兰 raises the flooded lane by name. Six people read its page, its dossier, the public board and the API:
anonymous, a plain resident, 刘桂兰 herself, the committee of the matter's community (who screen and handle it),
the committee of the sibling community and the bureau at the city. The whole name reaches only the committee and
herself; everyone else reads 刘**. A back-to-back matter names nobody to anyone, masked or whole: only the
submitter is told it is hers. On the board an objector is named like a submitter: whole to the staff who answer
and to themself, masked to everyone else.
"""

import json
import re

import pytest
from django.test import Client
from django.utils.html import escape

from tests import builders
from tests.matters.test_pages import tr, walk
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.matters.models import Channel
from yishi.matters.predicates import may_see_submitter_name
from yishi.notices.services import object_to
from yishi.people.phones import mask_name, mask_phone

VIEWERS = ["anonymous", "resident", "submitter", "committee", "sibling committee", "bureau"]
# Who reads a named submitter's whole name: herself and the staff who handle the matter.
WHOLE = {"submitter", "committee"}
NAME, MASKED = "刘桂兰", "刘**"
YOU = "you (back to back: hidden from everyone else)"
A_RESIDENT = "a resident (back to back)"


def viewer(place, who):
    if not hasattr(place, "bureau"):
        place.bureau = builders.person("民政局干部")
        builders.role(place.bureau, "bureau", place.tree.city)
    return {
        "anonymous": None,
        "resident": place.outsider,
        "submitter": place.resident,
        "committee": place.secretary,
        "sibling committee": place.other_secretary,
        "bureau": place.bureau,
    }[who]


def client_for(place, who) -> Client:
    client = Client()
    person = viewer(place, who)
    if person is not None:
        client.force_login(person)
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def raised_by_on_page(page: str) -> str:
    """The label after "raised by" in the matter page's facts line."""
    match = re.search(rf"{re.escape(escape(tr('raised by')))}\s+(.*?)\s*\n", page)
    assert match, "the page names who raised it"
    return match.group(1)


def raised_by_in_dossier(page: str) -> str:
    match = re.search(rf"<th>{re.escape(escape(tr('Raised by')))}</th><td>(.*?)</td>", page)
    assert match, "the dossier names who raised it"
    return match.group(1)


def expected(who: str) -> str:
    return NAME if who in WHOLE else MASKED


def not_whole_unless_entitled(who: str, body: str) -> None:
    """Anyone but herself (whose own name heads every page she reads) and the committee: the whole name nowhere."""
    if who not in WHOLE:
        assert NAME not in body


# --- a named matter: whole to the committee and herself, masked to everyone else ---------------------------


@pytest.mark.parametrize("who", VIEWERS)
def test_the_matter_page_names_the_submitter_whole_only_to_the_committee_and_herself(place, who):
    m = walk(place, "draft")

    page = text(client_for(place, who).get(f"/m/{m.pk}/"))

    assert raised_by_on_page(page) == expected(who)
    not_whole_unless_entitled(who, page)  # the timeline's "raised" row included


@pytest.mark.parametrize("who", VIEWERS)
def test_the_dossier_names_the_submitter_whole_only_to_the_committee_and_herself(place, who):
    m = walk(place, "resolved")

    page = text(client_for(place, who).get(f"/m/{m.pk}/dossier/"))

    assert raised_by_in_dossier(page) == expected(who)
    not_whole_unless_entitled(who, page)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_api_names_the_submitter_whole_only_to_the_committee_and_herself(place, who):
    m = walk(place, "draft")
    client = client_for(place, who)

    detail = client.get(f"/api/v1/matters/{m.pk}").json()
    listed = text(client.get("/api/v1/matters/", {"region": place.tree.community.pk}))

    assert detail["submitter"] == expected(who)
    not_whole_unless_entitled(who, json.dumps(detail, ensure_ascii=False))
    assert NAME not in listed and MASKED not in listed, "the list names nobody"


@pytest.mark.parametrize("who", VIEWERS)
def test_a_declined_request_and_its_notice_on_the_board_name_the_submitter_as_the_rule_says(place, who):
    """The case the issue found: an anonymous visitor read "提出人 刘桂兰" on a declined request."""
    m = flows.raise_flood(place)
    matters.decline(actor=place.secretary, matter=m, reason="属于市政道路，不在小区范围")
    client = client_for(place, who)

    assert raised_by_on_page(text(client.get(f"/m/{m.pk}/"))) == expected(who)
    notice = m.notices.get()
    for url in (
        f"/r/{place.tree.community.pk}/board/",
        f"/n/{notice.pk}/",
        f"/n/{notice.pk}/print/",
        f"/api/v1/board/{place.tree.community.pk}",
        f"/api/v1/board/notices/{notice.pk}",
    ):
        body = text(client.get(url))
        not_whole_unless_entitled(who, body)
        assert MASKED not in body, f"{url}: the notice names the matter, never who raised it"


@pytest.mark.parametrize("who", VIEWERS)
def test_a_name_staff_wrote_down_for_a_visitor_is_masked_like_any_other(place, who):
    """Someone who came to the office and is not registered: the name staff typed is personal too."""
    m = matters.record_matter(
        actor=place.secretary,
        region=place.tree.compound,
        category=place.category,
        title="楼道堆放杂物",
        description="三单元楼道堆满杂物，消防通道堵了。",
        channel=Channel.VISIT,
        submitter_name="蒋国强",
    )
    client = client_for(place, who)

    page = text(client.get(f"/m/{m.pk}/"))
    detail = client.get(f"/api/v1/matters/{m.pk}").json()

    whole = who == "committee"  # she did not raise this one
    assert raised_by_on_page(page) == ("蒋国强" if whole else "蒋**")
    assert detail["submitter"] == ("蒋国强" if whole else "蒋**")
    if not whole:
        assert "蒋国强" not in page


# --- the board: an objector is named like a submitter ------------------------------------------------------


@pytest.mark.parametrize("who", [*VIEWERS, "objector"])
def test_an_objector_on_the_board_is_named_whole_only_to_the_staff_who_answer_and_themself(place, who):
    m = walk(place, "resolved")
    notice = m.notices.order_by("pk").last()  # the result notice
    object_to(actor=place.neighbour, notice=notice, text="排水沟也要清理")
    client = Client()
    if who == "objector":
        client.force_login(place.neighbour)
    else:
        client = client_for(place, who)

    page = text(client.get(f"/n/{notice.pk}/"))
    api = client.get(f"/api/v1/board/notices/{notice.pk}").json()

    whole = who in {"committee", "objector"}
    shown = (
        place.neighbour.name
        if whole
        else f"{mask_name(place.neighbour.name)}（{mask_phone(place.neighbour.phone)}）"
    )
    assert shown in page
    assert [o["who"] for o in api["objections"]] == [shown]
    if not whole:
        assert place.neighbour.name not in page and place.neighbour.phone not in page


# --- back to back: no name to anyone ------------------------------------------------------------------------


@pytest.mark.parametrize("who", VIEWERS)
def test_a_back_to_back_submitter_is_named_to_nobody_not_even_masked(place, who):
    m = walk(place, "resolved", back_to_back=True)
    client = client_for(place, who)

    page = text(client.get(f"/m/{m.pk}/"))
    dossier = text(client.get(f"/m/{m.pk}/dossier/"))
    detail = client.get(f"/api/v1/matters/{m.pk}").json()

    label = tr(YOU) if who == "submitter" else tr(A_RESIDENT)
    assert raised_by_on_page(page) == escape(label)
    assert raised_by_in_dossier(dossier) == escape(label)
    assert detail["submitter"] == label
    for body in (page, dossier, json.dumps(detail, ensure_ascii=False)):
        assert MASKED not in body
        if who != "submitter":
            assert NAME not in body


# --- the rule itself ----------------------------------------------------------------------------------------


def test_the_rule_is_one_predicate_for_every_role(place):
    named = walk(place, "raise")
    hidden = walk(place, "raise", back_to_back=True)
    admin_role = builders.person("系统管理员")
    builders.role(admin_role, "admin", place.tree.city)

    for who in VIEWERS:
        person = viewer(place, who)
        assert may_see_submitter_name(person, named) is (who in WHOLE), who
        assert may_see_submitter_name(person, hidden) is (who == "submitter"), who
    assert may_see_submitter_name(admin_role, named) is True, "the admin role may screen it"
    assert may_see_submitter_name(admin_role, hidden) is False, "back to back: hidden from staff too"


@pytest.mark.parametrize(
    ("name", "masked"), [("刘桂兰", "刘**"), ("王五", "王*"), ("司马慧兰", "司***"), ("李", "*"), ("", "")]
)
def test_a_name_is_masked_to_its_first_character(name, masked):
    assert mask_name(name) == masked
