"""Digests: the week's progress for the organisation secretary, and each evening's for district in-charges.

Who gets which digest, in which language, and the view it shows are decided here; the handlers put it into
words and send it. The weekly digest covers the seven days up to the day before it is sent (a full week,
every call's report window given a chance); the daily digest covers the day it is sent, for the districts in
the in-charge's charge.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.access import Viewer
from bot.i18n import normalise_language
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import ProgressView, progress_view
from models import OfficeBearer, Role


class DigestKind(enum.StrEnum):
    """Which digest it is: the organisation secretary's weekly one or a district in-charge's daily one."""

    weekly = "weekly"
    daily = "daily"


@dataclass(frozen=True)
class Digest:
    """One digest ready to render and send: to whom (their id, Telegram chat and language), which digest,
    and the progress view it shows."""

    office_bearer_id: int
    chat_id: int
    language: str
    kind: DigestKind
    view: ProgressView


async def _recipients(session: AsyncSession, role: Role) -> Sequence[OfficeBearer]:
    """Active, registered and reachable office-bearers of a role, with their districts."""
    return (await session.execute(
        select(OfficeBearer).options(selectinload(OfficeBearer.districts))
        .where(OfficeBearer.role == role, OfficeBearer.active, OfficeBearer.telegram_user_id.is_not(None),
               OfficeBearer.unreachable_since.is_(None))
        .order_by(OfficeBearer.id))).scalars().all()


def _digest(person: OfficeBearer, view: ProgressView, kind: DigestKind, default_language: str) -> Digest:
    assert person.telegram_user_id is not None
    language = normalise_language(person.language, default_language)
    return Digest(person.id, person.telegram_user_id, language, kind, view)


async def weekly_digests(session: AsyncSession, *, today: date, grace_days: int, now: datetime, zone: tzinfo,
                         default_language: str) -> list[Digest]:
    """The state's progress over the seven days before `today`, with its trend, for each organisation secretary."""
    secretaries = await _recipients(session, Role.organisation_secretary)
    if not secretaries:
        return []
    view = await progress_view(session, Viewer.of(secretaries[0]), level=Level.state, area_id=0,
                               period=Period(PeriodKind.week, today - timedelta(days=1)),
                               today=today, grace_days=grace_days, now=now, zone=zone)
    return [_digest(person, view, DigestKind.weekly, default_language) for person in secretaries]


async def daily_digests(session: AsyncSession, *, today: date, grace_days: int, now: datetime, zone: tzinfo,
                        default_language: str) -> list[Digest]:
    """Today's progress in their districts for each district in-charge who has districts in their charge.

    In-charges of the same districts share one view, so the queries grow with the districts, not the people.
    """
    views: dict[frozenset[int] | None, ProgressView] = {}
    digests = []
    for person in await _recipients(session, Role.district_incharge):
        viewer = Viewer.of(person)
        if not viewer.district_ids:
            continue
        if viewer.district_ids not in views:
            level, area_id = viewer.home()
            views[viewer.district_ids] = await progress_view(
                session, viewer, level=level, area_id=area_id, period=Period(PeriodKind.day, today), today=today,
                grace_days=grace_days, now=now, zone=zone)
        digests.append(_digest(person, views[viewer.district_ids], DigestKind.daily, default_language))
    return digests
