"""Summaries: the organisation secretary's counts, gaps and findings, and how they read in Hindi and English."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.i18n import LABEL_PREFIXES, enum_label, translate
from bot.review.digests import DigestKind, daily_digests, weekly_digests
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import (
    Area,
    Attention,
    Counts,
    NeedTally,
    NotVisible,
    OpenNeeds,
    ProgressRow,
    ProgressView,
    Trend,
    UnknownArea,
    UnreachableCaller,
    UnreportedCaller,
    WeakBoothHeard,
    progress_view,
)
from bot.runtime.cli import main as cli_main
from handlers.texts.fit import TELEGRAM_TEXT_LIMIT, telegram_length
from handlers.texts.progress import digest_text, render_progress
from models import (
    Assignment,
    Booth,
    CallReport,
    DeliveryStatus,
    NeedCategory,
    NeedStatus,
    OfficeBearer,
    Outcome,
    Role,
    Strength,
)
from tests.conftest import Database
from tests.factories import (
    NOW,
    make_assignment,
    make_back_check,
    make_booth,
    make_delivery,
    make_district,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)

DAY = date(2026, 11, 20)
INDIA = ZoneInfo("Asia/Kolkata")
YESTERDAY = DAY - timedelta(days=1)
JUST_AFTER_MIDNIGHT_IN_INDIA = datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
ON_DAY = Period(PeriodKind.day, DAY)
WEEK = Period(PeriodKind.week, DAY)
GRACE_DAYS = 1


@dataclass
class Scenario:
    """What the tests look up after building the days."""

    varanasi_id: int


async def build_scenario(session: AsyncSession) -> Scenario:
    """Two districts in two regions, six callers, every kind of delivery and outcome on DAY, a little on YESTERDAY.

    One call of DAY is reported just after midnight Indian time (still the previous day in UTC); the call
    of YESTERDAY is reported a day late, on DAY.

    On DAY, Lucknow: 7 calls, 5 delivered, 1 unreachable, 2 reported (talked, wrong number), 3 pending;
    Varanasi: 4 calls, 3 delivered, 1 unreachable, 2 reported (switched off, call back), 1 pending.
    """
    await make_district(session, "Lucknow", "Awadh")
    varanasi = await make_district(session, "Varanasi", "Kashi")
    asha = await make_office_bearer(session, name="Asha Verma", region="Awadh")
    bharat = await make_office_bearer(session, name="Bharat Singh", role=Role.district_incharge,
                                      districts=("Varanasi",))
    chandra = await make_office_bearer(session, name="Chandra Devi")
    dinesh = await make_office_bearer(session, name="Dinesh Kumar", role=Role.district_incharge,
                                      districts=("Lucknow",))
    ekta = await make_office_bearer(session, name="Ekta Rani")
    farhan = await make_office_bearer(session, name="Farhan Ali")
    for person in (asha, bharat, chandra, dinesh):
        await make_delivery(session, office_bearer=person, day=DAY)
    await make_delivery(session, office_bearer=ekta, day=DAY, status=DeliveryStatus.failed, error="blocked")
    await make_delivery(session, office_bearer=farhan, day=DAY, status=DeliveryStatus.pending)

    weak_call = await make_assignment(session, office_bearer=asha, slot=1,
                                      booth=await make_booth(session, number=1, strength=Strength.weak))
    await make_report(session, weak_call, outcome=Outcome.no_answer, at=NOW)
    heard = await make_report(session, weak_call, outcome=Outcome.talked, position=Strength.weak,
                              needs=(NeedCategory.voter_list,), at=NOW + timedelta(hours=10))
    await make_need(session, heard, category=NeedCategory.booth_committee, status=NeedStatus.resolved)
    await make_need(session, heard, category=NeedCategory.other, detail="Generator for the booth meeting")
    await make_assignment(session, office_bearer=asha, slot=2, booth=await make_booth(session, number=2))

    await make_report(session, await make_assignment(session, office_bearer=bharat, slot=1,
                                                     booth=await make_varanasi_booth(session, number=3)),
                      outcome=Outcome.switched_off)
    await make_assignment(session, office_bearer=bharat, slot=2, booth=await make_varanasi_booth(session, number=4))

    await make_report(session, await make_assignment(session, office_bearer=chandra, slot=1,
                                                     booth=await make_booth(session, number=5)),
                      outcome=Outcome.wrong_number, at=JUST_AFTER_MIDNIGHT_IN_INDIA)
    same_time = await make_assignment(session, office_bearer=chandra, slot=2,
                                      booth=await make_varanasi_booth(session, number=6))
    await make_report(session, same_time, outcome=Outcome.talked, at=NOW)
    await make_report(session, same_time, outcome=Outcome.call_back, at=NOW)

    await make_assignment(session, office_bearer=dinesh, slot=1, booth=await make_booth(session, number=7))
    await make_assignment(session, office_bearer=dinesh, slot=2, booth=await make_booth(session, number=8))
    await make_assignment(session, office_bearer=ekta, slot=1, booth=await make_varanasi_booth(session, number=9))
    await make_assignment(session, office_bearer=ekta, slot=2, booth=await make_booth(session, number=10))
    await make_assignment(session, office_bearer=farhan, slot=1, booth=await make_booth(session, number=11))

    await make_delivery(session, office_bearer=asha, day=YESTERDAY)
    earlier = await make_assignment(session, office_bearer=asha, day=YESTERDAY,
                                    booth=await make_booth(session, number=12, strength=Strength.weak))
    await make_report(session, earlier, outcome=Outcome.talked, position=Strength.weak,
                      needs=(NeedCategory.local_issue,), at=NOW)
    await make_delivery(session, office_bearer=ekta, day=YESTERDAY, status=DeliveryStatus.failed,
                        error="blocked")
    await make_assignment(session, office_bearer=ekta, day=YESTERDAY,
                          booth=await make_varanasi_booth(session, number=13))

    await session.commit()
    return Scenario(varanasi_id=varanasi.id)


LUCKNOW_COUNTS = Counts(assigned=7, delivered=5, unreachable=1, reported=2, pending=3, talked=1,
                        wrong_number=1)
VARANASI_COUNTS = Counts(assigned=4, delivered=3, unreachable=1, reported=2, pending=1, switched_off=1,
                         call_back=1)


async def _state_view(session: AsyncSession, period: Period = ON_DAY) -> ProgressView:
    """The whole state's progress over `period`, as `samvad report` shows it."""
    return await progress_view(session, Viewer.whole_state(), level=Level.state, area_id=0, period=period,
                               today=DAY, grace_days=GRACE_DAYS, now=NOW, zone=INDIA)


