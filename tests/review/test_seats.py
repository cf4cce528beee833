"""The Lok Sabha hierarchy of progress: the state by seat, the focus seats, a seat by assembly seat, an assembly
seat by booth, and who may see which; the seat columns of the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.review.exports import export_area, export_calls, export_cells, export_headers
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import Counts, NotVisible, ProgressView, progress_view
from handlers.texts.progress import render_progress
from models import AssemblySeat, Booth, BoothPresident, LokSabhaSeat, OfficeBearer, Outcome, Role
from tests.factories import make_assignment, make_booth, make_office_bearer, make_report, make_varanasi_booth

DAY = date(2026, 11, 20)
ON_DAY = Period(PeriodKind.day, DAY)
INDIA = ZoneInfo("Asia/Kolkata")
FOCUS = ("rampur",)
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Map:
    secretary: OfficeBearer
    rampur_incharge: OfficeBearer
    caller: OfficeBearer
    lucknow_seat: int
    rampur_seat: int
    north: int
    east: int
    rampur_assembly: int
    bilari: int


async def build_map(session: AsyncSession) -> Map:
    """Lucknow seat (assemblies 172 and 173, district Lucknow), Rampur seat, a focus seat spanning districts
    Rampur (assembly 35) and Moradabad (assembly 27), and Varanasi; calls on the day on most booths."""
    north = [await make_booth(session, number=n) for n in (1, 2, 3)]
    await make_booth(session, assembly_no=173, assembly="Lucknow East", number=1)
    rampur = [await make_booth(session, district="Rampur", region="Paschim", lok_sabha="Rampur", assembly_no=35,
                               assembly="Rampur", mandal="Civil Lines", number=n) for n in (1, 2)]
    bilari = [await make_booth(session, district="Moradabad", region="Paschim", lok_sabha="Rampur", assembly_no=27,
                               assembly="Bilari", mandal="Bilari", number=1)]
    varanasi = await make_varanasi_booth(session, number=1)
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Rampur",))
    caller = await make_office_bearer(session, region="Awadh")
    outcomes = [(north[0], Outcome.talked), (north[1], Outcome.no_answer), (north[2], None),
                (rampur[0], Outcome.talked), (rampur[1], Outcome.talked), (bilari[0], Outcome.busy),
                (varanasi, Outcome.talked)]
    for slot, (booth, outcome) in enumerate(outcomes, start=1):
        assignment = await make_assignment(session, office_bearer=caller, booth=booth, day=DAY, slot=slot)
        if outcome is not None:
            await make_report(session, assignment, outcome=outcome, at=AT)
    await session.commit()
    seats = {name: id_ for id_, name in (await session.execute(select(LokSabhaSeat.id, LokSabhaSeat.name))).all()}
    assemblies = {number: id_ for id_, number in (await session.execute(
        select(AssemblySeat.id, AssemblySeat.number))).all()}
    return Map(secretary=secretary, rampur_incharge=incharge, caller=caller, lucknow_seat=seats["Lucknow"],
               rampur_seat=seats["Rampur"], north=assemblies[172], east=assemblies[173],
               rampur_assembly=assemblies[35], bilari=assemblies[27])


async def _view(session: AsyncSession, person: OfficeBearer, level: Level, area_id: int = 0) -> ProgressView:
    await session.refresh(person, ["districts"])
    return await progress_view(session, Viewer.of(person), level=level, area_id=area_id, period=ON_DAY, today=DAY,
                               grace_days=1, now=AT, zone=INDIA, focus=FOCUS)


def _total(view: ProgressView) -> Counts:
    return sum((row.counts for row in view.rows), Counts())


async def test_seat_assembly_and_booth_rows_add_up_to_the_state(session: AsyncSession) -> None:
    world = await build_map(session)

    state = await _view(session, world.secretary, Level.state)
    seats = await _view(session, world.secretary, Level.seats)
    lucknow = await _view(session, world.secretary, Level.lok_sabha, world.lucknow_seat)
    north = await _view(session, world.secretary, Level.assembly, world.north)

    assert [row.name for row in seats.rows] == ["Lucknow", "Rampur", "Varanasi"]
    assert seats.totals == state.totals == _total(seats)
    assert state.totals.assigned == 7 and state.totals.talked == 4
    lucknow_row = next(row for row in seats.rows if row.id == world.lucknow_seat)
    assert lucknow.totals == lucknow_row.counts == _total(lucknow)
    assert [(row.name, row.counts.assigned) for row in lucknow.rows] == [("172 Lucknow North", 3),
                                                                        ("173 Lucknow East", 0)]
    assert north.rows_level is Level.booth
    assert [row.counts.assigned for row in north.rows] == [1, 1, 1]
    assert north.totals == lucknow.rows[0].counts
    assert north.area.parent == (Level.lok_sabha, world.lucknow_seat)
    assert lucknow.area.parent == (Level.seats, 0)


async def test_focus_view_lists_only_the_focus_seats_marked_as_such(session: AsyncSession) -> None:
    world = await build_map(session)

    focus = await _view(session, world.secretary, Level.focus)
    seats = await _view(session, world.secretary, Level.seats)
    rampur = await _view(session, world.secretary, Level.lok_sabha, world.rampur_seat)

    assert [(row.name, row.focus) for row in focus.rows] == [("Rampur", True)]
    assert focus.totals.assigned == 3 and focus.totals.talked == 2 and focus.totals.busy == 1
    assert [row.name for row in seats.rows if row.focus] == ["Rampur"]
    assert rampur.area.parent == (Level.focus, 0)
    assert "⭐ Rampur" in render_progress(focus, "en", html=False)


async def test_an_incharge_sees_only_the_booths_of_their_districts_in_a_seat(session: AsyncSession) -> None:
    world = await build_map(session)

    seats = await _view(session, world.rampur_incharge, Level.seats)
    rampur = await _view(session, world.rampur_incharge, Level.lok_sabha, world.rampur_seat)

    assert [(row.name, row.counts.assigned) for row in seats.rows] == [("Rampur", 2)]
    assert seats.area.charge
    assert [row.name for row in rampur.rows] == ["35 Rampur"]
    assert rampur.totals.assigned == 2 and rampur.totals.busy == 0
    for level, area_id in ((Level.lok_sabha, world.lucknow_seat), (Level.assembly, world.bilari),
                           (Level.assembly, world.north)):
        with pytest.raises(NotVisible):
            await _view(session, world.rampur_incharge, level, area_id)


async def test_a_state_office_bearer_sees_no_seat_views(session: AsyncSession) -> None:
    world = await build_map(session)

    for level, area_id in ((Level.seats, 0), (Level.focus, 0), (Level.lok_sabha, world.lucknow_seat),
                           (Level.assembly, world.north)):
        with pytest.raises(NotVisible):
            await _view(session, world.caller, level, area_id)


async def test_the_export_names_each_calls_seat_and_a_seats_export_holds_only_its_calls(
        session: AsyncSession) -> None:
    world = await build_map(session)

    every = await export_calls(session, start=DAY, end=DAY, focus=FOCUS)
    seat = await export_area(session, Viewer.of(world.secretary), level=Level.lok_sabha, area_id=world.rampur_seat,
                             period=ON_DAY, timezone=INDIA, now=AT, focus=FOCUS)
    focus = await export_area(session, Viewer.of(world.secretary), level=Level.focus, area_id=0, period=ON_DAY,
                              timezone=INDIA, now=AT, focus=FOCUS)

    assert sorted((row.lok_sabha, row.focus) for row in every) == (
        [("Lucknow", False)] * 3 + [("Rampur", True)] * 3 + [("Varanasi", False)])
    assert {row.assembly for row in seat.rows} == {"Rampur", "Bilari"} and len(seat.rows) == 3
    assert [row.lok_sabha for row in focus.rows] == ["Rampur"] * 3
    cells = dict(zip(export_headers("en"), export_cells(every[0], "en"), strict=True))
    assert (cells["Lok Sabha seat"], cells["focus seat"]) == (every[0].lok_sabha, "yes" if every[0].focus else "no")


async def test_each_seat_and_assembly_row_carries_the_share_of_its_booth_presidents_who_joined_the_bot(
        session: AsyncSession) -> None:
    places = await build_map(session)
    joined = (await session.execute(
        select(BoothPresident).join(Booth).join(AssemblySeat).where(AssemblySeat.number == 35))).scalars().first()
    assert joined is not None
    joined.telegram_user_id = 8801
    await session.commit()

    seats = await _view(session, places.secretary, Level.seats)
    rampur = await _view(session, places.secretary, Level.lok_sabha, places.rampur_seat)

    by_seat = {row.name: row.registration for row in seats.rows}
    assert (by_seat["Rampur"].registered, by_seat["Rampur"].presidents) == (1, 3)
    assert (by_seat["Lucknow"].registered, by_seat["Lucknow"].presidents) == (0, 4)
    assert seats.registration is not None and (seats.registration.registered, seats.registration.presidents) == (1, 8)
    by_assembly = {row.id: row.registration for row in rampur.rows}
    assert (by_assembly[places.rampur_assembly].registered, by_assembly[places.rampur_assembly].presidents) == (1, 2)
    assert rampur.registration is not None and rampur.registration.presidents == 3
