"""`/corrections` over the real bot: a district in-charge sends a booth's new president, an admin confirms."""

from __future__ import annotations

from sqlalchemy import select

from bot.outreach.corrections import open_correction
from bot.sandbox import FakeUser
from models import AuditEntry, BoothPresident, Correction, CorrectionKind, CorrectionStatus, Role
from tests.e2e.conftest import MORNING, Harness
from tests.factories import make_booth, make_office_bearer, president_of


async def _wrong_number_at_booth_45(h: Harness) -> int:
    """Booth 45 (Lucknow North, Lucknow): Ravi Kumar reported Ramesh Yadav's number wrong this morning."""
    async with h.db.sessions() as session:
        booth = await make_booth(session, number=45, president="Ramesh Yadav", phone="+919876543210")
        caller = await make_office_bearer(session, name="Ravi Kumar")
        president = await president_of(session, booth)
        president.phone_reported_wrong_at = MORNING
        correction = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                           kind=CorrectionKind.wrong_number, now=MORNING,
                                           reported_by_id=caller.id)
        await session.commit()
        return correction.id


async def _lucknow_incharge(h: Harness) -> FakeUser:
    return await h.new_user(user_id=9301, role=Role.district_incharge, districts=("Lucknow",))


async def _correction(h: Harness, correction_id: int) -> Correction:
    async with h.db.sessions() as session:
        found = await session.get(Correction, correction_id)
        assert found is not None
        return found


async def _presidents(h: Harness) -> list[tuple[str, str, bool]]:
    async with h.db.sessions() as session:
        rows = (await session.execute(select(BoothPresident).order_by(BoothPresident.id))).scalars()
        return [(p.name, p.phone, p.active) for p in rows]


async def test_the_incharge_sends_a_new_name_and_number_and_an_admin_confirms(harness: Harness) -> None:
    correction_id = await _wrong_number_at_booth_45(harness)
    incharge = await _lucknow_incharge(harness)

    await harness.say(incharge, "/corrections")
    listing = incharge.last_message.text or ""
    await harness.tap(incharge, "1 ✏️ नया नाम और नंबर")
    asked = incharge.last_message.text or ""
    await harness.say(incharge, "सुरेश पाल 98765 4321")
    hint = incharge.last_message.text or ""
    await harness.say(incharge, "सुरेश पाल 098765-43219")
    shown = incharge.last_message.text or ""
    await harness.tap(incharge, "✅ हाँ, भेजें")
    sent = incharge.last_message.text or ""

    assert "गलत नंबर" in listing and "बूथ 45" in listing and "विधान सभा 172 Lucknow North" in listing
    assert "Ramesh Yadav, +91 98xxxxxx10" in listing and "Ravi Kumar ने बताया" in listing
    assert "98765 43210" not in listing
    assert "नाम और मोबाइल नंबर एक ही संदेश में" in asked
    assert "10 अंकों का मोबाइल नंबर" in hint
    assert "सुरेश पाल" in shown and "+91 98765 43219" in shown
    assert "प्रस्ताव भेज दिया गया" in sent
    proposed = await _correction(harness, correction_id)
    assert (proposed.status, proposed.proposed_name, proposed.proposed_phone) == (
        CorrectionStatus.proposed, "सुरेश पाल", "+919876543219")

    admin = await harness.new_user(user_id=9302, role=Role.admin)
    await harness.say(admin, "/corrections")
    decision = admin.last_message
    assert "प्रस्ताव: सुरेश पाल, +91 98765 43219" in (decision.text or "")
    assert "Ramesh Yadav, +91 98765 43210" in (decision.text or "")
    await harness.tap(admin, "1 ✅ पुष्टि करें")

    assert "पुष्टि हो गई" in (decision.text or "") and "कोई सुधार बाकी नहीं" in (decision.text or "")
    assert (await _correction(harness, correction_id)).status is CorrectionStatus.confirmed
    assert await _presidents(harness) == [("Ramesh Yadav", "+919876543210", False),
                                          ("सुरेश पाल", "+919876543219", True)]
    async with harness.db.sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).where(
            AuditEntry.subject == f"correction:{correction_id}").order_by(AuditEntry.id))).scalars().all()
    assert actions == ["correction_opened", "correction_proposed", "correction_confirmed"]


