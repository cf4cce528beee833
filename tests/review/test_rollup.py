"""The daily roll-up changes no figure: on random histories, after `close_days` (and a late change to a
closed day picked up by the next night's run), every view's counts equal a recount without the roll-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.access import Viewer
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import progress_view
from bot.review.rollup import RECOMPUTE_DAYS, close_days, last_closed_day
from models import Assignment, BackCheck, DailyCounts, DeliveryStatus, Outcome
from tests.conftest import Database
from tests.factories import (
    NOW,
    make_assignment,
    make_back_check,
    make_booth,
    make_delivery,
    make_office_bearer,
    make_report,
)

FIRST = date(2026, 10, 1)
DAYS = 20
GRACE = 1
INDIA = ZoneInfo("Asia/Kolkata")
CALLERS = 3
MAP = (  # district, region, Lok Sabha seat, assembly number and name
    ("Lucknow", "Awadh", "Lucknow", 172, "Lucknow North"),
    ("Lucknow", "Awadh", "Mohanlalganj", 174, "Sarojini Nagar"),
    ("Varanasi", "Kashi", "Varanasi", 390, "Varanasi Cantt."),
)
BOOTHS = 6

call = st.fixed_dictionaries({
    "reports": st.lists(st.tuples(st.sampled_from(list(Outcome)), st.integers(0, GRACE + 1)), max_size=2),
    "check": st.sampled_from([None, "asked", True, False]),
    "attempted_only": st.booleans(),
})
day_plan = st.fixed_dictionaries({
    "callers": st.lists(st.sampled_from([None, *range(CALLERS)]), min_size=BOOTHS, max_size=BOOTHS),
    "deliveries": st.lists(st.sampled_from([None, DeliveryStatus.sent, DeliveryStatus.failed]),
                           min_size=CALLERS, max_size=CALLERS),
    "calls": st.lists(call, min_size=BOOTHS, max_size=BOOTHS),
})
views = st.lists(st.tuples(st.sampled_from([Level.state, Level.region, Level.district, Level.person,
                                            Level.lok_sabha, Level.assembly, Level.seats]),
                           st.sampled_from(list(PeriodKind)), st.integers(0, DAYS + 3)), min_size=1, max_size=4)


async def _seed(db: Database, plan: list[dict]) -> tuple[list, list]:  # type: ignore[type-arg]
    async with db.sessions() as session:
        callers = [await make_office_bearer(session, name=f"Caller {i}") for i in range(CALLERS)]
        booths = [await make_booth(session, district=d, region=r, lok_sabha=ls, assembly_no=no, assembly=name)
                  for d, r, ls, no, name in MAP for _ in range(BOOTHS // len(MAP))]
        for offset, today in enumerate(plan):
            day = FIRST + timedelta(days=offset)
            for i, status in enumerate(today["deliveries"]):
                if status is not None:
                    await make_delivery(session, office_bearer=callers[i], day=day, status=status)
            slots = [0] * CALLERS
            for booth, who, spec in zip(booths, today["callers"], today["calls"], strict=True):
                if who is None:
                    continue
                slots[who] += 1
                assignment = await make_assignment(session, office_bearer=callers[who], booth=booth, day=day,
                                                   slot=slots[who])
                for n, (outcome, late) in enumerate(spec["reports"]):
                    at = datetime.combine(day + timedelta(days=late), time(9, n), UTC)
                    await make_report(session, assignment, outcome=outcome, at=at)
                if spec["check"] is not None:
                    check = await make_back_check(session, assignment,
                                                  called=None if spec["check"] == "asked" else spec["check"])
                    check.attempted_only = spec["attempted_only"]
        await session.commit()
        areas = {Level.state: [0], Level.seats: [0], Level.person: [c.id for c in callers],
                 Level.region: sorted({b.assembly.district.region_id for b in booths}),
                 Level.district: sorted({b.assembly.district_id for b in booths}),
                 Level.lok_sabha: sorted({b.assembly.lok_sabha_id for b in booths}),
                 Level.assembly: sorted({b.assembly_id for b in booths})}
        return callers, [areas]


async def _same_views(db: Database, callers: list, areas: dict, today: date,  # type: ignore[type-arg]
                      chosen: list[tuple[Level, PeriodKind, int]]) -> None:
    async with db.sessions() as session:
        for level, kind, end_offset in chosen:
            period = Period(kind, FIRST + timedelta(days=end_offset))
            for area_id in areas[level]:
                viewer = Viewer.whole_state()
                if level is Level.person:
                    person = next(c for c in callers if c.id == area_id)
                    viewer = Viewer(person.id, person.name, frozenset(), own_work_only=True)

                rolled, live = [await progress_view(session, viewer, level=level, area_id=area_id, period=period,
                                                    today=today, grace_days=GRACE, now=NOW, zone=INDIA,
                                                    use_rollup=use_rollup) for use_rollup in (True, False)]
                assert rolled.totals == live.totals, (level, area_id, period)
                assert rolled.previous == live.previous, (level, area_id, period)
                assert rolled.rows == live.rows, (level, area_id, period)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plan=st.lists(day_plan, min_size=DAYS, max_size=DAYS), chosen=views, later=st.integers(1, 3),
       late_answers=st.lists(st.tuples(st.integers(0, RECOMPUTE_DAYS - 1), st.booleans()), max_size=3))
async def test_views_with_the_roll_up_equal_a_recount(
        db: Database, plan: list[dict], chosen: list[tuple[Level, PeriodKind, int]], later: int,  # type: ignore[type-arg]
        late_answers: list[tuple[int, bool]]) -> None:
    await db.clear()
    callers, (areas,) = await _seed(db, plan)
    first_night = FIRST + timedelta(days=DAYS - 2)
    async with db.sessions() as session:
        until = last_closed_day(first_night, GRACE)
        await close_days(session, until=until, now=NOW)
        await close_days(session, until=until, now=NOW)  # idempotent
        await session.commit()
    await _same_views(db, callers, areas, first_night, chosen)

    # back-check answers landing on closed days after they were rolled up, then the next nights' runs
    async with db.sessions() as session:
        for back, called in late_answers:
            day = until - timedelta(days=back)
            unanswered = (await session.execute(
                select(BackCheck).join(Assignment).where(Assignment.day == day, BackCheck.answered_at.is_(None))
                .limit(1))).scalar_one_or_none()
            if unanswered is not None:
                unanswered.called, unanswered.answered_at = called, NOW
        await session.commit()
    today = first_night + timedelta(days=later)
    async with db.sessions() as session:
        await close_days(session, until=last_closed_day(today, GRACE), now=NOW)
        await session.commit()
        assert (await session.execute(select(func.count()).select_from(DailyCounts))).scalar_one() > 0 or not any(
            who is not None for day in plan for who in day["callers"])
    await _same_views(db, callers, areas, today, chosen)
