"""Posting is limited per person: 5 a minute and 30 an hour, comments and replies together, page and API alike.
A tripped limit answers with the 429 page, or the API's Problem with code ``rate_limited``."""

import zlib
from unittest import mock

from django.test import Client

from tests.comments.helpers import BACKEND, flood
from tests.matters.test_pages import tr
from yishi.comments import services as comments
from yishi.comments.models import Comment


def login(person) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def test_the_sixth_post_in_a_minute_gets_the_429_page_and_saves_nothing(place):
    m = flood(place)
    client = login(place.neighbour)
    for i in range(5):
        assert client.post(f"/m/{m.pk}/comments/", {"body": f"第{i}条"}).status_code == 302
    response = client.post(f"/m/{m.pk}/comments/", {"body": "第六条"})
    assert response.status_code == 429
    assert (
        tr("Too many attempts in a short time. Please wait a few minutes and try again.")
        in response.content.decode()
    )
    assert Comment.objects.count() == 5
    # Another person is not held back by someone else's flood.
    assert login(place.outsider).post(f"/m/{m.pk}/comments/", {"body": "我的"}).status_code == 302


def test_replies_count_with_comments_and_the_api_shares_the_counter(place):
    m = flood(place)
    c = comments.post_comment(actor=place.outsider, matter=m, body="什么时候修？")
    client = login(place.neighbour)
    for i in range(3):
        assert client.post(f"/comments/{c.pk}/reply/", {"body": f"回复{i}"}).status_code == 302
    for i in range(2):
        assert (
            client.post(
                f"/api/v1/comments/matters/{m.pk}", {"body": f"意见{i}"}, content_type="application/json"
            ).status_code
            == 201
        )
    over = client.post(f"/api/v1/comments/{c.pk}/replies", {"body": "再回"}, content_type="application/json")
    assert over.status_code == 429 and over.json()["code"] == "rate_limited"
    assert client.post(f"/comments/{c.pk}/reply/", {"body": "再回"}).status_code == 429
    assert Comment.objects.filter(author=place.neighbour).count() == 5


def test_thirty_an_hour_even_when_spread_over_minutes(place):
    m = flood(place)
    client = login(place.neighbour)
    posted = 0
    # django-ratelimit counts in fixed windows, shifted per person: start just after this person's hour window
    # begins, then move the clock a minute (a new minute window) for each five posts.
    start = 3600 * 1000 + zlib.crc32(str(place.neighbour.pk).encode()) % 3600 + 1
    for minute in range(7):
        with mock.patch("django_ratelimit.core.time.time", return_value=start + 60 * minute):
            for _ in range(5):
                response = client.post(f"/m/{m.pk}/comments/", {"body": f"第{posted}条"})
                if response.status_code == 429:
                    break
                posted += 1
    assert posted == 30
    assert Comment.objects.count() == 30
