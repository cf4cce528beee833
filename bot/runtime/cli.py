"""`samvad`: the command line. Each command reads the settings, opens its own unit of work and calls the
same domain functions the bot and the scheduler use."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.access import Viewer
from bot.config import ConfigError, Settings, load_settings, local_today
from bot.db import SessionFactory, make_engine, make_session_factory, session_scope, upgrade_to_head
from bot.errors import DomainError
from bot.i18n import translate
from bot.logs import configure_logging
from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import push_day
from bot.outreach.people import pause_calls, resume_calls
from bot.phones import InvalidPhone, normalise_mobile
from bot.privacy import ERASED, Erasure, Person, erase_person, export_person, find_people, subject_of
from bot.review.charts import render_charts, stack
from bot.review.coverage import UnknownSeat, lok_sabha_by_name
from bot.review.exports import export_calls, record_export, write_calls
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import progress_view
from bot.review.trends import Trends, gather_trends
from bot.roster.errors import RosterInvalid, describe_error
from bot.roster.files import read_table
from bot.roster.importer import validate_and_import_booths, validate_and_import_office_bearers
from bot.runtime.app import build_application, utc_now
from bot.runtime.web import build_dashboard, run_polling_with_web, web_server
from bot.runtime.webhook import Webhook, run_webhook, webhook_server
from handlers.channel import channel_for
from handlers.texts.progress import render_progress
from models import OfficeBearer

log = logging.getLogger(__name__)


class Context:
    """What every command gets: the validated settings and the language to speak."""

    def __init__(self, settings: Settings, language: str) -> None:
        self.settings = settings
        self.language = language

    def say(self, key: str, /, **params: object) -> None:
        """Print a catalog text."""
        click.echo(translate(self.language, key, **params))

    def today(self) -> date:
        """Today in the configured timezone."""
        return local_today(utc_now(), self.settings.outreach.zone)

    def with_database(self, work: Callable[[SessionFactory], Coroutine[Any, Any, Any]]) -> Any:
        """Migrate the database, then run `work` with a session factory and dispose of the engine."""
        url = self.settings.database.url
        upgrade_to_head(url)

        async def run() -> Any:
            engine = make_engine(url)
            try:
                return await work(make_session_factory(engine))
            finally:
                await engine.dispose()

        return asyncio.run(run())


pass_context = click.make_pass_decorator(Context)


@click.group()
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TOML settings file (default: $SAMVAD_CONFIG, else ./config.toml).")
@click.option("--lang", type=click.Choice(["hi", "en"]), default=None,
              help="Language of the output (default: outreach.default_language).")
@click.option("-v", "--verbose", is_flag=True, help="Log debugging detail.")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, lang: str | None, verbose: bool) -> None:
    """Booth Samvad: daily booth outreach on Telegram."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)
    try:
        settings = load_settings(config_file)
    except ConfigError as exc:
        click.echo(f"config error: {exc}", err=True)
        sys.exit(2)
    ctx.obj = Context(settings, lang or settings.outreach.default_language)


@main.command()
@pass_context
def migrate(ctx: Context) -> None:
    """Bring the database to the newest schema."""
    upgrade_to_head(ctx.settings.database.url)
    ctx.say("cli.migrated")


@main.group(name="import")
def import_group() -> None:
    """Load roster files (CSV or XLSX)."""


def _import(ctx: Context, path: Path, dry_run: bool, importer: Callable[..., Any]) -> None:
    try:
        table = read_table(path)
    except RosterInvalid as exc:
        _report_invalid(ctx, exc)
    with click.progressbar(length=len(table.rows), label=translate(ctx.language, "cli.import.progress"),
                           file=sys.stderr) as bar:
        done = {"rows": 0}

        def progress(rows_done: int, total: int) -> None:
            bar.update(rows_done - done["rows"])
            done["rows"] = rows_done

        async def work(sessions: SessionFactory) -> Any:
            async with session_scope(sessions) as session:
                return await importer(session, table, dry_run=dry_run, progress=progress, now=utc_now())

        try:
            report = ctx.with_database(work)
        except RosterInvalid as exc:
            _report_invalid(ctx, exc)
    ctx.say("cli.import.dry_run" if dry_run else "cli.import.done", summary=report.describe(ctx.language))


