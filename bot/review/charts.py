"""Charts for people who would rather look than read: week-by-week conversations per district, how the calls
went, and what the booths need, as PNG images made for a phone screen.

Pure rendering: figures from `bot.review.trends` in, PNG bytes out; no database, no Telegram. Every image is
1080 px wide (a phone screen's width in pixels), as tall as its content, with text of
26 px and more, every label from the catalog in the reader's language. Text is drawn in Noto Sans Devanagari
(Hindi and Latin) and shaped by libraqm, which Pillow's wheels bundle: without shaping, vowel signs and
conjuncts (कि, क्ष) come out in the wrong order and shape, so a Pillow without raqm is refused. Colours are
the Okabe-Ito palette and an orange-to-blue scale, both readable with colour-blind eyes, and every coloured
mark carries its number in text as well.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont, features

from bot.i18n import format_day, translate
from bot.review.trends import (
    ConversationShare,
    ConversationTrend,
    DistrictTrend,
    NeedCount,
    OutcomeTally,
    Period,
    Trends,
)
from models import NOT_CONNECTED, Outcome

WIDTH = 1080
"""Width of every chart in pixels."""

MARGIN = 48
FONT_FILE = files("fontpkg_noto_sans_devanagari") / "files" / "NotoSansDevanagari[wdth,wght].ttf"

LOWEST_SHOWN = 10
"""With more districts than fit, the conversation chart shows this many with the lowest share..."""
HIGHEST_SHOWN = 5
"""... and this many with the highest; the rest are counted in a line between them."""

Colour = tuple[int, int, int]
WHITE: Colour = (255, 255, 255)
INK: Colour = (33, 33, 33)
MUTED: Colour = (100, 100, 100)
NO_CALLS: Colour = (232, 232, 232)
RULE: Colour = (200, 200, 200)
# Okabe-Ito colours (Okabe & Ito 2008): told apart with every common kind of colour blindness.
BLUE: Colour = (0, 114, 178)
ORANGE: Colour = (230, 159, 0)
SKY: Colour = (86, 180, 233)
GREEN: Colour = (0, 158, 115)
VERMILLION: Colour = (213, 94, 0)
PURPLE: Colour = (204, 121, 167)
YELLOW: Colour = (240, 228, 66)
OUTCOME_COLOURS: dict[Outcome, Colour] = {
    Outcome.talked: GREEN,
    Outcome.no_answer: ORANGE,
    Outcome.busy: YELLOW,
    Outcome.switched_off: VERMILLION,
    Outcome.wrong_number: PURPLE,
    Outcome.not_president: BLUE,
    Outcome.call_back: SKY,
}
# Reporting scale, 0% to 100%: dark orange through light grey to dark blue (ColorBrewer's diverging
# orange-blue ends), so the low districts stand out whichever colours a reader can tell apart.
SCALE: tuple[Colour, Colour, Colour] = ((179, 88, 6), (240, 240, 240), (33, 102, 172))


@cache
def _font_bytes() -> bytes:
    return FONT_FILE.read_bytes()


@cache
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Noto Sans Devanagari at `size` pixels, regular or bold, laid out by libraqm (complex text shaping)."""
    if not features.check("raqm"):
        raise RuntimeError("Pillow was built without libraqm: Devanagari would be drawn unshaped")
    loaded = ImageFont.truetype(BytesIO(_font_bytes()), size, layout_engine=ImageFont.Layout.RAQM)
    loaded.set_variation_by_name("Bold" if bold else "Regular")
    return loaded


@dataclass(frozen=True)
class _Faces:
    """The type sizes of the charts, in pixels on a 1080-px-wide image."""

    title: ImageFont.FreeTypeFont
    subtitle: ImageFont.FreeTypeFont
    label: ImageFont.FreeTypeFont
    value: ImageFont.FreeTypeFont
    small: ImageFont.FreeTypeFont
    small_bold: ImageFont.FreeTypeFont
    tiny: ImageFont.FreeTypeFont


@cache
def _faces() -> _Faces:
    """Loaded on first drawing, not on import: a command that draws nothing never needs the font."""
    return _Faces(title=font(46, bold=True), subtitle=font(30), label=font(34), value=font(32, bold=True),
                  small=font(26), small_bold=font(28, bold=True), tiny=font(22))


def _line_height(face: ImageFont.FreeTypeFont) -> int:
    ascent, descent = face.getmetrics()
    return int(ascent + descent)