async def test_day_totals_count_deliveries_reports_and_latest_outcomes_per_region(session: AsyncSession) -> None:
    await build_scenario(session)

    view = await _state_view(session)

    assert view.totals == LUCKNOW_COUNTS + VARANASI_COUNTS
    assert view.totals.assigned == 11
    assert view.totals.no_answer == 0, "the evening 'talked' supersedes the morning 'no answer'"
    assert view.totals.talked == 1
    assert view.totals.call_back == 1, "on equal report times the later report (higher id) counts"
    assert view.totals.switched_off == 1
    assert view.totals.conversations == 1
    assert view.totals.conversation_percent == 9, "1 conversation of 11 calls, however many were reported"
    assert view.totals.not_connected == 1
    assert view.totals.unreported == 7
    assert view.totals.wrong_number == 1, "reported just after midnight in India, the evening before in UTC"
    assert [(row.name, row.counts) for row in view.rows] == [("Awadh", LUCKNOW_COUNTS), ("Kashi", VARANASI_COUNTS)]


async def test_a_district_view_counts_and_lists_only_what_happened_in_that_district(session: AsyncSession) -> None:
    scenario = await build_scenario(session)
    bharat = (await session.execute(select(OfficeBearer).where(OfficeBearer.name == "Bharat Singh"))).scalar_one()
    viewer = await _viewer(session, bharat)

    view = await progress_view(session, viewer, level=Level.district, area_id=scenario.varanasi_id, period=ON_DAY,
                               today=DAY, grace_days=GRACE_DAYS, now=NOW, zone=INDIA)

    assert view.totals == VARANASI_COUNTS
    assert [(row.name, row.counts.assigned) for row in view.rows] == [
        ("Bharat Singh", 2), ("Chandra Devi", 1), ("Ekta Rani", 1)], "Chandra's Lucknow call stays out"
    assert [caller.name for caller in view.attention.unreported] == ["Bharat Singh"]
    assert [caller.name for caller in view.attention.disconnected] == ["Bharat Singh"]
    assert [caller.name for caller in view.attention.unreachable] == ["Ekta Rani"]
    assert view.attention.weak_booths == ()
    assert view.attention.needs_raised == ()


async def test_no_districts_in_charge_means_nothing_to_see(session: AsyncSession) -> None:
    await build_scenario(session)
    nobody = await make_office_bearer(session, name="Naya Prabhari", role=Role.district_incharge)
    viewer = await _viewer(session, nobody)

    view = await progress_view(session, viewer, level=Level.state, area_id=0, period=ON_DAY, today=DAY,
                               grace_days=GRACE_DAYS, now=NOW, zone=INDIA)

    assert view.totals == Counts()
    assert view.rows == () and view.open_needs == ()
    assert view.attention == Attention()


async def test_unreported_callers_come_most_unreported_first_with_their_districts_or_region(
        session: AsyncSession) -> None:
    await build_scenario(session)

    view = await _state_view(session)

    assert view.attention.unreported == (
        UnreportedCaller("Dinesh Kumar", Role.district_incharge, ("Lucknow",), None, 2),
        UnreportedCaller("Asha Verma", Role.state_office_bearer, (), "Awadh", 1),
        UnreportedCaller("Bharat Singh", Role.district_incharge, ("Varanasi",), None, 1),
    )


