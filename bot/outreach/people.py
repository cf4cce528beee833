"""Users of the bot: office-bearers (and booth presidents, for back-checks) registering by phone, and language."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.audit import AuditAction, record
from bot.errors import DomainError, LeaveDateOutOfRange, NotACaller, NotOwnContact, UnknownNumber
from bot.outreach.invites import president_for_token
from bot.phones import InvalidPhone, normalise_mobile
from models import CALLER_ROLES, BoothPresident, OfficeBearer

MAX_LEAVE_DAYS = 90


class InvalidInvite(DomainError):
    """An invitation link whose token is wrong, revoked, or of a booth president no longer on the roster."""

    key = "reach.invite.invalid"


class InviteNumberMismatch(DomainError):
    """The number shared after opening an invitation is not the roster number of the booth's president."""

    key = "reach.invite.wrong_number"


async def register(session: AsyncSession, *, telegram_user_id: int, contact_user_id: int | None,
                   phone: str, now: datetime) -> OfficeBearer | BoothPresident:
    """Link a Telegram account to the office-bearer, or else the booth president, whose roster phone it shared.

    Only the sender's own contact counts; an unknown or inactive number is refused. The office-bearer roster
    is matched first. Registering again clears an earlier "unreachable" mark, since the person has evidently
    started the bot. A booth president registers only to be asked about calls made to them (back-checks).
    """
    if contact_user_id != telegram_user_id:
        raise NotOwnContact()
    try:
        e164 = normalise_mobile(phone)
    except InvalidPhone:
        raise UnknownNumber() from None
    person = (await session.execute(
        select(OfficeBearer).where(OfficeBearer.phone == e164, OfficeBearer.active))).scalar_one_or_none()
    if person is None:
        return await _register_booth_president(session, telegram_user_id=telegram_user_id, phone=e164, now=now)
    await session.execute(update(OfficeBearer).where(
        OfficeBearer.telegram_user_id == telegram_user_id, OfficeBearer.id != person.id)
        .values(telegram_user_id=None))
    person.telegram_user_id = telegram_user_id
    person.registered_at = person.registered_at or now
    person.unreachable_since = None
    person.unreachable_reason = None
    record(session, AuditAction.registered, at=now, actor_id=person.id, actor_label="telegram",
           subject=f"office_bearer:{person.id}")
    await session.flush()
    return person


async def invited_president(session: AsyncSession, token: str) -> BoothPresident:
    """The active booth president an invitation link was made for; `InvalidInvite` for any other token."""
    president = await president_for_token(session, token)
    if president is None:
        raise InvalidInvite()
    return president


async def register_by_invite(session: AsyncSession, *, token: str, telegram_user_id: int,
                             contact_user_id: int | None, phone: str, language: str | None,
                             now: datetime) -> BoothPresident:
    """Register the booth president who opened their invitation link and shared their own contact.

    The token must still lead to the booth's active president, the contact must be the sender's own, and its
    number must be that president's roster number; then they are registered exactly as by a shared number
    (the audit entry says it came through the invitation). Anything else is refused and nothing is stored.
    """
    president = await invited_president(session, token)
    if contact_user_id != telegram_user_id:
        raise NotOwnContact()
    try:
        e164 = normalise_mobile(phone)
    except InvalidPhone:
        raise InviteNumberMismatch() from None
    if e164 != president.phone:
        raise InviteNumberMismatch()
    return await _register_booth_president(session, telegram_user_id=telegram_user_id, phone=e164, now=now,
                                           language=language, detail={"via": "invite"})


async def _register_booth_president(session: AsyncSession, *, telegram_user_id: int, phone: str,
                                    now: datetime, language: str | None = None,
                                    detail: dict[str, object] | None = None) -> BoothPresident:
    """Link a Telegram account to the active booth president with this E.164 phone, or refuse the number.

    `language` is kept unless they already chose one; `detail` goes into the audit entry.
    """
    president = (await session.execute(
        select(BoothPresident).where(BoothPresident.phone == phone, BoothPresident.active))).scalar_one_or_none()
    if president is None:
        raise UnknownNumber()
    await session.execute(update(BoothPresident).where(
        BoothPresident.telegram_user_id == telegram_user_id, BoothPresident.id != president.id)
        .values(telegram_user_id=None))
    president.telegram_user_id = telegram_user_id
    president.registered_at = president.registered_at or now
    president.language = president.language or language
    record(session, AuditAction.registered, at=now, actor_label="telegram", subject=f"booth_president:{president.id}",
           detail=detail)
    await session.flush()
    return president


async def find_booth_president(session: AsyncSession, telegram_user_id: int) -> BoothPresident | None:
    """The active booth president registered with this Telegram account, if any."""
    return (await session.execute(
        select(BoothPresident).where(BoothPresident.telegram_user_id == telegram_user_id,
                                     BoothPresident.active))).scalar_one_or_none()


async def find_user(session: AsyncSession, telegram_user_id: int) -> OfficeBearer | None:
    """The active, registered office-bearer behind a Telegram account, with their districts loaded."""
    return (await session.execute(
        select(OfficeBearer).options(selectinload(OfficeBearer.districts))
        .where(OfficeBearer.telegram_user_id == telegram_user_id, OfficeBearer.active))).scalar_one_or_none()


async def mark_reachable(session: AsyncSession, person: OfficeBearer) -> None:
    """Forget an earlier delivery failure: the person is talking to the bot again."""
    person.unreachable_since = None
    person.unreachable_reason = None
    await session.flush()


async def set_language(session: AsyncSession, person: OfficeBearer, language: str) -> None:
    """Remember the language a person chose for everything the bot says to them."""
    person.language = language
    await session.flush()


async def pause_calls(session: AsyncSession, person: OfficeBearer, *, until: date, today: date, now: datetime,
                      actor: str) -> None:
    """Put a caller on leave: no contacts up to and including `until`; their booths go to others meanwhile.

    `actor` says who asked (the person themselves, or the admin) for the audit trail.
    """
    if person.role not in CALLER_ROLES:
        raise NotACaller()
    if not today <= until <= today + timedelta(days=MAX_LEAVE_DAYS):
        raise LeaveDateOutOfRange(days=MAX_LEAVE_DAYS)
    person.paused_until = until
    record(session, AuditAction.paused, at=now, actor_id=person.id if actor == "self" else None, actor_label=actor,
           subject=f"office_bearer:{person.id}", detail={"until": until.isoformat()})
    await session.flush()


async def resume_calls(session: AsyncSession, person: OfficeBearer, *, now: datetime, actor: str) -> bool:
    """End a leave early; contacts come again from the next push. False if there was no leave to end."""
    if person.paused_until is None:
        return False
    person.paused_until = None
    record(session, AuditAction.resumed, at=now, actor_id=person.id if actor == "self" else None, actor_label=actor,
           subject=f"office_bearer:{person.id}")
    await session.flush()
    return True
