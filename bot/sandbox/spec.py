"""The Telegram Bot API specification (``api.json``) and the checks every sandbox request goes through.

The specification lives outside the project (``../shared/telegram-bot-api/api.json``, or the file named by
``SAMVAD_BOT_API_SPEC``) and is never copied in. Without it the sandbox still runs, just without checks.

Requests arrive the way python-telegram-bot sends them: form fields whose values are all strings (numbers
as ``"123"``, booleans as ``"true"``, objects and arrays JSON-encoded), plus multipart file parts. They are
decoded according to the declared types, then checked for unknown methods and fields, missing required
fields, wrong types (recursively), and the limits the JSON does not express: text length after entity
parsing, ``callback_data`` bytes, valid Telegram HTML.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.sandbox.html import HtmlError, parse_html

__all__ = [
    "SPEC_ENV",
    "BotApiSpec",
    "FieldSpec",
    "MethodSpec",
    "TypeSpec",
    "UploadedFile",
    "decode_params",
    "decode_value",
    "default_spec_path",
    "load_spec",
    "rendered_text",
    "validate_request",
]

logger = logging.getLogger(__name__)

SPEC_ENV = "SAMVAD_BOT_API_SPEC"

PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# InlineKeyboardButton: "Exactly one of the fields other than text, icon_custom_emoji_id, and style must be used".
_BUTTON_LOOKS = frozenset({"text", "icon_custom_emoji_id", "style"})
_DISCRIMINATOR_RE = re.compile(r'(?:must be|always) "?([a-z_]+)"?')
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_INTEGER_RE = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a method or type: its name, the types it may take (a union) and whether it is required."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class TypeSpec:
    """A Bot API type: either an object with fields, or an abstract type standing for one of its subtypes.

    ``discriminator`` is the (field, value) pair that tells a subtype apart, e.g. ``("type", "chat")``.
    """

    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...]
    discriminator: tuple[str, str] | None


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method and its parameters."""

    name: str
    fields: Mapping[str, FieldSpec]


@dataclass(frozen=True)
class BotApiSpec:
    """The parsed ``api.json``: methods and types by name."""

    version: str
    methods: Mapping[str, MethodSpec]
    types: Mapping[str, TypeSpec]

    def method(self, name: str) -> MethodSpec | None:
        """The method called ``name``; Telegram matches method names case-insensitively."""
        found = self.methods.get(name)
        if found is None:
            found = self._methods_by_lower_name().get(name.lower())
        return found

    def _methods_by_lower_name(self) -> dict[str, MethodSpec]:
        return {key.lower(): method for key, method in self.methods.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BotApiSpec:
        """Build the spec from the decoded ``api.json`` document."""
        types = {name: _type_spec(name, raw) for name, raw in data["types"].items()}
        methods = {name: MethodSpec(name, _fields(raw.get("fields", []))) for name, raw in data["methods"].items()}
        return cls(version=str(data.get("version", "")), methods=methods, types=types)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request: what the bot uploaded (e.g. a PNG chart or an XLSX export)."""

    filename: str
    mime_type: str
    data: bytes = dataclasses.field(repr=False)


def _fields(raw_fields: Sequence[Mapping[str, Any]]) -> dict[str, FieldSpec]:
    return {
        raw["name"]: FieldSpec(raw["name"], tuple(raw["types"]), bool(raw.get("required", False))) for raw in raw_fields
    }


def _type_spec(name: str, raw: Mapping[str, Any]) -> TypeSpec:
    raw_fields = raw.get("fields", [])
    discriminator = None
    if raw.get("subtype_of") and raw_fields:
        first = raw_fields[0]
        match = _DISCRIMINATOR_RE.search(first.get("description", ""))
        if match is not None:
            discriminator = (first["name"], match.group(1))
    return TypeSpec(name, _fields(raw_fields), tuple(raw.get("subtypes", [])), discriminator)


def default_spec_path() -> Path:
    """Where the spec is read from: ``$SAMVAD_BOT_API_SPEC``, else ``<project>/../shared/telegram-bot-api/api.json``."""
    configured = os.environ.get(SPEC_ENV)
    if configured:
        return Path(configured)
    project_root = Path(__file__).resolve().parents[2]
    return project_root.parent / "shared" / "telegram-bot-api" / "api.json"


@functools.cache
def _load(path: Path) -> BotApiSpec | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        logger.warning("Bot API specification not found at %s: the sandbox will not validate requests", path)
        return None
    return BotApiSpec.from_json(data)


def load_spec(path: str | Path | None = None) -> BotApiSpec | None:
    """Load (once per path) the Bot API spec, or return None with a single warning when the file is missing."""
    return _load(Path(path) if path is not None else default_spec_path())


# --- decoding -----------------------------------------------------------------------------------------


def _decode_rank(type_name: str) -> int:
    """Order in which a union's types are tried on a string value: the raw string comes last."""
    return {"Integer": 0, "Float": 1, "Boolean": 2, "True": 2, "InputFile": 3, "String": 9}.get(type_name, 4)


def _decode_as(value: str, type_name: str, files: Mapping[str, UploadedFile]) -> tuple[bool, Any]:
    if type_name == "String":
        return True, value
    if type_name == "Integer":
        return (True, int(value)) if _INTEGER_RE.fullmatch(value) else (False, None)
    if type_name == "Float":
        try:
            return True, float(value)
        except ValueError:
            return False, None
    if type_name in ("Boolean", "True"):
        lowered = value.lower()
        if lowered == "true" or (type_name == "Boolean" and lowered == "false"):
            return True, lowered == "true"
        return False, None
    if type_name == "InputFile":
        name = value.removeprefix("attach://")
        return (True, files[name]) if value.startswith("attach://") and name in files else (False, None)
    try:
        decoded = json.loads(value)
    except ValueError:
        return False, None
    expected = list if type_name.startswith("Array of ") else dict
    return (True, decoded) if isinstance(decoded, expected) else (False, None)


def decode_value(value: Any, types: Sequence[str], files: Mapping[str, UploadedFile] | None = None) -> Any:
    """Decode one form value by its declared types; non-strings and undecodable strings come back unchanged.

    A value declared ``String`` stays the raw string even if it looks like JSON; for ``Integer or String``
    an integer is tried first; ``attach://name`` resolves to the uploaded file part ``name``.
    """
    if not isinstance(value, str):
        return value
    for type_name in sorted(types, key=_decode_rank):
        ok, decoded = _decode_as(value, type_name, files or {})
        if ok:
            return decoded
    return value


def decode_params(
    spec: BotApiSpec, method: str, params: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None
) -> dict[str, Any]:
    """Decode a request's parameters by the method's declared field types.

    File parts named like a field of the method (how python-telegram-bot uploads ``document`` or ``photo``)
    become that field's value; other parts are only reachable through ``attach://`` references.
    """
    method_spec = spec.method(method)
    fields = method_spec.fields if method_spec is not None else {}
    decoded: dict[str, Any] = {}
    for name, value in params.items():
        field = fields.get(name)
        decoded[name] = decode_value(value, field.types, files) if field is not None else value
    for name, uploaded in (files or {}).items():
        if name in fields and name not in decoded:
            decoded[name] = uploaded
    return decoded


# --- type checking ------------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    kind = {bool: "Boolean", int: "Integer", float: "Float", str: "String", list: "Array", dict: "Object"}.get(
        type(value), type(value).__name__
    )
    shown = repr(value) if not isinstance(value, dict | list) else json.dumps(value, ensure_ascii=False)
    return f"{kind} {shown[:60]}"


