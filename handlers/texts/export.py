"""The caption under an exported calls file: which area, which days, how many rows."""

from __future__ import annotations

from bot.i18n import format_day, translate
from bot.review.periods import Period
from bot.review.progress import Area
from handlers.texts.progress import area_label


def _period_text(language: str, period: Period) -> str:
    return translate(language, "review.period.range", start=format_day(language, period.start),
                     end=format_day(language, period.end), days=period.days)


def export_caption(language: str, area: Area, period: Period, rows: int) -> str:
    """The file's caption: the area and period it covers and how many calls it holds."""
    return translate(language, "review.export.caption", area=area_label(area, language),
                     period=_period_text(language, period), rows=rows)
