"""Flags on reported calls: each fires on a suspicious history and stays quiet on an honest one; the tallies
count what was reported, checked and flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.review.flags import Flag, flags_for_period, normalise_note, verify_period
from models import Assignment, NeedCategory, OfficeBearer, Outcome, Strength
from tests.factories import (
    NOW,
    make_assignment,
    make_back_check,
    make_booth,
    make_delivery,
    make_district,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)

ZONE = ZoneInfo("Asia/Kolkata")
DAY = date(2026, 11, 20)
SENT = NOW  # the morning message's delivery (08:30 in Asia/Kolkata)


def evening(hour: int, minute: int, day: date = DAY) -> datetime:
    """A moment of `day` in Asia/Kolkata, as stored (UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


async def call(session: AsyncSession, caller: OfficeBearer, *, day: date = DAY, slot: int = 1,
               outcome: Outcome | None = Outcome.talked, at: datetime | None = None, notes: str | None = None,
               position: Strength | None = Strength.moderate, needs: tuple[NeedCategory, ...] = (),
               varanasi: bool = False) -> Assignment:
    """A call on a new booth, reported (unless `outcome` is None) at `at` (default: two hours after the push)."""
    booth = await make_varanasi_booth(session) if varanasi else await make_booth(session)
    assignment = await make_assignment(session, office_bearer=caller, booth=booth, day=day, slot=slot)
    if outcome is not None:
        await make_report(session, assignment, outcome=outcome, at=at or SENT + timedelta(hours=2), notes=notes,
                          position=position, needs=needs)
    return assignment


async def flags(session: AsyncSession, *, district_ids: list[int] | None = None,
                start: date = DAY, end: date = DAY) -> dict[int, tuple[Flag, ...]]:
    return await flags_for_period(session, start=start, end=end, district_ids=district_ids, zone=ZONE)


# --- (a) both contacts reported within minutes of the push ------------------------------------------------


async def test_both_calls_reported_as_talked_minutes_after_the_push_are_flagged(session: AsyncSession) -> None:
    hasty = await make_office_bearer(session)
    await make_delivery(session, office_bearer=hasty)
    first = await call(session, hasty, slot=1, at=SENT + timedelta(minutes=3))
    second = await call(session, hasty, slot=2, at=SENT + timedelta(minutes=7))

    assert await flags(session) == {first.id: (Flag.quick_reports,), second.id: (Flag.quick_reports,)}


async def test_calls_reported_over_the_morning_or_only_one_quick_are_not_flagged(session: AsyncSession) -> None:
    honest, one_quick = await make_office_bearer(session), await make_office_bearer(session)
    for person in (honest, one_quick):
        await make_delivery(session, office_bearer=person)
    await call(session, honest, slot=1, at=SENT + timedelta(minutes=40))
    await call(session, honest, slot=2, at=SENT + timedelta(hours=3))
    await call(session, one_quick, slot=1, at=SENT + timedelta(minutes=4))
    await call(session, one_quick, slot=2, at=SENT + timedelta(minutes=4), outcome=Outcome.no_answer)

    assert await flags(session) == {}


# --- (b) the same note on several calls ----------------------------------------------------------------


async def test_a_note_repeated_with_small_changes_is_flagged_on_both_calls(session: AsyncSession) -> None:
    copier = await make_office_bearer(session)
    monday = await call(session, copier, day=DAY - timedelta(days=2),
                        notes="Booth committee is active, voter list work pending in ward 3.")
    tuesday = await call(session, copier, day=DAY - timedelta(days=1),
                         notes="booth committee is ACTIVE;  voter list work pending in ward 3")
    await call(session, copier, notes="Pradhan ji wants a leader visit before the mela next week.")

    assert await flags(session, start=DAY - timedelta(days=6)) == {
        monday.id: (Flag.same_notes,), tuesday.id: (Flag.same_notes,)}


async def test_short_common_notes_and_different_notes_are_not_flagged(session: AsyncSession) -> None:
    person, other = await make_office_bearer(session), await make_office_bearer(session)
    await call(session, person, day=DAY - timedelta(days=1), notes="सब ठीक है।")
    await call(session, person, notes="सब ठीक है")
    await call(session, person, day=DAY - timedelta(days=2), notes="बूथ समिति सक्रिय है, मतदाता सूची का काम बाकी है")
    await call(session, other, notes="बूथ समिति सक्रिय है, मतदाता सूची का काम बाकी है")

    assert await flags(session, start=DAY - timedelta(days=6)) == {}


def test_notes_are_compared_without_case_spacing_or_punctuation() -> None:
    assert normalise_note("  Booth  Committee, ACTIVE!! ") == "booth committee active"
    assert normalise_note("सब ठीक है। बूथ मज़बूत।") == "सब ठीक है बूथ मज़बूत"


# --- (c) far from the peers ----------------------------------------------------------------------------


async def _peers(session: AsyncSession, *, count: int, no_answers: int, all_good: int) -> list[OfficeBearer]:
    """`count` office-bearers with six reported calls each, of which `no_answers` unanswered and `all_good`
    talked-well-strong-no-needs; the rest talked with a need."""
    people = []
    for _ in range(count):
        person = await make_office_bearer(session)
        people.append(person)
        for index in range(6):
            day, slot = DAY - timedelta(days=index // 2), 1 + index % 2
            if index < no_answers:
                await call(session, person, day=day, slot=slot, outcome=Outcome.no_answer)
            elif index < no_answers + all_good:
                await call(session, person, day=day, slot=slot, position=Strength.strong)
            else:
                await call(session, person, day=day, slot=slot, needs=(NeedCategory.voter_list,))
    return people


async def test_a_no_answer_rate_far_above_the_peers_flags_those_calls(session: AsyncSession) -> None:
    await _peers(session, count=5, no_answers=1, all_good=1)
    (avoider,) = await _peers(session, count=1, no_answers=5, all_good=0)

    found = await flags(session, start=DAY - timedelta(days=6))
    result = await verify_period(session, start=DAY - timedelta(days=6), end=DAY, district_ids=None, zone=ZONE)

    unanswered = (await session.execute(select(Assignment.id).where(
        Assignment.office_bearer_id == avoider.id, Assignment.reports.any(outcome=Outcome.no_answer)))).scalars()
    assert found == {assignment_id: (Flag.no_answer_outlier,) for assignment_id in unanswered}
    (flagged_caller,) = [c for c in result.callers if c.outliers]
    assert (flagged_caller.office_bearer_id, flagged_caller.outliers) == (avoider.id, (Flag.no_answer_outlier,))
    assert flagged_caller.not_answered_share == pytest.approx(5 / 6)


async def test_an_all_good_rate_far_above_the_peers_flags_those_calls(session: AsyncSession) -> None:
    await _peers(session, count=5, no_answers=1, all_good=1)
    (rosy,) = await _peers(session, count=1, no_answers=0, all_good=6)

    found = await flags(session, start=DAY - timedelta(days=6))

    assert len(found) == 6
    assert set(found.values()) == {(Flag.all_good_outlier,)}
    assert {a.office_bearer_id for a in await _assignments(session, found)} == {rosy.id}


async def test_rates_spread_like_honest_ones_or_too_few_peers_flag_nobody(session: AsyncSession) -> None:
    await _peers(session, count=2, no_answers=1, all_good=1)
    await _peers(session, count=2, no_answers=2, all_good=2)
    await _peers(session, count=1, no_answers=3, all_good=1)
    few_reports = await make_office_bearer(session)
    for slot in (1, 2):
        await call(session, few_reports, slot=slot, outcome=Outcome.no_answer)

    assert await flags(session, start=DAY - timedelta(days=6)) == {}


async def _assignments(session: AsyncSession, ids: object) -> list[Assignment]:
    return list((await session.execute(select(Assignment).where(Assignment.id.in_(ids)))).scalars())  # type: ignore[arg-type]


# --- (d) a burst of reports late in the evening --------------------------------------------------------


async def test_three_reports_within_ten_minutes_after_eight_pm_are_flagged(session: AsyncSession) -> None:
    person = await make_office_bearer(session)
    late = [await call(session, person, day=DAY - timedelta(days=1), slot=slot, at=evening(20, 5 + 4 * slot))
            for slot in (1, 2)]
    late.append(await call(session, person, slot=1, at=evening(20, 15)))
    morning = await call(session, person, slot=2, at=evening(11, 0))

    found = await flags(session, start=DAY - timedelta(days=1))

    assert found == {a.id: (Flag.evening_burst,) for a in late}
    assert morning.id not in found


async def test_evening_reports_spread_out_or_bursts_by_day_are_not_flagged(session: AsyncSession) -> None:
    spread, daytime = await make_office_bearer(session), await make_office_bearer(session)
    for slot, minute in ((1, 5), (2, 25)):
        await call(session, spread, slot=slot, at=evening(20, minute))
    await call(session, spread, day=DAY - timedelta(days=1), at=evening(20, 12))
    for slot in (1, 2):
        await call(session, daytime, slot=slot, at=evening(14, slot))
    await call(session, daytime, day=DAY - timedelta(days=1), at=evening(14, 3))

    assert await flags(session, start=DAY - timedelta(days=1)) == {}


# --- back-check answers, scope, tallies -----------------------------------------------------------------


async def test_a_denied_call_is_disputed_and_undiscussed_needs_are_flagged(session: AsyncSession) -> None:
    person = await make_office_bearer(session)
    denied = await call(session, person, slot=1)
    no_needs = await call(session, person, slot=2)
    confirmed = await call(session, person, day=DAY - timedelta(days=1))
    await make_back_check(session, denied, called=False)
    await make_back_check(session, no_needs, called=True, spoke_about_needs=False)
    await make_back_check(session, confirmed, called=True, spoke_about_needs=True)

    assert await flags(session, start=DAY - timedelta(days=1)) == {
        denied.id: (Flag.disputed,), no_needs.id: (Flag.needs_not_discussed,)}


async def test_a_district_view_keeps_its_calls_but_judges_the_callers_whole_day(session: AsyncSession) -> None:
    person = await make_office_bearer(session)
    await make_delivery(session, office_bearer=person)
    lucknow = await call(session, person, slot=1, at=SENT + timedelta(minutes=3))
    varanasi = await call(session, person, slot=2, at=SENT + timedelta(minutes=6), varanasi=True)

    found = await flags(session, district_ids=[(await make_district(session, "Lucknow")).id])

    assert found == {lucknow.id: (Flag.quick_reports,)}
    assert varanasi.id not in found


async def test_tallies_count_reported_checked_confirmed_and_flagged_calls(session: AsyncSession) -> None:
    ravi, asha = await make_office_bearer(session, name="Ravi"), await make_office_bearer(session, name="Asha")
    confirmed = await call(session, ravi, slot=1)
    denied = await call(session, ravi, slot=2, varanasi=True)
    await call(session, asha, slot=1)
    await call(session, asha, slot=2, outcome=None)
    await make_back_check(session, confirmed, called=True, spoke_about_needs=True)
    await make_back_check(session, denied, called=False)
    await make_back_check(session, await call(session, asha, day=DAY - timedelta(days=1)))

    result = await verify_period(session, start=DAY - timedelta(days=1), end=DAY, district_ids=None, zone=ZONE)

    by_caller = {c.name: c.tally for c in result.callers}
    by_district = {d.name: d.tally for d in result.districts}
    assert (by_caller["Ravi"].reported, by_caller["Ravi"].asked, by_caller["Ravi"].checked,
            by_caller["Ravi"].confirmed, by_caller["Ravi"].disputed, by_caller["Ravi"].flagged) == (2, 2, 2, 1, 1, 1)
    assert (by_caller["Asha"].reported, by_caller["Asha"].asked, by_caller["Asha"].checked) == (2, 1, 0)
    assert (by_district["Varanasi"].reported, by_district["Varanasi"].disputed) == (1, 1)
    assert result.totals.reported == 4
    assert [(c.assignment_id, c.flags) for c in result.flagged] == [(denied.id, (Flag.disputed,))]
