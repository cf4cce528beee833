"""The needs texts: the secretary's escalation fits one message however many needs are late."""

from __future__ import annotations

from datetime import date, datetime

from bot.review.needs import NeedItem, OverdueNeed
from handlers.texts.fit import TELEGRAM_TEXT_LIMIT, telegram_length
from handlers.texts.needs import escalation_text
from models import NeedCategory, NeedStatus


def _late(n: int, words: str) -> OverdueNeed:
    item = NeedItem(id=n, category=NeedCategory.voter_list, detail=words, status=NeedStatus.open,
                    created_at=datetime(2026, 11, 1), booth_no=n, booth_name=f"Primary School {n}", assembly_no=172,
                    assembly="Lucknow North", district="Lucknow", owner_id=None, owner_name=None,
                    due_on=date(2026, 11, 15))
    return OverdueNeed(item, days_overdue=5)


def test_many_late_needs_with_long_words_are_cut_to_one_message_with_a_count_of_the_rest() -> None:
    late = tuple(_late(n, "मतदाता सूची में नाम छूटे हैं " * 30) for n in range(1, 41))

    text = escalation_text("hi", late)

    assert telegram_length(text) <= TELEGRAM_TEXT_LIMIT
    shown = sum(1 for n in range(1, 41) if f"\n{n}. बूथ {n}:" in text)
    assert 0 < shown < 40
    assert f"…और {40 - shown} ज़रूरतें" in text
    assert "समय पर पूरी न हुई ज़रूरतें: 40" in text and "संगठन महामंत्री" in text


def test_a_few_late_needs_are_all_listed() -> None:
    text = escalation_text("en", (_late(1, "Hall & chairs"), _late(2, "Posters")))

    assert "Needs past their due date: 2" in text
    assert "Hall &amp; chairs" in text and "Posters" in text and "more" not in text