async def test_unreachable_callers_are_listed_with_reason_and_days(session: AsyncSession) -> None:
    await build_scenario(session)

    day = await _state_view(session)
    week = await _state_view(session, WEEK)

    assert day.attention.unreachable == (UnreachableCaller("Ekta Rani", Role.state_office_bearer, "blocked", 1),)
    assert week.attention.unreachable == (UnreachableCaller("Ekta Rani", Role.state_office_bearer, "blocked", 2),)


async def test_weak_booths_heard_come_with_the_needs_raised_on_the_call(session: AsyncSession) -> None:
    await build_scenario(session)

    view = await _state_view(session)

    weak_booths = view.attention.weak_booths
    assert len(weak_booths) == 1
    booth = weak_booths[0]
    assert (booth.booth_no, booth.assembly_no, booth.assembly, booth.district, booth.day) == (
        1, 172, "Lucknow North", "Lucknow", DAY)
    assert booth.needs == (NeedCategory.voter_list, NeedCategory.booth_committee, NeedCategory.other)


async def test_needs_raised_are_counted_by_category_with_those_still_open(session: AsyncSession) -> None:
    await build_scenario(session)

    view = await _state_view(session)

    assert view.attention.needs_raised == (NeedTally(NeedCategory.voter_list, 1, 1),
                                           NeedTally(NeedCategory.booth_committee, 1, 0),
                                           NeedTally(NeedCategory.other, 1, 1))


async def test_week_covers_seven_days_and_counts_late_reports_of_its_calls(session: AsyncSession) -> None:
    await build_scenario(session)

    week = await _state_view(session, WEEK)
    week_before = await _state_view(session, Period(PeriodKind.week, YESTERDAY))

    assert week.totals.assigned == 13
    assert week.totals.talked == 2
    assert [(b.booth_no, b.day) for b in week.attention.weak_booths] == [(1, DAY), (12, YESTERDAY)]
    assert NeedTally(NeedCategory.local_issue, 1, 1) in week.attention.needs_raised
    assert week_before.totals == Counts(assigned=2, delivered=1, unreachable=1, reported=1, talked=1), (
        "the week before leaves out DAY's calls but keeps the report made on DAY about YESTERDAY's call")


async def test_english_view_names_who_and_what_needs_attention(session: AsyncSession) -> None:
    await build_scenario(session)

    text = render_progress(await _state_view(session), "en")

    assert text.startswith("<b>📊 Booth Samvad — progress: whole state</b>\nOn 20.11.2026")
    for expected in ("Calls assigned: 11 · message delivered: 8 · not delivered: 2",
                     "✅ Conversations: 1 of 11 calls (9%)",
                     "Tried, did not connect: 1 · wrong number / no longer president: 1 · not yet reported: 7"
                     " · asked to call back later: 1",
                     "Awadh: talked 1/7 (14%) · tried 0 · unreported 5",
                     "Kashi: talked 0/4 (0%) · tried 1 · unreported 2",
                     "<b>Reported calls, but spoke to no one</b>\n"
                     "Bharat Singh (District in-charge): calls reported 1, attempts 1, no conversation",
                     "<b>Office-bearers with calls not yet reported</b>\n"
                     "Dinesh Kumar (District in-charge, Lucknow): 2 unreported",
                     "Asha Verma (State office-bearer, Awadh): 1 unreported",
                     "Ekta Rani (State office-bearer): has blocked the bot — 1 day(s)",
                     "Booth 1 Primary School Village",
                     "needs: Voter list, Booth committee, Other",
                     "Booth committee: 1 (0 still open)"):
        assert expected in text
    assert text.index("Dinesh Kumar") < text.index("Asha Verma") < text.index("Bharat Singh")


async def test_hindi_view_names_who_and_what_needs_attention_in_hindi(session: AsyncSession) -> None:
    await build_scenario(session)

    text = render_progress(await _state_view(session, WEEK), "hi", html=False)

    assert text.startswith("📊 बूथ संवाद — प्रगति: पूरा प्रदेश\n14.11.2026 से 20.11.2026 तक (7 दिन)")
    for expected in ("सौंपी गई कॉल: 13 · संदेश पहुँचा: 9 · संदेश नहीं पहुँचा: 3",
                     "क्षेत्रवार",
                     "Dinesh Kumar (जिला प्रभारी, Lucknow): 2 बाकी",
                     "Ekta Rani (प्रदेश पदाधिकारी): बॉट को ब्लॉक किया है — 2 दिन",
                     "कमज़ोर बूथों से बात",
                     "ज़रूरत: मतदाता सूची, बूथ समिति, अन्य",
                     "स्थानीय मुद्दा: 1 (खुली 1)"):
        assert expected in text
    assert "<b>" not in text


