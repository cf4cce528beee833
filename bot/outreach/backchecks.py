"""Back-checks with booth presidents: choosing the calls, asking once, storing the answers.

Booth presidents may register with the bot. Of the calls reported as talked on a day to registered booth
presidents, a share (`review.back_check_share`) is chosen by a hash of the assignment id, so that a re-run
chooses the same calls, and each chosen booth president is asked once (the row is claimed and the question
sent through the same pipeline as the morning push) whether the call took place and whether the booth's
needs came up. The answers feed the `disputed` and `needs_not_discussed` flags.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import SessionFactory, session_scope
from bot.errors import DomainError
from bot.outreach.delivery import SendOutcome, SendPipeline, SendStats, send_each
from bot.sqlutil import insert_ignoring_conflicts
from models import Assignment, BackCheck, BoothPresident, CallReport, Outcome

log = logging.getLogger(__name__)


class StaleBackCheck(DomainError):
    """A back-check button already answered, or not this person's to answer."""

    key = "button.stale"



def is_sampled(assignment_id: int, share: float) -> bool:
    """Whether a call falls in the back-checked `share`: a hash of its id, so every run chooses the same calls."""
    digest = hashlib.sha256(f"back-check:{assignment_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


async def choose_back_checks(session: AsyncSession, *, day: date, share: float, now: datetime) -> int:
    """Make a back-check row for the sampled calls of `day` reported as talked to registered booth presidents.

    Returns how many calls are sampled (rows already there are kept as they are).
    """
    talked = exists().where(CallReport.assignment_id == Assignment.id, CallReport.outcome == Outcome.talked)
    rows = (await session.execute(
        select(Assignment.id, Assignment.booth_president_id)
        .join(BoothPresident, BoothPresident.id == Assignment.booth_president_id)
        .where(Assignment.day == day, talked, BoothPresident.active,
               BoothPresident.telegram_user_id.is_not(None)))).all()
    chosen = [{"assignment_id": row.id, "booth_president_id": row.booth_president_id, "created_at": now}
              for row in rows if is_sampled(row.id, share)]
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
    result = await session.execute(update(BackCheck).where(BackCheck.id == back_check_id, BackCheck.asked_at.is_(None))
                                   .values(asked_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    check = (await session.execute(
        select(BackCheck).options(selectinload(BackCheck.booth_president),
                                  selectinload(BackCheck.assignment).selectinload(Assignment.office_bearer))
        .where(BackCheck.id == back_check_id))).scalar_one()
    president = check.booth_president
    return BackCheckQuestion(back_check_id=check.id, chat_id=president.telegram_user_id or 0,
                             language=president.language, president_name=president.name,
                             caller_name=check.assignment.office_bearer.name, day=check.assignment.day)


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
            .where(Assignment.day == day, BackCheck.asked_at.is_(None)).order_by(BackCheck.id))).scalars().all()
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
                        now: datetime) -> None:
    """Store the booth president's answer to "did they call you?"; a second answer is refused as stale."""
    await _owned(session, back_check_id, telegram_user_id)
    result = await session.execute(update(BackCheck).where(
        BackCheck.id == back_check_id, BackCheck.asked_at.is_not(None), BackCheck.called.is_(None))
        .values(called=called, answered_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleBackCheck()


async def answer_needs(session: AsyncSession, *, back_check_id: int, telegram_user_id: int, spoke: bool) -> None:
    """Store whether the booth's needs were talked about; only after a "yes, they called", and only once."""
    await _owned(session, back_check_id, telegram_user_id)
    result = await session.execute(update(BackCheck).where(
        BackCheck.id == back_check_id, BackCheck.called.is_(True), BackCheck.spoke_about_needs.is_(None))
        .values(spoke_about_needs=spoke))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleBackCheck()
