"""The sandbox Bot API server, exercised through the real python-telegram-bot stack."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import re
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox import FakeTelegram, FakeUser, load_spec, parse_html, validate_request
from bot.sandbox.html import HtmlError
from bot.sandbox.spec import BotApiSpec

TOKEN = "123:TEST"
SPEC = load_spec()
needs_spec = pytest.mark.skipif(SPEC is None, reason="../shared/telegram-bot-api/api.json is not available")


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A tiny valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row of callback buttons."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in pairs]])


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB settings."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def make_bot(fake: FakeTelegram) -> Bot:
    """A real PTB Bot talking to ``fake`` in-process."""
    return Bot(TOKEN, base_url=fake.base_url, request=fake.ptb_request(), get_updates_request=fake.ptb_request())


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A sandbox per test; the test fails if any request broke the Bot API spec and was not expected."""
    async with FakeTelegram(token=TOKEN, spec=SPEC) as server:
        yield server
        assert server.violations == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """An initialized PTB Bot wired to the sandbox."""
    async with make_bot(fake) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def asha(fake: FakeTelegram) -> FakeUser:
    """A user who has already started the bot."""
    return fake.add_user(user_id=1001, first_name="Asha", language_code="hi", started=True)


# --- round trips -------------------------------------------------------------------------------------------


async def test_message_round_trip_is_real_telegram_json(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.username, me.first_name, me.is_bot) == ("booth_samvad_bot", "Booth Samvad", True)

    user = fake.add_user(user_id=1001, first_name="Asha", last_name=None, language_code="hi")
    update = await user.send_text("/start")
    [received] = await bot.get_updates(timeout=0)
    assert received.update_id == update["update_id"] == fake.last_update_id
    assert [(r.method, r.status) for r in fake.requests] == [("getMe", 200), ("getMe", 200), ("getUpdates", 200)]
    assert received.message is not None and received.message.text == "/start"
    assert received.message.entities[0].type == "bot_command"
    assert received.effective_user is not None and received.effective_user.language_code == "hi"

    sent = await bot.send_message(
        1001,
        "<b>नमस्ते</b> Ram &amp; Shyam &lt;x&gt;",
        parse_mode="HTML",
        reply_markup=keyboard(("बात हुई", "rep:t:15"), ("नहीं", "rep:n:15")),
    )
    assert isinstance(sent, Message)
    assert sent.text == "नमस्ते Ram & Shyam <x>"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 6
    assert sent.from_user is not None and sent.from_user.id == 123
    assert sent.chat.type == "private" and sent.chat.first_name == "Asha"
    assert sent.reply_markup is not None and sent.reply_markup.inline_keyboard[0][0].callback_data == "rep:t:15"
    assert sent.message_id == 2  # message ids are per chat and count the user's /start

    message = user.last_message
    assert message is fake.sent[-1]
    assert (message.method, message.chat_id, message.parse_mode) == ("sendMessage", 1001, "HTML")
    assert message.text == "नमस्ते Ram & Shyam <x>"
    assert message.raw_text == "<b>नमस्ते</b> Ram &amp; Shyam &lt;x&gt;"
    assert message.buttons == [[("बात हुई", "rep:t:15"), ("नहीं", "rep:n:15")]]
    assert Message.de_json(message.to_api(fake.bot_user), bot) == sent
    assert "bot #2: नमस्ते Ram & Shyam <x>" in fake.transcript(1001)


async def test_long_poll_waits_for_an_update_and_offset_confirms(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await asha.send_text("hello")
    [update] = await asyncio.wait_for(poll, 3)  # the poll's own timeout is 5 s: the update woke it
    assert fake.pending_updates() != []  # fetched, not yet confirmed

    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert fake.pending_updates() == []

    empty_poll = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=1))
    await asyncio.sleep(0.05)
    assert not empty_poll.done()  # with nothing to deliver, the poll waits for its timeout
    assert await asyncio.wait_for(empty_poll, 10) == ()


