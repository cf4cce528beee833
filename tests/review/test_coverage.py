"""Coverage: how many active booth presidents were really talked to in 30 and 90 days, by seat and district,
and the weak and focus booths nobody has talked to for long — on the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.review.coverage import CoverageFigures, coverage_report
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import progress_view
from handlers.texts.progress import render_progress
from models import Booth, OfficeBearer, Outcome, Role, Strength
from tests.factories import make_assignment, make_booth, make_district, make_office_bearer, make_report

TODAY = date(2026, 11, 20)
FOCUS = ("Rampur",)


async def _call(session: AsyncSession, caller: OfficeBearer, booth: Booth, days_ago: int,
                *outcomes: Outcome) -> None:
    """A call `days_ago` days before today, reported with each outcome in turn (the last one counts)."""
    day = TODAY - timedelta(days=days_ago)
    assignment = await make_assignment(session, office_bearer=caller, booth=booth, day=day)
    for minutes, outcome in enumerate(outcomes):
        at = datetime.combine(day, time(12, minutes), UTC)
        await make_report(session, assignment, outcome=outcome, at=at)


async def test_coverage_counts_conversations_in_the_last_30_and_90_days(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    twenty, sixty, hundred, never, corrected = [await make_booth(session, number=n) for n in range(1, 6)]
    await _call(session, caller, twenty, 20, Outcome.talked)
    await _call(session, caller, sixty, 60, Outcome.no_answer)
    await _call(session, caller, sixty, 59, Outcome.talked)
    await _call(session, caller, hundred, 100, Outcome.talked)
    await _call(session, caller, corrected, 5, Outcome.talked, Outcome.wrong_number)
    await session.commit()

    report = await coverage_report(session, district_ids=None, focus=FOCUS, today=TODAY, silent_days=30)

    assert report.totals == CoverageFigures(presidents=5, talked_30=1, talked_90=2)
    assert (report.totals.share_30, report.totals.share_90) == (20, 40)
    assert [(row.name, row.figures) for row in report.by_seat] == [("Lucknow", report.totals)]
    assert [(row.name, row.figures) for row in report.by_district] == [("Lucknow", report.totals)]
    assert never.id not in {booth.booth_id for booth in report.silent}  # a moderate booth of no focus seat


async def test_silent_weak_and_focus_booths_come_longest_silent_first(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    weak_never = await make_booth(session, number=1, strength=Strength.weak)
    weak_recent = await make_booth(session, number=2, strength=Strength.weak)
    weak_old = await make_booth(session, number=3, strength=Strength.weak)
    quiet_moderate = await make_booth(session, number=4)
    focus_old = await make_booth(session, district="Rampur", region="Paschim", lok_sabha="Rampur", assembly_no=35,
                                 assembly="Rampur", mandal="Civil Lines", number=1)
    focus_unanswered = await make_booth(session, district="Rampur", region="Paschim", lok_sabha="Rampur",
                                        assembly_no=35, assembly="Rampur", mandal="Civil Lines", number=2)
    await _call(session, caller, weak_recent, 20, Outcome.talked)
    await _call(session, caller, weak_old, 40, Outcome.talked)
    await _call(session, caller, focus_old, 200, Outcome.talked)
    await _call(session, caller, focus_unanswered, 3, Outcome.no_answer)
    await session.commit()

    report = await coverage_report(session, district_ids=None, focus=FOCUS, today=TODAY, silent_days=30)

    # never talked to first (then by assembly seat: 35 before 172), then the longest silent
    silent = [(booth.booth_id, booth.days_silent, booth.weak, booth.focus) for booth in report.silent]
    assert silent == [(focus_unanswered.id, None, False, True), (weak_never.id, None, True, False),
                      (focus_old.id, 200, False, True), (weak_old.id, 40, True, False)]
    assert quiet_moderate.id not in {booth.booth_id for booth in report.silent}
    assert report.silent[2].last_talked == TODAY - timedelta(days=200)
    assert [(row.name, row.focus) for row in report.by_seat] == [("Lucknow", False), ("Rampur", True)]


async def test_an_incharges_coverage_holds_only_their_districts(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    lucknow = await make_booth(session, number=1, strength=Strength.weak)
    rampur = await make_booth(session, district="Rampur", region="Paschim", lok_sabha="Rampur", assembly_no=35,
                              assembly="Rampur", mandal="Civil Lines", number=1, strength=Strength.weak)
    await _call(session, caller, rampur, 10, Outcome.talked)
    await session.commit()
    rampur_district = await make_district(session, "Rampur")

    report = await coverage_report(session, district_ids={rampur_district.id}, focus=FOCUS, today=TODAY,
                                   silent_days=30)

    assert report.charge
    assert report.totals == CoverageFigures(presidents=1, talked_30=1, talked_90=1)
    assert [row.name for row in report.by_district] == ["Rampur"]
    assert lucknow.id not in {booth.booth_id for booth in report.silent}


async def test_every_progress_view_above_the_booths_shows_its_coverage(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    talked, silent = [await make_booth(session, number=n) for n in (1, 2)]
    await _call(session, caller, talked, 0, Outcome.talked)
    await _call(session, caller, silent, 45, Outcome.talked)
    await session.commit()
    await session.refresh(secretary, ["districts"])

    view = await progress_view(session, Viewer.of(secretary), level=Level.state, area_id=0,
                               period=Period(PeriodKind.day, TODAY), today=TODAY, grace_days=1,
                               now=datetime.combine(TODAY, time(15), UTC), zone=ZoneInfo("Asia/Kolkata"),
                               focus=FOCUS)
    own = await progress_view(session, Viewer.of(caller), level=Level.person, area_id=caller.id,
                              period=Period(PeriodKind.day, TODAY), today=TODAY, grace_days=1,
                              now=datetime.combine(TODAY, time(15), UTC), zone=ZoneInfo("Asia/Kolkata"))

    assert view.coverage == CoverageFigures(presidents=2, talked_30=1, talked_90=2)
    assert "🎯 पहुँच: 30 दिन में 50% · 90 दिन में 100% बूथ अध्यक्षों से बात" in render_progress(view, "hi")
    assert own.coverage is None
