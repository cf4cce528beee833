"""The daily roll-up: each closed day's call counts stored once, so a week or a month at state level sums a
few thousand rows instead of recounting every call, report, delivery and back-check.

A day is *closed* once nothing that the counts read can still change in the ordinary run of things: its
report window (`outreach.report_grace_days`) has passed and the back-checks of its calls (chosen and asked
the next day) have had a day to be answered. The last closed day is `today - grace_days - 3`
(`last_closed_day`). For a closed day "overdue" is simply "not reported": its report window is over.

`close_days` counts, set-based (one `INSERT ... SELECT ... GROUP BY` per month of days, the same aggregates
as the live `progress.counts_query`), every closed day not yet rolled up, per (day, assembly seat,
office-bearer), and moves the marker `rollup_marks.closed_through`. The rule for late changes: every run
also recounts the last `RECOMPUTE_DAYS` days up to the marker (deleting their rows first, so a run is
idempotent), so a back-check answered, a report corrected or a delivery settled within that many days of the
day closing is picked up by the next nightly run. A change to a day older than that is not (run
`close_days(..., since=day)` to recount from a given day). The nightly job runs it for `last_closed_day`.

Readers (`progress.progress_view`) take roll-up rows only for days up to `rolled_up_through` (the marker,
never beyond the last closed day) and count later days live.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.review.progress import COUNTED, ROLLUP_MARK_ID, call_scope, counts_query, last_closed_day, rolled_up_through
from models import Assignment, DailyCounts, RollupMark

RECOMPUTE_DAYS = 7
"""How many closed days before the marker every run recounts, to pick up late changes."""

CHUNK_DAYS = 31
"""Days counted per INSERT ... SELECT on a first run over a long history."""

__all__ = ["RECOMPUTE_DAYS", "close_days", "last_closed_day", "rolled_up_through"]

async def close_days(session: AsyncSession, *, until: date, now: datetime, since: date | None = None) -> int:
    """Roll up every closed day up to `until` not rolled up yet, recounting the last `RECOMPUTE_DAYS` days
    before the marker (or every day from `since`); returns how many roll-up rows were written. Idempotent."""
    mark = await session.get(RollupMark, ROLLUP_MARK_ID)
    if since is not None:
        start = since
    elif mark is not None:
        start = min(mark.closed_through, until) - timedelta(days=RECOMPUTE_DAYS - 1)
    else:
        first = (await session.execute(select(func.min(Assignment.day)))).scalar_one_or_none()
        start = first if first is not None else until
    written = 0
    while start <= until:
        end = min(until, start + timedelta(days=CHUNK_DAYS - 1))
        written += await _count_days(session, start, end)
        start = end + timedelta(days=1)
    if mark is None:
        session.add(RollupMark(id=ROLLUP_MARK_ID, closed_through=until, computed_at=now))
    else:
        mark.closed_through, mark.computed_at = max(mark.closed_through, until), now
    await session.flush()
    return written


async def _count_days(session: AsyncSession, start: date, end: date) -> int:
    """Replace the roll-up rows of `start`..`end` with a fresh count of those days' calls."""
    await session.execute(delete(DailyCounts).where(DailyCounts.day.between(start, end)))
    scope = call_scope(start=start, end=end, district_ids=None, overdue_before=end + timedelta(days=1))
    scoped = scope.assignments.c
    keys = (scoped.day, scoped.assembly_id, scoped.office_bearer_id)
    query = counts_query(scope).add_columns(*keys).group_by(*keys)
    result = await session.execute(insert(DailyCounts).from_select(
        [*COUNTED, "day", "assembly_id", "office_bearer_id"], query))
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
