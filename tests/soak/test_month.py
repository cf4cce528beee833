"""A simulated month: 30 pushes, reports, restarts at random moments and faults, and nothing lost or doubled.

Every random choice comes from one seeded generator (`SAMVAD_SOAK_SEED`), so a failure reproduces; the seed
is printed in every assertion message. Pushes are killed mid-way on PostgreSQL only: an in-process kill
(cancelling the task) can leave an aiosqlite connection holding SQLite's write lock for longer than the
busy timeout, which a real crash (the process gone) never does; on SQLite the month still runs with faults
and restarts.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select

from bot.access import Viewer
from bot.config import Settings
from bot.i18n import translate
from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import deliver_pending, push_day, send_reminders
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import Counts, progress_view
from bot.runtime.local import SANDBOX_TOKEN, sandbox_bot
from bot.sandbox import FakeMessage, FakeTelegram, FakeUser, load_spec
from handlers import callbacks as cb
from handlers.channel import TelegramChannel
from models import (
    NOT_CONNECTED,
    AssemblySeat,
    Assignment,
    Booth,
    CallReport,
    Delivery,
    DeliveryStatus,
    District,
    OfficeBearer,
    Outcome,
    Role,
)
from tests.conftest import Database
from tests.e2e.conftest import MORNING, Clock, Harness
from tests.factories import make_booth, make_office_bearer

SEED = int(os.environ.get("SAMVAD_SOAK_SEED", "20261120"))
DAYS = 30
FAST_RETRIES = (0.01, 0.01, 0.01)
ATTEMPTS = 6
"""How often a simulated person presses a button that brought no answer before giving up."""
GREETING = "🌅"
OOPS = translate("hi", "error.generic")
SAVED = translate("hi", "report.saved", name="|").split("|")[1]
DISTRICTS = (("Lucknow", "Awadh", 172), ("Barabanki", "Awadh", 268), ("Varanasi", "Kashi", 388),
             ("Jaunpur", "Kashi", 366))
CALLERS = ((Role.state_office_bearer, ()), (Role.state_office_bearer, ()), (Role.district_incharge, ("Lucknow",)),
           (Role.district_incharge, ("Varanasi", "Jaunpur")), (Role.organisation_secretary, ()), (Role.admin, ()))


@dataclass(frozen=True)
class Tapped:
    """What a simulated person entered for one call: the values the stored report must hold."""

    outcome: Outcome
    wellbeing: str | None = None
    position: str | None = None
    call_back_on: date | None = None


class Month:
    """One database, fake Telegram and clock; the bot on them is stopped and started again at random moments."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.rng = random.Random(SEED)
        self.clock = Clock(MORNING)
        self.fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec())
        settings = Settings()
        self.settings = replace(settings, outreach=replace(settings.outreach, repeat_gap_days=3))
        self.users: list[FakeUser] = []
        self.pressed_save: dict[int, set[Tapped]] = {}
        self.confirmed: dict[int, Tapped] = {}
        self.crash_window: set[tuple[date, int]] = set()
        self.restarts = 0
        self.killed_pushes = 0
        self._stack = AsyncExitStack()
        self.h: Harness

    async def start(self) -> None:
        """A fresh Application on the same database and fake Telegram: a new process, as far as the bot knows."""
        running = await self._stack.enter_async_context(
            sandbox_bot(self.settings, self.db.sessions, fake=self.fake, clock=self.clock))
        self.h = Harness(running, self.db, self.clock, self.settings)

    async def stop(self) -> None:
        """Shut the Application down."""
        await self._stack.aclose()

    async def restart(self) -> None:
        """Stop the bot and start a new one."""
        self.restarts += 1
        await self.stop()
        await self.start()

    def channel(self) -> TelegramChannel:
        return TelegramChannel(self.h.running.app.bot, self.settings.outreach.default_language)

    @property
    def today(self) -> date:
        return self.h.today

    def maybe_fault(self, method: str, chance: float) -> None:
        """With `chance`, make Telegram fail the next call(s) of `method`: a 500 mostly, sometimes a 429."""
        if self.rng.random() >= chance:
            return
        if self.rng.random() < 0.15:
            self.fake.fail_next(method, status=429, retry_after=1)
        else:
            self.fake.fail_next(method, status=500, count=self.rng.randint(1, 2))

    async def push(self) -> None:
        """The morning push with faults; a restart in the middle of it sometimes; passes until nothing is left."""
        self.maybe_fault("sendMessage", 0.4)
        if self.rng.random() < 0.25 and self.db.backend == "postgresql":
            await self._killed_mid_push(asyncio.create_task(self._push_day()))
        await self._push_day()
        for _ in range(5):
            if not await self._unsent():
                return
            await deliver_pending(self.db.sessions, self.channel(), day=self.today, clock=self.clock,
                                  retry_delays=FAST_RETRIES)
        assert not await self._unsent(), f"morning messages left unsent on {self.today} (seed {SEED})"

    async def _push_day(self) -> None:
        """The morning push as the scheduled job runs it (safe to repeat), with short in-pass retries."""
        await push_day(self.db.sessions, self.channel(), day=self.today, clock=self.clock,
                       policy=RotationPolicy.from_settings(self.settings.outreach), retry_delays=FAST_RETRIES)

    async def _killed_mid_push(self, task: asyncio.Task[object]) -> None:
        """Cancel the push once some morning messages are out (or at once), restart, and let the lease run out.

        A row still `sending` whose message Telegram already accepted is the documented exception: the
        answer came but the outcome was not committed, so that one message goes again after the lease.
        """
        wanted = self.rng.randint(0, 4)
        while not task.done() and len(self.mornings_on(self.today)) < wanted:
            await asyncio.sleep(0.002)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self.killed_pushes += 1
        await self.restart()
        async with self.db.sessions() as session:
            sending = (await session.execute(select(Delivery.office_bearer_id).where(
                Delivery.day == self.today, Delivery.status == DeliveryStatus.sending))).scalars().all()
        chats = await self._chats()
        for person_id in sending:
            if any(m.chat_id == chats[person_id] for m in self.mornings_on(self.today)):
                self.crash_window.add((self.today, chats[person_id]))
        self.clock.advance(minutes=6)

    async def _unsent(self) -> int:
        async with self.db.sessions() as session:
            return len((await session.execute(select(Delivery.id).where(
                Delivery.day == self.today, Delivery.status != DeliveryStatus.sent))).all())

    async def _chats(self) -> dict[int, int]:
        async with self.db.sessions() as session:
            return dict((await session.execute(select(OfficeBearer.id, OfficeBearer.telegram_user_id))).all())

    def mornings_on(self, day: date) -> list[FakeMessage]:
        """The morning messages Telegram accepted for `day`, told apart by their greeting and date."""
        stamp = day.strftime("%d.%m.%Y")
        return [m for m in self.fake.sent if m.text and m.text.startswith(GREETING) and f"({stamp})" in m.text]

    async def report_day(self) -> None:
        """Each caller reports some of today's calls through the real conversation."""
        for user in self.users:
            mornings = [m for m in self.mornings_on(self.today) if m.chat_id == user.user_id]
            if not mornings:
                continue
            for row in mornings[-1].buttons:
                if self.rng.random() < 0.45:
                    await self.report_call(user, mornings[-1], row)
                    self.clock.advance(minutes=3)

    async def report_call(self, user: FakeUser, morning: FakeMessage, row: list[tuple[str, str | None]]) -> None:
        """One call reported: talked, not reached or call back, with faults and restarts between the taps."""
        talked, other = (data for _, data in row)
        assert talked and other
        aid = cb.parse(talked).record_id  # type: ignore[union-attr]
        kind = self.rng.choice(("talked", "talked", "not_reached", "call_back"))
        begin = talked if kind == "talked" else other
        if kind == "talked":
            wellbeing = self.rng.choice(list(cb.WELLBEING_CODES))
            position = self.rng.choice(list(cb.POSITION_CODES))
            tapped = Tapped(Outcome.talked, cb.WELLBEING_CODES[wellbeing].value, cb.POSITION_CODES[position].value)
            steps = [cb.build(cb.REPORT, cb.WELLBEING, aid, wellbeing), cb.build(cb.REPORT, cb.POSITION, aid, position)]
        elif kind == "not_reached":
            code = self.rng.choice(("na", "so"))
            tapped, steps = Tapped(cb.OUTCOME_CODES[code]), [cb.build(cb.REPORT, cb.OUTCOME, aid, code)]
        else:
            code = self.rng.choice(list(cb.CALL_BACK_CODES))
            tapped = Tapped(Outcome.call_back, call_back_on=self.today + timedelta(days=cb.CALL_BACK_CODES[code]))
            steps = [cb.build(cb.REPORT, cb.OUTCOME, aid, "cb"), cb.build(cb.REPORT, cb.CALL_BACK_DAY, aid, code)]
        save = cb.build(cb.REPORT, cb.SAVE, aid)
        flow = await self._begin(user, morning, begin, steps[0])
        for here, following in zip(steps, [*steps[1:], save], strict=True):
            await self._step(user, flow, here, lambda m, data=following: _shows(m, data))
        self.pressed_save.setdefault(aid, set()).add(tapped)
        await self._step(user, flow, save, lambda m: SAVED in (m.text or ""))
        if SAVED in (self.fake.message(user.user_id, flow).text or ""):
            self.confirmed[aid] = tapped

    async def _begin(self, user: FakeUser, morning: FakeMessage, data: str, expected: str) -> int:
        """Press a morning button until the conversation's first question arrives; return that message's id."""
        self.maybe_fault(self.rng.choice(("answerCallbackQuery", "sendMessage")), 0.08)
        for _ in range(ATTEMPTS):
            seen = len(user.messages)
            await self.h.press(user, data, message_id=morning.message_id)
            fresh = [m for m in user.messages[seen:] if _shows(m, expected)]
            if fresh:
                return fresh[-1].message_id
        calls = "\n".join(f"{c.method} {c.status} {c.description}" for c in self.fake.requests[-20:])
        raise AssertionError(f"the report never started (seed {SEED})\n{user.chat.transcript()}\n{calls}")

    async def _step(self, user: FakeUser, flow: int, data: str, done: object) -> None:
        """Press a button of the report until the next screen shows, restarting the bot now and then."""
        self.maybe_fault(self.rng.choice(("answerCallbackQuery", "editMessageText")), 0.08)
        for _ in range(ATTEMPTS):
            await self.h.press(user, data, message_id=flow)
            if self.rng.random() < 0.03:
                await self.restart()
            if done(self.fake.message(user.user_id, flow)) or self._refused(user):  # type: ignore[operator]
                return
        raise AssertionError(f"a report step never went through (seed {SEED})\n{user.chat.transcript()}")


    def _refused(self, user: FakeUser) -> bool:
        """Whether the bot answered the last press with a reason not to press again (already reported, stale)."""
        last = [q for q in self.fake.callback_queries.values() if q.user_id == user.user_id][-1]
        return last.answer_text not in (None, OOPS)


