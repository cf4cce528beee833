"""Import and validation of roster files: booths with their presidents, and office-bearers.

A roster file is CSV (UTF-8, with or without a BOM) or XLSX (the first sheet). The header is the first row
with more than one cell filled in, so a title above it (`बूथ सूची 2026` merged across the columns) is
skipped; rows keep the numbers the spreadsheet gives them, and fully empty rows are skipped. A heading
merged across columns and a formula the workbook holds no value for (saved by a program that does not
calculate) are errors: nothing is guessed. Headers are matched case-insensitively, with surrounding spaces
trimmed and `_`, `-`, `.` and spaces treated alike (`Assembly No.` = `assembly_no`); the Devanagari nukta
is ignored (`ज़िला` = `जिला`). Columns not listed below are ignored.

Booths file (one row per booth):

| column            | also accepted                                                        |
|-------------------|----------------------------------------------------------------------|
| region            | क्षेत्र                                                               |
| district          | जिला, जनपद                                                           |
| lok_sabha         | लोक सभा, लोकसभा                                                      |
| assembly_no       | assembly number, विधान सभा संख्या, विधानसभा संख्या, विधान सभा क्रमांक |
| assembly          | assembly name, विधान सभा, विधानसभा                                   |
| mandal            | मंडल, मण्डल                                                          |
| booth_no          | booth number, बूथ संख्या, बूथ क्रमांक, बूथ नंबर                      |
| booth_name        | बूथ का नाम, बूथ नाम                                                  |
| president_name    | booth president, बूथ अध्यक्ष, बूथ अध्यक्ष का नाम, अध्यक्ष का नाम     |
| president_phone   | mobile, phone, मोबाइल, मोबाइल नंबर, बूथ अध्यक्ष मोबाइल                |
| strength (opt.)   | स्थिति — values strong/मज़बूत, moderate/सामान्य/मध्यम, weak/कमज़ोर      |

Office-bearers file (one row per person):

| column            | also accepted                                                        |
|-------------------|----------------------------------------------------------------------|
| name              | नाम                                                                  |
| phone             | mobile, मोबाइल, मोबाइल नंबर                                          |
| role              | भूमिका, पद — values state_office_bearer (प्रदेश पदाधिकारी),            |
|                   | district_incharge (जिला प्रभारी), organisation_secretary (संगठन        |
|                   | महामंत्री), admin                                                     |
| region (opt.)     | क्षेत्र — empty means the whole state; must already exist             |
| districts (opt.)  | जिले — `;`-separated district names that already exist; required for a |
|                   | district in-charge                                                   |

How an import behaves:
- Every row is validated before anything is written; if any row is wrong, `RosterInvalid` lists every
  error (row, column, reason) and nothing is written. A row with a bad cell is left out of the checks of
  assembly seats and districts across rows until it is fixed (duplicates are still found).
- Booths are keyed by assembly number + booth number, booth presidents and office-bearers by phone.
  Names of regions, districts, seats and mandals are matched like headers; the file's spelling wins.
- People missing from a new file are deactivated, never deleted; people in it are re-activated. An
  office-bearer keeps their Telegram registration and language across imports.
- An empty `strength` keeps the strength already stored for the booth.
- Booths missing from a new booths file stay (their history does) but lose their active president.
- Office-bearers are imported after booths: their regions and districts must exist.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.errors import DomainError
from bot.i18n import translate
from bot.phones import InvalidPhone, normalise_mobile
from models import (
    AssemblySeat,
    Booth,
    BoothPresident,
    District,
    LokSabhaSeat,
    Mandal,
    OfficeBearer,
    OfficeBearerDistrict,
    Region,
    Role,
    Strength,
)

Progress = Callable[[int, int], None]
Key = TypeVar("Key", bound=Hashable)

FILE_ROW = 0
HEADER_ROW = 1
MAX_NUMBER = 99_999
_BATCH = 5_000
_FOLD_TABLE = str.maketrans({"_": " ", "-": " ", ".": " ", "\u093c": None, "\u200c": None, "\u200d": None})
_WHOLE_NUMBER = re.compile(r"\d+(?:\.0*)?")
_DISTRICT_SEPARATORS = re.compile(r"[;,]")


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    """The form in which headers, choices and place names are compared: `Assembly_No.` → `assembly no`."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_FOLD_TABLE).casefold().split())


