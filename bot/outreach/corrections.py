"""Corrections: a booth whose president cannot be called as the roster stands, followed until it is fixed.

A correction opens when a caller reports a wrong number or that the person is no longer the booth president,
or when a call has not connected on `outreach.max_attempts` days. The booth president is out of rotation
while it is open. The district in-charge (or an admin) proposes the new name and number, an admin confirms,
and the booth returns to rotation with the new president; every step is written to the audit log.

Each step is a "claim" update that succeeds only if the correction still stands as the person saw it (its
status, and for a decision the proposal on screen), so a stale or forged button changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from bot.access import corrections_scope, sees_every_district
from bot.audit import AuditAction, record
from bot.errors import DomainError, NotAllowed
from bot.outreach.invites import revoke_invite
from bot.phones import display_phone, mask_phone, normalise_mobile
from models import (
    AssemblySeat,
    Booth,
    BoothPresident,
    Correction,
    CorrectionKind,
    CorrectionStatus,
    District,
    OfficeBearer,
    Role,
)

PENDING = (CorrectionStatus.open, CorrectionStatus.proposed)
"""Corrections not yet decided: the booth waits for a new president or an admin's confirmation."""

PAGE_SIZE = 5
"""Corrections on one page of the list: each has its own buttons, so a page stays easy to read."""

MAX_NAME_LENGTH = 120
"""The longest name a booth president may have (the column's length)."""


class CorrectionChanged(DomainError):
    """The correction is gone, or was proposed, confirmed or rejected by someone else since the button was shown."""

    key = "corrections.stale"


class CorrectionNotInScope(DomainError):
    """A correction of a booth outside the districts the person looks after (a forged button)."""

    key = "corrections.not_yours"


class NumberTaken(DomainError):
    """The proposed number already belongs to another active booth president or to an office-bearer."""

    key = "corrections.number_taken"


class InvalidName(DomainError):
    """The proposed name is empty or too long."""

    key = "corrections.bad_name"


@dataclass(frozen=True)
class CorrectionItem:
    """A pending correction as a reviewer sees it: the booth, what was reported, by whom, and any proposal.

    `phone` and `proposed_phone` are already as this viewer may see them: in full for the secretary and
    admins, masked for a district in-charge. `stamp` identifies the proposal on screen, so that a decision
    is taken on the proposal the person saw and no other.
    """

    id: int
    kind: CorrectionKind
    status: CorrectionStatus
    reported_at: datetime
    reported_by: str | None
    booth_no: int
    booth_name: str
    assembly_no: int
    assembly: str
    district: str
    president: str
    phone: str
    proposed_name: str | None
    proposed_phone: str | None
    stamp: int


@dataclass(frozen=True)
class CorrectionsPage:
    """One page of the pending corrections in a person's scope, oldest first, and what the person may do."""

    items: tuple[CorrectionItem, ...]
    page: int
    pages: int
    total: int
    may_propose: bool
    may_decide: bool


def proposal_stamp(proposed_at: datetime | None) -> int:
    """A short number naming one proposal (0 for none): buttons carry it so a decision meets what was shown."""
    return 0 if proposed_at is None else int(proposed_at.timestamp() * 1000) % 1_000_000_000


def may_propose(person: OfficeBearer) -> bool:
    """Whether the person's role lets them propose a new booth president (district in-charges and admins)."""
    return person.role in (Role.district_incharge, Role.admin)


def _require_admin(person: OfficeBearer) -> None:
    if person.role is not Role.admin:
        raise NotAllowed()


def _audit(session: AsyncSession, action: AuditAction, person: OfficeBearer, correction_id: int, now: datetime,
           detail: dict[str, object] | None = None) -> None:
    record(session, action, at=now, actor_id=person.id, actor_label="telegram",
           subject=f"correction:{correction_id}", detail=detail)


async def open_correction(session: AsyncSession, *, booth_id: int, booth_president_id: int, kind: CorrectionKind,
                          now: datetime, call_report_id: int | None = None,
                          reported_by_id: int | None = None) -> Correction:
    """Open a correction for this booth president, or return the one already pending (one at a time).

    A new correction is written to the audit log (by the caller who reported it, or the rotation when
    nobody answered on the last attempt).
    """
    pending = (await session.execute(
        select(Correction).where(Correction.booth_president_id == booth_president_id,
                                 Correction.status.in_(PENDING)))).scalars().first()
    if pending is not None:
        return pending
    correction = Correction(booth_id=booth_id, booth_president_id=booth_president_id, kind=kind,
                            status=CorrectionStatus.open, call_report_id=call_report_id,
                            reported_by_id=reported_by_id, reported_at=now)
    session.add(correction)
    await session.flush()
    record(session, AuditAction.correction_opened, at=now, actor_id=reported_by_id,
           actor_label="telegram" if reported_by_id is not None else "rotation",
           subject=f"correction:{correction.id}",
           detail={"kind": kind.value, "booth_president": booth_president_id, "call_report": call_report_id})
    await session.flush()
    return correction


