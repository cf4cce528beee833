"""The calls export: one row per assignment of a period, as CSV or Excel, with an audit entry per export.

The file holds personal data (names and mobile numbers), so every export is written to the audit log;
the audit entry itself records the period, scope and size, never a phone number. Text typed by users is
kept from being read as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.audit import AuditAction, record
from bot.errors import DomainError
from bot.i18n import enum_label, translate
from bot.review.coverage import focus_seat_ids
from bot.review.flags import Flag, flags_for_period
from bot.review.periods import Level, Period
from bot.review.progress import (
    Area,
    CallScope,
    NotVisible,
    area_target,
    call_scope,
    latest_reports,
)
from models import (
    AssemblySeat,
    Assignment,
    BackCheck,
    Booth,
    BoothPresident,
    CallReport,
    Delivery,
    DeliveryStatus,
    District,
    LokSabhaSeat,
    Mandal,
    Need,
    NeedCategory,
    OfficeBearer,
    Outcome,
    Region,
    Role,
    Strength,
    Wellbeing,
)

Cell = str | int | date | None

MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 50

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\d+")


class UnsupportedExportFormat(ValueError):
    """The export file's extension is neither .csv nor .xlsx."""


@dataclass(frozen=True)
class RaisedNeed:
    """A need a booth raised on a call, with the words given for it."""

    category: NeedCategory
    detail: str | None


class BackCheckAnswer(enum.StrEnum):
    """What the booth president said when asked whether the call took place."""

    confirmed = "confirmed"
    denied = "denied"
    tried = "tried"
    not_tried = "not_tried"
    unanswered = "unanswered"


def _back_check_answer(asked_at: datetime | None, called: bool | None,
                       attempted_only: bool | None) -> BackCheckAnswer | None:
    """The answer as the export shows it: about the conversation, or (for a call that did not connect) about
    whether anyone tried to call."""
    if asked_at is None:
        return None
    if called is None:
        return BackCheckAnswer.unanswered
    if attempted_only:
        return BackCheckAnswer.tried if called else BackCheckAnswer.not_tried
    return BackCheckAnswer.confirmed if called else BackCheckAnswer.denied


@dataclass(frozen=True)
class CallExportRow:
    """One assignment of the period: who was to call whom, whether the message arrived, what was reported."""

    day: date
    office_bearer: str
    office_bearer_phone: str
    role: Role
    president: str
    president_phone: str
    booth_no: int
    booth_name: str
    assembly_no: int
    assembly: str
    mandal: str
    district: str
    region: str
    delivery: DeliveryStatus | None
    outcome: Outcome | None
    wellbeing: Wellbeing | None
    booth_position: Strength | None
    needs: tuple[RaisedNeed, ...]
    reported_at: datetime | None
    notes: str | None
    attempts: int
    flags: tuple[Flag, ...] = ()
    back_check: BackCheckAnswer | None = None
    lok_sabha: str = ""
    focus: bool = False
    attempt: int = 1

    @property
    def conversation(self) -> bool:
        """Whether the latest report says the office-bearer talked with the booth president."""
        return self.outcome is Outcome.talked


async def _needs_by_assignment(session: AsyncSession, scope: CallScope) -> dict[int, list[RaisedNeed]]:
    needs: dict[int, list[RaisedNeed]] = defaultdict(list)
    for assignment_id, category, detail in (await session.execute(
            select(CallReport.assignment_id, Need.category, Need.detail)
            .join(CallReport, CallReport.id == Need.call_report_id)
            .join(scope.assignments, scope.assignments.c.id == CallReport.assignment_id)
            .where(scope.reports())
            .order_by(CallReport.assignment_id, Need.id))).all():
        needs[assignment_id].append(RaisedNeed(category, detail))
    return needs


