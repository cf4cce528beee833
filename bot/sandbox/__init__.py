"""A local Telegram Bot API emulator for tests and ``samvad demo``: the real bot talks to it over HTTP.

See ``FakeTelegram`` for the server and test helpers, and ``load_spec``/``validate_request`` for the
checks against the Bot API specification.
"""

from bot.sandbox.chats import (
    ApiCall,
    CallbackQueryRecord,
    FakeChat,
    FakeMessage,
    MessageVersion,
    StoredFile,
    UpdateTiming,
)
from bot.sandbox.errors import ApiError
from bot.sandbox.html import FormattedText, HtmlError, parse_html
from bot.sandbox.server import FakeTelegram
from bot.sandbox.spec import BotApiSpec, UploadedFile, decode_params, load_spec, validate_request
from bot.sandbox.state import WebhookConfig
from bot.sandbox.users import FakeUser

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiSpec",
    "CallbackQueryRecord",
    "FakeChat",
    "FakeMessage",
    "FakeTelegram",
    "FakeUser",
    "FormattedText",
    "HtmlError",
    "MessageVersion",
    "StoredFile",
    "UpdateTiming",
    "UploadedFile",
    "WebhookConfig",
    "decode_params",
    "load_spec",
    "parse_html",
    "validate_request",
]