def _shows(message: FakeMessage, data: str) -> bool:
    return any(value == data for row in message.buttons for _, value in row)


async def _roster(month: Month) -> None:
    async with month.db.sessions() as session:
        for n in range(40):
            district, region, seat = DISTRICTS[n % len(DISTRICTS)]
            await make_booth(session, district=district, region=region, lok_sabha=district, assembly_no=seat,
                             assembly=f"{district} Seat", mandal=f"{district} Mandal")
        people = [await make_office_bearer(session, role=role, districts=districts,
                                           region="Awadh" if role is Role.district_incharge else None)
                  for role, districts in CALLERS]
        await session.commit()
    for n, person in enumerate(people):
        month.users.append(await month.h.register(person, user_id=7001 + n))


async def test_a_month_of_pushes_reports_restarts_and_faults_loses_nothing_and_doubles_nothing(
        db: Database) -> None:
    month = Month(db)
    await month.start()
    try:
        await _roster(month)
        for day in range(DAYS):
            month.clock.now = MORNING + timedelta(days=day)
            await month.push()
            await month.report_day()
            month.clock.now = MORNING + timedelta(days=day, hours=11)
            await send_reminders(db.sessions, month.channel(), day=month.today, clock=month.clock)
    finally:
        await month.stop()

    print(f"seed {SEED}: {month.restarts} restarts, {month.killed_pushes} in a push, "
          f"{len(month.crash_window)} sent twice across a kill, {len(month.confirmed)} reports confirmed")
    assert month.restarts > 0, f"seed {SEED}"
    assert month.killed_pushes > 0 or db.backend == "sqlite", f"seed {SEED}"
    await _assert_each_morning_message_went_once(month)
    await _assert_each_confirmed_report_stored_once(month)
    await _assert_the_month_adds_up(month)
    assert month.fake.violations == [], f"seed {SEED}"


