"""`samvad demo`: one day of Booth Samvad, start to finish, with nothing to set up.

A throw-away SQLite database, a synthetic roster of real Uttar Pradesh places and invented people, the real
bot running against the in-process Telegram emulator, registrations, the morning push, call reports in
Hindi and English, the evening reminder and the organisation secretary's summary, printed as a transcript.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import click

from bot.config import DatabaseSettings, OutreachSettings, Settings, local_today
from bot.db import make_engine, make_session_factory, session_scope, upgrade_to_head
from bot.i18n import translate
from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import push_day, send_reminders
from bot.roster.files import read_table
from bot.roster.importer import validate_and_import_booths, validate_and_import_office_bearers
from bot.roster.synthetic import generate_booth_rows, generate_office_bearer_rows, write_csv
from bot.runtime.local import SandboxBot, sandbox_bot
from bot.sandbox import FakeTelegram, FakeUser, load_spec
from handlers.channel import TelegramChannel

FOCUS_SEATS = ("Saharanpur", "Bijnor", "Nagina", "Amroha", "Moradabad", "Rampur", "Sambhal", "Mainpuri",
               "Rae Bareli", "Ghazipur", "Jaunpur", "Lalganj", "Ghosi", "Ambedkar Nagar")


class DemoClock:
    """The demo's own clock: it starts at the morning push and is moved on by the script."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _heading(text: str) -> None:
    click.echo("\n" + "═" * 72 + f"\n{text}\n" + "═" * 72)


async def _import_roster(settings: Settings, folder: Path, language: str) -> list[dict[str, str]]:
    booth_rows = generate_booth_rows(seed=7, districts=6, assemblies_per_district=2, mandals_per_assembly=2,
                                     booths_per_mandal=6)
    people_rows = generate_office_bearer_rows(seed=7, booth_rows=booth_rows, state_office_bearers=3,
                                              district_incharges=3, secretaries=1, admins=1)
    write_csv(folder / "booths.csv", booth_rows)
    write_csv(folder / "office_bearers.csv", people_rows)
    engine = make_engine(settings.database.url)
    async with session_scope(make_session_factory(engine)) as session:
        now = datetime.now(UTC)
        booths = await validate_and_import_booths(session, read_table(folder / "booths.csv"), dry_run=False,
                                                  now=now)
        people = await validate_and_import_office_bearers(session, read_table(folder / "office_bearers.csv"),
                                                          dry_run=False, now=now)
    await engine.dispose()
    click.echo(translate(language, "demo.imported", booths=booths.describe(language),
                         people=people.describe(language)))
    return people_rows


async def _report(running: SandboxBot, user: FakeUser, *, contact: int, talked: bool,
                  labels: tuple[str, ...]) -> None:
    """Report one call from the morning message by tapping through the conversation."""
    morning = next(m for m in user.messages if len(m.buttons) == 2)
    await running.press(user, morning.buttons[contact][0 if talked else 1][1] or "", message_id=morning.message_id)
    await running.tap(user, *labels)


async def run_demo(language: str = "hi") -> None:
    """Play one day of the programme and print what everyone saw (log lines only for warnings)."""
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="samvad-demo-") as tmp:
        folder = Path(tmp)
        settings = Settings(database=DatabaseSettings(url=f"sqlite+aiosqlite:///{folder / 'demo.db'}"),
                            outreach=OutreachSettings(focus_lok_sabha=FOCUS_SEATS))
        await asyncio.to_thread(upgrade_to_head, settings.database.url)
        _heading(translate(language, "demo.step.roster"))
        people_rows = await _import_roster(settings, folder, language)

        out = settings.outreach
        today = local_today(datetime.now(UTC), out.zone)
        clock = DemoClock(datetime.combine(today, time(7, 30), out.zone).astimezone(UTC))
        engine = make_engine(settings.database.url)
        sessions = make_session_factory(engine)
        fake = FakeTelegram(token="123456:DEMO-TOKEN", spec=load_spec())
        try:
            async with sandbox_bot(settings, sessions, fake=fake, clock=clock) as running:
                _heading(translate(language, "demo.step.register"))
                users: dict[str, FakeUser] = {}
                for index, row in enumerate(people_rows):
                    user = fake.add_user(user_id=700100 + index, first_name=row["name"].split()[0])
                    await running.say(user, "/start")
                    await user.share_contact(row["phone"])
                    await running.settle()
                    users[row["role"] + str(index)] = user
                    click.echo(translate(language, "demo.registered", name=row["name"],
                                         role=translate(language, f"role.{row['role']}")))
                callers = [u for key, u in users.items()
                           if key.startswith(("state_office_bearer", "district_incharge"))]
                secretary = next(u for key, u in users.items() if key.startswith("organisation_secretary"))

                _heading(translate(language, "demo.step.push"))
                clock.now += timedelta(minutes=30)
                channel = TelegramChannel(running.app.bot, out.default_language)
                stats = await push_day(sessions, channel, day=today, clock=clock,
                                       policy=RotationPolicy.from_settings(out))
                await running.settle()
                click.echo(translate(language, "demo.pushed", sent=stats.sent))

                _heading(translate(language, "demo.step.reports"))
                clock.now += timedelta(hours=3)
                first, second, third = callers[0], callers[1], callers[2]
                await _report(running, first, contact=0, talked=True, labels=("सब कुशल", "मज़बूत", "सहेजें"))
                await _report(running, first, contact=1, talked=False, labels=("नहीं उठा", "सहेजें"))
                await running.say(second, "/language")
                await running.tap(second, "English")
                await _report(running, second, contact=0, talked=True,
                              labels=("concern", "Weak", "Add needs", "Voter list", "Booth committee", "Done",
                                      "Save"))
                await _report(running, third, contact=0, talked=False, labels=("गलत नंबर", "सहेजें"))
                await running.settle()

                _heading(translate(language, "demo.step.reminder"))
                clock.now += timedelta(hours=8)
                reminded = await send_reminders(sessions, channel, day=today, clock=clock)
                click.echo(translate(language, "demo.reminded", count=reminded))

                _heading(translate(language, "demo.step.summary"))
                await running.say(secretary, "/summary")

                for user in (first, second, third, secretary):
                    _heading(translate(language, "demo.transcript", name=user.first_name))
                    click.echo(fake.transcript(user.user_id))
                if fake.violations:
                    click.echo("\n".join(fake.violations), err=True)
                    raise SystemExit(1)
        finally:
            await engine.dispose()
