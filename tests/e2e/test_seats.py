"""The Lok Sabha hierarchy and coverage over the real bot: drilling state → seats → seat → assembly seat → booth
with buttons, the focus seats button, and `/coverage` for the secretary, an in-charge and a state office-bearer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from bot.config import Settings
from bot.i18n import translate
from bot.runtime.local import SANDBOX_TOKEN, sandbox_bot
from bot.sandbox import FakeMessage, FakeTelegram, FakeUser, load_spec
from models import Role, Strength
from tests.conftest import Database
from tests.e2e.conftest import MORNING, Clock, Harness
from tests.factories import make_assignment, make_booth, make_office_bearer, make_report


@pytest.fixture
async def harness(db: Database) -> AsyncIterator[Harness]:
    """The bot with Varanasi configured as a focus seat, against a fake Telegram checking the Bot API spec."""
    settings = Settings()
    settings = replace(settings, outreach=replace(settings.outreach, focus_lok_sabha=("Varanasi",)))
    clock = Clock(MORNING)
    fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec())
    async with sandbox_bot(settings, db.sessions, fake=fake, clock=clock) as running:
        yield Harness(running, db, clock, settings)
    assert fake.violations == []


@dataclass
class Seats:
    secretary: FakeUser
    incharge: FakeUser
    caller: FakeUser


async def two_seats(h: Harness) -> Seats:
    """Lucknow seat (assembly 172, district Lucknow) and the focus seat Varanasi (assembly 391, district
    Varanasi), a weak booth nobody has called, and two calls today on Lucknow North booths, one reported."""
    async with h.db.sessions() as session:
        first = await make_booth(session, number=11, president="Ram Prasad")
        second = await make_booth(session, number=12)
        await make_booth(session, number=13, strength=Strength.weak)
        for number in (1, 2):
            await make_booth(session, district="Varanasi", region="Kashi", assembly_no=391,
                             assembly="Varanasi North", lok_sabha="Varanasi", mandal="Sigra", number=number)
        secretary = await make_office_bearer(session, name="Sachiv Ji", role=Role.organisation_secretary)
        incharge = await make_office_bearer(session, name="Lalit Mishra", role=Role.district_incharge,
                                            districts=("Lucknow",))
        caller = await make_office_bearer(session, name="Sunita Rawat", region="Awadh")
        talked = await make_assignment(session, office_bearer=caller, booth=first, day=h.today)
        await make_assignment(session, office_bearer=caller, booth=second, day=h.today, slot=2)
        await make_report(session, talked, at=MORNING)
        await session.commit()
    return Seats(secretary=await h.register(secretary, user_id=8100), incharge=await h.register(incharge, user_id=8101),
                 caller=await h.register(caller, user_id=8102))


def labels(message: FakeMessage) -> list[str]:
    """The labels of a message's buttons, row after row."""
    return [text for row in message.buttons for text, _ in row]


async def test_the_secretary_drills_from_the_state_to_seats_to_a_seat_to_an_assembly_seat_and_a_booth(
        harness: Harness) -> None:
    day = await two_seats(harness)
    secretary = day.secretary

    await harness.say(secretary, "/summary")
    view = secretary.last_message
    await harness.tap(secretary, "🗳 लोक सभा सीटें")
    seats_text, seats_buttons = view.text or "", labels(view)
    await harness.tap(secretary, "Lucknow")
    seat_text = view.text or ""
    await harness.tap(secretary, "172 Lucknow North")
    assembly_text, assembly_buttons = view.text or "", labels(view)
    before = len(secretary.messages)
    await harness.tap(secretary, "11 Primary School")
    booth_text = secretary.messages[before].text or ""
    await secretary.press_label("पीछे", message_id=view.message_id)
    await harness.settle()

    assert "लोक सभा सीटें" in seats_text and "🎯 पहुँच: 30 दिन में 20%" in seats_text
    assert "\nLucknow: " in seats_text and "\n⭐ Varanasi: " in seats_text
    assert seats_buttons[:2] == ["Lucknow", "⭐ Varanasi"]
    assert "Lucknow लोक सभा" in seat_text and "\n172 Lucknow North: " in seat_text
    assert "172 Lucknow North विधान सभा" in assembly_text and "बूथवार" in assembly_text
    assert [label for label in assembly_buttons if "Primary School" in label] == [
        label for label in assembly_buttons if label.startswith(("11 ", "12 "))]
    assert "Ram Prasad" in booth_text
    assert "Lucknow लोक सभा" in (view.text or "")


async def test_the_focus_button_shows_only_the_focus_seats(harness: Harness) -> None:
    day = await two_seats(harness)

    await harness.say(day.secretary, "/summary")
    view = day.secretary.last_message
    await harness.tap(day.secretary, "⭐ फोकस सीटें")

    assert "फोकस लोक सभा सीटें" in (view.text or "")
    drill = [label for label in labels(view) if "Varanasi" in label or "Lucknow" in label]
    assert drill == ["⭐ Varanasi"]


async def test_coverage_for_the_secretary_by_seat_for_an_incharge_by_district_and_none_for_a_caller(
        harness: Harness) -> None:
    day = await two_seats(harness)

    await harness.say(day.secretary, "/coverage")
    whole = day.secretary.last_message.text or ""
    await harness.say(day.incharge, "/coverage")
    charge = day.incharge.last_message.text or ""
    await harness.say(day.caller, "/coverage")
    refused = day.caller.last_message.text or ""

    assert "🎯 बूथ अध्यक्षों तक पहुँच — पूरा प्रदेश" in whole
    assert "5 सक्रिय बूथ अध्यक्षों में से पिछले 30 दिन में 1 (20%)" in whole
    assert "⭐ Varanasi: 30 दिन में 0%" in whole and "Lucknow: 30 दिन में 33%" in whole
    assert whole.count("अब तक कभी बात नहीं हुई") == 3  # the weak booth and both Varanasi booths
    assert "🎯 बूथ अध्यक्षों तक पहुँच — आपके जिले" in charge and "जिलेवार" in charge
    assert "Lucknow: 30 दिन में 33%" in charge and "Varanasi" not in charge
    assert refused == translate("hi", "access.denied")


async def test_an_incharge_cannot_open_a_seat_outside_their_districts(harness: Harness) -> None:
    day = await two_seats(harness)

    await harness.say(day.incharge, "/summary")
    view = day.incharge.last_message
    await harness.tap(day.incharge, "🗳 लोक सभा सीटें")

    assert [label for label in labels(view) if "Varanasi" in label or "Lucknow" in label] == ["Lucknow"]