async def test_limit_and_a_second_poller_gets_conflict(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    for text in ("one", "two", "three"):
        await asha.send_text(text)
    first_two = await bot.get_updates(limit=2)
    assert [u.message.text for u in first_two if u.message] == ["one", "two"]

    await bot.get_updates(offset=first_two[-1].update_id + 2)  # confirm all three
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
        await waiting


async def test_application_polling_handles_commands_and_buttons(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet with a button."""
        assert update.effective_message is not None
        await update.effective_message.reply_text("नमस्ते", reply_markup=keyboard(("बात हुई", "rep:t:15")))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Acknowledge the press and edit the message."""
        query = update.callback_query
        assert query is not None
        await query.answer("धन्यवाद")
        await query.edit_message_text(f"ठीक है: {query.data}")

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .request(fake.ptb_request())
        .get_updates_request(fake.ptb_request())
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    user = fake.add_user(user_id=1001, first_name="Asha", language_code="hi")

    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        await user.send_text("/start")
        greeting = await user.next_message(timeout=3)
        assert greeting.text == "नमस्ते"
        await user.press_label("बात")
        for _ in range(100):
            if greeting.edits:
                break
            await asyncio.sleep(0.01)
        assert greeting.text == "ठीक है: rep:t:15"
        assert greeting.buttons == []  # an edit without reply_markup removes the keyboard
        assert user.callback_answers == ["धन्यवाद"]
    finally:
        # stopping with a long poll open does not hang
        await asyncio.wait_for(application.updater.stop(), 5)
        await application.stop()
        await application.shutdown()
    assert fake.pending_updates() == []
    assert fake.unanswered_callback_queries() == []


async def test_serve_over_real_http(fake: FakeTelegram, asha: FakeUser) -> None:
    async with fake.serve(host="127.0.0.1", port=0) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        http_bot = Bot(TOKEN, base_url=base_url)
        await http_bot.initialize()
        poll = asyncio.create_task(http_bot.get_updates(timeout=5))
        await asha.send_text("over http")
        [update] = await asyncio.wait_for(poll, 2)
        assert update.message is not None and update.message.text == "over http"
        await http_bot.send_message(asha.user_id, "reply")
        # a long poll still open when the server stops is answered at once
        lingering = asyncio.create_task(http_bot.get_updates(offset=update.update_id + 1, timeout=30))
        await asyncio.sleep(0.05)
    try:
        assert await asyncio.wait_for(lingering, 10) == ()  # its own timeout is 30 s: the stop answered it
    finally:
        await http_bot.shutdown()
    assert asha.last_message.text == "reply"


# --- validation --------------------------------------------------------------------------------------------


@needs_spec
@pytest.mark.filterwarnings("ignore:Please use 'Bot.sendMessage'")
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda b: b.send_message(1001, "hi", api_kwargs={"bogus_field": 1}), "bogus_field: unknown field"),
        (lambda b: b.do_api_request("sendMessage", api_kwargs={"chat_id": 1001}), "text: required field is missing"),
        (
            lambda b: b.do_api_request(
                "sendMessage", api_kwargs={"chat_id": 1001, "text": "x", "protect_content": "yes"}
            ),
            "protect_content: expected Boolean",
        ),
        (
            lambda b: b.send_message(1001, "x", reply_markup=keyboard(("ok", "r" * 65))),
            "callback_data is 65 bytes",
        ),
        (
            # 30 characters, but 66 bytes: Devanagari takes 3 bytes a character
            lambda b: b.send_message(1001, "x", reply_markup=keyboard(("ok", "rep:बात नहीं हुई:फिर से कॉल:15"))),
            "callback_data is 66 bytes",
        ),
        (lambda b: b.send_message(1001, "Ram & Shyam", parse_mode="HTML"), "Character '&' at byte offset 4"),
        (lambda b: b.send_message(1001, "<b>Ram</b> <x>", parse_mode="HTML"), 'Unsupported start tag "x"'),
        (lambda b: b.send_message(1001, "a < b", parse_mode="HTML"), "Character '<'"),
        (lambda b: b.send_message(1001, "<b>open", parse_mode="HTML"), "Can't find end tag"),
        (lambda b: b.send_message(1001, "a" * 4097), "text has 4097 characters"),
        (lambda b: b.send_message(1001, "<b>  </b>", parse_mode="HTML"), "message text is empty"),
        (lambda b: b.send_message(1001, "x", parse_mode="HTML5"), "unsupported parse_mode"),
        (lambda b: b.send_chat_action(1001, "dancing"), "wrong parameter action"),
        (lambda b: b.set_my_commands([("Start", "x")]), "'Start' must be 1-32 characters"),
    ],
    ids=[
        "unknown-field",
        "missing-required-field",
        "wrong-type",
        "callback-data-65-bytes",
        "callback-data-devanagari",
        "html-bare-ampersand",
        "html-unknown-tag",
        "html-bare-less-than",
        "html-unclosed-tag",
        "text-4097-characters",
        "text-empty-after-parsing",
        "unknown-parse-mode",
        "unknown-chat-action",
        "bad-command-name",
    ],
)
async def test_spec_violations_are_answered_400_and_recorded(
    fake: FakeTelegram, bot: Bot, asha: FakeUser, call: Any, expected: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){re.escape(expected.split(':')[-1].strip())}"):
        await call(bot)
    assert len(fake.violations) >= 1 and expected in " | ".join(fake.violations), fake.violations
    assert fake.violations[0].split(":")[0] in {"sendMessage", "sendChatAction", "setMyCommands"}
    assert fake.sent == []
    fake.violations.clear()