async def export_calls(session: AsyncSession, *, start: date, end: date,
                       district_ids: Collection[int] | None = None,
                       timezone: tzinfo = UTC, focus: Collection[str] = (),
                       lok_sabha_ids: Collection[int] | None = None,
                       assembly_id: int | None = None) -> list[CallExportRow]:
    """Every assignment of `start`..`end` on booths of `district_ids` (all when None), for a spreadsheet.

    The outcome, well-being and position come from the latest report; needs from every report; the
    report time is given in `timezone` (the programme's local time, UTC by default), which also decides
    what counts as "the evening" for the plausibility flags; the back-check answer comes from the booth
    president, if they were asked; `attempt` says which try at this booth president the call was. Each row
    names its Lok Sabha seat and whether it is one of the `focus` seats; `lok_sabha_ids` or `assembly_id` keep
    only the calls of those seats (a seat's view).
    """
    scope = call_scope(start=start, end=end, district_ids=district_ids, lok_sabha_ids=lok_sabha_ids,
                       assembly_id=assembly_id)
    focus_ids = await focus_seat_ids(session, focus)
    scoped = scope.assignments
    latest = latest_reports(scope)
    needs = await _needs_by_assignment(session, scope)
    flags = await flags_for_period(session, start=start, end=end, district_ids=district_ids, zone=timezone)
    rows = (await session.execute(
        select(scoped.c.id, scoped.c.day, OfficeBearer.name.label("office_bearer"),
               OfficeBearer.phone.label("office_bearer_phone"), OfficeBearer.role,
               BoothPresident.name.label("president"), BoothPresident.phone.label("president_phone"),
               Booth.number.label("booth_no"), Booth.name.label("booth_name"),
               AssemblySeat.number.label("assembly_no"), AssemblySeat.name.label("assembly"),
               Mandal.name.label("mandal"), District.name.label("district"), Region.name.label("region"),
               Delivery.status.label("delivery"), latest.c.outcome, latest.c.wellbeing,
               latest.c.booth_position, latest.c.reported_at, latest.c.notes, latest.c.attempts,
               BackCheck.asked_at.label("back_check_asked_at"), BackCheck.called.label("back_check_called"),
               BackCheck.attempted_only.label("back_check_attempted_only"),
               LokSabhaSeat.id.label("lok_sabha_id"), LokSabhaSeat.name.label("lok_sabha"), Assignment.attempt)
        .select_from(scoped)
        .join(Assignment, Assignment.id == scoped.c.id)
        .join(OfficeBearer, OfficeBearer.id == scoped.c.office_bearer_id)
        .join(BoothPresident, BoothPresident.id == scoped.c.booth_president_id)
        .join(Booth, Booth.id == scoped.c.booth_id)
        .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
        .join(Mandal, Mandal.id == Booth.mandal_id)
        .join(District, District.id == scoped.c.district_id)
        .join(Region, Region.id == District.region_id)
        .join(LokSabhaSeat, LokSabhaSeat.id == AssemblySeat.lok_sabha_id)
        .outerjoin(Delivery, scope.delivery())
        .outerjoin(latest, latest.c.assignment_id == scoped.c.id)
        .outerjoin(BackCheck, BackCheck.assignment_id == scoped.c.id)
        .order_by(scoped.c.day, OfficeBearer.name, scoped.c.office_bearer_id, scoped.c.slot))).mappings().all()
    exported = []
    for row in rows:
        values = dict(row)
        assignment_id, reported_at = values.pop("id"), values.pop("reported_at")
        answer = _back_check_answer(values.pop("back_check_asked_at"), values.pop("back_check_called"),
                                    values.pop("back_check_attempted_only"))
        values["focus"] = values.pop("lok_sabha_id") in focus_ids
        exported.append(CallExportRow(
            **values | {"needs": tuple(needs[assignment_id]), "attempts": values["attempts"] or 0},
            reported_at=reported_at.astimezone(timezone) if reported_at else None,
            flags=flags.get(assignment_id, ()), back_check=answer))
    return exported


def _needs_text(language: str, needs: Sequence[RaisedNeed]) -> str:
    return "; ".join(f"{enum_label(language, need.category)}: {need.detail}" if need.detail
                     else enum_label(language, need.category) for need in needs)


def _optional_label(language: str, value: Outcome | Wellbeing | Strength | None) -> str | None:
    return enum_label(language, value) if value is not None else None


_COLUMNS: tuple[tuple[str, Callable[[CallExportRow, str], Cell]], ...] = (
    ("day", lambda row, _: row.day),
    ("office_bearer", lambda row, _: row.office_bearer),
    ("office_bearer_phone", lambda row, _: row.office_bearer_phone),
    ("role", lambda row, language: enum_label(language, row.role)),
    ("president", lambda row, _: row.president),
    ("president_phone", lambda row, _: row.president_phone),
    ("booth_no", lambda row, _: row.booth_no),
    ("booth_name", lambda row, _: row.booth_name),
    ("assembly_no", lambda row, _: row.assembly_no),
    ("assembly", lambda row, _: row.assembly),
    ("mandal", lambda row, _: row.mandal),
    ("district", lambda row, _: row.district),
    ("region", lambda row, _: row.region),
    ("lok_sabha", lambda row, _: row.lok_sabha),
    ("focus", lambda row, language: translate(language, "export.focus.yes" if row.focus else "export.focus.no")),
    ("delivery", lambda row, language: enum_label(language, row.delivery) if row.delivery
        else translate(language, "delivery_status.none")),
    ("outcome", lambda row, language: _optional_label(language, row.outcome)),
    ("conversation", lambda row, language: translate(language, "export.conversation."
                                                     + ("yes" if row.conversation else "no"))),
    ("wellbeing", lambda row, language: _optional_label(language, row.wellbeing)),
    ("booth_position", lambda row, language: _optional_label(language, row.booth_position)),
    ("needs", lambda row, language: _needs_text(language, row.needs)),
    ("reported_at", lambda row, _: row.reported_at.isoformat(timespec="seconds") if row.reported_at else None),
    ("notes", lambda row, _: row.notes),
    ("attempts", lambda row, _: row.attempts),
    ("attempt", lambda row, _: row.attempt),
    ("flags", lambda row, language: "; ".join(translate(language, f"flag.{flag.value}") for flag in row.flags)
        or None),
    ("back_check", lambda row, language: translate(language, f"back_check.{row.back_check.value}")
        if row.back_check else None),
)
"""Each column of the export: its catalog key under `export.column.` and how a row fills it."""


