"""Call reports: what an office-bearer heard on a call, and the needs the booth raised.

A call is done when there was a conversation. A call that did not connect (no answer, busy, switched off)
stays open and is tried again the next day, up to `outreach.max_attempts` attempts; after the last one the
booth president is marked unreachable and goes to the district in-charge's corrections. A wrong number or a
booth president who no longer holds the post closes the call and opens a correction at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.audit import AuditAction, record
from bot.config import OutreachSettings, ReviewSettings
from bot.errors import AlreadyReported, CallGivenAgain, DomainError, NotYourAssignment, ReportWindowClosed
from bot.outreach.corrections import InvalidName, clean_name, open_correction, settle_pending
from bot.outreach.needs import raise_needs
from bot.phones import InvalidPhone, normalise_mobile
from models import (
    FINAL_OUTCOMES,
    NOT_CONNECTED,
    Assignment,
    BoothPresident,
    CallReport,
    CorrectionKind,
    CorrectionStatus,
    NeedCategory,
    Outcome,
    Strength,
    Wellbeing,
)

MAX_NOTE_LENGTH = 1000
CORRECTION_KINDS = {Outcome.wrong_number: CorrectionKind.wrong_number,
                    Outcome.not_president: CorrectionKind.not_president}
"""Outcomes that close a call and open a correction of the booth's president, with its kind."""


def reported_since(start: date) -> ColumnElement[bool]:
    """Reports that calls of days from `start` on can have.

    A call is reported on or after its day, so nothing reported before that day (a day earlier in UTC, to
    cover every time zone) is one of them. Saying so lets the database read a recent period's reports
    through the `reported_at` index instead of every report ever made.
    """
    return CallReport.reported_at >= datetime.combine(start - timedelta(days=1), time.min, UTC)


@dataclass(frozen=True)
class NewPresident:
    """Who holds the post now, as the caller heard it: a name and an E.164 mobile number, or not known."""

    name: str | None = None
    phone: str | None = None

    @property
    def known(self) -> bool:
        """Whether the caller gave a name and number (rather than skipping the question)."""
        return self.name is not None and self.phone is not None


NOT_KNOWN = NewPresident()
"""The answer "skip": the caller does not know who holds the post now."""


class NewPresidentUnreadable(DomainError):
    """The text holds no name followed by a mobile number."""

    key = "attempts.new_president.unreadable"


class NewPresidentBadPhone(DomainError):
    """The number given for the new booth president is not an Indian mobile number."""

    key = "attempts.new_president.bad_phone"


_NUMBER_PART = re.compile(r"\+?\d[\d\s\-().]*\d")
_SEPARATORS = " \t\n,;:-–—|/"


def read_new_president(text: str) -> NewPresident:
    """The name and mobile number typed in one message ("रमेश कुमार 98765 43210"), either way round.

    Raises `NewPresidentUnreadable` when there is no name or no number, `NewPresidentBadPhone` when the number
    is not a valid Indian mobile number.
    """
    numbers = list(_NUMBER_PART.finditer(text))
    if len(numbers) != 1:
        raise NewPresidentUnreadable()
    number = numbers[0]
    name = " ".join((text[:number.start()] + " " + text[number.end():]).split()).strip(_SEPARATORS)
    try:
        name = clean_name(name)
    except InvalidName:
        raise NewPresidentUnreadable() from None
    try:
        phone = normalise_mobile(number.group())
    except InvalidPhone:
        raise NewPresidentBadPhone(value=number.group()) from None
    return NewPresident(name=name, phone=phone)


@dataclass(frozen=True)
class ReportDraft:
    """A call report being put together in the conversation, not yet stored."""

    assignment_id: int
    president_name: str
    outcome: Outcome | None = None
    wellbeing: Wellbeing | None = None
    position: Strength | None = None
    needs: frozenset[NeedCategory] = field(default_factory=frozenset)
    need_detail: str | None = None
    notes: str | None = None
    call_back_in_days: int | None = None
    new_president: NewPresident | None = None
    attempt: int = 1

    @property
    def talked(self) -> bool:
        """Whether the call got through, which decides the questions asked."""
        return self.outcome is Outcome.talked

    @property
    def calling_back(self) -> bool:
        """Whether the booth president asked to be called again, which asks for the day."""
        return self.outcome is Outcome.call_back

    @property
    def not_president(self) -> bool:
        """Whether the person called no longer holds the post, which asks who does."""
        return self.outcome is Outcome.not_president

    @property
    def not_connected(self) -> bool:
        """Whether the call did not connect, so that it stays open and is tried again."""
        return self.outcome in NOT_CONNECTED

    def toggled(self, category: NeedCategory) -> ReportDraft:
        """The draft with one need category switched on or off."""
        return replace(self, needs=self.needs ^ {category})


