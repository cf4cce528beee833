"""`/summary` over the real bot: each role's first view, drilling down and back with buttons, the period
switch, and what a forged or outdated button gets."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.i18n import translate
from bot.sandbox import FakeUser
from models import District, Region, Role
from tests.e2e.conftest import Harness
from tests.factories import make_booth, make_office_bearer


@dataclass
class Day:
    """The registered users and the ids the tests press buttons with."""

    users: dict[str, FakeUser]
    lucknow_id: int
    varanasi_id: int
    awadh_id: int


async def day_with_two_districts(h: Harness) -> Day:
    """Lucknow (Awadh) and Varanasi (Kashi), an in-charge for each, a state office-bearer, the secretary and
    an admin, all registered; this morning's contacts pushed."""
    async with h.db.sessions() as session:
        for i in range(5):
            await make_booth(session, district="Lucknow", region="Awadh", assembly_no=172, mandal=f"L{i}")
            await make_booth(session, district="Varanasi", region="Kashi", assembly_no=391,
                             assembly="Varanasi North", lok_sabha="Varanasi", mandal=f"V{i}")
        people = {
            "lucknow_incharge": await make_office_bearer(session, name="Lalit Mishra", role=Role.district_incharge,
                                                         districts=("Lucknow",)),
            "varanasi_incharge": await make_office_bearer(session, name="Vimla Yadav", role=Role.district_incharge,
                                                          districts=("Varanasi",)),
            "state": await make_office_bearer(session, name="Sunita Rawat", role=Role.state_office_bearer,
                                              region="Awadh"),
            "secretary": await make_office_bearer(session, name="Sachiv Ji", role=Role.organisation_secretary),
            "admin": await make_office_bearer(session, name="IT Cell", role=Role.admin),
        }
        await session.commit()
        ids = {name: id_ for name, id_ in (await session.execute(select(District.name, District.id))).all()}
        awadh_id = (await session.execute(select(Region.id).where(Region.name == "Awadh"))).scalar_one()
    users = {}
    for index, (key, person) in enumerate(people.items()):
        users[key] = await h.register(person, user_id=8000 + index)
    await h.push()
    await h.settle()
    return Day(users, ids["Lucknow"], ids["Varanasi"], awadh_id)


async def ask(h: Harness, user: FakeUser, text: str) -> list[str]:
    """Send a command and return the texts of the bot's replies."""
    before = len(user.messages)
    await h.say(user, text)
    return [message.text or "" for message in user.messages[before:]]


async def forge(h: Harness, user: FakeUser, data: str) -> None:
    """Press a button with made-up data on the user's newest message (a forged or outdated button)."""
    await h.fake.queue_callback_query(user, user.last_message, data)
    await h.settle()


async def test_the_secretary_drills_from_state_to_region_to_district_and_back(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]

    (state,) = await ask(harness, secretary, "/summary")
    view = secretary.last_message
    await harness.tap(secretary, "Awadh")
    region = view.text or ""
    await harness.tap(secretary, "Lucknow")
    district = view.text or ""
    await harness.tap(secretary, "पीछे")

    assert "पूरा प्रदेश" in state and "Awadh" in state and "Kashi" in state
    assert "Awadh क्षेत्र" in region and "Lucknow" in region and "Varanasi" not in region
    assert "Lucknow जिला" in district and "Lalit Mishra" in district and "Sunita Rawat" in district
    assert "Vimla Yadav" not in district
    assert "Awadh क्षेत्र" in (view.text or ""), "back leads from the district to its region"
    assert secretary.last_message is view, "the view changes in place, no new messages"


async def test_the_period_switch_keeps_the_area_and_changes_the_days(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]
    await ask(harness, secretary, "/summary")
    await harness.tap(secretary, "Kashi")

    await harness.tap(secretary, "30 दिन")

    text = secretary.last_message.text or ""
    assert "Kashi क्षेत्र" in text
    assert "22.10.2026 से 20.11.2026 तक (30 दिन)" in text
    assert any("• 30 दिन •" in label for row in secretary.last_message.buttons for label, _ in row)


async def test_summary_for_a_week_a_month_or_a_date(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]

    (week,) = await ask(harness, secretary, "/summary week")
    (month,) = await ask(harness, secretary, "/summary month 15.11")
    (on_a_day,) = await ask(harness, secretary, "/summary 19.11.2026")
    (wrong,) = await ask(harness, secretary, "/summary yesterday")

    assert "14.11.2026 से 20.11.2026 तक (7 दिन)" in week
    assert "17.10.2026 से 15.11.2026 तक (30 दिन)" in month
    assert "तारीख 19.11.2026" in on_a_day and "कोई कॉल नहीं सौंपी गई" in on_a_day
    assert "/summary week" in wrong


async def test_a_district_incharge_sees_their_district_and_is_refused_another(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    incharge = day.users["lucknow_incharge"]
    (text,) = await ask(harness, incharge, "/summary")
    view = incharge.last_message

    await forge(harness, incharge, f"sum:d:{day.varanasi_id}:d20261120")
    await forge(harness, incharge, f"sum:r:{day.awadh_id}:d20261120")
    await forge(harness, incharge, "sum:s:0:d20261120")

    assert "Lucknow जिला" in text and "Varanasi" not in text
    assert not any("Excel" in label for row in view.buttons for label, _ in row), "in-charges do not export"
    refusal = translate("hi", "review.not_yours")
    assert incharge.callback_answers[-3:-1] == [refusal, refusal]
    assert "आपके जिले" in (view.text or ""), "their own 'all my districts' view is theirs to see"
    assert "Varanasi" not in (view.text or "")


async def test_a_state_office_bearer_sees_only_their_own_calls(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    state = day.users["state"]

    (text,) = await ask(harness, state, "/summary")
    await forge(harness, state, f"sum:d:{day.lucknow_id}:d20261120")
    await forge(harness, state, "sum:s:0:w20261120")

    assert "Sunita Rawat की कॉल" in text
    assert "सौंपी गई कॉल: 2" in text
    assert "Lalit Mishra" not in text and "जिलेवार" not in text
    assert state.callback_answers[-2:] == [translate("hi", "review.not_yours")] * 2
    assert "Lucknow" not in (state.last_message.text or "")


async def test_stale_and_malformed_buttons_are_answered_politely(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]
    await ask(harness, secretary, "/summary")
    before = secretary.last_message.text

    for data in ("sum:d:999999:d20261120", "sum:q:1:d20261120", "sum:s:0:d20991231", "sum:s:0:x20261120",
                 "sum:s:0:d20261340"):
        await forge(harness, secretary, data)

    assert secretary.callback_answers[-5:] == [translate("hi", "button.stale")] * 5
    assert secretary.last_message.text == before


async def test_english_speakers_get_the_view_in_english(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    admin = day.users["admin"]
    await ask(harness, admin, "/language")
    await harness.tap(admin, "English")

    (text,) = await ask(harness, admin, "/summary")

    assert "📊 Booth Samvad — progress: whole state" in text
    assert "✅ Conversations: 0 of 6 calls (0%)" in text
    assert "Tried, did not connect: 0 · wrong number / no longer president: 0 · not yet reported: 6" in text
    assert any("Excel" in label for row in admin.last_message.buttons for label, _ in row)
