"""A streaming request answered with one JSON document, turned into an event stream.

Some gateways ignore ``"stream": true`` and answer ``200`` with ``application/json``: either the
complete ``Message``, or an error envelope. ``json_reply_to_event_stream`` turns that body into
the bytes of the equivalent event stream, which the stream shell then feeds to
``MessageStreamProtocol`` like any other, so that iteration, ``text_stream`` and
``get_final_message()`` behave as for a real stream and every rule (order checks, limits,
error classes, retries before content) is applied in the one place it lives.

- A ``Message`` becomes ``message_start`` (the message with no content and no stop reason),
  for each block ``content_block_start`` (the block emptied), one delta carrying the whole
  text / thinking / tool input (plus ``signature_delta`` for thinking), ``content_block_stop``,
  then ``message_delta`` (stop reason, output tokens) and ``message_stop``. Accumulating these
  events gives back a ``Message`` equal to the one sent (tested on every recorded stream).
  Blocks without deltas (redacted thinking, server tool results, unknown types) are sent whole
  in their ``content_block_start``.
- An error envelope (Anthropic's ``{"type": "error", "error": {...}}`` or the OpenAI-style
  ``{"error": {...}}``) becomes one ``error`` event: the protocol raises the class of its type
  with the server's message, exactly as for an ``error`` event in a stream.
- Anything else raises ``APIResponseValidationError`` quoting the start of the body.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from .error_body import parse_error_body
from .exceptions import APIResponseValidationError
from .responses import Message, first_validation_error

__all__ = ["is_json", "json_reply_to_event_stream", "message_events", "not_an_event_stream"]

_BOM = b"\xef\xbb\xbf"
_EXCERPT = 200


def is_json(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` value names JSON (``application/json`` or ``*/*+json``)."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def json_reply_to_event_stream(raw: bytes, *, content_type: str | None) -> bytes:
    """The event stream equivalent to a JSON reply to a streaming request (see the module
    docstring); raises ``APIResponseValidationError`` for a body that is neither a message nor
    an error envelope."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        value: Any = json.loads(raw)
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict) and isinstance(value.get("error"), (dict, str)):
        error_type, message, _ = parse_error_body(200, raw)
        error = {"type": error_type or "api_error", "message": message}
        return _encode("error", {"type": "error", "error": error})
    if isinstance(value, dict) and value.get("type") == "message":
        try:
            message_obj = Message.model_validate(value)
        except ValidationError as exc:
            raise APIResponseValidationError(
                "A streaming request was answered with a JSON message that is not a valid "
                f"Message: {first_validation_error(exc)}",
                body=_excerpt(raw),
            ) from None
        return b"".join(_encode(event["type"], event) for event in message_events(message_obj))
    raise not_an_event_stream(raw, content_type=content_type)


def not_an_event_stream(raw: bytes, *, content_type: str | None) -> APIResponseValidationError:
    """The error for a 2xx answer to a streaming request that is neither an event stream nor
    a JSON message or error; it quotes the start of the body (``raw``, or its start)."""
    what = "a JSON body with neither a message nor an error" if is_json(content_type) else "body"
    return APIResponseValidationError(
        "Expected a text/event-stream response to a streaming request, got "
        f"{content_type or 'no content type'!r}: the server or a proxy in front of it did not "
        f"stream; {what} starting {_excerpt(raw)!r}",
        body=_excerpt(raw),
    )


def message_events(message: Message) -> list[dict[str, Any]]:
    """The events (as JSON objects) of a stream that accumulates to ``message``."""
    data = message.model_dump(mode="json")
    start = {**data, "content": [], "stop_reason": None, "stop_sequence": None}
    start.pop("stop_details", None)
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(data["content"]):
        first, deltas = _split_block(block)
        events.append({"type": "content_block_start", "index": index, "content_block": first})
        events.extend(
            {"type": "content_block_delta", "index": index, "delta": delta} for delta in deltas
        )
        events.append({"type": "content_block_stop", "index": index})
    delta = {"stop_reason": data.get("stop_reason"), "stop_sequence": data.get("stop_sequence")}
    if data.get("stop_details") is not None:
        delta["stop_details"] = data["stop_details"]
    usage = data.get("usage") or {}
    events.append(
        {
            "type": "message_delta",
            "delta": delta,
            "usage": {"output_tokens": usage.get("output_tokens", 0)},
        }
    )
    events.append({"type": "message_stop"})
    return events


def _split_block(block: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    kind = block.get("type")
    if kind == "text":
        text = block.get("text") or ""
        return {**block, "text": ""}, ([{"type": "text_delta", "text": text}] if text else [])
    if kind == "thinking":
        deltas = []
        if block.get("thinking"):
            deltas.append({"type": "thinking_delta", "thinking": block["thinking"]})
        if block.get("signature"):
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        return {**block, "thinking": "", "signature": ""}, deltas
    if kind in ("tool_use", "server_tool_use"):
        tool_input = block.get("input") or {}
        deltas = []
        if tool_input:
            text = json.dumps(tool_input, ensure_ascii=False)
            deltas.append({"type": "input_json_delta", "partial_json": text})
        first = {**block, "input": {}}
        first.pop("partial_json", None)
        return first, deltas
    return block, []


def _encode(name: str, data: dict[str, Any]) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {text}\n\n".encode()


def _excerpt(raw: bytes) -> str:
    text = raw[: _EXCERPT * 4].decode("utf-8", "replace")
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."
