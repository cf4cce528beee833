"""`/booth 172 45` over the real bot: what a booth view shows, to whom, and the number only to the entitled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.phones import display_phone
from bot.sandbox import FakeUser
from models import AuditEntry, Booth, NeedCategory, NeedStatus, Outcome, Role, Strength
from tests.e2e.conftest import MORNING, Harness
from tests.factories import (
    make_assignment,
    make_booth,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)

PHONE = "+919700004545"


async def _booth_with_history(h: Harness, *, president: str | None = None) -> int:
    """Booth 45 of assembly 172 (Lucknow), called nine days ago and two days ago, with needs raised; its id."""
    async with h.db.sessions() as session:
        place = await make_booth(session, number=45, phone=PHONE, strength=Strength.weak, president=president)
        caller = await make_office_bearer(session, name="Ravi Kumar")
        other = await make_office_bearer(session, name="Sita Devi")
        old = await make_report(session, await make_assignment(session, office_bearer=caller, booth=place,
                                                               day=h.today - timedelta(days=9)),
                                position=Strength.weak, notes="Booth committee not formed",
                                at=MORNING - timedelta(days=9))
        await make_need(session, old, category=NeedCategory.booth_committee)
        await make_need(session, old, category=NeedCategory.leader_visit, status=NeedStatus.resolved)
        recent = await make_report(session, await make_assignment(session, office_bearer=other, booth=place,
                                                                  day=h.today - timedelta(days=2)),
                                   position=Strength.moderate, notes="Committee meeting held",
                                   at=MORNING - timedelta(days=2))
        await make_need(session, recent, category=NeedCategory.voter_list, status=NeedStatus.in_progress)
        await session.commit()
    return place.id


async def _ask(h: Harness, user: FakeUser, text: str) -> str:
    await h.say(user, text)
    reply = user.last_message.text
    assert reply is not None
    return reply


async def test_the_view_shows_the_booth_the_calls_newest_first_the_positions_heard_and_open_needs(
        harness: Harness) -> None:
    await _booth_with_history(harness)
    secretary = await harness.new_user(user_id=9101, role=Role.organisation_secretary)

    text = await _ask(harness, secretary, "/booth 172 45")

    assert "बूथ 45" in text and "Aliganj" in text and "Lucknow North" in text and "लोक सभा Lucknow" in text
    assert text.index("Committee meeting held") < text.index("Booth committee not formed")
    assert text.index("Sita Devi") < text.index("Ravi Kumar")
    assert "कॉल (2)" in text
    assert "सूची में दर्ज: कमज़ोर" in text
    assert "11.11.2026 कमज़ोर → 18.11.2026 मध्यम" in text
    assert "बूथ समिति" in text and "मतदाता सूची" in text and "कार्रवाई जारी" in text
    assert "नेता का दौरा" not in text
    assert "9 दिन पुरानी" in text


async def test_the_secretary_and_the_caller_assigned_today_see_the_number_and_others_do_not(
        harness: Harness) -> None:
    booth_id = await _booth_with_history(harness)
    secretary = await harness.new_user(user_id=9101, role=Role.organisation_secretary)
    async with harness.db.sessions() as session:
        calling = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
        await make_assignment(session, office_bearer=calling, booth=await session.get_one(Booth, booth_id),
                              day=harness.today)
        await session.commit()
    caller = await harness.register(calling, user_id=9102)
    colleague = await harness.new_user(user_id=9103, role=Role.district_incharge, districts=("Lucknow",))

    seen = {who: await _ask(harness, user, "/booth 172 45")
            for who, user in (("secretary", secretary), ("caller", caller), ("colleague", colleague))}

    assert display_phone(PHONE) in seen["secretary"]
    assert display_phone(PHONE) in seen["caller"]
    assert display_phone(PHONE) not in seen["colleague"] and PHONE not in seen["colleague"]
    assert "🔒" in seen["colleague"]
    async with harness.db.sessions() as session:
        log = (await session.execute(select(AuditEntry.detail).where(AuditEntry.action == "booth_viewed")
                                     .order_by(AuditEntry.id))).scalars().all()
    assert log == [{"phone_shown": True}, {"phone_shown": True}, {"phone_shown": False}]


async def test_a_district_incharge_asking_for_another_districts_booth_gets_a_polite_no(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        await make_varanasi_booth(session, number=7)
        await session.commit()
    incharge = await harness.new_user(user_id=9104, role=Role.district_incharge, districts=("Lucknow",))

    text = await _ask(harness, incharge, "/booth 390 7")

    assert "🙏" in text and "आपके प्रभार" in text
    assert "Varanasi" not in text


async def test_an_unregistered_person_is_asked_to_register_first(harness: Harness) -> None:
    await _booth_with_history(harness)
    stranger = harness.fake.add_user(user_id=9105, first_name="Stranger")

    text = await _ask(harness, stranger, "/booth 172 45")

    assert "/start" in text
    assert PHONE not in text and "Aliganj" not in text


async def test_wrong_input_gets_an_answer_with_an_example(harness: Harness) -> None:
    await _booth_with_history(harness)
    secretary = await harness.new_user(user_id=9106, role=Role.organisation_secretary, language="en")

    answers = [await _ask(harness, secretary, text) for text in ("/booth", "/booth 172", "/booth abc 45",
                                                                 "/booth 172 99")]

    assert all("/booth 172 45" in text for text in answers)
    assert "assembly seat number and the booth number" in answers[0]
    assert "no booth 99 in assembly seat 172" in answers[3]


async def test_names_and_notes_are_escaped_and_a_long_history_fits_one_message(harness: Harness) -> None:
    booth_id = await _booth_with_history(harness, president="Ram & Shyam <Yadav>")
    async with harness.db.sessions() as session:
        booth = await session.get_one(Booth, booth_id)
        for back in range(3, 33):
            caller = await make_office_bearer(session, name=f"Caller <{back}>")
            await make_report(session, await make_assignment(session, office_bearer=caller, booth=booth,
                                                             day=harness.today - timedelta(days=back + 10)),
                              outcome=Outcome.talked, position=Strength.strong, notes="घर पर शादी है। " * 60,
                              at=MORNING - timedelta(days=back + 10))
        await session.commit()
    secretary = await harness.new_user(user_id=9107, role=Role.organisation_secretary)

    await harness.say(secretary, "/booth 172 45")
    view = secretary.last_message

    assert "Ram &amp; Shyam &lt;Yadav&gt;" in (view.raw_text or "")
    assert len(view.text or "") <= 4096
    assert "कॉल (32)" in (view.text or "")
    assert "… और" in (view.text or "")