def export_headers(language: str) -> list[str]:
    """The column headers of the calls export in `language`."""
    return [translate(language, f"export.column.{key}") for key, _ in _COLUMNS]


def export_cells(row: CallExportRow, language: str) -> list[Cell]:
    """One export row as cell values, labels in `language`, in the order of `export_headers`."""
    return [cell(row, language) for _, cell in _COLUMNS]


def _csv_safe(value: Cell) -> str:
    """A cell for CSV: text a spreadsheet would run as a formula gets a leading apostrophe (not "+91…")."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _SIGNED_NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def write_calls_csv(path: Path, rows: Sequence[CallExportRow], language: str) -> None:
    """Write the export as CSV in UTF-8 with a byte-order mark, so that Excel shows Devanagari correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(export_headers(language))
        writer.writerows([_csv_safe(value) for value in export_cells(row, language)] for row in rows)


def _column_widths(headers: Sequence[str], table: Sequence[Sequence[Cell]]) -> list[int]:
    """Each column as wide as its longest text (header included), within sensible bounds."""
    longest = [max(len(str(value)) for value in column if value is not None)
               for column in zip(headers, *table, strict=True)]
    return [min(max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH) for width in longest]


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell, *, bold: bool = False) -> WriteOnlyCell:
    """A cell whose text always stays text (never a formula), dates shown as dates, the header in bold."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _calls_workbook(rows: Sequence[CallExportRow], language: str) -> Workbook:
    headers = export_headers(language)
    table = [export_cells(row, language) for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(translate(language, "export.sheet_title"))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_column_widths(headers, table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_xlsx_cell(sheet, header, bold=True) for header in headers])
    for cells in table:
        sheet.append([_xlsx_cell(sheet, value) for value in cells])
    return workbook


def calls_xlsx_bytes(rows: Sequence[CallExportRow], language: str) -> bytes:
    """The export as an Excel workbook in memory, for the bot to send as a document."""
    buffer = io.BytesIO()
    _calls_workbook(rows, language).save(buffer)
    return buffer.getvalue()


def write_calls_xlsx(path: Path, rows: Sequence[CallExportRow], language: str) -> None:
    """Write the export as an Excel workbook: bold, frozen header row and columns sized to their contents."""
    _calls_workbook(rows, language).save(path)


_WRITERS: dict[str, Callable[[Path, Sequence[CallExportRow], str], None]] = {
    ".csv": write_calls_csv,
    ".xlsx": write_calls_xlsx,
}


def write_calls(path: Path, rows: Sequence[CallExportRow], language: str) -> None:
    """Write the export in the format the file name asks for (.csv or .xlsx)."""
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        raise UnsupportedExportFormat(
            f"cannot export calls to {path.name!r}: the file name must end in .csv or .xlsx")
    writer(path, rows, language)


async def record_export(session: AsyncSession, *, actor_id: int | None, actor_label: str,
                        period: tuple[date, date], scope: str, rows: int, now: datetime) -> None:
    """Log that someone exported the calls of a period (personal data): when, who, what, how many rows."""
    start, end = period
    record(session, AuditAction.export_calls, at=now, actor_id=actor_id, actor_label=actor_label,
           subject=f"calls:{start.isoformat()}..{end.isoformat()}",
           detail={"start": start.isoformat(), "end": end.isoformat(), "scope": scope, "rows": rows})
    await session.flush()


class ExportNotAllowed(DomainError):
    """Only the organisation secretary and admins may export calls: the file holds every number called."""

    key = "review.export.not_allowed"


@dataclass(frozen=True)
class AreaExport:
    """The calls of one area and period, exported by someone in the bot."""

    area: Area
    period: Period
    rows: list[CallExportRow]

    @property
    def filename(self) -> str:
        """The name the spreadsheet is sent under."""
        return f"samvad-calls-{self.period.start.isoformat()}-{self.period.end.isoformat()}.xlsx"


async def export_area(session: AsyncSession, viewer: Viewer, *, level: Level, area_id: int, period: Period,
                      timezone: tzinfo, now: datetime, focus: Collection[str] = ()) -> AreaExport:
    """The calls of the state, a region, a district, the state by seat, the `focus` seats, a Lok Sabha seat or
    an assembly seat over `period`, for the secretary or an admin, logged.

    Raises `ExportNotAllowed` for everyone else, and `NotVisible` or `UnknownArea` as the views do.
    """
    if not viewer.sees_all:
        raise ExportNotAllowed
    target = await area_target(session, viewer, level, area_id, focus=focus)
    if target.office_bearer_id is not None:
        raise NotVisible
    rows = await export_calls(session, start=period.start, end=period.end, district_ids=target.district_ids,
                              timezone=timezone, focus=focus, lok_sabha_ids=target.lok_sabha_ids,
                              assembly_id=target.assembly_id)
    scope = "all" if level in (Level.state, Level.seats) else f"{level.value}:{area_id}"
    await record_export(session, actor_id=viewer.person_id, actor_label="bot", period=(period.start, period.end),
                        scope=scope, rows=len(rows), now=now)
    return AreaExport(target.area, period, rows)
