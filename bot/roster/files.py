"""Reading roster files into tables of text cells, before anything is checked.

A roster file is CSV (UTF-8, with or without a BOM) or XLSX (the first sheet). The header is the first row
with more than one cell filled in, so a title above it (`बूथ सूची 2026` merged across the columns) is
skipped; rows keep the numbers the spreadsheet gives them, and fully empty rows are skipped. A formula the
workbook holds no value for (saved by a program that does not calculate) is an error: nothing is guessed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from bot.roster.errors import FILE_ROW, RosterInvalid, RowError

HEADER_ROW = 1


@dataclass(frozen=True)
class RosterRow:
    """One non-empty data row: its row number as the spreadsheet shows it, and its cells as text."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class RosterTable:
    """A roster file read into memory: its name, its header cells and row number, and its non-empty data rows."""

    source: str
    headers: tuple[str, ...]
    rows: list[RosterRow]
    header_row: int = HEADER_ROW


class _Uncalculated:
    """A formula cell the workbook holds no value for: an error, never an empty cell."""


_UNCALCULATED = _Uncalculated()


def read_table(path: Path | str) -> RosterTable:
    """Read a CSV or XLSX roster into text cells, keeping spreadsheet row numbers for error reports.

    Raises `RosterInvalid` (about the whole file) for an unknown extension, a CSV that is not UTF-8 or a
    workbook that cannot be opened, and with every cell whose formula has no value.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    records: Iterable[tuple[str | _Uncalculated, ...]]
    if suffix == ".csv":
        records = _csv_records(path)
    elif suffix == ".xlsx":
        records = _xlsx_records(path)
    else:
        raise _file_error(path, "roster.file.unsupported")
    header_row, headers = HEADER_ROW, ()
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    for number, cells in enumerate(records, start=1):
        if _UNCALCULATED in cells:
            errors += [RowError(number, _column_label(headers, position), "roster.error.formula_without_value")
                       for position, cell in enumerate(cells) if cell is _UNCALCULATED]
        elif rows or headers:
            if any(cells):
                rows.append(RosterRow(number, cells))
        elif sum(1 for cell in cells if cell) > 1:
            header_row, headers = number, cells
    if errors:
        raise RosterInvalid(errors)
    return RosterTable(path.name, headers, rows, header_row)


def _column_label(headers: Sequence[str], position: int) -> str:
    """How an error names a column of the file: its heading, or its spreadsheet letter when it has none."""
    heading = headers[position] if position < len(headers) else ""
    return heading or get_column_letter(position + 1)


def _csv_records(path: Path) -> Iterator[tuple[str, ...]]:
    """The records of a UTF-8 CSV file (a BOM is dropped), cells stripped."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(path, "roster.file.not_utf8") from None
    return (tuple(cell.strip() for cell in record) for record in csv.reader(io.StringIO(text, newline="")))


def _xlsx_records(path: Path) -> list[tuple[str | _Uncalculated, ...]]:
    """The rows of the first sheet of a workbook, every cell turned into text.

    The sheet is read for its formulas first; only if it has any is it read again for their stored values,
    and a formula without one becomes `_UNCALCULATED` (openpyxl and some other programs save none).
    """
    formulas = _sheet_values(path, data_only=False)
    if not any(_is_formula(value) for row in formulas for value in row):
        return [tuple(_cell_text(value) for value in row) for row in formulas]
    values = _sheet_values(path, data_only=True)
    return [tuple(_UNCALCULATED if value is None and _is_formula(formula) else _cell_text(value)
                  for formula, value in zip(formula_row, value_row, strict=False))
            for formula_row, value_row in zip(formulas, values, strict=False)]


def _sheet_values(path: Path, *, data_only: bool) -> list[tuple[object, ...]]:
    """The raw values of the first sheet: formulas as `=…` text, or with `data_only` their stored results."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError):
        raise _file_error(path, "roster.file.unreadable") from None
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _is_formula(value: object) -> bool:
    """Whether a value read without `data_only` is a formula rather than what a person typed."""
    return isinstance(value, ArrayFormula | DataTableFormula) or (isinstance(value, str) and value.startswith("="))


def _cell_text(value: object) -> str:
    """A spreadsheet value as the text a person meant: `12.0` → `12`, a date as ISO, empty as ``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _file_error(path: Path, message_key: str) -> RosterInvalid:
    """A `RosterInvalid` about the whole file (unreadable, wrong type) that names it."""
    return RosterInvalid([RowError(FILE_ROW, "", message_key, {"file": path.name})])