def _expand(spec: BotApiSpec, types: Sequence[str]) -> list[str]:
    """Replace abstract types by their subtypes, recursively, keeping order."""
    out: list[str] = []
    for type_name in types:
        type_spec = spec.types.get(type_name)
        if type_spec is not None and type_spec.subtypes:
            out.extend(_expand(spec, type_spec.subtypes))
        else:
            out.append(type_name)
    return out


def _check(spec: BotApiSpec, value: Any, types: Sequence[str], path: str) -> list[str]:
    """Problems with ``value`` against a union of types; an object union reports its closest candidate."""
    candidates = _expand(spec, types)
    if isinstance(value, dict):
        tagged: dict[str, tuple[str, str]] = {}
        for name in candidates:
            tag = spec.types[name].discriminator if name in spec.types else None
            if tag is not None:
                tagged[name] = tag
        if tagged and len(tagged) == len(candidates):
            matching = [name for name, (key, expected) in tagged.items() if value.get(key) == expected]
            if not matching:
                key = next(iter(tagged.values()))[0]
                allowed = ", ".join(sorted(expected for _, expected in tagged.values()))
                return [f"{path}.{key}: {value.get(key)!r} is not one of {allowed}"]
            candidates = matching
    results: list[list[str]] = []
    for type_name in candidates:
        problems = _check_one(spec, value, type_name, path)
        if not problems:
            return []
        results.append(problems)
    if len(results) == 1 or isinstance(value, dict | list):
        return min(results, key=len)
    return [f"{path}: expected {' or '.join(types)}, got {_describe(value)}"]


def _check_one(spec: BotApiSpec, value: Any, type_name: str, path: str) -> list[str]:
    wrong = [f"{path}: expected {type_name}, got {_describe(value)}"]
    if type_name == "Integer":
        return [] if isinstance(value, int) and not isinstance(value, bool) else wrong
    if type_name == "Float":
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else wrong
    if type_name == "String":
        return [] if isinstance(value, str) else wrong
    if type_name == "Boolean":
        return [] if isinstance(value, bool) else wrong
    if type_name == "True":
        return [] if value is True else wrong
    if type_name == "InputFile":
        return [] if isinstance(value, UploadedFile) else wrong
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return wrong
        item_type = type_name.removeprefix("Array of ")
        return [problem for i, item in enumerate(value) for problem in _check(spec, item, [item_type], f"{path}[{i}]")]
    type_spec = spec.types.get(type_name)
    if type_spec is None:
        return []
    if not isinstance(value, dict):
        return wrong
    return _check_fields(spec, type_spec.fields, value, path) + _object_rules(type_name, value, path)


