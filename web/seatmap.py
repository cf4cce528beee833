"""The map of Uttar Pradesh's 80 Lok Sabha seats, drawn as an inline SVG string: pure Python, the stdlib only.

The boundaries are `web/data/up_lok_sabha_2019.geojson` (DataMeet, simplified by Arun Ganesh, CC0; see
`web/data/README.md`). `render_map` colours each seat by a figure on a five-step colour-blind-safe blue scale
(ColorBrewer "Blues"; grey for no data), outlines the focus seats and highlights a selected one; `legend` gives
the same steps for the page to draw; `seat_number_for` turns a roster's Lok Sabha name (English or Hindi, old
or new name) into the map's `pc_no` through an explicit alias table, never a fuzzy guess.

The SVG carries no script and no `style` attributes (fills and strokes are presentation attributes), so it
fits a Content-Security-Policy without `unsafe-inline`. Each seat is one `<path id="seat-<pc_no>"
data-pc="<pc_no>">` with a `<title>`, for the page to make tappable.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from xml.sax.saxutils import escape, quoteattr

from bot.i18n import translate

DATA_FILE = "up_lok_sabha_2019.geojson"
SEAT_COUNT = 80

WIDTH = 600
"""The width of the viewBox, in SVG user units; the height follows from the projection."""
PADDING = 8
"""Room around the state for the outlines' strokes, in user units."""

STEPS: tuple[str, ...] = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
"""ColorBrewer "Blues", five classes: sequential, colour-blind safe, light (low) to dark (high)."""
NO_DATA = "#bdbdbd"
"""The fill of a seat with no figure."""
BORDER = "#ffffff"
FOCUS_STROKE = "#1a1a1a"
SELECTED_STROKE = "#d55e00"
"""Okabe-Ito vermilion: stands out from the blues and from the focus outline's near-black."""

Ring = tuple[tuple[float, float], ...]
"""A closed ring of (longitude, latitude) points."""
Polygon = tuple[Ring, ...]
"""An outer ring followed by its holes."""


@dataclass(frozen=True, slots=True)
class SeatShape:
    """One Lok Sabha seat as the map has it: number, names and boundary (WGS84 longitude/latitude)."""

    pc_no: int
    name_en: str
    name_hi: str
    category: str
    polygons: tuple[Polygon, ...]

    def name(self, language: str) -> str:
        return self.name_hi if language == "hi" else self.name_en


