"""Send each office-bearer's morning message, and the evening reminder, exactly once.

The state of every message is a `Delivery` row: pending → sending → sent or failed. A sender first
*claims* the row (pending → sending) in its own committed transaction: only one process can win that
update, so a push run twice, or by two processes at once, sends each message once. The outcome (sent with
its message id, or failed with a reason) is committed right after the send.

A temporary failure (network, Telegram's 5xx, a 429 the rate limiter gave up on) is retried a few times in
the same pass with growing pauses; if it persists the row goes back to pending for the next pass.
A sender that dies between claim and outcome leaves its row in `sending`; once that row is older than the
lease (`LEASE`), the next pass takes it back to pending and sends it. The residual risk, which no
Bot API client can close because Telegram has no idempotency key: a process that dies (or a request that
times out) after Telegram accepted the message but before the outcome was committed sends that one
message again when the lease is taken back. It is one message per process death, never a whole push.

Claim, send (with the in-pass retries), classify and record are one pipeline (`SendPipeline`, `send_each`):
the morning push and the back-check questions differ only in their row, their message and what they record.
The domain talks to Telegram only through the `Channel` protocol.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Generic, Protocol, TypeVar

from sqlalchemy import Select, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from bot.audit import AuditAction, record
from bot.db import SessionFactory, session_scope
from bot.outreach.assignment import RotationPolicy, assign_day
from bot.outreach.invites import invite_token
from bot.sqlutil import insert_ignoring_conflicts
from models import (
    NOT_CONNECTED,
    AssemblySeat,
    Assignment,
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
    Role,
    Strength,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
"""How long a claimed (`sending`) row belongs to its sender; after that a pass takes it back."""
RETRY_DELAYS = (0.5, 1.0, 2.0)
"""Pauses (seconds) before each in-pass retry of a temporary failure; then the row waits for the next pass."""
IN_FLIGHT_SECONDS = 0.25
"""About how long one message is in flight (claim, send, record): sizes the number of concurrent senders."""


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
    attempt: int = 1
    """1 for a first call; 2, 3... when the call is tried again after not connecting."""
    try_again: bool = False
    """The latest report on this call says it did not connect, and it is still open: call again."""
    invite_token: str | None = None
    """The booth president's invitation token, for the bot link in the caller's WhatsApp message."""
    caller_name: str = ""
    caller_role: Role | None = None


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
    """The evening nudge about calls not yet reported, or reported as not connected (to try again)."""

    day: date
    chat_id: int
    language: str | None
    recipient_name: str
    contacts: tuple[Contact, ...]


class Channel(Protocol):
    """Where messages go: Telegram in production, anything in a test."""

    @property
    def max_rate(self) -> float:
        """The most messages per second this channel accepts."""
        ...

    async def send_morning(self, message: MorningMessage) -> int:
        """Send the morning push; return the message id."""
        ...

    async def send_reminder(self, reminder: Reminder) -> int:
        """Send the evening reminder; return the message id."""
        ...


@dataclass
class SendStats:
    """What one pass of a send pipeline did: how each claimed message ended, and the reasons of the failures."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    retry_later: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class DeliveryStats(SendStats):
    """What one delivery pass did, with the rows taken back from dead senders."""

    reclaimed: int = 0


@dataclass(frozen=True)
class SendOutcome:
    """How one claimed message ended: sent with its message id, or stopped by the channel's failure."""

    message_id: int | None = None
    failure: Unreachable | PermanentFailure | TemporaryFailure | None = None

    @property
    def error(self) -> str | None:
        """The reason to store: why the person cannot be messaged, else the failure's words (200 characters)."""
        if isinstance(self.failure, Unreachable):
            return self.failure.reason
        return None if self.failure is None else str(self.failure)[:200]


Claimed = TypeVar("Claimed")
"""What a claim loads for its send: the message, and whatever the record step needs besides."""


@dataclass(frozen=True)
class SendPipeline(Generic[Claimed]):
    """The three steps that send one kind of message exactly once: claim its row, send it, record the outcome."""

    claim: Callable[[AsyncSession, int, datetime], Awaitable[Claimed | None]]
    """Take the row for this sender and load its message; None if another sender has it."""
    send: Callable[[Claimed], Awaitable[int]]
    """Send the claimed message through the channel; return its message id."""
    record: Callable[[AsyncSession, int, Claimed, SendOutcome, datetime], Awaitable[None]]
    """Store how the send ended on the row."""


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
    caller = await session.get_one(OfficeBearer, office_bearer_id) if rows else None
    for assignment, president, booth, mandal, seat, district, lok_sabha in rows:
        contacts.append(Contact(
            assignment_id=assignment.id, slot=assignment.slot, president_name=president.name,
            phone=president.phone, booth_no=booth.number, booth_name=booth.name, mandal=mandal.name,
            assembly_no=seat.number, assembly=seat.name, district=district.name, lok_sabha=lok_sabha.name,
            strength=booth.strength,
            last_call=await last_call(session, president_id=president.id, booth_id=booth.id, before=day),
            reported=bool(assignment.reports), attempt=assignment.attempt,
            try_again=_try_again(assignment, president),
            invite_token=await invite_token(session, president.id),
            caller_name=caller.name if caller else "", caller_role=caller.role if caller else None,
        ))
    return tuple(contacts)


