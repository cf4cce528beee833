"""Back-checks with booth presidents: choosing the calls, asking once, storing the answers.

Booth presidents may register with the bot. Of the calls reported on a day to registered booth presidents,
as talked or as not connected, a share (`review.back_check_share`) is chosen by a hash of the assignment id,
so that a re-run chooses the same calls, and each chosen booth president is asked once (the row is claimed
and the question sent through the same pipeline as the morning push) whether the call took place and whether
the booth's needs came up, or, for a call reported as not connected, whether the caller tried to call at all
(`attempted_only`). The answers feed the `disputed` and `needs_not_discussed` flags.

Verifiers reach the booth presidents who do not use the bot: each day every active, registered, reachable
verifier is given up to `review.verifier_daily_calls` of yesterday's conversations that have no back-check
yet, chosen by a hash and spread so that no call goes to two verifiers. They call the booth president on the
phone (the number shown to them is written to the audit log) and press what they heard; the answer is a
back-check like any other, with `method="phone"`.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.access import verifies_by_phone
from bot.audit import AuditAction, record
from bot.db import SessionFactory, session_scope
from bot.errors import DomainError
from bot.outreach.delivery import UNREACHABLE_REASONS, SendOutcome, SendPipeline, SendStats, send_each
from bot.sqlutil import insert_ignoring_conflicts
from models import (
    NOT_CONNECTED,
    AssemblySeat,
    Assignment,
    BackCheck,
    Booth,
    BoothPresident,
    CallReport,
    District,
    OfficeBearer,
    Outcome,
    Role,
)

log = logging.getLogger(__name__)


class StaleBackCheck(DomainError):
    """A back-check button already answered, or not this person's to answer."""

    key = "button.stale"


TELEGRAM, PHONE = "telegram", "phone"
"""How a back-check is made (`BackCheck.method`): the bot's question, or a verifier's phone call."""
NOT_REACHED = "not_reached"
"""`BackCheck.error` of a phone check whose verifier could not reach the booth president."""