def _check_fields(spec: BotApiSpec, fields: Mapping[str, FieldSpec], value: Mapping[str, Any], path: str) -> list[str]:
    prefix = f"{path}." if path else ""
    problems = [f"{prefix}{name}: unknown field" for name in value if name not in fields]
    problems += [
        f"{prefix}{field.name}: required field is missing"
        for field in fields.values()
        if field.required and field.name not in value
    ]
    for name, item in value.items():
        if name in fields:
            problems += _check(spec, item, fields[name].types, f"{prefix}{name}")
    return problems


# --- limits the JSON does not express ----------------------------------------------------------------


def _object_rules(type_name: str, value: Mapping[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    if type_name == "InlineKeyboardButton":
        data = value.get("callback_data")
        if isinstance(data, str) and not 1 <= len(data.encode("utf-8")) <= 64:
            problems.append(
                f"BUTTON_DATA_INVALID: {path}.callback_data is {len(data.encode('utf-8'))} bytes in UTF-8 "
                f"(allowed 1-64): {data!r}"
            )
        actions = sorted(name for name in value if name not in _BUTTON_LOOKS)
        if len(actions) != 1:
            got = ", ".join(actions) if actions else "none"
            problems.append(
                f"{path}: an inline button needs exactly one action field such as callback_data (got {got})"
            )
    elif type_name == "BotCommand":
        command, description = value.get("command"), value.get("description")
        if isinstance(command, str) and not _COMMAND_RE.fullmatch(command):
            problems.append(f"{path}.command: {command!r} must be 1-32 characters of a-z, 0-9 and _")
        if isinstance(description, str) and not 1 <= len(description) <= 256:
            problems.append(f"{path}.description: must be 1-256 characters, got {len(description)}")
    return problems


def rendered_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram shows after entity parsing; raises HtmlError for invalid HTML.

    Markdown modes are not parsed: their text is counted as sent (slightly overestimating the length).
    """
    if parse_mode is not None and parse_mode.lower() == "html":
        return parse_html(text).text
    return text


def _text_rules(method: str, params: Mapping[str, Any], fields: Mapping[str, FieldSpec]) -> list[str]:
    problems: list[str] = []
    parse_mode = params.get("parse_mode")
    if isinstance(parse_mode, str) and parse_mode.lower() not in PARSE_MODES:
        problems.append(f"unsupported parse_mode {parse_mode!r}")
        parse_mode = None
    mode = parse_mode if isinstance(parse_mode, str) else None
    limits = {"text": (1, 4096), "caption": (0, 1024)}
    for name, (low, high) in limits.items():
        value = params.get(name)
        if name not in fields or "parse_mode" not in fields or not isinstance(value, str):
            continue
        try:
            shown = rendered_text(value, mode).strip()
        except HtmlError as exc:
            problems.append(f"can't parse entities in {name}: {exc}")
            continue
        if low and not shown:
            problems.append(f"message {name} is empty after entity parsing")
        elif len(shown) > high:
            problems.append(
                f"message is too long: {name} has {len(shown)} characters after entity parsing (max {high})"
            )
    if method in ("editMessageText", "editMessageCaption", "editMessageReplyMarkup"):
        has_message = "chat_id" in params and "message_id" in params
        if not has_message and "inline_message_id" not in params:
            problems.append("chat_id and message_id, or inline_message_id, are required to edit a message")
        if method == "editMessageText" and "text" not in params and "rich_message" not in params:
            problems.append("message text is empty")
    return problems


def _method_rules(method: str, params: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    text = params.get("text")
    if method == "answerCallbackQuery" and isinstance(text, str) and len(text) > 200:
        problems.append(f"MESSAGE_TOO_LONG: callback answer text has {len(text)} characters (max 200)")
    action = params.get("action")
    if method == "sendChatAction" and isinstance(action, str) and action not in CHAT_ACTIONS:
        problems.append(f"wrong parameter action in request: {action!r}")
    secret = params.get("secret_token")
    if method == "setWebhook" and isinstance(secret, str) and not _SECRET_TOKEN_RE.fullmatch(secret):
        problems.append("secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return problems


def validate_request(spec: BotApiSpec, method: str, params: Mapping[str, Any]) -> list[str]:
    """Human-readable problems with a Bot API request; empty when Telegram would accept it.

    ``params`` may be raw form strings (they are decoded by the declared types first) or already decoded.
    """
    method_spec = spec.method(method)
    if method_spec is None:
        return [f"unknown method {method!r}"]
    decoded = decode_params(spec, method_spec.name, params)
    problems = _check_fields(spec, method_spec.fields, decoded, "")
    problems += _text_rules(method_spec.name, decoded, method_spec.fields)
    problems += _method_rules(method_spec.name, decoded)
    return problems
