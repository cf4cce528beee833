"""`/needs` (or `/needs 172 45` for one booth): the needs a district in-charge, the secretary or an admin
follows up, oldest first, a page at a time, with buttons to mark each in progress or resolved, or reopen it.

Callback data (ASCII, through `handlers.callbacks`):
`nd:pg:<booth id, 0 for all>:<page>` turns the page, `nd:bo:<booth id>` opens a booth's needs from the booth
view, and `nd:<seen><to>:<need id>:<booth id>.<page>` changes a need from the status on screen to another,
then shows the same page again. `nd:ra:<need id>:<booth id>.<page>` asks whom to hand a need to (its owner,
the secretary and admins see that button), and `nd:gv:<need id>:<to>.<seen owner>.<booth id>.<page>` hands
it over. A button whose need has changed since is stale; one for a need outside the person's districts is
refused.

A need resolved here is told, once, to the booth's president if they use the bot; the daily escalation job
tells the organisation secretaries of needs past their due day.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import needs_scope, sees_every_district
from bot.db import session_scope
from bot.errors import DomainError
from bot.i18n import translate
from bot.outreach.delivery import PermanentFailure, TemporaryFailure, Unreachable, note_unreachable
from bot.review.booths import find_booth
from bot.review.needs import (
    PAGE_SIZE,
    Handover,
    NeedItem,
    NeedsPage,
    ResolutionNotice,
    change_need_status,
    claim_resolution_notice,
    escalate_overdue,
    handover_choices,
    list_needs,
    reassign_need,
    release_escalation,
)
from handlers import callbacks as cb
from handlers.booth import parse_booth_ref
from handlers.callbacks import HandTo, ListRef
from handlers.channel import channel_for, show_in_place
from handlers.context import Context, Services, answer, language_for, registered
from handlers.texts.needs import (
    change_notice,
    escalation_text,
    handover_notice,
    handover_text,
    owner_label,
    render_needs,
    resolved_notice_text,
)
from models import NeedStatus, OfficeBearer

log = logging.getLogger(__name__)

BUTTON_KEYS = {NeedStatus.in_progress: "needs.button.in_progress", NeedStatus.resolved: "needs.button.resolved",
               NeedStatus.open: "needs.button.reopen"}
"""The label of a status button, by the status it changes a need to."""


def _status_button(language: str, code: str, need_id: int, n: int, ref: ListRef) -> InlineKeyboardButton:
    return InlineKeyboardButton(translate(language, BUTTON_KEYS[cb.NEED_STATUS_CHANGES[code][1]], n=n),
                                callback_data=cb.build(cb.NEEDS, code, need_id, ref.code()))


def needs_keyboard(language: str, page: NeedsPage, *, resolved: NeedItem | None = None,
                   person: OfficeBearer | None = None) -> InlineKeyboardMarkup | None:
    """One row per need (start work or reopen, and resolve) and, below it, a handover button where `person`
    may hand the need over (its owner, the secretary, an admin); a reopen button for a need just resolved,
    and the page buttons; None when there is nothing to press."""
    ref = ListRef(page.booth.id if page.booth else None, page.page)
    rows = []
    if resolved is not None:
        reopen = cb.status_change(NeedStatus.resolved, NeedStatus.open)
        rows.append([InlineKeyboardButton(translate(language, "needs.button.undo"),
                                          callback_data=cb.build(cb.NEEDS, reopen, resolved.id, ref.code()))])
    for n, item in enumerate(page.items, start=page.page * PAGE_SIZE + 1):
        start_or_reopen = NeedStatus.in_progress if item.status is NeedStatus.open else NeedStatus.open
        rows.append([_status_button(language, cb.status_change(item.status, start_or_reopen), item.id, n, ref),
                     _status_button(language, cb.status_change(item.status, NeedStatus.resolved), item.id, n, ref)])
        if person is not None and (sees_every_district(person) or item.owner_id == person.id):
            rows.append([InlineKeyboardButton(translate(language, "needs.button.handover", n=n),
                                              callback_data=cb.build(cb.NEEDS, cb.HANDOVER, item.id, ref.code()))])
    turns = []
    if page.page > 0:
        turns.append(_page_button(language, "needs.button.previous", ListRef(ref.booth_id, page.page - 1)))
    if page.page < page.pages - 1:
        turns.append(_page_button(language, "needs.button.next", ListRef(ref.booth_id, page.page + 1)))
    if turns:
        rows.append(turns)
    return InlineKeyboardMarkup(rows) if rows else None


def _page_button(language: str, key: str, target: ListRef) -> InlineKeyboardButton:
    return InlineKeyboardButton(translate(language, key),
                                callback_data=cb.build(cb.NEEDS, cb.PAGE, target.booth_id or 0, str(target.page)))


def handover_keyboard(language: str, handover: Handover, ref: ListRef) -> InlineKeyboardMarkup:
    """One button per person the need may go to (the secretary's queue last), and one back to the list."""
    need = handover.need
    rows = [[InlineKeyboardButton(
        translate(language, "needs.handover.to", name=target.name if target.name is not None
                  else owner_label(language, None)),
        callback_data=cb.build(cb.NEEDS, cb.HAND_TO, need.id, HandTo(target.id, need.owner_id, ref).code()))]
        for target in handover.targets]
    rows.append([_page_button(language, "needs.handover.back", ref)])
    return InlineKeyboardMarkup(rows)


@registered
async def needs(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The needs the person follows up, or with `172 45` those of one booth."""
    language, svc = language_for(context, person), context.services
    args = context.args or []
    ref = parse_booth_ref(args) if args else None
    if args and ref is None:
        await answer(update, translate(language, "needs.usage"))
        return
    try:
        booth_id = None
        if ref is not None:
            booth_id = (await find_booth(session, needs_scope(person), assembly_no=ref[0], booth_no=ref[1])).id
        page = await list_needs(session, person, booth_id=booth_id)
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    await answer(update, render_needs(language, page, today=svc.today(), zone=svc.settings.outreach.zone),
                 reply_markup=needs_keyboard(language, page, person=person))


@registered
async def pressed(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A button of a needs list or of a booth view: turn the page, open a booth's needs, or change a status."""
    query = update.callback_query
    assert query
    language, svc = language_for(context, person), context.services
    parsed = cb.parse(query.data)
    ref = cb.needs_list_of(parsed) if parsed else None
    if parsed is None or ref is None:
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return
    if parsed.action == cb.HANDOVER:
        await _ask_handover(query, language, session, person, parsed.record_id, ref)
        return
    notice, changed, told = None, None, None
    try:
        if parsed.action in cb.NEED_STATUS_CHANGES:
            seen, to = cb.NEED_STATUS_CHANGES[parsed.action]
            changed = await change_need_status(session, person, need_id=parsed.record_id, seen=seen, to=to,
                                               now=svc.clock())
            notice = change_notice(language, changed, to)
            if to is NeedStatus.resolved:
                told = await claim_resolution_notice(session, need_id=changed.id, now=svc.clock(),
                                                     default_language=svc.settings.outreach.default_language)
        elif parsed.action == cb.HAND_TO:
            hand_to = HandTo.decode(parsed.value)
            assert hand_to is not None  # needs_list_of decoded it already
            handed = await reassign_need(session, person, need_id=parsed.record_id,
                                         seen_owner_id=hand_to.seen_owner_id, to_owner_id=hand_to.to_owner_id,
                                         now=svc.clock())
            notice = handover_notice(language, handed)
        page = await list_needs(session, person, booth_id=ref.booth_id, page=ref.page)
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **exc.params), show_alert=True)
        return
    await session.commit()
    await query.answer()
    text = render_needs(language, page, today=svc.today(), zone=svc.settings.outreach.zone, notice=notice)
    markup = needs_keyboard(language, page, resolved=changed if changed and changed.status is NeedStatus.resolved
                            else None, person=person)
    if parsed.action == cb.OPEN_BOOTH_NEEDS:
        await answer(update, text, reply_markup=markup)
    else:
        await show_in_place(query, text, markup)
    if told is not None:
        await tell_president(context.bot, svc, told)


