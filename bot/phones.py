"""Indian mobile numbers: one canonical form (E.164) from whatever people and spreadsheets produce.

Rosters arrive typed by hand (`98765 43210`, `098765-43210`, `+91 9876543210`) or mangled by a
spreadsheet (`9876543210.0`, `9.87654321E9`). Everything is stored as `+919876543210`; only numbers that
`phonenumbers` knows as valid Indian *mobile* numbers are accepted, since the bot's users must be able to
call them and landlines are valid numbers too.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

from bot.errors import DomainError

INDIA_REGION = "IN"
INDIA_COUNTRY_CODE = 91
MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_SPREADSHEET_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_ALLOWED_CHARACTERS = re.compile(r"[\d\s+\-().]+")
_TEN_DIGIT_MOBILE = re.compile(r"[6-9]\d{9}")
_PUNCTUATION = re.compile(r"[\s\-().]")
_COMMON_FORM = re.compile(r"(?:\+91|0091|91|0)?([6-9][0-9]{9})")


class InvalidPhone(DomainError):
    """The text is not an Indian mobile number; `params["value"]` echoes what was given."""

    key = "roster.error.invalid_mobile"


def _spreadsheet_text(raw: str | int | float) -> str:
    """The digits a spreadsheet meant when it turned a phone number into a number (`9.87654321E9`)."""
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if not raw.is_integer():
            raise InvalidPhone(value=str(raw))
        return str(int(raw))
    text = raw.strip()
    if _SPREADSHEET_NUMBER.fullmatch(text) and not text.isdigit():
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InvalidPhone(value=raw) from None
        if value != value.to_integral_value() or _rounded(text, value):
            raise InvalidPhone(value=raw)
        return str(int(value))
    return text


def _rounded(text: str, value: Decimal) -> bool:
    """Whether scientific notation lost digits: `9.88E+09` is a number Excel rounded for display, not a phone.

    Writing a 10-digit number with one trailing zero dropped (`9.87654321E9`) is exact; fewer digits are not.
    """
    if "e" not in text.casefold():
        return False
    mantissa = re.split(r"[eE]", text)[0].replace(".", "").lstrip("0")
    return len(mantissa) < len(str(int(value))) - 1


def normalise_mobile(raw: str | int | float) -> str:
    """The E.164 form (`+919876543210`) of an Indian mobile number, or `InvalidPhone`.

    Accepts spaces, dashes, brackets, a leading 0, 91, +91 or 0091, and numbers a spreadsheet stored as
    floats. Rejects numbers a spreadsheet rounded to scientific notation (`9.88E+09`), letters (which
    `phonenumbers` would read as a vanity number), extensions, foreign numbers and landlines.
    """
    text = _spreadsheet_text(raw)
    if not _ALLOWED_CHARACTERS.fullmatch(text):
        raise InvalidPhone(value=str(raw))
    common = _COMMON_FORM.fullmatch(_PUNCTUATION.sub("", text))
    if common:  # the usual ways of writing a number: skip the (slow) general parser
        number = PhoneNumber(country_code=INDIA_COUNTRY_CODE, national_number=int(common[1]))
    else:
        try:
            number = phonenumbers.parse(text, INDIA_REGION)
        except NumberParseException:
            raise InvalidPhone(value=str(raw)) from None
    national = str(number.national_number)
    if (
        number.country_code != INDIA_COUNTRY_CODE
        or number.extension
        or not _TEN_DIGIT_MOBILE.fullmatch(national)
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in MOBILE_TYPES
    ):
        raise InvalidPhone(value=str(raw))
    return f"+{INDIA_COUNTRY_CODE}{national}"


def mask_phone(e164: str) -> str:
    """A stored number safe to write to logs: first two and last two digits only (`+91 98xxxxxx10`)."""
    prefix = f"+{INDIA_COUNTRY_CODE}"
    national = e164.removeprefix(prefix)
    if len(national) <= 4:
        return f"{prefix} {'x' * len(national)}"
    return f"{prefix} {national[:2]}{'x' * (len(national) - 4)}{national[-2:]}"


def display_phone(e164: str) -> str:
    """The number as the bot shows it (`+91 98765 43210`): international form, which Telegram makes tappable."""
    try:
        number = phonenumbers.parse(e164, INDIA_REGION)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