def _fit(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """`text`, cut and ended with "…" if it is wider than `width`; never ending in a lone vowel sign or virama."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
        while text and unicodedata.category(text[-1]).startswith("M"):
            text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` (a single overlong word is cut)."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_fit(word, face, width))
    return lines


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def describe_period(language: str, period: Period) -> str:
    """A period in words: one day, or "from … to …"."""
    if period.start == period.end:
        return format_day(language, period.start)
    return translate(language, "chart.period", start=format_day(language, period.start),
                     end=format_day(language, period.end))


def _mix(low: Colour, high: Colour, share: float) -> Colour:
    r, g, b = (round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    return r, g, b


def scale_colour(percent: int) -> Colour:
    """The heat-table colour of a reporting percentage: orange when low, grey half-way, blue when high."""
    share = min(max(percent, 0), 100) / 100
    if share <= 0.5:
        return _mix(SCALE[0], SCALE[1], share * 2)
    return _mix(SCALE[1], SCALE[2], share * 2 - 1)


def _ink_on(background: Colour) -> Colour:
    """Dark text on a light background, white on a dark one."""
    r, g, b = background
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else WHITE


class _Sheet:
    """A white page 1080 px wide, written from the top down; `png()` keeps the part written on."""

    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH, 1400), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN

    def reserve(self, height: int) -> int:
        """Room for `height` more pixels below what is written: the y to draw at (the page grows as needed)."""
        needed = self.y + height + MARGIN
        if needed > self.image.height:
            taller = Image.new("RGB", (WIDTH, max(needed, 2 * self.image.height)), WHITE)
            taller.paste(self.image, (0, 0))
            self.image, self.draw = taller, ImageDraw.Draw(taller)
        top = self.y
        self.y += height
        return top

    def text(self, xy: tuple[float, float], text: str, face: ImageFont.FreeTypeFont, fill: Colour = INK,
             anchor: str = "la") -> None:
        """One line of text; `anchor` as in Pillow ("la": left and top of the ascender at `xy`)."""
        self.draw.text(xy, text, font=face, fill=fill, anchor=anchor)

    def paragraph(self, text: str, face: ImageFont.FreeTypeFont, fill: Colour = INK, *, after: int = 8) -> None:
        """Text wrapped to the width of the page, then `after` pixels of space."""
        for line in _wrap(text, face, WIDTH - 2 * MARGIN):
            self.text((MARGIN, self.reserve(_line_height(face))), line, face, fill)
        self.reserve(after)

    def heading(self, title: str, *subtitles: str) -> None:
        """The chart's title and the lines that say what it shows."""
        faces = _faces()
        self.paragraph(title, faces.title, after=4)
        for subtitle in subtitles:
            self.paragraph(subtitle, faces.subtitle, MUTED, after=2)
        self.reserve(24)

    def swatch(self, x: float, top: float, colour: Colour, label: str) -> float:
        """A coloured square with its label; the x after it."""
        faces = _faces()
        size = _line_height(faces.small) - 10
        self.draw.rectangle((x, top + 5, x + size, top + 5 + size), fill=colour)
        self.text((x + size + 12, top), label, faces.small)
        return x + size + 12 + faces.small.getlength(label) + 36

    def png(self) -> bytes:
        """The page, cut below the last thing written, as PNG bytes."""
        page = self.image.crop((0, 0, WIDTH, self.y + MARGIN))
        out = BytesIO()
        page.save(out, format="PNG")
        return out.getvalue()


NAME_WIDTH = 300
HEADER_HEIGHT = 78
ROW_HEIGHT = 82
GAP_ROW_HEIGHT = 56
CELL_GAP = 4


@dataclass(frozen=True)
class _Gap:
    """Districts left out between the lowest and the highest."""

    count: int


def shown_districts(districts: Sequence[DistrictTrend]) -> list[DistrictTrend | _Gap]:
    """The districts in order of their reporting over all the weeks, lowest first; with too many for a
    phone, the lowest and the highest, and a gap that counts the others."""
    ordered = sorted(districts, key=lambda d: (d.overall.percent or 0, d.name))
    if len(ordered) <= LOWEST_SHOWN + HIGHEST_SHOWN + 1:
        return list(ordered)
    hidden = len(ordered) - LOWEST_SHOWN - HIGHEST_SHOWN
    return [*ordered[:LOWEST_SHOWN], _Gap(hidden), *ordered[-HIGHEST_SHOWN:]]


def _cell(sheet: _Sheet, box: tuple[float, float, float, float], completion: ConversationShare) -> None:
    """A week's square: coloured by its percentage, with the percentage and conversations/assigned in it."""
    faces = _faces()
    left, top, right, bottom = box
    percent = completion.percent
    background = NO_CALLS if percent is None else scale_colour(percent)
    sheet.draw.rectangle(box, fill=background)
    middle = (left + right) / 2
    if percent is None:
        sheet.text((middle, (top + bottom) / 2), "–", faces.value, MUTED, anchor="mm")
        return
    ink = _ink_on(background)
    fraction = f"{completion.conversations}/{completion.assigned}"
    fitting = [face for face in (faces.small, faces.tiny) if face.getlength(fraction) <= right - left - 8]
    if not fitting:
        sheet.text((middle, (top + bottom) / 2), f"{percent}%", faces.value, ink, anchor="mm")
        return
    sheet.text((middle, top + 8), f"{percent}%", faces.value, ink, anchor="ma")
    sheet.text((middle, bottom - 8), fraction, fitting[0], ink, anchor="md")


def _scale_legend(sheet: _Sheet, language: str) -> None:
    """The colour scale from 0% to 100%, and what a grey "–" square means."""
    faces = _faces()
    sheet.reserve(16)
    top = sheet.reserve(28)
    left, right = MARGIN, WIDTH - MARGIN
    for x in range(left, right):
        sheet.draw.line((x, top, x, top + 28), fill=scale_colour(round(100 * (x - left) / (right - left - 1))))
    labels_top = sheet.reserve(_line_height(faces.small) + 12) + 6
    for share, anchor in ((0, "la"), (50, "ma"), (100, "ra")):
        sheet.text((left + (right - left) * share / 100, labels_top), f"{share}%", faces.small, MUTED, anchor=anchor)
    sheet.paragraph(translate(language, "chart.completion.no_calls"), faces.small, MUTED)


def conversation_chart(trend: ConversationTrend, language: str) -> bytes:
    """A heat-table of conversations: a row per district (lowest first, all districts together on top), a
    column per week, each square coloured by the share of the week's calls on which the office-bearer talked
    with the booth president (attempts that did not connect count as no conversation)."""
    faces = _faces()
    sheet = _Sheet()
    subtitles = [translate(language, "chart.completion.subtitle")]
    rows = shown_districts(trend.districts)
    if len(rows) < len(trend.districts):
        subtitles.append(translate(language, "chart.completion.cut", total=len(trend.districts),
                                   lowest=LOWEST_SHOWN, highest=HIGHEST_SHOWN))
    sheet.heading(translate(language, "chart.completion.title", weeks=len(trend.weeks)), *subtitles)
    if not trend.districts:
        sheet.paragraph(translate(language, "chart.nothing"), faces.label)
        return sheet.png()
    first_cell = MARGIN + NAME_WIDTH
    cell_width = (WIDTH - MARGIN - first_cell) / len(trend.weeks)
    top = sheet.reserve(HEADER_HEIGHT)
    sheet.text((MARGIN, top + HEADER_HEIGHT - 12), translate(language, "chart.completion.district"), faces.small_bold,
               anchor="ld")
    for index, week in enumerate(trend.weeks):
        middle = first_cell + cell_width * (index + 0.5)
        sheet.text((middle, top), format_day(language, week.start, with_year=False), faces.small_bold, anchor="ma")
        sheet.text((middle, top + HEADER_HEIGHT - 12), "–" + format_day(language, week.end, with_year=False),
                   faces.small, MUTED, anchor="md")
    table: list[tuple[str, tuple[ConversationShare, ...], bool] | _Gap] = []
    if len(trend.districts) > 1:
        table.append((translate(language, "chart.completion.all"), trend.totals, True))
    table.extend(row if isinstance(row, _Gap) else (row.name, row.weeks, False) for row in rows)
    for row in table:
        if isinstance(row, _Gap):
            top = sheet.reserve(GAP_ROW_HEIGHT)
            sheet.text((WIDTH / 2, top + GAP_ROW_HEIGHT / 2),
                       translate(language, "chart.completion.more", count=row.count), faces.small, MUTED, anchor="mm")
            continue
        name, weeks, is_total = row
        top = sheet.reserve(ROW_HEIGHT)
        face = faces.value if is_total else faces.label
        sheet.text((MARGIN, top + ROW_HEIGHT / 2), _fit(name, face, NAME_WIDTH - 12), face, anchor="lm")
        for index, completion in enumerate(weeks):
            left = first_cell + cell_width * index
            _cell(sheet, (left + CELL_GAP / 2, top + CELL_GAP / 2, left + cell_width - CELL_GAP / 2,
                          top + ROW_HEIGHT - CELL_GAP / 2), completion)
        if is_total:
            sheet.reserve(12)
    _scale_legend(sheet, language)
    return sheet.png()


BAR_HEIGHT = 44
OUTCOME_BAR_HEIGHT = 36
"""Outcome bars are slimmer: seven of them still fit a phone screen."""
VALUE_ROOM = 230
"""Room kept right of the longest bar for its figures."""


def _bar(sheet: _Sheet, share: float, colour: Colour, figures: str, height: int = BAR_HEIGHT) -> None:
    """A horizontal bar from the left margin, `share` (0..1) of the full length, with its figures after it."""
    faces = _faces()
    top = sheet.reserve(height)
    length = (WIDTH - 2 * MARGIN - VALUE_ROOM) * share
    if length >= 1:
        sheet.draw.rectangle((MARGIN, top, MARGIN + length, top + height), fill=colour)
    sheet.text((MARGIN + length + 14, top + height / 2), figures, faces.value, anchor="lm")


def outcomes_chart(tally: OutcomeTally, language: str) -> bytes:
    """How the period's reported calls ended: a bar per outcome with its count and share of the reported, in
    three groups under their own headings: the conversations, the attempts that did not connect (with their
    sum), and the rest (a number or president to correct, a call back asked for)."""
    faces = _faces()
    sheet = _Sheet()
    sheet.heading(translate(language, "chart.outcomes.title"),
                  translate(language, "chart.outcomes.subtitle", period=describe_period(language, tally.period),
                            reported=tally.reported, assigned=tally.assigned))
    if not tally.assigned:
        sheet.paragraph(translate(language, "chart.nothing"), faces.label)
        return sheet.png()
    counts = dict(tally.outcomes)
    groups = (
        (translate(language, "chart.outcomes.group.conversation"), (Outcome.talked,)),
        (translate(language, "chart.outcomes.group.not_connected", count=tally.not_connected,
                   percent=_percent(tally.not_connected, tally.reported)), NOT_CONNECTED),
        (translate(language, "chart.outcomes.group.other"),
         tuple(o for o in Outcome if o is not Outcome.talked and o not in NOT_CONNECTED)),
    )
    for title, outcomes in groups:
        sheet.paragraph(title, faces.small_bold, after=2)
        rule = sheet.reserve(3)
        sheet.draw.rectangle((MARGIN, rule, WIDTH - MARGIN, rule + 2), fill=RULE)
        sheet.reserve(10)
        for outcome in outcomes:
            count = counts.get(outcome, 0)
            sheet.paragraph(translate(language, f"outcome.{outcome.value}"), faces.label, after=4)
            share = count / tally.reported if tally.reported else 0
            _bar(sheet, share, OUTCOME_COLOURS[outcome], f"{count} · {_percent(count, tally.reported)}",
                 height=OUTCOME_BAR_HEIGHT)
            sheet.reserve(10)
        sheet.reserve(8)
    return sheet.png()


def needs_chart(needs: Sequence[NeedCount], period: Period, language: str) -> bytes:
    """Needs raised on the period's calls by category: a bar for those raised and one for those still open."""
    faces = _faces()
    sheet = _Sheet()
    raised = sum(need.raised for need in needs)
    still_open = sum(need.still_open for need in needs)
    sheet.heading(translate(language, "chart.needs.title"),
                  translate(language, "chart.needs.subtitle", period=describe_period(language, period), raised=raised,
                            still_open=still_open))
    if not raised:
        sheet.paragraph(translate(language, "chart.needs.none"), faces.label)
        return sheet.png()
    top = sheet.reserve(_line_height(faces.small) + 24)
    after = sheet.swatch(MARGIN, top, BLUE, translate(language, "chart.needs.raised"))
    if after + faces.small.getlength(translate(language, "chart.needs.open")) + 40 > WIDTH - MARGIN:
        after, top = MARGIN, sheet.reserve(_line_height(faces.small) + 24)
    sheet.swatch(after, top, ORANGE, translate(language, "chart.needs.open"))
    most = max(need.raised for need in needs)
    for need in needs:
        sheet.paragraph(translate(language, f"need.{need.category.value}"), faces.label, after=4)
        _bar(sheet, need.raised / most, BLUE, str(need.raised), height=36)
        sheet.reserve(6)
        _bar(sheet, need.still_open / most, ORANGE, f"{need.still_open} · {_percent(need.still_open, need.raised)}",
             height=36)
        sheet.reserve(22)
    return sheet.png()


def render_charts(trends: Trends, language: str) -> tuple[bytes, bytes, bytes]:
    """The three charts of `trends` in `language`: conversations by district, outcomes, needs."""
    return (conversation_chart(trends.conversations, language), outcomes_chart(trends.outcomes, language),
            needs_chart(trends.needs, trends.period, language))


STACK_RULE = 6
"""Height of the grey rule between stacked charts."""


def stack(images: Sequence[bytes]) -> bytes:
    """PNG images one below the other on one page, with a rule between them (for a file to print or share)."""
    opened = [Image.open(BytesIO(image)) for image in images]
    page = Image.new("RGB", (WIDTH, sum(i.height for i in opened) + STACK_RULE * (len(opened) - 1)), RULE)
    y = 0
    for image in opened:
        page.paste(image, (0, y))
        y += image.height + STACK_RULE
    out = BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()
