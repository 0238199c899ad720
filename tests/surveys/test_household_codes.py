"""The household code on a paper form: short, read back exactly, and every single typo refused. Pure."""

import pytest

from yishi.surveys.codes import ALPHABET, CodeError, household_code, parse_household_code


@pytest.mark.parametrize(("survey", "household"), [(1, 1), (3, 1234), (31, 32), (40, 999_999), (123_456, 7)])
def test_a_code_reads_back_as_its_survey_and_household(survey, household):
    assert parse_household_code(household_code(survey, household)) == (survey, household)


def test_a_code_is_short_for_a_city_sized_database():
    # Survey 5,000 and household 500,000: still short enough to key in from a form.
    assert len(household_code(5_000, 500_000)) <= 9
    assert household_code(3, 1234) == "3-16JG"


def test_the_same_household_has_another_code_in_another_survey():
    assert household_code(3, 1234) != household_code(4, 1234)


def test_typing_is_forgiving_about_case_spaces_and_letters_that_look_like_digits():
    code = household_code(20, 4096)  # contains zeros
    assert "0" in code
    assert parse_household_code(f"  {code.lower().replace('0', 'o')} ") == (20, 4096)
    assert parse_household_code(code.replace("-", " - ")) == (20, 4096)
    assert parse_household_code(code.replace("-", "—")) == (20, 4096)


def test_every_single_mistyped_character_is_refused():
    undetected = []
    for survey in (1, 7, 40):
        for household in range(1, 2000, 13):
            code = household_code(survey, household)
            for i, char in enumerate(code):
                if char == "-":
                    continue
                for other in ALPHABET:
                    wrong = code[:i] + other + code[i + 1 :]
                    if other != char and _reads(wrong):
                        undetected.append(wrong)
    assert undetected == []


def test_swapping_two_neighbouring_characters_is_refused_but_for_luhns_blind_spot():
    undetected = []
    for survey in (1, 7, 40):
        for household in range(1, 5000, 7):
            code = household_code(survey, household)
            for i in range(len(code) - 1):
                pair = code[i : i + 2]
                if "-" in pair or pair[0] == pair[1] or set(pair) == {"0", "Z"}:
                    continue
                if _reads(code[:i] + pair[::-1] + code[i + 2 :]):
                    undetected.append(code)
    assert undetected == []


@pytest.mark.parametrize("raw", ["", "   ", "316JG", "3-", "-16JG", "3-1", "3-16J!", "U-16JG", None])
def test_what_is_not_shaped_like_a_code_is_refused(raw):
    with pytest.raises(CodeError):
        parse_household_code(raw)


def _reads(text: str) -> bool:
    try:
        parse_household_code(text)
    except CodeError:
        return False
    return True