async def _assert_each_morning_message_went_once(month: Month) -> None:
    chats = await month._chats()
    async with month.db.sessions() as session:
        deliveries = (await session.execute(select(Delivery))).scalars().all()
    assert len({delivery.day for delivery in deliveries}) == DAYS, f"seed {SEED}"
    expected: Counter[tuple[date, int]] = Counter()
    for delivery in deliveries:
        chat = chats[delivery.office_bearer_id]
        assert delivery.status is DeliveryStatus.sent, f"seed {SEED}"
        expected[(delivery.day, chat)] = 2 if (delivery.day, chat) in month.crash_window else 1
        last = [m for m in month.mornings_on(delivery.day) if m.chat_id == chat][-1]
        assert delivery.telegram_message_id == last.message_id, f"seed {SEED}"
    seen: Counter[tuple[date, int]] = Counter()
    for offset in range(DAYS):
        day = MORNING.date() + timedelta(days=offset)
        seen.update((day, m.chat_id) for m in month.mornings_on(day))
    assert seen == expected, f"seed {SEED}: sent {seen - expected} too many, {expected - seen} missing"


async def _assert_each_confirmed_report_stored_once(month: Month) -> None:
    async with month.db.sessions() as session:
        reports = (await session.execute(select(CallReport))).scalars().all()
    stored: dict[int, list[Tapped]] = {}
    for report in reports:
        stored.setdefault(report.assignment_id, []).append(Tapped(
            report.outcome, report.wellbeing.value if report.wellbeing else None,
            report.booth_position.value if report.booth_position else None, report.call_back_on))
    assert len(month.confirmed) > DAYS, f"seed {SEED}"
    for aid, tapped in month.confirmed.items():
        assert stored.get(aid) == [tapped], f"seed {SEED}: assignment {aid} stored as {stored.get(aid)}"
    for aid, values in stored.items():
        assert len(values) == 1 and values[0] in month.pressed_save.get(aid, set()), (
            f"seed {SEED}: assignment {aid} stored {values} but save was pressed with {month.pressed_save.get(aid)}")


