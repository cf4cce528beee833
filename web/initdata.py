"""Telegram Mini App init data: checked exactly as Telegram documents it ("Validating data received via the
Mini App"), and built the same way for tests.

The data-check-string is every field but `hash`, sorted by key, each written `key=value` and joined by
newlines; the secret key is HMAC-SHA256 of the bot token keyed with the constant "WebAppData"; the data is
genuine when the hex HMAC-SHA256 of the data-check-string under that secret key equals `hash`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

WEB_APP_DATA = b"WebAppData"
FUTURE_SKEW = timedelta(minutes=5)
"""How far ahead of our clock an `auth_date` may be (clocks differ a little); more is refused."""


class InitDataInvalid(Exception):
    """The init data is missing, malformed, or was not signed with our bot's token."""


class InitDataExpired(InitDataInvalid):
    """The init data is genuine but older than allowed, or dated in the future."""


@dataclass(frozen=True)
class InitData:
    """Who opened the Mini App, as Telegram vouches for it."""

    user_id: int
    language_code: str | None
    auth_date: datetime


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(WEB_APP_DATA, bot_token.encode(), hashlib.sha256).digest()


def _data_check_string(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def _signature(fields: Mapping[str, str], bot_token: str) -> str:
    return hmac.new(_secret_key(bot_token), _data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def sign_init_data(fields: Mapping[str, str], bot_token: str) -> str:
    """Raw init data (a query string) holding `fields` and the `hash` Telegram would add for this bot token.

    Values are sent as given (`user` is a JSON text); any `hash` in `fields` is replaced.
    """
    unsigned = {key: value for key, value in fields.items() if key != "hash"}
    return urlencode({**unsigned, "hash": _signature(unsigned, bot_token)})


def validate_init_data(raw: str, bot_token: str, *, now: datetime, max_age: timedelta) -> InitData:
    """The user behind raw init data, if Telegram signed it for this bot no longer than `max_age` before `now`.

    Raises `InitDataInvalid` when it is missing, tampered with or malformed, `InitDataExpired` when it is too
    old or dated in the future beyond a small clock skew.
    """
    if not raw:
        raise InitDataInvalid("no init data")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataInvalid("init data is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataInvalid("a field is repeated")
    sent = fields.get("hash")
    if not sent:
        raise InitDataInvalid("no hash")
    if not hmac.compare_digest(_signature(fields, bot_token).encode(), sent.encode()):
        raise InitDataInvalid("the hash does not match")
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        raise InitDataInvalid("no valid auth_date") from None
    if auth_date > now + FUTURE_SKEW:
        raise InitDataExpired("auth_date is in the future")
    if now - auth_date > max_age:
        raise InitDataExpired("auth_date is too old")
    try:
        user = json.loads(fields["user"])
        user_id = user["id"]
    except (KeyError, ValueError, TypeError):
        raise InitDataInvalid("no valid user") from None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise InitDataInvalid("no valid user id")
    language = user.get("language_code")
    return InitData(user_id=user_id, language_code=language if isinstance(language, str) else None,
                    auth_date=auth_date)