def _report_invalid(ctx: Context, error: RosterInvalid) -> None:
    for row_error in error.errors:
        click.echo(describe_error(row_error, ctx.language), err=True)
    click.echo(translate(ctx.language, "cli.import.rejected", count=len(error.errors)), err=True)
    sys.exit(1)


@import_group.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@pass_context
def booths(ctx: Context, file: Path, dry_run: bool) -> None:
    """Import booths and their presidents."""
    _import(ctx, file, dry_run, validate_and_import_booths)


@import_group.command(name="office-bearers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@pass_context
def office_bearers(ctx: Context, file: Path, dry_run: bool) -> None:
    """Import office-bearers, district in-charges, secretaries and admins."""
    _import(ctx, file, dry_run, validate_and_import_office_bearers)


@main.command()
@pass_context
def run(ctx: Context) -> None:
    """Run the bot (polling or webhook) with its scheduler and the dashboard; without a token, run the demo."""
    settings = ctx.settings
    if not settings.telegram.token:
        ctx.say("cli.run.no_token")
        from bot.runtime.demo import run_demo

        asyncio.run(run_demo(ctx.language))
        return
    upgrade_to_head(settings.database.url)
    engine = make_engine(settings.database.url)
    sessions = make_session_factory(engine)
    app = build_application(settings, sessions)
    dashboard = build_dashboard(settings, sessions, utc_now)
    tg = settings.telegram
    if tg.mode == "webhook":
        webhook = Webhook.from_settings(tg)
        server = webhook_server(app, webhook, engine, listen=tg.webhook_listen, port=tg.webhook_port,
                                dashboard=dashboard)
        asyncio.run(run_webhook(app, server, webhook))
    elif dashboard is not None:
        asyncio.run(run_polling_with_web(app, web_server(dashboard, listen=settings.web.listen,
                                                         port=settings.web.port)))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from None


@main.command()
@click.option("--date", "day_text", default=None, help="The day to push (YYYY-MM-DD); default today.")
@pass_context
def push(ctx: Context, day_text: str | None) -> None:
    """Assign and deliver a day's contacts now (nothing is sent twice)."""
    settings = ctx.settings
    if not settings.telegram.token:
        ctx.say("cli.push.no_token")
        sys.exit(2)
    day = _day(day_text) or ctx.today()

    async def work(sessions: SessionFactory) -> Any:
        app = build_application(settings, sessions, with_jobs=False)
        async with app:
            channel = channel_for(app.bot, settings)
            return await push_day(sessions, channel, day=day, clock=utc_now,
                                  policy=RotationPolicy.from_settings(settings.outreach))

    stats = ctx.with_database(work)
    ctx.say("cli.push.done", day=day.isoformat(), sent=stats.sent, unreachable=stats.unreachable,
            failed=stats.failed, retry=stats.retry_later)


@main.group(name="export")
def export_group() -> None:
    """Write data out for review."""


@export_group.command(name="calls")
@click.option("--from", "start_text", default=None, help="First day (YYYY-MM-DD); default 30 days ago.")
@click.option("--to", "end_text", default=None, help="Last day (YYYY-MM-DD); default today.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.csv or FILE.xlsx")
@pass_context
def export_calls_command(ctx: Context, start_text: str | None, end_text: str | None, output: Path) -> None:
    """One row per assigned call: who, whom, delivery, outcome, needs, notes."""
    end = _day(end_text) or ctx.today()
    start = _day(start_text) or end - timedelta(days=29)
    if output.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter(translate(ctx.language, "cli.export.format"), param_hint="--output")

    async def work(sessions: SessionFactory) -> int:
        async with session_scope(sessions) as session:
            rows = await export_calls(session, start=start, end=end, timezone=ctx.settings.outreach.zone,
                                      focus=ctx.settings.outreach.focus_lok_sabha)
            write_calls(output, rows, ctx.language)
            await record_export(session, actor_id=None, actor_label="cli", period=(start, end), scope="all",
                                rows=len(rows), now=utc_now())
            return len(rows)

    count = ctx.with_database(work)
    ctx.say("cli.export.done", rows=count, path=str(output))


def _png_path(click_ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Refuse a chart file whose name does not end in .png."""
    if value is not None and value.suffix.lower() != ".png":
        language = click_ctx.find_object(Context).language  # type: ignore[union-attr]
        raise click.BadParameter(translate(language, "cli.chart.format"))
    return value


def _write_charts(ctx: Context, path: Path, *, start: date, end: date) -> None:
    """Draw the charts of `start`..`end` for every district and write them to `path`, one below the other."""

    async def work(sessions: SessionFactory) -> Trends:
        async with session_scope(sessions) as session:
            return await gather_trends(session, start=start, end=end, district_ids=None)

    path.write_bytes(stack(render_charts(ctx.with_database(work), ctx.language)))
    ctx.say("cli.chart.done", path=str(path))


@main.command()
@click.option("--date", "day_text", default=None, help="The day (YYYY-MM-DD); default today.")
@click.option("--week", is_flag=True, help="The seven days ending on that day.")
@click.option("--month", is_flag=True, help="The thirty days ending on that day.")
@click.option("--chart", "chart_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              callback=_png_path,
              help="Also write the charts to FILE.png, in one image one below the other: conversations by district "
                   "in the six weeks ending on that day, how the period's calls went, and the needs raised.")
@click.option("--lok-sabha", "lok_sabha", default=None, metavar="NAME",
              help="One Lok Sabha seat (name in any case), by assembly seat, instead of the whole state.")
@click.option("--focus", is_flag=True, help="The focus Lok Sabha seats (outreach.focus_lok_sabha), seat by seat.")
@pass_context
def report(ctx: Context, day_text: str | None, week: bool, month: bool, chart_file: Path | None,
           lok_sabha: str | None, focus: bool) -> None:
    """Print the organisation secretary's summary: the whole state's progress (or one Lok Sabha seat's, or the
    focus seats'), every list in full."""
    if week and month:
        raise click.UsageError(translate(ctx.language, "review.cli.one_period"))
    if lok_sabha is not None and focus:
        raise click.UsageError(translate(ctx.language, "cli.report.seat_or_focus"))
    kind = PeriodKind.month if month else PeriodKind.week if week else PeriodKind.day
    period = Period(kind, _day(day_text) or ctx.today())
    outreach = ctx.settings.outreach

    async def work(sessions: SessionFactory) -> str:
        async with session_scope(sessions) as session:
            level, area_id = Level.focus if focus else Level.state, 0
            if lok_sabha is not None:
                level, area_id = Level.lok_sabha, await lok_sabha_by_name(session, lok_sabha)
            view = await progress_view(session, Viewer.whole_state(), level=level, area_id=area_id, period=period,
                                       today=ctx.today(), grace_days=outreach.report_grace_days, now=utc_now(),
                                       zone=outreach.zone, focus=outreach.focus_lok_sabha)
            return render_progress(view, ctx.language, html=False)

    try:
        click.echo(ctx.with_database(work))
    except UnknownSeat as exc:
        params = exc.params | {"close": exc.params["close"] or translate(ctx.language, "cli.report.no_close_seat")}
        raise click.BadParameter(translate(ctx.language, exc.key, **params), param_hint="--lok-sabha") from None
    if chart_file is not None:
        _write_charts(ctx, chart_file, start=period.start, end=period.end)


@main.command()
@pass_context
def demo(ctx: Context) -> None:
    """A throw-away demonstration: synthetic roster, the bot against a local Telegram emulator, a day's loop."""
    from bot.runtime.demo import run_demo

    asyncio.run(run_demo(ctx.language))



async def _office_bearer_by_phone(session: AsyncSession, phone: str) -> OfficeBearer:
    """The office-bearer with this mobile number, or a usage error naming the number's problem."""
    try:
        e164 = normalise_mobile(phone)
    except InvalidPhone:
        raise click.BadParameter(f"not an Indian mobile number: {phone!r}", param_hint="--phone") from None
    person = (await session.execute(select(OfficeBearer).where(OfficeBearer.phone == e164))).scalar_one_or_none()
    if person is None:
        raise click.BadParameter("no office-bearer has this number", param_hint="--phone")
    return person


@main.command()
@click.option("--phone", required=True, help="The office-bearer's mobile number.")
@click.option("--until", "until_text", required=True, help="Last day of the leave (YYYY-MM-DD), inclusive.")
@pass_context
def pause(ctx: Context, phone: str, until_text: str) -> None:
    """Put an office-bearer on leave: no contacts up to and including that day (the admin's /pause)."""
    until = _day(until_text)
    assert until is not None

    async def work(sessions: SessionFactory) -> None:
        async with session_scope(sessions) as session:
            person = await _office_bearer_by_phone(session, phone)
            await pause_calls(session, person, until=until, today=ctx.today(), now=utc_now(), actor="cli")

    try:
        ctx.with_database(work)
    except DomainError as exc:
        ctx.say(exc.key, **exc.params)
        sys.exit(1)
    ctx.say("cli.pause.done", until=until.isoformat())


@main.command()
@click.option("--phone", required=True, help="The office-bearer's mobile number.")
@pass_context
def resume(ctx: Context, phone: str) -> None:
    """End an office-bearer's leave early; contacts come again from the next push."""

    async def work(sessions: SessionFactory) -> bool:
        async with session_scope(sessions) as session:
            person = await _office_bearer_by_phone(session, phone)
            return await resume_calls(session, person, now=utc_now(), actor="cli")

    ctx.say("cli.resume.done" if ctx.with_database(work) else "leave.not_on_leave")


def _mobile(ctx: Context, phone: str) -> str:
    """The E.164 form of `--phone`, or a usage error in the admin's language."""
    try:
        return normalise_mobile(phone)
    except InvalidPhone:
        raise click.BadParameter(translate(ctx.language, "privacy.cli.invalid_phone", phone=phone),
                                 param_hint="--phone") from None


def _who(ctx: Context, person: Person) -> str:
    """The person as the admin knows them: role, name and id."""
    return translate(ctx.language, f"privacy.cli.{subject_of(person).split(':')[0]}", name=person.name, id=person.id)


@main.command()
@click.option("--phone", required=True, help="The mobile number of the booth president or office-bearer.")
@click.option("--yes", is_flag=True, help="Erase without asking for confirmation.")
@pass_context
def erase(ctx: Context, phone: str, yes: bool) -> None:
    """Erase one person's personal data on request, keeping the counts the summaries add up."""
    e164 = _mobile(ctx, phone)

    async def work(sessions: SessionFactory) -> list[Erasure]:
        async with session_scope(sessions) as session:
            who = [_who(ctx, person) for person in await find_people(session, e164)]
        if not who:
            return []
        ctx.say("privacy.cli.found", who="; ".join(who))
        if not yes and not click.confirm(translate(ctx.language, "privacy.cli.confirm")):
            raise click.Abort
        async with session_scope(sessions) as session:
            return [await erase_person(session, person, now=utc_now(), actor_label="cli")
                    for person in await find_people(session, e164)]

    erased = ctx.with_database(work)
    if not erased:
        ctx.say("privacy.cli.nothing_to_erase")
        return
    for erasure in erased:
        ctx.say("privacy.cli.erased", placeholder=f"{ERASED}-{erasure.person_id}", notes=erasure.notes,
                details=erasure.need_details)
    ctx.say("privacy.cli.kept")


@export_group.command(name="person")
@click.option("--phone", required=True, help="The mobile number of the booth president or office-bearer.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.json")
@pass_context
def export_person_command(ctx: Context, phone: str, output: Path) -> None:
    """Everything held about one person (their own data only), as JSON, for a request under the DPDP Act."""
    e164 = _mobile(ctx, phone)

    async def work(sessions: SessionFactory) -> dict[str, Any] | None:
        async with session_scope(sessions) as session:
            people = await find_people(session, e164)
            return await export_person(session, people, now=utc_now(), actor_label="cli") if people else None

    data = ctx.with_database(work)
    if data is None:
        ctx.say("privacy.cli.nobody")
        sys.exit(1)
    output.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    ctx.say("privacy.cli.exported", path=str(output), people=len(data["people"]))
