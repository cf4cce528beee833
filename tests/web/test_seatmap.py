"""The seat map: 80 seats from the packaged GeoJSON, an SVG that parses, colours that follow the figures,
the focus seats outlined, titles in the reader's language, names matched through the alias table."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from bot.roster.geodata import DISTRICT_SEATS, FOCUS_LOK_SABHA_SEATS
from web import seatmap
from web.seatmap import (
    NO_DATA,
    STEPS,
    legend,
    load_seats,
    path_points,
    render_map,
    seat_number_for,
    seat_numbers_for,
)

SVG = "{http://www.w3.org/2000/svg}"
FOCUS_FROM_CONTEXT = ("Saharanpur", "Bijnor", "Nagina", "Amroha", "Moradabad", "Rampur", "Sambhal", "Mainpuri",
                      "Rae Bareli", "Ghazipur", "Jaunpur", "Lalganj", "Ghosi", "Ambedkar Nagar")
"""The 14 focus seats as ../shared/CONTEXT.md names them (lost in 2019)."""


def _focus() -> frozenset[int]:
    numbers, unknown = seat_numbers_for(FOCUS_FROM_CONTEXT)
    assert unknown == ()
    return numbers


def _seat_paths(root: ET.Element) -> dict[int, ET.Element]:
    paths = [p for p in root.iter(f"{SVG}path") if (p.get("id") or "").startswith("seat-")]
    by_number = {int(p.get("data-pc")): p for p in paths}
    assert len(by_number) == len(paths)
    return by_number


def _render(**kwargs) -> tuple[str, ET.Element]:
    kwargs.setdefault("focus", _focus())
    kwargs.setdefault("language", "hi")
    svg = render_map(kwargs.pop("values", {}), **kwargs)
    return svg, ET.fromstring(svg)


def test_the_packaged_file_holds_the_80_seats_with_numbers_and_both_names() -> None:
    seats = load_seats()

    assert [seat.pc_no for seat in seats] == list(range(1, 81))
    assert all(seat.name_en and seat.name_hi and seat.polygons for seat in seats)
    assert all(re.fullmatch(r"[\u0900-\u097F ]+", seat.name_hi) for seat in seats)
    assert len({seat.name_hi for seat in seats}) == 80
    assert load_seats() is seats  # read once


def test_the_svg_parses_and_has_one_path_per_seat_with_id_data_and_class() -> None:
    svg, root = _render(values={n: float(n) for n in range(1, 81)})

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    paths = _seat_paths(root)
    assert sorted(paths) == list(range(1, 81))
    assert all(p.get("id") == f"seat-{n}" and "seat" in p.get("class").split() for n, p in paths.items())
    assert "<script" not in svg and "style=" not in svg


def test_fills_follow_the_values_darker_for_higher_and_grey_for_none() -> None:
    values: dict[int, float | None] = {n: float(n) for n in range(1, 81)}
    values[7] = None
    del values[8]
    _, root = _render(values=values)
    paths = _seat_paths(root)

    assert paths[7].get("fill") == NO_DATA and paths[8].get("fill") == NO_DATA
    assert "no-data" in paths[7].get("class").split()
    steps = [STEPS.index(paths[n].get("fill")) for n in range(9, 81)]
    assert steps == sorted(steps)
    assert paths[1].get("fill") == STEPS[0] and paths[80].get("fill") == STEPS[-1]
    assert set(steps) == set(range(len(STEPS)))


def test_the_legend_matches_the_fills() -> None:
    values = {n: float(n) for n in range(1, 81)}
    _, root = _render(values=values)
    paths = _seat_paths(root)
    steps = legend(values)

    assert [colour for colour, _, _ in steps] == list(STEPS)
    assert steps[0][1] == 1 and steps[-1][2] == 80
    for number, value in values.items():
        top = value == steps[-1][2]
        colour = next(c for c, low, high in steps if low <= value < high or (top and high == value))
        assert paths[number].get("fill") == colour, number
    assert legend({}) == [] and legend({1: None}) == []
    assert legend({1: 5.0, 2: 5.0}) == [(STEPS[-1], 5.0, 5.0)]
    assert [low for _, low, _ in legend({1: 30.0}, domain=(0, 100))] == [0, 20, 40, 60, 80]


def test_a_fixed_domain_keeps_colours_comparable() -> None:
    _, root = _render(values={1: 10.0, 2: 95.0, 3: 50.0}, domain=(0.0, 100.0))
    paths = _seat_paths(root)

    assert [paths[n].get("fill") for n in (1, 3, 2)] == [STEPS[0], STEPS[2], STEPS[4]]


def test_the_14_focus_seats_are_outlined_on_top() -> None:
    focus = _focus()
    _, root = _render(values={}, focus=focus)
    groups = root.findall(f"{SVG}g")
    outlines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "focus"]

    assert len(focus) == 14
    assert {int(p.get("data-pc")) for p in outlines} == focus
    assert groups[-1].get("class") == "focus-outlines"  # drawn after the seats
    assert groups[-1].get("fill") == "none" and groups[-1].get("pointer-events") == "none"
    paths = _seat_paths(root)
    assert all(p.get("d") == paths[int(p.get("data-pc"))].get("d") for p in outlines)
    assert {n for n, p in paths.items() if "seat-focus" in p.get("class").split()} == focus


def test_the_focus_names_of_the_project_geography_all_resolve() -> None:
    assert seat_numbers_for(FOCUS_LOK_SABHA_SEATS)[0] == _focus()
    assert seat_number_for("सहारनपुर") == 1 and seat_number_for("Saharanpur") == 1


def test_the_selected_seat_is_highlighted() -> None:
    _, root = _render(values={}, selected=52)
    paths = _seat_paths(root)
    highlight = [p for p in root.iter(f"{SVG}path") if p.get("class") == "selected-outline"]

    assert "selected" in paths[52].get("class").split()
    assert [p.get("data-pc") for p in highlight] == ["52"]
    assert highlight[0].get("d") == paths[52].get("d")
    assert list(root)[-1] is highlight[0]  # on top of everything
    _, unknown = _render(values={}, selected=999)
    assert unknown.find(f".//{SVG}path[@class='selected-outline']") is None


def test_titles_are_in_the_readers_language_with_the_label() -> None:
    _, hindi = _render(values={1: 42.0}, language="hi", labels={1: "बात 42%"})
    _, english = _render(values={1: 42.0}, language="en", labels={1: "calls 42%"})

    assert _seat_paths(hindi)[1].find(f"{SVG}title").text.startswith("सहारनपुर — बात 42%")
    assert _seat_paths(english)[1].find(f"{SVG}title").text.startswith("Saharanpur — calls 42%")
    assert _seat_paths(hindi)[52].find(f"{SVG}title").text.startswith("इलाहाबाद")
    assert _seat_paths(english)[52].find(f"{SVG}title").text.startswith("Allahabad")
    assert "कोई आँकड़ा नहीं" in _seat_paths(hindi)[52].find(f"{SVG}title").text
    assert english.get("lang") == "en" and hindi.get("lang") == "hi"


def test_text_is_escaped() -> None:
    nasty = '<script>alert("x")</script> & "quotes"'
    svg, root = _render(values={1: 1.0}, labels={1: nasty}, caption=nasty)

    assert "<script>" not in svg
    assert nasty in _seat_paths(root)[1].find(f"{SVG}title").text
    assert root.get("aria-label") == nasty


def test_every_point_lies_inside_the_viewbox() -> None:
    _, root = _render(values={})
    x0, y0, width, height = map(float, root.get("viewBox").split())

    assert (x0, y0, width) == (0, 0, 600) and 400 < height < 800
    for number, path in _seat_paths(root).items():
        points = path_points(path.get("d"))
        assert len(points) >= 3, number
        assert all(0 <= x <= width and 0 <= y <= height for x, y in points), number
    assert root.find(f"{SVG}g").get("fill-rule") == "evenodd"


def test_path_data_round_trips_the_projection_to_one_decimal() -> None:
    seat = load_seats()[0]
    projection = seatmap.projection()
    expected = [projection.tenths(lon, lat) for lon, lat in seat.polygons[0][0][:5]]
    got = [(round(x * 10), round(y * 10)) for x, y in path_points(seatmap.seat_path(1))[:5]]

    assert got[0] == expected[0]
    assert set(got) <= {*(projection.tenths(lon, lat) for lon, lat in seat.polygons[0][0])}


@pytest.mark.parametrize(("name", "pc_name"), [
    ("Prayagraj", "Allahabad"), ("prayagraj", "Allahabad"), ("प्रयागराज", "Allahabad"), ("ALLAHABAD", "Allahabad"),
    ("Ayodhya", "Faizabad"), ("अयोध्या", "Faizabad"), ("Faizabad", "Faizabad"),
    ("Kushinagar", "Kushi Nagar"), ("Kushi Nagar", "Kushi Nagar"),
    ("Lakhimpur Kheri", "Kheri"), ("Kheri", "Kheri"),
    ("Shravasti", "Shrawasti"), ("Shrawasti", "Shrawasti"),
    ("Machhlishahar", "Machhlishahr"), ("Machhlishahr", "Machhlishahr"), ("मछलीशहर", "Machhlishahr"),
    ("  rae   bareli ", "Rae Bareli"), ("Raebareli", "Rae Bareli"), ("गाजियाबाद", "Ghaziabad"),
])
def test_aliases_resolve_to_the_maps_number(name: str, pc_name: str) -> None:
    expected = next(seat.pc_no for seat in load_seats() if seat.name_en == pc_name)

    assert seat_number_for(name) == expected


def test_unknown_names_match_nothing_rather_than_a_guess() -> None:
    assert seat_number_for("Saharanpurr") is None
    assert seat_number_for("") is None
    assert seat_number_for("Lucknow Cantt") is None
    assert seat_numbers_for(["Lucknow", "Atlantis"]) == (frozenset({35}), ("Atlantis",))


def test_every_lok_sabha_name_of_the_projects_geography_is_on_the_map() -> None:
    names = {seat.lok_sabha for seats in DISTRICT_SEATS.values() for seat in seats}

    assert {name for name in names if seat_number_for(name) is None} == set()
    assert len({seat_number_for(name) for name in names}) == len(names)


def test_every_seat_matches_its_own_names_and_no_alias_collides() -> None:
    for seat in load_seats():
        assert seat_number_for(seat.name_en) == seat.pc_no
        assert seat_number_for(seat.name_hi) == seat.pc_no
        assert seat_number_for(seat.name_en.upper()) == seat.pc_no


def test_the_svg_stays_small() -> None:
    values = {n: n * 1.1 for n in range(1, 81)}
    labels = {n: f"बात {n}%" for n in range(1, 81)}
    svg, _ = _render(values=values, labels=labels, selected=1)

    assert len(svg.encode("utf-8")) < 120_000