@cache
def load_seats() -> tuple[SeatShape, ...]:
    """The 80 seats in `pc_no` order, read once from the packaged GeoJSON."""
    raw = resources.files("web").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    seats = []
    for feature in json.loads(raw)["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        if geometry["type"] == "Polygon":
            parts = [geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":
            parts = geometry["coordinates"]
        else:  # pragma: no cover - the packaged file holds only these two
            raise ValueError(f"unexpected geometry {geometry['type']} for seat {props['pc_no']}")
        polygons = tuple(tuple(tuple((float(x), float(y)) for x, y, *_ in ring) for ring in polygon)
                         for polygon in parts)
        seats.append(SeatShape(pc_no=int(props["pc_no"]), name_en=props["pc_name"].strip(),
                               name_hi=unicodedata.normalize("NFC", props["pc_name_hi"].strip()),
                               category=props.get("pc_category") or "", polygons=polygons))
    seats.sort(key=lambda seat: seat.pc_no)
    if len(seats) != SEAT_COUNT:  # pragma: no cover - guards a replaced data file
        raise ValueError(f"expected {SEAT_COUNT} seats, found {len(seats)}")
    return tuple(seats)


# --- projection --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Projection:
    """Equirectangular with the cosine of the mid latitude, scaled to `WIDTH`, y flipped (north up).

    Points come out in tenths of a user unit, as integers: the SVG keeps one decimal.
    """

    west: float
    north: float
    x_scale: float
    scale: float
    width: int
    height: int

    def tenths(self, lon: float, lat: float) -> tuple[int, int]:
        x = PADDING + (lon - self.west) * self.x_scale * self.scale
        y = PADDING + (self.north - lat) * self.scale
        return round(x * 10), round(y * 10)


@cache
def projection(width: int = WIDTH) -> Projection:
    """The projection fitting the whole state into a viewBox `width` wide."""
    points = [point for seat in load_seats() for polygon in seat.polygons for ring in polygon for point in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    x_scale = math.cos(math.radians((south + north) / 2))
    scale = (width - 2 * PADDING) / ((east - west) * x_scale)
    height = math.ceil((north - south) * scale + 2 * PADDING)
    return Projection(west=west, north=north, x_scale=x_scale, scale=scale, width=width, height=height)


def _number(tenths: int) -> str:
    """A length in tenths as the shortest SVG number: 123 → "12.3", 5 → ".5", -20 → "-2"."""
    sign = "-" if tenths < 0 else ""
    whole, fraction = divmod(abs(tenths), 10)
    if not fraction:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{fraction}"


def _join(numbers: Iterable[str]) -> str:
    out: list[str] = []
    for text in numbers:
        if out and not text.startswith("-") and not (text.startswith(".") and "." in out[-1]):
            out.append(" ")
        out.append(text)
    return "".join(out)


@cache
def seat_path(pc_no: int, width: int = WIDTH) -> str:
    """The seat's path data: each ring an absolute move then relative lines (exact, in tenths), closed."""
    proj = projection(width)
    seat = next(seat for seat in load_seats() if seat.pc_no == pc_no)
    commands: list[str] = []
    for polygon in seat.polygons:
        for ring in polygon:
            points: list[tuple[int, int]] = []
            for lon, lat in ring:
                point = proj.tenths(lon, lat)
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) > 1 and points[-1] == points[0]:
                points.pop()  # "z" closes the ring
            if len(points) < 3:
                continue
            (x0, y0), rest = points[0], points[1:]
            deltas: list[str] = []
            previous = points[0]
            for x, y in rest:
                deltas += (_number(x - previous[0]), _number(y - previous[1]))
                previous = (x, y)
            commands.append(f"M{_join((_number(x0), _number(y0)))}l{_join(deltas)}z")
    return "".join(commands)


def path_points(path: str) -> list[tuple[float, float]]:
    """The absolute points of a path written by `seat_path` (for checks: M, l and z only)."""
    points: list[tuple[float, float]] = []
    for command, args in re.findall(r"([Mlz])([^Mlz]*)", path):
        numbers = [float(n) for n in re.findall(r"-?(?:\d+\.?\d*|\.\d+)", args)]
        pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
        if command == "M":
            points += pairs
        elif command == "l":
            x, y = points[-1]
            for dx, dy in pairs:
                x, y = round(x + dx, 1), round(y + dy, 1)
                points.append((x, y))
    return points


# --- colours -----------------------------------------------------------------------------------------------


def _domain(values: Mapping[int, float | None], domain: tuple[float, float] | None) -> tuple[float, float] | None:
    if domain is not None:
        return domain
    present = [value for value in values.values() if value is not None and math.isfinite(value)]
    if not present:
        return None
    return min(present), max(present)


def _step(value: float, low: float, high: float) -> int:
    if high <= low:
        return len(STEPS) - 1
    share = (value - low) / (high - low)
    return max(0, min(len(STEPS) - 1, math.floor(share * len(STEPS))))


def colour_for(value: float | None, low: float, high: float) -> str:
    """The fill for one figure on a scale from `low` to `high`: grey for none, darker for higher."""
    if value is None or not math.isfinite(value):
        return NO_DATA
    return STEPS[_step(value, low, high)]


def legend(values: Mapping[int, float | None], *,
           domain: tuple[float, float] | None = None) -> list[tuple[str, float, float]]:
    """The steps `render_map` uses for these values: (colour, low, high), lightest first.

    Five equal steps from the smallest figure to the largest (or over `domain`, e.g. (0, 100) for a share, so
    that two periods' maps compare); one step when every figure is the same; none when there is no figure.
    The page adds the grey "no data" swatch (`NO_DATA`) itself when a seat has no figure.
    """
    bounds = _domain(values, domain)
    if bounds is None:
        return []
    low, high = bounds
    if high <= low:
        return [(STEPS[-1], low, high)]
    width = (high - low) / len(STEPS)
    return [(colour, low + i * width, high if i == len(STEPS) - 1 else low + (i + 1) * width)
            for i, colour in enumerate(STEPS)]


# --- the SVG -----------------------------------------------------------------------------------------------


def _attrs(**attributes: object) -> str:
    return "".join(f" {name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}"
                   for name, value in attributes.items() if value is not None)


def render_map(values: Mapping[int, float | None], *, focus: Collection[int], language: str,
               labels: Mapping[int, str] | None = None, selected: int | None = None,
               domain: tuple[float, float] | None = None, caption: str | None = None,
               width: int = WIDTH) -> str:
    """The map as an accessible inline SVG string.

    `values` maps `pc_no` to the figure (missing or None: no data, grey); `focus` the `pc_no`s to outline;
    `labels` the text added to each seat's title after its name (e.g. "बात 42%"); `selected` the seat to
    highlight; `domain` fixes the colour scale (see `legend`); `caption` replaces the default aria-label.
    Titles are in Hindi for `language == "hi"`, English otherwise.
    """
    texts = {key: translate(language, f"map.{key}") for key in ("map", "focus", "no_data")}
    proj = projection(width)
    bounds = _domain(values, domain)
    low, high = bounds if bounds is not None else (0.0, 0.0)
    focus = frozenset(focus)
    labels = labels or {}
    view = f"0 0 {proj.width} {proj.height}"

    seats: list[str] = []
    outlines: list[str] = []
    for seat in load_seats():
        value = values.get(seat.pc_no)
        data = value is not None and math.isfinite(value)
        classes = ["seat"]
        if seat.pc_no in focus:
            classes.append("seat-focus")
        if not data:
            classes.append("no-data")
        if seat.pc_no == selected:
            classes.append("selected")
        parts = [seat.name(language)]
        if seat.pc_no in labels:
            parts.append(labels[seat.pc_no])
        elif not data:
            parts.append(texts["no_data"])
        if seat.pc_no in focus:
            parts.append(texts["focus"])
        title = " — ".join(parts[:2]) + "".join(f" · {part}" for part in parts[2:])
        path = seat_path(seat.pc_no, width)
        fill = colour_for(value, low, high)
        seats.append(f"<path{_attrs(id=f'seat-{seat.pc_no}', class_=' '.join(classes), data_pc=seat.pc_no)}"
                     f"{_attrs(fill=fill, d=path)}><title>{escape(title)}</title></path>")
        if seat.pc_no in focus:
            outlines.append(f"<path{_attrs(class_='focus', data_pc=seat.pc_no, d=path)}/>")
    selected_outline = ""
    if selected is not None and any(seat.pc_no == selected for seat in load_seats()):
        selected_outline = (f"<path{_attrs(class_='selected-outline', data_pc=selected, fill='none')}"
                            f"{_attrs(stroke=SELECTED_STROKE, stroke_width=3, stroke_linejoin='round')}"
                            f"{_attrs(pointer_events='none', aria_hidden='true', d=seat_path(selected, width))}/>")

    label = caption if caption is not None else texts["map"]
    return "".join([
        f"<svg{_attrs(xmlns='http://www.w3.org/2000/svg', viewBox=view, role='img', aria_label=label)}"
        f"{_attrs(class_='seat-map', lang='hi' if language == 'hi' else 'en')}>",
        f"<title>{escape(label)}</title>",
        f"<g{_attrs(class_='seats', stroke=BORDER, stroke_width='0.6', stroke_linejoin='round')}"
        f"{_attrs(fill_rule='evenodd')}>",
        *seats,
        "</g>",
        f"<g{_attrs(class_='focus-outlines', fill='none', stroke=FOCUS_STROKE, stroke_width='1.8')}"
        f"{_attrs(stroke_linejoin='round', fill_rule='evenodd', pointer_events='none', aria_hidden='true')}>",
        *outlines,
        "</g>",
        selected_outline,
        "</svg>",
    ])


# --- names -------------------------------------------------------------------------------------------------

ALIASES: dict[str, int] = {
    # today's names for the map's 2019 names (maps README), in both scripts
    "Prayagraj": 52, "प्रयागराज": 52,
    "Ayodhya": 54, "अयोध्या": 54,
    "Kushinagar": 65,
    "Lakhimpur Kheri": 28, "लखीमपुर खीरी": 28,
    "Shravasti": 58,
    "Machhlishahar": 74, "Machhalishahar": 74, "Machhlishahr": 74,
    # spellings of the project's own geography and common roster spellings
    "Gautam Buddh Nagar": 13,
    "Budaun": 23, "बदायूँ": 23,
    "Dumariyaganj": 60, "Domariaganj": 60,
    "Raebareli": 36,
    "Bulandshahar": 14, "बुलंदशहर": 14,
    "फर्रुखाबाद": 40,
    "Robertganj": 80,
}
"""Other names for a map seat, an explicit table: a name here or on the map matches; nothing else does."""


def _key(name: str) -> str:
    """A name reduced for matching: NFC, case-folded, without spaces, hyphens, dots or nukta, ँ as ं."""
    text = unicodedata.normalize("NFC", name).casefold()
    text = unicodedata.normalize("NFD", text).replace("\u093c", "")  # nukta: ज़ → ज
    text = unicodedata.normalize("NFC", text).replace("\u0901", "\u0902")  # chandrabindu → anusvara
    return re.sub(r"[\s\-.'’_]+", "", text)


@cache
def _names() -> dict[str, int]:
    table: dict[str, int] = {}
    entries = [(seat.name_en, seat.pc_no) for seat in load_seats()]
    entries += [(seat.name_hi, seat.pc_no) for seat in load_seats()]
    entries += list(ALIASES.items())
    for name, pc_no in entries:
        key = _key(name)
        if table.setdefault(key, pc_no) != pc_no:  # pragma: no cover - guarded by the tests
            raise ValueError(f"the name {name!r} matches two seats")
    return table


def seat_number_for(name: str) -> int | None:
    """The map's `pc_no` for a roster's Lok Sabha name (English or Hindi, any case, old or new), or None."""
    return _names().get(_key(name))


def seat_numbers_for(names: Sequence[str]) -> tuple[frozenset[int], tuple[str, ...]]:
    """The `pc_no`s for names (e.g. `outreach.focus_lok_sabha`), and the names that matched no seat."""
    found = {name: seat_number_for(name) for name in names}
    return (frozenset(pc for pc in found.values() if pc is not None),
            tuple(name for name, pc in found.items() if pc is None))
