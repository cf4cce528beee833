"""Call reports: what an office-bearer heard on a call, and the needs the booth raised."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.config import ReviewSettings
from bot.errors import AlreadyReported, NotYourAssignment, ReportWindowClosed
from bot.outreach.needs import raise_needs
from models import (
    FINAL_OUTCOMES,
    Assignment,
    BoothPresident,
    CallReport,
    NeedCategory,
    Outcome,
    Strength,
    Wellbeing,
)

MAX_NOTE_LENGTH = 1000


def reported_since(start: date) -> ColumnElement[bool]:
    """Reports that calls of days from `start` on can have.

    A call is reported on or after its day, so nothing reported before that day (a day earlier in UTC, to
    cover every time zone) is one of them. Saying so lets the database read a recent period's reports
    through the `reported_at` index instead of every report ever made.
    """
    return CallReport.reported_at >= datetime.combine(start - timedelta(days=1), time.min, UTC)


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

    @property
    def talked(self) -> bool:
        """Whether the call got through, which decides the questions asked."""
        return self.outcome is Outcome.talked

    @property
    def calling_back(self) -> bool:
        """Whether the booth president asked to be called again, which asks for the day."""
        return self.outcome is Outcome.call_back

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
    return ReportDraft(assignment_id=assignment.id, president_name=assignment.booth_president.name)


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
                        need_due_days: int = ReviewSettings.need_due_days) -> CallReport:
    """Store a confirmed report (checked again: the conversation may be old) with its needs, each due
    `need_due_days` after today.

    A wrong number marks the booth president's phone for correction, so no one is given it again.
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
    if draft.outcome is Outcome.wrong_number:
        president = await session.get_one(BoothPresident, assignment.booth_president_id)
        president.phone_reported_wrong_at = now
    await session.flush()
    return report
