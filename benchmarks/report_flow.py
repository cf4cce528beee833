"""The report flow under load (issue 3): updates per second and per-update latency when 200 office-bearers
report both of their calls at once, on PostgreSQL and on SQLite.

What runs, and where:

- this process: a fresh database (its own PostgreSQL database `samvad_bench_report`, dropped afterwards, or
  a SQLite file), a synthetic roster imported through the roster importer, every caller registered with
  `bot.outreach.people.register`, the morning push through `push_day` and the real `TelegramChannel`; then the
  Telegram emulator (`FakeTelegram`, served over HTTP on 127.0.0.1) and the simulated office-bearers;
- a second process: the bot exactly as production runs it, `samvad run`, polling the emulator.

Every office-bearer taps through both reports without pausing: the first call "talked, all well, strong,
save" (4 updates); the second either "talked, concern, weak, add needs, voter list, done, save" (7) or
"not reached, no answer, save" (3). A tap waits for the bot's answer and the edited screen before the next.

Latency of an update: from the moment the emulator queues it to the moment the bot's first reply to it
arrives there (the button's answerCallbackQuery, or else the first message or edit in that chat; see
`UpdateTiming`). "Screen" latency: from the tap until the person sees the next question (answer and edit
both arrived). Afterwards every report is checked in the database against what was tapped.

    python -m benchmarks.report_flow [--people 200] [--backend postgresql|sqlite|all] [--telegram-rtt-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.db import SessionFactory, make_engine, make_session_factory, session_scope, upgrade_to_head
from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import push_day
from bot.outreach.people import register
from bot.roster.files import read_table
from bot.roster.importer import validate_and_import_booths, validate_and_import_office_bearers
from bot.roster.synthetic import generate_booth_rows, generate_office_bearer_rows, write_csv
from bot.sandbox import FakeChat, FakeTelegram, FakeUser, load_spec
from handlers import callbacks as cb
from handlers.channel import TelegramChannel
from models import CallReport, Need, NeedCategory, Outcome, Strength, Wellbeing

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "samvad_bench_report"
TOKEN = "777000:BENCH-REPORT-FLOW"
FIRST_TELEGRAM_ID = 810_000
TAP_TIMEOUT_SECONDS = 120.0
DISTRICTS, ASSEMBLIES, MANDALS = 4, 2, 2


@dataclass(frozen=True)
class CallPlan:
    """How one call is reported (the buttons tapped after the morning message's) and what must be stored."""

    first_tap: str
    taps: tuple[tuple[str, str], ...]
    outcome: Outcome
    wellbeing: Wellbeing | None = None
    position: Strength | None = None
    needs: frozenset[NeedCategory] = frozenset()

    @property
    def updates(self) -> int:
        """How many updates reporting this call takes."""
        return 1 + len(self.taps)


def _code(table: dict[str, object], value: object) -> str:
    return cb.code_of(table, value)


TALKED_ALL_WELL = CallPlan(
    cb.TALKED,
    ((cb.WELLBEING, _code(cb.WELLBEING_CODES, Wellbeing.well)),  # type: ignore[arg-type]
     (cb.POSITION, _code(cb.POSITION_CODES, Strength.strong)),  # type: ignore[arg-type]
     (cb.SAVE, "")),
    Outcome.talked, Wellbeing.well, Strength.strong)
TALKED_WITH_NEEDS = CallPlan(
    cb.TALKED,
    ((cb.WELLBEING, _code(cb.WELLBEING_CODES, Wellbeing.concern)),  # type: ignore[arg-type]
     (cb.POSITION, _code(cb.POSITION_CODES, Strength.weak)),  # type: ignore[arg-type]
     (cb.ADD_NEEDS, ""), (cb.NEED, _code(cb.NEED_CODES, NeedCategory.voter_list)),  # type: ignore[arg-type]
     (cb.NEEDS_DONE, ""), (cb.SAVE, "")),
    Outcome.talked, Wellbeing.concern, Strength.weak, frozenset({NeedCategory.voter_list}))
NOT_REACHED = CallPlan(
    cb.OTHER_OUTCOME,
    ((cb.OUTCOME, _code(cb.OUTCOME_CODES, Outcome.no_answer)), (cb.SAVE, "")),  # type: ignore[arg-type]
    Outcome.no_answer)


def plans_for(index: int) -> tuple[CallPlan, CallPlan]:
    """The two calls of the `index`-th office-bearer: all well first, then needs or not reached in turn."""
    return TALKED_ALL_WELL, TALKED_WITH_NEEDS if index % 2 == 0 else NOT_REACHED


@dataclass
class Result:
    """What one run measured."""

    backend: str
    people: int
    updates: int
    wall_seconds: float
    first_reply: list[float]
    screen: list[float]
    bot_cpu_seconds: float
    driver_cpu_seconds: float
    reports: int
    database: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        """Updates handled per second over the whole run."""
        return self.updates / self.wall_seconds


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` from 0 to 1) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# --- the database ---------------------------------------------------------------------------------------


async def create_postgres_database(base_url: str) -> str:
    """(Re)create the benchmark's own database next to `base_url`'s and return its URL."""
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    await admin.dispose()
    return make_url(base_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)


async def drop_postgres_database(base_url: str) -> None:
    """Drop the benchmark's database."""
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
    await admin.dispose()


async def postgres_activity(url: str) -> dict[str, int]:
    """Cumulative counters of the benchmark database: connections opened, transactions, rows read and
    written, table scans."""
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        row = (await conn.execute(text(
            "SELECT sessions, xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated "
            "FROM pg_stat_database WHERE datname = current_database()"))).one()
        scans = (await conn.execute(text(
            "SELECT coalesce(sum(seq_scan), 0), coalesce(sum(seq_tup_read), 0), coalesce(sum(idx_scan), 0) "
            "FROM pg_stat_user_tables"))).one()
    await engine.dispose()
    names = ("connections", "commits", "rollbacks", "rows_returned", "rows_fetched", "rows_inserted", "rows_updated",
             "seq_scans", "seq_rows_read", "index_scans")
    return dict(zip(names, (int(v) for v in (*row, *scans)), strict=True))


async def prepare_day(url: str, folder: Path, people: int) -> list[dict[str, str]]:
    """Migrate, import a synthetic roster with `people` callers and register them; returns their rows."""
    await asyncio.to_thread(upgrade_to_head, url)
    per_mandal = math.ceil(people * 2 * 2 / (DISTRICTS * ASSEMBLIES * MANDALS))
    booth_rows = generate_booth_rows(seed=3, districts=DISTRICTS, assemblies_per_district=ASSEMBLIES,
                                     mandals_per_assembly=MANDALS, booths_per_mandal=per_mandal)
    people_rows = generate_office_bearer_rows(seed=3, booth_rows=booth_rows, state_office_bearers=people,
                                              district_incharges=0)
    write_csv(folder / "booths.csv", booth_rows)
    write_csv(folder / "office_bearers.csv", people_rows)
    callers = [row for row in people_rows if row["role"] == "state_office_bearer"]
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with session_scope(make_session_factory(engine)) as session:
        await validate_and_import_booths(session, read_table(folder / "booths.csv"), dry_run=False, now=now)
        await validate_and_import_office_bearers(session, read_table(folder / "office_bearers.csv"),
                                                 dry_run=False, now=now)
        for index, row in enumerate(callers):
            user_id = FIRST_TELEGRAM_ID + index
            await register(session, telegram_user_id=user_id, contact_user_id=user_id, phone=row["phone"], now=now)
    await engine.dispose()
    return callers


async def push_morning(sessions: SessionFactory, base_url: str, settings: Settings) -> int:
    """Assign today's contacts and send the morning messages through the real channel; returns how many went."""
    request = HTTPXRequest(connection_pool_size=16)
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        out = settings.outreach
        stats = await push_day(sessions, TelegramChannel(bot, out.default_language),
                               day=datetime.now(out.zone).date(), clock=lambda: datetime.now(UTC),
                               policy=RotationPolicy.from_settings(out))
    return stats.sent


async def check_reports(sessions: SessionFactory, expected: dict[int, CallPlan]) -> int:
    """Compare every stored report and its needs with what was tapped; returns the number of reports."""
    async with sessions() as session:
        reports = (await session.execute(select(CallReport))).scalars().all()
        needs: dict[int, set[NeedCategory]] = {}
        for report_id, category in await session.execute(select(Need.call_report_id, Need.category)):
            needs.setdefault(report_id, set()).add(category)
    problems = []
    if len(reports) != len(expected):
        problems.append(f"{len(reports)} call reports stored, {len(expected)} expected")
    by_assignment = {report.assignment_id: report for report in reports}
    for assignment_id, plan in expected.items():
        report = by_assignment.get(assignment_id)
        stored = None if report is None else (report.outcome, report.wellbeing, report.booth_position,
                                              frozenset(needs.get(report.id, ())))
        if stored != (plan.outcome, plan.wellbeing, plan.position, plan.needs):
            problems.append(f"assignment {assignment_id}: stored {stored}, tapped {plan}")
    if problems:
        raise SystemExit("reports are wrong:\n" + "\n".join(problems[:20]))
    return len(reports)


# --- the simulated office-bearers ---------------------------------------------------------------------------


def screen_state(chat: FakeChat) -> int:
    """A number that grows whenever the bot sends or edits a message in the chat."""
    return sum(len(message.versions) for message in chat.messages)


async def tap(fake: FakeTelegram, user: FakeUser, data: str, *, message_id: int | None = None) -> float:
    """Press a button and wait until its answer and the next screen have arrived; returns the seconds taken."""
    before, pressed_at = screen_state(user.chat), time.perf_counter()
    query = fake.callback_queries[await user.press(data, message_id=message_id)]
    await fake.wait_for_chat(user.user_id, lambda: query.answered and screen_state(user.chat) > before,
                             timeout=TAP_TIMEOUT_SECONDS)
    return time.perf_counter() - pressed_at


async def report_both_calls(fake: FakeTelegram, user: FakeUser, plans: tuple[CallPlan, CallPlan],
                            expected: dict[int, CallPlan]) -> list[float]:
    """One office-bearer reports each call of the morning message as planned; returns the screen latencies."""
    morning = user.messages[0]
    latencies = []
    for row, plan in zip(morning.buttons, plans, strict=True):
        parsed = cb.parse(row[0][1])
        assert parsed is not None, f"no report button on the morning message of {user}"
        expected[parsed.record_id] = plan
        latencies.append(await tap(fake, user, cb.build(cb.REPORT, plan.first_tap, parsed.record_id),
                                   message_id=morning.message_id))
        for action, value in plan.taps:
            latencies.append(await tap(fake, user, cb.build(cb.REPORT, action, parsed.record_id, value)))
    return latencies


# --- the bot process ------------------------------------------------------------------------------------


def start_bot(folder: Path, base_url: str, database_url: str) -> subprocess.Popen[bytes]:
    """Start `samvad run` against the emulator and the database, logging to `folder`/bot.log."""
    config = folder / "config.toml"
    config.write_text(f'[telegram]\nbase_url = "{base_url}"\n\n[database]\nurl = "{database_url}"\n',
                      encoding="utf-8")
    samvad = Path(sys.executable).with_name("samvad")
    env = {**os.environ, "SAMVAD_TELEGRAM_TOKEN": TOKEN}
    with (folder / "bot.log").open("wb") as log:
        return subprocess.Popen([str(samvad), "--config", str(config), "run"], stdout=log,
                                stderr=subprocess.STDOUT, env=env)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; SystemExit naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def stop_bot(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Stop the bot as an operator would (SIGINT), serving it meanwhile, and fail if it logged an error."""
    process.send_signal(signal.SIGINT)
    try:
        await asyncio.to_thread(process.wait, 20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log = (folder / "bot.log").read_text(encoding="utf-8", errors="replace")
    if " ERROR " in log or "Traceback" in log:
        raise SystemExit("the bot logged errors:\n" + log[-4000:])


# --- one run --------------------------------------------------------------------------------------------


async def run_backend(backend: str, people: int, rtt_ms: float) -> Result:
    """Set up a day for `people` callers on `backend`, let them all report at once, check and measure."""
    base_postgres = os.environ.get("SAMVAD_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    with tempfile.TemporaryDirectory(prefix="samvad-bench-report-") as tmp:
        folder = Path(tmp)
        if backend == "postgresql":
            url = await create_postgres_database(base_postgres)
        else:
            url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        try:
            return await _measure(backend, url, folder, people, rtt_ms)
        finally:
            if backend == "postgresql":
                await drop_postgres_database(base_postgres)


async def _measure(backend: str, url: str, folder: Path, people: int, rtt_ms: float) -> Result:
    callers = await prepare_day(url, folder, people)
    settings = Settings()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    fake = FakeTelegram(token=TOKEN, spec=load_spec(), reply_delay=rtt_ms / 1000)
    users = [fake.add_user(FIRST_TELEGRAM_ID + index, row["name"].split()[0], started=True)
             for index, row in enumerate(callers)]
    try:
        async with fake.serve(host="127.0.0.1", port=0) as base_url:
            sent = await push_morning(sessions, base_url, settings)
            if sent != people:
                raise SystemExit(f"the morning push reached {sent} of {people} office-bearers")
            bot = start_bot(folder, base_url, url)
            try:
                await wait_until(lambda: any(call.method == "getUpdates" for call in fake.requests), 60,
                                 "the bot to start polling")
                await asyncio.sleep(1.0)  # let the start-up catch-up push find nothing to do
                before = await postgres_activity(url) if backend == "postgresql" else {}
                first_update = fake.last_update_id + 1
                bot_cpu, driver_cpu, started = cpu_seconds(bot.pid), time.process_time(), time.perf_counter()
                expected: dict[int, CallPlan] = {}
                screens = await asyncio.gather(*(report_both_calls(fake, user, plans_for(index), expected)
                                                 for index, user in enumerate(users)))
                wall = time.perf_counter() - started
                bot_cpu, driver_cpu = cpu_seconds(bot.pid) - bot_cpu, time.process_time() - driver_cpu
            finally:
                await stop_bot(bot, folder)
        # The long poll still open when the bot stops is ended by its last getUpdates with a 409: expected.
        errors = [call for call in fake.errors if call.method != "getUpdates"]
        if fake.violations or errors or fake.unanswered_callback_queries():
            raise SystemExit(f"the bot misused the Bot API: {fake.violations[:5]} {errors[:5]} "
                             f"{fake.unanswered_callback_queries()[:5]}")
        timings = [t for t in fake.update_timings.values() if t.update_id >= first_update]
        unanswered = [t.update_id for t in timings if t.latency is None]
        if unanswered:
            raise SystemExit(f"{len(unanswered)} updates got no reply: {unanswered[:10]}")
        reports = await check_reports(sessions, expected)
        activity = {}
        if backend == "postgresql":
            await asyncio.sleep(1.0)  # PostgreSQL publishes its counters at most once a second
            after = await postgres_activity(url)
            activity = {key: after[key] - before[key] for key in after}
    finally:
        await engine.dispose()
    return Result(backend, people, len(timings), wall, [t.latency or 0.0 for t in timings],
                  [s for person in screens for s in person], bot_cpu, driver_cpu, reports, activity)


# --- output ---------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def print_table(results: list[Result], rtt_ms: float) -> None:
    """The figures, one row per backend, then the PostgreSQL / SQLite ratio and where the time went."""
    print(f"report flow: {results[0].people} office-bearers report 2 calls each at once "
          f"(Telegram round trip {rtt_ms:.0f} ms)")
    header = (f"{'backend':<11}{'updates':>8}{'wall s':>8}{'upd/s':>8}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}"
              f"{'max ms':>8}{'screen p50':>11}{'screen p99':>11}{'bot CPU':>9}{'reports':>8}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.backend:<11}{r.updates:>8}{r.wall_seconds:>8.1f}{r.per_second:>8.1f}"
              f"{_ms(percentile(r.first_reply, 0.5)):>8}{_ms(percentile(r.first_reply, 0.9)):>8}"
              f"{_ms(percentile(r.first_reply, 0.99)):>8}{_ms(max(r.first_reply)):>8}"
              f"{_ms(percentile(r.screen, 0.5)):>11}{_ms(percentile(r.screen, 0.99)):>11}"
              f"{r.bot_cpu_seconds / r.wall_seconds:>8.0%} {r.reports:>7}")
    by_backend = {r.backend: r for r in results}
    if {"postgresql", "sqlite"} <= by_backend.keys():
        pg, lite = by_backend["postgresql"], by_backend["sqlite"]
        print(f"PostgreSQL / SQLite: throughput x{pg.per_second / lite.per_second:.2f}, "
              f"p50 x{percentile(pg.first_reply, 0.5) / percentile(lite.first_reply, 0.5):.2f}, "
              f"p99 x{percentile(pg.first_reply, 0.99) / percentile(lite.first_reply, 0.99):.2f}")
    for r in results:
        line = (f"{r.backend}: bot CPU {r.bot_cpu_seconds / r.updates * 1000:.1f} ms per update, "
                f"emulator and users CPU {r.driver_cpu_seconds / r.updates * 1000:.1f} ms per update")
        if r.database:
            db = r.database
            line += (f"; {db['connections']} connections opened; per update {db['commits'] / r.updates:.1f} commits, "
                     f"{db['rows_fetched'] / r.updates:.1f} rows fetched, {db['seq_scans']} sequential scans "
                     f"({db['seq_rows_read']} rows) in all")
        print(line)


def main() -> None:
    """Parse the flags, run the chosen backends and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=200, help="office-bearers reporting at once")
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "all"), default="all")
    parser.add_argument("--telegram-rtt-ms", type=float, default=0.0,
                        help="delay the emulator adds to every answer, as the way to Telegram would")
    args = parser.parse_args()
    backends = ["postgresql", "sqlite"] if args.backend == "all" else [args.backend]

    async def run_all() -> list[Result]:
        return [await run_backend(backend, args.people, args.telegram_rtt_ms) for backend in backends]

    print_table(asyncio.run(run_all()), args.telegram_rtt_ms)


if __name__ == "__main__":
    main()
