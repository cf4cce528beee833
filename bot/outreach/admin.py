"""The IT cell's tools: who cannot be reached or never registered, deactivation, number fixes, resends, audit.

Only the admin role may use them. Every change (and every resend of contacts, which shows booth presidents'
numbers again) is written to the audit log with the admin as actor. The audit log itself is read by admins
only: it records the organisation secretary's own views and exports, so its reader is the IT cell.

Deactivating an office-bearer takes effect at once (`find_user` finds active people only). Their calls of
the day that are not yet reported go back to the pool (the assignments are deleted), so the day's figures
do not count a person who is gone and those booth presidents can be given to someone else; a morning message
not yet sent is dropped. Reported calls and everything already sent stay on record.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from bot.audit import AuditAction, record
from bot.errors import DomainError, NotAllowed, UnknownBooth
from bot.outreach.corrections import settle_pending
from bot.outreach.delivery import MorningMessage, load_contacts
from bot.outreach.invites import revoke_invite
from bot.phones import normalise_mobile
from models import (
    AssemblySeat,
    Assignment,
    AuditEntry,
    Booth,
    BoothPresident,
    Delivery,
    DeliveryStatus,
    OfficeBearer,
    Role,
)

PAGE_SIZE = 20
"""Office-bearers per page of a `/people` list."""
MAX_AUDIT_ENTRIES = 50
"""The most audit entries one `/audit` message lists (so it stays within Telegram's 4096 characters)."""


class UnknownOfficeBearer(DomainError):
    """No active office-bearer has this phone number."""

    key = "admin.unknown_person"


class NotYourself(DomainError):
    """An admin cannot deactivate their own account (someone must be left to run the bot)."""

    key = "admin.not_yourself"


class PhoneTaken(DomainError):
    """The new number already belongs to another booth president."""

    key = "admin.phone_taken"


class NothingToResend(DomainError):
    """The office-bearer has no contacts today, or has never registered with the bot."""

    key = "admin.nothing_to_resend"


class PeopleKind(enum.StrEnum):
    """Which office-bearers a `/people` list shows."""

    unreachable = "unreachable"
    unregistered = "unregistered"


@dataclass(frozen=True)
class PersonLine:
    """One office-bearer in a `/people` list: who, where, and since when or why they are listed."""

    name: str
    role: Role
    districts: tuple[str, ...]
    since: datetime | None
    reason: str | None


@dataclass(frozen=True)
class PeoplePage:
    """One page of a `/people` list."""

    kind: PeopleKind
    page: int
    pages: int
    total: int
    people: tuple[PersonLine, ...]


@dataclass(frozen=True)
class AuditLine:
    """One audit entry as the admin sees it: no phone numbers, only who, what and on which record."""

    at: datetime
    actor: str
    action: str
    subject: str | None


def require_admin(person: OfficeBearer) -> None:
    """Refuse (`NotAllowed`) anyone but an admin."""
    if person.role is not Role.admin:
        raise NotAllowed()


def _audit(session: AsyncSession, admin: OfficeBearer, action: AuditAction, subject: str, now: datetime,
           detail: dict[str, object] | None = None) -> None:
    record(session, action, at=now, actor_id=admin.id, actor_label="admin", subject=subject, detail=detail)


async def list_people(session: AsyncSession, admin: OfficeBearer, *, kind: PeopleKind, page: int = 1) -> PeoplePage:
    """Active office-bearers whom messages do not reach, or who never registered, by name; one page of them."""
    require_admin(admin)
    condition = (OfficeBearer.unreachable_since.is_not(None) if kind is PeopleKind.unreachable
                 else OfficeBearer.telegram_user_id.is_(None))
    total = (await session.execute(
        select(func.count()).select_from(OfficeBearer).where(OfficeBearer.active, condition))).scalar_one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = (await session.execute(
        select(OfficeBearer).options(selectinload(OfficeBearer.districts))
        .where(OfficeBearer.active, condition).order_by(OfficeBearer.name, OfficeBearer.id)
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))).scalars().all()
    people = tuple(PersonLine(name=p.name, role=p.role, districts=tuple(sorted(d.name for d in p.districts)),
                              since=p.unreachable_since, reason=p.unreachable_reason) for p in rows)
    return PeoplePage(kind=kind, page=page, pages=pages, total=total, people=people)


async def office_bearer_by_phone(session: AsyncSession, admin: OfficeBearer, phone: str) -> OfficeBearer:
    """The active office-bearer with this mobile number (any common spelling), or `UnknownOfficeBearer`."""
    require_admin(admin)
    e164 = normalise_mobile(phone)
    person = (await session.execute(
        select(OfficeBearer).where(OfficeBearer.phone == e164, OfficeBearer.active))).scalar_one_or_none()
    if person is None:
        raise UnknownOfficeBearer()
    return person


