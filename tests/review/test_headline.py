"""The headline figures count conversations: reporting "did not connect" fills no share, callers are ranked
by conversations, those who spoke to no one are named, the registered share, and the export says which calls
were conversations."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.review.exports import BackCheckAnswer, export_calls, write_calls
from bot.review.flags import Flag, verify_period
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import DisconnectedCaller, ProgressView, Registration, progress_view
from handlers.texts.progress import render_progress
from models import Assignment, DeliveryStatus, OfficeBearer, Outcome, Role
from tests.factories import (
    NOW,
    make_assignment,
    make_back_check,
    make_booth,
    make_delivery,
    make_district,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
    president_of,
)

DAY = date(2026, 11, 20)
INDIA = ZoneInfo("Asia/Kolkata")
ON_DAY = Period(PeriodKind.day, DAY)


async def _state_view(session: AsyncSession, viewer: Viewer | None = None) -> ProgressView:
    return await progress_view(session, viewer or Viewer.whole_state(), level=Level.state, area_id=0, period=ON_DAY,
                               today=DAY, grace_days=1, now=NOW, zone=INDIA)


async def _calls(session: AsyncSession, person: OfficeBearer, *outcomes: tuple[Outcome, ...]) -> list[Assignment]:
    """A delivered morning message with one call per entry of `outcomes`, each reported with those outcomes."""
    await make_delivery(session, office_bearer=person, day=DAY, status=DeliveryStatus.sent)
    calls = []
    for slot, reports in enumerate(outcomes, start=1):
        call = await make_assignment(session, office_bearer=person, slot=slot, booth=await make_booth(session))
        for minutes, outcome in enumerate(reports):
            await make_report(session, call, outcome=outcome, at=NOW + timedelta(minutes=minutes))
        calls.append(call)
    return calls


async def test_a_caller_who_reports_only_did_not_connect_stays_at_no_conversation_and_is_named(
        session: AsyncSession) -> None:
    await make_district(session, "Lucknow", "Awadh")
    busy_reporter = await make_office_bearer(session, name="Kamal Nath", role=Role.state_office_bearer)
    await _calls(session, busy_reporter, (Outcome.no_answer, Outcome.busy), (Outcome.switched_off,))
    await session.commit()

    view = await _state_view(session)

    totals = view.totals
    assert (totals.assigned, totals.reported) == (2, 2), "both calls were reported"
    assert (totals.conversations, totals.conversation_percent) == (0, 0)
    assert (totals.not_connected, totals.unreported) == (2, 0)
    assert view.attention.disconnected == (
        DisconnectedCaller(name="Kamal Nath", role=Role.state_office_bearer, calls=2, attempts=3),)
    text = render_progress(view, "hi", html=False)
    assert "✅ बात हुई: 0 / 2 कॉल (0%)" in text
    assert "कोशिश की, बात नहीं हुई: 2 · गलत नंबर / अध्यक्ष बदले: 0 · रिपोर्ट बाकी: 0" in text
    assert "जिन्होंने कॉल की रिपोर्ट दी, पर किसी से बात नहीं हुई\nKamal Nath (प्रदेश पदाधिकारी): 2 कॉल, 3 बार कोशिश" in text


async def test_one_conversation_or_an_unreported_call_keeps_a_caller_off_the_spoke_to_no_one_list(
        session: AsyncSession) -> None:
    await make_district(session, "Lucknow", "Awadh")
    spoke = await make_office_bearer(session, name="Spoke Once")
    silent = await make_office_bearer(session, name="Not Yet Reported")
    wrong = await make_office_bearer(session, name="Wrong Number")
    await _calls(session, spoke, (Outcome.no_answer,), (Outcome.no_answer, Outcome.talked))
    await _calls(session, silent, (), ())
    await _calls(session, wrong, (Outcome.no_answer,), (Outcome.wrong_number,))
    await session.commit()

    view = await _state_view(session)

    assert view.attention.disconnected == ()
    assert view.totals.conversations == 1 and view.totals.number_wrong == 1


async def test_office_bearers_are_ranked_by_conversations_not_by_reports(session: AsyncSession) -> None:
    lucknow = await make_district(session, "Lucknow", "Awadh")
    reports_everything = await make_office_bearer(session, name="Anil Reports All")
    talks = await make_office_bearer(session, name="Zoya Talks")
    behind = await make_office_bearer(session, name="Mohan Behind")
    await _calls(session, reports_everything, (Outcome.no_answer,), (Outcome.switched_off,))
    await _calls(session, talks, (Outcome.talked,), (Outcome.talked,))
    await _calls(session, behind, (Outcome.talked,), ())
    await session.commit()

    view = await progress_view(session, Viewer.whole_state(), level=Level.district, area_id=lucknow.id,
                               period=ON_DAY, today=DAY, grace_days=1, now=NOW, zone=INDIA)

    assert [(row.name, row.counts.reported, row.counts.conversation_percent) for row in view.rows] == [
        ("Anil Reports All", 2, 0), ("Mohan Behind", 1, 50), ("Zoya Talks", 2, 100)]
    text = render_progress(view, "en")
    assert "Anil Reports All: talked 0/2 (0%) · tried 2 · unreported 0" in text
    assert "Mohan Behind: talked 1/2 (50%) · tried 0 · unreported 1" in text


async def test_the_trend_follows_the_conversation_share_not_the_reports(session: AsyncSession) -> None:
    await make_district(session, "Lucknow", "Awadh")
    person = await make_office_bearer(session, name="Asha Verma")
    await make_delivery(session, office_bearer=person, day=DAY - timedelta(days=1))
    yesterday = await make_assignment(session, office_bearer=person, day=DAY - timedelta(days=1),
                                      booth=await make_booth(session))
    await make_report(session, yesterday, outcome=Outcome.talked)
    await _calls(session, person, (Outcome.no_answer,), (Outcome.busy,))
    await session.commit()

    view = await _state_view(session)

    assert view.totals.reported == view.totals.assigned, "every call reported today, as yesterday"
    assert view.trend.conversations == -100


async def test_the_registered_share_counts_active_booth_presidents_who_joined_the_bot(session: AsyncSession) -> None:
    lucknow = await make_district(session, "Lucknow", "Awadh")
    await make_district(session, "Varanasi", "Kashi")
    joined = [await make_booth(session) for _ in range(3)]
    await make_booth(session)
    varanasi_booth = await make_varanasi_booth(session)
    for index, booth in enumerate([*joined, varanasi_booth]):
        (await president_of(session, booth)).telegram_user_id = 7_000_000 + index
    replaced = await president_of(session, joined[2])
    replaced.active = False  # the post changed hands: the old president no longer counts either way
    incharge = await make_office_bearer(session, name="Dinesh Kumar", role=Role.district_incharge,
                                        districts=("Lucknow", "Varanasi"))
    await _calls(session, incharge, (Outcome.talked,))
    await make_assignment(session, office_bearer=incharge, slot=2, booth=varanasi_booth)
    await session.commit()
    await session.refresh(incharge, ["districts"])

    everyone = await _state_view(session)
    charge = await _state_view(session, Viewer.of(incharge))
    lucknow_view = await progress_view(session, Viewer.whole_state(), level=Level.district, area_id=lucknow.id,
                                       period=ON_DAY, today=DAY, grace_days=1, now=NOW, zone=INDIA)

    # Lucknow: 3 booths from `joined` (one president inactive), one more, and the booth of the call: 4 active
    # presidents, 2 registered. Varanasi: 1 of 1.
    assert everyone.registration == Registration(registered=3, presidents=5)
    assert everyone.registration.percent == 60
    assert [(row.name, row.registration) for row in charge.rows] == [
        ("Lucknow", Registration(2, 4)), ("Varanasi", Registration(1, 1))]
    assert lucknow_view.registration == Registration(2, 4)
    assert all(row.registration is None for row in lucknow_view.rows), "office-bearer rows have no presidents"
    assert "📱 बॉट से जुड़े बूथ अध्यक्ष: 3 / 5 (60%)" in render_progress(everyone, "hi")
    assert "Lucknow: talked 1/1 (100%) · tried 0 · unreported 0 · presidents on the bot 2/4 (50%)" in (
        render_progress(charge, "en"))


async def test_the_export_says_whether_each_call_was_a_conversation_and_which_attempt_it_was(
        session: AsyncSession, tmp_path: Path) -> None:
    await make_district(session, "Lucknow", "Awadh")
    person = await make_office_bearer(session, name="Asha Verma")
    _, not_connected, _ = await _calls(
        session, person, (Outcome.no_answer, Outcome.talked), (Outcome.switched_off,), ())
    not_connected.attempt = 2
    await session.commit()

    rows = await export_calls(session, start=DAY, end=DAY, timezone=INDIA)
    path = tmp_path / "calls.csv"
    write_calls(path, rows, "hi")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))

    assert [(row.conversation, row.attempt, row.attempts) for row in rows] == [(True, 1, 2), (False, 2, 1),
                                                                              (False, 1, 0)]
    assert [(r["कॉल का नतीजा"], r["बात हुई?"], r["कोशिश संख्या"]) for r in records] == [
        ("बात हुई", "हाँ", "1"), ("फ़ोन बंद / पहुँच से बाहर", "नहीं", "2"), ("", "नहीं", "1")]
    assert records[0]["बूथ अध्यक्ष का मोबाइल"].startswith("+91"), "the other columns stay"


async def test_flags_tallies_count_reported_conversations(session: AsyncSession) -> None:
    await make_district(session, "Lucknow", "Awadh")
    person = await make_office_bearer(session, name="Asha Verma")
    await _calls(session, person, (Outcome.talked,), (Outcome.talked, Outcome.no_answer))
    await session.commit()

    result = await verify_period(session, start=DAY, end=DAY, district_ids=None, zone=INDIA)

    assert (result.totals.reported, result.totals.conversations) == (2, 1), "the latest report decides"


async def test_a_booth_presidents_answer_about_a_call_that_did_not_connect_is_no_check_of_a_conversation(
        session: AsyncSession) -> None:
    caller = await make_office_bearer(session, name="Ravi Kumar")
    tried = await make_assignment(session, office_bearer=caller, booth=await make_booth(session), slot=1)
    talked = await make_assignment(session, office_bearer=caller, booth=await make_booth(session), slot=2)
    await make_report(session, tried, outcome=Outcome.no_answer)
    await make_report(session, talked, outcome=Outcome.talked)
    attempt_check = await make_back_check(session, tried, called=False)
    attempt_check.attempted_only = True
    await make_back_check(session, talked, called=True)
    await session.flush()

    view = await _state_view(session)
    verification = await verify_period(session, start=DAY, end=DAY, district_ids=None, zone=INDIA)
    exported = {row.outcome: row.back_check for row in await export_calls(session, start=DAY, end=DAY)}

    assert (view.totals.checked, view.totals.confirmed, view.totals.denied) == (1, 1, 0)
    assert (verification.totals.confirmed, verification.totals.disputed) == (1, 0)
    assert verification.flags[tried.id] == (Flag.attempt_denied,)
    assert exported == {Outcome.no_answer: BackCheckAnswer.not_tried, Outcome.talked: BackCheckAnswer.confirmed}
