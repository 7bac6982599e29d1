"""Read an error response body into (error type, readable message, body), leniently.

Three shapes reach a client of the Messages API:
- the Anthropic envelope ``{"type": "error", "error": {"type": ..., "message": ...}}``;
- the OpenAI-style envelope gateways use, ``{"error": {"message", "type", "param", "code"}}``,
  where ``type`` may be the string ``"None"``, ``code`` a string or a number and ``message``
  even an object;
- anything else: an HTML page from a proxy, a CDN's plain-text 413, an empty body.
Nothing here raises: an unreadable body is kept as text and described by its status.

A body cut short (the client reads error bodies only up to a limit, ``_http/body.py``) is
parsed as partial JSON (pydantic-core's ``allow_partial``), so that a 1 MB error message still
gives its error type and the start of its message; the message then says the body was cut.
The message itself is not shortened here: ``str(error)`` does that (``exceptions.shorten``).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import pydantic_core

_MAX_TEXT_IN_MESSAGE = 300


def parse_error_body(
    status_code: int, raw: bytes, *, cut: bool = False
) -> tuple[str | None, str, object]:
    """Return ``(error_type, message, body)`` for an error response.

    ``body`` is the parsed JSON when the body was JSON, else the raw text. ``cut`` says the
    body was read only up to a limit (``raw`` is its start).
    """
    error_type, message, body = _parse(status_code, raw, cut)
    if cut:
        message += f" (the error body was cut after {len(raw):,} bytes)"
    return error_type, message, body


def _parse(status_code: int, raw: bytes, cut: bool) -> tuple[str | None, str, object]:
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        body: Any = json.loads(text) if text.strip() else None
    except ValueError:
        if not cut:
            return None, _describe_text(status_code, text), text
        try:
            body = pydantic_core.from_json(text, allow_partial="trailing-strings")
        except ValueError:
            return None, _describe_text(status_code, text), text
    if body is None:
        return None, _status_phrase(status_code), text

    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        error_type = _as_type(error.get("type"))
        if error_type is None:
            error_type = _as_type(error.get("code"))
        message = _as_message(error.get("message"))
        if message is None:
            message = _status_phrase(status_code)
        return error_type, message, body
    if isinstance(error, str) and error:
        return None, error, body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return _as_type(body.get("type")), body["message"], body
    return None, _status_phrase(status_code), body


def _as_type(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value and value != "None":
        return value
    return None


def _as_message(value: object) -> str | None:
    if isinstance(value, str):
        return value or None
    if value is None:
        return None
    # Some gateways nest an object here; show it rather than lose it.
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _status_phrase(status_code: int) -> str:
    try:
        return f"HTTP {status_code} {HTTPStatus(status_code).phrase}"
    except ValueError:
        return f"HTTP {status_code}"


def _describe_text(status_code: int, text: str) -> str:
    snippet = " ".join(text.split())
    if len(snippet) > _MAX_TEXT_IN_MESSAGE:
        snippet = snippet[:_MAX_TEXT_IN_MESSAGE] + "..."
    return f"{_status_phrase(status_code)} with a non-JSON body: {snippet}"
