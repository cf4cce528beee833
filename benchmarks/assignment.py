"""Assignment at state and national scale: wall time, peak memory and where the time goes.

For each case (Uttar Pradesh with 500 and 5,000 callers, India with 50,000) and each backend (SQLite in a
temporary directory, PostgreSQL when `SAMVAD_BENCH_POSTGRES_URL` is set), the benchmark

1. migrates a fresh database with the project's Alembic migrations, so the indexes are the real ones;
2. bulk-loads a synthetic roster straight into the tables (COPY on PostgreSQL, executemany on SQLite):
   regions, districts, Lok Sabha and assembly seats, mandals, booths with their strength, one booth
   president per booth, the office-bearers (district in-charges with one to three districts, state
   office-bearers with a region or none) and `--history-days` previous days of assignments and call
   reports (some of them "call back later"), so the rotation has a past to read;
3. runs one day's `assign_day` and the commit in a fresh subprocess, `--repeats` times (the day's rows
   are deleted between runs), and reports the median wall time, the peak resident memory the run added
   (`ru_maxrss` after the first run minus `ru_maxrss` just before it) and where the time went: each
   function `assign_day` calls, split into SQL (execute and fetch, from SQLAlchemy's cursor events) and
   Python.

    python -m benchmarks.assignment                        # every scale on every backend
    python -m benchmarks.assignment --scale up --backend postgresql --repeats 5

Everything is invented: place names past Uttar Pradesh's real map, people's names and mobile numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import inspect
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import typing
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import delete, event, text

from benchmarks.seeding import (
    DAY,
    NOW,
    UP_BOOTHS,
    UP_MANDALS,
    BulkLoader,
    OrganisationMap,
    People,
    Roster,
    clear_people,
    create_postgres_database,
    drop_postgres_database,
    finish_load,
    india_map,
    seed_people,
    seed_roster,
    tables,
    up_map,
)
from bot.config import OutreachSettings
from bot.db import make_engine, make_session_factory, upgrade_to_head
from models import Assignment, Outcome

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_DATABASE = "samvad_bench_assign"


@dataclass(frozen=True)
class Scale:
    """A roster size to measure: its map, how many booths and mandals, and the caller counts to try."""

    name: str
    booths: int
    mandals: int
    office_bearer_counts: tuple[int, ...]
    goal_seconds: float
    build_map: Callable[[], OrganisationMap]


SCALES = {
    "up": Scale("up", booths=UP_BOOTHS, mandals=UP_MANDALS, office_bearer_counts=(500, 5_000), goal_seconds=2.0,
                build_map=up_map),
    "india": Scale("india", booths=1_050_000, mandals=12_400, office_bearer_counts=(50_000,), goal_seconds=30.0,
                   build_map=india_map),
}


# ---------------------------------------------------------------------------------------------- seeding


async def seed_history(loader: BulkLoader, roster: Roster, people: People, days: int,
                       rng: random.Random) -> None:
    """`days` previous days on which every caller got two booth presidents of their own scope, with call
    reports on three in four of them (talked, no answer, switched off, or call back in one to three days)."""
    t = tables()
    every_district = list(range(len(roster.district_booths)))
    assignments: list[tuple[Any, ...]] = []
    reports: list[tuple[Any, ...]] = []
    outcomes = (Outcome.talked, Outcome.no_answer, Outcome.switched_off, Outcome.call_back)
    for back in range(days, 0, -1):
        day = DAY - timedelta(days=back)
        created = datetime.combine(day, NOW.time(), UTC)
        given: set[int] = set()
        for person_id, scope in zip(people.ids, people.scopes, strict=True):
            for slot in (1, 2):
                booths = roster.district_booths[rng.choice(scope if scope is not None else every_district)]
                president = booths[rng.randrange(len(booths))]
                if president in given:
                    continue
                given.add(president)
                assignment_id = len(assignments) + 1
                assignments.append((assignment_id, day, person_id, slot, president, president, created))
                if rng.random() < 0.75:
                    outcome = rng.choices(outcomes, weights=(80, 10, 4, 6))[0]
                    call_back_on = day + timedelta(days=rng.randint(1, 3)) if outcome is Outcome.call_back else None
                    reports.append((len(reports) + 1, assignment_id, outcome, created + timedelta(hours=8),
                                    call_back_on))
    await loader.load(t["assignments"], ("id", "day", "office_bearer_id", "slot", "booth_president_id", "booth_id",
                                         "created_at"), assignments)
    await loader.load(t["call_reports"], ("id", "assignment_id", "outcome", "reported_at", "call_back_on"), reports)


# ------------------------------------------------------------------------------------------ measurement


class PhaseClock:
    """Exclusive wall time, SQL time and result size of each function `assign_day` calls.

    SQL time is the time spent inside the driver's cursor execute, which with both drivers includes
    fetching every row; the rest of a phase is Python (building rows and objects, the policy itself).
    """

    def __init__(self) -> None:
        self.stack: list[list[Any]] = []
        self.seconds: dict[str, float] = defaultdict(float)
        self.sql_seconds: dict[str, float] = defaultdict(float)
        self.statements: dict[str, list[float]] = defaultdict(list)
        self.calls: dict[str, int] = defaultdict(int)
        self.sizes: dict[str, int] = {}
        self._sql_started = 0.0

    def enter(self, name: str) -> None:
        """Start timing `name`, inside whatever phase is running."""
        self.stack.append([name, time.perf_counter(), 0.0])

    def leave(self, result: object = None) -> None:
        """Stop timing the innermost phase and note how big its result was."""
        name, started, inner = self.stack.pop()
        elapsed = time.perf_counter() - started
        self.seconds[name] += elapsed - inner
        self.calls[name] += 1
        size = result_size(result)
        if size is not None:
            self.sizes[name] = size
        if self.stack:
            self.stack[-1][2] += elapsed

    def sql_started(self, *_: object) -> None:
        """SQLAlchemy `before_cursor_execute` listener."""
        self._sql_started = time.perf_counter()

    def sql_finished(self, *_: object) -> None:
        """SQLAlchemy `after_cursor_execute` listener: charge the statement to the running phase."""
        if self.stack:
            elapsed = time.perf_counter() - self._sql_started
            self.sql_seconds[self.stack[-1][0]] += elapsed
            self.statements[self.stack[-1][0]].append(elapsed)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, timed as phase `name`."""
        if inspect.iscoroutinefunction(function):
            async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
                self.enter(name)
                result = None
                try:
                    result = await function(*args, **kwargs)
                    return result
                finally:
                    self.leave(result)
            return timed_coroutine

        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(name)
            result = None
            try:
                result = function(*args, **kwargs)
                return result
            finally:
                self.leave(result)
        return timed

    def report(self) -> list[dict[str, Any]]:
        """The phases, slowest first, as plain dictionaries."""
        return sorted(({"phase": name, "seconds": seconds, "sql_seconds": self.sql_seconds.get(name, 0.0),
                        "statements": len(self.statements[name]), "slowest_sql": max(self.statements[name], default=0),
                        "calls": self.calls[name], "rows": self.sizes.get(name)}
                       for name, seconds in self.seconds.items()), key=lambda p: -p["seconds"])


