"""Starlette responses that relay a ``MessageStream`` to a browser.

How this works
--------------
One task group per response, three jobs in it:

* the relay: opens the upstream stream (when given a ``MessageStreamManager``), then sends each
  encoded event as one body chunk as soon as it is pulled;
* the keep-alive: when nothing was sent for ``keepalive`` seconds, it sends a ``ping`` event
  (the API's own keep-alive, which every reader already skips), so that proxies and browsers do
  not time out an idle connection while the model thinks;
* the watcher: waits for ASGI's ``http.disconnect``. When the browser goes away it cancels the
  group, which interrupts the relay mid-read, and the upstream stream is closed at once
  (``finally``, shielded by ``MessageStream.close``): no tokens paid for nobody.

A lock keeps the relay's and the keep-alive's chunks whole, so a ping never lands inside an
event. Headers: ``Cache-Control: no-cache`` (and ``no-transform``, so a proxy does not compress
and buffer), and ``X-Accel-Buffering: no``, the header nginx honours to stop buffering a
response (nginx docs, ``proxy_buffering``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import aclosing
from typing import Any

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from aioanthropic import AnthropicError, APIStatusError, MessageStream, MessageStreamManager

from ._encode import PING, error_event, frames, ndjson_line, sse_frame

__all__ = ["DEFAULT_KEEPALIVE", "EventStreamResponse", "ndjson_response", "sse_response"]

DEFAULT_KEEPALIVE = 15.0
"""Seconds of silence before a ping; the API itself pings at about this pace while idle."""

_STREAM_HEADERS = {"cache-control": "no-cache, no-transform", "x-accel-buffering": "no"}


class EventStreamResponse(Response):
    """Relays a stream's events, framed by ``frame`` (SSE or NDJSON), to the HTTP client.

    ``source`` is an open ``MessageStream`` or the ``MessageStreamManager`` that
    ``client.messages.stream(...)`` returns (then the request is sent when the response
    starts, and a failure to open it answers with the error's HTTP status and one ``error``
    event). Either way the response owns the stream and closes it.
    """

    def __init__(
        self,
        source: MessageStream | MessageStreamManager,
        *,
        frame: Callable[[dict[str, Any]], bytes],
        media_type: str,
        keepalive: float | None = DEFAULT_KEEPALIVE,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if keepalive is not None and keepalive <= 0:
            raise ValueError(f"keepalive must be positive seconds or None, not {keepalive!r}")
        # As Starlette's StreamingResponse does: no ``body``, so no ``content-length``.
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.init_headers({**_STREAM_HEADERS, **(headers or {})})
        self.source = source
        self.frame = frame
        self.keepalive = keepalive
        self.client_disconnected = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        source = self.source
        stream = source if isinstance(source, MessageStream) else None
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._watch, receive, group.cancel_scope)
                if not isinstance(source, MessageStream):
                    try:
                        stream = await source
                    except AnthropicError as error:
                        await self._refuse(send, error)
                        group.cancel_scope.cancel()
                        return
                    await self._relay(stream, send, group)
                else:
                    await self._relay(source, send, group)
                group.cancel_scope.cancel()
        finally:
            if stream is not None:
                await stream.close()

    async def _watch(self, receive: Receive, scope: anyio.CancelScope) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.client_disconnected = True
                scope.cancel()
                return

    async def _refuse(self, send: Send, error: AnthropicError) -> None:
        status = error.status_code if isinstance(error, APIStatusError) else 502
        body = self.frame(error_event(error))
        await send({"type": "http.response.start", "status": status, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _relay(self, stream: MessageStream, send: Send, group: anyio.abc.TaskGroup) -> None:
        lock = anyio.Lock()
        last_sent = anyio.current_time()

        async def send_chunk(chunk: bytes, more_body: bool = True) -> None:
            nonlocal last_sent
            async with lock:
                try:
                    await send(
                        {"type": "http.response.body", "body": chunk, "more_body": more_body}
                    )
                except OSError:
                    # ASGI 2.4 servers raise here once the client is gone (Starlette's
                    # StreamingResponse reads it the same way): a disconnect, not a failure.
                    self.client_disconnected = True
                    group.cancel_scope.cancel()
                    return
                last_sent = anyio.current_time()

        async def keep_alive(interval: float) -> None:
            while True:
                await anyio.sleep(max(0.0, last_sent + interval - anyio.current_time()))
                if anyio.current_time() - last_sent >= interval:
                    await send_chunk(self.frame(PING))

        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        if self.keepalive is not None:
            group.start_soon(keep_alive, self.keepalive)
        async with aclosing(frames(stream, self.frame)) as chunks:
            async for chunk in chunks:
                await send_chunk(chunk)
        await send_chunk(b"", more_body=False)


def sse_response(
    stream: MessageStream | MessageStreamManager,
    *,
    keepalive: float | None = DEFAULT_KEEPALIVE,
    headers: Mapping[str, str] | None = None,
) -> EventStreamResponse:
    """A ``text/event-stream`` response re-emitting the stream's events (see ``encode_sse``).

    ``keepalive``: seconds of silence before a ``ping`` event (None: never). The response
    closes the stream when it ends or when the browser disconnects.
    """
    return EventStreamResponse(
        stream,
        frame=sse_frame,
        media_type="text/event-stream",
        keepalive=keepalive,
        headers=headers,
    )


def ndjson_response(
    stream: MessageStream | MessageStreamManager,
    *,
    keepalive: float | None = DEFAULT_KEEPALIVE,
    headers: Mapping[str, str] | None = None,
) -> EventStreamResponse:
    """An ``application/x-ndjson`` response, one event per line (see ``encode_ndjson``).

    Same options and closing as ``sse_response``.
    """
    return EventStreamResponse(
        stream,
        frame=ndjson_line,
        media_type="application/x-ndjson",
        keepalive=keepalive,
        headers=headers,
    )
