"""The one way to fit a text with lists into one Telegram message: cut the lists until it fits."""

from __future__ import annotations

from collections.abc import Callable, Iterable

TELEGRAM_TEXT_LIMIT = 4096
"""The most characters one Telegram message may hold."""

MAX_LIST_ENTRIES = 15
"""The most entries a list shows in a Telegram message; fewer are shown when the text would not fit."""


def telegram_length(text: str) -> int:
    """The length Telegram measures a message by (UTF-16 code units: an emoji may count as two)."""
    return len(text.encode("utf-16-le")) // 2


def fit_to_message(lines: Callable[[int], Iterable[str]]) -> str:
    """The lines `lines(limit)` gives, joined, with each list cut to at most `MAX_LIST_ENTRIES` entries and
    fewer until the text fits one message (with no entries at all it is sent as it is)."""
    for limit in range(MAX_LIST_ENTRIES, -1, -1):
        text = "\n".join(lines(limit))
        if telegram_length(text) <= TELEGRAM_TEXT_LIMIT:
            break
    return text