def _tidy(text: str) -> str:
    """A cell's text with runs of whitespace reduced to one space, as it is stored."""
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class RowError:
    """One problem in a roster file: where (row, canonical column) and why (a catalog key and params).

    Row 0 stands for the file as a whole; `column` is empty when no column applies, and is the file's own
    heading (or the column letter) for a column that is not one of the format's.
    """

    row: int
    column: str
    message_key: str
    params: Mapping[str, object] = field(default_factory=dict)


class RosterInvalid(DomainError):
    """The roster file cannot be imported; `errors` lists every problem found, and nothing was written."""

    key = "roster.invalid"

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(count=len(errors))
        self.errors = list(errors)


def _file_error(path: Path, message_key: str) -> RosterInvalid:
    """A `RosterInvalid` about the whole file (unreadable, wrong type) that names it."""
    return RosterInvalid([RowError(FILE_ROW, "", message_key, {"file": path.name})])


def describe_error(error: RowError, language: str) -> str:
    """One error as a line for the person who fixes the file, e.g. `row 14, column president_phone: …`."""
    reason = translate(language, error.message_key, **error.params)
    if error.row == FILE_ROW:
        return reason
    if error.column:
        return translate(language, "roster.error.at_cell", row=error.row, column=error.column, reason=reason)
    return translate(language, "roster.error.at_row", row=error.row, reason=reason)


# ----------------------------------------------------------------------------------------------- files


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


