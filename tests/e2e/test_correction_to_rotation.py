"""A correction from the report to the rotation, over the real bot: a caller reports a wrong number, the district
in-charge sends the new president's name and number, an admin confirms, and the new president is called next."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import FakeUser
from models import Assignment, AuditEntry, BoothPresident, Correction, CorrectionStatus, Role
from tests.e2e.conftest import Harness
from tests.factories import make_booth, make_office_bearer

NOT_REACHED = 1
NEW_PRESIDENT = ("सुरेश पाल", "+919876543219")


async def _one_booth_and_its_caller(h: Harness) -> FakeUser:
    """One booth in Lucknow, so the rotation can only give its president; Ravi Kumar calls it."""
    async with h.db.sessions() as session:
        await make_booth(session, number=45, president="Ramesh Yadav", phone="+919876543210")
        caller = await make_office_bearer(session, name="Ravi Kumar")
        await session.commit()
    return await h.register(caller, user_id=7101)


async def _called_today(h: Harness) -> list[tuple[str, str]]:
    async with h.db.sessions() as session:
        rows = await session.execute(
            select(BoothPresident.name, BoothPresident.phone)
            .join(Assignment, Assignment.booth_president_id == BoothPresident.id)
            .where(Assignment.day == h.today))
        return [(name, phone) for name, phone in rows]


async def test_a_wrong_number_goes_from_the_report_to_the_incharge_to_an_admin_and_back_into_rotation(
        harness: Harness) -> None:
    caller = await _one_booth_and_its_caller(harness)
    await harness.push()
    morning = await caller.next_message()
    await harness.press(caller, morning.buttons[0][NOT_REACHED][1] or "", message_id=morning.message_id)
    await harness.tap(caller, "गलत नंबर", "सहेजें")
    reported = caller.last_message.text or ""

    harness.clock.advance(days=1)
    await harness.push()
    called_while_wrong = await _called_today(harness)

    incharge = await harness.new_user(user_id=7102, role=Role.district_incharge, districts=("Lucknow",))
    await harness.say(incharge, "/corrections")
    await harness.tap(incharge, "1 ✏️ नया नाम और नंबर")
    await harness.say(incharge, "सुरेश पाल 98765 43219")
    await harness.tap(incharge, "✅ हाँ, भेजें")
    admin = await harness.new_user(user_id=7103, role=Role.admin)
    await harness.say(admin, "/corrections")
    await harness.tap(admin, "1 ✅ पुष्टि करें")

    harness.clock.advance(days=1)
    await harness.push()
    called_after = await _called_today(harness)

    assert "जिला प्रभारी" in reported and "आईटी प्रकोष्ठ" in reported, reported
    assert called_while_wrong == [], "nobody is given a number reported wrong"
    async with harness.db.sessions() as session:
        correction = (await session.execute(select(Correction))).scalar_one()
        actions = set((await session.execute(select(AuditEntry.action))).scalars())
    assert correction.status is CorrectionStatus.confirmed
    assert {"correction_opened", "correction_proposed", "correction_confirmed"} <= actions
    assert called_after == [NEW_PRESIDENT]
