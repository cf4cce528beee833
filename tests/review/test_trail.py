"""The trail of one call: for reviewers only, the phone shown to the secretary only, every opening audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed
from bot.review.flags import Flag
from bot.review.trail import CallNotFound, open_trail
from models import AuditEntry, BoothPresident, Role
from tests.factories import NOW, make_back_check, make_delivery, make_office_bearer
from tests.review.test_flags import DAY, SENT, ZONE, call

# --- the trail ------------------------------------------------------------------------------------------


async def test_the_trail_is_for_reviewers_and_shows_the_phone_to_the_secretary_only(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    await make_delivery(session, office_bearer=caller)
    lucknow = await call(session, caller, notes="Needs a new booth committee list")
    varanasi = await call(session, caller, slot=2, varanasi=True)
    await make_back_check(session, lucknow, called=False)
    secretary = await make_office_bearer(session, role=Role.organisation_secretary)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    phone = (await session.get_one(BoothPresident, lucknow.booth_president_id)).phone

    full = await open_trail(session, viewer=secretary, assignment_id=lucknow.id, start=DAY, end=DAY, zone=ZONE,
                            now=NOW)
    masked = await open_trail(session, viewer=incharge, assignment_id=lucknow.id, start=DAY, end=DAY, zone=ZONE,
                              now=NOW)
    with pytest.raises(CallNotFound):
        await open_trail(session, viewer=incharge, assignment_id=varanasi.id, start=DAY, end=DAY, zone=ZONE, now=NOW)
    with pytest.raises(NotAllowed):
        await open_trail(session, viewer=caller, assignment_id=lucknow.id, start=DAY, end=DAY, zone=ZONE, now=NOW)

    assert full.phone.replace(" ", "") == phone
    assert phone[-10:] not in masked.phone.replace(" ", "")
    assert full.flags == (Flag.disputed,)
    assert [r.notes for r in full.reports] == ["Needs a new booth committee list"]
    assert full.back_check is not None and full.back_check.called is False
    assert full.delivered_at == SENT
    audit = (await session.execute(select(AuditEntry.actor_id, AuditEntry.subject, AuditEntry.detail)
                                   .where(AuditEntry.action == "call_trail_viewed").order_by(AuditEntry.id))).all()
    assert [tuple(row) for row in audit] == [
        (secretary.id, f"assignment:{lucknow.id}", {"phone_shown": True}),
        (incharge.id, f"assignment:{lucknow.id}", {"phone_shown": False})]
