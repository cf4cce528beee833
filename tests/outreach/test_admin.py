"""The IT cell's tools in the domain: lists, deactivation, number fixes, resends and the audit log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed, UnknownBooth
from bot.outreach import admin
from bot.outreach.assignment import RotationPolicy, assign_day
from bot.outreach.corrections import open_correction
from bot.phones import InvalidPhone
from models import (
    Assignment,
    AuditEntry,
    BoothPresident,
    CorrectionKind,
    CorrectionStatus,
    Delivery,
    DeliveryStatus,
    OfficeBearer,
    Role,
)
from tests.factories import NOW, make_assignment, make_booth, make_delivery, make_office_bearer, make_report

DAY = date(2026, 11, 20)


async def _admin(session: AsyncSession) -> OfficeBearer:
    return await make_office_bearer(session, name="IT Cell", role=Role.admin, telegram_user_id=1)


async def test_people_lists_the_unreachable_with_since_and_why_and_the_unregistered_by_name(
        session: AsyncSession) -> None:
    it_cell = await _admin(session)
    blocked = await make_office_bearer(session, name="Bhola Nath", role=Role.district_incharge,
                                       districts=("Lucknow", "Sitapur"), telegram_user_id=2)
    blocked.unreachable_since, blocked.unreachable_reason = NOW, "blocked"
    await make_office_bearer(session, name="Zeenat Bano")
    await make_office_bearer(session, name="Anil Yadav")
    await make_office_bearer(session, name="Gone Away", active=False)
    await make_office_bearer(session, name="Registered", telegram_user_id=3)

    unreachable = await admin.list_people(session, it_cell, kind=admin.PeopleKind.unreachable)
    unregistered = await admin.list_people(session, it_cell, kind=admin.PeopleKind.unregistered)

    assert [(p.name, p.districts, p.since, p.reason) for p in unreachable.people] == [
        ("Bhola Nath", ("Lucknow", "Sitapur"), NOW, "blocked")]
    assert [p.name for p in unregistered.people] == ["Anil Yadav", "Zeenat Bano"]


async def test_people_lists_come_in_pages(session: AsyncSession) -> None:
    it_cell = await _admin(session)
    for n in range(admin.PAGE_SIZE + 3):
        await make_office_bearer(session, name=f"Caller {n:02d}")

    first = await admin.list_people(session, it_cell, kind=admin.PeopleKind.unregistered)
    second = await admin.list_people(session, it_cell, kind=admin.PeopleKind.unregistered, page=2)
    beyond = await admin.list_people(session, it_cell, kind=admin.PeopleKind.unregistered, page=9)

    assert (first.total, first.pages, len(first.people)) == (admin.PAGE_SIZE + 3, 2, admin.PAGE_SIZE)
    assert [p.name for p in second.people] == ["Caller 20", "Caller 21", "Caller 22"]
    assert beyond.page == 2


async def test_only_an_admin_may_use_the_tools(session: AsyncSession) -> None:
    secretary = await make_office_bearer(session, role=Role.organisation_secretary, telegram_user_id=4)

    with pytest.raises(NotAllowed):
        await admin.list_people(session, secretary, kind=admin.PeopleKind.unreachable)
    with pytest.raises(NotAllowed):
        await admin.latest_audit(session, secretary)


async def test_deactivating_releases_todays_unreported_calls_and_drops_the_unsent_message(
        session: AsyncSession) -> None:
    it_cell = await _admin(session)
    caller = await make_office_bearer(session, name="Leaving Soon", telegram_user_id=5)
    reported = await make_assignment(session, office_bearer=caller, booth=await make_booth(session), slot=1)
    await make_report(session, reported)
    await make_assignment(session, office_bearer=caller, booth=await make_booth(session), slot=2)
    yesterday = await make_assignment(session, office_bearer=caller, booth=await make_booth(session),
                                      day=DAY - timedelta(days=1))
    await make_delivery(session, office_bearer=caller, status=DeliveryStatus.pending)

    released = await admin.deactivate(session, it_cell, caller.id, day=DAY, now=NOW)

    assert released == 1
    assert caller.active is False
    kept = (await session.execute(select(Assignment.id).where(Assignment.office_bearer_id == caller.id)
                                  .order_by(Assignment.id))).scalars().all()
    assert kept == [reported.id, yesterday.id]
    assert (await session.execute(select(Delivery).where(Delivery.office_bearer_id == caller.id))).first() is None
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "deactivated"))).scalar_one()
    assert (entry.actor_id, entry.subject, entry.detail) == (it_cell.id, f"office_bearer:{caller.id}",
                                                            {"released": 1})


async def test_an_admin_cannot_deactivate_themselves_nor_someone_already_inactive(session: AsyncSession) -> None:
    it_cell = await _admin(session)
    gone = await make_office_bearer(session, active=False)

    with pytest.raises(admin.NotYourself):
        await admin.deactivate(session, it_cell, it_cell.id, day=DAY, now=NOW)
    with pytest.raises(admin.UnknownOfficeBearer):
        await admin.deactivate(session, it_cell, gone.id, day=DAY, now=NOW)


async def test_fixing_a_number_normalises_it_clears_the_flag_and_logs_no_number(session: AsyncSession) -> None:
    it_cell = await _admin(session)
    booth = await make_booth(session, number=45, phone="+919700004545")
    president = (await session.execute(select(BoothPresident).where(BoothPresident.booth_id == booth.id))).scalar_one()
    president.phone_reported_wrong_at = NOW

    fixed = await admin.fix_number(session, it_cell, assembly_no=172, booth_no=45, phone="097000-12345", now=NOW)

    assert (fixed.phone, fixed.phone_reported_wrong_at) == ("+919700012345", None)
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "phone_corrected"))).scalar_one()
    assert entry.actor_id == it_cell.id and entry.detail == {"was_flagged": True}
    assert "97000" not in f"{entry.subject}{entry.detail}"


async def test_fixing_a_number_settles_the_pending_correction_and_the_booth_returns_to_rotation(
        session: AsyncSession) -> None:
    it_cell = await _admin(session)
    booth = await make_booth(session, number=45, phone="+919700004545")
    president = (await session.execute(select(BoothPresident).where(BoothPresident.booth_id == booth.id))).scalar_one()
    president.phone_reported_wrong_at = NOW
    caller = await make_office_bearer(session, telegram_user_id=5)
    correction = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                       kind=CorrectionKind.wrong_number, now=NOW, reported_by_id=caller.id)
    assert await assign_day(session, day=DAY, now=NOW, policy=RotationPolicy(repeat_gap_days=0)) == 0

    await admin.fix_number(session, it_cell, assembly_no=172, booth_no=45, phone="097000-12345", now=NOW)

    assert (correction.status, correction.decided_by_id) == (CorrectionStatus.confirmed, it_cell.id)
    assert await assign_day(session, day=DAY + timedelta(days=1), now=NOW,
                            policy=RotationPolicy(repeat_gap_days=0)) == 1


async def test_a_number_fix_refuses_a_taken_number_an_invalid_one_and_an_unknown_booth(
        session: AsyncSession) -> None:
    it_cell = await _admin(session)
    await make_booth(session, number=45)
    await make_booth(session, number=46, phone="+919700004646")

    with pytest.raises(admin.PhoneTaken):
        await admin.fix_number(session, it_cell, assembly_no=172, booth_no=45, phone="9700004646", now=NOW)
    with pytest.raises(InvalidPhone):
        await admin.fix_number(session, it_cell, assembly_no=172, booth_no=45, phone="0522 2345678", now=NOW)
    with pytest.raises(UnknownBooth):
        await admin.fix_number(session, it_cell, assembly_no=172, booth_no=99, phone="9700001111", now=NOW)


async def test_a_resend_carries_todays_contacts_and_is_audited(session: AsyncSession) -> None:
    it_cell = await _admin(session)
    caller = await make_office_bearer(session, telegram_user_id=6)
    idle = await make_office_bearer(session, telegram_user_id=7)
    assignment = await make_assignment(session, office_bearer=caller, booth=await make_booth(session))

    message = await admin.resend_contacts(session, it_cell, caller, day=DAY, now=NOW)

    assert (message.chat_id, [c.assignment_id for c in message.contacts]) == (6, [assignment.id])
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "contacts_resent"))).scalar_one()
    assert (entry.actor_id, entry.detail) == (it_cell.id, {"assignments": [assignment.id]})
    with pytest.raises(admin.NothingToResend):
        await admin.resend_contacts(session, it_cell, idle, day=DAY, now=NOW)


async def test_the_audit_list_is_newest_first_names_the_actor_and_is_capped(session: AsyncSession) -> None:
    it_cell = await _admin(session)
    for n in range(admin.MAX_AUDIT_ENTRIES + 5):
        session.add(AuditEntry(at=NOW + timedelta(minutes=n), actor_id=it_cell.id if n % 2 else None,
                               actor_label="push", action=f"action_{n}", subject=f"office_bearer:{n}"))
    await session.flush()

    latest = await admin.latest_audit(session, it_cell, limit=3)
    capped = await admin.latest_audit(session, it_cell, limit=1000)

    assert [(e.action, e.actor) for e in latest] == [("action_54", "push"), ("action_53", "IT Cell"),
                                                      ("action_52", "push")]
    assert len(capped) == admin.MAX_AUDIT_ENTRIES
