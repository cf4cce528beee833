"""Summaries on a year of history: how long `/summary` and the verification tallies take on PostgreSQL.

For each caller count (500 and 5,000 office-bearers in Uttar Pradesh) the benchmark

1. migrates a fresh PostgreSQL database `samvad_bench_summary` (`SAMVAD_BENCH_POSTGRES_URL`'s server) to
   the newest revision, so the indexes are the real ones;
2. bulk-loads (COPY) the UP roster of `benchmarks.seeding` and 365 days up to and including the measured
   day: two calls a day for every caller, their morning messages (3 % not delivered, with the reason),
   call reports on 88 % of delivered calls (half of today's, by the measured afternoon; a second report on
   half of the unanswered and "call back" ones), well-being, the booth's position and some notes on
   talked calls, needs raised on a quarter of them (resolved the older they are), and back-checks of 3 %
   of talked calls; then VACUUM ANALYZE;
3. times, on a new connection, each case once (the first, "cold" run) and `--repeats` times more (the
   median of these is the warm figure): the progress view of the state (as the organisation secretary),
   of one typical district (as its in-charge) and of that in-charge's own calls, each for today, the
   week and the month, rendered as the Telegram message; and `verify_period` for the state and the
   district, for the day and the week;
4. prints the table against the 300 ms goal and EXPLAIN ANALYZE of the slowest statements, summarised as
   the plan nodes where their time went.

    python -m benchmarks.summary                               # 500 and 5,000 callers
    python -m benchmarks.summary --callers 5000 --before 0003  # also without the indexes of 0004, for the ratio

With `--before REV` each case is measured again after downgrading the schema to `REV` (dropping the
indexes added since) and ANALYZE, on the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alembic import command
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.seeding import (
    DAY,
    NOW,
    UP_BOOTHS,
    UP_MANDALS,
    BulkLoader,
    People,
    Roster,
    clear_people,
    create_postgres_database,
    drop_postgres_database,
    finish_load,
    seed_people,
    seed_roster,
    tables,
    up_map,
)
from bot.access import Viewer
from bot.db import alembic_config, make_engine, make_session_factory, upgrade_to_head
from bot.review.flags import verify_period
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import progress_view
from bot.review.rollup import close_days, last_closed_day
from handlers.texts.progress import render_progress
from models import DeliveryStatus, NeedCategory, NeedStatus, Outcome, Strength, Wellbeing

POSTGRES_DATABASE = "samvad_bench_summary"
GOAL_MS = 300.0
HISTORY_DAYS = 365
MEASURED_AT = NOW + timedelta(hours=6)  # 14:00 in India on the measured day
MORNING = timedelta(hours=2, minutes=30)  # the morning message leaves at 08:00 in India
ZONE = ZoneInfo("Asia/Kolkata")
GRACE_DAYS = 1
NOTES = ("सब ठीक है", "बूथ कमेटी की बैठक अगले सप्ताह होगी, मतदाता सूची का काम चल रहा है",
         "Booth committee needs two more members before the next meeting", "प्रचार सामग्री अभी तक नहीं पहुँची है",
         "Family well, asked for a visit by the MLA during the festival")
FIRST_OUTCOMES = (Outcome.talked, Outcome.no_answer, Outcome.switched_off, Outcome.wrong_number, Outcome.call_back)
FIRST_WEIGHTS = (68, 12, 6, 2, 12)
FAILURES = ("blocked", "not_started", "deactivated")


# ---------------------------------------------------------------------------------------------- seeding


def need_status(age_days: int, roll: float) -> NeedStatus:
    """How far a need of this age has been followed up: most old ones resolved, most recent ones open."""
    resolved, in_progress = ((0.9, 0.05) if age_days > 60 else (0.7, 0.15) if age_days > 30
                             else (0.4, 0.3) if age_days > 7 else (0.1, 0.2))
    return (NeedStatus.resolved if roll < resolved else NeedStatus.in_progress if roll < resolved + in_progress
            else NeedStatus.open)


@dataclass
class DayRows:
    """The rows of one seeded day, table by table, with the next free id of each."""

    ids: dict[str, int]
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {
        "deliveries": [], "assignments": [], "call_reports": [], "needs": [], "back_checks": []})

    def add(self, table: str, *values: Any) -> int:
        """Append a row (after its id) and return the id it got."""
        row_id = self.ids[table]
        self.ids[table] = row_id + 1
        self.rows[table].append((row_id, *values))
        return row_id


COLUMNS = {
    "deliveries": ("id", "day", "office_bearer_id", "status", "telegram_message_id", "error", "attempts",
                   "updated_at"),
    "assignments": ("id", "day", "office_bearer_id", "slot", "booth_president_id", "booth_id", "created_at"),
    "call_reports": ("id", "assignment_id", "outcome", "wellbeing", "booth_position", "notes", "call_back_on",
                     "reported_at"),
    "needs": ("id", "call_report_id", "booth_id", "category", "detail", "status", "created_at"),
    "back_checks": ("id", "assignment_id", "booth_president_id", "created_at", "asked_at", "answered_at",
                    "called", "spoke_about_needs"),
}


def report_calls(rows: DayRows, rng: random.Random, day: date, assignment_id: int, booth: int,
                 sent: datetime) -> None:
    """The reports on one delivered call (none on 12 %, or on half of today's), its needs and back-check."""
    today = day == DAY
    if rng.random() >= (0.5 if today else 0.88):
        return
    latest = (MEASURED_AT - sent).total_seconds() if today else 14 * 3600
    reported = sent + timedelta(seconds=rng.uniform(600, latest))
    outcome = rng.choices(FIRST_OUTCOMES, FIRST_WEIGHTS)[0]
    if outcome in (Outcome.no_answer, Outcome.switched_off, Outcome.call_back) and rng.random() < 0.5:
        call_back_on = day + timedelta(days=1) if outcome is Outcome.call_back else None
        rows.add("call_reports", assignment_id, outcome, None, None, None, call_back_on, reported)
        reported += timedelta(hours=rng.uniform(1, 30))
        if today and reported > MEASURED_AT:
            return
        outcome = Outcome.talked if rng.random() < 0.7 else Outcome.no_answer
    talked = outcome is Outcome.talked
    wellbeing = (Wellbeing.well if rng.random() < 0.85 else Wellbeing.concern) if talked else None
    position = rng.choices((Strength.strong, Strength.moderate, Strength.weak), (35, 45, 20))[0] if talked else None
    notes = rng.choice(NOTES) if talked and rng.random() < 0.2 else None
    call_back_on = day + timedelta(days=rng.randint(1, 3)) if outcome is Outcome.call_back else None
    report_id = rows.add("call_reports", assignment_id, outcome, wellbeing, position, notes, call_back_on, reported)
    if not talked:
        return
    if rng.random() < 0.25:
        age = (DAY - day).days
        for category in rng.sample(list(NeedCategory), 2 if rng.random() < 0.1 else 1):
            rows.add("needs", report_id, booth, category, None, need_status(age, rng.random()), reported)
    if not today and rng.random() < 0.03:
        asked = reported + timedelta(hours=20)
        answered = rng.random() < 0.6
        rows.add("back_checks", assignment_id, booth, asked, asked, asked + timedelta(hours=2) if answered else None,
                 (rng.random() < 0.92) if answered else None, (rng.random() < 0.85) if answered else None)


async def seed_year(loader: BulkLoader, roster: Roster, people: People, rng: random.Random) -> None:
    """`HISTORY_DAYS` days up to and including `DAY`: two calls a day for every caller, with the morning
    message, reports, needs and back-checks (see the module docstring for the mix), loaded day by day."""
    t = tables()
    every_district = list(range(len(roster.district_booths)))
    ids = dict.fromkeys(COLUMNS, 1)
    for back in range(HISTORY_DAYS - 1, -1, -1):
        day = DAY - timedelta(days=back)
        midnight = datetime.combine(day, datetime.min.time(), UTC)
        sent = midnight + MORNING
        rows = DayRows(ids)
        given: set[int] = set()
        for person_id, scope in zip(people.ids, people.scopes, strict=True):
            failed = rng.random() < 0.03
            rows.add("deliveries", day, person_id, DeliveryStatus.failed if failed else DeliveryStatus.sent,
                     None if failed else 10 ** 6 + person_id, rng.choice(FAILURES) if failed else None,
                     1, sent + timedelta(seconds=rng.uniform(0, 300)))
            for slot in (1, 2):
                booths = roster.district_booths[rng.choice(scope if scope is not None else every_district)]
                president = booths[rng.randrange(len(booths))]
                if president in given:
                    continue
                given.add(president)
                assignment_id = rows.add("assignments", day, person_id, slot, president, president,
                                         midnight)
                if not failed:
                    report_calls(rows, rng, day, assignment_id, president, sent)
        for table, table_rows in rows.rows.items():
            await loader.load(t[table], COLUMNS[table], table_rows)


async def seed(url: str, roster: Roster, callers: int) -> tuple[People, dict[str, int]]:
    """Replace the people and history of the database at `url` with `callers` callers' year: the people,
    and the rows loaded per table."""
    engine = make_engine(url)
    rng = random.Random(20261201 + callers)
    async with engine.connect() as conn:
        await clear_people(conn)
        loader = BulkLoader(conn)
        people = await seed_people(loader, roster, callers, rng)
        await seed_year(loader, roster, people, rng)
        await conn.commit()
    await finish_load(engine)
    await engine.dispose()
    return people, dict(loader.rows_loaded)


# ------------------------------------------------------------------------------------------ measurement


@dataclass
class Statement:
    """One SQL statement a case ran, with its parameters and how long it took."""

    case: str
    sql: str
    parameters: Any
    seconds: float


@dataclass
class Recorder:
    """Times every statement sent while `case` is set (SQLAlchemy cursor events)."""

    case: str | None = None
    statements: list[Statement] = field(default_factory=list)
    _started: float = 0.0
    _pending: tuple[str, Any] | None = None

    def before(self, _conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        """`before_cursor_execute` listener."""
        self._started, self._pending = time.perf_counter(), (sql, parameters)

    def after(self, *_: Any) -> None:
        """`after_cursor_execute` listener."""
        if self.case is not None and self._pending is not None:
            self.statements.append(Statement(self.case, *self._pending, time.perf_counter() - self._started))


@dataclass(frozen=True)
class Subjects:
    """Who and what the cases look at: the secretary, a typical district and its in-charge."""

    secretary: Viewer
    incharge: Viewer
    district_id: int
    district: str


async def choose_subjects(url: str, people: People) -> Subjects:
    """The district with the median number of calls in the last 30 days among those with an in-charge of
    that district alone, and that in-charge."""
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("""
            SELECT d.id, d.name, min(obd.office_bearer_id) AS incharge, count(*) AS calls
            FROM assignments a JOIN booths b ON b.id = a.booth_id JOIN assembly_seats s ON s.id = b.assembly_id
            JOIN districts d ON d.id = s.district_id
            JOIN office_bearer_districts obd ON obd.district_id = d.id
            WHERE a.day > :since AND obd.office_bearer_id IN (
                SELECT office_bearer_id FROM office_bearer_districts GROUP BY office_bearer_id HAVING count(*) = 1)
            GROUP BY d.id, d.name ORDER BY calls"""), {"since": DAY - timedelta(days=30)})).all()
        typical = rows[len(rows) // 2]
        secretary_name = (await conn.execute(text("SELECT name FROM office_bearers WHERE id = :id"),
                                             {"id": people.secretary_id})).scalar_one()
        incharge_name = (await conn.execute(text("SELECT name FROM office_bearers WHERE id = :id"),
                                            {"id": typical.incharge})).scalar_one()
    await engine.dispose()
    return Subjects(Viewer(people.secretary_id, secretary_name, None, own_work_only=False),
                    Viewer(typical.incharge, incharge_name, frozenset({typical.id}), own_work_only=False),
                    typical.id, typical.name)


def cases(subjects: Subjects) -> list[tuple[str, Callable[[Any], Awaitable[object]]]]:
    """Every measured case: a name and what it runs in a session."""
    def view(viewer: Viewer, level: Level, area_id: int, kind: PeriodKind,
             use_rollup: bool = True) -> Callable[[Any], Awaitable[object]]:
        async def run(session: Any) -> object:
            found = await progress_view(session, viewer, level=level, area_id=area_id, period=Period(kind, DAY),
                                        today=DAY, grace_days=GRACE_DAYS, now=MEASURED_AT, zone=ZONE,
                                        use_rollup=use_rollup)
            return render_progress(found, "hi")
        return run

    def verification(district_ids: frozenset[int] | None, days: int) -> Callable[[Any], Awaitable[object]]:
        async def run(session: Any) -> object:
            return await verify_period(session, start=DAY - timedelta(days=days - 1), end=DAY,
                                       district_ids=district_ids, zone=ZONE)
        return run

    found: list[tuple[str, Callable[[Any], Awaitable[object]]]] = []
    for kind in PeriodKind:
        found.append((f"summary state {kind.value}", view(subjects.secretary, Level.state, 0, kind)))
    for kind in (PeriodKind.week, PeriodKind.month):  # the same without the daily roll-up (equal without --rollup)
        found.append((f"summary state {kind.value} live", view(subjects.secretary, Level.state, 0, kind, False)))
    for kind in PeriodKind:
        found.append((f"summary district {kind.value}",
                      view(subjects.incharge, Level.district, subjects.district_id, kind)))
    for kind in PeriodKind:
        found.append((f"summary own calls {kind.value}",
                      view(subjects.incharge, Level.person, subjects.incharge.person_id, kind)))
    for area, district_ids in (("state", None), ("district", frozenset({subjects.district_id}))):
        for label, days in (("day", 1), ("week", 7)):
            found.append((f"verify_period {area} {label}", verification(district_ids, days)))
    return found


async def measure(url: str, subjects: Subjects, repeats: int) -> tuple[dict[str, list[float]], list[Statement]]:
    """Each case's wall times in seconds (the first on a new connection, then `repeats` more), and the
    statements of its last run."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    recorder = Recorder()
    event.listen(engine.sync_engine, "before_cursor_execute", recorder.before)
    event.listen(engine.sync_engine, "after_cursor_execute", recorder.after)
    walls: dict[str, list[float]] = {}
    for name, run in cases(subjects):
        walls[name] = []
        for attempt in range(repeats + 1):
            recorder.case = name if attempt == repeats else None
            started = time.perf_counter()
            async with sessions() as session:
                await run(session)
            walls[name].append(time.perf_counter() - started)
        recorder.case = None
        print(f"    {name:<28} first {walls[name][0] * 1000:8.0f} ms, "
              f"median {statistics.median(walls[name][1:]) * 1000:8.0f} ms", file=sys.stderr, flush=True)
    await engine.dispose()
    return walls, recorder.statements


def exclusive_nodes(plan: dict[str, Any]) -> list[tuple[float, str]]:
    """Each plan node's own time (its total minus its children's, over all loops) and a one-line label."""
    children = plan.get("Plans", [])
    loops = plan.get("Actual Loops", 1)
    total = plan.get("Actual Total Time", 0.0) * loops
    own = total - sum(c.get("Actual Total Time", 0.0) * c.get("Actual Loops", 1) for c in children)
    label = plan["Node Type"]
    if "Relation Name" in plan:
        label += f" on {plan['Relation Name']}"
    if "Index Name" in plan:
        label += f" using {plan['Index Name']}"
    label += f" ({plan.get('Actual Rows', 0) * loops:,} rows"
    if loops > 1:
        label += f", {loops:,} loops"
    label += ")"
    nodes = [(max(own, 0.0), label)]
    for child in children:
        nodes += exclusive_nodes(child)
    return nodes


async def explain(url: str, statements: Sequence[Statement], top: int) -> list[str]:
    """EXPLAIN ANALYZE of the `top` slowest statements, each summarised as the nodes that took the most time."""
    lines = []
    engine = make_engine(url)
    async with engine.connect() as conn:
        for statement in sorted(statements, key=lambda s: -s.seconds)[:top]:
            result = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement.sql,
                                                statement.parameters)
            document = result.scalar_one()
            plan = (json.loads(document) if isinstance(document, str) else document)[0]
            first_line = " ".join(statement.sql.split())[:110]
            lines.append(f"{statement.case}: {statement.seconds * 1000:.0f} ms in the run, "
                         f"{plan['Execution Time']:.0f} ms explained — {first_line}…")
            for own, label in sorted(exclusive_nodes(plan["Plan"]), reverse=True)[:4]:
                lines.append(f"      {own:8.1f} ms  {label}")
    await engine.dispose()
    return lines


# ------------------------------------------------------------------------------------------- orchestration


async def analyse(url: str) -> None:
    """Refresh the planner's statistics (after a schema change)."""
    engine = make_engine(url)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    await engine.dispose()