# --------------------------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Column:
    """A column of a roster format: its canonical name, other headers for it, whether it must be there."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True


_BOOTH_COLUMNS = (
    _Column("region", ("क्षेत्र",)),
    _Column("district", ("जिला", "जनपद")),
    _Column("lok_sabha", ("लोक सभा", "लोकसभा")),
    _Column("assembly_no", ("assembly number", "विधान सभा संख्या", "विधानसभा संख्या", "विधान सभा क्रमांक")),
    _Column("assembly", ("assembly name", "विधान सभा", "विधानसभा")),
    _Column("mandal", ("मंडल", "मण्डल")),
    _Column("booth_no", ("booth number", "बूथ संख्या", "बूथ क्रमांक", "बूथ नंबर")),
    _Column("booth_name", ("बूथ का नाम", "बूथ नाम")),
    _Column("president_name", ("booth president", "बूथ अध्यक्ष", "बूथ अध्यक्ष का नाम", "अध्यक्ष का नाम")),
    _Column("president_phone", ("mobile", "phone", "मोबाइल", "मोबाइल नंबर", "बूथ अध्यक्ष मोबाइल")),
    _Column("strength", ("स्थिति",), required=False),
)

_OFFICE_BEARER_COLUMNS = (
    _Column("name", ("नाम",)),
    _Column("phone", ("mobile", "मोबाइल", "मोबाइल नंबर")),
    _Column("role", ("भूमिका", "पद")),
    _Column("region", ("क्षेत्र",), required=False),
    _Column("districts", ("जिले",), required=False),
)

_STRENGTHS = {_fold(text): strength for text, strength in (
    ("strong", Strength.strong), ("मज़बूत", Strength.strong),
    ("moderate", Strength.moderate), ("सामान्य", Strength.moderate), ("मध्यम", Strength.moderate),
    ("weak", Strength.weak), ("कमज़ोर", Strength.weak),
)}

_ROLES = {_fold(text): role for text, role in (
    *((role.value, role) for role in Role),
    ("प्रदेश पदाधिकारी", Role.state_office_bearer),
    ("जिला प्रभारी", Role.district_incharge),
    ("संगठन महामंत्री", Role.organisation_secretary), ("संगठन मंत्री", Role.organisation_secretary),
)}


def _column_positions(table: RosterTable, columns: Sequence[_Column]) -> dict[str, int]:
    """Where each known column is in the header; a missing required or doubled column is an error.

    When columns are missing, every column that holds data under an empty heading is named too: that is
    what a heading merged across two columns (or over a second header row) leaves behind.
    """
    names = {_fold(alias): column.name for column in columns for alias in (column.name, *column.aliases)}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for position, header in enumerate(table.headers):
        name = names.get(_fold(header))
        if name is None:
            continue
        if name in positions:
            errors.append(RowError(table.header_row, name, "roster.error.duplicate_column"))
        else:
            positions[name] = position
    missing = [RowError(table.header_row, column.name, "roster.error.missing_column")
               for column in columns if column.required and column.name not in positions]
    if missing:
        unnamed = {position for row in table.rows for position, cell in enumerate(row.cells)
                   if cell and not (position < len(table.headers) and table.headers[position])}
        errors += missing + [RowError(table.header_row, get_column_letter(position + 1),
                                      "roster.error.unnamed_column") for position in sorted(unnamed)]
    if not errors and not table.rows:
        errors.append(RowError(table.header_row + 1, "", "roster.error.no_rows"))
    if errors:
        raise RosterInvalid(errors)
    return positions


class _Cells:
    """One row's cells read as typed values; every problem becomes a `RowError` and marks the row failed."""

    def __init__(self, row: RosterRow, positions: Mapping[str, int], errors: list[RowError]) -> None:
        self.row = row.number
        self.failed = False
        self._cells = row.cells
        self._positions = positions
        self._errors = errors

    def fail(self, column: str, message_key: str, **params: object) -> None:
        """Record a problem with one cell of this row."""
        self._errors.append(RowError(self.row, column, message_key, params))
        self.failed = True

    def raw(self, column: str) -> str:
        """The cell's text, empty when the column or the cell is absent."""
        position = self._positions.get(column)
        if position is None or position >= len(self._cells):
            return ""
        return self._cells[position]

    def text(self, column: str, *, max_length: int) -> str:
        """A required piece of text, whitespace tidied, no longer than the database column."""
        value = _tidy(self.raw(column))
        if not value:
            self.fail(column, "roster.error.required")
        elif len(value) > max_length:
            self.fail(column, "roster.error.too_long", maximum=max_length)
        return value

    def number(self, column: str) -> int:
        """A required whole number from 1 to MAX_NUMBER; spreadsheets' `12.0` is 12."""
        value = self.raw(column)
        if not value:
            self.fail(column, "roster.error.required")
            return 0
        number = int(value.split(".")[0]) if _WHOLE_NUMBER.fullmatch(value) else 0
        if not 1 <= number <= MAX_NUMBER:
            self.fail(column, "roster.error.bad_number", value=value, maximum=MAX_NUMBER)
        return number

    def mobile(self, column: str) -> str:
        """A required Indian mobile number in E.164."""
        value = self.raw(column)
        if not value:
            self.fail(column, "roster.error.required")
            return ""
        try:
            return normalise_mobile(value)
        except InvalidPhone:
            self.fail(column, "roster.error.invalid_mobile", value=value)
            return ""

    def strength(self, column: str) -> Strength | None:
        """An optional booth strength in English or Hindi."""
        value = self.raw(column)
        strength = _STRENGTHS.get(_fold(value))
        if value and strength is None:
            self.fail(column, "roster.error.invalid_strength", value=value)
        return strength

    def role(self, column: str) -> Role:
        """A required role, by its code or its Hindi title."""
        value = self.raw(column)
        role = _ROLES.get(_fold(value))
        if role is None:
            if value:
                self.fail(column, "roster.error.unknown_role", value=value)
            else:
                self.fail(column, "roster.error.required")
            return Role.state_office_bearer
        return role


