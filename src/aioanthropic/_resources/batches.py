"""``client.messages.batches``: the Message Batches API, and waiting for a batch to end."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import anyio

from aioanthropic._http.batch_results import BatchResults
from aioanthropic._http.response import APICall
from aioanthropic._protocol.batch_responses import (
    DeletedMessageBatch,
    MessageBatch,
    MessageBatchRequestCounts,
)
from aioanthropic._protocol.exceptions import BatchWaitTimeoutError
from aioanthropic._protocol.not_given import accepts_not_given
from aioanthropic._protocol.pagination import Page

from .base import ModeT, Parsed, Raw, Resource, endpoint, page_endpoint, path_id

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from aioanthropic._protocol.params import MessageBatchRequestParam, RequestOptions

DEFAULT_POLL_INTERVAL = 10.0

ProgressCallback = Callable[[MessageBatchRequestCounts], "Awaitable[object] | object"]


def _batch_path(batch_id: str) -> str:
    return f"/v1/messages/batches/{path_id(batch_id, 'batch')}"


class Batches(Resource[ModeT]):
    @property
    def with_raw_response(self) -> Batches[Raw]:
        """The same methods, returning ``RawResponse``s."""
        return Batches(self._requester, Raw)

    @endpoint
    def create(
        self,
        *,
        requests: Sequence[MessageBatchRequestParam],
        **options: Unpack[RequestOptions],
    ) -> APICall[MessageBatch]:
        """``POST /v1/messages/batches``: submit requests to be processed asynchronously."""
        body = {"requests": list(requests)}
        return self._call("POST", "/v1/messages/batches", MessageBatch, options, body=body)

    @endpoint
    def retrieve(self, batch_id: str, **options: Unpack[RequestOptions]) -> APICall[MessageBatch]:
        """``GET /v1/messages/batches/{batch_id}``."""
        return self._call("GET", _batch_path(batch_id), MessageBatch, options)

    @page_endpoint
    def list(
        self,
        *,
        limit: int | None = None,
        before_id: str | None = None,
        after_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> APICall[Page[MessageBatch]]:
        """``GET /v1/messages/batches``, most recent first; an ``AsyncPaginator`` like
        ``models.list``."""
        query = {"limit": limit, "before_id": before_id, "after_id": after_id}
        return self._list_call("/v1/messages/batches", Page[MessageBatch], options, query)

    @endpoint
    def cancel(self, batch_id: str, **options: Unpack[RequestOptions]) -> APICall[MessageBatch]:
        """``POST /v1/messages/batches/{batch_id}/cancel``: the batch moves to ``canceling``."""
        return self._call("POST", _batch_path(batch_id) + "/cancel", MessageBatch, options)

    @endpoint
    def delete(
        self, batch_id: str, **options: Unpack[RequestOptions]
    ) -> APICall[DeletedMessageBatch]:
        """``DELETE /v1/messages/batches/{batch_id}`` (an ended batch only)."""
        return self._call("DELETE", _batch_path(batch_id), DeletedMessageBatch, options)

    @accepts_not_given
    def results(
        self,
        batch: str | MessageBatch,
        *,
        use_base_url: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> BatchResults:
        """The results of an ended batch, one ``MessageBatchIndividualResponse`` at a time,
        read from its ``results_url`` in constant memory.

        ``batch`` is an id (the batch is retrieved first, for its ``results_url``) or a
        ``MessageBatch`` already at hand. ``use_base_url`` (default: the client's
        ``results_use_base_url``) sends the request to the client's ``base_url`` with the
        path of ``results_url``, for gateways. Use ``async with ... as results:`` so that
        breaking out of the loop closes the connection at once.
        """
        requester = self._requester
        use = requester.results_use_base_url if use_base_url is None else use_base_url
        retrieve = Batches(requester, Parsed).retrieve
        return BatchResults(requester, batch, retrieve, use_base_url=use, options=options)

    @accepts_not_given
    async def wait(
        self,
        batch_id: str,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        # A deadline for the whole wait rather than a cancel scope: the error carries the
        # last batch seen, which a cancelled scope would throw away.
        timeout: float | None = None,  # noqa: ASYNC109
        on_progress: ProgressCallback | None = None,
    ) -> MessageBatch:
        """Poll the batch every ``poll_interval`` seconds until it has ended, and return it.

        ``on_progress`` (sync or async) gets the ``request_counts`` after every poll. After
        ``timeout`` seconds (None: no limit) raises ``BatchWaitTimeoutError``, carrying the
        last batch seen; the last poll may run over the deadline by the time one request takes.
        """
        if poll_interval <= 0:
            raise ValueError(f"poll_interval must be > 0, got {poll_interval}")
        retrieve = Batches(self._requester, Parsed).retrieve
        deadline = None if timeout is None else anyio.current_time() + timeout
        while True:
            batch = await retrieve(batch_id)
            if on_progress is not None:
                outcome = on_progress(batch.request_counts)
                if inspect.isawaitable(outcome):
                    await outcome
            if batch.processing_status == "ended":
                return batch
            wait = poll_interval
            if deadline is not None:
                left = deadline - anyio.current_time()
                if left <= 0:
                    raise BatchWaitTimeoutError(
                        f"Batch {batch.id} has not ended after {timeout:g}s (status "
                        f"{batch.processing_status!r})",
                        batch=batch,
                    )
                wait = min(wait, left)
            await anyio.sleep(wait)
