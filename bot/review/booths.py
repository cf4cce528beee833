"""One booth at a glance: where it is, who leads it, what the calls heard, how strong it is, what it needs.

Who may look at which booth: the organisation secretary and admins every booth, a district in-charge the
booths of their districts, a state office-bearer the booths of their region (every booth when they have
none) — the same booths the rotation could give them to call. The president's phone number is personal
data: it is shown only to the secretary and admins, and to the office-bearer who has that president to
call today. Every view is written to the audit log, saying whether the number was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Scope, needs_scope, sees_every_district, view_scope
from bot.audit import AuditAction, record
from bot.errors import BoothNotInScope, NotAllowed, UnknownBooth
from models import (
    AssemblySeat,
    Assignment,
    Booth,
    BoothPresident,
    CallReport,
    District,
    LokSabhaSeat,
    Mandal,
    Need,
    NeedCategory,
    NeedStatus,
    OfficeBearer,
    Outcome,
    Strength,
    Wellbeing,
)

MAX_CALLS = 30
"""The most calls a booth view carries; the message shows as many of them as fit."""

OPEN_STATUSES = (NeedStatus.open, NeedStatus.in_progress)
"""Needs that still ask for something to be done."""


@dataclass(frozen=True)
class BoothPlace:
    """A booth and the map above it."""

    id: int
    number: int
    name: str
    mandal: str
    assembly_no: int
    assembly: str
    district_id: int
    district: str
    region_id: int
    lok_sabha: str
    strength: Strength | None


def _places() -> Select[*tuple[Any, ...]]:
    return (select(Booth.id, Booth.number, Booth.name, Booth.strength, Mandal.name.label("mandal"),
                   AssemblySeat.number.label("assembly_no"), AssemblySeat.name.label("assembly"),
                   District.id.label("district_id"), District.name.label("district"), District.region_id,
                   LokSabhaSeat.name.label("lok_sabha"))
            .join(Mandal, Mandal.id == Booth.mandal_id)
            .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
            .join(District, District.id == AssemblySeat.district_id)
            .join(LokSabhaSeat, LokSabhaSeat.id == AssemblySeat.lok_sabha_id))


def _place(row: Row[*tuple[Any, ...]], scope: Scope) -> BoothPlace:
    if not scope.covers(row.district_id, row.region_id):
        raise BoothNotInScope()
    return BoothPlace(id=row.id, number=row.number, name=row.name, mandal=row.mandal, assembly_no=row.assembly_no,
                      assembly=row.assembly, district_id=row.district_id, district=row.district,
                      region_id=row.region_id, lok_sabha=row.lok_sabha, strength=row.strength)


async def find_booth(session: AsyncSession, scope: Scope, *, assembly_no: int, booth_no: int) -> BoothPlace:
    """The booth with these numbers, if it exists (`UnknownBooth`) and lies in `scope` (`BoothNotInScope`)."""
    row = (await session.execute(
        _places().where(AssemblySeat.number == assembly_no, Booth.number == booth_no))).one_or_none()
    if row is None:
        raise UnknownBooth(assembly_no=assembly_no, booth_no=booth_no)
    return _place(row, scope)


async def get_booth(session: AsyncSession, scope: Scope, booth_id: int) -> BoothPlace:
    """The booth with this id (from a button) if it lies in `scope`; booths are never deleted, so an id that
    is not there was forged, and is refused like one outside the scope (`BoothNotInScope`)."""
    row = (await session.execute(_places().where(Booth.id == booth_id))).one_or_none()
    if row is None:
        raise BoothNotInScope()
    return _place(row, scope)


@dataclass(frozen=True)
class CallHeard:
    """One call to the booth's president, as the caller reported it."""

    reported_at: datetime
    caller: str
    president: str
    outcome: Outcome
    wellbeing: Wellbeing | None
    position: Strength | None
    notes: str | None


@dataclass(frozen=True)
class OpenNeed:
    """A need of the booth that is not yet resolved."""

    id: int
    category: NeedCategory
    detail: str | None
    status: NeedStatus
    created_at: datetime