class _Progress:
    """Reports progress in rows to an optional callback, about a hundred times per import at most.

    An import goes over the rows in several passes (validation, then each table written); the work is
    counted in row-passes and reported scaled to rows, so `total` is always the number of data rows.
    """

    def __init__(self, callback: Progress | None, rows: int, passes: int) -> None:
        self._callback = callback
        self._rows = rows
        self._passes = passes
        self._work = 0
        self._reported = 0
        self._step = max(1, rows // 100)

    def advance(self, amount: int = 1) -> None:
        """Count `amount` rows of one pass as done."""
        if self._callback is None:
            return
        self._work += amount
        done = min(self._work // self._passes, self._rows)
        if done - self._reported >= self._step or (done == self._rows and self._reported < done):
            self._reported = done
            self._callback(done, self._rows)


# ------------------------------------------------------------------------------------------ validation


@dataclass(frozen=True, slots=True)
class _BoothLine:
    """A valid row of a booths file."""

    row: int
    region: str
    district: str
    lok_sabha: str
    assembly_no: int
    assembly: str
    mandal: str
    booth_no: int
    booth_name: str
    president_name: str
    phone: str
    strength: Strength | None


@dataclass(frozen=True, slots=True)
class _OfficeBearerLine:
    """A valid row of an office-bearers file, with its region and districts resolved to ids."""

    row: int
    name: str
    phone: str
    role: Role
    region_id: int | None
    district_ids: frozenset[int]


def _read_booth_line(cells: _Cells) -> _BoothLine:
    """The typed values of one booths row (check `cells.failed` before using them)."""
    return _BoothLine(
        row=cells.row,
        region=cells.text("region", max_length=80),
        district=cells.text("district", max_length=80),
        lok_sabha=cells.text("lok_sabha", max_length=80),
        assembly_no=cells.number("assembly_no"),
        assembly=cells.text("assembly", max_length=80),
        mandal=cells.text("mandal", max_length=120),
        booth_no=cells.number("booth_no"),
        booth_name=cells.text("booth_name", max_length=200),
        president_name=cells.text("president_name", max_length=120),
        phone=cells.mobile("president_phone"),
        strength=cells.strength("strength"),
    )


def _validate_booths(table: RosterTable, progress: _Progress) -> list[_BoothLine]:
    """Every row of a booths file checked alone and against the others; raises `RosterInvalid`."""
    positions = _column_positions(table, _BOOTH_COLUMNS)
    errors: list[RowError] = []
    lines: list[_BoothLine] = []
    booth_rows: dict[tuple[int, int], int] = {}
    phone_rows: dict[str, int] = {}
    first_of_assembly: dict[int, _BoothLine] = {}
    first_of_district: dict[str, _BoothLine] = {}
    for row in table.rows:
        progress.advance()
        cells = _Cells(row, positions, errors)
        line = _read_booth_line(cells)
        complete = not cells.failed
        booth_key = (line.assembly_no, line.booth_no)
        if booth_key in booth_rows:
            cells.fail("booth_no", "roster.error.duplicate_booth", first_row=booth_rows[booth_key])
        elif line.assembly_no and line.booth_no:
            booth_rows[booth_key] = line.row
        if line.phone in phone_rows:
            cells.fail("president_phone", "roster.error.duplicate_phone", first_row=phone_rows[line.phone])
        elif line.phone:
            phone_rows[line.phone] = line.row
        if not complete:
            continue
        first = first_of_assembly.setdefault(line.assembly_no, line)
        for column in ("assembly", "district", "lok_sabha"):
            if _fold(getattr(line, column)) != _fold(getattr(first, column)):
                cells.fail(column, "roster.error.assembly_conflict", number=line.assembly_no,
                           first_row=first.row)
        first = first_of_district.setdefault(_fold(line.district), line)
        if _fold(line.region) != _fold(first.region):
            cells.fail("region", "roster.error.district_region_conflict", district=line.district,
                       first_row=first.row)
        lines.append(line)
    if errors:
        raise RosterInvalid(errors)
    return lines


def _validate_office_bearers(table: RosterTable, progress: _Progress, regions: Mapping[str, int],
                             districts: Mapping[str, tuple[int, int]]) -> list[_OfficeBearerLine]:
    """Every row of an office-bearers file checked against the others and the stored map."""
    positions = _column_positions(table, _OFFICE_BEARER_COLUMNS)
    errors: list[RowError] = []
    lines: list[_OfficeBearerLine] = []
    phone_rows: dict[str, int] = {}
    for row in table.rows:
        progress.advance()
        cells = _Cells(row, positions, errors)
        name = cells.text("name", max_length=120)
        phone = cells.mobile("phone")
        role = cells.role("role")
        region_text = cells.raw("region")
        region_id = regions.get(_fold(region_text))
        if region_text and region_id is None:
            cells.fail("region", "roster.error.unknown_region", value=region_text)
        district_names = [part for part in map(_tidy, _DISTRICT_SEPARATORS.split(cells.raw("districts"))) if part]
        if role is Role.district_incharge and not district_names:
            cells.fail("districts", "roster.error.districts_required")
        district_ids: set[int] = set()
        for district in district_names:
            found = districts.get(_fold(district))
            if found is None:
                cells.fail("districts", "roster.error.unknown_district", value=district)
            elif region_id is not None and found[1] != region_id:
                cells.fail("districts", "roster.error.district_outside_region", district=district,
                           region=region_text)
            else:
                district_ids.add(found[0])
        if phone in phone_rows:
            cells.fail("phone", "roster.error.duplicate_phone", first_row=phone_rows[phone])
        elif phone:
            phone_rows[phone] = row.number
        if not cells.failed:
            lines.append(_OfficeBearerLine(row.number, name, phone, role, region_id, frozenset(district_ids)))
    if errors:
        raise RosterInvalid(errors)
    return lines


# ------------------------------------------------------------------------------------------- upserting


@dataclass(frozen=True)
class _Table(Generic[Key]):
    """How one table is synchronised: the model, the columns an import sets, and a row's natural key."""

    model: type[Any]
    columns: tuple[str, ...]
    key: Callable[[Mapping[str, Any]], Key]


_REGIONS = _Table(Region, ("name",), lambda v: _fold(v["name"]))
_DISTRICTS = _Table(District, ("name", "region_id"), lambda v: _fold(v["name"]))
_LOK_SABHA_SEATS = _Table(LokSabhaSeat, ("name",), lambda v: _fold(v["name"]))
_ASSEMBLY_SEATS = _Table(AssemblySeat, ("number", "name", "district_id", "lok_sabha_id"), lambda v: v["number"])
_MANDALS = _Table(Mandal, ("assembly_id", "name"), lambda v: (v["assembly_id"], _fold(v["name"])))
_BOOTHS = _Table(Booth, ("assembly_id", "number", "name", "mandal_id", "strength"),
                 lambda v: (v["assembly_id"], v["number"]))
_PRESIDENTS = _Table(BoothPresident, ("phone", "name", "booth_id", "active"), lambda v: v["phone"])
_OFFICE_BEARERS = _Table(OfficeBearer, ("phone", "name", "role", "region_id", "active"), lambda v: v["phone"])

Stored = dict[Key, tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class EntityCounts:
    """How many rows of one kind an import created, changed and deactivated."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0


@dataclass
class _Synced(Generic[Key]):
    """The outcome of synchronising one table: the id of every key, and which keys were new or changed.

    In a dry run new keys get negative stand-in ids, so that later tables can still be compared.
    """

    ids: dict[Key, int]
    created: list[Key] = field(default_factory=list)
    updated: list[Key] = field(default_factory=list)

    def counts(self, deactivated: int = 0) -> EntityCounts:
        """The counts for the import report."""
        return EntityCounts(len(self.created), len(self.updated), deactivated)


def _batches(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `_BATCH` items, to keep statements and memory bounded."""
    for start in range(0, len(items), _BATCH):
        yield items[start:start + _BATCH]


async def _load(session: AsyncSession, table: _Table[Key]) -> Stored[Key]:
    """Every stored row of a table as key → (id, the columns an import sets), in one query."""
    model = table.model
    result = await session.execute(select(model.id, *(getattr(model, c) for c in table.columns)))
    stored: Stored[Key] = {}
    for record in result:
        values = dict(zip(table.columns, record[1:], strict=True))
        stored[table.key(values)] = (record[0], values)
    return stored


async def _sync(session: AsyncSession, table: _Table[Key], stored: Stored[Key], wanted: Iterable[dict[str, Any]],
                *, dry_run: bool, progress: _Progress | None = None) -> _Synced[Key]:
    """Insert the wanted rows that are new and update those that differ, in bulk (executemany) statements.

    `wanted` holds full rows (every column of `table.columns`); rows with the same key collapse to the
    last one. Inserts go through Core (the ORM's bulk layer only adds per-row work here) and the ids of new
    rows are read back in one query afterwards (RETURNING with ordered parameters makes SQLite insert row
    by row). With `dry_run` nothing is written but the outcome is computed all the same.
    """
    rows = {table.key(values): values for values in wanted}
    synced = _Synced(ids={key: stored_id for key, (stored_id, _) in stored.items()})
    for batch in _batches(list(rows.items())):
        new = [values for key, values in batch if key not in stored]
        changed = [(key, values) for key, values in batch if key in stored and stored[key][1] != values]
        if new and not dry_run:
            await session.execute(insert(table.model.__table__), new)
        if changed and not dry_run:
            await session.execute(update(table.model),
                                  [{"id": synced.ids[key], **values} for key, values in changed])
        synced.created += [key for key, _ in batch if key not in stored]
        synced.updated += [key for key, _ in changed]
        if progress is not None:
            progress.advance(len(batch))
    if synced.created and dry_run:
        synced.ids.update((key, -number) for number, key in enumerate(synced.created, start=1))
    elif synced.created:
        synced.ids = {key: stored_id for key, (stored_id, _) in (await _load(session, table)).items()}
    return synced


async def _deactivate_absent(session: AsyncSession, table: _Table[Key], stored: Stored[Key],
                             present: Container[Key], *, dry_run: bool) -> int:
    """Mark inactive the stored people whose key is not in the new file; their history stays."""
    absent = [stored_id for key, (stored_id, values) in stored.items() if values["active"] and key not in present]
    if absent and not dry_run:
        for batch in _batches(absent):
            await session.execute(update(table.model), [{"id": stored_id, "active": False} for stored_id in batch])
    return len(absent)


@dataclass(frozen=True)
class ImportReport:
    """What an import did — or, in a dry run, would do: rows read and counts per kind of record."""

    kind: str
    rows: int
    dry_run: bool
    entities: dict[str, EntityCounts]

    def detail(self) -> dict[str, object]:
        """The counts as plain data for the audit log (no personal data)."""
        return {"rows": self.rows, **{name: vars(counts) for name, counts in self.entities.items()}}

    def describe(self, language: str) -> str:
        """The counts as one line for the person who ran the import; kinds with nothing to do are left out."""
        parts = [translate(language, "roster.report.rows", rows=self.rows)]
        changed = {name: counts for name, counts in self.entities.items() if counts != EntityCounts()}
        if not changed:
            parts.append(translate(language, "roster.report.unchanged"))
        for name, counts in changed.items():
            key = "roster.report.entity_deactivated" if counts.deactivated else "roster.report.entity"
            parts.append(translate(language, key, entity=translate(language, f"roster.entity.{name}"),
                                   created=counts.created, updated=counts.updated,
                                   deactivated=counts.deactivated))
        return "; ".join(parts)


async def _audit(session: AsyncSession, report: ImportReport, *, source: str, actor_label: str,
                 now: datetime) -> None:
    """One audit-log entry for an import that wrote to the database."""
    audit.record(session, audit.AuditAction(f"roster_import_{report.kind}"), at=now, actor_label=actor_label,
                 subject=f"file:{source}", detail=report.detail())
    await session.flush()


async def validate_and_import_booths(
    session: AsyncSession,
    table: RosterTable,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    actor_label: str = "cli",
    now: datetime | None = None,
) -> ImportReport:
    """Validate a booths file and, if it is clean and not a dry run, upsert the map, booths and presidents.

    Raises `RosterInvalid` with every error, having written nothing. `progress(done, total)` is called with
    rows done out of all data rows. The caller commits.
    """
    tracker = _Progress(progress, len(table.rows), passes=3)
    lines = _validate_booths(table, tracker)

    async def sync(map_table: _Table[Key], wanted: Iterable[dict[str, Any]]) -> _Synced[Key]:
        """Synchronise one of the small tables of the map against what is stored."""
        return await _sync(session, map_table, await _load(session, map_table), wanted, dry_run=dry_run)

    regions = await sync(_REGIONS, ({"name": line.region} for line in lines))
    districts = await sync(_DISTRICTS, ({"name": line.district, "region_id": regions.ids[_fold(line.region)]}
                                        for line in lines))
    lok_sabha_seats = await sync(_LOK_SABHA_SEATS, ({"name": line.lok_sabha} for line in lines))
    assemblies = await sync(_ASSEMBLY_SEATS, (
        {"number": line.assembly_no, "name": line.assembly, "district_id": districts.ids[_fold(line.district)],
         "lok_sabha_id": lok_sabha_seats.ids[_fold(line.lok_sabha)]} for line in lines))
    mandals = await sync(_MANDALS, ({"assembly_id": assemblies.ids[line.assembly_no], "name": line.mandal}
                                    for line in lines))
    stored_booths = await _load(session, _BOOTHS)

    def booth_row(line: _BoothLine) -> dict[str, Any]:
        key = (assemblies.ids[line.assembly_no], line.booth_no)
        kept = stored_booths[key][1]["strength"] if key in stored_booths else None
        return {"assembly_id": key[0], "number": line.booth_no, "name": line.booth_name,
                "mandal_id": mandals.ids[(key[0], _fold(line.mandal))],
                "strength": line.strength if line.strength is not None else kept}

    booths = await _sync(session, _BOOTHS, stored_booths, map(booth_row, lines), dry_run=dry_run,
                         progress=tracker)
    stored_presidents = await _load(session, _PRESIDENTS)
    presidents = await _sync(session, _PRESIDENTS, stored_presidents, (
        {"phone": line.phone, "name": line.president_name, "active": True,
         "booth_id": booths.ids[(assemblies.ids[line.assembly_no], line.booth_no)]} for line in lines),
        dry_run=dry_run, progress=tracker)
    deactivated = await _deactivate_absent(session, _PRESIDENTS, stored_presidents,
                                           {line.phone for line in lines}, dry_run=dry_run)
    report = ImportReport("booths", len(lines), dry_run, {
        "regions": regions.counts(), "districts": districts.counts(),
        "lok_sabha_seats": lok_sabha_seats.counts(), "assembly_seats": assemblies.counts(),
        "mandals": mandals.counts(), "booths": booths.counts(), "booth_presidents": presidents.counts(deactivated),
    })
    if not dry_run:
        await _audit(session, report, source=table.source, actor_label=actor_label, now=now or datetime.now(UTC))
    return report


async def validate_and_import_office_bearers(
    session: AsyncSession,
    table: RosterTable,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    actor_label: str = "cli",
    now: datetime | None = None,
) -> ImportReport:
    """Validate an office-bearers file and, if clean and not a dry run, upsert the people and their districts.

    Regions and districts must already exist (import booths first). Telegram registrations and chosen
    languages are kept. Raises `RosterInvalid` with every error, having written nothing. The caller commits.
    """
    tracker = _Progress(progress, len(table.rows), passes=2)
    regions = {_fold(name): region_id for region_id, name in await session.execute(select(Region.id, Region.name))}
    districts = {_fold(name): (district_id, region_id) for district_id, name, region_id
                 in await session.execute(select(District.id, District.name, District.region_id))}
    lines = _validate_office_bearers(table, tracker, regions, districts)

    stored = await _load(session, _OFFICE_BEARERS)
    people = await _sync(session, _OFFICE_BEARERS, stored, (
        {"phone": line.phone, "name": line.name, "role": line.role, "region_id": line.region_id, "active": True}
        for line in lines), dry_run=dry_run, progress=tracker)
    deactivated = await _deactivate_absent(session, _OFFICE_BEARERS, stored, {line.phone for line in lines},
                                           dry_run=dry_run)

    stored_links: defaultdict[int, set[int]] = defaultdict(set)
    for person_id, district_id in await session.execute(
            select(OfficeBearerDistrict.office_bearer_id, OfficeBearerDistrict.district_id)):
        stored_links[person_id].add(district_id)
    relinked = [line for line in lines if stored_links[people.ids[line.phone]] != line.district_ids]
    if relinked and not dry_run:
        relinked_ids = [people.ids[line.phone] for line in relinked]
        for batch in _batches(relinked_ids):
            await session.execute(delete(OfficeBearerDistrict).where(OfficeBearerDistrict.office_bearer_id.in_(batch)))
        links = [{"office_bearer_id": people.ids[line.phone], "district_id": district_id}
                 for line in relinked for district_id in sorted(line.district_ids)]
        for batch in _batches(links):
            await session.execute(insert(OfficeBearerDistrict), list(batch))
    created = set(people.created)
    updated = set(people.updated) | {line.phone for line in relinked if line.phone not in created}
    report = ImportReport("office_bearers", len(lines), dry_run, {
        "office_bearers": EntityCounts(len(created), len(updated), deactivated)})
    if not dry_run:
        await _audit(session, report, source=table.source, actor_label=actor_label, now=now or datetime.now(UTC))
    return report
