"""Personal data under India's Digital Personal Data Protection Act 2023: retention, erasure and export.

Free text (call notes, the words of a need) is the most personal thing stored and the least needed once a
call is old: `apply_retention` removes it after the configured period. `erase_person` removes everything
that identifies one person on request while keeping the rows that summaries count, so the organisation's
figures still add up. `export_person` gathers every row held about one person. Each writes an audit entry
that names the person by id only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.audit import AuditAction, record
from models import (
    Assignment,
    AuditEntry,
    BackCheck,
    BoothPresident,
    CallReport,
    Correction,
    Delivery,
    Need,
    OfficeBearer,
)

ERASED = "erased"

Person = BoothPresident | OfficeBearer


@dataclass(frozen=True)
class Erasure:
    """What erasing one person removed: how many call notes and need details went with them."""

    kind: str
    person_id: int
    notes: int
    need_details: int


def subject_of(person: Person) -> str:
    """How the audit log names a person: `booth_president:<id>` or `office_bearer:<id>`."""
    return f"{_kind(person)}:{person.id}"


def _kind(person: Person) -> str:
    return "booth_president" if isinstance(person, BoothPresident) else "office_bearer"


async def apply_retention(session: AsyncSession, *, now: datetime, retention_days: int) -> int:
    """Remove the free text of call reports and needs older than `retention_days`; return how many texts went.

    Outcomes, well-being, booth position, need categories and statuses stay, so every count is unchanged.
    One audit entry records the run and the number of texts removed.
    """
    before = now - timedelta(days=retention_days)
    notes = await _clear(session, CallReport.notes, CallReport.reported_at < before)
    details = await _clear(session, Need.detail, Need.created_at < before)
    record(session, AuditAction.retention_applied, at=now, actor_label="retention",
           subject=f"before:{before.date().isoformat()}",
           detail={"retention_days": retention_days, "notes": notes, "need_details": details})
    await session.flush()
    return notes + details


async def _clear(session: AsyncSession, column: Any, *conditions: ColumnElement[bool]) -> int:
    """Set a free-text column to NULL where it holds something and `conditions` hold; the number of rows."""
    result = await session.execute(update(column.class_).where(column.is_not(None), *conditions)
                                   .values({column.key: None}).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def find_people(session: AsyncSession, e164: str) -> list[Person]:
    """Everyone stored under this mobile number: a booth president, an office-bearer, or one of each."""
    presidents = (await session.execute(select(BoothPresident).where(BoothPresident.phone == e164))).scalars()
    bearers = (await session.execute(select(OfficeBearer).where(OfficeBearer.phone == e164))).scalars()
    return [*presidents, *bearers]


def _notes_scope(person: Person) -> ColumnElement[bool]:
    """The call reports whose notes are about (booth president) or written by (office-bearer) the person."""
    if isinstance(person, BoothPresident):
        return Assignment.booth_president_id == person.id
    return Assignment.office_bearer_id == person.id


async def erase_person(session: AsyncSession, person: Person, *, now: datetime, actor_label: str) -> Erasure:
    """Erase one person's personal data and keep the rows summaries count.

    Name and number become `erased-<id>` (a phone that no real number matches), the Telegram account and
    language are forgotten and the person is deactivated. The notes of the calls to a booth president, with
    the words of the needs raised on them, or the notes an office-bearer wrote, are removed. Assignments,
    outcomes, needs' categories, back-check answers and deliveries stay. The audit entry holds counts only.
    """
    reports = select(CallReport.id).join(Assignment, Assignment.id == CallReport.assignment_id).where(
        _notes_scope(person))
    notes = await _clear(session, CallReport.notes, CallReport.id.in_(reports))
    details = (await _clear(session, Need.detail, Need.call_report_id.in_(reports))
               if isinstance(person, BoothPresident) else 0)
    placeholder = f"{ERASED}-{person.id}"
    await session.execute(update(Correction).where(Correction.proposed_phone == person.phone)
                          .values(proposed_name=placeholder, proposed_phone=None)
                          .execution_options(synchronize_session=False))
    person.name = placeholder
    person.phone = placeholder
    person.telegram_user_id = None
    person.language = None
    person.active = False
    if isinstance(person, BoothPresident):
        person.invite_token = None
    erasure = Erasure(kind=_kind(person), person_id=person.id, notes=notes, need_details=details)
    record(session, AuditAction.person_erased, at=now, actor_label=actor_label, subject=subject_of(person),
           detail={"notes": notes, "need_details": details})
    await session.flush()
    return erasure


def _row(obj: object, *exclude: str) -> dict[str, Any]:
    """A model row as plain JSON-ready values (dates as ISO text, enums as their values)."""
    table = obj.__table__  # type: ignore[attr-defined]
    return {column.key: _plain(getattr(obj, column.key)) for column in table.columns if column.key not in exclude}


def _plain(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


async def _reports(session: AsyncSession, assignment_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = (await session.execute(select(CallReport).options(selectinload(CallReport.needs))
                                  .where(CallReport.assignment_id.in_(assignment_ids))
                                  .order_by(CallReport.reported_at, CallReport.id))).scalars()
    return [{**_row(report), "needs": [_row(need) for need in report.needs]} for report in rows]


async def _audit(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    about = AuditEntry.subject == subject_of(person)
    condition = or_(about, AuditEntry.actor_id == person.id) if isinstance(person, OfficeBearer) else about
    rows = (await session.execute(select(AuditEntry).where(condition).order_by(AuditEntry.at, AuditEntry.id)))
    return [_row(entry) for entry in rows.scalars()]


async def _assignments(session: AsyncSession, condition: ColumnElement[bool]) -> tuple[list[dict[str, Any]], list[int]]:
    rows = list((await session.execute(select(Assignment).where(condition)
                                       .order_by(Assignment.day, Assignment.slot))).scalars())
    return [_row(a) for a in rows], [a.id for a in rows]


async def _president_record(session: AsyncSession, president: BoothPresident) -> dict[str, Any]:
    assignments, ids = await _assignments(session, Assignment.booth_president_id == president.id)
    checks = (await session.execute(select(BackCheck).where(BackCheck.booth_president_id == president.id)
                                    .order_by(BackCheck.id))).scalars()
    return {"booth_president": _row(president), "assignments_as_called": assignments,
            "reports_on_calls_to_them": await _reports(session, ids),
            "back_checks": [_row(check) for check in checks], "audit": await _audit(session, president)}


async def _office_bearer_record(session: AsyncSession, person: OfficeBearer) -> dict[str, Any]:
    loaded = (await session.execute(select(OfficeBearer).options(selectinload(OfficeBearer.districts),
                                                                 selectinload(OfficeBearer.region))
                                    .where(OfficeBearer.id == person.id))).scalar_one()
    assignments, ids = await _assignments(session, Assignment.office_bearer_id == person.id)
    deliveries = (await session.execute(select(Delivery).where(Delivery.office_bearer_id == person.id)
                                        .order_by(Delivery.day))).scalars()
    return {"office_bearer": {**_row(loaded), "region": loaded.region.name if loaded.region else None,
                              "districts": sorted(d.name for d in loaded.districts)},
            "assignments_as_caller": assignments, "reports_they_made": await _reports(session, ids),
            "deliveries": [_row(d) for d in deliveries], "audit": await _audit(session, person)}


async def export_person(session: AsyncSession, people: Sequence[Person], *, now: datetime,
                        actor_label: str) -> dict[str, Any]:
    """Everything held about the people stored under one number, as JSON-ready data.

    Other people appear only by id (the caller or booth president of an assignment), never by name or
    number. One audit entry per person exported, written after the export was gathered.
    """
    records = [await (_president_record(session, p) if isinstance(p, BoothPresident)
                      else _office_bearer_record(session, p)) for p in people]
    for person in people:
        record(session, AuditAction.person_exported, at=now, actor_label=actor_label, subject=subject_of(person))
    await session.flush()
    return {"exported_at": now.isoformat(), "people": records}
