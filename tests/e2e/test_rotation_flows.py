"""Call-backs and leave, end to end: what the office-bearer taps, and what the next mornings bring."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import Assignment, AuditEntry, CallReport, OfficeBearer, Outcome
from tests.e2e.conftest import Harness
from tests.factories import make_booth, make_office_bearer

NOT_REACHED = 1


async def _given(h: Harness, person_id: int, day: date) -> list[int]:
    async with h.db.sessions() as session:
        return list((await session.execute(
            select(Assignment.booth_president_id).where(Assignment.office_bearer_id == person_id,
                                                       Assignment.day == day)
            .order_by(Assignment.slot))).scalars())


async def test_call_back_tomorrow_brings_the_same_booth_president_back_to_the_same_caller(harness: Harness) -> None:
    asker, colleague = await harness.roster(12, "Asha Devi", "Mohan Lal")
    user = await harness.register(asker, user_id=7101)
    await harness.register(colleague, user_id=7102)
    await harness.push()
    morning = await user.next_message()
    first_day = harness.today
    asked_again = (await _given(harness, asker.id, first_day))[1]

    await harness.press(user, morning.buttons[1][NOT_REACHED][1] or "")
    await harness.tap(user, "बाद में बात करने को कहा")
    question = user.last_message.text
    await harness.tap(user, "कल")
    review = user.last_message.text
    await harness.tap(user, "सहेजें")

    assert "फिर कब कॉल" in question
    assert "फिर कॉल: कल" in review
    async with harness.db.sessions() as session:
        report = (await session.execute(select(CallReport))).scalar_one()
    assert (report.outcome, report.call_back_on) == (Outcome.call_back, first_day + timedelta(days=1))

    harness.clock.advance(days=1)
    await harness.push()

    assert asked_again in await _given(harness, asker.id, harness.today)
    assert asked_again not in await _given(harness, colleague.id, harness.today)


async def test_back_from_the_call_back_day_returns_to_the_outcomes(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        await make_booth(session)
        person = await make_office_bearer(session, language="en")
        await session.commit()
    user = await harness.register(person, user_id=7103)
    await harness.push()
    morning = await user.next_message()

    await harness.press(user, morning.buttons[0][NOT_REACHED][1] or "")
    await harness.tap(user, "Asked to call back", "Back")

    assert "Asked to call back" in [label for row in user.last_message.buttons for label, _ in row]


async def test_pause_stops_contacts_up_to_the_day_given_and_resume_brings_them_back(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        for _ in range(6):
            await make_booth(session)
        person = await make_office_bearer(session)
        await session.commit()
    user = await harness.register(person, user_id=7104)
    until = harness.today + timedelta(days=2)

    await harness.say(user, f"/pause {until.day}.{until.month}")
    confirmation = user.last_message.text
    await harness.push()

    assert until.strftime("%d.%m.%Y") in confirmation
    assert await _given(harness, person.id, harness.today) == []

    await harness.say(user, "/resume")
    welcome = user.last_message.text
    harness.clock.advance(days=1)
    await harness.push()

    assert "स्वागत" in welcome
    assert len(await _given(harness, person.id, harness.today)) == 2
    async with harness.db.sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).where(
            AuditEntry.action.in_(("paused", "resumed"))).order_by(AuditEntry.id))).scalars().all()
    assert actions == ["paused", "resumed"]


async def test_pause_without_a_date_explains_and_a_past_date_is_refused(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        person = await make_office_bearer(session, language="en")
        await session.commit()
    user = await harness.register(person, user_id=7105)

    await harness.say(user, "/pause")
    usage = user.last_message.text
    await harness.say(user, "/pause 2020-01-01")
    refusal = user.last_message.text
    await harness.say(user, "/pause someday")

    assert "/pause 15.12" in usage
    assert "today or later" in refusal
    assert "/pause 15.12" in user.last_message.text
    async with harness.db.sessions() as session:
        assert (await session.get_one(OfficeBearer, person.id)).paused_until is None
