"""Blocking faces of the async objects a call can return: streams, pages, batch results, raw
responses. Each holds the async object and the ``LoopThread``, and forwards through it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from aioanthropic._http.batch_results import BatchResults
from aioanthropic._http.paginator import AsyncPaginator
from aioanthropic._http.response import RawResponse
from aioanthropic._http.stream import MessageStream
from aioanthropic._protocol.exceptions import APIError
from aioanthropic._protocol.pagination import Page
from aioanthropic._protocol.ratelimit import RateLimitInfo
from aioanthropic._protocol.responses import Message
from aioanthropic._protocol.stream import END, NEED_DATA
from aioanthropic.types import (
    ContentBlockDeltaEvent,
    MessageBatchIndividualResponse,
    MessageStreamEvent,
    ParsedMessageStreamEvent,
    TextDelta,
)

from .loop import ClosesThroughLoop, LoopThread, anext_or_none

if TYPE_CHECKING:
    from datetime import timedelta

    from typing_extensions import Self

    from aioanthropic._http.helper_stream import HelperMessageStream
    from aioanthropic._resources.messages import MessageStreamManager

T = TypeVar("T")
E = TypeVar("E")

# Events handed from the loop thread per call: one thread hop per batch instead of per event.
# A batch holds only events already decoded from bytes already read, so the loop still reads
# the socket only when the caller asks for more (backpressure as in the async stream).
_BATCH = 256


async def _take_raw(stream: MessageStream, limit: int) -> list[Any]:
    """The next event (reading if needed) and the ones after it that need no reading; [] at
    the end. Faults stay in the protocol, raised by the next call at their place."""
    first = await anext_or_none(stream)
    if first is None:
        return []
    out = [first]
    proto = stream.protocol
    while len(out) < limit:
        try:
            event = proto.next_event()
        except APIError:
            break
        if event is NEED_DATA or event is END:
            break
        out.append(event)
    return out


async def _take_helper(stream: HelperMessageStream, limit: int) -> list[Any]:
    first = await anext_or_none(stream)
    if first is None:
        return []
    return [first, *stream.ready_events(limit - 1)]


class SyncMessageStream(ClosesThroughLoop, Generic[E]):
    """A streamed message, for the sync client: ``for event in stream``,
    ``for text in stream.text_stream``, ``stream.get_final_message()``, ``stream.close()``.

    ``messages.stream()`` gives the helper events (``SyncMessageStream[ParsedMessageStreamEvent]``)
    and ``create(stream=True)`` the raw ones, as the async client does. Errors are those of the
    async ``MessageStream``.
    """

    def __init__(self, loop: LoopThread, stream: MessageStream) -> None:
        self._loop = loop
        self._stream = stream
        self._buffer: list[Any] = []
        self._index = 0
        self._ended = False
        self._take: Callable[[Any, int], Any] = (
            _take_helper if hasattr(stream, "ready_events") else _take_raw
        )

    # --- iteration ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[E]:
        return self

    def __next__(self) -> E:
        if self._index >= len(self._buffer):
            if self._ended:
                raise StopIteration
            self._buffer = self._loop.call(self._take, self._stream, _BATCH)
            self._index = 0
            if not self._buffer:
                self._ended = True
                raise StopIteration
        event = self._buffer[self._index]
        self._index += 1
        return event  # type: ignore[no-any-return]

    @property
    def text_stream(self) -> Iterator[str]:
        """The text of each ``text_delta``, as it arrives."""
        for event in self:
            if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
                yield event.delta.text

    # --- the rest of the stream --------------------------------------------------------------

    def get_final_message(self) -> Message:
        """Read the rest of the stream and return the complete ``Message``."""
        return self._loop.call(self._stream.get_final_message)

    def get_final_text(self) -> str:
        """Read the rest of the stream and return its text blocks' text, joined."""
        return self._loop.call(self._stream.get_final_text)

    def until_done(self) -> None:
        """Read the stream to its end."""
        self._loop.call(self._stream.get_final_message)

    def close(self) -> None:
        """Close the response and give the connection back; safe to call more than once."""
        if self._ended and self._stream.response.is_closed:
            return  # read to its end: the stream closed itself, no thread hop needed
        super().close()

    def _aclose(self) -> Awaitable[None]:
        return self._stream.close()

    # --- state (read between calls, when the loop is not touching this stream) ----------------

    @property
    def current_message_snapshot(self) -> Message:
        """The message accumulated so far (``StreamProtocolError`` before ``message_start``)."""
        return self._loop.call(lambda: self._stream.accumulator.message)

    @property
    def current_message(self) -> Message | None:
        return self._loop.call(lambda: self._stream.current_message)

    @property
    def response(self) -> httpx.Response:
        return self._stream.response

    @property
    def request_id(self) -> str | None:
        return self._stream.request_id

    @property
    def headers(self) -> httpx.Headers:
        return self._stream.headers

    @property
    def retries_taken(self) -> int:
        return self._stream.retries_taken

    @property
    def rate_limit(self) -> RateLimitInfo:
        return self._stream.rate_limit

    def __repr__(self) -> str:
        return f"<SyncMessageStream request_id={self.request_id!r}>"


