"""Roster files broken the ways spreadsheets break them: each is read correctly or refused with clear errors,
and a refused file writes nothing."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roster.errors import RosterInvalid, RowError, describe_error
from bot.roster.files import read_table
from bot.roster.importer import validate_and_import_booths
from bot.roster.synthetic import generate_booth_rows, write_csv
from tests.roster.test_roster import booth, counts, import_booths, president_states, where, write_rows

# 25 districts x 4 seats x 10 mandals x 100 booths: a state-sized file (UP has about 162,000 booths).
BIG_FILE_ROWS = 100_000
BROKEN_ROW = 99_999


def workbook_with(rows: Sequence[Sequence[object]], merged: Sequence[str] = ()) -> openpyxl.Workbook:
    """A workbook whose first sheet holds `rows` from A1 down, with the `merged` ranges merged."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cells in merged:
        sheet.merge_cells(cells)
    return workbook


def save(workbook: openpyxl.Workbook, path: Path) -> Path:
    """Save a workbook and return its path."""
    workbook.save(path)
    return path


def with_stored_result(path: Path, formula: str, result: str) -> Path:
    """The workbook rewritten as Excel would save it: `formula` carries its calculated `result`."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    written = f"<f>{formula}</f><v />".encode()
    assert written in parts[sheet]
    parts[sheet] = parts[sheet].replace(written, f"<f>{formula}</f><v>{result}</v>".encode())
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


async def rejected(session: AsyncSession, path: Path) -> list[RowError]:
    """The errors a booths file is refused with, after checking that nothing at all was written."""
    with pytest.raises(RosterInvalid) as caught:
        await import_booths(session, path)
    assert set((await counts(session)).values()) == {0}
    return caught.value.errors


# ------------------------------------------------------------------------------------------ merged cells


async def test_a_title_merged_above_the_header_is_skipped_and_rows_keep_the_spreadsheets_numbers(
        session: AsyncSession, tmp_path: Path) -> None:
    rows = [booth(1), booth(2), booth(3, president_phone="98765")]
    path = save(workbook_with([["बूथ सूची 2026"], list(rows[0]), *[list(row.values()) for row in rows]],
                              merged=["A1:K1"]), tmp_path / "booths.xlsx")

    table = read_table(path)

    assert (table.header_row, table.headers) == (2, tuple(rows[0]))
    assert [row.number for row in table.rows] == [3, 4, 5]
    assert where(await rejected(session, path)) == [(5, "president_phone", "roster.error.invalid_mobile")]

    fixed = save(workbook_with([["बूथ सूची 2026"], [], list(rows[0]), *[list(row.values()) for row in rows[:2]]],
                               merged=["A1:K1"]), tmp_path / "fixed.xlsx")
    report = await import_booths(session, fixed)

    assert report.entities["booths"].created == 2
    assert await president_states(session) == {"+919700000001": (1, True), "+919700000002": (2, True)}


async def test_a_heading_merged_over_two_columns_is_refused_naming_the_column_without_a_heading(
        session: AsyncSession, tmp_path: Path) -> None:
    """The usual two-row header: `बूथ अध्यक्ष` merged over name and mobile, with नाम / मोबाइल below it."""
    first = booth(1)
    top = [*list(first)[:8], "बूथ अध्यक्ष", None, "strength"]
    below = [*[None] * 8, "नाम", "मोबाइल", None]
    path = save(workbook_with([top, below, list(first.values())],
                              merged=[*(f"{c}1:{c}2" for c in "ABCDEFGHK"), "I1:J1"]), tmp_path / "booths.xlsx")

    errors = await rejected(session, path)

    assert where(errors) == [(1, "president_phone", "roster.error.missing_column"),
                             (1, "J", "roster.error.unnamed_column")]
    assert "J" in describe_error(errors[1], "en") and "merged" in describe_error(errors[1], "en")
    assert "J" in describe_error(errors[1], "hi") and "मर्ज" in describe_error(errors[1], "hi")


async def test_a_header_with_an_empty_heading_over_an_ignored_column_still_imports(session: AsyncSession,
                                                                                    tmp_path: Path) -> None:
    row = {**booth(1), "": "a note"}

    report = await import_booths(session, write_rows(tmp_path / "booths.csv", [row]))

    assert report.entities["booths"].created == 1


# ---------------------------------------------------------------------------------------------- formulas


async def test_formulas_saved_without_a_value_are_refused_cell_by_cell(session: AsyncSession,
                                                                       tmp_path: Path) -> None:
    rows = [booth(1), {**booth(2), "president_phone": '="9700000002"'}, {**booth(3), "booth_no": "=2+1"}]
    path = save(workbook_with([list(rows[0]), *[list(row.values()) for row in rows]]), tmp_path / "booths.xlsx")

    errors = await rejected(session, path)

    assert where(errors) == [(3, "president_phone", "roster.error.formula_without_value"),
                             (4, "booth_no", "roster.error.formula_without_value")]
    assert describe_error(errors[0], "en") == (
        "row 3, column president_phone: holds a formula without a value — open the file in Excel, save it, "
        "and import it again")
    assert "फ़ॉर्मूला" in describe_error(errors[0], "hi")


async def test_a_formula_saved_with_its_value_imports_that_value(session: AsyncSession, tmp_path: Path) -> None:
    rows = [booth(1), {**booth(2), "booth_no": "=1+1"}]
    path = save(workbook_with([list(rows[0]), *[list(row.values()) for row in rows]]), tmp_path / "booths.xlsx")

    await import_booths(session, with_stored_result(path, "1+1", "2"))

    assert await president_states(session) == {"+919700000001": (1, True), "+919700000002": (2, True)}


# ------------------------------------------------------------------------------- numbers typed as floats


async def test_mobile_numbers_a_spreadsheet_wrote_as_floats_read_as_the_number(session: AsyncSession,
                                                                               tmp_path: Path) -> None:
    path = write_rows(tmp_path / "booths.csv", [
        booth(1, president_phone="9.876543210E9"), booth(2, president_phone="9700000002.0"),
        booth(3, president_phone="9.70000003E+09")])

    await import_booths(session, path)

    assert await president_states(session) == {
        "+919876543210": (1, True), "+919700000002": (2, True), "+919700000030": (3, True)}


async def test_a_mobile_number_the_spreadsheet_rounded_is_refused_not_guessed(session: AsyncSession,
                                                                              tmp_path: Path) -> None:
    path = write_rows(tmp_path / "booths.csv", [booth(1), booth(2, president_phone="9.88E+09")])

    errors = await rejected(session, path)

    assert where(errors) == [(3, "president_phone", "roster.error.invalid_mobile")]
    assert "9.88E+09" in describe_error(errors[0], "en")


# --------------------------------------------------------------------------------------------- size


@pytest.fixture(scope="module")
def big_rows() -> list[dict[str, str]]:
    """A valid booths file of BIG_FILE_ROWS rows, generated once for the module."""
    rows = generate_booth_rows(seed=5, districts=25, assemblies_per_district=4, mandals_per_assembly=10,
                               booths_per_mandal=100)
    assert len(rows) == BIG_FILE_ROWS
    return rows


async def test_a_dry_run_of_a_hundred_thousand_rows_finds_no_errors_and_writes_nothing(
        session: AsyncSession, tmp_path: Path, big_rows: list[dict[str, str]]) -> None:
    write_csv(tmp_path / "booths.csv", big_rows)

    report = await validate_and_import_booths(session, read_table(tmp_path / "booths.csv"), dry_run=True)

    assert (report.rows, report.entities["booths"].created) == (BIG_FILE_ROWS, BIG_FILE_ROWS)
    assert set((await counts(session)).values()) == {0}


async def test_one_broken_row_near_the_end_of_a_hundred_thousand_is_named_and_nothing_is_written(
        session: AsyncSession, tmp_path: Path, big_rows: list[dict[str, str]]) -> None:
    broken = BROKEN_ROW - 2  # row 1 is the header
    write_csv(tmp_path / "booths.csv", [*big_rows[:broken], {**big_rows[broken], "booth_no": "abc"},
                                        *big_rows[broken + 1:]])

    errors = await rejected(session, tmp_path / "booths.csv")

    assert where(errors) == [(BROKEN_ROW, "booth_no", "roster.error.bad_number")]