def _try_again(assignment: Assignment, president: BoothPresident) -> bool:
    """Whether the call's latest report did not connect and the call is still open (not closed as unreachable)."""
    latest = max(assignment.reports, key=lambda r: (r.reported_at, r.id), default=None)
    return latest is not None and latest.outcome in NOT_CONNECTED and president.unreachable_since is None


def open_calls_of(day: date) -> Select[int]:
    """The office-bearers with a call of `day` still open: unreported, or last reported as not connected (and
    not closed as unreachable)."""
    later = aliased(CallReport)
    not_connected = exists().where(
        CallReport.assignment_id == Assignment.id, CallReport.outcome.in_(NOT_CONNECTED),
        ~exists().where(later.assignment_id == CallReport.assignment_id, or_(
            later.reported_at > CallReport.reported_at,
            and_(later.reported_at == CallReport.reported_at, later.id > CallReport.id))))
    still_tried = exists().where(BoothPresident.id == Assignment.booth_president_id,
                                 BoothPresident.unreachable_since.is_(None))
    return select(Assignment.office_bearer_id).where(
        Assignment.day == day, or_(~Assignment.reports.any(), and_(not_connected, still_tried)))


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


def senders_for(rate: float) -> int:
    """How many messages to keep in flight so that a channel taking `rate` messages a second stays busy."""
    return max(1, math.ceil(rate * IN_FLIGHT_SECONDS))


async def reclaim_stale(session: AsyncSession, *, day: date, now: datetime, lease: timedelta = LEASE) -> int:
    """Take back to pending the rows of `day` left in `sending` for longer than `lease` by a sender that died.

    Returns how many were taken back. A live sender finishes well within the lease, so its row is untouched.
    """
    result = await session.execute(
        update(Delivery)
        .where(Delivery.day == day, Delivery.status == DeliveryStatus.sending, Delivery.updated_at < now - lease)
        .values(status=DeliveryStatus.pending, updated_at=now))
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


@dataclass(frozen=True)
class _ClaimedMorning:
    """A claimed morning row: whom it goes to, and the message."""

    office_bearer_id: int
    message: MorningMessage