class SyncMessageStreamManager:
    """What the sync ``messages.stream(...)`` returns: ``with ... as stream:`` sends the request
    and closes the response at the end of the block."""

    def __init__(self, loop: LoopThread, manager: MessageStreamManager) -> None:
        self._loop = loop
        self._manager = manager
        self._stream: SyncMessageStream[ParsedMessageStreamEvent] | None = None

    def __enter__(self) -> SyncMessageStream[ParsedMessageStreamEvent]:
        stream = self._loop.call(self._manager.__aenter__)
        self._stream = SyncMessageStream(self._loop, stream)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class SyncPage(Generic[T]):
    """One page of a list, for the sync client, and the walk from it.

    ``for item in page`` yields every item of this page and of the pages after it (fetched as
    needed), as the official sync page does; ``page.data`` is this page's items;
    ``iter_pages()`` walks page by page; ``get_next_page()`` / ``next_page()`` fetch the next
    one (None at the end).
    """

    def __init__(self, loop: LoopThread, page: Page[T]) -> None:
        self._loop = loop
        self._page = page

    @property
    def data(self) -> list[T]:
        return self._page.data

    @property
    def has_more(self) -> bool:
        return self._page.has_more

    @property
    def first_id(self) -> str | None:
        return self._page.first_id

    @property
    def last_id(self) -> str | None:
        return self._page.last_id

    @property
    def request_id(self) -> str | None:
        return self._page.request_id

    @property
    def page(self) -> Page[T]:
        """The async ``Page`` underneath (its ``next_page()`` is a coroutine)."""
        return self._page

    def has_next_page(self) -> bool:
        return self._page.has_next_page()

    def next_page(self) -> SyncPage[T] | None:
        nxt = self._loop.call(self._page.next_page)
        return None if nxt is None else SyncPage(self._loop, nxt)

    get_next_page = next_page

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page: SyncPage[T] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    pages = iter_pages

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data

    def __repr__(self) -> str:
        return f"<SyncPage of {len(self.data)} has_more={self.has_more}>"


def first_page(loop: LoopThread, paginator: AsyncPaginator[T]) -> SyncPage[T]:
    async def fetch() -> Page[T]:
        return await paginator

    return SyncPage(loop, loop.call(fetch))


class SyncBatchResults(ClosesThroughLoop):
    """A batch's results for the sync client: ``for result in ...``; use ``with ... as
    results:`` (or ``close()``) when the loop may stop early, so the connection is closed."""

    def __init__(self, loop: LoopThread, results: BatchResults) -> None:
        self._loop = loop
        self._results = results

    def __iter__(self) -> Iterator[MessageBatchIndividualResponse]:
        return self

    def __next__(self) -> MessageBatchIndividualResponse:
        return self._loop.next_item(self._results)

    def _aclose(self) -> Awaitable[None]:
        return self._results.aclose()

    def __enter__(self) -> Self:
        self._loop.call(self._results.__aenter__)
        return self

    @property
    def response(self) -> httpx.Response | None:
        return self._results.response

    @property
    def request_id(self) -> str | None:
        return self._results.request_id


class SyncRawResponse(Generic[T]):
    """``with_raw_response`` for the sync client: the HTTP exchange, and a blocking
    ``parse()``."""

    def __init__(self, loop: LoopThread, raw: RawResponse[T]) -> None:
        self._loop = loop
        self._raw = raw

    @property
    def http_response(self) -> httpx.Response:
        return self._raw.http_response

    @property
    def status_code(self) -> int:
        return self._raw.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self._raw.headers

    @property
    def request_id(self) -> str | None:
        return self._raw.request_id

    @property
    def retries_taken(self) -> int:
        return self._raw.retries_taken

    @property
    def elapsed(self) -> timedelta:
        return self._raw.elapsed

    @property
    def rate_limit(self) -> RateLimitInfo:
        return self._raw.rate_limit

    def parse(self) -> T:
        return self._loop.call(self._raw.parse)

    def __repr__(self) -> str:
        return repr(self._raw).replace("<RawResponse", "<SyncRawResponse", 1)


def wrap_result(loop: LoopThread, value: Any) -> Any:
    """The sync face of what an async method returned (models pass through unchanged)."""
    if isinstance(value, RawResponse):
        return SyncRawResponse(loop, value)
    if isinstance(value, MessageStream):
        return SyncMessageStream(loop, value)
    return value


__all__ = [
    "MessageStreamEvent",
    "SyncBatchResults",
    "SyncMessageStream",
    "SyncMessageStreamManager",
    "SyncPage",
    "SyncRawResponse",
    "first_page",
    "wrap_result",
]
