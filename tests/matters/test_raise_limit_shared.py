"""Raising a matter is limited to 20 an hour per person, one counter for the page and the API together:
mixing the two channels does not double the limit."""

import zlib
from unittest import mock

import pytest
from django.test import Client

from tests.matters.test_pages import tr
from yishi.matters.limits import RAISE_RATE
from yishi.matters.models import Matter

BACKEND = "yishi.people.backends.PhonePasswordBackend"
TOO_MANY = "Too many attempts in a short time. Please wait a few minutes and try again."


def page_data(p, i: int) -> dict:
    # Each matter unlike the others and confirmed new, so that no "is it one of these?" step intervenes.
    return {
        "region": p.tree.compound.pk,
        "category": p.category.pk,
        "title": f"{i}号楼电梯停运",
        "description": f"第{i}次：电梯坏了，老人下不了楼。",
        "location": f"{i}号楼",
        "confirmed_new": "on",
    }


def api_data(p, i: int) -> dict:
    return {
        "region": p.tree.compound.pk,
        "category": p.category.key,
        "title": f"{i}号路灯不亮",
        "description": f"第{i}次：路灯一直不亮，晚上看不清路。",
    }


def by_api(client, p, i: int):
    return client.post("/api/v1/matters/", api_data(p, i), content_type="application/json")


@pytest.fixture
def within_one_hour(place):
    # django-ratelimit counts in fixed windows shifted per person: start just after this person's hour window
    # begins, so that all the raises fall in one window.
    start = 3600 * 1000 + zlib.crc32(str(place.resident.pk).encode()) % 3600 + 1
    with mock.patch("django_ratelimit.core.time.time", return_value=start):
        yield


def test_twenty_raises_split_between_page_and_api_exhaust_one_shared_limit(place, within_one_hour):
    assert RAISE_RATE == "20/h"
    client = Client()
    client.force_login(place.resident, backend=BACKEND)
    for i in range(10):
        assert client.post("/m/new/", page_data(place, i)).status_code == 302
        assert by_api(client, place, i).status_code == 201
    assert Matter.objects.filter(submitter=place.resident).count() == 20

    page = client.post("/m/new/", page_data(place, 99))
    api = by_api(client, place, 99)

    assert page.status_code == 429 and tr(TOO_MANY) in page.content.decode()
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"
    assert Matter.objects.filter(submitter=place.resident).count() == 20
    # The counter is the person's: a neighbour raises as usual.
    other = Client()
    other.force_login(place.neighbour, backend=BACKEND)
    assert by_api(other, place, 100).status_code == 201


def test_reading_the_raise_form_counts_nothing(place, within_one_hour):
    client = Client()
    client.force_login(place.resident, backend=BACKEND)
    for _ in range(25):
        assert client.get("/m/new/").status_code == 200
    assert by_api(client, place, 0).status_code == 201
