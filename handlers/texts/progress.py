"""Progress views in words: `/summary` and the digests as Telegram HTML fitting one message, and `samvad
report` as plain text in full."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html import escape as escape_html
from typing import TypeVar

from bot.i18n import catalog, enum_label, format_day, translate
from bot.review.coverage import CoverageFigures
from bot.review.digests import Digest
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import (
    SEAT_LEVELS,
    Area,
    DisconnectedCaller,
    NeedTally,
    OpenNeeds,
    ProgressRow,
    ProgressView,
    Registration,
    UnreachableCaller,
    UnreportedCaller,
    WeakBoothHeard,
)
from handlers.texts.fit import fit_to_message

Item = TypeVar("Item")


def _format_percent(percent: int | None) -> str:
    return "–" if percent is None else f"{percent}%"


@dataclass(frozen=True)
class _Writer:
    """Builds the lines of a summary in one language, escaping every name when writing Telegram HTML."""

    language: str
    html: bool

    def text(self, key: str, /, **params: object) -> str:
        """A catalog text with its parameters escaped for HTML when needed."""
        return translate(self.language, key, **{name: self.escape(str(value)) for name, value in params.items()})

    def escape(self, value: str) -> str:
        """A name or label made safe for the output format."""
        return escape_html(value, quote=False) if self.html else value

    def heading(self, key: str, /, **params: object) -> str:
        """A section heading: bold in HTML."""
        title = self.text(key, **params)
        return f"<b>{title}</b>" if self.html else title

    def section(self, key: str, items: Sequence[Item], line: Callable[[Item], str],
                limit: int | None) -> Iterator[str]:
        """A blank line, a heading and one line per item, cut after `limit` items with an "… and N more"."""
        yield ""
        yield self.heading(key)
        if not items:
            yield self.text("summary.none")
            return
        shown = items if limit is None else items[:limit]
        yield from (line(item) for item in shown)
        if len(shown) < len(items):
            yield self.text("summary.more", count=len(items) - len(shown))

    def unreported(self, caller: UnreportedCaller) -> str:
        """An office-bearer with calls awaiting report: role, where they work, how many."""
        where = list(caller.districts) or ([caller.region] if caller.region else [])
        return self.text("summary.unreported_row", name=caller.name, count=caller.unreported,
                         details=", ".join([enum_label(self.language, caller.role), *where]))

    def disconnected(self, caller: DisconnectedCaller) -> str:
        """An office-bearer whose reported calls all did not connect: how many calls, how many attempts."""
        return self.text("headline.disconnected_row", name=caller.name, role=enum_label(self.language, caller.role),
                         calls=caller.calls, attempts=caller.attempts)

    def unreachable(self, caller: UnreachableCaller) -> str:
        """An office-bearer the bot could not reach, with the reason in words when it is a known one."""
        reason_key = f"unreachable.{caller.reason or 'unknown'}"
        reason = (translate(self.language, reason_key) if reason_key in catalog(self.language)
                  else caller.reason)
        return self.text("summary.unreachable_row", name=caller.name, role=enum_label(self.language, caller.role),
                         reason=reason, days=caller.days)

    def weak_booth(self, booth: WeakBoothHeard) -> str:
        """A weak booth reached on a call, and what it asked for."""
        line = self.text("summary.weak_row", number=booth.booth_no, booth=booth.booth_name,
                         assembly_no=booth.assembly_no, assembly=booth.assembly, district=booth.district,
                         day=format_day(self.language, booth.day))
        if not booth.needs:
            return line
        needs = ", ".join(enum_label(self.language, category) for category in booth.needs)
        return f"{line} — {self.text('summary.weak_needs', needs=needs)}"

    def need(self, tally: NeedTally) -> str:
        """How many needs of a category were raised and how many are still open."""
        return self.text("summary.need_row", category=enum_label(self.language, tally.category),
                         raised=tally.raised, still_open=tally.still_open)


def area_label(area: Area, language: str) -> str:
    """What a view is about, in words: the whole state, your districts, a region, a district or own calls."""
    if area.level is Level.state:
        return translate(language, "review.area.charge" if area.charge else "review.area.state")
    if area.level in SEAT_LEVELS:
        key = f"seats.area.{area.level.value}" + ("_charge" if area.charge else "")
        return translate(language, key, name=area.name or "")
    return translate(language, f"review.area.{area.level.value}", name=area.name)


@dataclass(frozen=True)
class _ProgressWriter(_Writer):
    """Builds the lines of a progress view: figures with their trend, rows one level down, open needs."""

    def trend(self, points: int | None) -> str:
        """After a figure: ▲ or ▼ and the points, ＝ when unchanged, nothing when there is nothing to compare."""
        if points is None:
            return ""
        if points == 0:
            return " " + self.text("review.trend.same")
        return " " + self.text("review.trend.up" if points > 0 else "review.trend.down", points=abs(points))

    def period(self, period: Period) -> str:
        """The day, or the first and last day and the length of the period."""
        if period.kind is PeriodKind.day:
            return self.text("review.period.day", day=format_day(self.language, period.end))
        return self.text("review.period.range", start=format_day(self.language, period.start),
                         end=format_day(self.language, period.end),
                         days=period.days)

    def row(self, row: ProgressRow) -> str:
        """One region's, district's or office-bearer's line: conversations of assigned, attempts that did not
        connect and calls unreported, then its back-checks when there are any and, for a district, how many of
        its booth presidents joined the bot."""
        counts = row.counts
        line = self.text("headline.row", name=row.name, conversations=counts.conversations,
                         assigned=counts.assigned, percent=_format_percent(counts.conversation_percent),
                         not_connected=counts.not_connected, unreported=counts.unreported)
        if counts.asked:
            line += self.text("review.row_checks", checked=counts.checked, confirmed=counts.confirmed,
                              denied=counts.denied)
        if row.registration is not None:
            line += self.text("headline.row_registered", registered=row.registration.registered,
                              presidents=row.registration.presidents,
                              percent=_format_percent(row.registration.percent))
        return line

    def map_row(self, row: ProgressRow) -> str:
        """A row, marked ⭐ when it is a focus Lok Sabha seat."""
        return self.text("seats.focus_mark") + self.row(row) if row.focus else self.row(row)

    def coverage(self, coverage: CoverageFigures) -> str:
        """The area's coverage: booth presidents talked to in the last 30 and 90 days, in percent."""
        return self.text("seats.coverage_line", share_30=_format_percent(coverage.share_30),
                         share_90=_format_percent(coverage.share_90))
    def registration(self, registration: Registration) -> str:
        """How many of the view's active booth presidents joined the bot."""
        return self.text("headline.line.registered", registered=registration.registered,
                         presidents=registration.presidents, percent=_format_percent(registration.percent))

    def checks(self, view: ProgressView) -> str:
        """How far the view's reported conversations were verified, and how many calls are worth checking."""
        totals = view.totals
        line = self.text("review.line.checks", conversations=totals.conversations, asked=totals.asked,
                         checked=totals.checked, confirmed=totals.confirmed, denied=totals.denied)
        if view.flagged is None:
            return line + self.text("review.line.flags_elsewhere")
        return line + self.text("review.line.flagged", flagged=view.flagged)

    def needs(self, needs: OpenNeeds) -> str:
        """Open needs of one category: how many, and how many of each age."""
        return self.text("review.need_row", category=enum_label(self.language, needs.category), total=needs.total,
                         fresh=needs.fresh, aging=needs.aging, old=needs.old)

    def progress(self, view: ProgressView, limit: int | None, preface: str | None) -> Iterator[str]:
        """The whole view (after a `preface` heading, if any), each list cut after `limit` entries (None: in full)."""
        if preface:
            yield self.heading(preface)
        yield self.heading("review.title", area=area_label(view.area, self.language))
        yield self.period(view.period)
        if view.coverage is not None:
            yield self.coverage(view.coverage)
        totals, trend = view.totals, view.trend
        if not totals.assigned:
            yield self.text("summary.nothing")
            if view.registration is not None:
                yield self.registration(view.registration)
        else:
            yield self.text("review.line.delivery", assigned=totals.assigned, delivered=totals.delivered,
                            unreachable=totals.unreachable)
            yield self.text("headline.line.conversations", conversations=totals.conversations,
                            assigned=totals.assigned, percent=_format_percent(totals.conversation_percent)
                            ) + self.trend(trend.conversations)
            beside = self.text("headline.line.beside", not_connected=totals.not_connected,
                               wrong=totals.number_wrong, unreported=totals.unreported)
            if totals.call_back:
                beside += self.text("headline.line.call_back", call_back=totals.call_back)
            yield beside
            yield self.text("review.line.overdue", overdue=totals.overdue)
            if view.area.level is not Level.person:
                yield self.checks(view)
            if view.registration is not None:
                yield self.registration(view.registration)
            if view.previous.assigned:
                yield self.text("review.trend.legend", days=view.period.days)
            if view.rows_level is not None:
                yield from self.section(f"review.rows.{view.rows_level.value}", view.rows, self.map_row, limit)
            attention = view.attention
            yield from self.section("summary.unreported_heading", attention.unreported, self.unreported, limit)
            yield from self.section("headline.disconnected_heading", attention.disconnected, self.disconnected, limit)
            yield from self.section("summary.unreachable_heading", attention.unreachable, self.unreachable, limit)
            yield from self.section("summary.weak_heading", attention.weak_booths, self.weak_booth, limit)
            yield from self.section("summary.needs_heading", attention.needs_raised, self.need, None)
        yield from self.section("review.needs_heading", view.open_needs, self.needs, None)


def render_progress(view: ProgressView, language: str, *, html: bool = True, preface: str | None = None) -> str:
    """A progress view as text in `language`: Telegram HTML fitting one message, or plain text in full.

    `preface` is the catalog key of a heading put first, such as a digest's.
    """
    writer = _ProgressWriter(language=language, html=html)
    if not html:
        return "\n".join(writer.progress(view, None, preface))
    return fit_to_message(lambda limit: writer.progress(view, limit, preface))


def digest_text(digest: Digest) -> str:
    """A digest as sent: its view in the recipient's language under the heading of its kind."""
    return render_progress(digest.view, digest.language, preface=f"review.digest.{digest.kind.value}")
