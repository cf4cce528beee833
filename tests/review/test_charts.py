"""Charts: the figures behind them (on both databases), PNGs a phone can show, and Hindi that really renders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image, ImageFont
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import catalog
from bot.review import charts
from bot.review.charts import (
    WIDTH,
    conversation_chart,
    font,
    needs_chart,
    outcomes_chart,
    render_charts,
    shown_districts,
    stack,
)
from bot.review.trends import (
    ConversationShare,
    ConversationTrend,
    DistrictTrend,
    NeedCount,
    OutcomeTally,
    Period,
    Trends,
    gather_trends,
    needs_by_category,
    outcome_tally,
    weekly_conversations,
    weeks_ending,
)
from bot.runtime.cli import main
from models import NeedCategory, NeedStatus, Outcome, Role
from tests.conftest import Database
from tests.factories import (
    NOW,
    make_assignment,
    make_booth,
    make_district,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)

END = date(2026, 11, 20)
THIS_WEEK = Period(END - timedelta(days=6), END)
TELEGRAM_PHOTO_SIDES = 10_000
"""Telegram refuses a photo whose width and height add up to more than this."""


@dataclass
class History:
    """The district ids the tests filter by."""

    lucknow_id: int
    varanasi_id: int


async def build_history(session: AsyncSession) -> History:
    """Three weeks of calls ending on END (20.11), in two districts.

    Lucknow: week 3 (14–20.11) 4 calls: talked (after an earlier no answer), wrong number, not reported,
    call back (reported "talked" and "call back" at the same moment); week 2 (7–13.11) 2 calls, switched off
    and talked (that one raising a local issue); a call on 30.10, before the three weeks.
    Varanasi: week 1 (31.10–6.11) 1 call, not reported; week 3 1 call, talked.
    Needs of week 3: Lucknow voter list (open) and booth committee (resolved); Varanasi voter list (open)
    and leader visit (in progress).
    """
    lucknow = await make_district(session, "Lucknow", "Awadh")
    varanasi = await make_district(session, "Varanasi", "Kashi")
    people = [await make_office_bearer(session, role=Role.state_office_bearer) for _ in range(4)]

    async def call(person: int, day: date, *, slot: int = 1, in_varanasi: bool = False):
        booth = await (make_varanasi_booth(session) if in_varanasi else make_booth(session))
        return await make_assignment(session, office_bearer=people[person], booth=booth, day=day, slot=slot)

    talked = await call(0, END)
    await make_report(session, talked, outcome=Outcome.no_answer, at=NOW - timedelta(hours=2))
    heard = await make_report(session, talked, outcome=Outcome.talked, needs=(NeedCategory.voter_list,))
    await make_need(session, heard, category=NeedCategory.booth_committee, status=NeedStatus.resolved)
    await make_report(session, await call(0, END, slot=2), outcome=Outcome.wrong_number)
    await call(1, END)
    same_moment = await call(1, END, slot=2)
    await make_report(session, same_moment, outcome=Outcome.talked)
    await make_report(session, same_moment, outcome=Outcome.call_back)

    await make_report(session, await call(2, date(2026, 11, 10)), outcome=Outcome.switched_off)
    await make_report(session, await call(2, date(2026, 11, 10), slot=2), outcome=Outcome.talked,
                      needs=(NeedCategory.local_issue,))
    await make_report(session, await call(2, date(2026, 10, 30)), outcome=Outcome.talked)

    await call(3, date(2026, 11, 1), in_varanasi=True)
    varanasi_heard = await make_report(session, await call(3, END - timedelta(days=1), in_varanasi=True),
                                       outcome=Outcome.talked, needs=(NeedCategory.voter_list,))
    await make_need(session, varanasi_heard, category=NeedCategory.leader_visit, status=NeedStatus.in_progress)
    await session.commit()
    return History(lucknow_id=lucknow.id, varanasi_id=varanasi.id)


def test_weeks_are_seven_days_ending_on_the_day_oldest_first() -> None:
    assert weeks_ending(END, 3) == (Period(date(2026, 10, 31), date(2026, 11, 6)),
                                    Period(date(2026, 11, 7), date(2026, 11, 13)),
                                    Period(date(2026, 11, 14), date(2026, 11, 20)))


async def test_weekly_conversations_count_calls_whose_latest_report_is_talked_per_district_and_week(
        session: AsyncSession) -> None:
    await build_history(session)

    trend = await weekly_conversations(session, end=END, weeks=3, district_ids=None)

    # Lucknow's week 2: switched off and talked, one conversation; week 3: talked, wrong number, unreported,
    # and a call whose latest report is "call back": one conversation of four.
    assert trend.districts == (
        DistrictTrend("Lucknow", (ConversationShare(0, 0), ConversationShare(2, 1), ConversationShare(4, 1))),
        DistrictTrend("Varanasi", (ConversationShare(1, 0), ConversationShare(0, 0), ConversationShare(1, 1))),
    )
    assert trend.totals == (ConversationShare(1, 0), ConversationShare(2, 1), ConversationShare(5, 2))
    assert [d.overall.percent for d in trend.districts] == [33, 50]
    assert trend.districts[0].weeks[0].percent is None, "no call that week: no percentage, not 0%"


async def test_weekly_conversations_keep_to_the_districts_asked_about(session: AsyncSession) -> None:
    history = await build_history(session)

    varanasi = await weekly_conversations(session, end=END, weeks=3, district_ids=[history.varanasi_id])
    none = await weekly_conversations(session, end=END, weeks=3, district_ids=[])

    assert [d.name for d in varanasi.districts] == ["Varanasi"]
    assert none.districts == ()


async def test_outcomes_count_each_call_by_its_latest_report(session: AsyncSession) -> None:
    history = await build_history(session)

    everywhere = await outcome_tally(session, start=THIS_WEEK.start, end=END, district_ids=None)
    lucknow = await outcome_tally(session, start=THIS_WEEK.start, end=END, district_ids=[history.lucknow_id])

    assert everywhere == OutcomeTally(period=THIS_WEEK, assigned=5, outcomes=(
        (Outcome.talked, 2), (Outcome.no_answer, 0), (Outcome.busy, 0), (Outcome.switched_off, 0),
        (Outcome.wrong_number, 1), (Outcome.not_president, 0), (Outcome.call_back, 1)))
    assert everywhere.reported == 4
    assert everywhere.not_connected == 0
    assert dict(lucknow.outcomes)[Outcome.talked] == 1 and lucknow.assigned == 4


async def test_needs_by_category_count_raised_and_still_open_on_the_periods_calls(session: AsyncSession) -> None:
    history = await build_history(session)

    everywhere = await needs_by_category(session, start=THIS_WEEK.start, end=END, district_ids=None)
    lucknow = await needs_by_category(session, start=THIS_WEEK.start, end=END, district_ids=[history.lucknow_id])

    assert everywhere == (NeedCount(NeedCategory.voter_list, 2, 2), NeedCount(NeedCategory.booth_committee, 1, 0),
                          NeedCount(NeedCategory.campaign_material, 0, 0), NeedCount(NeedCategory.leader_visit, 1, 1),
                          NeedCount(NeedCategory.local_issue, 0, 0), NeedCount(NeedCategory.other, 0, 0))
    assert [(n.raised, n.still_open) for n in lucknow[:4]] == [(1, 1), (1, 0), (0, 0), (0, 0)]


async def test_nothing_assigned_is_an_empty_set_of_trends(session: AsyncSession) -> None:
    trends = await gather_trends(session, start=THIS_WEEK.start, end=END, district_ids=None)

    assert trends.empty
    assert trends.outcomes.assigned == 0 and all(n.raised == 0 for n in trends.needs)


def _image(png: bytes) -> Image.Image:
    image = Image.open(BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image


def _full_trends(districts: int) -> Trends:
    weeks = weeks_ending(END, 6)
    rows = tuple(DistrictTrend(f"District {i:02d}", tuple(ConversationShare(20 + i, (i * 7 + w * 3) % (21 + i))
                                                           for w in range(6)))
                 for i in range(districts))
    counts = (210, 60, 12, 31, 9, 3, 40)
    return Trends(
        period=THIS_WEEK,
        conversations=ConversationTrend(weeks, rows),
        outcomes=OutcomeTally(THIS_WEEK, 400, tuple(zip(Outcome, counts, strict=True))),
        needs=tuple(NeedCount(c, 10 + i, i) for i, c in enumerate(NeedCategory)),
    )


EMPTY = Trends(period=THIS_WEEK, conversations=ConversationTrend(weeks_ending(END, 6), ()),
               outcomes=OutcomeTally(THIS_WEEK, 0, tuple((o, 0) for o in Outcome)),
               needs=tuple(NeedCount(c, 0, 0) for c in NeedCategory))


@pytest.mark.parametrize("language", ["hi", "en"])
@pytest.mark.parametrize("trends, heights", [
    (EMPTY, [(150, 500)] * 3),
    (_full_trends(3), [(600, 1100), (800, 1200), (1100, 1500)]),
    (_full_trends(98), [(1700, 2100), (800, 1200), (1100, 1500)]),
], ids=["empty", "three-districts", "all-of-up"])
def test_every_chart_is_a_png_a_phone_shows_at_full_width(trends: Trends, heights: list[tuple[int, int]],
                                                         language: str) -> None:
    for png, (low, high) in zip(render_charts(trends, language), heights, strict=True):
        image = _image(png)
        assert image.width == WIDTH
        assert low <= image.height <= high
        assert image.width + image.height <= TELEGRAM_PHOTO_SIDES


def test_a_larger_scope_makes_a_taller_table_but_never_more_than_sixteen_districts() -> None:
    three, ten, all_of_up = (_image(conversation_chart(_full_trends(n).conversations, "hi")).height
                             for n in (3, 10, 98))

    assert three < ten < all_of_up
    assert all_of_up - ten < 8 * charts.ROW_HEIGHT


def test_with_many_districts_the_lowest_and_highest_are_shown_and_the_rest_counted() -> None:
    trend = _full_trends(98).conversations

    rows = shown_districts(trend.districts)

    shown = [row for row in rows if isinstance(row, DistrictTrend)]
    (gap,) = [row for row in rows if not isinstance(row, DistrictTrend)]
    everyone = sorted(d.overall.percent or 0 for d in trend.districts)
    assert [d.overall.percent for d in shown] == everyone[:10] + everyone[-5:]
    assert rows.index(gap) == 10 and gap.count == 83
    assert len(shown_districts(trend.districts[:16])) == 16, "sixteen still fit: none is left out"


def test_outcome_bars_are_as_long_as_their_share_of_the_reported_calls() -> None:
    tally = OutcomeTally(THIS_WEEK, 10, ((Outcome.talked, 6), (Outcome.no_answer, 2), (Outcome.switched_off, 2),
                                         (Outcome.wrong_number, 0), (Outcome.call_back, 0)))
    image = _image(outcomes_chart(tally, "en")).convert("RGB")

    widest: dict[tuple[int, int, int], int] = {}  # the most pixels of each colour in one row
    for y in range(image.height):
        for count, colour in image.crop((0, y, WIDTH, y + 1)).getcolors(WIDTH) or ():
            widest[colour] = max(widest.get(colour, 0), count)

    full = WIDTH - 2 * charts.MARGIN - charts.VALUE_ROOM
    assert abs(widest[charts.GREEN] - 0.6 * full) <= 2
    assert abs(widest[charts.ORANGE] - 0.2 * full) <= 2
    assert charts.PURPLE not in widest


def test_the_needs_chart_shows_only_a_line_when_nothing_was_raised() -> None:
    nothing = _image(needs_chart(EMPTY.needs, THIS_WEEK, "hi"))
    some = _image(needs_chart(_full_trends(1).needs, THIS_WEEK, "hi"))

    assert nothing.height < some.height / 3


def _chart_texts(language: str) -> list[str]:
    texts = catalog(language)
    return [text for key, text in texts.items() if key.startswith(("chart.", "outcome.", "need."))]


def test_the_font_has_a_glyph_for_every_character_of_the_hindi_and_english_chart_texts() -> None:
    unshaped = ImageFont.truetype(BytesIO(charts.FONT_FILE.read_bytes()), 40, layout_engine=ImageFont.Layout.BASIC)

    def drawn(character: str) -> tuple[tuple[int, int], bytes]:
        mask = unshaped.getmask(character)
        return mask.size, bytes(mask)

    missing_glyph = drawn("\ue000")  # a private-use character no font maps: the font's "missing" box
    characters = {c for language in ("hi", "en") for text in _chart_texts(language) for c in text
                  if not c.isspace() and c not in "{}🙏"} | set("0123456789%/–·…")

    assert {c for c in characters if drawn(c) == missing_glyph} == set()
    assert any("\u0900" <= c <= "\u097f" for c in characters), "the Hindi texts are in Devanagari"


def test_hindi_is_shaped_conjuncts_joined_reph_raised_and_vowel_signs_placed() -> None:
    shaped = font(40)
    unshaped = ImageFont.truetype(BytesIO(charts.FONT_FILE.read_bytes()), 40, layout_engine=ImageFont.Layout.BASIC)

    assert shaped.layout_engine == ImageFont.Layout.RAQM
    # क्ष is one conjunct glyph when shaped; unshaped it is क, a visible virama and ष side by side.
    assert shaped.getlength("क्ष") < 0.7 * unshaped.getlength("क्ष")
    # र्क: the र becomes the reph, a hook above क, so the syllable is as wide as क and reaches higher.
    assert shaped.getlength("र्क") == shaped.getlength("क") < 0.7 * unshaped.getlength("र्क")
    assert shaped.getbbox("र्क")[1] < shaped.getbbox("क")[1]
    # कि: the vowel sign is typed after क but drawn before it, within the syllable; unshaped it hangs past it.
    assert shaped.getbbox("कि")[2] <= shaped.getlength("कि") + 1
    assert unshaped.getbbox("कि")[2] > unshaped.getlength("कि") + 10


def test_stacked_charts_keep_every_chart_one_below_the_other() -> None:
    pngs = render_charts(_full_trends(3), "en")

    page = _image(stack(pngs))

    assert page.width == WIDTH
    assert page.height == sum(_image(png).height for png in pngs) + 2 * charts.STACK_RULE


async def test_samvad_report_writes_the_charts_to_one_png(db: Database, session: AsyncSession,
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    await build_history(session)
    monkeypatch.setenv("SAMVAD_DATABASE_URL", db.url)
    monkeypatch.setenv("SAMVAD_CONFIG", str(tmp_path / "absent.toml"))
    target = tmp_path / "progress.png"

    written = await asyncio.to_thread(CliRunner().invoke, main, [
        "--lang", "en", "report", "--date", END.isoformat(), "--week", "--chart", str(target)])
    refused = await asyncio.to_thread(CliRunner().invoke, main, [
        "--lang", "en", "report", "--chart", str(tmp_path / "progress.jpg")])

    assert written.exit_code == 0, written.output
    assert f"Charts written to {target}" in written.output
    image = _image(target.read_bytes())
    assert image.width == WIDTH and 2000 < image.height < 4500
    assert refused.exit_code == 2 and ".png" in refused.output
    assert not (tmp_path / "progress.jpg").exists()


def test_the_outcomes_chart_groups_the_attempts_that_did_not_connect_under_their_sum(
        monkeypatch: pytest.MonkeyPatch) -> None:
    tally = OutcomeTally(THIS_WEEK, 10, ((Outcome.talked, 2), (Outcome.no_answer, 3), (Outcome.busy, 2),
                                         (Outcome.switched_off, 1), (Outcome.wrong_number, 0),
                                         (Outcome.not_president, 0), (Outcome.call_back, 0)))
    drawn: list[str] = []
    draw_text = charts._Sheet.text

    def recording(sheet: charts._Sheet, xy: tuple[float, float], text: str, *args: Any, **kwargs: Any) -> None:
        drawn.append(text)
        draw_text(sheet, xy, text, *args, **kwargs)

    monkeypatch.setattr(charts._Sheet, "text", recording)

    outcomes_chart(tally, "en")

    group = drawn.index("Tried, did not connect: 6 (75%)")
    assert drawn.index("Conversation") < group < drawn.index("No answer") < drawn.index("Switched off or out of reach")
    assert drawn.index("Switched off or out of reach") < drawn.index("Wrong number")
