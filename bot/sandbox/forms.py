"""Decoding of Bot API request bodies: URL-encoded forms, multipart uploads and JSON.

Parsed here rather than with ``Request.form()`` because Starlette's form parser needs the optional
``python-multipart`` package, and the formats python-telegram-bot sends are simple enough.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from bot.sandbox.spec import UploadedFile

__all__ = ["BodyError", "parse_body"]

_BOUNDARY_RE = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_DISPOSITION_PARAM_RE = re.compile(r'(name|filename)="((?:[^"\\]|\\.)*)"', re.IGNORECASE)


class BodyError(ValueError):
    """The request body cannot be decoded (Telegram answers such requests with 400 Bad Request)."""


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    match = _BOUNDARY_RE.search(content_type)
    if match is None:
        raise BodyError("multipart body without boundary")
    delimiter = b"--" + (match.group(1) or match.group(2)).encode("latin-1")
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, separator, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise BodyError("malformed multipart part")
        content = content.removesuffix(b"\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = dict(
            (key.lower(), value) for key, value in _DISPOSITION_PARAM_RE.findall(headers.get("content-disposition", ""))
        )
        name = disposition.get("name")
        if name is None:
            raise BodyError("multipart part without a name")
        if "filename" in disposition:
            mime_type = headers.get("content-type", "application/octet-stream")
            files[name] = UploadedFile(disposition["filename"], mime_type, content)
        else:
            params[name] = content.decode("utf-8")
    return params, files


def parse_body(content_type: str, body: bytes, query: str = "") -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Split a request into parameters and uploaded file parts (by part name); query parameters count too."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, UploadedFile] = {}
    media_type = content_type.split(";", 1)[0].strip().lower()
    try:
        if media_type == "application/json" and body.strip():
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise BodyError("JSON body must be an object")
            params.update(decoded)
        elif media_type == "multipart/form-data":
            form, files = _parse_multipart(body, content_type)
            params.update(form)
        elif body:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyError(f"can't decode request body: {exc}") from exc
    return params, files
