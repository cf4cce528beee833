"""Back-checks with booth presidents, `/flags` and the trail of a call, over the real bot and a fake Telegram."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.outreach.backchecks import BackCheckStats
from bot.sandbox import FakeUser
from handlers.context import Services
from handlers.verification import run_back_checks
from models import Assignment, AuditEntry, BackCheck, BoothPresident, OfficeBearer, Outcome, Role
from tests.e2e.conftest import Harness
from tests.factories import (
    make_assignment,
    make_back_check,
    make_booth,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)


async def _talked_yesterday(h: Harness, *, phone: str, caller: str = "Ravi Kumar",
                            varanasi: bool = False) -> Assignment:
    """A call reported as talked yesterday, by `caller`, to the booth president with `phone`."""
    async with h.db.sessions() as session:
        booth = (await make_varanasi_booth(session) if varanasi
                 else await make_booth(session, phone=phone, president="Suresh Yadav"))
        if varanasi:
            (await session.execute(select(BoothPresident).where(BoothPresident.booth_id == booth.id))
             ).scalar_one().phone = phone
        person = (await session.execute(select(OfficeBearer).where(OfficeBearer.name == caller))
                  ).scalar_one_or_none() or await make_office_bearer(session, name=caller)
        assignment = await make_assignment(session, office_bearer=person, booth=booth,
                                           day=h.today - timedelta(days=1), slot=2 if varanasi else 1)
        await make_report(session, assignment, at=h.clock() - timedelta(hours=14))
        await session.commit()
    return assignment


async def _booth_president(h: Harness, phone: str, user_id: int) -> FakeUser:
    """A booth president who starts the bot and shares their own number."""
    user = h.fake.add_user(user_id=user_id, first_name="Suresh")
    await user.send_text("/start")
    await user.next_message()
    await user.share_contact(phone)
    await user.next_message()
    return user


async def _ask(h: Harness, share: float = 1.0) -> BackCheckStats:
    """The scheduled back-check job, with every (or `share` of the) talked calls chosen."""
    svc: Services = h.running.app.bot_data["services"]
    settings = replace(svc.settings, review=replace(svc.settings.review, back_check_share=share))
    stats = await run_back_checks(h.running.app.bot, replace(svc, settings=settings))
    await h.settle()
    return stats


async def _check(h: Harness) -> BackCheck:
    async with h.db.sessions() as session:
        return (await session.execute(select(BackCheck))).scalar_one()


async def test_a_booth_president_registers_and_sees_only_what_is_stored_and_why(harness: Harness) -> None:
    await _talked_yesterday(harness, phone="+919700005551")
    user = harness.fake.add_user(user_id=9101, first_name="Suresh")

    await user.share_contact("97000 05551")
    welcome = await user.next_message()
    await harness.say(user, "/start")

    assert "बूथ अध्यक्ष के रूप में आपका पंजीकरण हो गया" in welcome.text
    assert "🔒" in welcome.text and "मोबाइल नंबर" in welcome.text
    assert "+91" not in welcome.text and "Ravi" not in welcome.text
    assert "बूथ अध्यक्ष के रूप में पंजीकृत हैं" in user.last_message.text
    async with harness.db.sessions() as session:
        president = (await session.execute(select(BoothPresident))).scalar_one()
    assert president.telegram_user_id == 9101


async def test_the_job_asks_the_booth_president_who_answers_yes_then_no_and_a_second_tap_is_stale(
        harness: Harness) -> None:
    await _talked_yesterday(harness, phone="+919700005552")
    user = await _booth_president(harness, "+919700005552", 9102)

    stats = await _ask(harness)
    question_html, question = user.last_message.raw_text, user.last_message.text
    await harness.tap(user, "हाँ")
    needs_question, flow = user.last_message.text, user.last_message
    needs_yes = flow.buttons[0][0][1] or ""
    await harness.tap(user, "नहीं")
    await harness.fake.queue_callback_query(user, flow, needs_yes)
    await harness.settle()

    assert (stats.sampled, stats.asked) == (1, 1)
    assert "<b>Ravi Kumar</b>" in question_html and "कल" in question
    assert "ज़रूरतों" in needs_question
    assert "धन्यवाद" in user.last_message.text
    assert "पुराना" in (user.callback_answers[-1] or "")
    check = await _check(harness)
    assert (check.called, check.spoke_about_needs) == (True, False)
    assert check.answered_at == harness.clock()


async def test_a_no_ends_the_back_check_and_a_second_run_asks_nobody_twice(harness: Harness) -> None:
    await _talked_yesterday(harness, phone="+919700005553")
    user = await _booth_president(harness, "+919700005553", 9103)

    await _ask(harness)
    await harness.tap(user, "नहीं")
    asked_before = len(user.messages)
    again = await _ask(harness)

    assert (again.sampled, again.asked) == (1, 0)
    assert len(user.messages) == asked_before
    check = await _check(harness)
    assert (check.called, check.spoke_about_needs) == (False, None)
    assert "धन्यवाद" in user.last_message.text


async def test_a_booth_president_who_blocked_the_bot_does_not_stop_the_others(harness: Harness) -> None:
    await _talked_yesterday(harness, phone="+919700005554")
    await _talked_yesterday(harness, phone="+919700005555", varanasi=True)
    blocker = await _booth_president(harness, "+919700005554", 9104)
    other = await _booth_president(harness, "+919700005555", 9105)
    blocker.block()

    stats = await _ask(harness)

    assert (stats.asked, stats.failed) == (1, 1)
    assert "Ravi Kumar" in other.last_message.text
    async with harness.db.sessions() as session:
        errors = sorted((await session.execute(select(BackCheck.error))).scalars(), key=str)
    assert errors == ["blocked", None] or errors == [None, "blocked"]


async def test_someone_else_cannot_answer_a_back_check(harness: Harness) -> None:
    await _talked_yesterday(harness, phone="+919700005556")
    user = await _booth_president(harness, "+919700005556", 9106)
    await _ask(harness)
    data = user.last_message.buttons[0][0][1] or ""
    intruder = harness.fake.add_user(user_id=9107, first_name="Intruder")

    await harness.fake.queue_callback_query(intruder, user.last_message, data)
    await harness.settle()

    assert (await _check(harness)).called is None


async def _reviewers(h: Harness) -> dict[str, FakeUser]:
    async with h.db.sessions() as session:
        people = {
            "secretary": await make_office_bearer(session, name="Sangathan Mantri", role=Role.organisation_secretary),
            "incharge": await make_office_bearer(session, name="Lucknow Prabhari", role=Role.district_incharge,
                                                 districts=("Lucknow",)),
            "caller": await make_office_bearer(session, name="Asha Devi"),
        }
        await session.commit()
    return {key: await h.register(person, user_id=9200 + i) for i, (key, person) in enumerate(people.items())}


async def test_the_secretary_lists_disputed_calls_and_opens_the_trail_with_the_phone(harness: Harness) -> None:
    disputed = await _talked_yesterday(harness, phone="+919700005557")
    async with harness.db.sessions() as session:
        await make_back_check(session, disputed, called=False)
        await session.commit()
    users = await _reviewers(harness)
    secretary = users["secretary"]

    await harness.say(secretary, "/flags yesterday")
    listing = secretary.last_message
    await harness.tap(secretary, f"#{disputed.id}")
    trail = secretary.last_message.text

    assert f"#{disputed.id}" in listing.text and "Ravi Kumar" in listing.text
    assert "बूथ अध्यक्ष ने बात होने से इनकार किया" in listing.text
    assert "+91 97000 05557" in trail and "Suresh Yadav" in trail
    assert "क्या बात हुई? नहीं" in trail
    async with harness.db.sessions() as session:
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "call_trail_viewed"))
                 ).scalar_one()
    assert (audit.subject, audit.detail) == (f"assignment:{disputed.id}", {"phone_shown": True})


async def test_a_district_incharge_sees_own_districts_without_the_phone_and_callers_get_a_polite_no(
        harness: Harness) -> None:
    lucknow = await _talked_yesterday(harness, phone="+919700005558")
    varanasi = await _talked_yesterday(harness, phone="+919700005559", varanasi=True)
    async with harness.db.sessions() as session:
        for assignment in (lucknow, varanasi):
            await make_back_check(session, assignment, called=False)
        await session.commit()
    users = await _reviewers(harness)

    await harness.say(users["incharge"], "/flags yesterday")
    listing = users["incharge"].last_message.text
    await harness.say(users["incharge"], f"/call {lucknow.id}")
    own = users["incharge"].last_message.text
    await harness.say(users["incharge"], f"/call {varanasi.id}")
    other = users["incharge"].last_message.text
    await harness.say(users["caller"], "/flags")
    refused = users["caller"].last_message.text
    await harness.say(users["caller"], f"/call {lucknow.id}")

    assert f"#{lucknow.id}" in listing and f"#{varanasi.id}" not in listing
    assert "Suresh Yadav" in own and "05558" not in own and "97000" not in own
    assert "नहीं मिली" in other
    assert "भूमिका" in refused and "भूमिका" in users["caller"].last_message.text


async def test_a_registered_booth_president_gets_help_meant_for_them(harness: Harness) -> None:
    await _talked_yesterday(harness, phone="+919700005561")
    user = await _booth_president(harness, "+919700005561", user_id=9181)

    await harness.say(user, "/help")

    assert "बूथ अध्यक्ष के रूप में पंजीकृत" in user.last_message.text
    assert "/summary" not in user.last_message.text


async def test_a_call_reported_as_not_connected_is_asked_about_the_attempt_and_no_needs_question_follows(
        harness: Harness) -> None:
    async with harness.db.sessions() as session:
        booth = await make_booth(session, phone="+919700005562", president="Suresh Yadav")
        caller = await make_office_bearer(session, name="Ravi Kumar")
        assignment = await make_assignment(session, office_bearer=caller, booth=booth,
                                           day=harness.today - timedelta(days=1), slot=1)
        await make_report(session, assignment, outcome=Outcome.busy, at=harness.clock() - timedelta(hours=14))
        await session.commit()
    user = await _booth_president(harness, "+919700005562", 9182)

    stats = await _ask(harness)
    question = user.last_message.text
    await harness.tap(user, "हाँ")

    assert (stats.sampled, stats.asked) == (1, 1)
    assert "क्या Ravi Kumar जी ने कल" in question and "फ़ोन करने की कोशिश की थी?" in question
    assert "धन्यवाद" in user.last_message.text and "ज़रूरतों" not in user.last_message.text
    check = await _check(harness)
    assert (check.attempted_only, check.called, check.spoke_about_needs) == (True, True, None)
