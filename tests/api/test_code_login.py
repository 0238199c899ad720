"""Residents log in with a one-time code: /api/v1/people/code texts it, /api/v1/people/token/code trades it."""

import re

from tests import builders
from tests.api.conftest import anonymous, ok, problem, send
from yishi.people.models import OneTimeCode
from yishi.people.sms import MemoryBackend


def _code_sent_to(phone: str) -> str:
    (message,) = [m for m in MemoryBackend.outbox if m.phone == phone]
    return re.search(r"\d{6}", message.text)[0]


def test_a_resident_gets_a_token_for_the_code_texted_to_them(db):
    resident = builders.person("刘桂兰")
    sent = ok(send(anonymous(), "post", "/people/code", {"phone": resident.phone}), 202)
    assert sent["valid_minutes"] >= 1 and "code is on its way" in sent["detail"]
    code = _code_sent_to(resident.phone)
    issued = ok(send(anonymous(), "post", "/people/token/code", {"phone": resident.phone, "code": code}))
    assert issued["person_id"] == resident.pk and issued["token_type"] == "Bearer"
    me = anonymous()
    me.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issued['token']}"
    assert ok(me.get("/api/v1/people/me"))["name"]
    # A code works once.
    problem(
        send(anonymous(), "post", "/people/token/code", {"phone": resident.phone, "code": code}),
        401,
        "invalid_code",
    )


def test_an_unregistered_number_gets_the_same_answer_and_no_text(db):
    sent = ok(send(anonymous(), "post", "/people/code", {"phone": "13912345678"}), 202)
    assert "code is on its way" in sent["detail"]
    assert MemoryBackend.outbox == [] and not OneTimeCode.objects.exists()


def test_a_wrong_code_is_refused_and_gives_no_token(db):
    resident = builders.person("刘桂兰")
    ok(send(anonymous(), "post", "/people/code", {"phone": resident.phone}), 202)
    wrong = "000000" if _code_sent_to(resident.phone) != "000000" else "111111"
    body = problem(
        send(anonymous(), "post", "/people/token/code", {"phone": resident.phone, "code": wrong}),
        401,
        "invalid_code",
    )
    assert "wrong or has expired" in body["detail"]
    assert OneTimeCode.objects.get().attempts == 1


def test_malformed_codes_and_numbers_are_refused(db):
    for code in ["12345", "abcdef", "1234567", ""]:
        body = problem(
            send(anonymous(), "post", "/people/token/code", {"phone": "13912345678", "code": code}),
            422,
            "invalid",
        )
        assert body["errors"][0]["loc"][-1] == "code"
    problem(send(anonymous(), "post", "/people/token/code", {"code": "123456"}), 422, "invalid")
    body = problem(send(anonymous(), "post", "/people/code", {"phone": "12"}), 409, "invalid_phone")
    assert body["field"] == "phone"
    problem(send(anonymous(), "post", "/people/code", {}), 422, "invalid")
    assert MemoryBackend.outbox == []


def test_asking_again_within_a_minute_is_refused(db):
    resident = builders.person("刘桂兰")
    ok(send(anonymous(), "post", "/people/code", {"phone": resident.phone}), 202)
    problem(send(anonymous(), "post", "/people/code", {"phone": resident.phone}), 409, "code_too_soon")
    assert len(MemoryBackend.outbox) == 1


def test_asking_for_codes_is_limited_per_number(db):
    answers = [
        send(anonymous(), "post", "/people/code", {"phone": "139 1234 5678"}).status_code for _ in range(6)
    ]
    # The first is sent (unregistered: silently), the next four are too soon, the sixth is over the limit.
    assert answers[:5] == [202, 409, 409, 409, 409]
    problem(send(anonymous(), "post", "/people/code", {"phone": "+8613912345678"}), 429, "rate_limited")
