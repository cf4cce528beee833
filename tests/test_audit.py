"""The one way to write an audit entry: stored action values never change, long labels and subjects are cut."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import ACTOR_LABEL_LENGTH, SUBJECT_LENGTH, AuditAction, record
from models import AuditEntry
from tests.factories import NOW


def test_every_action_is_stored_under_its_own_name() -> None:
    assert all(action.value == action.name for action in AuditAction)


async def test_an_entry_keeps_what_it_is_given_and_cuts_what_does_not_fit(session: AsyncSession) -> None:
    record(session, AuditAction.person_erased, at=NOW, actor_label="x" * 100, subject="s" * 200,
           detail={"notes": 1})
    record(session, AuditAction.booth_viewed, at=NOW, actor_id=None, actor_label="telegram")
    await session.flush()

    long, short = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
    assert (long.action, long.actor_label, long.subject, long.detail) == (
        "person_erased", "x" * ACTOR_LABEL_LENGTH, "s" * SUBJECT_LENGTH, {"notes": 1})
    assert (short.action, short.actor_label, short.actor_id, short.subject, short.detail) == (
        "booth_viewed", "telegram", None, None, None)
