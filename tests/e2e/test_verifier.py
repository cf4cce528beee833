"""Verifiers check yesterday's conversations by phoning the booth presidents, over the real bot and a fake
Telegram."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.outreach.backchecks import BackCheckStats
from bot.sandbox import FakeUser
from handlers.context import Services
from handlers.verification import run_verifier_calls
from models import Assignment, AuditEntry, BackCheck, Role
from tests.e2e.conftest import Harness
from tests.e2e.test_verification import _talked_yesterday
from tests.factories import make_office_bearer


async def _verifier(h: Harness, user_id: int, name: str = "Meena Verma") -> FakeUser:
    async with h.db.sessions() as session:
        person = await make_office_bearer(session, name=name, role=Role.verifier)
        await session.commit()
    return await h.register(person, user_id=user_id)


async def _hand_out(h: Harness) -> BackCheckStats:
    """The scheduled verifier job, exactly as it runs."""
    svc: Services = h.running.app.bot_data["services"]
    stats = await run_verifier_calls(h.running.app.bot, svc)
    await h.settle()
    return stats


async def _checks(h: Harness) -> dict[int, BackCheck]:
    async with h.db.sessions() as session:
        return {c.assignment_id: c for c in (await session.execute(select(BackCheck))).scalars()}


async def test_a_verifier_gets_yesterdays_conversation_with_the_number_and_confirms_it(harness: Harness) -> None:
    call = await _talked_yesterday(harness, phone="+919700006601")
    verifier = await _verifier(harness, 9401)
    sent_at = harness.clock()

    stats = await _hand_out(harness)
    card = verifier.last_message
    labels = [label for row in card.buttons for label, _ in row]
    harness.clock.advance(minutes=20)
    await harness.tap(verifier, "बात हुई थी")
    answered = harness.fake.message(verifier.user_id, card.message_id).text

    assert (stats.sampled, stats.asked) == (1, 1)
    assert "Suresh Yadav" in card.text and "+91 97000 06601" in card.text
    assert "Ravi Kumar" in card.text and "प्रदेश पदाधिकारी" in card.text and "बूथ" in card.text
    assert labels == [
        "✅ बात हुई थी", "❌ इनकार किया", "📵 बात नहीं हो पाई"]
    assert "Suresh Yadav" in answered and "दर्ज हो गया: ✅ बात हुई थी" in answered
    check = (await _checks(harness))[call.id]
    assert (check.method, check.called, check.asked_at, check.answered_at) == (
        "phone", True, sent_at, harness.clock())
    async with harness.db.sessions() as session:
        verifier_id = (await session.execute(select(BackCheck.verifier_id))).scalar_one()
        president_id = (await session.get_one(Assignment, call.id)).booth_president_id
        audit = (await session.execute(
            select(AuditEntry).where(AuditEntry.action == "verifier_number_shown"))).scalar_one()
    assert (audit.actor_id, audit.subject) == (verifier_id, f"booth_president:{president_id}")
    assert check.verifier_id == verifier_id


async def test_a_denial_is_stored_and_a_second_press_is_stale(harness: Harness) -> None:
    call = await _talked_yesterday(harness, phone="+919700006602")
    verifier = await _verifier(harness, 9402)
    await _hand_out(harness)
    card = verifier.last_message
    confirm = card.buttons[0][0][1] or ""

    await harness.tap(verifier, "इनकार किया")
    await harness.fake.queue_callback_query(verifier, card, confirm)
    await harness.settle()

    assert "पुराना" in (verifier.callback_answers[-1] or "")
    check = (await _checks(harness))[call.id]
    assert (check.method, check.called) == ("phone", False)


async def test_not_reached_leaves_the_check_unanswered_and_only_its_verifier_may_answer(harness: Harness) -> None:
    call = await _talked_yesterday(harness, phone="+919700006603")
    verifier = await _verifier(harness, 9403)
    await _hand_out(harness)
    card = verifier.last_message
    other = await _verifier(harness, 9404, name="Other Verifier")

    await harness.fake.queue_callback_query(other, card, card.buttons[0][0][1] or "")
    await harness.settle()
    untouched = (await _checks(harness))[call.id]
    await harness.tap(verifier, "बात नहीं हो पाई")

    assert untouched.called is None and untouched.error is None
    check = (await _checks(harness))[call.id]
    assert (check.called, check.answered_at, check.error) == (None, None, "not_reached")
    assert "बात नहीं हो पाई" in harness.fake.message(verifier.user_id, card.message_id).text


async def test_calls_are_spread_over_the_verifiers_and_a_second_run_sends_nothing_again(harness: Harness) -> None:
    calls = [await _talked_yesterday(harness, phone=f"+91970000661{i}", caller=f"Caller {i}") for i in range(3)]
    first = await _verifier(harness, 9405, name="First Verifier")
    second = await _verifier(harness, 9406, name="Second Verifier")
    before = len(first.messages), len(second.messages)

    stats = await _hand_out(harness)
    again = await _hand_out(harness)

    assert (stats.sampled, stats.asked, again.sampled, again.asked) == (3, 3, 0, 0)
    received = len(first.messages) - before[0], len(second.messages) - before[1]
    assert sorted(received) == [1, 2]
    checks = await _checks(harness)
    assert set(checks) == {c.id for c in calls}
    assert all(c.method == "phone" for c in checks.values())


async def test_a_call_already_back_checked_is_not_given_to_a_verifier(harness: Harness) -> None:
    await _talked_yesterday(harness, phone="+919700006621")
    older = await _talked_yesterday(harness, phone="+919700006622", caller="Asha Devi")
    async with harness.db.sessions() as session:
        session.add(BackCheck(assignment_id=older.id, booth_president_id=older.booth_president_id,
                              created_at=harness.clock() - timedelta(hours=1)))
        await session.commit()
    verifier = await _verifier(harness, 9407)

    stats = await _hand_out(harness)

    assert (stats.sampled, stats.asked) == (1, 1)
    assert "+91 97000 06621" in verifier.last_message.text
