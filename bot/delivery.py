"""Send each office-bearer's morning message, and the evening reminder, exactly once.

The state of every message is a `Delivery` row. A sender first *claims* the row (pending → sending) in
its own committed transaction: only one process can win that update, so a push run twice, or by two
processes at once, sends each message once. The outcome (sent with its message id, or failed with a
reason) is committed right after the send. Temporary failures go back to pending for the next pass.
The domain talks to Telegram only through the `Channel` protocol.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.assignment import RotationPolicy, assign_day
from bot.db import SessionFactory, session_scope
from bot.sqlutil import insert_ignoring_conflicts
from models import (
    AssemblySeat,
    Assignment,
    AuditEntry,
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
    NeedStatus,
    OfficeBearer,
    Outcome,
    Strength,
)

log = logging.getLogger(__name__)


class Unreachable(Exception):
    """The person cannot be messaged (blocked the bot, never started it, account deleted)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(Exception):
    """Sending failed for a reason that may pass (network, server error); try again later."""


class PermanentFailure(Exception):
    """Telegram refused the message itself (bad request); sending it again would not help."""


@dataclass(frozen=True)
class LastCall:
    """What was heard on the previous call to a booth president."""

    day: date
    outcome: Outcome
    open_needs: tuple[NeedCategory, ...]


@dataclass(frozen=True)
class Contact:
    """One booth president to call, with everything the caller needs on the phone."""

    assignment_id: int
    slot: int
    president_name: str
    phone: str
    booth_no: int
    booth_name: str
    mandal: str
    assembly_no: int
    assembly: str
    district: str
    lok_sabha: str
    strength: Strength | None
    last_call: LastCall | None
    reported: bool = False


@dataclass(frozen=True)
class MorningMessage:
    """The morning push to one office-bearer."""

    day: date
    chat_id: int
    language: str | None
    recipient_name: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class Reminder:
    """The evening nudge about calls not yet reported."""

    day: date
    chat_id: int
    language: str | None
    recipient_name: str
    contacts: tuple[Contact, ...]


class Channel(Protocol):
    """Where messages go: Telegram in production, anything in a test."""

    async def send_morning(self, message: MorningMessage) -> int:
        """Send the morning push; return the message id."""
        ...

    async def send_reminder(self, reminder: Reminder) -> int:
        """Send the evening reminder; return the message id."""
        ...


@dataclass
class DeliveryStats:
    """What one delivery pass did."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    retry_later: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


async def load_contacts(session: AsyncSession, *, office_bearer_id: int, day: date) -> tuple[Contact, ...]:
    """The booth presidents given to one office-bearer on `day`, in slot order, with their last call."""
    rows = (await session.execute(
        select(Assignment, BoothPresident, Booth, Mandal, AssemblySeat, District, LokSabhaSeat)
        .join(BoothPresident, Assignment.booth_president_id == BoothPresident.id)
        .join(Booth, Assignment.booth_id == Booth.id)
        .join(Mandal, Booth.mandal_id == Mandal.id)
        .join(AssemblySeat, Booth.assembly_id == AssemblySeat.id)
        .join(District, AssemblySeat.district_id == District.id)
        .join(LokSabhaSeat, AssemblySeat.lok_sabha_id == LokSabhaSeat.id)
        .options(selectinload(Assignment.reports))
        .where(Assignment.office_bearer_id == office_bearer_id, Assignment.day == day)
        .order_by(Assignment.slot))).all()
    contacts = []
    for assignment, president, booth, mandal, seat, district, lok_sabha in rows:
        contacts.append(Contact(
            assignment_id=assignment.id, slot=assignment.slot, president_name=president.name,
            phone=president.phone, booth_no=booth.number, booth_name=booth.name, mandal=mandal.name,
            assembly_no=seat.number, assembly=seat.name, district=district.name, lok_sabha=lok_sabha.name,
            strength=booth.strength,
            last_call=await last_call(session, president_id=president.id, booth_id=booth.id, before=day),
            reported=bool(assignment.reports),
        ))
    return tuple(contacts)


async def last_call(session: AsyncSession, *, president_id: int, booth_id: int,
                    before: date) -> LastCall | None:
    """The latest report on an earlier call to this booth president, and the booth's open needs."""
    latest = (await session.execute(
        select(Assignment.day, CallReport.outcome)
        .join(CallReport, CallReport.assignment_id == Assignment.id)
        .where(Assignment.booth_president_id == president_id, Assignment.day < before)
        .order_by(CallReport.reported_at.desc(), CallReport.id.desc()).limit(1))).first()
    if latest is None:
        return None
    needs = (await session.execute(
        select(Need.category).where(Need.booth_id == booth_id, Need.status != NeedStatus.resolved)
        .distinct().order_by(Need.category))).scalars().all()
    return LastCall(day=latest[0], outcome=latest[1], open_needs=tuple(needs))


async def prepare_deliveries(session: AsyncSession, *, day: date, now: datetime) -> None:
    """Make a pending delivery row for everyone who has assignments on `day` and has none yet."""
    people = (await session.execute(
        select(Assignment.office_bearer_id).where(Assignment.day == day).distinct())).scalars().all()
    if people:
        await session.execute(insert_ignoring_conflicts(session, Delivery), [
            {"day": day, "office_bearer_id": person, "status": DeliveryStatus.pending, "attempts": 0,
             "updated_at": now} for person in people])