async def deactivate(session: AsyncSession, admin: OfficeBearer, person_id: int, *, day: date,
                     now: datetime) -> int:
    """Take an office-bearer's access away at once and release their unreported calls of `day` to the pool.

    Returns how many calls were released. Their morning message of `day`, if not yet sent, is dropped.
    Raises `UnknownOfficeBearer` if they are already inactive, `NotYourself` for the admin's own account.
    """
    require_admin(admin)
    if person_id == admin.id:
        raise NotYourself()
    person = await session.get(OfficeBearer, person_id)
    if person is None or not person.active:
        raise UnknownOfficeBearer()
    person.active = False
    released = (await session.execute(
        delete(Assignment).where(Assignment.office_bearer_id == person_id, Assignment.day == day,
                                 ~Assignment.reports.any()))).rowcount  # type: ignore[attr-defined]
    await session.execute(delete(Delivery).where(
        Delivery.office_bearer_id == person_id, Delivery.day == day, Delivery.status == DeliveryStatus.pending))
    _audit(session, admin, AuditAction.deactivated, f"office_bearer:{person_id}", now, {"released": released})
    await session.flush()
    return int(released)


async def fix_number(session: AsyncSession, admin: OfficeBearer, *, assembly_no: int, booth_no: int, phone: str,
                     now: datetime) -> BoothPresident:
    """Give a booth's president a corrected mobile number: the "wrong number" and "unreachable" marks are cleared,
    the president's pending corrections are settled, and the booth returns to rotation.

    Raises `InvalidPhone` for a number that is not an Indian mobile, `UnknownBooth` for a booth without an
    active president, and `PhoneTaken` when another booth president already has the number. Neither the old
    nor the new number goes into the audit log.
    """
    require_admin(admin)
    e164 = normalise_mobile(phone)
    president = (await session.execute(
        select(BoothPresident).join(Booth, BoothPresident.booth_id == Booth.id)
        .join(AssemblySeat, Booth.assembly_id == AssemblySeat.id)
        .where(AssemblySeat.number == assembly_no, Booth.number == booth_no, BoothPresident.active)
    )).scalar_one_or_none()
    if president is None:
        raise UnknownBooth(assembly_no=assembly_no, booth_no=booth_no)
    other = aliased(BoothPresident)
    taken = (await session.execute(
        select(other.id).where(other.phone == e164, other.id != president.id))).first()
    if taken is not None:
        raise PhoneTaken()
    was_flagged = president.phone_reported_wrong_at is not None
    president.phone = e164
    await revoke_invite(session, president.id)
    await settle_pending(session, booth_president_id=president.id, now=now, decided_by_id=admin.id,
                         reason="number_fixed")
    _audit(session, admin, AuditAction.phone_corrected, f"booth_president:{president.id}", now,
           {"was_flagged": was_flagged})
    await session.flush()
    return president


async def resend_contacts(session: AsyncSession, admin: OfficeBearer, person: OfficeBearer, *, day: date,
                          now: datetime) -> MorningMessage:
    """`day`'s morning message for one office-bearer, to send again; the resend is written to the audit log.

    Raises `NothingToResend` when they have no contacts that day or no Telegram account to send to.
    """
    require_admin(admin)
    contacts = await load_contacts(session, office_bearer_id=person.id, day=day)
    if not contacts or person.telegram_user_id is None:
        raise NothingToResend()
    _audit(session, admin, AuditAction.contacts_resent, f"office_bearer:{person.id}", now,
           {"assignments": [c.assignment_id for c in contacts]})
    await session.flush()
    return MorningMessage(day=day, chat_id=person.telegram_user_id, language=person.language,
                          recipient_name=person.name, contacts=contacts)


async def latest_audit(session: AsyncSession, admin: OfficeBearer, *, limit: int = 20) -> tuple[AuditLine, ...]:
    """The newest audit entries, newest first (at most `MAX_AUDIT_ENTRIES`), with the actor's name."""
    require_admin(admin)
    limit = min(max(limit, 1), MAX_AUDIT_ENTRIES)
    rows = (await session.execute(
        select(AuditEntry, OfficeBearer.name).outerjoin(OfficeBearer, AuditEntry.actor_id == OfficeBearer.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))).all()
    return tuple(AuditLine(at=entry.at, actor=name or entry.actor_label, action=entry.action,
                           subject=entry.subject) for entry, name in rows)
