"""The logs of a whole day, at DEBUG as `samvad -v` writes them, hold neither the bot token nor a phone number."""

from __future__ import annotations

import io
import logging
import re

import pytest

from bot.logs import configure_logging
from bot.roster.synthetic import generate_booth_rows, generate_office_bearer_rows
from bot.runtime.demo import run_demo

DEMO_TOKEN = "123456:DEMO-TOKEN"


def _demo_phones() -> set[str]:
    """The 10-digit numbers of everyone on the demo's roster: booth presidents and office-bearers."""
    booths = generate_booth_rows(seed=7, districts=6, assemblies_per_district=2, mandals_per_assembly=2,
                                 booths_per_mandal=6)
    people = generate_office_bearer_rows(seed=7, booth_rows=booths, state_office_bearers=3,
                                         district_incharges=3, secretaries=1, admins=1)
    typed = [row["president_phone"] for row in booths] + [row["phone"] for row in people]
    return {re.sub(r"\D", "", phone)[-10:] for phone in typed}


def _leaks(logged: str, phone: str) -> bool:
    """Whether the number shows in any common format: 10 digits, +91…, 98765 43210, 98765-43210."""
    digits_only = re.sub(r"[\s+-]", "", logged)
    return phone in digits_only or f"{phone[:5]} {phone[5:]}" in logged


async def test_a_whole_day_at_debug_logs_no_token_and_no_phone_number(
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(logging.DEBUG)
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    logged = io.StringIO()
    handler.setStream(logged)
    monkeypatch.setattr(root, "setLevel", lambda level: None)  # the demo quiets the root logger: keep DEBUG
    try:
        await run_demo("en")
    finally:
        monkeypatch.undo()
        root.handlers[:], level = saved
        root.setLevel(level)

    text = logged.getvalue()
    assert len(text.splitlines()) > 100  # a real DEBUG log of the day, not an empty one
    assert DEMO_TOKEN not in text and "DEMO-TOKEN" not in text
    phones = _demo_phones()
    assert len(phones) > 100
    assert [phone for phone in sorted(phones) if _leaks(text, phone)] == []
    assert "📞 +91 " in text and "xxxxxx" in text  # the messages were logged, their numbers masked
