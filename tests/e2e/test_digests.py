"""The digests over the real bot: scheduled at the configured times, the week's progress to the organisation
secretary, the day's to each district in-charge about their own districts, and a blocked chat stops nobody
and is marked unreachable."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select

from bot.config import ReviewSettings, Settings, TelegramSettings
from bot.runtime import jobs
from bot.runtime.app import build_application
from handlers.context import Services, ServicesContext
from handlers.summary import daily_digest, weekly_digest
from models import DailyCounts, OfficeBearer, Role, RollupMark
from tests.conftest import Database
from tests.e2e.conftest import Harness
from tests.e2e.test_summary import day_with_two_districts
from tests.factories import make_office_bearer


def context(h: Harness) -> ServicesContext:
    """The context the JobQueue gives a job."""
    return ServicesContext(h.running.app)


async def test_digests_are_scheduled_at_the_configured_day_and_times(db: Database) -> None:
    review = ReviewSettings(weekly_digest_day="wednesday", weekly_digest_time=time(18, 15),
                            daily_digest_time=time(21, 0))
    settings = Settings(telegram=TelegramSettings(token="123:TEST"), review=review)
    friday_before_push = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    app = build_application(settings, db.sessions, with_jobs=False)

    jobs.schedule(app, Services(settings=settings, sessions=db.sessions, clock=lambda: friday_before_push))

    assert app.job_queue is not None
    next_run = {job.name: job.job.trigger.get_next_fire_time(None, friday_before_push)
                for job in app.job_queue.jobs()}
    assert next_run["weekly_digest"].isoformat() == "2026-11-25T18:15:00+05:30", "the Wednesday after"
    assert next_run["daily_digest"].isoformat() == "2026-11-20T21:00:00+05:30"


async def test_verifiers_get_their_calls_after_the_booth_presidents_own_back_checks(db: Database) -> None:
    settings = Settings(telegram=TelegramSettings(token="123:TEST"), review=ReviewSettings(back_check_time=time(11, 0)))
    morning = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    app = build_application(settings, db.sessions, with_jobs=False)

    jobs.schedule(app, Services(settings=settings, sessions=db.sessions, clock=lambda: morning))

    assert app.job_queue is not None
    next_run = {job.name: job.job.trigger.get_next_fire_time(None, morning) for job in app.job_queue.jobs()}
    assert next_run["back_checks"].isoformat() == "2026-11-20T11:00:00+05:30"
    assert next_run["verifier_calls"].isoformat() == "2026-11-20T11:10:00+05:30"


async def test_the_weekly_digest_brings_the_secretary_the_last_seven_days(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary, state = day.users["secretary"], day.users["state"]
    harness.clock.advance(days=3)
    before = len(state.messages)

    await weekly_digest(context(harness))
    await harness.settle()

    digest = secretary.last_message.text or ""
    assert digest.startswith("🗓️ संगठन महामंत्री के लिए साप्ताहिक सारांश\n📊 बूथ संवाद — प्रगति: पूरा प्रदेश")
    assert "16.11.2026 से 22.11.2026 तक (7 दिन)" in digest
    assert "सौंपी गई कॉल: 6" in digest and "Awadh" in digest and "Kashi" in digest
    assert len(state.messages) == before, "office-bearers get no weekly digest"


async def test_a_secretary_who_blocked_the_bot_does_not_stop_the_others(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    async with harness.db.sessions() as session:
        second = await make_office_bearer(session, name="Doosre Sachiv", role=Role.organisation_secretary)
        await session.commit()
    other = await harness.register(second, user_id=8100)
    day.users["secretary"].block()
    before = len(other.messages)

    await weekly_digest(context(harness))
    await harness.settle()

    assert len(other.messages) == before + 1
    assert "साप्ताहिक सारांश" in (other.last_message.text or "")


async def test_each_district_incharge_gets_the_day_of_their_own_district(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    lucknow, varanasi = day.users["lucknow_incharge"], day.users["varanasi_incharge"]
    quiet = {key: len(day.users[key].messages) for key in ("state", "secretary", "admin")}
    harness.clock.advance(hours=12)

    await daily_digest(context(harness))
    await harness.settle()

    lucknow_digest, varanasi_digest = lucknow.last_message.text or "", varanasi.last_message.text or ""
    assert lucknow_digest.startswith("🌙 आपके जिलों का आज का सारांश\n📊 बूथ संवाद — प्रगति: Lucknow जिला\nतारीख 20.11.2026")
    assert "Varanasi" not in lucknow_digest and "Lalit Mishra" in lucknow_digest
    assert "Varanasi जिला" in varanasi_digest and "Lucknow" not in varanasi_digest
    assert {key: len(day.users[key].messages) for key in quiet} == quiet


async def test_english_speakers_get_their_digest_in_english(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]
    await harness.say(secretary, "/language")
    await harness.tap(secretary, "English")

    await weekly_digest(context(harness))
    await harness.settle()

    assert (secretary.last_message.text or "").startswith("🗓️ Weekly digest for the organisation secretary")


async def test_a_secretary_who_blocked_the_bot_is_marked_unreachable_and_the_others_still_get_theirs(
        harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    async with harness.db.sessions() as session:
        second = await make_office_bearer(session, name="Doosre Sachiv", role=Role.organisation_secretary)
        await session.commit()
    other = await harness.register(second, user_id=8101)
    blocker = day.users["secretary"]
    blocker.block()
    before = len(other.messages)

    await weekly_digest(context(harness))
    await harness.settle()

    assert len(other.messages) == before + 1
    assert "साप्ताहिक सारांश" in (other.last_message.text or "")
    async with harness.db.sessions() as session:
        marked = {person.telegram_user_id: (person.unreachable_reason, person.unreachable_since)
                  for person in (await session.execute(select(OfficeBearer).where(
                      OfficeBearer.role == Role.organisation_secretary))).scalars()}
    assert marked == {blocker.user_id: ("blocked", harness.clock()), other.user_id: (None, None)}


async def test_the_nightly_roll_up_counts_the_closed_days_and_keeps_the_summary_unchanged(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]
    pushed = harness.today
    harness.clock.advance(days=8)
    await harness.say(secretary, f"/summary week {pushed:%d.%m.%Y}")
    before = secretary.last_message.text

    await jobs.rollup_job(context(harness))
    await harness.say(secretary, f"/summary week {pushed:%d.%m.%Y}")
    after = secretary.last_message.text

    async with harness.db.sessions() as session:
        mark = await session.get(RollupMark, 1)
        rows = (await session.execute(select(DailyCounts.assigned))).scalars().all()
    assert mark is not None and mark.closed_through >= pushed
    assert sum(rows) == 6, "the six calls of that day are rolled up"
    assert before is not None and "सौंपी गई कॉल: 6" in before
    assert after == before
