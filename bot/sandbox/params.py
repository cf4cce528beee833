"""A Bot API call as the sandbox's method handlers receive it, and the readings of its parameters."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError
from bot.sandbox.spec import UploadedFile

__all__ = ["ApiRequest", "Handler", "as_bool", "as_int", "as_json"]


@dataclass
class ApiRequest:
    """One Bot API call for a method handler: its method, its (decoded) parameters and its uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]


Handler = Callable[[ApiRequest], Awaitable[Any]]


def as_int(value: Any, name: str) -> int:
    """A parameter as a whole number; a 400 answer as Telegram gives when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name}") from None


def as_json(value: Any) -> Any:
    """Objects arrive JSON-encoded when the spec is absent (and thus nothing was decoded)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
    return value


def as_bool(value: Any) -> bool:
    """A parameter as a boolean: true as JSON or as the text ``true`` of a form."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
