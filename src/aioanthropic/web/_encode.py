"""Re-emit a ``MessageStream``'s events as the Messages API's own event JSON.

Each event is dumped with ``exclude_unset=True``: what the server sent is what goes out, field
for field (a gateway's ``completion_tokens`` alias comes out under its API name,
``output_tokens``). Two framings share that JSON:

* SSE, as the API itself sends it: ``event: <type>\\ndata: <json>\\n\\n`` (WHATWG HTML,
  "Server-sent events"), so that ``AsyncClient`` or any Anthropic SDK pointed at a proxy reads
  it back;
* NDJSON, one event per line, which is what the official TypeScript SDK's
  ``MessageStream.fromReadableStream`` reads.

A failure mid-stream (any ``AnthropicError``) becomes one last ``error`` event, shaped like the
API's: ``{"type": "error", "error": {"type": ..., "message": ...}}``. The events already sent are
not repeated: ``MessageStream`` only retries before the first event reaches its caller.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from aioanthropic import AnthropicError, APIStatusError

if TYPE_CHECKING:
    from aioanthropic import MessageStream
    from aioanthropic.types import MessageStreamEvent

__all__ = [
    "PING",
    "encode_ndjson",
    "encode_sse",
    "error_event",
    "event_json",
    "frames",
    "ndjson_line",
    "sse_frame",
]

PING: dict[str, Any] = {"type": "ping"}


def event_json(event: MessageStreamEvent) -> dict[str, Any]:
    """The event as the API sent it: a JSON object with its ``type`` first."""
    data: dict[str, Any] = event.model_dump(mode="json", exclude_unset=True)
    return {"type": event.type, **data}


def error_event(error: AnthropicError) -> dict[str, Any]:
    """The API's ``error`` event for a typed error.

    ``error.type`` is the API's error type when the server gave one (``overloaded_error``,
    ...), else ``api_error``; ``error.message`` is the error's message (with its request id);
    ``error.name`` adds the SDK class (``IncompleteStreamError``, ...) for people reading logs.
    """
    error_type = "api_error"
    if isinstance(error, APIStatusError) and error.error_type:
        error_type = error.error_type
    detail = {"type": error_type, "message": str(error), "name": type(error).__name__}
    return {"type": "error", "error": detail}


def _dumps(data: dict[str, Any]) -> str:
    # Compact, and UTF-8 as is: a delta of CJK text stays the size the API sent.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def sse_frame(data: dict[str, Any]) -> bytes:
    """One server-sent event: the ``type`` as the event name, the JSON as its data line."""
    return f"event: {data['type']}\ndata: {_dumps(data)}\n\n".encode()


def ndjson_line(data: dict[str, Any]) -> bytes:
    """One NDJSON line (JSON never contains a raw newline, so one event is one line)."""
    return (_dumps(data) + "\n").encode()


async def frames(
    stream: MessageStream, frame: Callable[[dict[str, Any]], bytes]
) -> AsyncGenerator[bytes, None]:
    """Each event framed by ``frame``, then an ``error`` event if the stream fails."""
    try:
        async for event in stream.raw_events():
            yield frame(event_json(event))
    except AnthropicError as error:
        yield frame(error_event(error))


def encode_sse(stream: MessageStream) -> AsyncIterator[bytes]:
    """The stream's events as ``text/event-stream`` bytes, one event per chunk.

    Iterating pulls from ``stream`` (no task, no buffer); closing the stream stays the
    caller's job (``async with``). Raises nothing from the API: a failure ends the output with
    an ``error`` event.
    """
    return frames(stream, sse_frame)


def encode_ndjson(stream: MessageStream) -> AsyncIterator[bytes]:
    """The stream's events as NDJSON bytes (``application/x-ndjson``), one line per chunk.

    Same contract as ``encode_sse``.
    """
    return frames(stream, ndjson_line)
