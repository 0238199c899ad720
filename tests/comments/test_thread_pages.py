"""The thread under a matter is read in one query, and shown 100 top-level threads a page, each with all its
replies, with plain links to the other pages (``?comments=2#comments``); every form works on every page."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from tests.comments.helpers import BACKEND, flood
from tests.matters.test_pages import tr
from yishi.comments import services as comments
from yishi.comments.models import Comment
from yishi.comments.paging import PAGE_SIZE
from yishi.comments.presenters import mask_name
from yishi.reminders.models import Notification


def section(response) -> str:
    match = re.search(r'<section id="comments".*?</section>', response.content.decode(), re.S)
    assert match, "no comment section on the page"
    return match.group(0)


def as_(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person, backend=BACKEND)
    return client


def threads(place, m, n: int, *, replies: int = 2, every: int = 3) -> list[Comment]:
    """``n`` top-level comments 意见000… a minute apart (oldest first); every ``every``-th gets ``replies``
    replies, the last of them the community's answer. Written directly: the page reads them, nothing more."""
    start = timezone.now() - datetime.timedelta(days=30)
    authors = [place.neighbour, place.outsider, place.resident]
    tops = Comment.objects.bulk_create(
        Comment(
            matter=m,
            author=authors[i % 3],
            body=f"意见{i:03d}",
            created_at=start + datetime.timedelta(minutes=i),
        )
        for i in range(n)
    )
    Comment.objects.bulk_create(
        Comment(
            matter=m,
            parent=c,
            author=place.secretary if j == replies - 1 else authors[(i + 1) % 3],
            staff_role="committee" if j == replies - 1 else "",
            body=f"回复{i:03d}-{j}",
            created_at=c.created_at + datetime.timedelta(seconds=j + 1),
        )
        for i, c in enumerate(tops)
        if i % every == 0
        for j in range(replies)
    )
    return tops


def comment_queries(client, url) -> tuple[int, int]:
    """(all the page's queries, those reading comments)."""
    client.get(url)  # warm: session, content types, translations
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries), sum('"comments_comment"' in q["sql"] for q in ctx.captured_queries)


# --- one query -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["secretary", "neighbour", None])
def test_the_thread_is_one_query_with_3_threads_as_with_60(place, viewer):
    client = as_(getattr(place, viewer) if viewer else None)
    small, big = flood(place), flood(place)
    threads(place, small, 3)
    hidden, *_rest = threads(place, big, 60)
    comments.hide(actor=place.secretary, comment=hidden, reason="人身攻击")

    few, many = comment_queries(client, f"/m/{small.pk}/"), comment_queries(client, f"/m/{big.pk}/")

    assert few == many and many[1] == 1, (few, many)
    page = section(client.get(f"/m/{big.pk}/"))
    assert page.count('<li id="comment-') == 60 + 20 * 2
    assert "意见059" in page and "回复057-1" in page


def test_the_api_list_costs_the_same_with_3_threads_as_with_60(place):
    client = as_(place.neighbour)
    small, big = flood(place), flood(place)
    threads(place, small, 3)
    threads(place, big, 60)
    url = "/api/v1/comments/matters/{}?limit=100"

    assert comment_queries(client, url.format(small.pk)) == comment_queries(client, url.format(big.pk))
    body = client.get(url.format(big.pk)).json()
    assert body["count"] == 60 and len(body["items"]) == 60
    assert [len(c["replies"]) for c in body["items"][:4]] == [2, 0, 0, 2]
    assert body["items"][3]["replies"][1]["community_answer"] is True


def test_the_api_pages_by_top_level_comment_as_before(place):
    m = flood(place)
    threads(place, m, 7)

    body = Client().get(f"/api/v1/comments/matters/{m.pk}", {"limit": 3, "offset": 6}).json()
    past = Client().get(f"/api/v1/comments/matters/{m.pk}", {"limit": 3, "offset": 9}).json()

    assert (body["count"], body["limit"], body["offset"]) == (7, 3, 6)
    assert [c["body"] for c in body["items"]] == ["意见006"]
    assert [r["body"] for r in body["items"][0]["replies"]] == ["回复006-0", "回复006-1"]
    assert (past["count"], past["items"]) == (7, [])


# --- pages -----------------------------------------------------------------------------------------------------