async def test_html_escapes_names_and_plain_text_keeps_them(session: AsyncSession) -> None:
    person = await make_office_bearer(session, name="Ram & <Shyam>")
    await make_delivery(session, office_bearer=person)
    await make_assignment(session, office_bearer=person, booth=await make_booth(
        session, district="Agra <City>", region="Braj & <Doab>", assembly_no=86, number=1))
    await make_assignment(session, office_bearer=person, slot=2, booth=await make_booth(session, number=2))
    await session.commit()
    view = await _state_view(session)

    html_text = render_progress(view, "en", html=True)
    plain_text = render_progress(view, "en", html=False)

    assert "Ram &amp; &lt;Shyam&gt; (State office-bearer): 2 unreported" in html_text
    assert "Braj &amp; &lt;Doab&gt;: talked 0/1" in html_text
    assert set(re.findall(r"<[^>]*>", html_text)) == {"<b>", "</b>"}
    assert "Ram & <Shyam> (State office-bearer): 2 unreported" in plain_text
    assert "Braj & <Doab>: talked 0/1" in plain_text


@pytest.mark.parametrize("language", ["hi", "en"])
def test_every_enum_value_has_a_label_in_both_languages(language: str) -> None:
    for enum_type in LABEL_PREFIXES:
        for value in enum_type:
            assert enum_label(language, value).strip()


# --- progress views: /summary drill-down, trend, overdue, open needs by age ---------------------------------


@dataclass
class History:
    """Ids the progress tests look up."""

    awadh_id: int
    kashi_id: int
    lucknow_id: int
    barabanki_id: int
    varanasi_id: int
    secretary: OfficeBearer
    asha: OfficeBearer
    dinesh: OfficeBearer
    gita: OfficeBearer


async def _need_aged(session: AsyncSession, report: CallReport, category: NeedCategory, days: float,
                     status: NeedStatus = NeedStatus.open) -> None:
    need = await make_need(session, report, category=category, status=status)
    need.created_at = NOW - timedelta(days=days)
    await session.flush()


async def build_history(session: AsyncSession) -> History:
    """Two weeks of calls in Lucknow and Barabanki (Awadh) and Varanasi (Kashi); today is DAY (20.11).

    This week (14–20.11), 7 calls: Asha (state) 18.11 Lucknow unreported (overdue), 20.11 Lucknow
    unreported (today: not overdue); Dinesh (Lucknow) 17.11 talked, 19.11 no answer; Gita (Lucknow and
    Barabanki) 20.11 Barabanki talked; Bharat (Varanasi) 16.11 not delivered and unreported (overdue),
    20.11 talked. The week before, 2 calls: Dinesh 10.11 talked, 11.11 unreported.
    Open needs in Lucknow: voter list 2 days old, leader visit 10 days old; in Varanasi: booth committee
    40 days old and one in progress 1 day old, and a resolved one.
    """
    awadh_lucknow = await make_district(session, "Lucknow", "Awadh")
    barabanki = await make_district(session, "Barabanki", "Awadh")
    varanasi = await make_district(session, "Varanasi", "Kashi")
    secretary = await make_office_bearer(session, name="Sachiv Ji", role=Role.organisation_secretary)
    asha = await make_office_bearer(session, name="Asha Verma", region="Awadh")
    dinesh = await make_office_bearer(session, name="Dinesh Kumar", role=Role.district_incharge,
                                      districts=("Lucknow",))
    gita = await make_office_bearer(session, name="Gita Devi", role=Role.district_incharge,
                                    districts=("Lucknow", "Barabanki"))
    bharat = await make_office_bearer(session, name="Bharat Singh", role=Role.district_incharge,
                                      districts=("Varanasi",))

    async def call(person: OfficeBearer, day: int, booth: Booth, *, delivered: bool = True,
                   outcome: Outcome | None = None) -> Assignment:
        when = date(2026, 11, day)
        await make_delivery(session, office_bearer=person, day=when,
                            status=DeliveryStatus.sent if delivered else DeliveryStatus.failed)
        assignment = await make_assignment(session, office_bearer=person, day=when, booth=booth)
        if outcome is not None:
            await make_report(session, assignment, outcome=outcome,
                              at=datetime(2026, 11, day, 12, 0, tzinfo=UTC))
        return assignment

    await call(asha, 18, await make_booth(session))
    await call(asha, 20, await make_booth(session))
    talked_in_lucknow = await call(dinesh, 17, await make_booth(session), outcome=Outcome.talked)
    await call(dinesh, 19, await make_booth(session), outcome=Outcome.no_answer)
    barabanki_booth = await make_booth(session, district="Barabanki", region="Awadh", assembly_no=268,
                                       assembly="Barabanki", lok_sabha="Barabanki")
    await call(gita, 20, barabanki_booth, outcome=Outcome.talked)
    await call(bharat, 16, await make_varanasi_booth(session), delivered=False)
    talked_in_varanasi = await call(bharat, 20, await make_varanasi_booth(session), outcome=Outcome.talked)
    await call(dinesh, 10, await make_booth(session), outcome=Outcome.talked)
    await call(dinesh, 11, await make_booth(session))

    lucknow_report = (await session.execute(select(CallReport).where(
        CallReport.assignment_id == talked_in_lucknow.id))).scalar_one()
    varanasi_report = (await session.execute(select(CallReport).where(
        CallReport.assignment_id == talked_in_varanasi.id))).scalar_one()
    await _need_aged(session, lucknow_report, NeedCategory.voter_list, 2)
    await _need_aged(session, lucknow_report, NeedCategory.leader_visit, 10)
    await _need_aged(session, varanasi_report, NeedCategory.booth_committee, 40)
    await _need_aged(session, varanasi_report, NeedCategory.booth_committee, 1, NeedStatus.in_progress)
    await _need_aged(session, varanasi_report, NeedCategory.local_issue, 3, NeedStatus.resolved)
    await session.commit()
    return History(awadh_id=awadh_lucknow.region_id, kashi_id=varanasi.region_id, lucknow_id=awadh_lucknow.id,
                   barabanki_id=barabanki.id, varanasi_id=varanasi.id, secretary=secretary, asha=asha,
                   dinesh=dinesh, gita=gita)