async def test_unknown_method_is_404_and_a_violation(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert fake.violations == ["sendTelepathy: unknown method"]
    fake.violations.clear()


async def test_valid_html_and_boundaries_pass(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>"
        '<a href="https://wa.me/919876543210?text=a&amp;b">link</a><code>c</code>'
        '<pre><code class="language-python">p</code></pre><tg-spoiler>x</tg-spoiler>'
        '<span class="tg-spoiler">y</span><blockquote>q</blockquote><blockquote expandable>z</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &#2350; &#x915; &quot;'
    )
    message = await bot.send_message(asha.user_id, html, parse_mode="HTML")
    assert message.text is not None and message.text.startswith("bsieunskdlinkcp")
    await bot.send_message(asha.user_id, "<b>" + "म" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(asha.user_id, "x", reply_markup=keyboard(("ok", "r" * 64)))
    await bot.send_message(asha.user_id, "x", reply_markup=keyboard(("ok", "rep:बात हुई:15")))


@needs_spec
def test_validate_request_decodes_form_strings_and_checks_unions() -> None:
    spec = SPEC
    assert isinstance(spec, BotApiSpec)
    ok_markup = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]})
    assert validate_request(spec, "sendMessage", {"chat_id": "-100123", "text": "hi", "reply_markup": ok_markup}) == []
    assert validate_request(spec, "sendMessage", {"chat_id": "@channel", "text": '{"looks": "like json"}'}) == []
    assert validate_request(spec, "sendmessage", {"chat_id": 5, "text": "method names are case-insensitive"}) == []
    reply_keyboard = json.dumps(
        {"keyboard": [[{"text": "मेरा नंबर", "request_contact": True}]], "one_time_keyboard": True}
    )
    assert validate_request(spec, "sendMessage", {"chat_id": "1", "text": "x", "reply_markup": reply_keyboard}) == []

    assert validate_request(spec, "sendMessage", {"chat_id": "true", "text": "x", "reply_markup": "{oops"}) == [
        "reply_markup: expected InlineKeyboardMarkup or ReplyKeyboardMarkup or ReplyKeyboardRemove or ForceReply, "
        "got String '{oops'"
    ]
    no_action = json.dumps({"inline_keyboard": [[{"text": "a"}]]})
    [problem] = validate_request(spec, "sendMessage", {"chat_id": "1", "text": "x", "reply_markup": no_action})
    assert problem.startswith("reply_markup.inline_keyboard[0][0]: an inline button needs exactly one action field")
    scope = json.dumps({"type": "chat"})
    assert validate_request(spec, "setMyCommands", {"commands": "[]", "scope": scope}) == [
        "scope.chat_id: required field is missing"
    ]
    assert validate_request(spec, "setMyCommands", {"commands": "[]", "scope": '{"type": "everyone"}'})[0].startswith(
        "scope.type: 'everyone' is not one of"
    )
    assert validate_request(spec, "getUpdates", {"offset": "1.5"}) == ["offset: expected Integer, got String '1.5'"]
    assert validate_request(spec, "getMe", {"x": "1"}) == ["x: unknown field"]
    assert validate_request(spec, "noSuchMethod", {}) == ["unknown method 'noSuchMethod'"]


def test_parse_html_gives_text_and_utf16_entities() -> None:
    formatted = parse_html("😀 <b>बूथ</b> <a href='https://x.org/?a=1&amp;b=2'>link</a>")
    assert formatted.text == "😀 बूथ link"
    assert formatted.entities == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "text_link", "offset": 7, "length": 4, "url": "https://x.org/?a=1&b=2"},
    ]
    for bad in ("<b><i>x</b></i>", "x &nbsp; y", "</b>", "<span>x</span>", "<br/>", "a > b", "&#xD800;"):
        with pytest.raises(HtmlError):
            parse_html(bad)