def is_sampled(assignment_id: int, share: float) -> bool:
    """Whether a call falls in the back-checked `share`: a hash of its id, so every run chooses the same calls."""
    digest = hashlib.sha256(f"back-check:{assignment_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


async def _latest_outcomes(session: AsyncSession, day: date,
                           *where: ColumnElement[bool]) -> dict[int, tuple[int, Outcome]]:
    """The booth president and latest reported outcome of each of `day`'s reported calls to active booth
    presidents (and as `where` says), by assignment id."""
    rows = (await session.execute(
        select(Assignment.id, Assignment.booth_president_id, CallReport.outcome)
        .join(CallReport, CallReport.assignment_id == Assignment.id)
        .join(BoothPresident, BoothPresident.id == Assignment.booth_president_id)
        .where(Assignment.day == day, BoothPresident.active, *where)
        .order_by(CallReport.reported_at, CallReport.id))).all()
    return {row.id: (row.booth_president_id, row.outcome) for row in rows}


async def choose_back_checks(session: AsyncSession, *, day: date, share: float, now: datetime) -> int:
    """Make a back-check row for the sampled calls of `day` to registered booth presidents whose latest report
    is talked, or not connected (those are asked only whether the caller tried: `attempted_only`).

    Returns how many calls are sampled (rows already there are kept as they are).
    """
    latest = await _latest_outcomes(session, day, BoothPresident.telegram_user_id.is_not(None))
    chosen = [{"assignment_id": assignment_id, "booth_president_id": president_id, "created_at": now,
               "method": TELEGRAM, "attempted_only": outcome in NOT_CONNECTED}
              for assignment_id, (president_id, outcome) in sorted(latest.items())
              if (outcome is Outcome.talked or outcome in NOT_CONNECTED) and is_sampled(assignment_id, share)]
    if chosen:
        await session.execute(insert_ignoring_conflicts(session, BackCheck), chosen)
    return len(chosen)


@dataclass(frozen=True)
class BackCheckQuestion:
    """What a booth president is asked: did this office-bearer call you on that day?"""

    back_check_id: int
    chat_id: int
    language: str | None
    president_name: str
    caller_name: str
    day: date
    attempted_only: bool = False
    """The call was reported as not connected: the question is whether the caller tried to call."""


class BackCheckChannel(Protocol):
    """Where back-check questions go: Telegram in production, anything in a test."""

    async def send_back_check(self, question: BackCheckQuestion) -> int:
        """Send the question with its yes/no buttons; return the message id."""
        ...


@dataclass
class BackCheckStats:
    """What one back-check run did."""

    sampled: int = 0
    asked: int = 0
    failed: int = 0


async def _claim_back_check(session: AsyncSession, back_check_id: int, now: datetime) -> BackCheckQuestion | None:
    """Claim an unasked back-check for this run: its question, or None if another run has it."""
    result = await session.execute(update(BackCheck).where(
        BackCheck.id == back_check_id, BackCheck.method == TELEGRAM, BackCheck.asked_at.is_(None)).values(asked_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    check = (await session.execute(
        select(BackCheck).options(selectinload(BackCheck.booth_president),
                                  selectinload(BackCheck.assignment).selectinload(Assignment.office_bearer))
        .where(BackCheck.id == back_check_id))).scalar_one()
    president = check.booth_president
    return BackCheckQuestion(back_check_id=check.id, chat_id=president.telegram_user_id or 0,
                             language=president.language, president_name=president.name,
                             caller_name=check.assignment.office_bearer.name, day=check.assignment.day,
                             attempted_only=check.attempted_only)


async def _record_back_check(session: AsyncSession, back_check_id: int, question: BackCheckQuestion,
                             outcome: SendOutcome, now: datetime) -> None:
    """The question's message id, or why it could not be delivered; the row stays asked either way."""
    error = outcome.error
    if outcome.failure is not None and not error:
        error = type(outcome.failure).__name__
    await session.execute(update(BackCheck).where(BackCheck.id == back_check_id)
                          .values(telegram_message_id=outcome.message_id, error=error))


async def ask_back_checks(sessions: SessionFactory, channel: BackCheckChannel, *, day: date,
                          clock: Callable[[], datetime], share: float) -> BackCheckStats:
    """Choose the back-checks of `day`'s calls and ask each booth president once.

    Each row is claimed (asked_at set) in its own committed transaction before the question goes out, so a
    second run, or two at once, ask nobody twice; a booth president who blocked the bot is noted and the
    others are still asked.
    """
    async with session_scope(sessions) as session:
        sampled = await choose_back_checks(session, day=day, share=share, now=clock())
    async with session_scope(sessions) as session:
        due = (await session.execute(
            select(BackCheck.id).join(Assignment, Assignment.id == BackCheck.assignment_id)
            .where(Assignment.day == day, BackCheck.method == TELEGRAM, BackCheck.asked_at.is_(None))
            .order_by(BackCheck.id))).scalars().all()
    questions = SendPipeline(claim=_claim_back_check, send=channel.send_back_check, record=_record_back_check)
    sent = SendStats()
    await send_each(sessions, questions, due, sent, clock=clock)
    stats = BackCheckStats(sampled=sampled, asked=sent.sent, failed=sent.unreachable + sent.failed + sent.retry_later)
    log.info("back-checks for %s: %d sampled, %d asked, %d not delivered", day, stats.sampled, stats.asked,
             stats.failed)
    return stats


async def _owned(session: AsyncSession, back_check_id: int, telegram_user_id: int) -> None:
    """Refuse a back-check that does not exist or was not asked of this Telegram user."""
    owner = (await session.execute(
        select(BoothPresident.telegram_user_id).join(BackCheck, BackCheck.booth_president_id == BoothPresident.id)
        .where(BackCheck.id == back_check_id))).scalar_one_or_none()
    if owner is None or owner != telegram_user_id:
        raise StaleBackCheck()


async def answer_called(session: AsyncSession, *, back_check_id: int, telegram_user_id: int, called: bool,
                        now: datetime) -> bool:
    """Store the booth president's answer to "did they call you?" (or "did they try to?"); a second answer is
    refused as stale. Returns whether the needs question follows: only after a conversation they confirm."""
    await _owned(session, back_check_id, telegram_user_id)
    result = await session.execute(update(BackCheck).where(
        BackCheck.id == back_check_id, BackCheck.method == TELEGRAM, BackCheck.asked_at.is_not(None),
        BackCheck.called.is_(None)).values(called=called, answered_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleBackCheck()
    attempted_only = (await session.execute(
        select(BackCheck.attempted_only).where(BackCheck.id == back_check_id))).scalar_one()
    return called and not attempted_only


async def answer_needs(session: AsyncSession, *, back_check_id: int, telegram_user_id: int, spoke: bool) -> None:
    """Store whether the booth's needs were talked about; only after a "yes, they called", and only once."""
    await _owned(session, back_check_id, telegram_user_id)
    result = await session.execute(update(BackCheck).where(
        BackCheck.id == back_check_id, BackCheck.called.is_(True), BackCheck.attempted_only.is_(False),
        BackCheck.spoke_about_needs.is_(None)).values(spoke_about_needs=spoke))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleBackCheck()


# --- verifiers: back-checks by phone ----------------------------------------------------------------------


class VerifierAnswer(enum.StrEnum):
    """What a verifier heard from the booth president on the phone."""

    talked = "talked"
    """The booth president confirms the conversation."""
    denied = "denied"
    """The booth president says no such conversation took place."""
    not_reached = "not_reached"
    """The verifier could not reach the booth president."""


def verifier_rank(assignment_id: int) -> bytes:
    """The order in which calls are handed to verifiers: a hash of the id, so every run chooses the same."""
    return hashlib.sha256(f"verifier:{assignment_id}".encode()).digest()


async def _verifiers(session: AsyncSession) -> list[OfficeBearer]:
    """The verifiers who can be given calls today: active, registered and reachable, by id."""
    people = (await session.execute(
        select(OfficeBearer).where(OfficeBearer.role == Role.verifier, OfficeBearer.active,
                                   OfficeBearer.telegram_user_id.is_not(None),
                                   OfficeBearer.unreachable_since.is_(None))
        .order_by(OfficeBearer.id))).scalars().all()
    return [person for person in people if verifies_by_phone(person)]


async def choose_verifier_calls(session: AsyncSession, *, day: date, per_verifier: int, now: datetime) -> int:
    """Give each verifier up to `per_verifier` of `day`'s conversations that have no back-check yet.

    The conversations (calls whose latest report is talked) are taken in the order of `verifier_rank` and
    dealt out in turn, so that no call goes to two verifiers (the back-check row is unique per call) and a
    re-run gives a verifier only what they still lack. Returns how many calls were handed out now.
    """
    verifiers = await _verifiers(session)
    if not verifiers or per_verifier <= 0:
        return 0
    given = Counter({row.verifier_id: row.count for row in await session.execute(
        select(BackCheck.verifier_id, func.count().label("count"))
        .join(Assignment, Assignment.id == BackCheck.assignment_id)
        .where(Assignment.day == day, BackCheck.method == PHONE, BackCheck.verifier_id.is_not(None))
        .group_by(BackCheck.verifier_id))})
    left = {person.id: per_verifier - given[person.id] for person in verifiers}
    turns = [person.id for turn in range(per_verifier) for person in verifiers if left[person.id] > turn]
    unchecked = ~exists().where(BackCheck.assignment_id == Assignment.id)
    latest = await _latest_outcomes(session, day, unchecked)
    conversations = sorted((assignment_id for assignment_id, (_, outcome) in latest.items()
                            if outcome is Outcome.talked), key=verifier_rank)
    chosen = [{"assignment_id": assignment_id, "booth_president_id": latest[assignment_id][0], "created_at": now,
               "method": PHONE, "attempted_only": False, "verifier_id": verifier_id}
              for assignment_id, verifier_id in zip(conversations, turns, strict=False)]
    if chosen:
        await session.execute(insert_ignoring_conflicts(session, BackCheck), chosen)
    return len(chosen)


@dataclass(frozen=True)
class VerifierCall:
    """One call a verifier is asked to check by phone: whom to call, on which number, about which call."""

    back_check_id: int
    verifier_id: int
    chat_id: int
    language: str | None
    president_id: int
    president_name: str
    phone: str
    caller_name: str
    caller_role: Role
    booth_no: int
    booth_name: str
    assembly: str
    district: str
    day: date


class VerifierChannel(Protocol):
    """Where verifiers' calls go: Telegram in production, anything in a test."""

    async def send_verifier_call(self, call: VerifierCall) -> int:
        """Send the call to check, with the three answer buttons; return the message id."""
        ...


async def _claim_verifier_call(session: AsyncSession, back_check_id: int, now: datetime) -> VerifierCall | None:
    """Claim an unsent phone back-check (asked_at is when it is sent): its message, or None if already taken."""
    result = await session.execute(update(BackCheck).where(
        BackCheck.id == back_check_id, BackCheck.method == PHONE, BackCheck.asked_at.is_(None)).values(asked_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = (await session.execute(
        select(BackCheck, BoothPresident, Assignment, Booth, AssemblySeat, District)
        .join(BoothPresident, BoothPresident.id == BackCheck.booth_president_id)
        .join(Assignment, Assignment.id == BackCheck.assignment_id)
        .join(Booth, Booth.id == Assignment.booth_id)
        .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
        .join(District, District.id == AssemblySeat.district_id)
        .where(BackCheck.id == back_check_id))).one()
    check, president, assignment, booth, seat, district = row
    caller = await session.get_one(OfficeBearer, assignment.office_bearer_id)
    verifier = await session.get_one(OfficeBearer, check.verifier_id)
    return VerifierCall(back_check_id=check.id, verifier_id=verifier.id, chat_id=verifier.telegram_user_id or 0,
                        language=verifier.language, president_id=president.id, president_name=president.name,
                        phone=president.phone, caller_name=caller.name, caller_role=caller.role,
                        booth_no=booth.number, booth_name=booth.name, assembly=seat.name, district=district.name,
                        day=assignment.day)


async def _record_verifier_call(session: AsyncSession, back_check_id: int, call: VerifierCall,
                                outcome: SendOutcome, now: datetime) -> None:
    """The message id, or why it could not be delivered; a number that reached the verifier is audited."""
    error = outcome.error
    if outcome.failure is not None and not error:
        error = type(outcome.failure).__name__
    await session.execute(update(BackCheck).where(BackCheck.id == back_check_id)
                          .values(telegram_message_id=outcome.message_id, error=error))
    if error in UNREACHABLE_REASONS:
        await session.execute(update(OfficeBearer).where(OfficeBearer.id == call.verifier_id)
                              .values(unreachable_since=now, unreachable_reason=error))
    if outcome.message_id is not None:
        record(session, AuditAction.verifier_number_shown, at=now, actor_id=call.verifier_id,
               actor_label="verifier_call", subject=f"booth_president:{call.president_id}",
               detail={"back_check": back_check_id})


async def ask_verifiers(sessions: SessionFactory, channel: VerifierChannel, *, day: date,
                        clock: Callable[[], datetime], per_verifier: int) -> BackCheckStats:
    """Hand `day`'s unchecked conversations to the verifiers and send each of them their calls once."""
    async with session_scope(sessions) as session:
        sampled = await choose_verifier_calls(session, day=day, per_verifier=per_verifier, now=clock())
    async with session_scope(sessions) as session:
        due: Sequence[int] = (await session.execute(
            select(BackCheck.id).join(Assignment, Assignment.id == BackCheck.assignment_id)
            .where(Assignment.day == day, BackCheck.method == PHONE, BackCheck.asked_at.is_(None))
            .order_by(BackCheck.id))).scalars().all()
    calls = SendPipeline(claim=_claim_verifier_call, send=channel.send_verifier_call, record=_record_verifier_call)
    sent = SendStats()
    await send_each(sessions, calls, due, sent, clock=clock)
    stats = BackCheckStats(sampled=sampled, asked=sent.sent, failed=sent.unreachable + sent.failed + sent.retry_later)
    log.info("verifier calls for %s: %d handed out, %d sent, %d not delivered", day, stats.sampled, stats.asked,
             stats.failed)
    return stats


async def answer_verifier_call(session: AsyncSession, *, back_check_id: int, telegram_user_id: int,
                               answer: VerifierAnswer, now: datetime) -> None:
    """Store what the verifier heard; only the verifier the call was sent to may answer, and only once.

    A confirmed or denied conversation is an answered back-check (`called`); a booth president not reached
    leaves it unanswered with `error="not_reached"`, so the figures count it as asked but not checked.
    """
    owner = (await session.execute(
        select(OfficeBearer.telegram_user_id).join(BackCheck, BackCheck.verifier_id == OfficeBearer.id)
        .where(BackCheck.id == back_check_id, BackCheck.method == PHONE, OfficeBearer.active))).scalar_one_or_none()
    if owner is None or owner != telegram_user_id:
        raise StaleBackCheck()
    values: dict[str, object] = ({"error": NOT_REACHED} if answer is VerifierAnswer.not_reached
                                 else {"called": answer is VerifierAnswer.talked, "answered_at": now})
    result = await session.execute(update(BackCheck).where(
        BackCheck.id == back_check_id, BackCheck.asked_at.is_not(None), BackCheck.answered_at.is_(None),
        BackCheck.error.is_(None)).values(**values))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleBackCheck()
