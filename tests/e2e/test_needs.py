"""`/needs` over the real bot: needs followed up by buttons, stored and logged; stale and forged buttons;
handovers with buttons, the booth president told of a need met, overdue needs escalated to the secretary."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, select

from bot.config import ReviewSettings, Settings, TelegramSettings
from bot.review.needs import PAGE_SIZE
from bot.runtime import jobs
from bot.runtime.app import build_application
from bot.sandbox import FakeMessage, FakeUser
from handlers.callbacks import NEED_STATUS_CHANGES
from handlers.context import Services
from handlers.needs import send_escalations
from models import AuditEntry, Booth, Need, NeedCategory, NeedStatus, OfficeBearer, Role
from tests.conftest import Database
from tests.e2e.conftest import MORNING, Harness
from tests.factories import (
    make_assignment,
    make_booth,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)


async def _need(h: Harness, booth: Booth | None = None, *, days_old: int = 3,
                category: NeedCategory = NeedCategory.voter_list, detail: str | None = None) -> int:
    """An open need raised `days_old` days ago on a call to `booth` (booth 45 of assembly 172 by default)."""
    async with h.db.sessions() as session:
        if booth is None:
            found = (await session.execute(select(Booth).where(Booth.number == 45))).scalar_one_or_none()
            booth = found or await make_booth(session, number=45)
        caller = await make_office_bearer(session)
        assignment = await make_assignment(session, office_bearer=caller, booth=booth,
                                           day=h.today - timedelta(days=days_old))
        report = await make_report(session, assignment, at=MORNING - timedelta(days=days_old))
        need = await make_need(session, report, category=category, detail=detail)
        await session.commit()
        return need.id


async def _lucknow_incharge(h: Harness, user_id: int = 9201) -> FakeUser:
    return await h.new_user(user_id=user_id, role=Role.district_incharge, districts=("Lucknow",))


async def _status(h: Harness, need_id: int) -> NeedStatus | None:
    async with h.db.sessions() as session:
        need = await session.get(Need, need_id)
        return need.status if need else None


async def _changes(h: Harness) -> list[tuple[str | None, dict[str, object] | None]]:
    async with h.db.sessions() as session:
        rows = (await session.execute(select(AuditEntry.subject, AuditEntry.detail)
                                      .where(AuditEntry.action == "need_status_changed")
                                      .order_by(AuditEntry.id))).all()
    return [(row.subject, row.detail) for row in rows]


def _listed(listing: FakeMessage) -> list[int]:
    """The needs a list shows, in order: the need id of each row of status buttons."""
    return [int((row[0][1] or "").split(":")[2]) for row in listing.buttons
            if (row[0][1] or "").split(":")[1] in NEED_STATUS_CHANGES]


async def test_the_list_shows_the_oldest_need_first_with_buttons_for_each(harness: Harness) -> None:
    newer = await _need(harness, days_old=1, category=NeedCategory.campaign_material)
    older = await _need(harness, days_old=6, detail="Hall & chairs <for> meetings")
    incharge = await _lucknow_incharge(harness)

    await harness.say(incharge, "/needs")
    listing = incharge.last_message

    text = listing.text or ""
    assert text.index("Hall & chairs <for> meetings") < text.index("प्रचार सामग्री")
    assert "Hall &amp; chairs &lt;for&gt; meetings" in (listing.raw_text or "")
    assert "6 दिन पुरानी" in text and "खुली" in text
    assert [label for row in listing.buttons for label, _ in row] == [
        "1 ▶ कार्रवाई शुरू", "1 ✅ पूरी हुई", "2 ▶ कार्रवाई शुरू", "2 ✅ पूरी हुई"]
    assert {older, newer} == {int((data or "").split(":")[2]) for row in listing.buttons for _, data in row}


async def test_buttons_move_a_need_along_and_each_change_is_stored_and_logged(harness: Harness) -> None:
    need = await _need(harness)
    incharge = await _lucknow_incharge(harness)
    await harness.say(incharge, "/needs")
    listing = incharge.last_message

    await harness.tap(incharge, "1 ▶ कार्रवाई शुरू")
    in_progress = await _status(harness, need)
    started = listing.text or ""
    await harness.tap(incharge, "1 ✅ पूरी हुई")
    resolved = await _status(harness, need)
    done = listing.text or ""
    await harness.tap(incharge, "फिर से खोलें")

    assert (in_progress, resolved, await _status(harness, need)) == (
        NeedStatus.in_progress, NeedStatus.resolved, NeedStatus.open)
    assert "अब कार्रवाई जारी" in started
    assert "अब पूरी हुई" in done and "कोई ज़रूरत बाकी नहीं" in done
    assert incharge.last_message.message_id == listing.message_id
    assert await _changes(harness) == [
        (f"need:{need}", {"from": "open", "to": "in_progress"}),
        (f"need:{need}", {"from": "in_progress", "to": "resolved"}),
        (f"need:{need}", {"from": "resolved", "to": "open"})]


async def test_a_button_for_a_need_someone_else_changed_meanwhile_is_stale(harness: Harness) -> None:
    need = await _need(harness)
    incharge = await _lucknow_incharge(harness)
    secretary = await harness.new_user(user_id=9202, role=Role.organisation_secretary)
    await harness.say(incharge, "/needs")
    await harness.say(secretary, "/needs")

    await harness.tap(secretary, "1 ✅ पूरी हुई")
    await harness.tap(incharge, "1 ▶ कार्रवाई शुरू")

    assert await _status(harness, need) is NeedStatus.resolved
    assert "बदल दी है" in (incharge.callback_answers[-1] or "")
    assert len(await _changes(harness)) == 1


async def test_a_button_for_a_deleted_need_is_stale(harness: Harness) -> None:
    need = await _need(harness)
    incharge = await _lucknow_incharge(harness)
    await harness.say(incharge, "/needs")
    async with harness.db.sessions() as session:
        await session.execute(delete(Need).where(Need.id == need))
        await session.commit()

    await harness.tap(incharge, "1 ✅ पूरी हुई")

    assert "हटा दी गई" in (incharge.callback_answers[-1] or "")
    assert await _changes(harness) == []


async def test_a_forged_button_for_a_need_of_another_district_is_refused(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        varanasi = await make_varanasi_booth(session, number=7)
        await session.commit()
    theirs = await _need(harness, varanasi)
    await _need(harness)
    intruder = await _lucknow_incharge(harness)
    await harness.say(intruder, "/needs")
    listing = intruder.last_message

    await harness.fake.queue_callback_query(intruder, listing, f"nd:or:{theirs}:0.0")
    await harness.fake.queue_callback_query(intruder, listing, f"nd:bo:{varanasi.id}")
    await harness.fake.queue_callback_query(intruder, listing, "nd:or:1:zz")
    await harness.settle()

    assert await _status(harness, theirs) is NeedStatus.open
    assert await _changes(harness) == []
    refused, booth_refused, garbled = intruder.callback_answers[-3:]
    assert "आपके प्रभार के जिलों" in (refused or "")
    assert "आपके प्रभार" in (booth_refused or "")
    assert "पुराना" in (garbled or "")


async def test_many_needs_are_paged_oldest_first(harness: Harness) -> None:
    ids = [await _need(harness, days_old=30 - i) for i in range(PAGE_SIZE + 2)]
    secretary = await harness.new_user(user_id=9203, role=Role.organisation_secretary, language="en")
    await harness.say(secretary, "/needs")
    listing = secretary.last_message
    first_page = _listed(listing)

    await harness.tap(secretary, "Next page")
    second_page = _listed(listing)
    second_text = listing.text or ""
    await harness.tap(secretary, "Previous page")

    assert first_page == ids[:PAGE_SIZE]
    assert second_page == ids[PAGE_SIZE:]
    assert "page 2/2" in second_text and f"{PAGE_SIZE + 1}. " in second_text
    assert "page 1/2" in (listing.text or "")


async def test_one_booths_needs_from_the_command_or_from_the_booth_view(harness: Harness) -> None:
    own = await _need(harness)
    async with harness.db.sessions() as session:
        neighbour = await make_booth(session, number=46)
        await session.commit()
    await _need(harness, neighbour)
    incharge = await _lucknow_incharge(harness)

    await harness.say(incharge, "/needs 172 45")
    by_command = incharge.last_message
    await harness.say(incharge, "/booth 172 45")
    await harness.tap(incharge, "ज़रूरतों पर कार्रवाई")
    from_view = incharge.last_message

    for listing in (by_command, from_view):
        assert "बूथ 45" in (listing.text or "") and "बाकी ज़रूरतें: 1" in (listing.text or "")
        assert {int((data or "").split(":")[2]) for row in listing.buttons for _, data in row} == {own}


async def test_wrong_input_and_people_who_do_not_follow_up_needs(harness: Harness) -> None:
    await _need(harness)
    incharge = await _lucknow_incharge(harness)
    state = await harness.new_user(user_id=9204)

    await harness.say(incharge, "/needs 172")
    usage = incharge.last_message.text or ""
    await harness.say(incharge, "/needs 172 99")
    unknown = incharge.last_message.text or ""
    await harness.say(state, "/needs")
    denied = state.last_message.text or ""

    assert "/needs 172 45" in usage
    assert "बूथ संख्या 99" in unknown
    assert "🙏" in denied


async def _own(h: Harness, need_id: int, owner_user_id: int | None, *, due_in_days: int = 14) -> None:
    """Give a need to the office-bearer registered as this Telegram user (None: the secretary's queue)."""
    async with h.db.sessions() as session:
        need = await session.get_one(Need, need_id)
        owner = None
        if owner_user_id is not None:
            owner = (await session.execute(select(OfficeBearer).where(
                OfficeBearer.telegram_user_id == owner_user_id))).scalar_one()
        need.owner_id = owner.id if owner else None
        need.due_on = h.today + timedelta(days=due_in_days)
        await session.commit()


async def _owner_of(h: Harness, need_id: int) -> str | None:
    async with h.db.sessions() as session:
        owner_id = (await session.get_one(Need, need_id)).owner_id
        return (await session.get_one(OfficeBearer, owner_id)).name if owner_id else None


async def test_the_owner_hands_a_need_to_a_colleague_with_buttons_and_it_is_logged(harness: Harness) -> None:
    need = await _need(harness, detail="40 names missing in ward 3")
    owner = await harness.new_user(user_id=9211, name="Ramesh Kumar", role=Role.district_incharge,
                                   districts=("Lucknow",))
    await harness.new_user(user_id=9212, name="Sunita Verma", role=Role.district_incharge, districts=("Lucknow",))
    await _own(harness, need, 9211, due_in_days=-2)

    await harness.say(owner, "/needs")
    listing = owner.last_message
    shown = listing.text or ""
    await harness.tap(owner, "1 👤 किसी और को सौंपें")
    asked = listing.text or ""
    choices = [label for row in listing.buttons for label, _ in row]
    await harness.tap(owner, "👤 Sunita Verma")

    assert "40 names missing in ward 3" in shown and "ज़िम्मेदारी: Ramesh Kumar" in shown
    assert "⏰" in shown and "तक पूरी होनी थी" in shown
    assert "किसे सौंपें" in asked
    assert choices == ["👤 Sunita Verma", "👤 संगठन महामंत्री", "◀ सूची पर लौटें"]
    assert "अब <b>Sunita Verma</b> को सौंप दी गई" in (listing.raw_text or "")
    assert "ज़िम्मेदारी: Sunita Verma" in (listing.text or "")
    assert "1 👤 किसी और को सौंपें" not in [label for row in listing.buttons for label, _ in row]
    assert owner.last_message.message_id == listing.message_id
    assert await _owner_of(harness, need) == "Sunita Verma"
    async with harness.db.sessions() as session:
        logged = (await session.execute(select(AuditEntry.subject).where(
            AuditEntry.action == "need_reassigned"))).scalars().all()
    assert logged == [f"need:{need}"]


async def test_a_handover_button_pressed_after_someone_else_handed_the_need_over_is_stale(
        harness: Harness) -> None:
    need = await _need(harness)
    owner = await harness.new_user(user_id=9221, role=Role.district_incharge, districts=("Lucknow",))
    await harness.new_user(user_id=9222, name="Sunita Verma", role=Role.district_incharge, districts=("Lucknow",))
    secretary = await harness.new_user(user_id=9223, role=Role.organisation_secretary)
    await _own(harness, need, 9221)
    await harness.say(owner, "/needs")
    await harness.tap(owner, "1 👤 किसी और को सौंपें")
    await harness.say(secretary, "/needs")
    await harness.tap(secretary, "1 👤 किसी और को सौंपें", "👤 संगठन महामंत्री")

    await harness.tap(owner, "👤 Sunita Verma")

    assert "बदल दी है" in (owner.callback_answers[-1] or "")
    assert await _owner_of(harness, need) is None


async def test_a_registered_booth_president_is_told_when_their_need_is_met(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        booth = await make_booth(session, number=45, president="Kamla Devi", phone="+919700005561")
        await session.commit()
    need = await _need(harness, booth, detail="40 names missing in ward 3")
    president = harness.fake.add_user(user_id=9231, first_name="Kamla")
    await president.send_text("/start")
    await president.next_message()
    await president.share_contact("+919700005561")
    await president.next_message()
    incharge = await _lucknow_incharge(harness)
    await harness.say(incharge, "/needs")
    before = len(president.messages)

    await harness.tap(incharge, "1 ✅ पूरी हुई", "फिर से खोलें", "1 ✅ पूरी हुई")

    assert await _status(harness, need) is NeedStatus.resolved
    told = president.messages[before:]
    assert [message.text for message in told] == [
        "🙏 Kamla Devi जी, आपके बूथ की ज़रूरत «40 names missing in ward 3» पूरी हो गई है। — बूथ संवाद"]


async def test_a_booth_president_who_blocked_the_bot_does_not_stop_the_need_being_resolved(
        harness: Harness) -> None:
    async with harness.db.sessions() as session:
        booth = await make_booth(session, number=45, phone="+919700005562")
        await session.commit()
    need = await _need(harness, booth)
    president = harness.fake.add_user(user_id=9241, first_name="Kamla")
    await president.send_text("/start")
    await president.next_message()
    await president.share_contact("+919700005562")
    await president.next_message()
    president.block()
    incharge = await _lucknow_incharge(harness)
    await harness.say(incharge, "/needs")

    await harness.tap(incharge, "1 ✅ पूरी हुई")

    assert await _status(harness, need) is NeedStatus.resolved
    assert "अब पूरी हुई" in (incharge.last_message.text or "")


async def test_the_escalation_of_overdue_needs_reaches_the_secretary_once(harness: Harness) -> None:
    late = await _need(harness, detail="Hall & chairs for meetings")
    await _need(harness, days_old=4)
    await harness.new_user(user_id=9251, name="Ramesh Kumar", role=Role.district_incharge, districts=("Lucknow",))
    await _own(harness, late, 9251, due_in_days=-3)
    secretary = await harness.new_user(user_id=9252, role=Role.organisation_secretary)
    blocked = await harness.new_user(user_id=9253, role=Role.organisation_secretary)
    blocked.block()
    svc: Services = harness.running.app.bot_data["services"]
    before = len(secretary.messages)

    told = await send_escalations(harness.running.app.bot, svc)
    again = await send_escalations(harness.running.app.bot, svc)
    await harness.settle()

    assert (told, again) == (1, 0)
    (message,) = secretary.messages[before:]
    text = message.text or ""
    assert "समय पर पूरी न हुई ज़रूरतें: 1" in text
    assert "बूथ 45" in text and "Ramesh Kumar" in text and "3 दिन की देरी" in text
    assert "Hall &amp; chairs for meetings" in (message.raw_text or "")
    async with harness.db.sessions() as session:
        marked = (await session.execute(select(OfficeBearer.unreachable_reason).where(
            OfficeBearer.telegram_user_id == 9253))).scalar_one()
    assert marked == "blocked"


async def test_an_escalation_that_reaches_no_secretary_is_tried_again_the_next_day(harness: Harness) -> None:
    late = await _need(harness, detail="Tent for the booth meeting")
    await harness.new_user(user_id=9261, name="Ramesh Kumar", role=Role.district_incharge, districts=("Lucknow",))
    await _own(harness, late, 9261, due_in_days=-2)
    secretary = await harness.new_user(user_id=9262, role=Role.organisation_secretary)
    svc: Services = harness.running.app.bot_data["services"]
    before = len(secretary.messages)
    harness.fake.fail_next("sendMessage", status=502)

    first = await send_escalations(harness.running.app.bot, svc)
    second = await send_escalations(harness.running.app.bot, svc)
    await harness.settle()

    assert (first, second) == (0, 1)
    (message,) = secretary.messages[before:]
    assert "Tent for the booth meeting" in (message.text or "")


async def test_the_escalation_runs_every_day_at_the_weekly_digest_time(db: Database) -> None:
    review = ReviewSettings(weekly_digest_day="wednesday", weekly_digest_time=time(18, 15))
    settings = Settings(telegram=TelegramSettings(token="123:TEST"), review=review)
    friday_before_push = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    app = build_application(settings, db.sessions, with_jobs=False)

    jobs.schedule(app, Services(settings=settings, sessions=db.sessions, clock=lambda: friday_before_push))

    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name("need_escalation")
    first = job.job.trigger.get_next_fire_time(None, friday_before_push)
    second = job.job.trigger.get_next_fire_time(first, first + timedelta(minutes=1))
    assert (first.isoformat(), second.isoformat()) == ("2026-11-20T18:15:00+05:30", "2026-11-21T18:15:00+05:30")