async def open_assignment(session: AsyncSession, *, assignment_id: int, office_bearer_id: int, today: date,
                          grace_days: int) -> ReportDraft:
    """Start a report on one of the person's own calls, if it can still be reported."""
    assignment = (await session.execute(
        select(Assignment).options(selectinload(Assignment.booth_president))
        .where(Assignment.id == assignment_id))).scalar_one_or_none()
    if assignment is None or assignment.office_bearer_id != office_bearer_id:
        raise NotYourAssignment()
    if assignment.day < today - timedelta(days=grace_days) or assignment.day > today:
        raise ReportWindowClosed(day=assignment.day.isoformat())
    final = (await session.execute(
        select(CallReport.outcome).where(CallReport.assignment_id == assignment.id,
                                         CallReport.outcome.in_(FINAL_OUTCOMES))
        .order_by(CallReport.reported_at).limit(1))).scalar_one_or_none()
    if final is not None:
        raise AlreadyReported(outcome=final.value)
    given_again = (await session.execute(
        select(Assignment.day).where(Assignment.booth_president_id == assignment.booth_president_id,
                                     Assignment.day > assignment.day)
        .order_by(Assignment.day).limit(1))).scalar_one_or_none()
    if given_again is not None:
        raise CallGivenAgain(day=given_again.isoformat())
    return ReportDraft(assignment_id=assignment.id, president_name=assignment.booth_president.name,
                       attempt=assignment.attempt)


async def reported_president(session: AsyncSession, *, assignment_id: int, office_bearer_id: int) -> str | None:
    """The booth president's name if this person's call already has a stored report, else None: a second
    press of save finds its first press."""
    found = await session.execute(
        select(BoothPresident.name).join(Assignment, Assignment.booth_president_id == BoothPresident.id)
        .where(Assignment.id == assignment_id, Assignment.office_bearer_id == office_bearer_id,
               Assignment.reports.any()))
    return found.scalar_one_or_none()


async def record_report(session: AsyncSession, *, draft: ReportDraft, office_bearer_id: int, today: date,
                        grace_days: int, now: datetime,
                        max_attempts: int = OutreachSettings.max_attempts,
                        need_due_days: int = ReviewSettings.need_due_days) -> CallReport:
    """Store a confirmed report (checked again: the conversation may be old) with its needs, each due
    `need_due_days` after today; a call that did not connect on its `max_attempts`-th try closes as
    unreachable.

    A wrong number (its phone also marked) or "no longer the booth president" opens a correction, with the
    new name and number proposed if the caller gave them; the booth president is out of rotation until it is
    decided. A call that did not connect on its `max_attempts`-th attempt closes: the booth president is
    marked unreachable and an unreachable correction opens.
    """
    await open_assignment(session, assignment_id=draft.assignment_id, office_bearer_id=office_bearer_id,
                          today=today, grace_days=grace_days)
    if draft.outcome is None:
        raise ValueError("a report needs an outcome")
    assignment = await session.get_one(Assignment, draft.assignment_id)
    report = CallReport(
        assignment_id=assignment.id,
        outcome=draft.outcome,
        wellbeing=draft.wellbeing if draft.talked else None,
        booth_position=draft.position if draft.talked else None,
        notes=(draft.notes or None),
        call_back_on=(today + timedelta(days=draft.call_back_in_days)
                      if draft.calling_back and draft.call_back_in_days is not None else None),
        reported_at=now,
    )
    session.add(report)
    await session.flush()
    if draft.talked:
        await raise_needs(session, call_report_id=report.id, booth_id=assignment.booth_id, categories=draft.needs,
                          words=draft.need_detail, today=today, due_days=need_due_days, now=now)
    if draft.outcome in CORRECTION_KINDS:
        await _report_correction(session, draft=draft, assignment=assignment, report=report,
                                 office_bearer_id=office_bearer_id, now=now)
    elif draft.talked:
        president = await session.get_one(BoothPresident, assignment.booth_president_id)
        if president.unreachable_since is not None:  # a late conversation on a call closed as unreachable
            await settle_pending(session, booth_president_id=president.id, now=now, decided_by_id=None,
                                 reason="conversation")
    elif draft.not_connected and assignment.attempt >= max_attempts:
        president = await session.get_one(BoothPresident, assignment.booth_president_id)
        president.unreachable_since = now
        await open_correction(session, booth_id=assignment.booth_id, booth_president_id=president.id,
                              kind=CorrectionKind.unreachable, now=now, call_report_id=report.id,
                              reported_by_id=office_bearer_id)
    await session.flush()
    return report


async def _report_correction(session: AsyncSession, *, draft: ReportDraft, assignment: Assignment,
                             report: CallReport, office_bearer_id: int, now: datetime) -> None:
    """Open the correction a wrong number or a change of president calls for, with the caller's proposal."""
    assert draft.outcome is not None
    if draft.outcome is Outcome.wrong_number:
        president = await session.get_one(BoothPresident, assignment.booth_president_id)
        president.phone_reported_wrong_at = now
    correction = await open_correction(session, booth_id=assignment.booth_id,
                                       booth_president_id=assignment.booth_president_id,
                                       kind=CORRECTION_KINDS[draft.outcome], now=now, call_report_id=report.id,
                                       reported_by_id=office_bearer_id)
    proposal = draft.new_president
    if draft.not_president and proposal is not None and proposal.known \
            and correction.status is CorrectionStatus.open:
        correction.proposed_name, correction.proposed_phone = proposal.name, proposal.phone
        correction.proposed_by_id, correction.proposed_at = office_bearer_id, now
        correction.status = CorrectionStatus.proposed
        await session.flush()
        record(session, AuditAction.president_change_reported, at=now, actor_id=office_bearer_id,
               actor_label="report", subject=f"correction:{correction.id}",
               detail={"booth_id": assignment.booth_id, "call_report_id": report.id})
