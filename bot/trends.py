"""The figures behind the charts: week-by-week reporting per district, how a period's calls ended, and the
needs the booths raised.

Each is one aggregate query (GROUP BY in the database) over the assignments of a period on booths of
`district_ids` (every district when None); who may see which districts is the caller's business. A call
counts as reported once it has any report; its outcome is that of its latest report (by `reported_at`,
ties broken by the higher id), as in the summaries.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Subquery, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AssemblySeat, Assignment, Booth, CallReport, District, Need, NeedCategory, NeedStatus, Outcome


@dataclass(frozen=True)
class Completion:
    """How many calls were assigned in some district and week, and how many of them were reported."""

    assigned: int = 0
    reported: int = 0

    def __add__(self, other: Completion) -> Completion:
        """Both counts summed, to roll weeks or districts up."""
        return Completion(self.assigned + other.assigned, self.reported + other.reported)

    @property
    def percent(self) -> int | None:
        """Reported of assigned in whole percent, None when nothing was assigned."""
        return round(100 * self.reported / self.assigned) if self.assigned else None


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
    """One district's completion in each week of a trend, oldest first."""

    name: str
    weeks: tuple[Completion, ...]

    @property
    def overall(self) -> Completion:
        """Completion over all the weeks together."""
        return sum(self.weeks, Completion())


@dataclass(frozen=True)
class CompletionTrend:
    """Completion per district and week; districts with no call in any of the weeks are left out."""

    weeks: tuple[Period, ...]
    districts: tuple[DistrictTrend, ...]

    @property
    def totals(self) -> tuple[Completion, ...]:
        """Completion of all the districts together, week by week."""
        return tuple(sum((d.weeks[i] for d in self.districts), Completion()) for i in range(len(self.weeks)))


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


@dataclass(frozen=True)
class NeedCount:
    """Needs of one category raised on the period's calls, and how many of them are not resolved yet."""

    category: NeedCategory
    raised: int
    still_open: int


def _assignments(start: date, end: date, district_ids: Collection[int] | None,
                 *extra: ColumnElement[object]) -> Subquery:
    """The assignments of `start`..`end` on booths of `district_ids`, with the booth's district."""
    query = (select(Assignment.id, AssemblySeat.district_id, *extra)
             .join(Booth, Booth.id == Assignment.booth_id)
             .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
             .where(Assignment.day.between(start, end)))
    if district_ids is not None:
        query = query.where(AssemblySeat.district_id.in_(district_ids))
    return query.subquery("scoped")


def _reported_since(start: date) -> ColumnElement[bool]:
    """Keeps every report a call of a period beginning on `start` can have (none is made before its day;
    a day earlier in UTC covers every time zone), so the `reported_at` index narrows the reports read."""
    return CallReport.reported_at >= datetime.combine(start - timedelta(days=1), time.min, UTC)


async def weekly_completion(session: AsyncSession, *, end: date, weeks: int,
                            district_ids: Collection[int] | None) -> CompletionTrend:
    """Reported of assigned calls per district in each of the `weeks` seven-day weeks ending on `end`."""
    periods = weeks_ending(end, weeks)
    week_index = case(*((Assignment.day >= week.start, index) for index, week in reversed(list(enumerate(periods)))),
                      else_=0).label("week")
    scoped = _assignments(periods[0].start, end, district_ids, week_index)
    reported = (select(CallReport.assignment_id).where(_reported_since(periods[0].start))
                .group_by(CallReport.assignment_id).subquery("reported"))
    rows = (await session.execute(
        select(District.id, District.name, scoped.c.week, func.count().label("assigned"),
               func.count(reported.c.assignment_id).label("reported"))
        .select_from(scoped)
        .join(District, District.id == scoped.c.district_id)
        .outerjoin(reported, reported.c.assignment_id == scoped.c.id)
        .group_by(District.id, District.name, scoped.c.week)
        .order_by(District.name, District.id))).all()
    by_district: dict[int, tuple[str, list[Completion]]] = {}
    for row in rows:
        _, cells = by_district.setdefault(row.id, (row.name, [Completion()] * weeks))
        cells[row.week] = Completion(assigned=row.assigned, reported=row.reported)
    return CompletionTrend(weeks=periods, districts=tuple(DistrictTrend(name, tuple(cells))
                                                          for name, cells in by_district.values()))


async def outcome_tally(session: AsyncSession, *, start: date, end: date,
                        district_ids: Collection[int] | None) -> OutcomeTally:
    """How many of the period's calls ended (by their latest report) with each outcome, and how many there were."""
    scoped = _assignments(start, end, district_ids)
    newest_first = (CallReport.reported_at.desc(), CallReport.id.desc())
    ranked = (select(CallReport.assignment_id, CallReport.outcome,
                     func.row_number().over(partition_by=CallReport.assignment_id, order_by=newest_first)
                     .label("rank"))
              .join(scoped, scoped.c.id == CallReport.assignment_id)
              .where(_reported_since(start))
              .subquery("ranked"))
    latest = select(ranked.c.assignment_id, ranked.c.outcome).where(ranked.c.rank == 1).subquery("latest")
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
    scoped = _assignments(start, end, district_ids)
    rows = (await session.execute(
        select(Need.category, func.count().label("raised"),
               func.count().filter(Need.status != NeedStatus.resolved).label("still_open"))
        .join(CallReport, CallReport.id == Need.call_report_id)
        .join(scoped, scoped.c.id == CallReport.assignment_id)
        .where(_reported_since(start))
        .group_by(Need.category))).all()
    found = {row.category: NeedCount(row.category, row.raised, row.still_open) for row in rows}
    return tuple(found.get(category, NeedCount(category, 0, 0)) for category in NeedCategory)


WEEKS = 6
"""Weeks of reporting the completion chart shows."""


@dataclass(frozen=True)
class Trends:
    """Everything the charts show about a period: reporting in the weeks up to its end, outcomes, needs."""

    period: Period
    completion: CompletionTrend
    outcomes: OutcomeTally
    needs: tuple[NeedCount, ...]

    @property
    def empty(self) -> bool:
        """Whether no call at all was assigned in the period or the weeks before its end."""
        return not self.completion.districts and not self.outcomes.assigned


async def gather_trends(session: AsyncSession, *, start: date, end: date, district_ids: Collection[int] | None,
                        weeks: int = WEEKS) -> Trends:
    """The figures of the three charts for `start`..`end` on booths of `district_ids` (all when None)."""
    return Trends(
        period=Period(start, end),
        completion=await weekly_completion(session, end=end, weeks=weeks, district_ids=district_ids),
        outcomes=await outcome_tally(session, start=start, end=end, district_ids=district_ids),
        needs=await needs_by_category(session, start=start, end=end, district_ids=district_ids),
    )