async def _assert_the_month_adds_up(month: Month) -> None:
    last_day = MORNING.date() + timedelta(days=DAYS - 1)
    async with month.db.sessions() as session:
        view = await progress_view(session, Viewer.whole_state(), level=Level.state, area_id=0,
                                   period=Period(PeriodKind.month, last_day), today=last_day,
                                   grace_days=month.settings.outreach.report_grace_days, now=month.clock(),
                                   zone=month.settings.outreach.zone)
        rows = (await session.execute(
            select(Assignment.id, Assignment.day, Assignment.office_bearer_id, District.region_id)
            .join(Booth, Booth.id == Assignment.booth_id).join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
            .join(District, District.id == AssemblySeat.district_id))).all()
        sent = set((await session.execute(select(Delivery.day, Delivery.office_bearer_id)
                                          .where(Delivery.status == DeliveryStatus.sent))).all())
        outcome = {r.assignment_id: r.outcome for r in (await session.execute(select(CallReport))).scalars()}
    by_region: dict[int, Counter[str]] = {}
    for aid, day, person, region in rows:
        tally = by_region.setdefault(region, Counter())
        tally["assigned"] += 1
        tally["delivered"] += (day, person) in sent
        tally["reported"] += aid in outcome
        if aid in outcome:
            tally[outcome[aid].value] += 1
    for tally in by_region.values():
        tally["conversations"] = tally[Outcome.talked.value]
        tally["not_connected"] = sum(tally[o.value] for o in NOT_CONNECTED)
        tally["unreported"] = tally["assigned"] - tally["reported"]
    totals = sum(by_region.values(), Counter())
    fields = ("assigned", "delivered", "reported", *(o.value for o in Outcome), "conversations", "not_connected",
              "unreported")
    assert {f: getattr(view.totals, f) for f in fields} == {f: totals[f] for f in fields}, f"seed {SEED}"
    assert {row.id: {f: getattr(row.counts, f) for f in fields} for row in view.rows} == {
        region: {f: tally[f] for f in fields} for region, tally in by_region.items()}, f"seed {SEED}"
    assert sum((row.counts for row in view.rows), Counts()) == view.totals, f"seed {SEED}"
