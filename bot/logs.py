"""Logging set-up that keeps secrets and personal data out of the logs.

httpx logs every request URL, and Telegram's URLs contain the bot token: it is held at WARNING. As a
second line of defence every record passes a filter that redacts anything shaped like a bot token and
masks Indian mobile numbers, also as the bot writes them (`+91 98765 43210`).
"""

from __future__ import annotations

import logging
import re

TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{10,}")
PHONE_PATTERN = re.compile(r"(?<!\d)(\+?91[\s-]?)?([6-9]\d)(\d{3}[\s-]?\d{3})(\d{2})(?!\d)")


def redact(text: str) -> str:
    """The text with bot tokens removed and mobile numbers masked (`+91 98xxxxxx10`)."""
    text = TOKEN_PATTERN.sub("<token>", text)
    return PHONE_PATTERN.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}xxxxxx{m.group(4)}", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through `redact` before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message (arguments included) in place; never drops a record."""
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr, quiet the HTTP client loggers and redact every record."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
