"""Telegram's HTML parse mode: validation and conversion to plain text plus message entities.

Telegram rejects a message whose HTML it cannot parse ("can't parse entities"), so the sandbox parses
exactly the subset Telegram documents: a few formatting tags, properly nested, and only the entities
``&lt;``, ``&gt;``, ``&amp;``, ``&quot;`` and numeric ones. The result also gives the text length
*after* entity parsing, which is what Telegram's 4096-character limit counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FormattedText", "HtmlError", "parse_html", "utf16_len"]

_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[^\s\"'<>/=]+(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=`]+))?)*)"
    r"\s*>"
)
_ATTR_RE = re.compile(r"([^\s\"'<>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'<>=`]+))?")
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]+)|#[xX]([0-9A-Fa-f]+));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RUN_RE = re.compile(r"[^<>&]+")

# Tag name -> entity type. ``span`` needs class="tg-spoiler"; ``a`` and ``tg-emoji`` carry attributes.
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; the message mirrors Telegram's "can't parse entities" reason."""


@dataclass
class FormattedText:
    """Text as Telegram renders it: the visible characters and the entities (offsets in UTF-16 units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int
    language: str | None = None


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _unescape(source: str, start: int, end: int, base: int = 0) -> str:
    """Decode the entities in ``source[start:end]``; raises HtmlError on a bare ``&``, ``<`` or ``>``."""
    out: list[str] = []
    i = start
    while i < end:
        ch = source[i]
        if ch == "&":
            match = _ENTITY_RE.match(source, i, end)
            if match is None:
                raise HtmlError(
                    f"Character '&' at byte offset {base + _byte_offset(source, i)} does not begin an entity; "
                    'escape it as "&amp;"'
                )
            out.append(_decode_entity(match))
            i = match.end()
        elif ch in "<>":
            escape = "&lt;" if ch == "<" else "&gt;"
            raise HtmlError(
                f"Character '{ch}' at byte offset {base + _byte_offset(source, i)} is reserved and must be "
                f'escaped as "{escape}"'
            )
        else:
            run = _PLAIN_RUN_RE.match(source, i, end)
            assert run is not None
            out.append(run.group())
            i = run.end()
    return "".join(out)


def _decode_entity(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code <= 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HtmlError(f"Entity {match.group()} does not denote a valid character")
    return chr(code)


def _parse_attrs(raw: str, byte_offset: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        name, value = match.group(1).lower(), match.group(2)
        if value is None:
            attrs[name] = ""
            continue
        if value[:1] in "\"'":
            value = value[1:-1]
        attrs[name] = _unescape(value, 0, len(value), byte_offset)
    return attrs


def _open_tag_problem(name: str, attrs: dict[str, str]) -> str | None:
    if name not in _TAG_ENTITY:
        return f'Unsupported start tag "{name}"'
    if name == "span" and attrs.get("class") != "tg-spoiler":
        return 'Unsupported start tag "span": only <span class="tg-spoiler"> is allowed'
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        return 'Tag "tg-emoji" must have the attribute "emoji-id"'
    return None


def _entity(tag: _OpenTag, end: int) -> dict[str, Any] | None:
    """The entity a closed tag produces, or None (empty range, or a link without href)."""
    if end == tag.offset:
        return None
    entity: dict[str, Any] = {"type": _TAG_ENTITY[tag.name], "offset": tag.offset, "length": end - tag.offset}
    if tag.name == "a":
        if not tag.attrs.get("href"):
            return None
        entity["url"] = tag.attrs["href"]
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    return entity


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML into visible text and entities, raising HtmlError where Telegram would refuse.

    Only Telegram's tags are accepted, every tag must be closed in the right order, and ``&``, ``<`` and
    ``>`` must be escaped unless they start an entity or a tag.
    """
    out: list[str] = []
    offset = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        if source[i] != "<":
            end = source.find("<", i)
            end = len(source) if end == -1 else end
            chunk = _unescape(source, i, end)
            out.append(chunk)
            offset += utf16_len(chunk)
            i = end
            continue
        byte_offset = _byte_offset(source, i)
        match = _TAG_RE.match(source, i)
        if match is None:
            raise HtmlError(f"Character '<' at byte offset {byte_offset} does not begin a tag; escape it as \"&lt;\"")
        closing, name, raw_attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if closing:
            if raw_attrs.strip():
                raise HtmlError(f'End tag "{name}" at byte offset {byte_offset} must not have attributes')
            if not stack:
                raise HtmlError(f'Unexpected end tag "{name}" at byte offset {byte_offset}')
            if stack[-1].name != name:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {byte_offset}, expected "</{stack[-1].name}>", found "</{name}>"'
                )
            tag = stack.pop()
            language = tag.attrs.get("class", "")
            if tag.name == "code" and stack and stack[-1].name == "pre" and language.startswith("language-"):
                stack[-1].language = language.removeprefix("language-")
            elif (entity := _entity(tag, offset)) is not None:
                entities.append(entity)
        else:
            attrs = _parse_attrs(raw_attrs, byte_offset)
            problem = _open_tag_problem(name, attrs)
            if problem is not None:
                raise HtmlError(f"{problem} at byte offset {byte_offset}")
            stack.append(_OpenTag(name, attrs, offset))
        i = match.end()
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return FormattedText("".join(out), entities)
