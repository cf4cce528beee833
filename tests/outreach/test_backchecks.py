"""Back-checks: the calls are sampled deterministically and chosen once; booth presidents register by their
number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UnknownNumber
from bot.outreach.backchecks import choose_back_checks, is_sampled
from bot.outreach.people import register
from models import AuditEntry, BackCheck, BoothPresident, Outcome
from tests.factories import NOW, make_booth, make_office_bearer, president_of
from tests.review.test_flags import DAY, call

# --- choosing back-checks -------------------------------------------------------------------------------


def test_the_back_checked_share_is_close_to_the_setting_and_the_same_every_time() -> None:
    chosen = [i for i in range(1, 10_001) if is_sampled(i, 0.2)]

    assert 1900 <= len(chosen) <= 2100
    assert chosen == [i for i in range(1, 10_001) if is_sampled(i, 0.2)]
    assert not any(is_sampled(i, 0.0) for i in range(1, 1000))
    assert all(is_sampled(i, 1.0) for i in range(1, 1000))


async def test_only_talked_calls_to_registered_booth_presidents_are_chosen_once(session: AsyncSession) -> None:
    person = await make_office_bearer(session)
    talked = await call(session, person, slot=1)
    unanswered = await call(session, person, slot=2, outcome=Outcome.no_answer)
    unregistered = await call(session, person, day=DAY - timedelta(days=1))
    for assignment in (talked, unanswered):
        president = await session.get_one(BoothPresident, assignment.booth_president_id)
        president.telegram_user_id = 40_000 + assignment.id

    first = await choose_back_checks(session, day=DAY, share=1.0, now=NOW)
    again = await choose_back_checks(session, day=DAY, share=1.0, now=NOW)
    yesterday = await choose_back_checks(session, day=DAY - timedelta(days=1), share=1.0, now=NOW)

    rows = (await session.execute(select(BackCheck.assignment_id))).scalars().all()
    assert (first, again, yesterday) == (1, 1, 0)
    assert rows == [talked.id]
    assert unregistered.id not in rows


# --- registration of booth presidents -------------------------------------------------------------------


async def test_a_booth_presidents_number_registers_them_and_the_office_bearer_roster_comes_first(
        session: AsyncSession) -> None:
    booth = await make_booth(session, phone="+919700001111")
    both = await make_booth(session, phone="+919700002222")
    bearer = await make_office_bearer(session, phone="+919700002222")

    president = await register(session, telegram_user_id=71, contact_user_id=71, phone="97000 01111", now=NOW)
    office_bearer = await register(session, telegram_user_id=72, contact_user_id=72, phone="+919700002222",
                                   now=NOW)

    assert isinstance(president, BoothPresident)
    assert (president.id, president.telegram_user_id) == ((await president_of(session, booth)).id, 71)
    assert office_bearer is bearer
    assert (await president_of(session, both)).telegram_user_id is None
    audit = (await session.execute(select(AuditEntry.subject).where(AuditEntry.action == "registered"))).scalars()
    assert sorted(audit) == [f"booth_president:{president.id}", f"office_bearer:{bearer.id}"]


async def test_an_inactive_booth_president_cannot_register(session: AsyncSession) -> None:
    booth = await make_booth(session, phone="+919700003333")
    (await president_of(session, booth)).active = False

    with pytest.raises(UnknownNumber):
        await register(session, telegram_user_id=73, contact_user_id=73, phone="+919700003333", now=NOW)
