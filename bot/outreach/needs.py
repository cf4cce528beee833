"""Raising needs from a call: each need keeps the caller's words, has an owner and a day it is due.

The district in-charge of the booth's district owns a new need (the active one with the lowest id, so the
choice is stable); a district with no in-charge leaves it unowned, in the organisation secretary's queue.
It is due `review.need_due_days` after the day it was raised.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AssemblySeat, Booth, Need, NeedCategory, OfficeBearer, OfficeBearerDistrict, Role


async def district_of_booth(session: AsyncSession, booth_id: int) -> int:
    """The id of the district a booth lies in."""
    return (await session.execute(
        select(AssemblySeat.district_id).join(Booth, Booth.assembly_id == AssemblySeat.id)
        .where(Booth.id == booth_id))).scalar_one()


async def district_incharges(session: AsyncSession, district_id: int) -> list[OfficeBearer]:
    """The active district in-charges of a district, lowest id first: who may own its booths' needs."""
    return list((await session.execute(
        select(OfficeBearer).join(OfficeBearerDistrict, OfficeBearerDistrict.office_bearer_id == OfficeBearer.id)
        .where(OfficeBearerDistrict.district_id == district_id, OfficeBearer.role == Role.district_incharge,
               OfficeBearer.active)
        .order_by(OfficeBearer.id))).scalars())


async def default_owner(session: AsyncSession, *, booth_id: int) -> int | None:
    """Who follows up a new need of this booth: its district's first active in-charge, or None (the
    organisation secretary's queue) when the district has none."""
    incharges = await district_incharges(session, await district_of_booth(session, booth_id))
    return incharges[0].id if incharges else None


async def raise_needs(session: AsyncSession, *, call_report_id: int, booth_id: int,
                      categories: Collection[NeedCategory], words: str | None, today: date, due_days: int,
                      now: datetime) -> list[Need]:
    """Add the needs a booth raised on a call: one per chosen category, each keeping the caller's `words`;
    with no category chosen, the words alone become an "other" need. Each gets its owner and due date."""
    chosen = sorted(categories) or ([NeedCategory.other] if words else [])
    if not chosen:
        return []
    owner_id = await default_owner(session, booth_id=booth_id)
    needs = [Need(call_report_id=call_report_id, booth_id=booth_id, category=category, detail=words or None,
                  created_at=now, owner_id=owner_id, due_on=today + timedelta(days=due_days))
             for category in chosen]
    session.add_all(needs)
    return needs
