"""The body of a 2xx answer to a streaming request, as event-stream bytes, whatever came.

A server (or a gateway in front of it) may answer ``stream: true`` with an event stream, as
the API does, or with a whole JSON message or error envelope, or with something else (an HTML
login page). ``open_event_stream`` makes the first two one byte stream for
``MessageStreamProtocol`` and turns the third into a typed error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx

from aioanthropic._protocol.exceptions import APIError, EventTooLargeError
from aioanthropic._protocol.message_events import (
    is_json,
    json_reply_to_event_stream,
    not_an_event_stream,
)
from aioanthropic._protocol.sse import is_event_stream

from .body import body_chunks, read_body
from .closing import close_shielded
from .errors import map_httpx_exceptions

if TYPE_CHECKING:
    from .requester import Requester

__all__ = ["open_event_stream"]

# A non-JSON, non-event-stream answer is read this far, to quote its start in the error.
_EXCERPT_BYTES = 1024


async def open_event_stream(
    response: httpx.Response, retries_taken: int, requester: Requester
) -> AsyncIterator[bytes]:
    """The body of a 2xx answer to a streaming request, as event-stream bytes.

    An event stream is read as it arrives. A JSON answer (a gateway that ignored
    ``stream: true``) is read whole, up to ``max_event_bytes``, and replaced by the equivalent
    event stream (``_protocol/message_events.py``): a message streams as its events, an error
    envelope as an ``error`` event. Anything else closes the response and raises
    ``APIResponseValidationError`` quoting the start of the body.
    """
    content_type = response.headers.get("content-type")
    if is_event_stream(content_type):
        return body_chunks(response)
    request_id = response.headers.get("request-id")
    limit = requester.max_event_bytes if is_json(content_type) else _EXCERPT_BYTES
    try:
        with map_httpx_exceptions(response.request, request_id=request_id):
            raw, cut = await read_body(response, limit=limit)
        if not is_json(content_type):
            raise not_an_event_stream(raw, content_type=content_type)
        if cut:
            raise EventTooLargeError(
                f"A streaming request was answered with a JSON body longer than "
                f"max_event_bytes={requester.max_event_bytes}"
            )
        return _once(json_reply_to_event_stream(raw, content_type=content_type))
    except APIError as error:
        error.request_id = error.request_id or request_id
        error.retries_taken = retries_taken
        raise
    finally:
        await close_shielded(response)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
