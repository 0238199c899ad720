"""Logging in by phone number: a password (staff) or a one-time code by SMS (residents); lock-out; limits."""

import html
import re

import pytest
from django.conf import settings
from django.utils import translation

from tests import builders
from yishi.people.models import OneTimeCode
from yishi.people.sms import MemoryBackend

from .conftest import STAFF_PASSWORD, STAFF_PHONE

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
REQUEST_CODE = "/login/code/request/"
CODE_LOGIN = "/login/code/"
LOGOUT = "/logout/"


def text(msgid: str, language: str = "zh-hans", **params) -> str:
    """The message as the page shows it in ``language``, HTML-escaped."""
    with translation.override(language):
        message = translation.gettext(msgid)
    return html.escape(message % params if params else message)


def page(response) -> str:
    return response.content.decode()


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def sent_code(index: int = -1) -> str:
    return re.search(r"\b(\d{6})\b", MemoryBackend.outbox[index].text).group(1)


def password_login(client, phone=STAFF_PHONE, password=STAFF_PASSWORD, **extra):
    return client.post(LOGIN, {"phone": phone, "password": password, **extra})


# --- password ---------------------------------------------------------------------------------------------


def test_the_login_page_is_in_chinese_by_default(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in page(response)


def test_staff_log_in_with_phone_and_password_and_go_on_to_next(client, staff):
    response = password_login(client, phone="139 0000 0201", next="/r/7/?tab=board")

    assert response.status_code == 302
    assert response["Location"] == "/r/7/?tab=board"
    assert logged_in_as(client) == str(staff.pk)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/steal",
        "//evil.example/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_to_send_anyone_off_site(client, staff, next_url):
    response = password_login(client, next=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/work/"  # the workbench, never the given address
    assert logged_in_as(client) == str(staff.pk)


def test_a_wrong_password_is_refused_with_a_clear_message_in_the_active_language(client, staff):
    response = password_login(client, password="wrong-password")

    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    assert text("The phone number or password is wrong.") in page(response)
    assert logged_in_as(client) is None


def test_the_wrong_password_message_follows_the_language_switch(client, staff):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = password_login(client, password="wrong-password")

    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert "The phone number or password is wrong." in page(response)


def test_an_unknown_number_gets_the_same_message_as_a_wrong_password(client, staff):
    response = password_login(client, phone="13700000000")

    assert response.status_code == 400
    assert text("The phone number or password is wrong.") in page(response)


def test_a_resident_without_a_password_cannot_log_in_with_an_empty_or_guessed_one(client, resident):
    response = password_login(client, phone=resident.phone, password="!")
    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_a_deactivated_person_cannot_log_in(client, staff):
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    response = password_login(client)
    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_a_malformed_phone_gets_a_field_error_that_says_what_is_wrong(client, staff):
    response = password_login(client, phone="12345")

    assert response.status_code == 400
    errors = response.context["password_form"].errors
    assert list(errors) == ["phone"]
    assert text(
        "%(value)s is not a mainland mobile number (11 digits starting with 1).", value="12345"
    ) in page(response)
    # Not the "wrong password" message: the number itself is the problem.
    assert text("The phone number or password is wrong.") not in page(response)


def test_an_empty_form_says_which_fields_are_required_in_chinese(client):
    response = client.post(LOGIN, {"phone": "", "password": ""})

    assert response.status_code == 400
    # Django's own zh-hans catalogue: proves the page is rendered in the active language.
    assert page(response).count("这个字段是必填项。") == 2


# --- lock-out ---------------------------------------------------------------------------------------------


def test_too_many_wrong_passwords_lock_the_number_even_against_the_right_password(client, staff):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert password_login(client, password="wrong-password").status_code == 400

    locked = password_login(client, password="wrong-password")
    assert locked.status_code == 429
    assert text("Login locked") in page(locked)

    right = password_login(client)
    assert right.status_code == 429
    assert text("Login locked") in page(right)
    assert logged_in_as(client) is None


def test_the_lock_out_counts_every_spelling_of_the_number_together(client, staff):
    spellings = [
        "13900000201",
        "139 0000 0201",
        "+8613900000201",
        "0086 139-0000-0201",
        "１３９０００００２０１",
    ]
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [
        password_login(client, phone=spellings[i % len(spellings)], password="wrong-password").status_code
        for i in range(limit)
    ]
    assert statuses == [400] * (limit - 1) + [429]


def test_a_lock_out_holds_one_number_only(client, staff):
    other = builders.person("张金利", phone="13900000202", password=STAFF_PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_login(client, password="wrong-password")

    response = password_login(client, phone=other.phone)

    assert response.status_code == 302
    assert logged_in_as(client) == str(other.pk)


def test_wrong_one_time_codes_lock_the_number_too(client, resident):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    right = sent_code()
    wrong = "000000" if right != "000000" else "111111"
    responses = [
        client.post(CODE_LOGIN, {"phone": resident.phone, "code": wrong})
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert [r.status_code for r in responses[:-1]] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429

    response = client.post(CODE_LOGIN, {"phone": resident.phone, "code": right})
    assert response.status_code == 429
    assert logged_in_as(client) is None


# --- one-time code ----------------------------------------------------------------------------------------


def test_a_resident_logs_in_with_a_code_sent_by_sms(client, resident):
    response = client.post(REQUEST_CODE, {"phone": "139 0000 0301", "next": "/r/3/"})

    assert response.status_code == 200
    assert text(
        "If this number is registered, a code is on its way. It is valid for %(minutes)s minutes.", minutes=5
    ) in page(response)
    assert response.context["code_form"] is not None
    assert len(MemoryBackend.outbox) == 1
    assert MemoryBackend.outbox[0].phone == "13900000301"

    response = client.post(CODE_LOGIN, {"phone": "13900000301", "code": sent_code(), "next": "/r/3/"})

    assert response.status_code == 302
    assert response["Location"] == "/r/3/"
    assert logged_in_as(client) == str(resident.pk)


def test_the_code_is_stored_only_as_a_digest(client, resident):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    stored = OneTimeCode.objects.get(phone=resident.phone)
    assert sent_code() not in stored.digest
    assert len(stored.digest) == 64


def test_a_code_works_only_once(client, resident):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    code = sent_code()
    assert client.post(CODE_LOGIN, {"phone": resident.phone, "code": code}).status_code == 302
    client.post(LOGOUT)

    response = client.post(CODE_LOGIN, {"phone": resident.phone, "code": code})

    assert response.status_code == 400
    assert text("The code is wrong or has expired. Ask for a new one.") in page(response)
    assert logged_in_as(client) is None


def test_a_wrong_code_is_refused_and_counted(client, resident):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    wrong = "000000" if sent_code() != "000000" else "111111"

    response = client.post(CODE_LOGIN, {"phone": resident.phone, "code": wrong})

    assert response.status_code == 400
    assert text("The code is wrong or has expired. Ask for a new one.") in page(response)
    assert OneTimeCode.objects.get(phone=resident.phone).attempts == 1


def test_after_too_many_wrong_codes_even_the_right_code_is_refused(client, resident, settings):
    settings.AXES_ENABLED = False  # the code's own attempt limit, apart from the lock-out
    client.post(REQUEST_CODE, {"phone": resident.phone})
    right = sent_code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS):
        client.post(CODE_LOGIN, {"phone": resident.phone, "code": wrong})

    response = client.post(CODE_LOGIN, {"phone": resident.phone, "code": right})

    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_a_code_that_is_not_six_digits_is_refused_before_it_is_checked(client, resident):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    response = client.post(CODE_LOGIN, {"phone": resident.phone, "code": "12ab"})
    assert response.status_code == 400
    assert text("The code has 6 digits.") in page(response)
    assert OneTimeCode.objects.get(phone=resident.phone).attempts == 0


def test_an_expired_code_is_refused(client, resident, clock):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    clock.advance(seconds=settings.ONE_TIME_CODE_TTL_SECONDS + 1)

    response = client.post(CODE_LOGIN, {"phone": resident.phone, "code": sent_code()})

    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_a_code_still_works_just_before_it_expires(client, resident, clock):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    clock.advance(seconds=settings.ONE_TIME_CODE_TTL_SECONDS - 5)

    response = client.post(CODE_LOGIN, {"phone": resident.phone, "code": sent_code()})

    assert response.status_code == 302


def test_asking_again_within_a_minute_is_refused_with_a_clear_message(client, resident, clock):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    clock.advance(seconds=30)

    response = client.post(REQUEST_CODE, {"phone": resident.phone})

    assert response.status_code == 409
    assert text("A code was sent less than a minute ago. Please wait before asking again.") in page(response)
    assert len(MemoryBackend.outbox) == 1
    # The box for the code already sent is still there.
    assert response.context["code_form"] is not None


def test_after_a_minute_a_new_code_is_sent_and_retires_the_old_one(client, resident, clock):
    client.post(REQUEST_CODE, {"phone": resident.phone})
    old = sent_code()
    clock.advance(seconds=61)

    assert client.post(REQUEST_CODE, {"phone": resident.phone}).status_code == 200
    assert len(MemoryBackend.outbox) == 2
    new = sent_code()

    if old != new:
        assert client.post(CODE_LOGIN, {"phone": resident.phone, "code": old}).status_code == 400
    assert client.post(CODE_LOGIN, {"phone": resident.phone, "code": new}).status_code == 302
    client.post(LOGOUT)
    # Using the newest code does not bring an older one back to life.
    assert client.post(CODE_LOGIN, {"phone": resident.phone, "code": old}).status_code == 400


def test_an_unregistered_number_gets_the_same_neutral_message_and_no_sms(client, resident):
    registered = client.post(REQUEST_CODE, {"phone": resident.phone})
    unregistered = client.post(REQUEST_CODE, {"phone": "13700000000"})

    assert unregistered.status_code == registered.status_code == 200
    neutral = text(
        "If this number is registered, a code is on its way. It is valid for %(minutes)s minutes.", minutes=5
    )
    assert neutral in page(unregistered)
    assert unregistered.context["code_form"] is not None
    assert [m.phone for m in MemoryBackend.outbox] == [resident.phone]
    assert not OneTimeCode.objects.filter(phone="13700000000").exists()


def test_asking_twice_for_an_unregistered_number_is_refused_like_a_registered_one(client, resident):
    """Otherwise the second answer would tell who is registered."""
    client.post(REQUEST_CODE, {"phone": resident.phone})
    client.post(REQUEST_CODE, {"phone": "13700000000"})

    registered = client.post(REQUEST_CODE, {"phone": resident.phone})
    unregistered = client.post(REQUEST_CODE, {"phone": "13700000000"})

    assert registered.status_code == unregistered.status_code == 409
    refusal = text("A code was sent less than a minute ago. Please wait before asking again.")
    assert refusal in page(registered) and refusal in page(unregistered)


def test_a_deactivated_person_gets_no_code(client, resident):
    type(resident).objects.filter(pk=resident.pk).update(is_active=False)
    response = client.post(REQUEST_CODE, {"phone": resident.phone})
    assert response.status_code == 200
    assert MemoryBackend.outbox == []


def test_asking_for_a_code_for_a_malformed_number_shows_a_field_error_and_sends_nothing(client):
    response = client.post(REQUEST_CODE, {"phone": "12345"})

    assert response.status_code == 400
    assert list(response.context["request_form"].errors) == ["phone"]
    assert MemoryBackend.outbox == []


def test_the_code_request_page_cannot_be_fetched_with_get(client):
    assert client.get(REQUEST_CODE).status_code == 405


# --- rate limits ------------------------------------------------------------------------------------------


def test_one_number_may_ask_for_five_codes_an_hour(client, resident, clock):
    spellings = ["13900000301", "139 0000 0301", "+8613900000301", "0086 13900000301", "139-0000-0301"]
    for spelling in spellings:
        assert client.post(REQUEST_CODE, {"phone": spelling}).status_code != 429
        clock.advance(seconds=61)

    response = client.post(REQUEST_CODE, {"phone": "139 0000 0301"})

    assert response.status_code == 429
    assert text("Too many attempts in a short time. Please wait a few minutes and try again.") in page(
        response
    )
    assert len(MemoryBackend.outbox) == len(spellings)
    # Another number from the same address is not held back.
    assert client.post(REQUEST_CODE, {"phone": "13700000000"}).status_code == 200


def test_one_address_may_ask_for_ten_codes_an_hour(client):
    for i in range(10):
        response = client.post(REQUEST_CODE, {"phone": f"1370000{i:04d}"}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200

    response = client.post(REQUEST_CODE, {"phone": "13700000099"}, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 429
    assert text("Too many attempts") in page(response)
    # Another address is not held back.
    assert client.post(REQUEST_CODE, {"phone": "13700000099"}, REMOTE_ADDR="203.0.113.8").status_code == 200


# --- logout -----------------------------------------------------------------------------------------------


def test_logout_by_get_is_refused_and_keeps_the_session(client, staff):
    client.force_login(staff, backend="yishi.people.backends.PhonePasswordBackend")

    assert client.get(LOGOUT).status_code == 405
    assert logged_in_as(client) == str(staff.pk)


def test_logout_by_post_ends_the_session(client, staff):
    client.force_login(staff, backend="yishi.people.backends.PhonePasswordBackend")

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert logged_in_as(client) is None
