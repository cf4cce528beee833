"""`/coverage` in words: coverage per Lok Sabha seat (focus seats first, marked ⭐) or per district, and the
weak and focus booths nobody has talked to for long, as Telegram HTML fitting one message."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from bot.i18n import format_day, translate
from bot.review.coverage import CoverageFigures, CoverageReport, CoverageRow, SilentBooth
from handlers.texts.fit import fit_to_message


def _percent(share: int | None) -> str:
    return "–" if share is None else f"{share}%"


def _figures(language: str, figures: CoverageFigures) -> dict[str, object]:
    return {"presidents": figures.presidents, "talked_30": figures.talked_30, "talked_90": figures.talked_90,
            "share_30": _percent(figures.share_30), "share_90": _percent(figures.share_90)}


def _row(language: str, row: CoverageRow) -> str:
    mark = translate(language, "seats.focus_mark") if row.focus else ""
    return mark + translate(language, "coverage.row", name=escape(row.name, quote=False),
                            **_figures(language, row.figures))


def _silent(language: str, booth: SilentBooth) -> str:
    tags = []
    if booth.focus:
        tags.append(translate(language, "seats.focus_mark").strip())
    if booth.weak:
        tags.append(translate(language, "coverage.weak"))
    since = (translate(language, "coverage.never") if booth.last_talked is None else
             translate(language, "coverage.silent_since", days=booth.days_silent,
                       day=format_day(language, booth.last_talked)))
    return translate(language, "coverage.silent_row", booth_no=booth.booth_no,
                     booth=escape(booth.booth_name, quote=False), assembly_no=booth.assembly_no,
                     assembly=escape(booth.assembly, quote=False), lok_sabha=escape(booth.lok_sabha, quote=False),
                     tags=" ".join(tags), since=since)


def _lines(report: CoverageReport, language: str, limit: int) -> Iterator[str]:
    scope = translate(language, "coverage.scope.charge" if report.charge else "coverage.scope.state")
    yield f"<b>{translate(language, 'coverage.title', scope=scope, day=format_day(language, report.today))}</b>"
    yield translate(language, "coverage.totals", **_figures(language, report.totals))
    if report.charge:
        heading, rows = "coverage.districts_heading", list(report.by_district)
    else:
        heading, rows = "coverage.seats_heading", sorted(report.by_seat, key=lambda row: not row.focus)
    yield ""
    yield f"<b>{translate(language, heading)}</b>"
    yield from (_row(language, row) for row in rows[:limit])
    if len(rows) > limit:
        yield translate(language, "summary.more", count=len(rows) - limit)
    yield ""
    yield f"<b>{translate(language, 'coverage.silent_heading', days=report.silent_days)}</b>"
    if not report.silent:
        yield translate(language, "summary.none")
    yield from (_silent(language, booth) for booth in report.silent[:limit])
    if len(report.silent) > limit:
        yield translate(language, "summary.more", count=len(report.silent) - limit)


def render_coverage(report: CoverageReport, language: str) -> str:
    """The coverage report as Telegram HTML in `language`, its lists cut to fit one message."""
    return fit_to_message(lambda limit: _lines(report, language, limit))