async def _claim(session: AsyncSession, delivery_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.sending, attempts=Delivery.attempts + 1, updated_at=now))
    return result.rowcount == 1  # type: ignore[attr-defined]


async def _mark_unreachable(session: AsyncSession, office_bearer_id: int, reason: str, now: datetime) -> None:
    await session.execute(update(OfficeBearer).where(OfficeBearer.id == office_bearer_id)
                          .values(unreachable_since=now, unreachable_reason=reason))


async def _deliver_one(sessions: SessionFactory, channel: Channel, delivery_id: int,
                       clock: Callable[[], datetime], stats: DeliveryStats) -> None:
    async with session_scope(sessions) as session:
        if not await _claim(session, delivery_id, clock()):
            stats.skipped += 1
            return
    async with session_scope(sessions) as session:
        delivery = await session.get_one(Delivery, delivery_id)
        person = await session.get_one(OfficeBearer, delivery.office_bearer_id)
        contacts = await load_contacts(session, office_bearer_id=person.id, day=delivery.day)
    message = MorningMessage(day=delivery.day, chat_id=person.telegram_user_id or 0,
                             language=person.language, recipient_name=person.name, contacts=contacts)
    status, message_id, error = DeliveryStatus.sent, None, None
    try:
        message_id = await channel.send_morning(message)
        stats.sent += 1
    except Unreachable as exc:
        status, error = DeliveryStatus.failed, exc.reason
        stats.unreachable += 1
    except PermanentFailure as exc:
        status, error = DeliveryStatus.failed, str(exc)[:200]
        stats.failed += 1
    except TemporaryFailure as exc:
        status, error = DeliveryStatus.pending, str(exc)[:200]
        stats.retry_later += 1
    if error:
        stats.reasons[error] = stats.reasons.get(error, 0) + 1
    async with session_scope(sessions) as session:
        now = clock()
        await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
            status=status, telegram_message_id=message_id, error=error, updated_at=now))
        if status is DeliveryStatus.failed and error in UNREACHABLE_REASONS:
            await _mark_unreachable(session, person.id, error, now)
        if status is DeliveryStatus.sent:
            session.add(AuditEntry(at=now, actor_id=person.id, actor_label="push", action="contacts_shown",
                                   subject=f"delivery:{delivery_id}",
                                   detail={"assignments": [c.assignment_id for c in contacts]}))


UNREACHABLE_REASONS = ("blocked", "not_started", "deactivated")


async def deliver_pending(sessions: SessionFactory, channel: Channel, *, day: date,
                          clock: Callable[[], datetime], concurrency: int = 8) -> DeliveryStats:
    """Send every pending morning message of `day`; each one is claimed first, so none goes twice."""
    async with session_scope(sessions) as session:
        pending = (await session.execute(
            select(Delivery.id).where(Delivery.day == day, Delivery.status == DeliveryStatus.pending)
            .order_by(Delivery.id))).scalars().all()
    stats = DeliveryStats()
    gate = asyncio.Semaphore(concurrency)

    async def guarded(delivery_id: int) -> None:
        async with gate:
            await _deliver_one(sessions, channel, delivery_id, clock, stats)

    await asyncio.gather(*(guarded(delivery_id) for delivery_id in pending))
    log.info("push %s: %d sent, %d unreachable, %d failed, %d to retry", day, stats.sent,
             stats.unreachable, stats.failed, stats.retry_later)
    return stats


async def push_day(sessions: SessionFactory, channel: Channel, *, day: date, clock: Callable[[], datetime],
                   policy: RotationPolicy) -> DeliveryStats:
    """Assign `day`'s contacts and deliver them: the whole morning push, safe to repeat."""
    async with session_scope(sessions) as session:
        await assign_day(session, day=day, now=clock(), policy=policy)
        await prepare_deliveries(session, day=day, now=clock())
    return await deliver_pending(sessions, channel, day=day, clock=clock)


async def send_reminders(sessions: SessionFactory, channel: Channel, *, day: date,
                         clock: Callable[[], datetime]) -> int:
    """Remind everyone whose morning message arrived but who has calls of `day` still unreported."""
    async with session_scope(sessions) as session:
        unreported = (select(Assignment.office_bearer_id)
                      .where(Assignment.day == day, ~Assignment.reports.any()))
        due = (await session.execute(
            select(Delivery.id, Delivery.office_bearer_id).where(
                Delivery.day == day, Delivery.status == DeliveryStatus.sent, Delivery.reminded_at.is_(None),
                Delivery.office_bearer_id.in_(unreported)))).all()
    reminded = 0
    for delivery_id, person_id in due:
        async with session_scope(sessions) as session:
            claimed = await session.execute(update(Delivery).where(
                Delivery.id == delivery_id, Delivery.reminded_at.is_(None)).values(reminded_at=clock()))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            person = await session.get_one(OfficeBearer, person_id)
            contacts = await load_contacts(session, office_bearer_id=person_id, day=day)
        reminder = Reminder(day=day, chat_id=person.telegram_user_id or 0, language=person.language,
                            recipient_name=person.name, contacts=tuple(c for c in contacts if not c.reported))
        try:
            await channel.send_reminder(reminder)
            reminded += 1
        except Unreachable as exc:
            async with session_scope(sessions) as session:
                await _mark_unreachable(session, person_id, exc.reason, clock())
        except (TemporaryFailure, PermanentFailure) as exc:
            log.warning("reminder to office-bearer %d not sent: %s", person_id, exc)
    return reminded
