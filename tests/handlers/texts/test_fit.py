"""The fit helper: lists are cut, entry by entry, until the text fits one Telegram message as Telegram counts it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from handlers.texts.fit import MAX_LIST_ENTRIES, TELEGRAM_TEXT_LIMIT, fit_to_message, telegram_length


def _listing(entries: list[str]) -> Callable[[int], Iterator[str]]:
    """A title and the entries, cut after `limit` with how many were left out."""

    def lines(limit: int) -> Iterator[str]:
        yield "Title"
        yield from entries[:limit]
        if len(entries) > limit:
            yield f"… and {len(entries) - limit} more"
    return lines


def test_emoji_count_twice_as_telegram_measures_them() -> None:
    assert telegram_length("🗳 a") == 4
    assert telegram_length("सप्ताह") == len("सप्ताह")


def test_a_short_list_is_kept_whole() -> None:
    entries = [f"entry {n}" for n in range(MAX_LIST_ENTRIES)]

    text = fit_to_message(_listing(entries))

    assert text == "\n".join(["Title", *entries])


def test_a_long_list_shows_at_most_the_list_limit() -> None:
    entries = [f"entry {n}" for n in range(MAX_LIST_ENTRIES + 5)]

    text = fit_to_message(_listing(entries))

    assert text.splitlines() == ["Title", *entries[:MAX_LIST_ENTRIES], "… and 5 more"]


def test_entries_are_cut_until_the_text_fits_in_utf16_units() -> None:
    entries = [f"{n:02} " + "🗳" * 390 for n in range(MAX_LIST_ENTRIES)]
    assert len("\n".join(["Title", *entries[:10]])) <= TELEGRAM_TEXT_LIMIT, "fits if characters were counted"

    text = fit_to_message(_listing(entries))

    assert telegram_length(text) <= TELEGRAM_TEXT_LIMIT
    assert text.splitlines()[1:] == [*entries[:5], f"… and {MAX_LIST_ENTRIES - 5} more"]
