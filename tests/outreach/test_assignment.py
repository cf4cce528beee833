"""Who calls whom: the assignment policy over a real database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outreach.assignment import Caller, Candidate, RotationPolicy, assign_day, choose
from bot.outreach.reports import ReportDraft, record_report
from bot.roster.files import read_table
from bot.roster.importer import validate_and_import_booths
from bot.roster.synthetic import generate_booth_rows, write_csv
from models import AssemblySeat, Assignment, Booth, BoothPresident, District, Outcome, Role, Strength
from tests.factories import NOW, make_booth, make_office_bearer, make_report, synthetic_mobile

DAY = date(2026, 11, 20)


async def _assign(session: AsyncSession, day: date = DAY, focus: tuple[str, ...] = ()) -> int:
    stored = await assign_day(session, day=day, now=NOW, policy=RotationPolicy(focus_lok_sabha=focus))
    await session.flush()
    return stored


async def _assignments(session: AsyncSession, day: date = DAY) -> list[Assignment]:
    return list((await session.execute(
        select(Assignment).where(Assignment.day == day).order_by(Assignment.office_bearer_id, Assignment.slot)
    )).scalars())


async def _two_districts(session: AsyncSession, booths_each: int = 6) -> None:
    for i in range(booths_each):
        await make_booth(session, district="Lucknow", region="Awadh", assembly_no=172, assembly="Lucknow North")
        await make_booth(session, district="Varanasi", region="Kashi", assembly_no=391,
                         assembly="Varanasi North", lok_sabha="Varanasi", mandal=f"Mandal {i}")


async def test_every_caller_gets_two_distinct_presidents_and_nobody_is_given_twice(session: AsyncSession) -> None:
    await _two_districts(session)
    callers = [await make_office_bearer(session, telegram_user_id=100 + i) for i in range(4)]

    stored = await _assign(session)

    rows = await _assignments(session)
    assert stored == 8 == len(rows)
    for caller in callers:
        mine = [r for r in rows if r.office_bearer_id == caller.id]
        assert [r.slot for r in mine] == [1, 2]
        assert mine[0].booth_president_id != mine[1].booth_president_id
    assert len({r.booth_president_id for r in rows}) == len(rows)


async def test_district_incharge_gets_only_booths_of_their_districts(session: AsyncSession) -> None:
    await _two_districts(session)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Varanasi",),
                                        telegram_user_id=201)
    regional = await make_office_bearer(session, region="Awadh", telegram_user_id=202)

    await _assign(session)

    rows = (await session.execute(
        select(Assignment.office_bearer_id, District.name)
        .join(Booth, Assignment.booth_id == Booth.id)
        .join(AssemblySeat, Booth.assembly_id == AssemblySeat.id)
        .join(District, AssemblySeat.district_id == District.id))).all()
    assert {district for person, district in rows if person == incharge.id} == {"Varanasi"}
    assert {district for person, district in rows if person == regional.id} == {"Lucknow"}
    assert len(rows) == 4


async def test_focus_seats_then_weak_booths_come_first_when_nobody_was_called_yet(session: AsyncSession) -> None:
    plain = await make_booth(session, strength=Strength.strong)
    weak = await make_booth(session, strength=Strength.weak)
    focus = await make_booth(session, district="Rae Bareli", assembly_no=181, assembly="Rae Bareli",
                             lok_sabha="Rae Bareli", strength=Strength.moderate)
    await make_office_bearer(session, telegram_user_id=301)

    await _assign(session, focus=("Rae Bareli",))

    given = {r.booth_id for r in await _assignments(session)}
    assert given == {focus.id, weak.id}
    assert plain.id not in given


async def test_least_recently_called_come_first_on_the_next_day(session: AsyncSession) -> None:
    booths = [await make_booth(session) for _ in range(4)]
    await make_office_bearer(session, telegram_user_id=401)

    await _assign(session, DAY)
    await _assign(session, DAY + timedelta(days=1))

    first = {r.booth_id for r in await _assignments(session, DAY)}
    second = {r.booth_id for r in await _assignments(session, DAY + timedelta(days=1))}
    assert first.isdisjoint(second)
    assert first | second == {b.id for b in booths}


async def test_assigning_a_day_twice_stores_nothing_new(session: AsyncSession) -> None:
    await _two_districts(session)
    await make_office_bearer(session, telegram_user_id=501)
    await make_office_bearer(session, telegram_user_id=502)

    assert await _assign(session) == 4
    before = [(r.office_bearer_id, r.slot, r.booth_president_id) for r in await _assignments(session)]
    assert await _assign(session) == 0
    after = [(r.office_bearer_id, r.slot, r.booth_president_id) for r in await _assignments(session)]
    assert before == after


async def test_only_active_registered_callers_receive_contacts(session: AsyncSession) -> None:
    await _two_districts(session)
    caller = await make_office_bearer(session, telegram_user_id=601)
    await make_office_bearer(session)  # not registered
    await make_office_bearer(session, telegram_user_id=602, active=False)
    await make_office_bearer(session, role=Role.organisation_secretary, telegram_user_id=603)
    await make_office_bearer(session, role=Role.admin, telegram_user_id=604)

    await _assign(session)

    assert {r.office_bearer_id for r in await _assignments(session)} == {caller.id}


async def test_wrong_numbers_and_inactive_presidents_are_not_given(session: AsyncSession) -> None:
    good = await make_booth(session)
    wrong = await make_booth(session)
    gone = await make_booth(session)
    for booth, change in ((wrong, {"phone_reported_wrong_at": NOW}), (gone, {"active": False})):
        president = (await session.execute(
            select(BoothPresident).where(BoothPresident.booth_id == booth.id))).scalar_one()
        for key, value in change.items():
            setattr(president, key, value)
    await make_office_bearer(session, telegram_user_id=701)

    await _assign(session)

    assert [r.booth_id for r in await _assignments(session)] == [good.id]


def test_the_narrowest_scope_chooses_first_so_district_incharges_are_not_starved() -> None:
    lucknow = [Candidate(i, i, district_id=1, region_id=1, focus=False, weak=False, last_called=None)
               for i in range(1, 3)]
    elsewhere = [Candidate(i, i, district_id=2, region_id=1, focus=False, weak=False, last_called=None)
                 for i in range(3, 5)]
    state_wide = Caller(office_bearer_id=1, district_ids=None, free_slots=(1, 2))
    incharge = Caller(office_bearer_id=2, district_ids=frozenset({1}), free_slots=(1, 2))

    chosen = choose([state_wide, incharge], lucknow + elsewhere, DAY)

    by_caller = {(person, slot): c.president_id for person, slot, c in chosen}
    assert {by_caller[(2, 1)], by_caller[(2, 2)]} == {1, 2}
    assert {by_caller[(1, 1)], by_caller[(1, 2)]} == {3, 4}


async def test_the_same_caller_is_not_given_the_same_booth_president_within_the_repeat_gap(
        session: AsyncSession) -> None:
    await make_booth(session)
    caller = await make_office_bearer(session, telegram_user_id=401)
    await _assign(session)

    blocked = await assign_day(session, day=DAY + timedelta(days=1), now=NOW, policy=RotationPolicy(repeat_gap_days=5))
    allowed = await assign_day(session, day=DAY + timedelta(days=6), now=NOW, policy=RotationPolicy(repeat_gap_days=5))

    assert blocked == 0
    assert allowed == 1
    assert [r.office_bearer_id for r in await _assignments(session, DAY + timedelta(days=6))] == [caller.id]


async def test_a_paused_caller_gets_nothing_until_the_day_after_their_leave(session: AsyncSession) -> None:
    for _ in range(6):
        await make_booth(session)
    on_leave = await make_office_bearer(session, telegram_user_id=402)
    on_leave.paused_until = DAY + timedelta(days=1)
    await session.flush()

    await _assign(session, DAY)
    await _assign(session, DAY + timedelta(days=1))
    await _assign(session, DAY + timedelta(days=2))

    assert await _assignments(session, DAY) == []
    assert await _assignments(session, DAY + timedelta(days=1)) == []
    assert len(await _assignments(session, DAY + timedelta(days=2))) == 2


async def test_a_call_back_whose_caller_is_away_goes_first_to_someone_else(session: AsyncSession) -> None:
    for _ in range(8):
        await make_booth(session)
    asker = await make_office_bearer(session, telegram_user_id=403)
    colleague = await make_office_bearer(session, telegram_user_id=404)
    await _assign(session, DAY)
    asked = next(r for r in await _assignments(session, DAY) if r.office_bearer_id == asker.id)
    await make_report(session, asked, outcome=Outcome.call_back, call_back_on=DAY + timedelta(days=1))
    asker.paused_until = DAY + timedelta(days=1)
    await session.flush()

    await _assign(session, DAY + timedelta(days=1))

    next_day = await _assignments(session, DAY + timedelta(days=1))
    assert (colleague.id, asked.booth_president_id) in {(r.office_bearer_id, r.booth_president_id) for r in next_day}


async def test_a_later_talked_report_cancels_the_call_back(session: AsyncSession) -> None:
    for _ in range(8):
        await make_booth(session)
    asker = await make_office_bearer(session, telegram_user_id=405)
    await _assign(session, DAY)
    asked = (await _assignments(session, DAY))[0]
    await make_report(session, asked, outcome=Outcome.call_back, call_back_on=DAY + timedelta(days=1))
    await make_report(session, asked, outcome=Outcome.talked, at=NOW + timedelta(hours=3))

    await _assign(session, DAY + timedelta(days=1))

    assert asked.booth_president_id not in {r.booth_president_id
                                            for r in await _assignments(session, DAY + timedelta(days=1))}
    assert asker.id in {r.office_bearer_id for r in await _assignments(session, DAY + timedelta(days=1))}


async def test_a_wrong_number_is_parked_until_the_roster_brings_a_corrected_one(session: AsyncSession,
                                                                                tmp_path: Path) -> None:
    rows = generate_booth_rows(seed=7, districts=1, assemblies_per_district=1, mandals_per_assembly=1,
                               booths_per_mandal=1)
    write_csv(tmp_path / "booths.csv", rows)
    await validate_and_import_booths(session, read_table(tmp_path / "booths.csv"), dry_run=False, now=NOW)
    caller = await make_office_bearer(session, telegram_user_id=406)
    await _assign(session, DAY)
    (given,) = await _assignments(session, DAY)
    await record_report(session, draft=ReportDraft(given.id, "anyone", outcome=Outcome.wrong_number),
                        office_bearer_id=caller.id, today=DAY, grace_days=1, now=NOW)

    parked = await assign_day(session, day=DAY + timedelta(days=1), now=NOW, policy=RotationPolicy(repeat_gap_days=0))
    rows[0]["president_phone"] = synthetic_mobile()
    write_csv(tmp_path / "booths.csv", rows)
    await validate_and_import_booths(session, read_table(tmp_path / "booths.csv"), dry_run=False, now=NOW)
    corrected = await assign_day(session, day=DAY + timedelta(days=2), now=NOW,
                                 policy=RotationPolicy(repeat_gap_days=0))

    assert parked == 0
    assert corrected == 1
    (again,) = await _assignments(session, DAY + timedelta(days=2))
    assert again.booth_id == given.booth_id
    assert again.booth_president_id != given.booth_president_id
