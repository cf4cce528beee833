"""The booth view: what it shows, to whom, with the president's number only for those entitled to it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import BoothNotInScope, UnknownBooth
from bot.review.booths import MAX_CALLS, BoothView, booth_view
from models import AuditEntry, NeedCategory, NeedStatus, OfficeBearer, Outcome, Role, Strength
from tests.factories import (
    NOW,
    make_assignment,
    make_booth,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
    president_of,
)

TODAY = date(2026, 11, 20)


async def _view(session: AsyncSession, person: OfficeBearer, *, assembly_no: int = 172, booth_no: int = 45,
                today: date = TODAY) -> BoothView:
    return await booth_view(session, person, assembly_no=assembly_no, booth_no=booth_no, today=today, now=NOW)


async def test_the_view_shows_the_booth_its_calls_newest_first_its_positions_in_order_and_open_needs(
        session: AsyncSession) -> None:
    booth = await make_booth(session, number=45, president="Shyam Lal", strength=Strength.weak)
    caller = await make_office_bearer(session, name="Ravi Kumar")
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    first = await make_report(session, await make_assignment(session, office_bearer=caller, booth=booth,
                                                             day=TODAY - timedelta(days=9)),
                              position=Strength.weak, notes="needs a BLA", at=NOW - timedelta(days=9))
    await make_need(session, first, category=NeedCategory.voter_list, status=NeedStatus.open)
    await make_need(session, first, category=NeedCategory.leader_visit, status=NeedStatus.resolved)
    second = await make_report(session, await make_assignment(session, office_bearer=caller, booth=booth,
                                                              day=TODAY - timedelta(days=2)),
                               position=Strength.moderate, at=NOW - timedelta(days=2))
    await make_need(session, second, detail="a hall for meetings", status=NeedStatus.in_progress)
    await make_report(session, await make_assignment(session, office_bearer=caller, booth=booth, day=TODAY),
                      outcome=Outcome.no_answer)

    view = await _view(session, secretary)

    assert (view.booth.number, view.booth.assembly_no, view.booth.district, view.booth.mandal) == (
        45, 172, "Lucknow", "Aliganj")
    assert (view.booth.lok_sabha, view.booth.strength, view.president) == ("Lucknow", Strength.weak, "Shyam Lal")
    assert [(c.outcome, c.position, c.caller) for c in view.calls] == [
        (Outcome.no_answer, None, "Ravi Kumar"), (Outcome.talked, Strength.moderate, "Ravi Kumar"),
        (Outcome.talked, Strength.weak, "Ravi Kumar")]
    assert view.calls[-1].notes == "needs a BLA"
    assert view.positions == ((TODAY - timedelta(days=9), Strength.weak),
                              (TODAY - timedelta(days=2), Strength.moderate))
    assert [(n.category, n.status) for n in view.needs] == [
        (NeedCategory.voter_list, NeedStatus.open), (NeedCategory.other, NeedStatus.in_progress)]
    assert view.needs[1].detail == "a hall for meetings"


async def test_every_view_is_written_to_the_audit_log_saying_whether_the_number_was_shown(
        session: AsyncSession) -> None:
    booth = await make_booth(session, number=45)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    admin = await make_office_bearer(session, role=Role.admin)

    await _view(session, incharge)
    await _view(session, admin)

    entries = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
    assert [(e.actor_id, e.action, e.subject, e.detail) for e in entries] == [
        (incharge.id, "booth_viewed", f"booth:{booth.id}", {"phone_shown": False}),
        (admin.id, "booth_viewed", f"booth:{booth.id}", {"phone_shown": True})]


@pytest.mark.parametrize("role", [Role.organisation_secretary, Role.admin])
async def test_the_secretary_and_admins_see_the_number(session: AsyncSession, role: Role) -> None:
    booth = await make_booth(session, number=45)
    viewer = await make_office_bearer(session, role=role)

    view = await _view(session, viewer)

    assert view.phone == (await president_of(session, booth)).phone


async def test_the_caller_sees_the_number_only_on_the_day_the_president_is_theirs_to_call(
        session: AsyncSession) -> None:
    booth = await make_booth(session, number=45)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    await make_assignment(session, office_bearer=incharge, booth=booth, day=TODAY)

    today = await _view(session, incharge)
    tomorrow = await _view(session, incharge, today=TODAY + timedelta(days=1))

    assert today.phone == (await president_of(session, booth)).phone
    assert tomorrow.phone is None
    assert tomorrow.president is not None


async def test_a_district_incharge_sees_only_booths_of_their_districts(session: AsyncSession) -> None:
    await make_varanasi_booth(session, number=7)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))

    with pytest.raises(BoothNotInScope):
        await _view(session, incharge, assembly_no=390, booth_no=7)
    assert (await session.execute(select(AuditEntry))).scalars().all() == []


async def test_a_state_office_bearer_sees_their_region_or_with_no_region_every_booth(session: AsyncSession) -> None:
    await make_booth(session, number=45)
    await make_varanasi_booth(session, number=7)
    awadh = await make_office_bearer(session, region="Awadh")
    statewide = await make_office_bearer(session)

    assert (await _view(session, awadh)).booth.number == 45
    with pytest.raises(BoothNotInScope):
        await _view(session, awadh, assembly_no=390, booth_no=7)
    assert (await _view(session, statewide, assembly_no=390, booth_no=7)).booth.number == 7


async def test_only_district_incharges_of_the_booth_and_the_secretary_may_follow_up_its_needs(
        session: AsyncSession) -> None:
    await make_booth(session, number=45)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    state = await make_office_bearer(session)

    assert (await _view(session, incharge)).needs_manageable
    assert (await _view(session, secretary)).needs_manageable
    assert not (await _view(session, state)).needs_manageable


async def test_an_unknown_booth_is_named_in_the_error(session: AsyncSession) -> None:
    await make_booth(session, number=45)
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)

    with pytest.raises(UnknownBooth) as raised:
        await _view(session, secretary, booth_no=46)

    assert raised.value.params == {"assembly_no": 172, "booth_no": 46}


async def test_a_long_history_is_capped_but_counted(session: AsyncSession) -> None:
    booth = await make_booth(session, number=45)
    caller = await make_office_bearer(session)
    for back in range(MAX_CALLS + 3):
        await make_report(session, await make_assignment(session, office_bearer=caller, booth=booth,
                                                         day=TODAY - timedelta(days=back)),
                          position=Strength.strong, at=NOW - timedelta(days=back))
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)

    view = await _view(session, secretary)

    assert (len(view.calls), view.calls_total, len(view.positions)) == (MAX_CALLS, MAX_CALLS + 3, MAX_CALLS + 3)
    assert view.calls[0].reported_at == NOW