def test_missing_spec_file_gives_none(tmp_path: Path) -> None:
    assert load_spec(tmp_path / "absent.json") is None


async def test_without_spec_the_server_still_works() -> None:
    async with FakeTelegram(token=TOKEN, spec=None, validate=False) as plain, make_bot(plain) as plain_bot:
        user = plain.add_user(user_id=7, first_name="Ravi", started=True)
        message = await plain_bot.send_message(7, "<i>hi</i>", parse_mode="HTML", reply_markup=keyboard(("a", "b")))
        assert message.text == "hi" and user.last_message.buttons == [[("a", "b")]]
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await plain_bot.send_message(7, "Ram & Shyam", parse_mode="HTML")
        assert plain.violations == []


# --- Telegram's errors -------------------------------------------------------------------------------------


async def test_blocked_and_never_started_chats_are_forbidden(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    await bot.send_message(asha.user_id, "one")
    asha.block()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(asha.user_id, "two")
    await asha.send_text("/start")  # writing to the bot again lifts the block, as on Telegram
    await bot.send_message(asha.user_id, "three")

    fake.add_user(user_id=2002, first_name="Bharat")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(2002, "hello")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(3003, "nobody")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-100999, "no such group")
    assert [m.text for m in asha.messages] == ["one", "three"]
    assert [call.status for call in fake.errors] == [403, 403, 403, 400]


