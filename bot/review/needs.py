"""Needs followed up to an end: what booths asked for on calls, open → in progress → resolved (or reopened).

The district in-charge follows up the needs of booths in their districts; the organisation secretary and
admins those of every booth. A change is a "claim" update that succeeds only if the need still has the
status the person saw, so two people pressing at once cannot both change it; each change is written to the
audit log with who, when, and from what to what (the status history lives there, not in the schema).

Each need has an owner (a district in-charge of its district, or nobody: the organisation secretary's
queue) and a day it is due. The owner, the secretary or an admin may hand it to another in-charge of that
district or to the secretary; a need still open past its due day is escalated to the secretary once; and
when a need is resolved, the booth's president, if registered with the bot, is told once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.access import needs_scope, sees_every_district
from bot.audit import AuditAction, record
from bot.errors import NeedChanged, NeedNotInScope, NotANeedHandoverTarget, NotTheNeedOwner
from bot.i18n import normalise_language
from bot.outreach.needs import district_incharges
from bot.review.booths import OPEN_STATUSES, BoothPlace, get_booth
from models import (
    AssemblySeat,
    Booth,
    BoothPresident,
    District,
    Need,
    NeedCategory,
    NeedStatus,
    OfficeBearer,
    Role,
)

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
    owner_id: int | None = None
    owner_name: str | None = None
    due_on: date | None = None

    def overdue(self, today: date) -> bool:
        """Whether the need is past the day it was due (and so worth a ⏰)."""
        return self.due_on is not None and self.due_on < today and self.status in OPEN_STATUSES


@dataclass(frozen=True)
class NeedsPage:
    """One page of the open and in-progress needs in a person's scope (or of one booth), oldest first."""

    items: tuple[NeedItem, ...]
    page: int
    pages: int
    total: int
    booth: BoothPlace | None


def _needs() -> Select[*tuple[Any, ...]]:
    owner = aliased(OfficeBearer)
    return (select(Need.id, Need.category, Need.detail, Need.status, Need.created_at, Need.booth_id,
                   Need.owner_id, owner.name.label("owner_name"), Need.due_on,
                   Booth.number.label("booth_no"), Booth.name.label("booth_name"),
                   AssemblySeat.number.label("assembly_no"), AssemblySeat.name.label("assembly"),
                   AssemblySeat.district_id, District.name.label("district"), District.region_id)
            .join(Booth, Booth.id == Need.booth_id)
            .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
            .join(District, District.id == AssemblySeat.district_id)
            .outerjoin(owner, owner.id == Need.owner_id))


