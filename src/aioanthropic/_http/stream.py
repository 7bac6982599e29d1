"""``MessageStream``: the thin async shell around ``MessageStreamProtocol``.

How this works
--------------
The caller's ``async for`` drives everything: each ``__anext__`` asks the sans-IO protocol for
its next event and, when it answers ``NEED_DATA``, reads one more chunk from the socket and
feeds it. No background task, no queue: backpressure and cancellation come from the caller's
loop. The protocol owns every rule of the stream (decoding, order, error events, the end); this
shell owns the socket, the idle timeout, closing, and sending the request again.

A failure before any content arrived (a dropped connection, a retryable ``error`` event such as
``overloaded_error``) is retried under the client's policy: while retries remain, the protocol
holds ``message_start`` and pings back until content arrives (``hold_preamble``), so the caller
never sees a ``message_start`` that a retry would contradict. Whether to retry is decided by
``stream_error_retryable`` (pure, in ``_protocol/retry.py``) and the client's one retry decision
(``RetryingSender.wait_before_retry``). After content arrived, a failure is raised with the
partial message attached.

Closing (``async with`` exit, ``close()``, the end, or any error or cancellation while reading)
closes the HTTP response, shielded from cancellation so that a cancelled caller still gives its
connection back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from time import perf_counter
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import httpx

from aioanthropic._protocol.accumulator import MessageAccumulator
from aioanthropic._protocol.events import ContentBlockDeltaEvent, MessageStreamEvent, TextDelta
from aioanthropic._protocol.exceptions import (
    APIError,
    APIStatusError,
    APITimeoutError,
    IncompleteStreamError,
)
from aioanthropic._protocol.ratelimit import RateLimitInfo, parse_rate_limit
from aioanthropic._protocol.responses import Message, TextBlock
from aioanthropic._protocol.retry import stream_error_retryable
from aioanthropic._protocol.stream import END, NEED_DATA, MessageStreamProtocol

from .body import body_chunks
from .closing import close_shielded, within_grace
from .errors import map_httpx_exceptions
from .event_body import open_event_stream
from .observe import CallProbe, notify_end
from .response import APICall

if TYPE_CHECKING:
    from .requester import Requester

# After message_stop the body should end at once; read at most this much more (a gateway's
# "data: [DONE]", a keep-alive), for at most this long, so that the connection can go back to
# the pool; a gateway that keeps the body open after message_stop costs the grace, not a hang.
_DRAIN_CHUNKS = 4
_DRAIN_GRACE = 1.0


class MessageStream:
    """A streamed response from ``POST /v1/messages``.

    Iterate it for the raw typed events (``async for event in stream``), or iterate
    ``stream.text_stream`` for the text deltas only; ``await stream.get_final_message()``
    reads whatever is left and returns the accumulated ``Message``. Use it as an async context
    manager, or ``await stream.close()`` when done with it.

    Raises while iterating: the ``APIError`` subclasses of ``MessageStreamProtocol`` (error
    events, malformed data, an early end), ``APIConnectionError`` when the connection drops and
    ``APITimeoutError`` when a read or the ``idle_timeout`` runs out; each carries
    ``partial_message``.
    """

    def __init__(
        self,
        *,
        requester: Requester,
        request: httpx.Request,
        response: httpx.Response,
        retries_taken: int,
        idle_timeout: float | None,
        chunks: AsyncIterator[bytes] | None = None,
    ) -> None:
        self._requester = requester
        self._request = request
        self._idle_timeout = idle_timeout
        self._retries_taken = retries_taken
        self._closed = False
        # perf_counter times: the request sent (the requester corrects it through
        # stream_call's attach), the first content_block_delta received, message_stop read.
        self._sent_at = perf_counter()
        self._first_token_at: float | None = None
        self._ended_at: float | None = None
        self._probes: tuple[CallProbe, ...] = ()
        self._error: BaseException | None = None
        self._attach(response, chunks)

    def _attach(self, response: httpx.Response, chunks: AsyncIterator[bytes] | None) -> None:
        self.response = response
        # Read once: _read names it on every chunk (a headers lookup per read was ~5% of the
        # client's time at 1,000 concurrent streams, cProfile).
        self._request_id: str | None = response.headers.get("request-id")
        # The body, decoded in bounded steps (or the event stream a JSON reply stands for).
        self._chunks: AsyncIterator[bytes] = chunks if chunks is not None else body_chunks(response)
        may_retry = self._retries_taken < self._requester.max_retries
        self._proto = MessageStreamProtocol(
            max_event_bytes=self._requester.max_event_bytes, hold_preamble=may_retry
        )
        self._idle_deadline: float | None = None

    # --- public surface ----------------------------------------------------------------------

    @property
    def request_id(self) -> str | None:
        return self._request_id

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers

    @property
    def retries_taken(self) -> int:
        return self._retries_taken

    @property
    def rate_limit(self) -> RateLimitInfo:
        """The ``anthropic-ratelimit-*`` headers of the response, parsed."""
        return parse_rate_limit(self.response.headers)

    @property
    def time_to_first_token(self) -> float | None:
        """Seconds from sending the request (its first attempt) to receiving the first
        ``content_block_delta``; None until one has arrived."""
        if self._first_token_at is None:
            return None
        return self._first_token_at - self._sent_at

    @property
    def protocol(self) -> MessageStreamProtocol:
        """The sans-IO protocol this stream feeds (replaced when a retry sends the request
        again)."""
        return self._proto

    @property
    def accumulator(self) -> MessageAccumulator:
        """The accumulator fed by this stream (for ``partial_input`` while a tool streams)."""
        return self._proto.accumulator

    @property
    def current_message(self) -> Message | None:
        """The message accumulated so far, or None before ``message_start`` arrived."""
        return self._proto.message

    def __aiter__(self) -> MessageStream:
        return self

    async def __anext__(self) -> MessageStreamEvent:
        # The fast path: an event the protocol already has, without a coroutine frame. Any
        # other answer (or a fault, which the protocol raises again) takes the slow path.
        try:
            event = self._proto.next_event()
        except APIError:
            event = NEED_DATA
        if event is NEED_DATA or event is END:
            event = await self._next()
            if event is None:
                raise StopAsyncIteration
        return event  # type: ignore[no-any-return]

    def raw_events(self) -> AsyncIterator[MessageStreamEvent]:
        """The events as they came over the wire, pings included, and nothing else: what
        iterating a ``create(stream=True)`` stream yields, also for ``messages.stream()``."""
        return _RawEvents(self)

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """The text of each ``text_delta``, as it arrives."""
        return _TextStream(self)

    async def get_final_message(self) -> Message:
        """Read the rest of the stream and return the complete ``Message``."""
        while await self._next() is not None:
            pass
        message = self._proto.accumulator.message
        message._request_id = self.request_id
        message._retries_taken = self._retries_taken
        if self._ended_at is not None:
            message._elapsed = self._ended_at - self._sent_at
        return message

    async def get_final_text(self) -> str:
        """Read the rest of the stream and return the text of all text blocks, joined."""
        message = await self.get_final_message()
        return "".join(block.text for block in message.content if isinstance(block, TextBlock))

    async def close(self) -> None:
        """Close the response and give the connection back; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        try:
            await close_shielded(self.response, self._chunks)
        finally:
            if self._probes:
                notify_end(self._probes, self._proto.message, self._error)

    async def __aenter__(self) -> MessageStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<MessageStream request_id={self.request_id!r} closed={self._closed}>"

    # --- the pull loop -----------------------------------------------------------------------

    async def _next(self) -> Any:
        """The next event, or None at the end; reads, retries and closes as needed."""
        while True:
            try:
                event = self._proto.next_event()
                if event is NEED_DATA:
                    if self._closed:
                        raise self._closed_early()
                    await self._read()
                    continue
            except APIError as error:
                self._attach_context(error)
                try:
                    retried = await self._retry(error)
                except BaseException as retry_error:
                    self._error = retry_error
                    await self.close()
                    raise
                if retried:
                    continue
                self._error = error
                await self.close()
                raise
            except BaseException as error:
                self._error = error
                await self.close()
                raise
            if event is END:
                self._ended_at = perf_counter()
                await self._drain_and_close()
                return None
            return event

    async def _read(self) -> None:
        """Feed the protocol one more chunk, or the end of the body; errors translated."""
        proto = self._proto
        with map_httpx_exceptions(self._request, request_id=self._request_id):
            try:
                if self._idle_timeout is None:
                    chunk = await anext(self._chunks)
                else:
                    chunk = await self._read_before_idle_deadline()
            except StopAsyncIteration:
                proto.receive_eof()
                return
        proto.receive_data(chunk)
        if self._first_token_at is None and proto.has_pending_event("content_block_delta"):
            self._first_token_at = perf_counter()
            for probe in self._probes:
                probe.on_first_token()
        # The idle timer restarts on anything but pings (reads happen only once the protocol
        # has nothing pending, so what is pending now came with this chunk).
        if self._idle_timeout is not None and proto.has_pending_non_ping():
            self._idle_deadline = anyio.current_time() + self._idle_timeout

    async def _read_before_idle_deadline(self) -> bytes:
        assert self._idle_timeout is not None
        now = anyio.current_time()
        if self._idle_deadline is None:
            self._idle_deadline = now + self._idle_timeout
        # A chunk already received costs no timer (within_grace arms it only to wait).
        chunk = await within_grace(anext(self._chunks), self._idle_deadline - now)
        if chunk is not None:
            return chunk
        raise APITimeoutError(
            f"No event for {self._idle_timeout:g}s (idle_timeout; pings do not count)"
        )

    async def _drain_and_close(self) -> None:
        if not self.response.is_closed:
            try:
                with map_httpx_exceptions(self._request):
                    await within_grace(_drain(self._chunks), _DRAIN_GRACE)
            except (StopAsyncIteration, APIError):
                pass
        await self.close()

    def _closed_early(self) -> APIError:
        return IncompleteStreamError("The stream was closed before message_stop")

    # --- errors and retries ------------------------------------------------------------------

    def _attach_context(self, error: APIError) -> None:
        error.request_id = error.request_id or self.request_id
        error.retries_taken = self._retries_taken
        error.request = error.request or self._request
        if error.partial_message is None:
            error.partial_message = self._proto.message
        if isinstance(error, APIStatusError):
            if not error.headers:
                error.headers = dict(self.response.headers)
            if error.response is None:
                error.response = self.response

    async def _retry(self, error: APIError) -> bool:
        """Send the request again if no content arrived and the policy allows it."""
        if self._closed or not stream_error_retryable(
            error, content_started=self._proto.content_started
        ):
            return False
        sender = self._requester.sender
        for probe in self._probes:
            probe.on_error(error)
        if not await sender.wait_before_retry(
            self._request,
            error,
            retryable=True,
            headers=None,
            retries_taken=self._retries_taken,
        ):
            return False
        await close_shielded(self.response, self._chunks)
        self._retries_taken += 1
        response, self._retries_taken = await sender.send(
            self._request, stream=True, retries_taken=self._retries_taken, probes=self._probes
        )
        chunks = await open_event_stream(response, self._retries_taken, self._requester)
        self._attach(response, chunks)
        return True