def _corrections() -> Select[Any]:
    reporter = select(OfficeBearer.name).where(OfficeBearer.id == Correction.reported_by_id).scalar_subquery()
    return (select(Correction.id, Correction.booth_id, Correction.booth_president_id, Correction.kind,
                   Correction.status, Correction.reported_at, Correction.proposed_name, Correction.proposed_phone,
                   Correction.proposed_at,
                   reporter.label("reported_by"), BoothPresident.name.label("president"),
                   BoothPresident.phone.label("phone"), Booth.number.label("booth_no"),
                   Booth.name.label("booth_name"), AssemblySeat.number.label("assembly_no"),
                   AssemblySeat.name.label("assembly"), AssemblySeat.district_id,
                   District.name.label("district"), District.region_id)
            .join(BoothPresident, BoothPresident.id == Correction.booth_president_id)
            .join(Booth, Booth.id == Correction.booth_id)
            .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
            .join(District, District.id == AssemblySeat.district_id))


def _item(row: Row[Any], *, full_numbers: bool) -> CorrectionItem:
    shown = display_phone if full_numbers else mask_phone
    return CorrectionItem(id=row.id, kind=row.kind, status=row.status, reported_at=row.reported_at,
                          reported_by=row.reported_by, booth_no=row.booth_no, booth_name=row.booth_name,
                          assembly_no=row.assembly_no, assembly=row.assembly, district=row.district,
                          president=row.president, phone=shown(row.phone), proposed_name=row.proposed_name,
                          proposed_phone=shown(row.proposed_phone) if row.proposed_phone else None,
                          stamp=proposal_stamp(row.proposed_at))


async def list_corrections(session: AsyncSession, person: OfficeBearer, *, page: int = 0,
                           now: datetime) -> CorrectionsPage:
    """Page `page` (from 0; past the end means the last) of the open and proposed corrections in the person's
    scope, oldest first: a district in-charge sees their districts', the secretary and admins every one.

    Numbers are shown in full to the secretary and admins, masked to a district in-charge; a page that shows
    any is written to the audit log. Raises `NotAllowed` for anyone else.
    """
    scope = corrections_scope(person)
    query = _corrections().where(Correction.status.in_(PENDING), scope.condition())
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = (await session.execute(
        query.order_by(Correction.reported_at, Correction.id).offset(page * PAGE_SIZE).limit(PAGE_SIZE))).all()
    full = sees_every_district(person)
    items = tuple(_item(row, full_numbers=full) for row in rows)
    if items:
        record(session, AuditAction.corrections_viewed, at=now, actor_id=person.id, actor_label="telegram",
               detail={"corrections": [item.id for item in items], "numbers": "full" if full else "masked"})
        await session.flush()
    return CorrectionsPage(items=items, page=page, pages=pages, total=total, may_propose=may_propose(person),
                           may_decide=person.role is Role.admin)


async def _in_scope(session: AsyncSession, person: OfficeBearer, correction_id: int) -> Row[Any]:
    """The correction's row, if it exists and lies in the person's scope."""
    scope = corrections_scope(person)
    row = (await session.execute(_corrections().where(Correction.id == correction_id))).one_or_none()
    if row is None:
        raise CorrectionChanged()
    if not scope.covers(row.district_id, row.region_id):
        raise CorrectionNotInScope()
    return row


async def get_correction(session: AsyncSession, person: OfficeBearer, *, correction_id: int) -> CorrectionItem:
    """One correction as the person may see it, if it is still pending and in their scope (else a DomainError)."""
    row = await _in_scope(session, person, correction_id)
    if row.status not in PENDING:
        raise CorrectionChanged()
    return _item(row, full_numbers=sees_every_district(person))


def clean_name(name: str) -> str:
    """The name with its spaces tidied, or `InvalidName` when it is empty, too long or holds no letter."""
    tidy = " ".join(name.split())
    if not tidy or len(tidy) > MAX_NAME_LENGTH or not any(c.isalpha() for c in tidy):
        raise InvalidName(value=name)
    return tidy


