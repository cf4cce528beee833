"""Invitation links: the token a booth president's `t.me/<bot>?start=<token>` link carries.

The caller's WhatsApp message to a booth president carries the bot's link with this token, so that the booth
president can join the bot (and answer back-checks) without finding it on their own. The token is random
(`secrets.token_urlsafe`: only A-Z, a-z, 0-9, `_` and `-`, as Telegram's start parameter allows), names no one
in clear text, and leads only to the active booth president it was made for; revoking it (or a new roster)
makes a later link carry a new one.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import BoothPresident

TOKEN_BYTES = 18
"""Random bytes in a token: 24 URL-safe characters, well inside the column's 32 and Telegram's 64."""


def new_token() -> str:
    """A fresh unguessable token of URL-safe characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(text: str) -> bool:
    """Whether `text` could be a token at all (shape only), before the database is asked."""
    return 0 < len(text) <= 32 and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in text)


async def invite_token(session: AsyncSession, president_id: int) -> str:
    """The booth president's invitation token, made and stored the first time it is asked for."""
    president = await session.get_one(BoothPresident, president_id)
    if president.invite_token is None:
        president.invite_token = new_token()
        await session.flush()
    return president.invite_token


async def revoke_invite(session: AsyncSession, president_id: int) -> None:
    """Forget the booth president's token: the link already sent leads nowhere, a later one gets a new token."""
    president = await session.get_one(BoothPresident, president_id)
    president.invite_token = None
    await session.flush()


async def president_for_token(session: AsyncSession, token: str) -> BoothPresident | None:
    """The active booth president this token was made for, or None for a wrong, revoked or stale token."""
    if not looks_like_token(token):
        return None
    return (await session.execute(
        select(BoothPresident).where(BoothPresident.invite_token == token, BoothPresident.active))
    ).scalar_one_or_none()
