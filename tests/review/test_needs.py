"""Needs followed up to an end: who sees which, paging oldest first, and status changes that are claimed,
logged, and refused when stale or outside the person's districts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import BoothNotInScope, NeedChanged, NeedNotInScope, NotAllowed
from bot.review.needs import PAGE_SIZE, change_need_status, list_needs
from models import AuditEntry, Booth, Need, NeedCategory, NeedStatus, Role
from tests.factories import (
    NOW,
    make_assignment,
    make_booth,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)


async def _need(session: AsyncSession, booth: Booth, *, days_old: int = 0, status: NeedStatus = NeedStatus.open,
                category: NeedCategory = NeedCategory.other, detail: str | None = None) -> Need:
    """A need raised `days_old` days ago on a call to the booth."""
    caller = await make_office_bearer(session)
    assignment = await make_assignment(session, office_bearer=caller, booth=booth,
                                       day=NOW.date() - timedelta(days=days_old))
    report = await make_report(session, assignment, at=NOW - timedelta(days=days_old))
    return await make_need(session, report, category=category, detail=detail, status=status)


async def test_a_district_incharge_lists_the_open_and_in_progress_needs_of_their_districts_oldest_first(
        session: AsyncSession) -> None:
    lucknow = await make_booth(session)
    newer = await _need(session, lucknow, days_old=1, status=NeedStatus.in_progress)
    older = await _need(session, lucknow, days_old=5)
    await _need(session, lucknow, days_old=9, status=NeedStatus.resolved)
    await _need(session, await make_varanasi_booth(session))
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))

    page = await list_needs(session, incharge)

    assert [item.id for item in page.items] == [older.id, newer.id]
    assert (page.total, page.page, page.pages, page.booth) == (2, 0, 1, None)
    assert page.items[0].district == "Lucknow"


async def test_the_secretary_sees_every_district_a_page_at_a_time(session: AsyncSession) -> None:
    booths = [await make_booth(session), await make_varanasi_booth(session)]
    needs = [await _need(session, booths[i % 2], days_old=20 - i) for i in range(PAGE_SIZE + 2)]
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)

    first = await list_needs(session, secretary)
    second = await list_needs(session, secretary, page=1)
    past_the_end = await list_needs(session, secretary, page=7)

    assert [item.id for item in first.items] == [need.id for need in needs[:PAGE_SIZE]]
    assert [item.id for item in second.items] == [need.id for need in needs[PAGE_SIZE:]]
    assert (second.page, second.pages, second.total) == (1, 2, PAGE_SIZE + 2)
    assert past_the_end.page == 1


async def test_the_list_of_one_booth_shows_only_its_needs_and_refuses_a_booth_outside_the_districts(
        session: AsyncSession) -> None:
    booth, neighbour = await make_booth(session), await make_booth(session)
    varanasi = await make_varanasi_booth(session)
    own = await _need(session, booth)
    await _need(session, neighbour)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))

    page = await list_needs(session, incharge, booth_id=booth.id)

    assert [item.id for item in page.items] == [own.id]
    assert page.booth is not None and page.booth.number == booth.number
    with pytest.raises(BoothNotInScope):
        await list_needs(session, incharge, booth_id=varanasi.id)


async def test_a_state_office_bearer_does_not_follow_up_needs(session: AsyncSession) -> None:
    need = await _need(session, await make_booth(session))
    state = await make_office_bearer(session)

    with pytest.raises(NotAllowed):
        await list_needs(session, state)
    with pytest.raises(NotAllowed):
        await change_need_status(session, state, need_id=need.id, seen=NeedStatus.open, to=NeedStatus.resolved,
                                 now=NOW)


async def test_a_change_is_stored_and_logged_with_who_when_and_from_what_to_what(session: AsyncSession) -> None:
    need = await _need(session, await make_booth(session), category=NeedCategory.voter_list)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    later = NOW + timedelta(hours=3)

    started = await change_need_status(session, incharge, need_id=need.id, seen=NeedStatus.open,
                                       to=NeedStatus.in_progress, now=NOW)
    await change_need_status(session, incharge, need_id=need.id, seen=NeedStatus.in_progress,
                             to=NeedStatus.resolved, now=later)

    assert (started.status, started.category) == (NeedStatus.in_progress, NeedCategory.voter_list)
    await session.refresh(need)
    assert need.status is NeedStatus.resolved
    log = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
    assert [(e.actor_id, e.at, e.action, e.subject, e.detail) for e in log] == [
        (incharge.id, NOW, "need_status_changed", f"need:{need.id}", {"from": "open", "to": "in_progress"}),
        (incharge.id, later, "need_status_changed", f"need:{need.id}", {"from": "in_progress", "to": "resolved"})]


async def test_a_resolved_need_can_be_reopened_by_an_admin(session: AsyncSession) -> None:
    need = await _need(session, await make_varanasi_booth(session), status=NeedStatus.resolved)
    admin = await make_office_bearer(session, role=Role.admin)

    await change_need_status(session, admin, need_id=need.id, seen=NeedStatus.resolved, to=NeedStatus.open, now=NOW)

    assert [item.id for item in (await list_needs(session, admin)).items] == [need.id]


async def test_a_need_changed_by_someone_else_meanwhile_is_stale_and_stays_as_they_left_it(
        session: AsyncSession) -> None:
    need = await _need(session, await make_booth(session))
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    await change_need_status(session, secretary, need_id=need.id, seen=NeedStatus.open, to=NeedStatus.resolved,
                             now=NOW)

    with pytest.raises(NeedChanged):
        await change_need_status(session, incharge, need_id=need.id, seen=NeedStatus.open,
                                 to=NeedStatus.in_progress, now=NOW)

    await session.refresh(need)
    assert need.status is NeedStatus.resolved
    assert len((await session.execute(select(AuditEntry))).scalars().all()) == 1


async def test_a_deleted_need_is_stale(session: AsyncSession) -> None:
    need = await _need(session, await make_booth(session))
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    await session.execute(delete(Need).where(Need.id == need.id))

    with pytest.raises(NeedChanged):
        await change_need_status(session, incharge, need_id=need.id, seen=NeedStatus.open,
                                 to=NeedStatus.resolved, now=NOW)


async def test_a_need_of_another_district_is_refused_and_left_alone(session: AsyncSession) -> None:
    need = await _need(session, await make_varanasi_booth(session))
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))

    with pytest.raises(NeedNotInScope):
        await change_need_status(session, incharge, need_id=need.id, seen=NeedStatus.open,
                                 to=NeedStatus.resolved, now=NOW)

    await session.refresh(need)
    assert need.status is NeedStatus.open
    assert (await session.execute(select(AuditEntry))).scalars().all() == []
