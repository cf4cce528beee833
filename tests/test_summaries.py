"""Summaries: the organisation secretary's counts, gaps and findings, and how they read in Hindi and English."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translate
from bot.summaries import (
    LABEL_PREFIXES,
    TELEGRAM_TEXT_LIMIT,
    Counts,
    DistrictRow,
    NeedTally,
    RegionRow,
    Summary,
    UnreachableCaller,
    UnreportedCaller,
    WeakBoothHeard,
    enum_label,
    render_summary,
    summarise,
    telegram_length,
)
from models import DeliveryStatus, NeedCategory, NeedStatus, Outcome, Role, Strength
from tests.factories import (
    NOW,
    make_assignment,
    make_booth,
    make_delivery,
    make_district,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)

DAY = date(2026, 11, 20)
YESTERDAY = DAY - timedelta(days=1)
JUST_AFTER_MIDNIGHT_IN_INDIA = datetime(2026, 11, 19, 19, 0, tzinfo=UTC)


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


async def test_day_totals_count_deliveries_reports_and_latest_outcomes(session: AsyncSession) -> None:
    await build_scenario(session)

    summary = await summarise(session, start=DAY, end=DAY)

    assert summary.totals == LUCKNOW_COUNTS + VARANASI_COUNTS
    assert summary.totals.assigned == 11
    assert summary.totals.no_answer == 0, "the evening 'talked' supersedes the morning 'no answer'"
    assert summary.totals.talked == 1
    assert summary.totals.call_back == 1, "on equal report times the later report (higher id) counts"
    assert summary.totals.not_answered == 1
    assert summary.totals.reported_percent == 50
    assert summary.totals.wrong_number == 1, "reported just after midnight in India, the evening before in UTC"


async def test_rows_per_district_and_region_are_ordered_by_name(session: AsyncSession) -> None:
    await build_scenario(session)

    summary = await summarise(session, start=DAY, end=DAY)

    assert summary.districts == (DistrictRow("Lucknow", "Awadh", LUCKNOW_COUNTS),
                                 DistrictRow("Varanasi", "Kashi", VARANASI_COUNTS))
    assert summary.regions == (RegionRow("Awadh", LUCKNOW_COUNTS), RegionRow("Kashi", VARANASI_COUNTS))
    assert [row.counts.reported_percent for row in summary.districts] == [40, 67]


async def test_district_filter_keeps_only_booths_of_those_districts(session: AsyncSession) -> None:
    scenario = await build_scenario(session)

    summary = await summarise(session, start=DAY, end=DAY, district_ids=[scenario.varanasi_id])

    assert summary.totals == VARANASI_COUNTS
    assert [row.name for row in summary.districts] == ["Varanasi"]
    assert [row.name for row in summary.regions] == ["Kashi"]
    assert [caller.name for caller in summary.unreported] == ["Bharat Singh"]
    assert [caller.name for caller in summary.unreachable] == ["Ekta Rani"]
    assert summary.weak_booths == ()
    assert summary.needs == ()


async def test_no_districts_in_charge_means_nothing_to_see(session: AsyncSession) -> None:
    await build_scenario(session)

    summary = await summarise(session, start=DAY, end=DAY, district_ids=[])

    assert summary.totals == Counts()
    assert summary.districts == summary.unreported == summary.unreachable == ()


async def test_unreported_callers_come_most_unreported_first_with_their_districts_or_region(
        session: AsyncSession) -> None:
    await build_scenario(session)

    summary = await summarise(session, start=DAY, end=DAY)

    assert summary.unreported == (
        UnreportedCaller("Dinesh Kumar", Role.district_incharge, ("Lucknow",), None, 2),
        UnreportedCaller("Asha Verma", Role.state_office_bearer, (), "Awadh", 1),
        UnreportedCaller("Bharat Singh", Role.district_incharge, ("Varanasi",), None, 1),
    )


async def test_unreachable_callers_are_listed_with_reason_and_days(session: AsyncSession) -> None:
    await build_scenario(session)

    day = await summarise(session, start=DAY, end=DAY)
    week = await summarise(session, start=DAY - timedelta(days=6), end=DAY)

    assert day.unreachable == (UnreachableCaller("Ekta Rani", Role.state_office_bearer, "blocked", 1),)
    assert week.unreachable == (UnreachableCaller("Ekta Rani", Role.state_office_bearer, "blocked", 2),)


async def test_weak_booths_heard_come_with_the_needs_raised_on_the_call(session: AsyncSession) -> None:
    await build_scenario(session)

    summary = await summarise(session, start=DAY, end=DAY)

    booth = summary.weak_booths[0]
    assert len(summary.weak_booths) == 1
    assert (booth.booth_no, booth.assembly_no, booth.assembly, booth.district, booth.day) == (
        1, 172, "Lucknow North", "Lucknow", DAY)
    assert booth.needs == (NeedCategory.voter_list, NeedCategory.booth_committee, NeedCategory.other)


async def test_needs_are_counted_by_category_with_those_still_open(session: AsyncSession) -> None:
    await build_scenario(session)

    summary = await summarise(session, start=DAY, end=DAY)

    assert summary.needs == (NeedTally(NeedCategory.voter_list, 1, 1),
                             NeedTally(NeedCategory.booth_committee, 1, 0),
                             NeedTally(NeedCategory.other, 1, 1))


async def test_week_covers_seven_days_and_counts_late_reports_of_its_calls(session: AsyncSession) -> None:
    await build_scenario(session)

    week = await summarise(session, start=DAY - timedelta(days=6), end=DAY)
    week_before = await summarise(session, start=YESTERDAY - timedelta(days=6), end=YESTERDAY)

    assert week.totals.assigned == 13
    assert week.totals.talked == 2
    assert [(b.booth_no, b.day) for b in week.weak_booths] == [(1, DAY), (12, YESTERDAY)]
    assert NeedTally(NeedCategory.local_issue, 1, 1) in week.needs
    assert week_before.totals == Counts(assigned=2, delivered=1, unreachable=1, reported=1, talked=1), (
        "the week before leaves out DAY's calls but keeps the report made on DAY about YESTERDAY's call")


async def test_english_summary_states_the_numbers(session: AsyncSession) -> None:
    await build_scenario(session)
    summary = await summarise(session, start=DAY, end=DAY)

    text = render_summary(summary, "en", html=True)

    assert text.startswith("<b>📊 Booth Samvad — progress on 20.11.2026</b>")
    for expected in ("Calls assigned: 11 · message delivered: 8 · not delivered: 2",
                     "Reported: 4 (50% of delivered) · awaiting report: 4",
                     "Talked: 1 · No answer: 0 · Switched off: 1 · Wrong number: 1 · Asked to call back: 1",
                     "Lucknow: reported 2/5 (40%) · talked 1 · awaiting 3 · not delivered 1",
                     "Kashi: reported 2/3 (67%)",
                     "Dinesh Kumar (District in-charge, Lucknow): 2 unreported",
                     "Asha Verma (State office-bearer, Awadh): 1 unreported",
                     "Ekta Rani (State office-bearer): has blocked the bot — 1 day(s)",
                     "Booth 1 Primary School Village",
                     "needs: Voter list, Booth committee, Other",
                     "Booth committee: 1 (0 still open)"):
        assert expected in text
    assert text.index("Dinesh Kumar") < text.index("Asha Verma") < text.index("Bharat Singh")


async def test_hindi_summary_states_the_numbers_in_hindi(session: AsyncSession) -> None:
    await build_scenario(session)
    summary = await summarise(session, start=DAY - timedelta(days=6), end=DAY)

    text = render_summary(summary, "hi", html=False)

    assert text.startswith("📊 बूथ संवाद — 14.11.2026 से 20.11.2026 तक की प्रगति")
    for expected in ("सौंपी गई कॉल: 13 · संदेश पहुँचा: 9 · संदेश नहीं पहुँचा: 3",
                     "रिपोर्ट हुई: 5 (पहुँची कॉल में से 56%) · रिपोर्ट बाकी: 4",
                     "बात हुई: 2",
                     "जिलावार",
                     "Dinesh Kumar (जिला प्रभारी, Lucknow): 2 बाकी",
                     "Ekta Rani (प्रदेश पदाधिकारी): बॉट को ब्लॉक किया है — 2 दिन",
                     "कमजोर बूथों से बात",
                     "आवश्यकता: मतदाता सूची, बूथ समिति, अन्य",
                     "स्थानीय मुद्दा: 1 (खुली 1)"):
        assert expected in text
    assert "<b>" not in text


async def test_html_escapes_names_and_plain_text_keeps_them(session: AsyncSession) -> None:
    person = await make_office_bearer(session, name="Ram & <Shyam>")
    await make_delivery(session, office_bearer=person)
    await make_assignment(session, office_bearer=person, booth=await make_booth(
        session, district="Agra <City>", region="Braj", assembly_no=86, number=1))
    await make_assignment(session, office_bearer=person, slot=2, booth=await make_booth(session, number=2))
    summary = await summarise(session, start=DAY, end=DAY)

    html_text = render_summary(summary, "en", html=True)
    plain_text = render_summary(summary, "en", html=False)

    assert "Ram &amp; &lt;Shyam&gt; (State office-bearer): 2 unreported" in html_text
    assert "Agra &lt;City&gt;: reported 0/1" in html_text
    assert set(re.findall(r"<[^>]*>", html_text)) == {"<b>", "</b>"}
    assert "Ram & <Shyam> (State office-bearer): 2 unreported" in plain_text


async def test_a_period_without_calls_says_so(session: AsyncSession) -> None:
    summary = await summarise(session, start=DAY, end=DAY)

    assert render_summary(summary, "en", html=True).endswith("No calls were assigned in this period.")
    assert render_summary(summary, "hi", html=False).endswith("इस अवधि में कोई कॉल नहीं सौंपी गई।")


def _crowded_summary(size: int) -> Summary:
    """A summary with `size` districts, unreported callers, unreachable callers and weak booths."""
    counts = Counts(assigned=40, delivered=38, unreachable=2, reported=30, pending=8, talked=25, no_answer=5)
    long_name = "Ram & <Shyam> Prasad Tripathi Sharma"
    return Summary(
        start=DAY - timedelta(days=6), end=DAY,
        totals=Counts(assigned=40 * size),
        regions=tuple(RegionRow(f"Region {i} & Co", counts) for i in range(6)),
        districts=tuple(DistrictRow(f"District {i:03} <rural>", "Awadh", counts) for i in range(size)),
        unreported=tuple(UnreportedCaller(f"{long_name} {i}", Role.district_incharge,
                                          (f"District {i:03} <rural>", f"District {i + 1:03} <city>"), None, 9)
                         for i in range(size)),
        unreachable=tuple(UnreachableCaller(f"{long_name} {i}", Role.state_office_bearer, "not_started", 7)
                          for i in range(size)),
        weak_booths=tuple(WeakBoothHeard(i, f"Primary School & Panchayat Bhawan {i}", 172, "Lucknow North",
                                         "Lucknow", DAY, tuple(NeedCategory)) for i in range(size)),
        needs=tuple(NeedTally(category, size, size) for category in NeedCategory),
    )


@pytest.mark.parametrize("language", ["hi", "en"])
def test_telegram_summary_fits_one_message_and_says_how_many_are_left_out(language: str) -> None:
    summary = _crowded_summary(300)

    text = render_summary(summary, language, html=True)

    assert telegram_length(text) <= TELEGRAM_TEXT_LIMIT
    shown_districts = text.count("&lt;rural&gt;:")
    assert 0 < shown_districts < 300
    assert translate(language, "summary.more", count=300 - shown_districts) in text
    assert "<rural>" not in text


def test_plain_summary_lists_everything() -> None:
    text = render_summary(_crowded_summary(300), "en", html=False)

    assert text.count("<rural>:") == 300
    assert "… and" not in text


@pytest.mark.parametrize("language", ["hi", "en"])
def test_every_enum_value_has_a_label_in_both_languages(language: str) -> None:
    for enum_type in LABEL_PREFIXES:
        for value in enum_type:
            assert enum_label(language, value).strip()
