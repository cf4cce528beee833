"""Indian mobile numbers: every way people and spreadsheets write them, and what is refused."""

from __future__ import annotations

import pytest

from bot.i18n import translate
from bot.phones import InvalidPhone, display_phone, mask_phone, normalise_mobile


@pytest.mark.parametrize("typed", [
    "9876543210",
    "98765 43210",
    "098765-43210",
    "+91 9876543210",
    "+91-98765-43210",
    "91-98765-43210",
    "919876543210",
    "0091 98765 43210",
    "(+91) 98765 43210",
    " 98765 43210 ",
    "9876543210.0",
    "9.87654321E9",
    "9.876543210e+09",
    9876543210,
    9876543210.0,
    "९८७६५४३२१०",
])
def test_every_usual_way_of_writing_a_mobile_number_gives_the_same_e164(typed: str | int | float) -> None:
    assert normalise_mobile(typed) == "+919876543210"


@pytest.mark.parametrize("typed, expected", [
    ("6000012345", "+916000012345"),
    ("70000 12345", "+917000012345"),
    ("+91 85000 12345", "+918500012345"),
])
def test_mobile_numbers_starting_with_6_7_or_8_are_accepted(typed: str, expected: str) -> None:
    assert normalise_mobile(typed) == expected


@pytest.mark.parametrize("typed", [
    "+91 522 2234567",      # Lucknow landline
    "0522-2234567",         # the same, as dialled inside India
    "987654321",            # nine digits
    "98765432101",          # eleven digits
    "5876543210",           # starts with 5
    "98765ABCDE",           # letters (phonenumbers would read them as a vanity number)
    "98765 4321O",          # a letter O for a zero
    "+44 7911 123456",      # a British mobile
    "+91 98765 43210 ext 12",
    "9876543210.5",
    9876543210.5,
    "",
    "   ",
])
def test_what_is_not_an_indian_mobile_number_is_refused(typed: str | float) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalise_mobile(typed)

    assert caught.value.key == "roster.error.invalid_mobile"
    assert caught.value.params == {"value": str(typed)}


def test_the_refusal_reads_as_a_sentence_in_both_languages() -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalise_mobile("12345")

    assert translate("hi", caught.value.key, **caught.value.params) == "12345 भारतीय मोबाइल नंबर नहीं है"
    assert translate("en", caught.value.key, **caught.value.params) == "12345 is not an Indian mobile number"


def test_a_masked_number_keeps_only_the_first_and_last_two_digits() -> None:
    masked = mask_phone("+919876543210")

    assert masked == "+91 98xxxxxx10"
    assert "765432" not in masked


def test_the_displayed_number_is_the_spaced_international_form() -> None:
    assert display_phone("+919876543210") == "+91 98765 43210"
    assert display_phone(normalise_mobile("098765-43210")) == "+91 98765 43210"
