"""How the sandbox refuses a request: Telegram's error answers, and a connection dropped without one."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["ApiError", "ConnectionDropped"]


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description and, for 429, ``retry_after`` seconds."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends with such an error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class ConnectionDropped(httpx.RemoteProtocolError):
    """The sandbox hung up without an answer (see ``FakeTelegram.drop_next``); the client sees it as this error."""
