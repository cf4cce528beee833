"""The message catalog: every user-facing text, in Hindi (default) and English.

Texts live in gettext `.po` files under `bot/locales/<lang>/LC_MESSAGES/`, one file per area (a gettext
domain); msgids are stable keys such as `push.header`, msgstrs use `{name}` placeholders.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po

from bot.config import LANGUAGES
from models import DeliveryStatus, NeedCategory, NeedStatus, Outcome, Role, Strength, Wellbeing

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "hi"

LABEL_PREFIXES: dict[type[enum.Enum], str] = {
    NeedCategory: "need",
    NeedStatus: "need_status",
    Outcome: "outcome",
    Role: "role",
    Strength: "strength",
    Wellbeing: "wellbeing",
    DeliveryStatus: "delivery_status",
}
"""The catalog prefix of each enum's labels: `Outcome.talked` is labelled by the key `outcome.talked`."""


class MissingTranslation(KeyError):
    """A key was asked for that one of the catalogs does not have."""


@cache
def catalog(language: str) -> dict[str, str]:
    """All messages of one language, merged from its `.po` files; duplicate keys are an error."""
    messages: dict[str, str] = {}
    for po_file in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id:
                    continue
                key = str(message.id)
                if key in messages:
                    raise ValueError(f"{po_file.name}: key {key!r} is defined twice for {language}")
                messages[key] = str(message.string)
    return messages


def normalise_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """A supported language for a stored or Telegram-reported language code."""
    if code:
        short = code.split("-")[0].lower()
        if short in LANGUAGES:
            return short
    return default


def translate(language: str, key: str, /, **params: object) -> str:
    """The text for `key` in `language`, with `{placeholders}` filled from `params`."""
    try:
        template = catalog(language)[key]
    except KeyError:
        raise MissingTranslation(f"{key!r} is not in the {language} catalog") from None
    if not template:
        raise MissingTranslation(f"{key!r} has no {language} text")
    return template.format(**params) if params else template


def enum_label(language: str, value: enum.Enum) -> str:
    """The catalog label of an enum value (outcome, need category, role, strength...) in `language`."""
    return translate(language, f"{LABEL_PREFIXES[type(value)]}.{value.value}")
def format_day(language: str, day: date, *, with_year: bool = True) -> str:
    """A day as people read it in messages and charts: `05.01.2026`, or `05.01` without the year."""
    return format_date(day, "dd.MM.yyyy" if with_year else "dd.MM", locale=language)


def format_time(language: str, moment: datetime, zone: tzinfo, *, with_year: bool = True) -> str:
    """A stored moment as the organisation's local day and time: `05.01.2026 09:07`, or `05.01 09:07`."""
    return format_datetime(moment.astimezone(zone), "dd.MM.yyyy HH:mm" if with_year else "dd.MM HH:mm",
                           locale=language)


def all_keys() -> dict[str, set[str]]:
    """For each language, the keys its catalog holds (used by the catalog-completeness test)."""
    return {language: set(catalog(language)) for language in LANGUAGES}
