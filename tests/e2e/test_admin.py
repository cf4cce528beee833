"""The IT cell's commands over the real bot: lists, deactivation, number fixes, resends and the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.sandbox import FakeUser
from models import AuditEntry, BoothPresident, OfficeBearer, Role
from tests.e2e.conftest import MORNING, Harness
from tests.factories import make_booth, make_office_bearer

ANY_PHONE = re.compile(r"\+?91[\s-]?\d{5}[\s-]?\d{5}|\b\d{10}\b")


async def _person(h: Harness, user_id: int, **fields: object) -> tuple[OfficeBearer, FakeUser]:
    """An office-bearer already registered with this Telegram account, and that account."""
    async with h.db.sessions() as session:
        person = await make_office_bearer(session, telegram_user_id=user_id, **fields)  # type: ignore[arg-type]
        await session.commit()
    return person, h.fake.add_user(user_id=user_id, first_name=person.name.split()[0])


async def _ask(h: Harness, user: FakeUser, text: str) -> str:
    await h.say(user, text)
    reply = user.last_message.text
    assert reply is not None
    return reply


async def test_people_lists_the_unreachable_and_the_unregistered_without_numbers(harness: Harness) -> None:
    h = harness
    _, it_cell = await _person(h, 8101, name="IT Cell", role=Role.admin)
    blocked, _ = await _person(h, 8102, name="Ram <Lal>", role=Role.district_incharge, districts=("Sitapur",))
    async with h.db.sessions() as session:
        stored = await session.get_one(OfficeBearer, blocked.id)
        stored.unreachable_since, stored.unreachable_reason = MORNING, "blocked"
        await make_office_bearer(session, name="Nayi Bharti")
        await session.commit()

    unreachable = await _ask(h, it_cell, "/people unreachable")
    unregistered = await _ask(h, it_cell, "/people unregistered")
    usage = await _ask(h, it_cell, "/people")

    assert "Ram <Lal>" in unreachable and "Sitapur" in unreachable and "20.11.2026 08:00" in unreachable
    assert "blocked" in unreachable
    assert "Nayi Bharti" in unregistered and "Ram" not in unregistered
    assert "/people unreachable" in usage
    assert not ANY_PHONE.search(unreachable + unregistered)


async def test_a_deactivated_caller_is_refused_at_once_and_the_change_is_audited(harness: Harness) -> None:
    h = harness
    admin, it_cell = await _person(h, 8201, name="IT Cell", role=Role.admin)
    leaving, leaving_user = await _person(h, 8202, name="Suresh Pal", phone="+919700008202")

    question = await _ask(h, it_cell, "/deactivate 97000 08202")
    await h.tap(it_cell, "हाँ, निष्क्रिय करें")
    refused = await _ask(h, leaving_user, "/summary")

    assert "Suresh Pal" in question
    assert "निष्क्रिय कर दिया गया" in h.fake.message(it_cell.user_id, it_cell.last_message.message_id).text
    assert "पंजीकरण करें" in refused
    async with h.db.sessions() as session:
        stored = await session.get_one(OfficeBearer, leaving.id)
        entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "deactivated"))).scalar_one()
    assert stored.active is False
    assert (entry.actor_id, entry.subject) == (admin.id, f"office_bearer:{leaving.id}")


async def test_keeping_the_person_changes_nothing(harness: Harness) -> None:
    h = harness
    _, it_cell = await _person(h, 8301, role=Role.admin)
    staying, _ = await _person(h, 8302, phone="+919700008302")

    await _ask(h, it_cell, "/deactivate 9700008302")
    await h.tap(it_cell, "नहीं, रहने दें")

    async with h.db.sessions() as session:
        assert (await session.get_one(OfficeBearer, staying.id)).active is True


async def test_fixnumber_corrects_a_flagged_number_and_refuses_a_clash(harness: Harness) -> None:
    h = harness
    _, it_cell = await _person(h, 8401, role=Role.admin)
    async with h.db.sessions() as session:
        booth = await make_booth(session, number=45, president="Kamla <Devi>")
        await make_booth(session, number=46, phone="+919700004646")
        president = (await session.execute(
            select(BoothPresident).where(BoothPresident.booth_id == booth.id))).scalar_one()
        president.phone_reported_wrong_at = MORNING
        await session.commit()

    fixed = await _ask(h, it_cell, "/fixnumber 172 45 98390 12345")
    clash = await _ask(h, it_cell, "/fixnumber 172 45 9700004646")
    invalid = await _ask(h, it_cell, "/fixnumber 172 45 <b>")

    assert "Kamla <Devi>" in fixed and "ठीक कर दिया" in fixed
    assert "दूसरे बूथ अध्यक्ष" in clash
    assert "<b>" in invalid and "मोबाइल नंबर नहीं" in invalid
    async with h.db.sessions() as session:
        stored = await session.get_one(BoothPresident, president.id)
    assert (stored.phone, stored.phone_reported_wrong_at) == ("+919839012345", None)


async def test_resend_sends_todays_contacts_again_and_audit_lists_it_without_numbers(harness: Harness) -> None:
    h = harness
    _, it_cell = await _person(h, 8501, name="IT Cell", role=Role.admin)
    _, caller = await _person(h, 8502, name="Meena Kumari", phone="+919700008502")
    async with h.db.sessions() as session:
        for _ in range(2):
            await make_booth(session)
        await session.commit()
    await h.say(caller, "/start")
    await h.push()
    morning = caller.last_message

    done = await _ask(h, it_cell, "/resend 9700008502")
    again = caller.last_message
    audit = await _ask(h, it_cell, "/audit 5")

    assert "Meena Kumari" in done and "2" in done
    assert again.message_id != morning.message_id and again.text == morning.text
    assert "contacts_resent" in audit and "IT Cell" in audit and "contacts_shown" in audit
    assert not ANY_PHONE.search(audit)
