"""Needs followed up to an end: who sees which, paging oldest first, status changes that are claimed,
logged, and refused when stale or outside the person's districts; owners and due dates, handovers, the
booth president told once of a need met, and overdue needs escalated once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import (
    BoothNotInScope,
    NeedChanged,
    NeedNotInScope,
    NotAllowed,
    NotANeedHandoverTarget,
    NotTheNeedOwner,
)
from bot.review.needs import (
    PAGE_SIZE,
    change_need_status,
    claim_resolution_notice,
    escalate_overdue,
    handover_choices,
    list_needs,
    reassign_need,
)
from models import AuditEntry, Booth, Need, NeedCategory, NeedStatus, OfficeBearer, Role
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


async def _owned(session: AsyncSession, booth: Booth, owner: OfficeBearer | None, *, due_in_days: int = 14,
                 status: NeedStatus = NeedStatus.open, detail: str | None = None, days_old: int = 0) -> Need:
    """A need of the booth raised `days_old` days ago, owned by `owner` (None: the secretary's queue), due so
    many days from today."""
    need = await _need(session, booth, status=status, category=NeedCategory.voter_list, detail=detail,
                       days_old=days_old)
    need.owner_id = owner.id if owner else None
    need.due_on = NOW.date() + timedelta(days=due_in_days)
    await session.flush()
    return need


async def _handovers(session: AsyncSession) -> list[tuple[int | None, str | None, dict[str, object] | None]]:
    rows = (await session.execute(select(AuditEntry.actor_id, AuditEntry.subject, AuditEntry.detail)
                                  .where(AuditEntry.action == "need_reassigned").order_by(AuditEntry.id))).all()
    return [(row.actor_id, row.subject, row.detail) for row in rows]


async def test_the_list_shows_each_needs_words_owner_and_due_date(session: AsyncSession) -> None:
    booth = await make_booth(session)
    incharge = await make_office_bearer(session, name="Ramesh Kumar", role=Role.district_incharge,
                                        districts=("Lucknow",))
    need = await _owned(session, booth, incharge, due_in_days=-2, detail="40 names missing in ward 3")

    (item,) = (await list_needs(session, incharge)).items

    assert (item.id, item.detail, item.owner_id, item.owner_name) == (
        need.id, "40 names missing in ward 3", incharge.id, "Ramesh Kumar")
    assert item.due_on == NOW.date() - timedelta(days=2)
    assert item.overdue(NOW.date()) and not item.overdue(NOW.date() - timedelta(days=2))


async def test_the_owner_hands_a_need_to_another_incharge_of_the_district_and_it_is_logged(
        session: AsyncSession) -> None:
    booth = await make_booth(session)
    owner = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    colleague = await make_office_bearer(session, name="Sunita Verma", role=Role.district_incharge,
                                         districts=("Lucknow",))
    await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",), active=False)
    await make_office_bearer(session, role=Role.district_incharge, districts=("Varanasi",))
    need = await _owned(session, booth, owner)

    choices = await handover_choices(session, owner, need_id=need.id)
    handed = await reassign_need(session, owner, need_id=need.id, seen_owner_id=owner.id,
                                 to_owner_id=colleague.id, now=NOW)

    assert [(t.id, t.name) for t in choices.targets] == [(colleague.id, "Sunita Verma"), (None, None)]
    assert (handed.owner_id, handed.owner_name) == (colleague.id, "Sunita Verma")
    await session.refresh(need)
    assert need.owner_id == colleague.id
    assert await _handovers(session) == [(owner.id, f"need:{need.id}", {"from": owner.id, "to": colleague.id})]


async def test_the_secretary_hands_a_need_from_the_queue_to_an_incharge_and_back(session: AsyncSession) -> None:
    booth = await make_booth(session)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    need = await _owned(session, booth, None)

    queue_choices = await handover_choices(session, secretary, need_id=need.id)
    await reassign_need(session, secretary, need_id=need.id, seen_owner_id=None, to_owner_id=incharge.id, now=NOW)
    await reassign_need(session, incharge, need_id=need.id, seen_owner_id=incharge.id, to_owner_id=None, now=NOW)

    assert [t.id for t in queue_choices.targets] == [incharge.id]
    await session.refresh(need)
    assert need.owner_id is None
    assert await _handovers(session) == [
        (secretary.id, f"need:{need.id}", {"from": None, "to": incharge.id}),
        (incharge.id, f"need:{need.id}", {"from": incharge.id, "to": None})]


async def test_only_the_owner_the_secretary_or_an_admin_may_hand_a_need_over(session: AsyncSession) -> None:
    booth = await make_booth(session)
    owner = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    other = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    elsewhere = await make_office_bearer(session, role=Role.district_incharge, districts=("Varanasi",))
    state = await make_office_bearer(session)
    admin = await make_office_bearer(session, role=Role.admin)
    need = await _owned(session, booth, owner)

    with pytest.raises(NotTheNeedOwner):
        await reassign_need(session, other, need_id=need.id, seen_owner_id=owner.id, to_owner_id=other.id, now=NOW)
    with pytest.raises(NeedNotInScope):
        await handover_choices(session, elsewhere, need_id=need.id)
    with pytest.raises(NotAllowed):
        await handover_choices(session, state, need_id=need.id)
    with pytest.raises(NotANeedHandoverTarget):
        await reassign_need(session, admin, need_id=need.id, seen_owner_id=owner.id, to_owner_id=elsewhere.id,
                            now=NOW)
    await reassign_need(session, admin, need_id=need.id, seen_owner_id=owner.id, to_owner_id=other.id, now=NOW)

    await session.refresh(need)
    assert need.owner_id == other.id
    assert [actor for actor, _, _ in await _handovers(session)] == [admin.id]


async def test_a_handover_from_an_owner_who_has_changed_meanwhile_is_stale(session: AsyncSession) -> None:
    booth = await make_booth(session)
    first = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    second = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    need = await _owned(session, booth, first)
    await reassign_need(session, first, need_id=need.id, seen_owner_id=first.id, to_owner_id=second.id, now=NOW)

    with pytest.raises(NeedChanged):
        await reassign_need(session, secretary, need_id=need.id, seen_owner_id=first.id, to_owner_id=None, now=NOW)

    await session.refresh(need)
    assert need.owner_id == second.id
    assert len(await _handovers(session)) == 1


async def test_a_resolved_need_is_not_handed_over(session: AsyncSession) -> None:
    owner = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    need = await _owned(session, await make_booth(session), owner, status=NeedStatus.resolved)

    with pytest.raises(NeedChanged):
        await reassign_need(session, owner, need_id=need.id, seen_owner_id=owner.id, to_owner_id=None, now=NOW)


async def test_resolving_notes_when_and_reopening_clears_it(session: AsyncSession) -> None:
    need = await _need(session, await make_booth(session))
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    later = NOW + timedelta(hours=5)

    await change_need_status(session, secretary, need_id=need.id, seen=NeedStatus.open, to=NeedStatus.resolved,
                             now=later)
    await session.refresh(need)
    resolved_at = need.resolved_at
    await change_need_status(session, secretary, need_id=need.id, seen=NeedStatus.resolved, to=NeedStatus.open,
                             now=later)
    await session.refresh(need)

    assert resolved_at == later
    assert need.resolved_at is None


async def test_a_registered_booth_president_is_told_once_that_the_need_was_met(session: AsyncSession) -> None:
    booth = await make_booth(session, president="Kamla Devi")
    president = await president_of(session, booth)
    president.telegram_user_id, president.language = 777, "en"
    need = await _owned(session, booth, None, detail="40 names missing in ward 3")
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    await change_need_status(session, secretary, need_id=need.id, seen=NeedStatus.open, to=NeedStatus.resolved,
                             now=NOW)

    first = await claim_resolution_notice(session, need_id=need.id, now=NOW, default_language="hi")
    again = await claim_resolution_notice(session, need_id=need.id, now=NOW, default_language="hi")

    assert first is not None and again is None
    assert (first.chat_id, first.language, first.president_name, first.detail) == (
        777, "en", "Kamla Devi", "40 names missing in ward 3")
    await session.refresh(need)
    assert need.president_told_at == NOW


async def test_no_one_is_told_of_an_open_need_or_by_a_president_not_on_telegram(session: AsyncSession) -> None:
    booth = await make_booth(session)
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    unregistered = await _owned(session, booth, None)
    await change_need_status(session, secretary, need_id=unregistered.id, seen=NeedStatus.open,
                             to=NeedStatus.resolved, now=NOW)

    not_on_telegram = await claim_resolution_notice(session, need_id=unregistered.id, now=NOW, default_language="hi")
    (await president_of(session, booth)).telegram_user_id = 778
    still_open = await _owned(session, booth, None, days_old=1)
    not_resolved = await claim_resolution_notice(session, need_id=still_open.id, now=NOW, default_language="hi")

    assert (not_on_telegram, not_resolved) == (None, None)
    await session.refresh(still_open)
    assert still_open.president_told_at is None


async def test_needs_past_their_due_date_are_escalated_once_to_reachable_secretaries(
        session: AsyncSession) -> None:
    booth = await make_booth(session)
    owner = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    secretary = await make_office_bearer(session, role=Role.organisation_secretary, telegram_user_id=501,
                                         language="en")
    await make_office_bearer(session, role=Role.organisation_secretary)  # not registered
    blocked = await make_office_bearer(session, role=Role.organisation_secretary, telegram_user_id=502)
    blocked.unreachable_since = NOW
    later = await _owned(session, booth, owner, due_in_days=-1)
    oldest = await _owned(session, booth, None, due_in_days=-9, status=NeedStatus.in_progress, days_old=1)
    due_today = await _owned(session, booth, owner, due_in_days=0, days_old=2)
    await _owned(session, booth, owner, due_in_days=-5, status=NeedStatus.resolved, days_old=3)

    escalation = await escalate_overdue(session, today=NOW.date(), now=NOW, default_language="hi")
    same_day = await escalate_overdue(session, today=NOW.date(), now=NOW, default_language="hi")
    next_day = await escalate_overdue(session, today=NOW.date() + timedelta(days=1), now=NOW, default_language="hi")

    assert escalation is not None and same_day is None and next_day is not None
    assert [(e.need.id, e.days_overdue) for e in escalation.needs] == [(oldest.id, 9), (later.id, 1)]
    assert [(e.need.id, e.days_overdue) for e in next_day.needs] == [(due_today.id, 1)]
    assert [(r.office_bearer_id, r.chat_id, r.language) for r in escalation.recipients] == [(secretary.id, 501, "en")]
    await session.refresh(later)
    assert later.escalated_at == NOW


async def test_nothing_is_claimed_while_no_secretary_can_be_told(session: AsyncSession) -> None:
    need = await _owned(session, await make_booth(session), None, due_in_days=-3)
    await make_office_bearer(session, role=Role.organisation_secretary)  # not registered

    assert await escalate_overdue(session, today=NOW.date(), now=NOW, default_language="hi") is None

    await session.refresh(need)
    assert need.escalated_at is None