def print_table(callers: int, walls: dict[str, list[float]], statements: Sequence[Statement],
                before: dict[str, list[float]] | None) -> None:
    """The headline table of one caller count: first run, warm median, the goal, the last run's SQL (time and
    statements; the rest is Python) and, if measured, the ratio to the older schema."""
    sql: dict[str, list[float]] = {name: [] for name in walls}
    for statement in statements:
        sql[statement.case].append(statement.seconds)
    header = f"{'case':<28} {'first ms':>9} {'median ms':>10} {'goal':>6}  {'verdict':<12} {'SQL ms':>7} {'stmts':>6}"
    if before is not None:
        header += f" {'before: median ms':>18} {'ratio':>7}"
    print(f"\n{callers:,} callers\n{header}")
    for name, times in walls.items():
        median = statistics.median(times[1:]) * 1000
        verdict = "meets goal" if median < GOAL_MS else "misses goal"
        line = (f"{name:<28} {times[0] * 1000:>9.0f} {median:>10.0f} {GOAL_MS:>4.0f}ms  {verdict:<12} "
                f"{sum(sql[name]) * 1000:>7.0f} {len(sql[name]):>6}")
        if before is not None:
            earlier = statistics.median(before[name][1:]) * 1000
            line += f" {earlier:>18.0f} {earlier / median:>6.1f}×"
        print(line)
    sys.stdout.flush()