async def _viewer(session: AsyncSession, person: OfficeBearer) -> Viewer:
    await session.refresh(person, ["districts"])
    return Viewer.of(person)


async def _view(session: AsyncSession, person: OfficeBearer, level: Level, area_id: int,
                period: Period = WEEK) -> ProgressView:
    return await progress_view(session, await _viewer(session, person), level=level, area_id=area_id,
                               period=period, today=DAY, grace_days=GRACE_DAYS, now=NOW, zone=INDIA)


def test_periods_are_one_seven_or_thirty_days_ending_on_a_day_and_follow_each_other() -> None:
    month = Period(PeriodKind.month, DAY)

    assert (WEEK.start, WEEK.end, WEEK.days) == (date(2026, 11, 14), DAY, 7)
    assert WEEK.previous() == Period(PeriodKind.week, date(2026, 11, 13))
    assert (month.start, month.previous().end) == (date(2026, 10, 22), date(2026, 10, 21))
    assert Period(PeriodKind.day, DAY).start == DAY


async def test_state_view_counts_every_figure_split_by_region(session: AsyncSession) -> None:
    history = await build_history(session)

    view = await _view(session, history.secretary, Level.state, 0)

    assert view.totals == Counts(assigned=7, delivered=6, unreachable=1, reported=4, pending=2, talked=3,
                                 no_answer=1, overdue=2)
    assert (view.totals.conversations, view.totals.conversation_percent) == (3, 43)
    assert (view.totals.not_connected, view.totals.number_wrong, view.totals.unreported) == (1, 0, 3)
    assert [(row.name, row.counts.assigned, row.counts.reported, row.counts.talked, row.counts.overdue)
            for row in view.rows] == [("Awadh", 5, 3, 2, 1), ("Kashi", 2, 1, 1, 1)]
    assert view.rows_level is Level.region
    assert view.area == Area(Level.state, 0, None, None)


async def test_a_view_names_who_needs_attention_and_how_far_calls_were_verified(session: AsyncSession) -> None:
    history = await build_history(session)
    talked = (await session.execute(select(Assignment).join(CallReport).where(
        Assignment.office_bearer_id == history.dinesh.id, CallReport.outcome == Outcome.talked,
        Assignment.day == date(2026, 11, 17)))).scalar_one()
    await make_back_check(session, talked, called=False)
    await session.commit()

    view = await _view(session, history.secretary, Level.state, 0)
    district = await _view(session, history.secretary, Level.district, history.lucknow_id)
    text = render_progress(view, "en")

    assert [caller.name for caller in view.attention.unreported] == ["Asha Verma"]
    totals, by_region = view.totals, {row.id: row.counts for row in view.rows}
    assert (totals.asked, totals.checked, totals.confirmed, totals.denied) == (1, 1, 0, 1)
    assert (by_region[history.awadh_id].denied, by_region[history.kashi_id].asked) == (1, 0)
    assert {row.id: row.counts.denied for row in district.rows}[history.dinesh.id] == 1
    assert "1 answered: 0 confirmed, 1 denied" in text
    assert "of 3 conversations reported, 1 asked of the booth president" in text
    assert "Awadh: talked 2/5 (40%) · tried 1 · unreported 2 · checked 1: 0 confirmed, 1 denied" in text
    assert "calls worth checking: /flags" in text
    assert "Asha Verma" in text


