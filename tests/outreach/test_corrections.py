"""Corrections open once per booth president and wait until decided."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outreach.corrections import open_correction
from models import Correction, CorrectionKind, CorrectionStatus
from tests.factories import NOW, make_booth, president_of


async def test_a_correction_opens_once_per_booth_president_while_it_is_pending(session: AsyncSession) -> None:
    booth = await make_booth(session)
    president = await president_of(session, booth)

    first = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                  kind=CorrectionKind.wrong_number, now=NOW)
    again = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                  kind=CorrectionKind.unreachable, now=NOW)

    assert again.id == first.id
    assert first.status is CorrectionStatus.open
    assert first.kind is CorrectionKind.wrong_number
    assert (await session.execute(select(func.count()).select_from(Correction))).scalar_one() == 1


async def test_a_decided_correction_leaves_room_for_a_new_one(session: AsyncSession) -> None:
    booth = await make_booth(session)
    president = await president_of(session, booth)
    first = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                  kind=CorrectionKind.wrong_number, now=NOW)
    first.status = CorrectionStatus.rejected
    await session.flush()

    second = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                   kind=CorrectionKind.not_president, now=NOW)

    assert second.id != first.id
    assert second.kind is CorrectionKind.not_president
