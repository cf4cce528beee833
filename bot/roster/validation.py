"""Checking roster tables row by row and column by column, and turning cells into typed values.

Headers are matched case-insensitively, with surrounding spaces trimmed and `_`, `-`, `.` and spaces treated
alike (`Assembly No.` = `assembly_no`); the Devanagari nukta is ignored (`ज़िला` = `जिला`). Columns not listed
below are ignored. A heading merged across columns is an error: nothing is guessed.

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
|                   | महामंत्री), verifier (सत्यापनकर्ता), admin                              |
| region (opt.)     | क्षेत्र — empty means the whole state; must already exist             |
| districts (opt.)  | जिले — `;`-separated district names that already exist; required for a |
|                   | district in-charge                                                   |

Every row is checked before anything is written; if any row is wrong, `RosterInvalid` lists every error
(row, column, reason). A row with a bad cell is left out of the checks of assembly seats and districts across
rows until it is fixed (duplicates are still found).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.utils import get_column_letter

from bot.phones import InvalidPhone, normalise_mobile
from bot.roster.errors import RosterInvalid, RowError
from bot.roster.files import RosterRow, RosterTable
from models import Role, Strength

Progress = Callable[[int, int], None]

MAX_NUMBER = 99_999
_FOLD_TABLE = str.maketrans({"_": " ", "-": " ", ".": " ", "\u093c": None, "\u200c": None, "\u200d": None})
_WHOLE_NUMBER = re.compile(r"\d+(?:\.0*)?")
_DISTRICT_SEPARATORS = re.compile(r"[;,]")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """The form in which headers, choices and place names are compared: `Assembly_No.` → `assembly no`."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_FOLD_TABLE).casefold().split())


def _tidy(text: str) -> str:
    """A cell's text with runs of whitespace reduced to one space, as it is stored."""
    return " ".join(text.split())


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

_STRENGTHS = {fold(text): strength for text, strength in (
    ("strong", Strength.strong), ("मज़बूत", Strength.strong),
    ("moderate", Strength.moderate), ("सामान्य", Strength.moderate), ("मध्यम", Strength.moderate),
    ("weak", Strength.weak), ("कमज़ोर", Strength.weak),
)}

_ROLES = {fold(text): role for text, role in (
    *((role.value, role) for role in Role),
    ("प्रदेश पदाधिकारी", Role.state_office_bearer),
    ("जिला प्रभारी", Role.district_incharge),
    ("संगठन महामंत्री", Role.organisation_secretary), ("संगठन मंत्री", Role.organisation_secretary),
    ("सत्यापनकर्ता", Role.verifier),
)}


def _column_positions(table: RosterTable, columns: Sequence[_Column]) -> dict[str, int]:
    """Where each known column is in the header; a missing required or doubled column is an error.

    When columns are missing, every column that holds data under an empty heading is named too: that is
    what a heading merged across two columns (or over a second header row) leaves behind.
    """
    names = {fold(alias): column.name for column in columns for alias in (column.name, *column.aliases)}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for position, header in enumerate(table.headers):
        name = names.get(fold(header))
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
        strength = _STRENGTHS.get(fold(value))
        if value and strength is None:
            self.fail(column, "roster.error.invalid_strength", value=value)
        return strength

    def role(self, column: str) -> Role:
        """A required role, by its code or its Hindi title."""
        value = self.raw(column)
        role = _ROLES.get(fold(value))
        if role is None:
            if value:
                self.fail(column, "roster.error.unknown_role", value=value)
            else:
                self.fail(column, "roster.error.required")
            return Role.state_office_bearer
        return role


class RowProgress:
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


@dataclass(frozen=True, slots=True)
class BoothLine:
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
class OfficeBearerLine:
    """A valid row of an office-bearers file, with its region and districts resolved to ids."""

    row: int
    name: str
    phone: str
    role: Role
    region_id: int | None
    district_ids: frozenset[int]


def _read_booth_line(cells: _Cells) -> BoothLine:
    """The typed values of one booths row (check `cells.failed` before using them)."""
    return BoothLine(
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


def validate_booths(table: RosterTable, progress: RowProgress) -> list[BoothLine]:
    """Every row of a booths file checked alone and against the others; raises `RosterInvalid`."""
    positions = _column_positions(table, _BOOTH_COLUMNS)
    errors: list[RowError] = []
    lines: list[BoothLine] = []
    booth_rows: dict[tuple[int, int], int] = {}
    phone_rows: dict[str, int] = {}
    first_of_assembly: dict[int, BoothLine] = {}
    first_of_district: dict[str, BoothLine] = {}
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
            if fold(getattr(line, column)) != fold(getattr(first, column)):
                cells.fail(column, "roster.error.assembly_conflict", number=line.assembly_no,
                           first_row=first.row)
        first = first_of_district.setdefault(fold(line.district), line)
        if fold(line.region) != fold(first.region):
            cells.fail("region", "roster.error.district_region_conflict", district=line.district,
                       first_row=first.row)
        lines.append(line)
    if errors:
        raise RosterInvalid(errors)
    return lines


def validate_office_bearers(table: RosterTable, progress: RowProgress, regions: Mapping[str, int],
                             districts: Mapping[str, tuple[int, int]]) -> list[OfficeBearerLine]:
    """Every row of an office-bearers file checked against the others and the stored map."""
    positions = _column_positions(table, _OFFICE_BEARER_COLUMNS)
    errors: list[RowError] = []
    lines: list[OfficeBearerLine] = []
    phone_rows: dict[str, int] = {}
    for row in table.rows:
        progress.advance()
        cells = _Cells(row, positions, errors)
        name = cells.text("name", max_length=120)
        phone = cells.mobile("phone")
        role = cells.role("role")
        region_text = cells.raw("region")
        region_id = regions.get(fold(region_text))
        if region_text and region_id is None:
            cells.fail("region", "roster.error.unknown_region", value=region_text)
        district_names = [part for part in map(_tidy, _DISTRICT_SEPARATORS.split(cells.raw("districts"))) if part]
        if role is Role.district_incharge and not district_names:
            cells.fail("districts", "roster.error.districts_required")
        district_ids: set[int] = set()
        for district in district_names:
            found = districts.get(fold(district))
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
            lines.append(OfficeBearerLine(row.number, name, phone, role, region_id, frozenset(district_ids)))
    if errors:
        raise RosterInvalid(errors)
    return lines
