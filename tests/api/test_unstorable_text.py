"""Text no database keeps as sent (a NUL, a lone surrogate) is refused where it arrives, alike on SQLite and
PostgreSQL: one clear message naming the field, and nothing saved."""

import json

import pytest
from django.test import Client
from django.utils import translation

from yishi.matters.models import Matter
from yishi.storable_text import is_storable, unstorable

API = "/api/v1/matters"
BACKEND = "yishi.people.backends.PhonePasswordBackend"
MESSAGE = (
    "The text contains a character that cannot be saved (a null character or a broken one): remove it and "
    "send again."
)


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def as_(person) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def body(p, **changes) -> dict:
    return {
        "region": p.tree.compound.pk,
        "category": "environment",
        "title": "小区西侧小路积水",
        "description": "那里一下雨就积水。",
        **changes,
    }


@pytest.mark.parametrize(
    ("text", "storable"),
    [("积水", True), ("", True), ("a\x00b", False), ("\ud800", False), ("x\udfffy", False), ("😀", True)],
)
def test_which_texts_can_be_stored(text, storable):
    assert is_storable(text) is storable


def test_every_unstorable_text_is_found_with_where_it_sits():
    data = {"title": "好", "parts": [{"what": "ok"}, {"what": "bad\x00"}], "bad\ud800key": 1, "n": 3}
    assert list(unstorable(data)) == [("parts", 1, "what"), ("bad\ud800key",)]


# The raw JSON text, as a client sends it: "\ud800" is valid JSON, and decodes to a lone surrogate.
@pytest.mark.parametrize("raw", ['"\\ud800 积水"', '"积水\\u0000"', '"\\udc00"'], ids=["high", "nul", "low"])
@pytest.mark.parametrize("field", ["title", "description"])
def test_the_api_refuses_a_title_or_description_that_cannot_be_stored(place, raw, field):
    payload = json.dumps(body(place), ensure_ascii=False).replace(
        json.dumps(body(place)[field], ensure_ascii=False), raw
    )
    assert raw in payload
    response = as_(place.resident).post(f"{API}/", payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json() == {"detail": zh(MESSAGE), "code": "unstorable_text", "field": field}
    assert not Matter.objects.exists()


def test_the_refusal_reaches_text_deep_in_a_body(place):
    payload = json.dumps({"decision": "accept", "procedure": "eight_steps", "note": ["ok", {"x": "\x00"}]})
    response = as_(place.secretary).post(f"{API}/1/screen", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "unstorable_text" and response.json()["field"] == "x"


def test_the_message_is_in_english_for_those_who_ask(place):
    payload = json.dumps(body(place, title="\x00"))
    response = as_(place.resident).post(
        f"{API}/", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["detail"] == MESSAGE


def test_the_page_refuses_a_nul_in_a_title_and_saves_nothing(place):
    client = Client()
    client.force_login(place.resident)
    response = client.post(
        "/m/new/",
        {
            "region": place.tree.compound.pk,
            "category": place.category.pk,
            "title": "电梯\x00停运",
            "description": "电梯一周坏了三次。",
            "location": "1号楼",
        },
    )
    assert response.status_code == 400  # a form with an error in its input
    with translation.override("zh-hans"):
        assert translation.gettext("Null characters are not allowed.") in response.content.decode()
    assert not Matter.objects.exists()