async def _drain(chunks: AsyncIterator[bytes]) -> None:
    for _ in range(_DRAIN_CHUNKS):
        await anext(chunks)


class _RawEvents:
    """``stream.raw_events()``: the base class's iteration, whatever the stream's class."""

    def __init__(self, stream: MessageStream) -> None:
        self._stream = stream

    def __aiter__(self) -> _RawEvents:
        return self

    async def __anext__(self) -> MessageStreamEvent:
        return await MessageStream.__anext__(self._stream)


class _TextStream:
    """``stream.text_stream``: pulls events from the stream and yields text deltas only."""

    def __init__(self, stream: MessageStream) -> None:
        self._stream = stream

    def __aiter__(self) -> _TextStream:
        return self

    async def __anext__(self) -> str:
        stream = self._stream
        while True:
            try:
                event = stream._proto.next_event()
            except APIError:
                event = NEED_DATA
            if event is NEED_DATA or event is END:
                event = await stream._next()
                if event is None:
                    raise StopAsyncIteration
            if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
                return event.delta.text


S = TypeVar("S", bound=MessageStream)


def stream_call(
    requester: Requester,
    request: httpx.Request,
    idle_timeout: float | None,
    cls: type[S] = MessageStream,  # type: ignore[assignment]
) -> APICall[S]:
    """The call that sends a streaming request and wraps its open response in ``cls``."""

    async def open_stream(response: httpx.Response, retries: int) -> S:
        chunks = await open_event_stream(response, retries, requester)
        return cls(
            requester=requester,
            request=request,
            response=response,
            retries_taken=retries,
            idle_timeout=idle_timeout,
            chunks=chunks,
        )

    return APICall(request, open_stream, stream=True, attach=_attach_call)


def _attach_call(stream: MessageStream, sent_at: float, probes: tuple[CallProbe, ...]) -> None:
    stream._sent_at = sent_at
    stream._probes = probes


__all__ = ["MessageStream", "stream_call"]
