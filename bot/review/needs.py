"""Needs followed up to an end: what booths asked for on calls, open → in progress → resolved (or reopened).

The district in-charge follows up the needs of booths in their districts; the organisation secretary and
admins those of every booth. A change is a "claim" update that succeeds only if the need still has the
status the person saw, so two people pressing at once cannot both change it; each change is written to the
audit log with who, when, and from what to what (the status history lives there, not in the schema).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import needs_scope
from bot.audit import AuditAction, record
from bot.errors import NeedChanged, NeedNotInScope
from bot.review.booths import OPEN_STATUSES, BoothPlace, get_booth
from models import AssemblySeat, Booth, District, Need, NeedCategory, NeedStatus, OfficeBearer

PAGE_SIZE = 5
"""Needs on one page of the list: each has its own row of buttons, so a page stays easy to read."""


@dataclass(frozen=True)
class NeedItem:
    """A need with the booth that raised it."""

    id: int
    category: NeedCategory
    detail: str | None
    status: NeedStatus
    created_at: datetime
    booth_no: int
    booth_name: str
    assembly_no: int
    assembly: str
    district: str


@dataclass(frozen=True)
class NeedsPage:
    """One page of the open and in-progress needs in a person's scope (or of one booth), oldest first."""

    items: tuple[NeedItem, ...]
    page: int
    pages: int
    total: int
    booth: BoothPlace | None


def _needs() -> Select[*tuple[Any, ...]]:
    return (select(Need.id, Need.category, Need.detail, Need.status, Need.created_at, Need.booth_id,
                   Booth.number.label("booth_no"), Booth.name.label("booth_name"),
                   AssemblySeat.number.label("assembly_no"), AssemblySeat.name.label("assembly"),
                   AssemblySeat.district_id, District.name.label("district"), District.region_id)
            .join(Booth, Booth.id == Need.booth_id)
            .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
            .join(District, District.id == AssemblySeat.district_id))


def _item(row: Row[*tuple[Any, ...]]) -> NeedItem:
    return NeedItem(id=row.id, category=row.category, detail=row.detail, status=row.status,
                    created_at=row.created_at, booth_no=row.booth_no, booth_name=row.booth_name,
                    assembly_no=row.assembly_no, assembly=row.assembly, district=row.district)


async def list_needs(session: AsyncSession, person: OfficeBearer, *, booth_id: int | None = None,
                     page: int = 0) -> NeedsPage:
    """Page `page` (from 0; past the end means the last) of the needs `person` follows up that are still
    open or in progress, oldest first; only those of one booth when `booth_id` is given.

    Raises `NotAllowed` for a state office-bearer and `BoothNotInScope` for a booth outside the scope.
    """
    scope = needs_scope(person)
    booth = await get_booth(session, scope, booth_id) if booth_id is not None else None
    query = _needs().where(Need.status.in_(OPEN_STATUSES), scope.condition())
    if booth_id is not None:
        query = query.where(Need.booth_id == booth_id)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = (await session.execute(
        query.order_by(Need.created_at, Need.id).offset(page * PAGE_SIZE).limit(PAGE_SIZE))).all()
    return NeedsPage(items=tuple(_item(row) for row in rows), page=page, pages=pages, total=total, booth=booth)


async def change_need_status(session: AsyncSession, person: OfficeBearer, *, need_id: int, seen: NeedStatus,
                             to: NeedStatus, now: datetime) -> NeedItem:
    """Move a need from the status `person` saw (`seen`) to `to`, and log it.

    A need that is gone or no longer `seen` raises `NeedChanged` (the button was stale); one of a booth
    outside the person's districts raises `NeedNotInScope` (the button was forged); a person who follows
    up no needs at all gets `NotAllowed`.
    """
    if seen is to:
        raise ValueError("a status change needs two different statuses")
    scope = needs_scope(person)
    row = (await session.execute(_needs().where(Need.id == need_id))).one_or_none()
    if row is None:
        raise NeedChanged()
    if not scope.covers(row.district_id, row.region_id):
        raise NeedNotInScope()
    claimed = await session.execute(
        update(Need).where(Need.id == need_id, Need.status == seen).values(status=to)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NeedChanged()
    record(session, AuditAction.need_status_changed, at=now, actor_id=person.id, actor_label="telegram",
           subject=f"need:{need_id}", detail={"from": seen.value, "to": to.value})
    await session.flush()
    return replace(_item(row), status=to)