async def _number_holder(session: AsyncSession, e164: str) -> BoothPresident | None:
    return (await session.execute(select(BoothPresident).where(BoothPresident.phone == e164))).scalar_one_or_none()


async def _refuse_taken(session: AsyncSession, e164: str, *, own_id: int, booth_id: int) -> BoothPresident | None:
    """The booth president already holding the number, unless it is taken (`NumberTaken`): by an active
    president of another booth, or by an office-bearer. The booth's own active president (say, one a newer
    roster brought in meanwhile) may be the one proposed."""
    holder = await _number_holder(session, e164)
    if holder is not None and holder.id != own_id and holder.active and holder.booth_id != booth_id:
        raise NumberTaken()
    if (await session.execute(select(OfficeBearer.id).where(OfficeBearer.phone == e164))).first() is not None:
        raise NumberTaken()
    return holder


async def propose(session: AsyncSession, person: OfficeBearer, *, correction_id: int, name: str, phone: str,
                  now: datetime) -> CorrectionItem:
    """Propose the booth's president (a new name and number, or the same person's number confirmed as right)
    for an open correction; an admin then confirms or rejects it.

    For the district in-charge of the booth's district or an admin. Raises `InvalidName`, `InvalidPhone` for a
    number that is not an Indian mobile, `NumberTaken` for one held by another active booth president or an
    office-bearer, `CorrectionChanged` when the correction is no longer open, `CorrectionNotInScope` for a
    booth outside the person's districts and `NotAllowed` for other roles. No number goes into the audit log.
    """
    if not may_propose(person):
        raise NotAllowed()
    row = await _in_scope(session, person, correction_id)
    tidy = clean_name(name)
    e164 = normalise_mobile(phone)
    await _refuse_taken(session, e164, own_id=row.booth_president_id, booth_id=row.booth_id)
    claimed = await session.execute(
        update(Correction).where(Correction.id == correction_id, Correction.status == CorrectionStatus.open)
        .values(status=CorrectionStatus.proposed, proposed_name=tidy, proposed_phone=e164, proposed_by_id=person.id,
                proposed_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise CorrectionChanged()
    _audit(session, AuditAction.correction_proposed, person, correction_id, now,
           {"same_number": e164 == row.phone})
    await session.flush()
    await _expire(session, correction_id)
    return await get_correction(session, person, correction_id=correction_id)


async def _expire(session: AsyncSession, correction_id: int) -> None:
    """Read afresh the session's copy of a correction (if it holds one) after a claim update changed it."""
    loaded = session.identity_map.get(identity_key(Correction, correction_id))
    if loaded is not None:
        await session.refresh(loaded)


@dataclass(frozen=True)
class _Proposal:
    correction_id: int
    proposed_at: datetime
    booth_id: int
    booth_president_id: int
    name: str
    phone: str


async def _proposal(session: AsyncSession, admin: OfficeBearer, *, correction_id: int,
                    stamp: int | None) -> _Proposal:
    """The proposal an admin decides on: the correction must be proposed and (with `stamp`) the one shown."""
    _require_admin(admin)
    row = (await session.execute(
        select(Correction.status, Correction.proposed_at, Correction.proposed_name, Correction.proposed_phone,
               Correction.booth_id, Correction.booth_president_id).where(Correction.id == correction_id))
    ).one_or_none()
    if row is None or row.status is not CorrectionStatus.proposed or (
            stamp is not None and stamp != proposal_stamp(row.proposed_at)):
        raise CorrectionChanged()
    return _Proposal(correction_id=correction_id, proposed_at=row.proposed_at, booth_id=row.booth_id,
                     booth_president_id=row.booth_president_id, name=row.proposed_name, phone=row.proposed_phone)


async def _claim_decision(session: AsyncSession, admin: OfficeBearer, proposal: _Proposal, *,
                          to: CorrectionStatus, now: datetime) -> None:
    """Move the proposed correction to `to` if it still holds this proposal: a confirmation keeps the proposal
    and records the decision, a rejection clears the proposal."""
    values: dict[str, object] = {"status": to}
    if to is CorrectionStatus.confirmed:
        values |= {"decided_by_id": admin.id, "decided_at": now}
    else:
        values |= {"proposed_name": None, "proposed_phone": None, "proposed_by_id": None, "proposed_at": None}
    claimed = await session.execute(
        update(Correction).where(Correction.id == proposal.correction_id,
                                 Correction.status == CorrectionStatus.proposed,
                                 Correction.proposed_at == proposal.proposed_at)
        .values(**values).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise CorrectionChanged()
    await _expire(session, proposal.correction_id)


async def confirm(session: AsyncSession, admin: OfficeBearer, *, correction_id: int, now: datetime,
                  stamp: int | None = None) -> BoothPresident:
    """Confirm a proposed correction (admins only): the booth returns to rotation with the proposed president.

    The old booth president becomes inactive and a new active one holds the proposed name and number; when
    the number is the old president's own (an unreachable president confirmed as right) that president is
    made active again with the "unreachable" and "wrong number" marks cleared; a former booth president
    who holds the number is taken back for this booth. Returns the booth's president.
    Raises `CorrectionChanged` when it is gone, not proposed, or (with `stamp`) no longer the proposal shown,
    and `NumberTaken` when another active booth president or an office-bearer took the number meanwhile.
    """
    proposal = await _proposal(session, admin, correction_id=correction_id, stamp=stamp)
    old = await session.get(BoothPresident, proposal.booth_president_id)
    assert old is not None
    holder = await _refuse_taken(session, proposal.phone, own_id=old.id, booth_id=proposal.booth_id)
    await _claim_decision(session, admin, proposal, to=CorrectionStatus.confirmed, now=now)
    if holder is None:
        old.active = False
        await session.flush()
        president = BoothPresident(booth_id=proposal.booth_id, name=proposal.name, phone=proposal.phone,
                                   active=True)
        session.add(president)
    else:
        if holder.id != old.id:
            old.active = False
        president = holder
        president.booth_id, president.name, president.active = proposal.booth_id, proposal.name, True
        president.unreachable_since = None
        president.phone_reported_wrong_at = None
    await session.flush()
    await _one_active_president(session, booth_id=proposal.booth_id, president_id=president.id)
    if president.id != old.id:
        await revoke_invite(session, old.id)
    _audit(session, AuditAction.correction_confirmed, admin, correction_id, now,
           {"old": old.id, "new": president.id, "same_person": president.id == old.id})
    await session.flush()
    return president


async def _one_active_president(session: AsyncSession, *, booth_id: int, president_id: int) -> None:
    """Retire every other active president of the booth (a newer roster may have brought one in meanwhile), so
    the confirmed president is the booth's only one."""
    await session.execute(
        update(BoothPresident).where(BoothPresident.booth_id == booth_id, BoothPresident.id != president_id,
                                     BoothPresident.active)
        .values(active=False, invite_token=None).execution_options(synchronize_session="fetch"))


async def settle_pending(session: AsyncSession, *, booth_president_id: int, now: datetime,
                         decided_by_id: int | None, reason: str) -> int:
    """Close the booth president's pending corrections as settled without a proposal — a conversation showed
    the number works, or an admin fixed it with /fixnumber — and put them back into rotation (the
    "unreachable" and "wrong number" marks cleared). Returns how many were closed; each is audited."""
    president = await session.get_one(BoothPresident, booth_president_id)
    president.unreachable_since = None
    president.phone_reported_wrong_at = None
    pending = (await session.execute(
        select(Correction.id).where(Correction.booth_president_id == booth_president_id,
                                    Correction.status.in_(PENDING)))).scalars().all()
    for correction_id in pending:
        await session.execute(
            update(Correction).where(Correction.id == correction_id)
            .values(status=CorrectionStatus.confirmed, decided_by_id=decided_by_id, decided_at=now)
            .execution_options(synchronize_session=False))
        await _expire(session, correction_id)
        record(session, AuditAction.correction_settled, at=now, actor_id=decided_by_id,
               actor_label="telegram" if decided_by_id is not None else "report",
               subject=f"correction:{correction_id}", detail={"reason": reason})
    await session.flush()
    return len(pending)


async def reject(session: AsyncSession, admin: OfficeBearer, *, correction_id: int, now: datetime,
                 stamp: int | None = None) -> None:
    """Reject a proposal (admins only): the correction is open again with the proposal cleared, and the booth
    stays out of rotation until a new proposal is confirmed.

    Raises `CorrectionChanged` when it is gone, not proposed, or (with `stamp`) no longer the proposal shown.
    """
    proposal = await _proposal(session, admin, correction_id=correction_id, stamp=stamp)
    await _claim_decision(session, admin, proposal, to=CorrectionStatus.open, now=now)
    _audit(session, AuditAction.correction_rejected, admin, correction_id, now)
    await session.flush()
