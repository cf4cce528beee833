"""The trail of one call: assignment, delivery, every report, the flags and the back-check.

It is for the organisation secretary and admins (any call) and district in-charges (their districts); each
view is written to the audit log, since it shows (to the secretary and admins) the booth president's phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.access import review_scope, sees_every_district
from bot.audit import AuditAction, record
from bot.errors import DomainError
from bot.phones import display_phone, mask_phone
from bot.review.flags import Flag, flags_for_period
from models import (
    AssemblySeat,
    Assignment,
    BackCheck,
    Booth,
    CallReport,
    Delivery,
    DeliveryStatus,
    NeedCategory,
    OfficeBearer,
    Outcome,
    Role,
    Strength,
    Wellbeing,
)

TRAIL_DAYS = 7
"""A trail opened for a call outside the period asked about is flagged over the seven days ending on its day."""


class CallNotFound(DomainError):
    """No call with that number in the districts the viewer may see."""

    key = "trail.not_found"


@dataclass(frozen=True)
class TrailReport:
    """One report on the call, as it was stored."""

    reported_at: datetime
    outcome: Outcome
    wellbeing: Wellbeing | None
    position: Strength | None
    needs: tuple[NeedCategory, ...]
    need_details: tuple[str, ...]
    notes: str | None
    call_back_on: date | None


@dataclass(frozen=True)
class TrailBackCheck:
    """The back-check of the call: when asked, and what the booth president answered (None: not yet)."""

    asked_at: datetime | None
    error: str | None
    answered_at: datetime | None
    called: bool | None
    spoke_about_needs: bool | None


@dataclass(frozen=True)
class CallTrail:
    """Everything known about one call. `phone` is ready to show: in full, or masked unless the viewer may see it."""

    assignment_id: int
    day: date
    caller_name: str
    caller_role: Role
    president_name: str
    phone: str
    booth_no: int
    booth_name: str
    assembly_no: int
    assembly: str
    district: str
    delivery_status: DeliveryStatus | None
    delivered_at: datetime | None
    reports: tuple[TrailReport, ...]
    flags: tuple[Flag, ...]
    back_check: TrailBackCheck | None


async def open_trail(session: AsyncSession, *, viewer: OfficeBearer, assignment_id: int, start: date, end: date,
                     zone: tzinfo, now: datetime) -> CallTrail:
    """The whole trail of one call for a reviewer, written to the audit log.

    The secretary and admins may open any call and see the booth president's phone; a district in-charge
    the calls of their districts, with the phone masked (unless the call was their own). The flags are
    those of the period `start`..`end`, or of the seven days ending on the call's day if it lies outside.
    """
    scope = review_scope(viewer)
    assignment = (await session.execute(
        select(Assignment).options(
            selectinload(Assignment.office_bearer), selectinload(Assignment.booth_president),
            selectinload(Assignment.booth).selectinload(Booth.assembly).selectinload(AssemblySeat.district),
            selectinload(Assignment.reports).selectinload(CallReport.needs))
        .where(Assignment.id == assignment_id))).scalar_one_or_none()
    if assignment is None or (scope is not None and assignment.booth.assembly.district_id not in scope):
        raise CallNotFound(number=assignment_id)
    if not start <= assignment.day <= end:
        start, end = assignment.day - timedelta(days=TRAIL_DAYS - 1), assignment.day
    flags = await flags_for_period(session, start=start, end=end, district_ids=None, zone=zone,
                                   office_bearer_id=assignment.office_bearer_id)
    delivery = (await session.execute(select(Delivery).where(
        Delivery.day == assignment.day, Delivery.office_bearer_id == assignment.office_bearer_id))
    ).scalar_one_or_none()
    check = (await session.execute(select(BackCheck).where(BackCheck.assignment_id == assignment_id))
             ).scalar_one_or_none()
    phone_shown = sees_every_district(viewer) or viewer.id == assignment.office_bearer_id
    record(session, AuditAction.call_trail_viewed, at=now, actor_id=viewer.id, actor_label="telegram",
           subject=f"assignment:{assignment_id}", detail={"phone_shown": phone_shown})
    await session.flush()
    president, booth = assignment.booth_president, assignment.booth
    return CallTrail(
        assignment_id=assignment.id, day=assignment.day, caller_name=assignment.office_bearer.name,
        caller_role=assignment.office_bearer.role, president_name=president.name,
        phone=display_phone(president.phone) if phone_shown else mask_phone(president.phone),
        booth_no=booth.number, booth_name=booth.name, assembly_no=booth.assembly.number,
        assembly=booth.assembly.name, district=booth.assembly.district.name,
        delivery_status=delivery.status if delivery else None,
        delivered_at=delivery.updated_at if delivery and delivery.status is DeliveryStatus.sent else None,
        reports=tuple(TrailReport(
            reported_at=r.reported_at, outcome=r.outcome, wellbeing=r.wellbeing, position=r.booth_position,
            needs=tuple(n.category for n in r.needs), need_details=tuple(n.detail for n in r.needs if n.detail),
            notes=r.notes, call_back_on=r.call_back_on) for r in assignment.reports),
        flags=flags.get(assignment_id, ()),
        back_check=TrailBackCheck(check.asked_at, check.error, check.answered_at, check.called,
                                  check.spoke_about_needs) if check else None,
    )
