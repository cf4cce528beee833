"""The message catalog: Hindi and English hold the same keys, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.i18n import MissingTranslation, all_keys, catalog, translate
from models import NeedCategory, Outcome, Role, Strength, Wellbeing

ROOT = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(r"""(?:translate\([^,()]+,|say\(|_button\([^,()]+,)\s*"([a-z_]+(?:\.[a-z_]+)+)\"""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_hindi_and_english_hold_the_same_keys_with_the_same_placeholders() -> None:
    keys = all_keys()

    assert keys["hi"] == keys["en"]
    for key in keys["hi"]:
        assert _placeholders(catalog("hi")[key]) == _placeholders(catalog("en")[key]), key


def test_every_key_written_in_the_code_is_in_the_catalog() -> None:
    used = set()
    for folder in ("bot", "handlers", "web"):
        for source in (ROOT / folder).rglob("*.py"):
            used |= set(LITERAL_KEY.findall(source.read_text(encoding="utf-8")))

    assert len(used) > 50
    assert sorted(used - all_keys()["hi"]) == []


@pytest.mark.parametrize("prefix, members", [
    ("outcome", Outcome), ("strength", Strength), ("need", NeedCategory), ("role", Role),
    ("wellbeing", Wellbeing)])
def test_every_label_of_the_data_has_a_text(prefix: str, members: type) -> None:
    for member in members:  # type: ignore[attr-defined]
        assert translate("hi", f"{prefix}.{member.value}")
        assert translate("en", f"{prefix}.{member.value}")


def test_help_exists_for_every_role_and_for_strangers() -> None:
    for role in [*Role, "unregistered"]:
        assert translate("hi", f"help.{getattr(role, 'value', role)}")


def test_an_unknown_key_is_an_error_not_a_silent_blank() -> None:
    with pytest.raises(MissingTranslation):
        translate("hi", "no.such.key")