async def test_fail_next_injects_retry_after_and_other_errors(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    fake.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(asha.user_id, "first try")
    assert seconds(caught.value.retry_after) == 7
    await bot.send_message(asha.user_id, "second try")

    fake.fail_next("sendMessage", status=502, description="Bad Gateway", count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(asha.user_id, "gateway")
    fake.fail_next("getMe", status=403)
    with pytest.raises(Forbidden):
        await bot.get_me()
    await bot.send_message(asha.user_id, "works again")
    assert [m.text for m in asha.messages] == ["second try", "works again"]


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("999:WRONG", base_url=fake.base_url, request=fake.ptb_request()):
            pass


async def test_rate_limits_answer_429() -> None:
    async with FakeTelegram(token=TOKEN, spec=SPEC, enforce_rate_limits=True) as limited, make_bot(limited) as b:
        limited.add_user(user_id=1001, first_name="Asha", started=True)
        for i in range(3):  # a small burst to one chat is tolerated
            await b.send_message(1001, f"burst {i}")
        with pytest.raises(RetryAfter) as caught:
            await b.send_message(1001, "one too many")
        assert seconds(caught.value.retry_after) >= 1

        for user_id in range(5000, 5027):  # 3 + 27 = 30 messages in this second
            limited.add_user(user_id=user_id, first_name=f"U{user_id}", started=True)
            await b.send_message(user_id, "hi")
        limited.add_user(user_id=6000, first_name="Late", started=True)
        with pytest.raises(RetryAfter):
            await b.send_message(6000, "the 31st message this second")
        assert limited.violations == []


# --- edits, deletes, presses -------------------------------------------------------------------------------


async def test_edit_history_and_message_not_modified(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    sent = await bot.send_message(
        asha.user_id, "<b>कॉल करें</b>", parse_mode="HTML", reply_markup=keyboard(("हो गया", "d:1"))
    )
    message = fake.message(asha.user_id, sent.message_id)

    edited = await bot.edit_message_text(
        "<b>कॉल करें</b> ✓",
        chat_id=asha.user_id,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard(("हो गया", "d:1")),
    )
    assert isinstance(edited, Message) and edited.text == "कॉल करें ✓" and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>कॉल करें</b> ✓",
            chat_id=asha.user_id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(("हो गया", "d:1")),
        )
    await bot.edit_message_reply_markup(chat_id=asha.user_id, message_id=sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(chat_id=asha.user_id, message_id=sent.message_id)

    assert [v.text for v in message.versions] == ["कॉल करें", "कॉल करें ✓", "कॉल करें ✓"]
    assert [v.reply_markup is None for v in message.edits] == [False, True]
    assert message.buttons == []
    with pytest.raises(AssertionError, match="no button with callback_data 'd:1'"):
        await asha.press("d:1")

    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=asha.user_id, message_id=999)
    assert await bot.delete_message(asha.user_id, sent.message_id) is True
    assert message.deleted and asha.messages == [] and fake.sent == [message]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(asha.user_id, sent.message_id)
    assert "bot deleted #" in fake.transcript(asha.user_id)


async def test_presses_on_specific_and_stale_messages(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    old = await bot.send_message(asha.user_id, "day 1", reply_markup=keyboard(("हाँ", "rep:t:15")))
    new = await bot.send_message(asha.user_id, "day 2", reply_markup=keyboard(("हाँ", "rep:t:15"), ("ना", "rep:n:16")))

    newest = await asha.press("rep:t:15")
    stale = await asha.press("rep:t:15", message_id=old.message_id)
    by_label = await asha.press_label("ना")
    updates = await bot.get_updates()
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [(q.id, q.data) for q in queries] == [(newest, "rep:t:15"), (stale, "rep:t:15"), (by_label, "rep:n:16")]
    assert [q.message.message_id for q in queries if q.message] == [new.message_id, old.message_id, new.message_id]

    await bot.answer_callback_query(newest, text="दर्ज हुआ")
    await bot.answer_callback_query(stale, text="पुराना बटन", show_alert=True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(stale)
    assert asha.callback_answers == ["दर्ज हुआ", "पुराना बटन"]
    assert [q.id for q in fake.unanswered_callback_queries()] == [by_label]
    with pytest.raises(AssertionError, match="no callback button labelled like 'zzz'"):
        await asha.press_label("zzz")


async def test_next_message_cursor_and_timeout(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    await bot.send_message(asha.user_id, "first")
    waiter = asyncio.create_task(asha.next_message(timeout=2))
    assert (await asyncio.wait_for(waiter, 1)).text == "first"
    later = asyncio.create_task(asha.next_message(timeout=2))
    await asyncio.sleep(0.02)
    await bot.send_message(asha.user_id, "second")
    assert (await later).text == "second"
    with pytest.raises(AssertionError, match=r"(?s)no new bot message.*bot #2: second"):
        await asha.next_message(timeout=0.05)


# --- other updates and files -------------------------------------------------------------------------------


async def test_contacts_photos_stickers_and_groups(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    await asha.share_contact("+919876543210")
    await asha.share_contact("919812345678", user_id=4242, first_name="Ram")
    await asha.send_photo(caption="booth")
    await asha.send_sticker()
    await fake.send_group_text(chat_id=-100123, user=asha, text="/summary@booth_samvad_bot")
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message]
    own, other, photo, sticker, group = messages
    assert own.contact is not None and (own.contact.user_id, own.contact.first_name) == (1001, "Asha")
    assert other.contact is not None and (other.contact.user_id, other.contact.phone_number) == (4242, "919812345678")
    assert photo.photo and photo.caption == "booth"
    assert sticker.sticker is not None and sticker.sticker.emoji == "👍"
    assert group.chat.type == "supergroup" and group.entities[0].type == "bot_command"

    await bot.send_message(-100123, "group reply")
    assert [m.text for m in fake.messages(-100123)] == ["group reply"]
    assert "Asha: [contact +919876543210]" in fake.transcript(asha.user_id)


async def test_documents_and_photos_keep_their_bytes(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    xlsx = b"PK\x03\x04 not really a workbook \r\n\x00\xff"
    sent = await bot.send_document(
        asha.user_id, io.BytesIO(xlsx), filename="रिपोर्ट.xlsx", caption="<b>आज</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "रिपोर्ट.xlsx"
    assert sent.caption == "आज" and sent.caption_entities[0].type == "bold"
    document = asha.last_message.document
    assert document is not None and document.data == xlsx and document.size == len(xlsx)
    assert document.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert asha.last_message.caption == "आज" and asha.last_message.text is None

    again = await bot.send_document(asha.user_id, sent.document.file_id)
    assert again.document is not None and again.document.file_unique_id == sent.document.file_unique_id

    chart = png_bytes(40, 30)
    photo_message = await bot.send_photo(asha.user_id, io.BytesIO(chart), filename="chart.png")
    assert [(p.width, p.height) for p in photo_message.photo] == [(40, 30)]
    photo = asha.last_message.photo
    assert photo is not None and photo.data == chart and photo.mime_type == "image/png"
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(asha.user_id, io.BytesIO(b"not an image"), filename="x.png")
    assert [m.method for m in fake.sent] == ["sendDocument", "sendDocument", "sendPhoto"]


async def test_json_bodies_and_commands(fake: FakeTelegram, bot: Bot, asha: FakeUser) -> None:
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://sandbox") as client:
        response = await client.get(f"/bot{TOKEN}/getMe")
        assert response.json()["result"]["username"] == "booth_samvad_bot"
        response = await client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": asha.user_id, "text": "json"})
        assert response.json()["result"]["text"] == "json"
        response = await client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": asha.user_id, "text": 5})
        assert response.status_code == 400 and response.json()["error_code"] == 400
    assert fake.violations == ["sendMessage: text: expected String, got Integer 5"]
    fake.violations.clear()

    await bot.set_my_commands([("start", "शुरू करें"), ("summary", "प्रगति")], language_code="hi")
    assert [c.command for c in await bot.get_my_commands(language_code="hi")] == ["start", "summary"]
    assert await bot.get_my_commands() == ()
    assert fake.commands_for(language_code="hi")[1] == {"command": "summary", "description": "प्रगति"}
    await bot.delete_my_commands(language_code="hi")
    assert await bot.get_my_commands(language_code="hi") == ()
    await bot.send_chat_action(asha.user_id, "typing")
    assert fake.chat_actions == [(asha.user_id, "typing")]


# --- webhooks ----------------------------------------------------------------------------------------------


async def test_webhook_delivery_with_secret_and_a_webhook_application() -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures_left = 1

    async def hook(request: Request) -> Response:
        """The bot's webhook endpoint (as in PTB's custom-webhook starlette example), failing once."""
        nonlocal failures_left
        if failures_left:
            failures_left -= 1
            return Response(status_code=500)
        data = await request.json()
        received.append((request.headers.get("x-telegram-bot-api-secret-token"), data))
        await application.update_queue.put(Update.de_json(data, application.bot))
        return Response()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Reply to /start."""
        assert update.effective_message is not None
        await update.effective_message.reply_text("webhook says hi")

    receiver = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    async with FakeTelegram(
        token=TOKEN, spec=SPEC, webhook_transport=httpx.ASGITransport(app=receiver), webhook_retry_delay=0.01
    ) as fake:
        application = (
            Application.builder()
            .token(TOKEN)
            .updater(None)
            .base_url(fake.base_url)
            .request(fake.ptb_request())
            .get_updates_request(fake.ptb_request())
            .build()
        )
        application.add_handler(CommandHandler("start", start))
        user = fake.add_user(user_id=1001, first_name="Asha")
        async with application:
            await application.start()
            await application.bot.set_webhook("https://bot.example/hook", secret_token="s3cret-token")
            info = await application.bot.get_webhook_info()
            assert info.url == "https://bot.example/hook"
            with pytest.raises(Conflict, match=r"(?i)webhook is active"):
                await application.bot.get_updates()

            await user.send_text("/start")
            assert (await user.next_message(timeout=3)).text == "webhook says hi"
            assert received[0][0] == "s3cret-token"
            assert received[0][1]["message"]["text"] == "/start"
            info = await application.bot.get_webhook_info()
            assert info.pending_update_count == 0
            assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

            await application.bot.delete_webhook()
            assert await application.bot.get_updates() == ()
            await application.stop()
        assert fake.violations == []


async def test_webhook_delivery_over_real_http() -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: Request) -> Response:
        """Record the delivery."""
        received.append((request.headers.get("x-telegram-bot-api-secret-token"), await request.json()))
        return Response()

    config = uvicorn.Config(Starlette(routes=[Route("/hook", hook, methods=["POST"])]), port=0, log_level="warning")
    receiver = uvicorn.Server(config)
    serving = asyncio.create_task(receiver.serve())
    while not receiver.started:
        await asyncio.sleep(0.01)
    port = receiver.servers[0].sockets[0].getsockname()[1]
    try:
        async with FakeTelegram(token=TOKEN, spec=SPEC) as fake, make_bot(fake) as b:
            user = fake.add_user(user_id=1001, first_name="Asha")
            await b.set_webhook(f"http://127.0.0.1:{port}/hook")
            update = await user.send_text("hi")
            for _ in range(200):
                if not fake.pending_updates():
                    break
                await asyncio.sleep(0.01)
            assert received == [(None, update)]
            assert fake.violations == []
    finally:
        receiver.should_exit = True
        await serving
