"""``BatchResults``: a batch's JSONL results, read line by line from its ``results_url``.

How this works
--------------
Like ``MessageStream``, the caller's ``async for`` drives the socket: each ``__anext__`` hands
out a result already split off, or reads one more chunk and feeds it to the sans-IO
``LineSplitter``. Memory is one network chunk plus the longest line, whatever the file's size.
Nothing is sent until the first ``__anext__`` (or ``async with``). Closing (``async with``
exit, ``aclose()``, the end, or any error or cancellation while reading) closes the response,
shielded from cancellation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
import pydantic

from aioanthropic._protocol.batch_responses import MessageBatch, MessageBatchIndividualResponse
from aioanthropic._protocol.exceptions import (
    APIResponseValidationError,
    BatchResultsUnavailableError,
)
from aioanthropic._protocol.jsonl import LineSplitter
from aioanthropic._protocol.ratelimit import RateLimitInfo, parse_rate_limit
from aioanthropic._protocol.request import join_url
from aioanthropic._protocol.responses import first_validation_error

from .body import body_chunks
from .closing import close_shielded
from .errors import map_httpx_exceptions

if TYPE_CHECKING:
    from .requester import Requester

# What the official SDKs send for results; the body is JSONL whatever the content type says.
_ACCEPT = "application/binary"
_BODY_EXCERPT = 500


def results_request_url(results_url: str, base_url: str, *, use_base_url: bool) -> str:
    """Where to send the results request. A relative ``results_url`` is always resolved
    against ``base_url``; an absolute one is kept unless ``use_base_url``, which keeps only its
    path and query (a gateway serving the API under its own host and path prefix)."""
    url = httpx.URL(results_url)
    if url.is_absolute_url and not use_base_url:
        return results_url
    target = join_url(base_url, url.path)
    return f"{target}?{url.query.decode('ascii')}" if url.query else target


class BatchResults:
    """What ``batches.results(...)`` returns: ``async for result in ...`` over
    ``MessageBatchIndividualResponse``s, in the file's order.

    Use ``async with client.messages.batches.results(id) as results:`` when the loop may end
    early (``break``): leaving the block closes the connection. A loop that runs to its end,
    or fails, closes it by itself.
    """

    def __init__(
        self,
        requester: Requester,
        batch: str | MessageBatch,
        retrieve: Callable[[str], Awaitable[MessageBatch]],
        *,
        use_base_url: bool,
        options: Mapping[str, Any],
    ) -> None:
        self._requester = requester
        self._batch = batch
        self._retrieve = retrieve
        self._use_base_url = use_base_url
        self._options = options
        self._response: httpx.Response | None = None
        self._chunks: AsyncIterator[bytes] | None = None
        self._splitter = LineSplitter()
        self._lines: deque[bytes] = deque()
        self._line_number = 0
        self._eof = False
        self._closed = False

    @property
    def response(self) -> httpx.Response | None:
        """The results response, once the request has been sent."""
        return self._response

    @property
    def request_id(self) -> str | None:
        return None if self._response is None else self._response.headers.get("request-id")

    @property
    def rate_limit(self) -> RateLimitInfo | None:
        return None if self._response is None else parse_rate_limit(self._response.headers)

    def __aiter__(self) -> BatchResults:
        return self

    def __await__(self) -> Generator[Any, None, BatchResults]:
        # ``async for r in await batches.results(id)``, as the official SDK's coroutine is used.
        return self._itself().__await__()

    async def _itself(self) -> BatchResults:
        return self

    async def __anext__(self) -> MessageBatchIndividualResponse:
        try:
            while not self._lines:
                if self._eof or self._closed:
                    await self.aclose()
                    raise StopAsyncIteration
                await self._read_more()
            return self._parse(self._lines.popleft())
        except StopAsyncIteration:
            raise
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Close the response (if open); safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._response is not None:
            await close_shielded(self._response, self._chunks)

    async def __aenter__(self) -> BatchResults:
        try:
            await self._open()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- reading -------------------------------------------------------------------------------

    async def _open(self) -> None:
        if self._response is not None:
            return
        batch = self._batch
        if isinstance(batch, str):
            batch = await self._retrieve(batch)
        if batch.results_url is None:
            raise BatchResultsUnavailableError(
                f"Batch {batch.id} has no results yet (processing_status "
                f"{batch.processing_status!r}); wait for it to end: batches.wait(id)"
            )
        requester = self._requester
        url = results_request_url(
            batch.results_url, requester.base_url, use_base_url=self._use_base_url
        )
        request = requester.build_request("GET", url, options=self._options, accept=_ACCEPT)
        response, _ = await requester.sender.send(request, stream=True)
        self._response = response
        self._chunks = body_chunks(response)  # decoded in bounded steps

    async def _read_more(self) -> None:
        if self._chunks is None:
            await self._open()
        assert self._chunks is not None
        assert self._response is not None
        request_id = self._response.headers.get("request-id")
        try:
            with map_httpx_exceptions(self._response.request, request_id=request_id):
                chunk = await anext(self._chunks)
        except StopAsyncIteration:
            self._eof = True
            self._lines.extend(self._splitter.close())
            return
        self._lines.extend(self._splitter.feed(chunk))

    def _parse(self, line: bytes) -> MessageBatchIndividualResponse:
        self._line_number += 1
        try:
            return MessageBatchIndividualResponse.model_validate_json(line)
        except pydantic.ValidationError as exc:
            raise APIResponseValidationError(
                f"Result {self._line_number} of the batch results is not a valid result: "
                f"{first_validation_error(exc)}",
                body=line[:_BODY_EXCERPT].decode("utf-8", "replace"),
                request_id=self.request_id,
            ) from None