def result_size(result: object) -> int | None:
    """How many things a phase returned: the length of a collection (of the first one, for a tuple of
    collections), or an integer result itself."""
    if isinstance(result, tuple) and result and hasattr(result[0], "__len__"):
        return len(result[0])
    if isinstance(result, list | set | dict | frozenset):
        return len(result)
    if isinstance(result, int) and not isinstance(result, bool):
        return result
    return None


def called_functions(module: ModuleType, function: Callable[..., Any]) -> list[str]:
    """Names of the module's own functions that `function` refers to directly (its phases)."""
    return [name for name in function.__code__.co_names
            if inspect.isfunction(getattr(module, name, None))
            and getattr(module, name).__module__ == module.__name__ and name != function.__name__]


def assign_day_kwargs(function: Callable[..., Awaitable[int]], *, focus: Sequence[str]) -> dict[str, Any]:
    """Keyword arguments for `assign_day`, whatever its signature grew: the day and clock, then every
    other parameter from the default `[outreach]` settings (2 contacts a day, `focus` seats) — by name, as
    the settings object itself, or as a class built with `from_settings`."""
    outreach = OutreachSettings(contacts_per_day=2, focus_lok_sabha=tuple(focus))
    known: dict[str, Any] = {"day": DAY, "now": NOW}
    known |= {name: getattr(outreach, name) for name in OutreachSettings.__dataclass_fields__}
    hints = typing.get_type_hints(function)
    kwargs: dict[str, Any] = {}
    for parameter in list(inspect.signature(function).parameters.values())[1:]:
        hint = hints.get(parameter.name)
        if parameter.name in known:
            kwargs[parameter.name] = known[parameter.name]
        elif hint is OutreachSettings:
            kwargs[parameter.name] = outreach
        elif hasattr(hint, "from_settings"):
            kwargs[parameter.name] = hint.from_settings(outreach)
        elif parameter.default is inspect.Parameter.empty:
            raise SystemExit(f"assign_day needs {parameter.name!r}, which this benchmark cannot supply")
    return kwargs


