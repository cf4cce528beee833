"""The figures behind the charts: week-by-week conversations per district, how a period's calls ended, and
the needs the booths raised.

Each is one aggregate query (GROUP BY in the database) over the assignments of a period on booths of
`district_ids` (every district when None); who may see which districts is the caller's business. A call's
outcome is that of its latest report (by `reported_at`, ties broken by the higher id), as in the summaries;
it is a conversation when that outcome is "talked".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.review.progress import NeedTally, call_scope, latest_reports, need_tallies
from models import NOT_CONNECTED, District, NeedCategory, Outcome


@dataclass(frozen=True)
class ConversationShare:
    """How many calls were assigned in some district and week, and on how many of them the office-bearer
    talked with the booth president (by the latest report)."""

    assigned: int = 0
    conversations: int = 0

    def __add__(self, other: ConversationShare) -> ConversationShare:
        """Both counts summed, to roll weeks or districts up."""
        return ConversationShare(self.assigned + other.assigned, self.conversations + other.conversations)

    @property
    def percent(self) -> int | None:
        """Conversations of assigned in whole percent, None when nothing was assigned."""
        return round(100 * self.conversations / self.assigned) if self.assigned else None


@dataclass(frozen=True)
class Period:
    """The days `start`..`end` inclusive."""

    start: date
    end: date


def weeks_ending(end: date, count: int) -> tuple[Period, ...]:
    """The `count` seven-day weeks that end on `end`, oldest first (the last is the week up to `end`)."""
    return tuple(Period(end - timedelta(days=7 * back + 6), end - timedelta(days=7 * back))
                 for back in range(count - 1, -1, -1))


@dataclass(frozen=True)
class DistrictTrend:
    """One district's conversation share in each week of a trend, oldest first."""

    name: str
    weeks: tuple[ConversationShare, ...]

    @property
    def overall(self) -> ConversationShare:
        """The conversation share over all the weeks together."""
        return sum(self.weeks, ConversationShare())


@dataclass(frozen=True)
class ConversationTrend:
    """Conversation share per district and week; districts with no call in any of the weeks are left out."""

    weeks: tuple[Period, ...]
    districts: tuple[DistrictTrend, ...]

    @property
    def totals(self) -> tuple[ConversationShare, ...]:
        """The conversation share of all the districts together, week by week."""
        return tuple(sum((d.weeks[i] for d in self.districts), ConversationShare()) for i in range(len(self.weeks)))


@dataclass(frozen=True)
class OutcomeTally:
    """How the calls of a period ended: every outcome in `Outcome` order, with its count."""

    period: Period
    assigned: int
    outcomes: tuple[tuple[Outcome, int], ...]

    @property
    def reported(self) -> int:
        """Calls with at least one report."""
        return sum(count for _, count in self.outcomes)

    @property
    def not_connected(self) -> int:
        """Reported calls whose latest report is an attempt that did not connect."""
        return sum(count for outcome, count in self.outcomes if outcome in NOT_CONNECTED)


NeedCount = NeedTally
"""Needs of one category raised on the period's calls, and how many of them are not resolved yet."""


async def weekly_conversations(session: AsyncSession, *, end: date, weeks: int,
                            district_ids: Collection[int] | None) -> ConversationTrend:
    """Conversations of assigned calls per district in each of the `weeks` seven-day weeks ending on `end`."""
    periods = weeks_ending(end, weeks)
    scope = call_scope(start=periods[0].start, end=end, district_ids=district_ids)
    scoped, latest = scope.assignments, latest_reports(scope)
    week = case(*((scoped.c.day >= week.start, index) for index, week in reversed(list(enumerate(periods)))),
                else_=0).label("week")
    rows = (await session.execute(
        select(District.id, District.name, week, func.count().label("assigned"),
               func.count().filter(latest.c.outcome == Outcome.talked).label("conversations"))
        .select_from(scoped)
        .join(District, District.id == scoped.c.district_id)
        .outerjoin(latest, latest.c.assignment_id == scoped.c.id)
        .group_by(District.id, District.name, week)
        .order_by(District.name, District.id))).all()
    by_district: dict[int, tuple[str, list[ConversationShare]]] = {}
    for row in rows:
        _, cells = by_district.setdefault(row.id, (row.name, [ConversationShare()] * weeks))
        cells[row.week] = ConversationShare(assigned=row.assigned, conversations=row.conversations)
    return ConversationTrend(weeks=periods, districts=tuple(DistrictTrend(name, tuple(cells))
                                                          for name, cells in by_district.values()))


async def outcome_tally(session: AsyncSession, *, start: date, end: date,
                        district_ids: Collection[int] | None) -> OutcomeTally:
    """How many of the period's calls ended (by their latest report) with each outcome, and how many there were."""
    scope = call_scope(start=start, end=end, district_ids=district_ids)
    scoped, latest = scope.assignments, latest_reports(scope)
    rows = (await session.execute(
        select(latest.c.outcome, func.count().label("calls"))
        .select_from(scoped)
        .outerjoin(latest, latest.c.assignment_id == scoped.c.id)
        .group_by(latest.c.outcome))).all()
    counts = {row.outcome: row.calls for row in rows}
    return OutcomeTally(period=Period(start, end), assigned=sum(counts.values()),
                        outcomes=tuple((outcome, counts.get(outcome, 0)) for outcome in Outcome))


async def needs_by_category(session: AsyncSession, *, start: date, end: date,
                            district_ids: Collection[int] | None) -> tuple[NeedCount, ...]:
    """Needs raised on the period's calls, per category (every category, in `NeedCategory` order)."""
    raised = await need_tallies(session, call_scope(start=start, end=end, district_ids=district_ids))
    found = {tally.category: tally for tally in raised}
    return tuple(found.get(category, NeedCount(category, 0, 0)) for category in NeedCategory)


WEEKS = 6
"""Weeks of conversations the district chart shows."""


@dataclass(frozen=True)
class Trends:
    """Everything the charts show about a period: conversations in the weeks up to its end, outcomes, needs."""

    period: Period
    conversations: ConversationTrend
    outcomes: OutcomeTally
    needs: tuple[NeedCount, ...]

    @property
    def empty(self) -> bool:
        """Whether no call at all was assigned in the period or the weeks before its end."""
        return not self.conversations.districts and not self.outcomes.assigned


async def gather_trends(session: AsyncSession, *, start: date, end: date, district_ids: Collection[int] | None,
                        weeks: int = WEEKS) -> Trends:
    """The figures of the three charts for `start`..`end` on booths of `district_ids` (all when None)."""
    return Trends(
        period=Period(start, end),
        conversations=await weekly_conversations(session, end=end, weeks=weeks, district_ids=district_ids),
        outcomes=await outcome_tally(session, start=start, end=end, district_ids=district_ids),
        needs=await needs_by_category(session, start=start, end=end, district_ids=district_ids),
    )