async def roll_up(url: str) -> None:
    """Run the nightly roll-up once over the seeded year (every closed day counted), and say how long it took."""
    engine = make_engine(url)
    started = time.perf_counter()
    async with engine.connect() as conn:
        session = AsyncSession(bind=conn)
        written = await close_days(session, until=last_closed_day(DAY, GRACE_DAYS), now=MEASURED_AT)
        await session.commit()
        await conn.commit()
    await engine.dispose()
    await analyse(url)
    print(f"  roll-up of the year: {written:,} rows in {time.perf_counter() - started:.0f} s", file=sys.stderr,
          flush=True)


async def run(args: argparse.Namespace) -> None:
    """Seed and measure every chosen caller count on a fresh benchmark database."""
    base_url = os.environ["SAMVAD_BENCH_POSTGRES_URL"]
    url = await create_postgres_database(base_url, POSTGRES_DATABASE)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        engine = make_engine(url)
        async with engine.connect() as conn:
            roster = await seed_roster(BulkLoader(conn), up_map(), booths=UP_BOOTHS, mandals=UP_MANDALS,
                                             rng=random.Random(20261201))
            await conn.commit()
        await engine.dispose()
        for callers in args.callers:
            started = time.perf_counter()
            people, loaded = await seed(url, roster, callers)
            print(f"  {callers:,} callers seeded in {time.perf_counter() - started:.0f} s: "
                  + ", ".join(f"{count:,} {table}" for table, count in loaded.items()
                              if table in COLUMNS), file=sys.stderr, flush=True)
            if args.rollup:
                await roll_up(url)
            subjects = await choose_subjects(url, people)
            print(f"  typical district: {subjects.district} (in-charge #{subjects.incharge.person_id})",
                  file=sys.stderr, flush=True)
            walls, statements = await measure(url, subjects, args.repeats)
            before = None
            if args.before:
                await asyncio.to_thread(command.downgrade, alembic_config(url), args.before)
                await analyse(url)
                print(f"  schema at {args.before}:", file=sys.stderr, flush=True)
                before, _ = await measure(url, subjects, args.repeats)
                await asyncio.to_thread(upgrade_to_head, url)
                await analyse(url)
            print_table(callers, walls, statements, before)
            print("\nwhere the time goes (EXPLAIN ANALYZE of the slowest statements, own time per plan node):")
            for line in await explain(url, statements, args.explain):
                print(f"  {line}")
    finally:
        if not args.keep:
            await drop_postgres_database(base_url, POSTGRES_DATABASE)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--callers", type=int, nargs="+", default=[500, 5_000],
                        help="office-bearer counts to measure (default 500 5000)")
    parser.add_argument("--repeats", type=int, default=5, help="warm runs per case after the first (default 5)")
    parser.add_argument("--before", metavar="REVISION",
                        help="also measure with the schema downgraded to this Alembic revision, for the ratio")
    parser.add_argument("--rollup", action="store_true",
                        help="run the nightly roll-up over the seeded history first, so views read closed days from it")
    parser.add_argument("--keep", action="store_true",
                        help=f"keep the database {POSTGRES_DATABASE} afterwards (with the last caller count's data)")
    parser.add_argument("--explain", type=int, default=4, help="slowest statements to EXPLAIN ANALYZE (default 4)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Seed, measure and print; needs `SAMVAD_BENCH_POSTGRES_URL`."""
    args = parse_args(argv)
    if not os.environ.get("SAMVAD_BENCH_POSTGRES_URL"):
        raise SystemExit("set SAMVAD_BENCH_POSTGRES_URL to measure summaries on PostgreSQL")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