async def measure(url: str, implementation: str, focus: Sequence[str], repeats: int) -> dict[str, Any]:
    """Run `assign_day` of module `implementation` on `url` `repeats` times (deleting the day between runs):
    wall times, what was stored, the first run's phases and peak memory."""
    module = importlib.import_module(implementation)
    assign_day = module.assign_day
    kwargs = assign_day_kwargs(assign_day, focus=focus)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    walls, stored, phases = [], 0, []
    rss_before = rss_after = 0
    for run in range(repeats):
        async with sessions() as session:
            await session.execute(delete(Assignment).where(Assignment.day == DAY))
            await session.commit()
        clock = PhaseClock()
        originals = {name: getattr(module, name) for name in called_functions(module, assign_day)}
        for name, function in originals.items():
            setattr(module, name, clock.wrap(name, function))
        event.listen(engine.sync_engine, "before_cursor_execute", clock.sql_started)
        event.listen(engine.sync_engine, "after_cursor_execute", clock.sql_finished)
        gc.collect()
        if run == 0:
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        async with sessions() as session:
            clock.enter("assign_day (own: building rows, INSERT)")
            stored = await assign_day(session, **kwargs)
            clock.leave()
            clock.enter("commit")
            await session.commit()
            clock.leave()
        walls.append(time.perf_counter() - started)
        if run == 0:
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            phases = clock.report()
        event.remove(engine.sync_engine, "before_cursor_execute", clock.sql_started)
        event.remove(engine.sync_engine, "after_cursor_execute", clock.sql_finished)
        for name, function in originals.items():
            setattr(module, name, function)
    await engine.dispose()
    return {"walls": walls, "stored": stored, "phases": phases,
            "rss_before_mib": rss_before / 1024, "rss_added_mib": (rss_after - rss_before) / 1024}


# ------------------------------------------------------------------------------------------- orchestration


@dataclass
class CaseResult:
    """One measured case, as printed in the tables."""

    backend: str
    scale: str
    callers: int
    history_rows: int
    distinct_scopes: int
    seed_seconds: float
    measured: dict[str, Any] | None
    goal_seconds: float
    failure: str = ""


def run_case_subprocess(url: str, args: argparse.Namespace, focus: Sequence[str]) -> tuple[dict[str, Any] | None, str]:
    """Measure in a fresh interpreter (so its peak memory is this case's alone); (result, failure)."""
    command = [sys.executable, "-m", "benchmarks.assignment", "--measure-url", url, "--focus", json.dumps(focus),
               "--repeats", str(args.repeats), "--implementation", args.implementation]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"over {args.timeout:.0f} s (stopped)"
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "Error:" in line or "Exception:" in line]
        return None, (errors or ["failed", *done.stderr.splitlines()])[-1][:300]
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