@dataclass(frozen=True)
class BoothView:
    """Everything a booth view shows; `phone` is None when the viewer may not see the number."""

    booth: BoothPlace
    president: str | None
    phone: str | None
    calls: tuple[CallHeard, ...]
    calls_total: int
    positions: tuple[tuple[date, Strength], ...]
    needs: tuple[OpenNeed, ...]
    needs_manageable: bool


async def booth_view(session: AsyncSession, person: OfficeBearer, *, assembly_no: int, booth_no: int,
                     today: date, now: datetime) -> BoothView:
    """The booth `assembly_no`/`booth_no` as `person` may see it, written to the audit log.

    Calls are newest first (at most `MAX_CALLS`); positions heard are oldest first, one per talked call
    that named one, dated by the day the call was assigned.
    """
    booth = await find_booth(session, view_scope(person), assembly_no=assembly_no, booth_no=booth_no)
    president = (await session.execute(
        select(BoothPresident.id, BoothPresident.name, BoothPresident.phone)
        .where(BoothPresident.booth_id == booth.id, BoothPresident.active)
        .order_by(BoothPresident.id.desc()).limit(1))).one_or_none()
    phone_shown = president is not None and (sees_every_district(person) or await _assigned_today(
        session, person, president_id=president.id, today=today))
    calls = await _calls(session, booth.id)
    calls_total = (await session.execute(
        select(func.count()).select_from(CallReport).join(Assignment, Assignment.id == CallReport.assignment_id)
        .where(Assignment.booth_id == booth.id))).scalar_one()
    positions = (await session.execute(
        select(Assignment.day, CallReport.booth_position)
        .join(Assignment, Assignment.id == CallReport.assignment_id)
        .where(Assignment.booth_id == booth.id, CallReport.booth_position.is_not(None))
        .order_by(Assignment.day, CallReport.reported_at, CallReport.id))).all()
    needs = (await session.execute(
        select(Need.id, Need.category, Need.detail, Need.status, Need.created_at)
        .where(Need.booth_id == booth.id, Need.status.in_(OPEN_STATUSES))
        .order_by(Need.created_at, Need.id))).all()
    try:
        manageable = needs_scope(person).covers(booth.district_id, booth.region_id)
    except NotAllowed:
        manageable = False
    record(session, AuditAction.booth_viewed, at=now, actor_id=person.id, actor_label="telegram",
           subject=f"booth:{booth.id}", detail={"phone_shown": phone_shown})
    await session.flush()
    return BoothView(
        booth=booth,
        president=president.name if president else None,
        phone=president.phone if president and phone_shown else None,
        calls=calls,
        calls_total=calls_total,
        positions=tuple((row.day, row.booth_position) for row in positions),
        needs=tuple(OpenNeed(id=row.id, category=row.category, detail=row.detail, status=row.status,
                             created_at=row.created_at) for row in needs),
        needs_manageable=manageable,
    )


async def _assigned_today(session: AsyncSession, person: OfficeBearer, *, president_id: int, today: date) -> bool:
    """Whether `person` has this president to call today, which is what entitles them to the number."""
    return (await session.execute(select(Assignment.id).where(
        Assignment.day == today, Assignment.office_bearer_id == person.id,
        Assignment.booth_president_id == president_id).limit(1))).first() is not None


async def _calls(session: AsyncSession, booth_id: int) -> tuple[CallHeard, ...]:
    rows = (await session.execute(
        select(CallReport.reported_at, CallReport.outcome, CallReport.wellbeing, CallReport.booth_position,
               CallReport.notes, OfficeBearer.name.label("caller"), BoothPresident.name.label("president"))
        .join(Assignment, Assignment.id == CallReport.assignment_id)
        .join(OfficeBearer, OfficeBearer.id == Assignment.office_bearer_id)
        .join(BoothPresident, BoothPresident.id == Assignment.booth_president_id)
        .where(Assignment.booth_id == booth_id)
        .order_by(CallReport.reported_at.desc(), CallReport.id.desc())
        .limit(MAX_CALLS))).all()
    return tuple(CallHeard(reported_at=row.reported_at, caller=row.caller, president=row.president,
                           outcome=row.outcome, wellbeing=row.wellbeing, position=row.booth_position,
                           notes=row.notes) for row in rows)