async def test_a_days_view_counts_the_flagged_calls(session: AsyncSession) -> None:
    history = await build_history(session)
    talked = (await session.execute(select(Assignment).join(CallReport).where(
        Assignment.office_bearer_id == history.gita.id, Assignment.day == DAY))).scalar_one()
    await make_back_check(session, talked, called=False)
    await session.commit()

    day = Period(PeriodKind.day, DAY)
    district = await _view(session, history.secretary, Level.district, history.barabanki_id, period=day)
    state = await _view(session, history.secretary, Level.state, 0, period=day)

    assert district.flagged == 1
    assert "worth checking 1 (/flags)" in render_progress(district, "en")
    assert state.flagged is None
    assert "calls worth checking: /flags" in render_progress(state, "en")


async def test_overdue_means_unreported_after_the_report_window_closed(session: AsyncSession) -> None:
    history = await build_history(session)
    viewer = await _viewer(session, history.secretary)

    async def overdue(grace_days: int) -> int:
        view = await progress_view(session, viewer, level=Level.state, area_id=0, period=WEEK, today=DAY,
                                   grace_days=grace_days, now=NOW, zone=INDIA)
        return view.totals.overdue

    assert await overdue(0) == 2, "today's unreported call can still be reported today"
    assert await overdue(1) == 2, "18.11 unreported: its window (19.11) has closed; 16.11 too"
    assert await overdue(2) == 1, "with two days' grace 18.11 may still be reported today"
    assert await overdue(7) == 0


async def test_trend_compares_the_conversation_share_with_the_previous_period(session: AsyncSession) -> None:
    history = await build_history(session)

    view = await _view(session, history.secretary, Level.state, 0)
    day_view = await _view(session, history.secretary, Level.state, 0, Period(PeriodKind.day, DAY))

    assert view.previous == Counts(assigned=2, delivered=2, reported=1, pending=1, talked=1, overdue=1)
    assert view.trend == Trend(conversations=43 - 50)
    assert day_view.previous.assigned == 1, "the day before: Dinesh's no-answer call of 19.11"
    assert day_view.trend.conversations == 67 - 0, "a reported no-answer is no conversation"


async def test_region_view_lists_its_districts_and_leads_back_to_the_state(session: AsyncSession) -> None:
    history = await build_history(session)

    view = await _view(session, history.secretary, Level.region, history.awadh_id)

    assert view.area == Area(Level.region, history.awadh_id, "Awadh", (Level.state, 0))
    assert [(row.name, row.counts.assigned, row.counts.reported) for row in view.rows] == [
        ("Barabanki", 1, 1), ("Lucknow", 4, 2)]
    assert view.totals.assigned == 5
    assert [needs.category for needs in view.open_needs] == [NeedCategory.voter_list, NeedCategory.leader_visit]


async def test_district_view_lists_office_bearers_fewest_conversations_first(session: AsyncSession) -> None:
    history = await build_history(session)

    view = await _view(session, history.secretary, Level.district, history.lucknow_id)

    assert view.area == Area(Level.district, history.lucknow_id, "Lucknow", (Level.region, history.awadh_id))
    assert view.rows_level is Level.person
    assert [(row.name, row.counts.assigned, row.counts.reported, row.counts.talked, row.counts.overdue)
            for row in view.rows] == [("Asha Verma", 2, 0, 0, 1), ("Dinesh Kumar", 2, 2, 1, 0)]


async def test_open_needs_are_counted_by_category_and_age(session: AsyncSession) -> None:
    history = await build_history(session)

    state = await _view(session, history.secretary, Level.state, 0)
    varanasi = await _view(session, history.secretary, Level.district, history.varanasi_id)

    assert state.open_needs == (OpenNeeds(NeedCategory.voter_list, 1, 0, 0),
                                OpenNeeds(NeedCategory.booth_committee, 1, 0, 1),
                                OpenNeeds(NeedCategory.leader_visit, 0, 1, 0))
    assert varanasi.open_needs == (OpenNeeds(NeedCategory.booth_committee, 1, 0, 1),), (
        "in progress counts as open, resolved does not, and other districts' needs stay out")
    assert varanasi.open_needs[0].total == 2


async def test_a_district_incharge_sees_their_district_and_nothing_else(session: AsyncSession) -> None:
    history = await build_history(session)
    viewer = await _viewer(session, history.dinesh)

    home = await _view(session, history.dinesh, *viewer.home())

    assert viewer.home() == (Level.district, history.lucknow_id)
    assert home.area.parent is None, "one district: nothing above it to go back to"
    assert home.totals.assigned == 4
    for level, area_id in ((Level.district, history.varanasi_id), (Level.region, history.awadh_id),
                           (Level.district, 9999), (Level.person, history.asha.id)):
        with pytest.raises(NotVisible):
            await _view(session, history.dinesh, level, area_id)