async def test_a_number_already_on_the_roster_is_refused_and_can_be_typed_again(harness: Harness) -> None:
    correction_id = await _wrong_number_at_booth_45(harness)
    async with harness.db.sessions() as session:
        await make_booth(session, number=46, phone="+919876543219")
        await session.commit()
    incharge = await _lucknow_incharge(harness)
    await harness.say(incharge, "/corrections")
    await harness.tap(incharge, "✏️ नया नाम और नंबर")

    await harness.say(incharge, "Suresh Pal 98765 43219")
    await harness.tap(incharge, "✅ हाँ, भेजें")
    refused = incharge.callback_answers[-1] or ""
    await harness.say(incharge, "Suresh Pal 98765 43218")
    await harness.tap(incharge, "✅ हाँ, भेजें")

    assert "पहले से किसी दूसरे बूथ अध्यक्ष" in refused
    assert (await _correction(harness, correction_id)).proposed_phone == "+919876543218"


async def test_cancel_leaves_without_sending_and_later_text_is_not_taken_as_a_name(harness: Harness) -> None:
    correction_id = await _wrong_number_at_booth_45(harness)
    incharge = await _lucknow_incharge(harness)
    await harness.say(incharge, "/corrections")
    await harness.tap(incharge, "✏️ नया नाम और नंबर")

    await harness.say(incharge, "/cancel")
    cancelled = incharge.last_message.text or ""
    await harness.say(incharge, "Suresh Pal 98765 43219")

    assert "कुछ नहीं भेजा गया" in cancelled
    assert "10 अंकों" not in (incharge.last_message.text or "")
    assert (await _correction(harness, correction_id)).status is CorrectionStatus.open


async def test_a_rejected_proposal_makes_the_other_admins_confirm_button_stale(harness: Harness) -> None:
    correction_id = await _wrong_number_at_booth_45(harness)
    incharge = await _lucknow_incharge(harness)
    await harness.say(incharge, "/corrections")
    await harness.tap(incharge, "✏️ नया नाम और नंबर")
    await harness.say(incharge, "Suresh Pal 98765 43219")
    await harness.tap(incharge, "✅ हाँ, भेजें")
    first = await harness.new_user(user_id=9302, role=Role.admin)
    second = await harness.new_user(user_id=9303, role=Role.admin)
    await harness.say(first, "/corrections")
    await harness.say(second, "/corrections")

    await harness.tap(first, "1 ❌ अस्वीकार करें")
    await harness.tap(second, "1 ✅ पुष्टि करें")

    assert "प्रस्ताव अस्वीकार" in (first.last_message.text or "")
    assert "किसी और ने बदल दिया" in (second.callback_answers[-1] or "")
    correction = await _correction(harness, correction_id)
    assert (correction.status, correction.proposed_phone) == (CorrectionStatus.open, None)
    assert [active for _, _, active in await _presidents(harness)] == [True]


async def test_a_state_office_bearer_is_refused_politely(harness: Harness) -> None:
    await _wrong_number_at_booth_45(harness)
    office_bearer = await harness.new_user(user_id=9304, role=Role.state_office_bearer, region="Awadh")

    await harness.say(office_bearer, "/corrections")

    assert "यह सुविधा आपकी भूमिका के लिए नहीं है" in (office_bearer.last_message.text or "")


async def test_a_forged_button_for_another_district_is_refused(harness: Harness) -> None:
    correction_id = await _wrong_number_at_booth_45(harness)
    varanasi = await harness.new_user(user_id=9305, role=Role.district_incharge, districts=("Varanasi",))
    await harness.say(varanasi, "/corrections")

    await harness.fake.queue_callback_query(varanasi, varanasi.last_message, f"cor:np:{correction_id}")
    await harness.fake.queue_callback_query(varanasi, varanasi.last_message, f"cor:ok:{correction_id}:1")
    await harness.settle()

    assert ["आपके जिलों में नहीं" in (said or "") for said in varanasi.callback_answers[-2:]] == [True, True]
    assert (await _correction(harness, correction_id)).status is CorrectionStatus.open
    assert "कोई सुधार बाकी नहीं" in (varanasi.last_message.text or "")