async def run_backend(backend: str, args: argparse.Namespace) -> list[CaseResult]:
    """Every chosen scale and caller count on one backend, each on a freshly seeded database."""
    results = []
    for scale in (SCALES[name] for name in args.scales):
        workdir = Path(tempfile.mkdtemp(prefix="samvad_bench_assign_"))
        base_url = os.environ.get("SAMVAD_BENCH_POSTGRES_URL", "")
        url = (await create_postgres_database(base_url, POSTGRES_DATABASE) if backend == "postgresql"
               else f"sqlite+aiosqlite:///{workdir / 'bench.db'}")
        try:
            await asyncio.to_thread(upgrade_to_head, url)
            engine = make_engine(url)
            rng = random.Random(20261201)
            started = time.perf_counter()
            async with engine.connect() as conn:
                if backend == "sqlite":
                    await conn.exec_driver_sql("PRAGMA synchronous=OFF")
                roster = await seed_roster(BulkLoader(conn), scale.build_map(), booths=scale.booths,
                                           mandals=scale.mandals, rng=rng)
                await conn.commit()
            roster_seconds = time.perf_counter() - started
            for callers in scale.office_bearer_counts:
                started = time.perf_counter()
                async with engine.connect() as conn:
                    await clear_people(conn)
                    loader = BulkLoader(conn)
                    people = await seed_people(loader, roster, callers, rng)
                    await seed_history(loader, roster, people, args.history_days, rng)
                    await conn.commit()
                await finish_load(engine)
                seed_seconds = roster_seconds + time.perf_counter() - started
                print(f"  {backend} {scale.name} {callers:,} callers: seeded in {seed_seconds:.1f} s, measuring…",
                      file=sys.stderr, flush=True)
                measured, failure = run_case_subprocess(url, args, roster.organisation.focus_lok_sabha)
                results.append(CaseResult(backend, scale.name, callers, loader.rows_loaded["assignments"],
                                          people.distinct_scopes, seed_seconds, measured, scale.goal_seconds,
                                          failure))
                print_case(results[-1])
            await engine.dispose()
        finally:
            if backend == "postgresql":
                await drop_postgres_database(base_url, POSTGRES_DATABASE)
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def print_case(result: CaseResult) -> None:
    """The phases of one case: where its time went."""
    print(f"\n{result.backend} · {result.scale} · {result.callers:,} callers "
          f"({result.distinct_scopes:,} distinct scopes, {result.history_rows:,} past assignments)")
    if result.measured is None:
        print(f"  not measured: {result.failure}")
        return
    print(f"  {'phase (first run)':<42} {'total s':>8} {'SQL s':>8} {'stmts':>6} {'slowest':>8} {'Python s':>9} "
          f"{'returned':>10}")
    for phase in result.measured["phases"]:
        rows = "" if phase["rows"] is None else f"{phase['rows']:,}"
        print(f"  {phase['phase']:<42} {phase['seconds']:>8.2f} {phase['sql_seconds']:>8.2f} "
              f"{phase['statements']:>6} {phase['slowest_sql']:>8.2f} {phase['seconds'] - phase['sql_seconds']:>9.2f} "
              f"{rows:>10}")
    sys.stdout.flush()


def print_summary(results: Sequence[CaseResult]) -> None:
    """The headline table: median wall time and peak memory per case, against the goals."""
    print(f"\n{'backend':<11} {'scale':<6} {'callers':>8} {'stored':>8} {'median s':>9} {'min s':>7} "
          f"{'+RSS MiB':>9} {'goal':>6}  verdict")
    for r in results:
        if r.measured is None:
            print(f"{r.backend:<11} {r.scale:<6} {r.callers:>8,} {'':>8} {'—':>9} {'':>7} {'':>9} "
                  f"{r.goal_seconds:>5.0f}s  {r.failure}")
            continue
        median = statistics.median(r.measured["walls"])
        verdict = ("meets goal" if median < r.goal_seconds else "misses goal") if r.backend == "postgresql" else ""
        print(f"{r.backend:<11} {r.scale:<6} {r.callers:>8,} {r.measured['stored']:>8,} {median:>9.2f} "
              f"{min(r.measured['walls']):>7.2f} {r.measured['rss_added_mib']:>9.0f} {r.goal_seconds:>5.0f}s  "
              f"{verdict}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("up", "india", "all"), default="all")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument("--history-days", type=int, default=14,
                        help="previous days of assignments and reports to seed (default 14)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case; the median is reported (default 3)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a case is stopped (default 900)")
    parser.add_argument("--implementation", default="bot.outreach.assignment",
                        help="module providing assign_day, to compare a candidate rewrite (default: %(default)s)")
    parser.add_argument("--measure-url", help="internal: measure one case on this database and print JSON")
    parser.add_argument("--focus", default="[]", help="internal: focus Lok Sabha seats as a JSON list")
    args = parser.parse_args(argv)
    args.scales = list(SCALES) if args.scale == "all" else [args.scale]
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Seed, measure and print every chosen case (or, with --measure-url, measure one and print JSON)."""
    args = parse_args(argv)
    if args.measure_url:
        print(json.dumps(asyncio.run(measure(args.measure_url, args.implementation, json.loads(args.focus),
                                             args.repeats))))
        return
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    if "postgresql" in backends and not os.environ.get("SAMVAD_BENCH_POSTGRES_URL"):
        if args.backend == "postgresql":
            raise SystemExit("set SAMVAD_BENCH_POSTGRES_URL to measure on PostgreSQL")
        backends.remove("postgresql")
    results = []
    for backend in backends:
        results += asyncio.run(run_backend(backend, args))
    print_summary(results)


if __name__ == "__main__":
    main()