async def test_an_incharge_of_several_districts_starts_at_all_of_them(session: AsyncSession) -> None:
    history = await build_history(session)
    viewer = await _viewer(session, history.gita)

    home = await _view(session, history.gita, *viewer.home())
    lucknow = await _view(session, history.gita, Level.district, history.lucknow_id)

    assert viewer.home() == (Level.state, 0)
    assert home.area.charge and home.rows_level is Level.district
    assert [row.name for row in home.rows] == ["Barabanki", "Lucknow"]
    assert home.totals.assigned == 5
    assert lucknow.area.parent == (Level.state, 0)


async def test_a_state_office_bearer_sees_only_their_own_calls(session: AsyncSession) -> None:
    history = await build_history(session)
    viewer = await _viewer(session, history.asha)

    own = await _view(session, history.asha, *viewer.home())

    assert viewer.home() == (Level.person, history.asha.id)
    assert own.totals == Counts(assigned=2, delivered=2, pending=2, overdue=1)
    assert own.rows == () and own.open_needs == ()
    for level, area_id in ((Level.state, 0), (Level.district, history.lucknow_id),
                           (Level.person, history.dinesh.id)):
        with pytest.raises(NotVisible):
            await _view(session, history.asha, level, area_id)


async def test_areas_that_do_not_exist_are_unknown_to_those_who_see_all(session: AsyncSession) -> None:
    history = await build_history(session)

    for level, area_id in ((Level.state, 7), (Level.region, 9999), (Level.district, 9999)):
        with pytest.raises(UnknownArea):
            await _view(session, history.secretary, level, area_id)


async def test_english_progress_view_shows_figures_trend_rows_and_needs(session: AsyncSession) -> None:
    history = await build_history(session)

    text = render_progress(await _view(session, history.secretary, Level.state, 0), "en")

    assert text.startswith("<b>📊 Booth Samvad — progress: whole state</b>\n14.11.2026 to 20.11.2026 (7 days)")
    for expected in ("Calls assigned: 7 · message delivered: 6 · not delivered: 1",
                     "✅ Conversations: 3 of 7 calls (43%) ▼ 7 pp",
                     "Tried, did not connect: 1 · wrong number / no longer president: 0 · not yet reported: 3\n",
                     "Overdue (report window closed, no report): 2",
                     "📱 Booth presidents on the bot: 0 of 9 (0%)",
                     "▲▼ change from the previous 7 day(s), in percentage points",
                     "<b>By region</b>\nAwadh: talked 2/5 (40%) · tried 1 · unreported 2\n",
                     "Kashi: talked 1/2 (50%) · tried 0 · unreported 1\n",
                     "Booth committee: 2 (1 · 0 · 1)", "Leader's visit: 1 (0 · 1 · 0)"):
        assert expected in text


async def test_hindi_progress_view_of_a_district(session: AsyncSession) -> None:
    history = await build_history(session)

    text = render_progress(await _view(session, history.secretary, Level.district, history.lucknow_id,
                                       Period(PeriodKind.day, DAY)), "hi", html=False)

    assert text.startswith("📊 बूथ संवाद — प्रगति: Lucknow जिला\nतारीख 20.11.2026")
    for expected in ("✅ बात हुई: 0 / 1 कॉल (0%) ＝ कोई बदलाव नहीं",
                     "कोशिश की, बात नहीं हुई: 0 · गलत नंबर / अध्यक्ष बदले: 0 · रिपोर्ट बाकी: 1",
                     "पदाधिकारीवार (सबसे कम बात वाले पहले)",
                     "Asha Verma: बात 0/1 (0%) · बात नहीं हुई 0 · रिपोर्ट बाकी 1",
                     "मतदाता सूची: 1 (1 · 0 · 0)"):
        assert expected in text


async def test_a_period_without_calls_still_shows_open_needs(session: AsyncSession) -> None:
    history = await build_history(session)

    text = render_progress(await _view(session, history.secretary, Level.state, 0,
                                       Period(PeriodKind.week, date(2026, 10, 1))), "en")

    assert "No calls were assigned in this period." in text
    assert "Voter list: 1 (1 · 0 · 0)" in text
    assert "▲" not in text and "▼" not in text


def _crowded_view(size: int) -> ProgressView:
    """A district's week with `size` office-bearers in its rows and in every list of who and what needs attention."""
    counts = Counts(assigned=40, delivered=38, reported=30, talked=25, overdue=4)
    long_name = "Ram & <Shyam> Prasad Tripathi Sharma"
    return ProgressView(
        area=Area(Level.district, 1, "Lucknow <city>", (Level.region, 1)), period=WEEK, totals=counts,
        previous=counts, rows_level=Level.person, open_needs=(),
        rows=tuple(ProgressRow(i, f"{long_name} {i}", counts) for i in range(size)),
        attention=Attention(
            unreported=tuple(UnreportedCaller(f"{long_name} {i}", Role.district_incharge,
                                              ("District <rural>", "District <city>"), None, 9) for i in range(size)),
            unreachable=tuple(UnreachableCaller(f"{long_name} {i}", Role.state_office_bearer, "not_started", 7)
                              for i in range(size)),
            weak_booths=tuple(WeakBoothHeard(i, f"Primary School & Panchayat Bhawan {i}", 172, "Lucknow North",
                                             "Lucknow", DAY, tuple(NeedCategory)) for i in range(size)),
            needs_raised=tuple(NeedTally(category, size, size) for category in NeedCategory)))