def _item(row: Row[*tuple[Any, ...]]) -> NeedItem:
    return NeedItem(id=row.id, category=row.category, detail=row.detail, status=row.status,
                    created_at=row.created_at, booth_no=row.booth_no, booth_name=row.booth_name,
                    assembly_no=row.assembly_no, assembly=row.assembly, district=row.district,
                    owner_id=row.owner_id, owner_name=row.owner_name, due_on=row.due_on)


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
    """Move a need from the status `person` saw (`seen`) to `to`, and log it. Resolving it notes when
    (`resolved_at`); reopening it clears that.

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
        update(Need).where(Need.id == need_id, Need.status == seen)
        .values(status=to, resolved_at=now if to is NeedStatus.resolved else None)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NeedChanged()
    record(session, AuditAction.need_status_changed, at=now, actor_id=person.id, actor_label="telegram",
           subject=f"need:{need_id}", detail={"from": seen.value, "to": to.value})
    await session.flush()
    return replace(_item(row), status=to)


@dataclass(frozen=True)
class HandoverTarget:
    """Someone a need can be handed to: a district in-charge (`id`), or the organisation secretary's queue
    (`id` None, `name` None)."""

    id: int | None
    name: str | None


@dataclass(frozen=True)
class Handover:
    """A need about to be handed over, and the people it may go to (its owner left out)."""

    need: NeedItem
    targets: tuple[HandoverTarget, ...]


async def _need_to_hand_over(session: AsyncSession, person: OfficeBearer, need_id: int, *,
                             seen_owner_id: int | None = None, check_seen: bool = False) -> Row[*tuple[Any, ...]]:
    """The need's row, if it is still to be done (and, with `check_seen`, still with the owner on screen) and
    `person` may hand it over: its owner (in whose districts it lies), the secretary or an admin."""
    scope = needs_scope(person)
    row = (await session.execute(_needs().where(Need.id == need_id))).one_or_none()
    if row is None or row.status not in OPEN_STATUSES:
        raise NeedChanged()
    if not scope.covers(row.district_id, row.region_id):
        raise NeedNotInScope()
    if check_seen and row.owner_id != seen_owner_id:
        raise NeedChanged()
    if not sees_every_district(person) and row.owner_id != person.id:
        raise NotTheNeedOwner()
    return row


async def handover_choices(session: AsyncSession, person: OfficeBearer, *, need_id: int) -> Handover:
    """Who `person` may hand this need to: the other active district in-charges of its district, and the
    organisation secretary's queue unless it is there already.

    Raises `NeedChanged` for a need gone or resolved, `NeedNotInScope` outside the person's districts and
    `NotTheNeedOwner` for a district in-charge who does not own it.
    """
    row = await _need_to_hand_over(session, person, need_id)
    targets = [HandoverTarget(incharge.id, incharge.name)
               for incharge in await district_incharges(session, row.district_id) if incharge.id != row.owner_id]
    if row.owner_id is not None:
        targets.append(HandoverTarget(None, None))
    return Handover(_item(row), tuple(targets))


async def reassign_need(session: AsyncSession, person: OfficeBearer, *, need_id: int, seen_owner_id: int | None,
                        to_owner_id: int | None, now: datetime) -> NeedItem:
    """Hand a need from the owner `person` saw (`seen_owner_id`; None is the secretary's queue) to another
    district in-charge of its district or to the secretary's queue, and log it.

    A claim: if the owner or the status changed meanwhile, nothing changes and `NeedChanged` is raised. A
    target who is not an active in-charge of the need's district (a forged button) raises
    `NotANeedHandoverTarget`; the other refusals are those of `handover_choices`.
    """
    row = await _need_to_hand_over(session, person, need_id, seen_owner_id=seen_owner_id, check_seen=True)
    target_name = None
    if to_owner_id is not None:
        incharges = {incharge.id: incharge.name for incharge in await district_incharges(session, row.district_id)}
        if to_owner_id not in incharges:
            raise NotANeedHandoverTarget()
        target_name = incharges[to_owner_id]
    if to_owner_id == seen_owner_id:
        raise NotANeedHandoverTarget()
    owner_was = Need.owner_id.is_(None) if seen_owner_id is None else Need.owner_id == seen_owner_id
    claimed = await session.execute(
        update(Need).where(Need.id == need_id, owner_was, Need.status.in_(OPEN_STATUSES))
        .values(owner_id=to_owner_id).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NeedChanged()
    record(session, AuditAction.need_reassigned, at=now, actor_id=person.id, actor_label="telegram",
           subject=f"need:{need_id}", detail={"from": seen_owner_id, "to": to_owner_id})
    await session.flush()
    return replace(_item(row), owner_id=to_owner_id, owner_name=target_name)


@dataclass(frozen=True)
class ResolutionNotice:
    """What to tell a booth president whose booth's need was resolved, and where."""

    chat_id: int
    language: str
    president_name: str
    category: NeedCategory
    detail: str | None


async def claim_resolution_notice(session: AsyncSession, *, need_id: int, now: datetime,
                                  default_language: str) -> ResolutionNotice | None:
    """The notice for the booth's active president if the need is resolved, they are registered with the bot
    and were not told yet; claims `president_told_at`, so they are told once however often it is resolved.
    None when there is no one to tell."""
    found = (await session.execute(
        select(Need.category, Need.detail, BoothPresident.name, BoothPresident.telegram_user_id,
               BoothPresident.language)
        .join(BoothPresident, BoothPresident.booth_id == Need.booth_id)
        .where(Need.id == need_id, Need.status == NeedStatus.resolved, Need.president_told_at.is_(None),
               BoothPresident.active, BoothPresident.telegram_user_id.is_not(None))
        .order_by(BoothPresident.id).limit(1))).one_or_none()
    if found is None:
        return None
    claimed = await session.execute(
        update(Need).where(Need.id == need_id, Need.president_told_at.is_(None)).values(president_told_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return ResolutionNotice(chat_id=found.telegram_user_id, language=normalise_language(found.language,
                                                                                         default_language),
                            president_name=found.name, category=found.category, detail=found.detail)


@dataclass(frozen=True)
class OverdueNeed:
    """A need past its due day, as the organisation secretary is told of it."""

    need: NeedItem
    days_overdue: int


@dataclass(frozen=True)
class EscalationRecipient:
    """An organisation secretary to tell: their id, Telegram chat and language."""

    office_bearer_id: int
    chat_id: int
    language: str


@dataclass(frozen=True)
class Escalation:
    """The needs escalated today (most overdue first) and the secretaries to tell."""

    needs: tuple[OverdueNeed, ...]
    recipients: tuple[EscalationRecipient, ...]


async def release_escalation(session: AsyncSession, *, need_ids: Collection[int]) -> None:
    """Give back the claim on needs whose escalation reached no secretary, so that a later day tries again."""
    await session.execute(update(Need).where(Need.id.in_(need_ids)).values(escalated_at=None)
                          .execution_options(synchronize_session=False))


async def escalate_overdue(session: AsyncSession, *, today: date, now: datetime,
                           default_language: str) -> Escalation | None:
    """Claim the open and in-progress needs past their due day not yet escalated (`escalated_at`), for the
    active, registered and reachable organisation secretaries; None when there is nothing to escalate or no
    one to tell (then nothing is claimed, and a later day tries again)."""
    secretaries = (await session.execute(
        select(OfficeBearer).where(OfficeBearer.role == Role.organisation_secretary, OfficeBearer.active,
                                   OfficeBearer.telegram_user_id.is_not(None),
                                   OfficeBearer.unreachable_since.is_(None))
        .order_by(OfficeBearer.id))).scalars().all()
    if not secretaries:
        return None
    claimed = (await session.execute(
        update(Need).where(Need.status.in_(OPEN_STATUSES), Need.due_on < today, Need.escalated_at.is_(None))
        .values(escalated_at=now).returning(Need.id).execution_options(synchronize_session=False))).scalars().all()
    if not claimed:
        return None
    rows = (await session.execute(_needs().where(Need.id.in_(claimed)).order_by(Need.due_on, Need.id))).all()
    recipients = tuple(EscalationRecipient(person.id, person.telegram_user_id or 0,
                                           normalise_language(person.language, default_language))
                       for person in secretaries)
    return Escalation(tuple(OverdueNeed(_item(row), (today - row.due_on).days) for row in rows), recipients)