def test_a_full_page_has_no_link_and_one_more_thread_adds_page_2_with_the_rest(place):
    m = flood(place)
    tops = threads(place, m, PAGE_SIZE)
    client = as_(place.neighbour)

    page = section(client.get(f"/m/{m.pk}/"))
    assert "?comments=2" not in page and tr("Later comments") not in page
    assert page.count('class="comment panel') == 100

    later = Comment.objects.create(
        matter=m,
        author=place.outsider,
        body="意见100",
        created_at=tops[-1].created_at + datetime.timedelta(minutes=1),
    )
    Comment.objects.create(
        matter=m,
        parent=later,
        author=place.resident,
        body="回复100",
        created_at=later.created_at + datetime.timedelta(minutes=1),
    )
    first = section(client.get(f"/m/{m.pk}/"))
    second = section(client.get(f"/m/{m.pk}/", {"comments": 2}))

    assert f'href="/m/{m.pk}/?comments=2#comments"' in first and tr("Later comments") in first
    assert "意见100" not in first and "意见099" in first and "意见000" in first
    assert first.count('class="comment panel') == 100
    assert second.count('class="comment panel') == 1 and "意见100" in second and "回复100" in second
    assert "意见099" not in second
    assert f'href="/m/{m.pk}/#comments"' in second and tr("Earlier comments") in second
    assert (
        escape(tr("Page %(n)s of %(total)s") % {"n": 2, "total": 2}) in second
        or tr("Page %(n)s of %(total)s") % {"n": 2, "total": 2} in second
    )
    # The count is of the whole discussion, on every page.
    assert (
        f"<small>({100 + 34 * 2 + 2})</small>" in first and f"<small>({100 + 34 * 2 + 2})</small>" in second
    )
    # Every page has the form to comment and each thread's reply form.
    assert 'id="comment-form"' in second and f'action="/comments/{later.pk}/reply/"' in second


@pytest.mark.parametrize("asked", ["9", "0", "-1", "abc", "9" * 40])
def test_an_address_past_the_end_or_garbled_shows_a_real_page(place, asked):
    m = flood(place)
    threads(place, m, PAGE_SIZE + 1)
    page = section(Client().get(f"/m/{m.pk}/", {"comments": asked}))
    assert page.count('class="comment panel') in (1, 100)
    assert ("意见100" in page) == (asked == "9" or len(asked) > 3)


def test_posting_replying_and_moderating_on_page_2_come_back_to_page_2(place):
    m = flood(place)
    tops = threads(place, m, PAGE_SIZE + 1)
    on_two = tops[-1]
    resident = as_(place.neighbour)

    posted = resident.post(f"/m/{m.pk}/comments/?comments=2", {"body": "我也同意"})
    new = Comment.objects.get(body="我也同意")
    assert posted["Location"] == f"/m/{m.pk}/?comments=2#comment-{new.pk}"

    replied = resident.post(f"/comments/{on_two.pk}/reply/", {"body": "补充一句"})
    answer = Comment.objects.get(body="补充一句")
    assert replied["Location"] == f"/m/{m.pk}/?comments=2#comment-{answer.pk}"
    told = Notification.objects.filter(person=on_two.author).latest("pk")
    assert told.link.endswith(f"/m/{m.pk}/?comments=2#comment-{answer.pk}")

    empty = resident.post(f"/comments/{on_two.pk}/reply/", {"body": "  "})
    assert empty.status_code == 400
    again = section(empty)
    assert "意见100" in again and "意见000" not in again and escape(tr("Write your comment first.")) in again

    refused = resident.post(f"/m/{m.pk}/comments/?comments=2", {"body": "x" * 1001})
    assert refused.status_code == 400 and "意见100" in section(refused)

    secretary = as_(place.secretary)
    hidden = secretary.post(f"/comments/{on_two.pk}/hide/", {"reason": "广告"})
    assert hidden["Location"] == f"/m/{m.pk}/?comments=2#comment-{on_two.pk}"
    twice = secretary.post(f"/comments/{on_two.pk}/hide/", {"reason": "广告"})
    assert twice.status_code == 409
    assert escape(tr("This comment is already hidden.")) in section(twice) and "意见100" in section(twice)
    shown = secretary.post(f"/comments/{on_two.pk}/unhide/")
    assert shown["Location"] == f"/m/{m.pk}/?comments=2#comment-{on_two.pk}"


def test_a_hidden_comments_trace_still_shows_on_its_page(place):
    m = flood(place)
    tops = threads(place, m, PAGE_SIZE + 1)
    comments.hide(actor=place.secretary, comment=tops[-1], reason="人身攻击")
    trace = "人身攻击"

    for_resident = section(as_(place.neighbour).get(f"/m/{m.pk}/", {"comments": 2}))
    for_moderator = section(as_(place.secretary).get(f"/m/{m.pk}/", {"comments": 2}))

    assert f'id="comment-{tops[-1].pk}"' in for_resident and trace in for_resident
    assert 'class="hidden-trace"' in for_resident and "意见100" not in for_resident
    assert "意见100" in for_moderator and escape(tr("Only moderators see this")) in for_moderator
    assert trace not in section(as_(place.neighbour).get(f"/m/{m.pk}/"))


def test_on_a_back_to_back_matter_every_resident_is_a_resident_on_every_page(place):
    m = flood(place, back_to_back=True)
    threads(place, m, PAGE_SIZE + 1, every=1)
    viewer = as_(place.secretary)

    for asked in (1, 2):
        page = section(viewer.get(f"/m/{m.pk}/", {"comments": asked}))
        for person in (place.resident, place.neighbour, place.outsider):
            assert person.name not in page and escape(mask_name(person.name)) not in page, (
                asked,
                person.name,
            )
        assert escape(tr("a resident")) in page or tr("a resident") in page
        assert escape(tr("raised this matter")) not in page