@pytest.mark.parametrize("language", ["hi", "en"])
def test_a_crowded_progress_view_fits_one_telegram_message_and_says_how_many_are_left_out(language: str) -> None:
    text = render_progress(_crowded_view(400), language)

    assert telegram_length(text) <= TELEGRAM_TEXT_LIMIT
    shown_rows = len(re.findall(r"^Ram &amp; &lt;Shyam&gt; Prasad Tripathi Sharma \d+:", text, re.MULTILINE))
    shown_weak_booths = text.count("Panchayat Bhawan")
    assert 0 < shown_rows < 400 and 0 < shown_weak_booths < 400
    assert translate(language, "summary.more", count=400 - shown_rows) in text
    assert translate(language, "summary.more", count=400 - shown_weak_booths) in text
    assert "<Shyam>" not in text and "<rural>" not in text


def test_a_plain_progress_view_lists_everything() -> None:
    text = render_progress(_crowded_view(300), "en", html=False)

    assert len(re.findall(r"^Ram & <Shyam> Prasad Tripathi Sharma \d+:", text, re.MULTILINE)) == 300
    assert text.count("Panchayat Bhawan") == 300
    assert text.count("(District in-charge, District <rural>, District <city>): 9 unreported") == 300
    assert "… and" not in text


# --- digests: who gets which, about what ------------------------------------------------------------------


async def test_the_weekly_digest_goes_to_registered_secretaries_in_their_language(session: AsyncSession) -> None:
    history = await build_history(session)
    history.secretary.telegram_user_id = 9001
    english = await make_office_bearer(session, name="Second Secretary", role=Role.organisation_secretary,
                                       telegram_user_id=9002, language="en")
    await make_office_bearer(session, name="Not Registered", role=Role.organisation_secretary)
    await session.commit()

    digests = await weekly_digests(session, today=date(2026, 11, 21), grace_days=GRACE_DAYS, now=NOW, zone=INDIA,
                                   default_language="hi")

    assert [(digest.office_bearer_id, digest.chat_id, digest.language, digest.kind) for digest in digests] == [
        (history.secretary.id, 9001, "hi", DigestKind.weekly), (english.id, 9002, "en", DigestKind.weekly)]
    assert "14.11.2026 से 20.11.2026 तक (7 दिन)" in digest_text(digests[0])
    assert digest_text(digests[1]).startswith("<b>🗓️ Weekly digest for the organisation secretary</b>")
    assert "✅ Conversations: 3 of 7 calls (43%) ▼ 7 pp" in digest_text(digests[1])


async def test_the_daily_digest_tells_each_incharge_about_their_own_districts(session: AsyncSession) -> None:
    history = await build_history(session)
    history.dinesh.telegram_user_id, history.gita.telegram_user_id = 9101, 9102
    await session.commit()

    digests = await daily_digests(session, today=DAY, grace_days=GRACE_DAYS, now=NOW, zone=INDIA,
                                  default_language="en")

    assert {digest.kind for digest in digests} == {DigestKind.daily}
    texts = {digest.office_bearer_id: digest_text(digest) for digest in digests}
    assert set(texts) == {history.dinesh.id, history.gita.id}, "Bharat has not registered"
    assert "progress: Lucknow district" in texts[history.dinesh.id]
    assert "Asha Verma" in texts[history.dinesh.id] and "Barabanki" not in texts[history.dinesh.id]
    assert "progress: your districts" in texts[history.gita.id]
    assert "Barabanki: talked 1/1 (100%) · tried 0 · unreported 0 · presidents on the bot 0/1 (0%)" in (
        texts[history.gita.id])
    assert "Varanasi" not in texts[history.dinesh.id] + texts[history.gita.id]


async def test_samvad_report_prints_a_month(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    async with db.sessions() as session:
        await build_history(session)
    monkeypatch.setenv("SAMVAD_DATABASE_URL", db.url)
    monkeypatch.setenv("SAMVAD_CONFIG", str(tmp_path / "absent.toml"))

    def report(*options: str) -> Result:
        return CliRunner().invoke(cli_main, ["--lang", "en", "report", "--date", "2026-11-20", *options])

    month = await asyncio.to_thread(report, "--month")
    both = await asyncio.to_thread(report, "--week", "--month")

    assert month.exit_code == 0, month.output
    assert "progress: whole state\n22.10.2026 to 20.11.2026 (30 days)" in month.output
    assert "Calls assigned: 9" in month.output
    assert "✅ Conversations: 4 of 9 calls (44%)" in month.output
    assert both.exit_code != 0 and "Choose --week or --month, not both." in both.output