async def _claim(session: AsyncSession, delivery_id: int, now: datetime) -> _ClaimedMorning | None:
    """Claim a pending row for this sender: its office-bearer and message, or None if another sender has it."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.sending, attempts=Delivery.attempts + 1, updated_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    delivery = await session.get_one(Delivery, delivery_id)
    person = await session.get_one(OfficeBearer, delivery.office_bearer_id)
    contacts = await load_contacts(session, office_bearer_id=person.id, day=delivery.day)
    return _ClaimedMorning(person.id, MorningMessage(
        day=delivery.day, chat_id=person.telegram_user_id or 0, language=person.language,
        recipient_name=person.name, contacts=contacts))


async def _mark_unreachable(session: AsyncSession, office_bearer_id: int, reason: str, now: datetime) -> None:
    await session.execute(update(OfficeBearer).where(OfficeBearer.id == office_bearer_id)
                          .values(unreachable_since=now, unreachable_reason=reason))


async def note_unreachable(sessions: SessionFactory, office_bearer_id: int, reason: str, now: datetime) -> None:
    """Mark an office-bearer who cannot be messaged, in its own transaction, so that reminders pass them by."""
    async with session_scope(sessions) as session:
        await _mark_unreachable(session, office_bearer_id, reason, now)


async def _retrying(send: Callable[[], Awaitable[int]], delays: Sequence[float]) -> int:
    """Send, and after a temporary failure pause and send again, once per delay; the last failure is raised."""
    for delay in delays:
        try:
            return await send()
        except TemporaryFailure as exc:
            log.info("temporary failure (%s); trying again in %.1f s", exc, delay)
            await asyncio.sleep(delay)
    return await send()


async def _send_one(sessions: SessionFactory, pipeline: SendPipeline[Claimed], row_id: int,
                    clock: Callable[[], datetime], stats: SendStats, retry_delays: Sequence[float]) -> None:
    """Claim one row (committed), send its message with the in-pass retries, then record the outcome (committed)."""
    async with session_scope(sessions) as session:
        claimed = await pipeline.claim(session, row_id, clock())
    if claimed is None:
        stats.skipped += 1
        return
    try:
        outcome = SendOutcome(message_id=await _retrying(partial(pipeline.send, claimed), retry_delays))
        stats.sent += 1
    except Unreachable as exc:
        outcome = SendOutcome(failure=exc)
        stats.unreachable += 1
    except PermanentFailure as exc:
        outcome = SendOutcome(failure=exc)
        stats.failed += 1
    except TemporaryFailure as exc:
        outcome = SendOutcome(failure=exc)
        stats.retry_later += 1
    if outcome.error:
        stats.reasons[outcome.error] = stats.reasons.get(outcome.error, 0) + 1
    async with session_scope(sessions) as session:
        await pipeline.record(session, row_id, claimed, outcome, clock())


async def send_each(sessions: SessionFactory, pipeline: SendPipeline[Claimed], row_ids: Sequence[int],
                    stats: SendStats, *, clock: Callable[[], datetime], senders: int = 1,
                    retry_delays: Sequence[float] = RETRY_DELAYS) -> None:
    """Claim, send and record each row once, with `senders` side by side; what happened is counted in `stats`.

    A row another sender (or process) claimed first is skipped, so running this twice, or twice at once,
    sends nothing twice.
    """
    queue: Iterator[int] = iter(row_ids)

    async def sender() -> None:
        for row_id in queue:
            await _send_one(sessions, pipeline, row_id, clock, stats, retry_delays)

    await asyncio.gather(*(sender() for _ in range(min(len(row_ids), senders))))


async def _record_morning(session: AsyncSession, delivery_id: int, claimed: _ClaimedMorning, outcome: SendOutcome,
                          now: datetime) -> None:
    """Sent, failed (the person marked unreachable if so) or back to pending after a temporary failure."""
    status = DeliveryStatus.sent
    if isinstance(outcome.failure, TemporaryFailure):
        status = DeliveryStatus.pending
    elif outcome.failure is not None:
        status = DeliveryStatus.failed
    error, person_id, message = outcome.error, claimed.office_bearer_id, claimed.message
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
        status=status, telegram_message_id=outcome.message_id, error=error, updated_at=now))
    if status is DeliveryStatus.failed and error in UNREACHABLE_REASONS:
        await _mark_unreachable(session, person_id, error, now)
    if status is DeliveryStatus.sent:
        record(session, AuditAction.contacts_shown, at=now, actor_id=person_id, actor_label="push",
               subject=f"delivery:{delivery_id}", detail={"assignments": [c.assignment_id for c in message.contacts]})


UNREACHABLE_REASONS = ("blocked", "not_started", "deactivated")


async def deliver_pending(sessions: SessionFactory, channel: Channel, *, day: date,
                          clock: Callable[[], datetime], lease: timedelta = LEASE,
                          retry_delays: Sequence[float] = RETRY_DELAYS) -> DeliveryStats:
    """Send every pending morning message of `day`, first taking back rows whose sender's lease ran out.

    Each row is claimed before it is sent, so none goes twice; enough senders run side by side to keep the
    channel at its `max_rate` (the channel's rate limiter does the pacing).
    """
    async with session_scope(sessions) as session:
        reclaimed = await reclaim_stale(session, day=day, now=clock(), lease=lease)
        pending = (await session.execute(
            select(Delivery.id).where(Delivery.day == day, Delivery.status == DeliveryStatus.pending)
            .order_by(Delivery.id))).scalars().all()
    stats = DeliveryStats(reclaimed=reclaimed)
    morning = SendPipeline(claim=_claim, send=lambda claimed: channel.send_morning(claimed.message),
                           record=_record_morning)
    await send_each(sessions, morning, pending, stats, clock=clock, senders=senders_for(channel.max_rate),
                    retry_delays=retry_delays)
    log.info("push %s: %d sent, %d unreachable, %d failed, %d to retry, %d taken back from dead senders", day,
             stats.sent, stats.unreachable, stats.failed, stats.retry_later, stats.reclaimed)
    return stats


async def push_day(sessions: SessionFactory, channel: Channel, *, day: date, clock: Callable[[], datetime],
                   policy: RotationPolicy, retry_delays: Sequence[float] = RETRY_DELAYS) -> DeliveryStats:
    """Assign `day`'s contacts and deliver them: the whole morning push, safe to repeat."""
    async with session_scope(sessions) as session:
        await assign_day(session, day=day, now=clock(), policy=policy)
        await prepare_deliveries(session, day=day, now=clock())
    return await deliver_pending(sessions, channel, day=day, clock=clock, retry_delays=retry_delays)


async def send_reminders(sessions: SessionFactory, channel: Channel, *, day: date,
                         clock: Callable[[], datetime]) -> int:
    """Remind everyone whose morning message arrived, who is still reachable and has calls of `day` still open:
    unreported, or reported as not connected (the reminder says to try those again)."""
    async with session_scope(sessions) as session:
        unreported = open_calls_of(day)
        reachable = select(OfficeBearer.id).where(OfficeBearer.unreachable_since.is_(None))
        due = (await session.execute(
            select(Delivery.id, Delivery.office_bearer_id).where(
                Delivery.day == day, Delivery.status == DeliveryStatus.sent, Delivery.reminded_at.is_(None),
                Delivery.office_bearer_id.in_(unreported), Delivery.office_bearer_id.in_(reachable)))).all()
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
                            recipient_name=person.name,
                            contacts=tuple(c for c in contacts if not c.reported or c.try_again))
        try:
            await _retrying(partial(channel.send_reminder, reminder), RETRY_DELAYS)
            reminded += 1
        except Unreachable as exc:
            await note_unreachable(sessions, person_id, exc.reason, clock())
        except (TemporaryFailure, PermanentFailure) as exc:
            log.warning("reminder to office-bearer %d not sent: %s", person_id, exc)
    return reminded
