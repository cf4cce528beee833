"""Corrections: a booth whose president cannot be called as the roster stands, followed until it is fixed.

A correction opens when a caller reports a wrong number or that the person is no longer the booth president,
or when a call has not connected on `outreach.max_attempts` days. The booth president is out of rotation
while it is open. The district in-charge (or an admin) proposes the new name and number, an admin confirms,
and the booth returns to rotation with the new president; every step is written to the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correction, CorrectionKind, CorrectionStatus

PENDING = (CorrectionStatus.open, CorrectionStatus.proposed)
"""Corrections not yet decided: the booth waits for a new president or an admin's confirmation."""


async def open_correction(session: AsyncSession, *, booth_id: int, booth_president_id: int, kind: CorrectionKind,
                          now: datetime, call_report_id: int | None = None,
                          reported_by_id: int | None = None) -> Correction:
    """Open a correction for this booth president, or return the one already pending (one at a time)."""
    pending = (await session.execute(
        select(Correction).where(Correction.booth_president_id == booth_president_id,
                                 Correction.status.in_(PENDING)))).scalars().first()
    if pending is not None:
        return pending
    correction = Correction(booth_id=booth_id, booth_president_id=booth_president_id, kind=kind,
                            status=CorrectionStatus.open, call_report_id=call_report_id,
                            reported_by_id=reported_by_id, reported_at=now)
    session.add(correction)
    await session.flush()
    return correction