async def _ask_handover(query: CallbackQuery, language: str, session: AsyncSession, person: OfficeBearer,
                        need_id: int, ref: ListRef) -> None:
    """Put the question whom to hand the need to on the list's message, with a button per person."""
    try:
        handover = await handover_choices(session, person, need_id=need_id)
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **exc.params), show_alert=True)
        return
    await query.answer()
    await show_in_place(query, handover_text(language, handover), handover_keyboard(language, handover, ref))


async def tell_president(bot: Bot, svc: Services, notice: ResolutionNotice) -> None:
    """Tell a booth president their booth's need was met; a failure is logged, never raised (the need stays
    resolved, and they are not told twice)."""
    try:
        await channel_for(bot, svc.settings).send_text(notice.chat_id, resolved_notice_text(notice))
    except (Unreachable, PermanentFailure, TemporaryFailure) as exc:
        log.warning("resolved-need notice to a booth president not sent: %s", type(exc).__name__)


async def send_escalations(bot: Bot, svc: Services) -> int:
    """Escalate the needs past their due day (claimed once, committed) and send each organisation secretary
    one message listing them; a secretary who cannot be messaged is marked unreachable, as the digests do.
    Returns how many secretaries were told."""
    async with session_scope(svc.sessions) as session:
        escalation = await escalate_overdue(session, today=svc.today(), now=svc.clock(),
                                            default_language=svc.settings.outreach.default_language)
    if escalation is None:
        return 0
    channel = channel_for(bot, svc.settings)
    sent = 0
    for recipient in escalation.recipients:
        try:
            await channel.send_text(recipient.chat_id, escalation_text(recipient.language, escalation.needs))
        except Unreachable as exc:
            log.warning("need escalation to office-bearer %d not sent: %s", recipient.office_bearer_id, exc.reason)
            await note_unreachable(svc.sessions, recipient.office_bearer_id, exc.reason, svc.clock())
            continue
        except (PermanentFailure, TemporaryFailure) as exc:
            log.warning("need escalation to office-bearer %d not sent: %s", recipient.office_bearer_id,
                        type(exc).__name__)
            continue
        sent += 1
    if not sent:  # nobody was told: the needs are not escalated, and tomorrow's run tries again
        async with session_scope(svc.sessions) as session:
            await release_escalation(session, need_ids=[overdue.need.id for overdue in escalation.needs])
    log.info("%d overdue needs escalated to %d secretaries", len(escalation.needs), sent)
    return sent


async def escalation_job(context: Context) -> None:
    """The daily job: needs past their due day, to the organisation secretaries."""
    await send_escalations(context.bot, context.services)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/needs` (private chats only) and the buttons of its lists."""
    app.add_handler(CommandHandler("needs", needs, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{cb.NEEDS}:"))
