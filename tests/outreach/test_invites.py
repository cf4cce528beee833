"""Invitation tokens: unguessable, made once per booth president, revocable, and leading only to the active
booth president they were made for; the registration they open."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotOwnContact
from bot.outreach.invites import invite_token, president_for_token, revoke_invite
from bot.outreach.people import InvalidInvite, InviteNumberMismatch, register_by_invite
from models import AuditEntry, BoothPresident
from tests.factories import NOW, make_booth, president_of

START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
"""What Telegram accepts as a `/start` parameter in a t.me link (and what the column holds)."""


async def _president(session: AsyncSession, phone: str = "+919700007001") -> BoothPresident:
    return await president_of(session, await make_booth(session, phone=phone, president="Suresh Yadav"))


async def test_a_token_is_made_once_fits_a_start_parameter_and_names_no_one(session: AsyncSession) -> None:
    president = await _president(session)

    token = await invite_token(session, president.id)
    again = await invite_token(session, president.id)
    other = await invite_token(session, (await _president(session, "+919700007002")).id)

    assert token == again != other
    assert START_PARAMETER.match(token) and START_PARAMETER.match(other)
    assert "Suresh" not in token and "7001" not in token and str(president.id) != token
    await session.refresh(president)
    assert president.invite_token == token


async def test_a_token_leads_to_its_active_president_and_nowhere_else(session: AsyncSession) -> None:
    president = await _president(session)
    token = await invite_token(session, president.id)

    found = await president_for_token(session, token)
    wrong = await president_for_token(session, token[:-1] + ("A" if token[-1] != "A" else "B"))
    odd = await president_for_token(session, "नमस्ते")
    empty = await president_for_token(session, "")
    president.active = False
    await session.flush()
    stale = await president_for_token(session, token)

    assert found is president
    assert (wrong, odd, empty, stale) == (None, None, None, None)


async def test_a_revoked_token_leads_nowhere_and_a_new_one_is_made_later(session: AsyncSession) -> None:
    president = await _president(session)
    token = await invite_token(session, president.id)

    await revoke_invite(session, president.id)
    revoked = await president_for_token(session, token)
    fresh = await invite_token(session, president.id)

    assert revoked is None
    assert fresh != token
    assert await president_for_token(session, fresh) is president


async def test_the_invited_president_registers_with_their_own_roster_number_and_it_is_audited(
        session: AsyncSession) -> None:
    president = await _president(session)
    token = await invite_token(session, president.id)

    registered = await register_by_invite(session, token=token, telegram_user_id=81, contact_user_id=81,
                                          phone="097000-07001", language="hi", now=NOW)

    assert registered is president
    assert (president.telegram_user_id, president.registered_at, president.language) == (81, NOW, "hi")
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "registered"))).scalar_one()
    assert (audit.subject, audit.detail) == (f"booth_president:{president.id}", {"via": "invite"})


@pytest.mark.parametrize("phone, contact_user_id, error", [
    ("+919700007002", 82, InviteNumberMismatch),  # another booth president's number
    ("+919811111111", 82, InviteNumberMismatch),  # a number on no roster
    ("12345", 82, InviteNumberMismatch),  # not a mobile number at all
    ("+919700007001", 99, NotOwnContact),  # the right number, but someone else's contact
])
async def test_anything_but_the_own_roster_number_registers_no_one(
        session: AsyncSession, phone: str, contact_user_id: int, error: type[Exception]) -> None:
    president = await _president(session)
    other = await _president(session, "+919700007002")
    token = await invite_token(session, president.id)

    with pytest.raises(error):
        await register_by_invite(session, token=token, telegram_user_id=82, contact_user_id=contact_user_id,
                                 phone=phone, language="hi", now=NOW)

    assert (president.telegram_user_id, other.telegram_user_id) == (None, None)
    assert (await session.execute(select(AuditEntry))).first() is None


async def test_a_revoked_token_registers_no_one_even_with_the_right_number(session: AsyncSession) -> None:
    president = await _president(session)
    token = await invite_token(session, president.id)
    await revoke_invite(session, president.id)

    with pytest.raises(InvalidInvite):
        await register_by_invite(session, token=token, telegram_user_id=83, contact_user_id=83,
                                 phone="+919700007001", language="hi", now=NOW)

    assert president.telegram_user_id is None
