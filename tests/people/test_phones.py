"""Phone numbers and ID numbers: pure functions, no database."""

import pytest
from django.core.exceptions import ValidationError

from yishi.people.phones import mask_id_number, mask_phone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        " 13812345678 ",
        "+8613812345678",
        "+86 138 1234 5678",
        "008613812345678",
        "0086 138-1234-5678",
        "１３８１２３４５６７８",  # full-width digits, as a Chinese input method types them
        "138　1234　5678",  # ideographic spaces
    ],
)
def test_normalize_phone_accepts_the_usual_ways_of_writing_a_mobile_number(raw):
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "23812345678",  # does not start with 1
        "12812345678",  # 12x is not a mobile prefix
        "138123456789",  # 12 digits
        "1381234567",  # 10 digits
        "1381234567a",
        "abcdefghijk",
        "phone",
        "",
        "   ",
        None,
        "+1 13812345678",
        "138١2345678",  # an Arabic-Indic digit: a digit to Python's \d, not to a phone network
        "13812345678\n13812345678",
    ],
)
def test_normalize_phone_refuses_anything_else_with_a_clear_message(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.code == "invalid_phone"
    assert "11" in exc.value.messages[0]


def test_normalize_phone_result_is_plain_ascii_digits():
    phone = normalize_phone("１３８ １２３４ ５６７８")
    assert phone.isascii() and phone.isdigit()


def test_the_refusal_names_what_was_typed():
    with pytest.raises(ValidationError) as exc:
        normalize_phone("12345")
    assert "12345" in exc.value.messages[0]


def test_mask_phone_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(("phone", "masked"), [(None, ""), ("", ""), ("12345", "*****")])
def test_mask_phone_hides_short_or_missing_numbers_whole(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_id_number_keeps_the_first_six_and_last_four_characters():
    assert mask_id_number("11010119900307123X") == "110101********123X"


def test_mask_id_number_works_for_old_fifteen_digit_numbers():
    assert mask_id_number("110101900307123") == "110101*****7123"


@pytest.mark.parametrize(("id_number", "masked"), [(None, ""), ("", ""), ("1234567890", "**********")])
def test_mask_id_number_hides_short_or_missing_numbers_whole(id_number, masked):
    assert mask_id_number(id_number) == masked
