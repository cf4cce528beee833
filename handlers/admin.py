"""The IT cell's commands: `/people`, `/deactivate`, `/fixnumber`, `/resend` and `/audit` (admins only).

Everyone else gets the polite "not for your role" and nothing of the roster. Deactivation asks for a
confirmation button; the button is checked again (role and person) when pressed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.errors import DomainError
from bot.i18n import translate
from bot.outreach import admin
from bot.outreach.delivery import PermanentFailure, TemporaryFailure, Unreachable
from handlers import callbacks as cb
from handlers.channel import channel_for
from handlers.context import Context, answer, language_for, registered
from handlers.texts.admin import audit_text, render_people
from models import OfficeBearer


def _refusal(language: str, exc: DomainError) -> str:
    """The text of a domain error, with what the admin typed (echoed in some of them) escaped."""
    return translate(language, exc.key, **{k: html.escape(str(v)) for k, v in exc.params.items()})


def _people_args(args: Sequence[str]) -> tuple[admin.PeopleKind, int] | None:
    if not 1 <= len(args) <= 2 or args[0] not in admin.PeopleKind.__members__:
        return None
    if len(args) == 2 and not args[1].isdigit():
        return None
    return admin.PeopleKind(args[0]), int(args[1]) if len(args) == 2 else 1


@registered
async def people(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """`/people unreachable|unregistered [page]`: who the morning message does not reach, or who never started."""
    language = language_for(context, person)
    try:
        admin.require_admin(person)
    except DomainError as exc:
        await answer(update, _refusal(language, exc))
        return
    parsed = _people_args(context.args or [])
    if parsed is None:
        await answer(update, translate(language, "admin.people.usage"))
        return
    kind, page = parsed
    listed = await admin.list_people(session, person, kind=kind, page=page)
    await answer(update, render_people(language, listed, context.services.settings.outreach.zone))


def confirm_keyboard(language: str, person_id: int) -> InlineKeyboardMarkup:
    """Deactivate, or keep, the office-bearer named in the question."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(translate(language, "admin.deactivate.yes"),
                             callback_data=cb.build(cb.ADMIN, cb.DEACTIVATE, person_id)),
        InlineKeyboardButton(translate(language, "admin.deactivate.no"),
                             callback_data=cb.build(cb.ADMIN, cb.KEEP, person_id)),
    ]])


async def _person_by_phone(update: Update, context: Context, session: AsyncSession, person: OfficeBearer,
                           usage: str) -> OfficeBearer | None:
    """The office-bearer whose phone the command names; replies with the refusal or usage and returns None."""
    language = language_for(context, person)
    try:
        admin.require_admin(person)
        if not context.args:
            await answer(update, translate(language, usage))
            return None
        return await admin.office_bearer_by_phone(session, person, " ".join(context.args))
    except DomainError as exc:
        await answer(update, _refusal(language, exc))
        return None


@registered
async def deactivate(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """`/deactivate <phone>`: ask to confirm taking this office-bearer's access away."""
    target = await _person_by_phone(update, context, session, person, "admin.deactivate.usage")
    if target is None:
        return
    language = language_for(context, person)
    await answer(update, translate(language, "admin.deactivate.confirm", name=html.escape(target.name),
                                   role=translate(language, f"role.{target.role.value}")),
                 reply_markup=confirm_keyboard(language, target.id))


@registered
async def deactivate_pressed(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The confirmation buttons: deactivate at once (admins only), or leave the person as they are."""
    query = update.callback_query
    assert query is not None
    language, svc = language_for(context, person), context.services
    parsed = cb.parse(query.data)
    assert parsed is not None
    try:
        admin.require_admin(person)
        if parsed.action == cb.KEEP:
            await query.answer()
            await query.edit_message_text(translate(language, "admin.deactivate.kept"))
            return
        target = await session.get(OfficeBearer, parsed.record_id)
        released = await admin.deactivate(session, person, parsed.record_id, day=svc.today(), now=svc.clock())
    except DomainError as exc:
        await query.answer(translate(language, exc.key), show_alert=True)
        return
    await session.commit()
    await query.answer()
    assert target is not None
    await query.edit_message_text(translate(language, "admin.deactivate.done", name=html.escape(target.name),
                                            released=released), parse_mode=ParseMode.HTML)


@registered
async def fix_number(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """`/fixnumber <assembly no> <booth no> <new phone>`: correct a booth president's number."""
    language, svc = language_for(context, person), context.services
    args = context.args or []
    try:
        admin.require_admin(person)
        if len(args) < 3 or not (args[0].isdigit() and args[1].isdigit()):
            await answer(update, translate(language, "admin.fixnumber.usage"))
            return
        president = await admin.fix_number(session, person, assembly_no=int(args[0]), booth_no=int(args[1]),
                                           phone=" ".join(args[2:]), now=svc.clock())
    except DomainError as exc:
        await answer(update, _refusal(language, exc))
        return
    await session.commit()
    await answer(update, translate(language, "admin.fixnumber.done", name=html.escape(president.name),
                                   assembly_no=args[0], booth_no=args[1]))


@registered
async def resend(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """`/resend <phone>`: today's morning message again to one office-bearer, recorded in the audit log."""
    target = await _person_by_phone(update, context, session, person, "admin.resend.usage")
    if target is None:
        return
    language, svc = language_for(context, person), context.services
    try:
        message = await admin.resend_contacts(session, person, target, day=svc.today(), now=svc.clock())
    except DomainError as exc:
        await answer(update, _refusal(language, exc))
        return
    await session.commit()
    try:
        await channel_for(context.bot, svc.settings).send_morning(message)
    except (Unreachable, PermanentFailure, TemporaryFailure):
        await answer(update, translate(language, "admin.resend.failed", name=html.escape(target.name)))
        return
    await answer(update, translate(language, "admin.resend.done", name=html.escape(target.name),
                                   count=len(message.contacts)))


@registered
async def audit(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """`/audit [N]`: the latest audit entries — when, who, what, on which record (no phone numbers)."""
    language = language_for(context, person)
    args = context.args or []
    limit = int(args[0]) if args and args[0].isdigit() else 20
    try:
        entries = await admin.latest_audit(session, person, limit=limit)
    except DomainError as exc:
        await answer(update, _refusal(language, exc))
        return
    if not entries:
        await answer(update, translate(language, "admin.audit.empty"))
        return
    await answer(update, audit_text(language, entries, context.services.settings.outreach.zone))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add the admin commands (private chats only) and the deactivation buttons."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("people", people, filters=private))
    app.add_handler(CommandHandler("deactivate", deactivate, filters=private))
    app.add_handler(CommandHandler("fixnumber", fix_number, filters=private))
    app.add_handler(CommandHandler("resend", resend, filters=private))
    app.add_handler(CommandHandler("audit", audit, filters=private))
    app.add_handler(CallbackQueryHandler(deactivate_pressed, pattern=cb.pattern(cb.ADMIN, cb.DEACTIVATE, cb.KEEP)))
