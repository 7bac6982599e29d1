"""``RetryingSender``: sends one request until it succeeds or the retry policy gives up.

The policy itself (what is retryable, how long to wait) is pure and lives in
``_protocol/retry.py``; this module only sends, sleeps and logs. ``sleep`` and ``random`` are
constructor arguments so that tests pass their own instead of patching attributes.
"""

from __future__ import annotations

import logging
import random as _random
from collections.abc import Awaitable, Callable, Mapping

import anyio
import httpx

from aioanthropic._protocol.exceptions import APIConnectionError, APIError, APIStatusError
from aioanthropic._protocol.retry import decide, should_retry_status

from .body import MAX_ERROR_BODY_BYTES, read_body
from .errors import map_httpx_exceptions, status_error
from .observe import CallProbe, notify_error

logger = logging.getLogger("aioanthropic")

Sleep = Callable[[float], Awaitable[None]]


class RetryingSender:
    """Sends requests through an ``httpx.AsyncClient`` under the retry policy."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_retries: int,
        max_retry_wait: float,
        random: Callable[[], float] = _random.random,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        self.http = http
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.random = random
        self.sleep = sleep

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        retries_taken: int = 0,
        probes: tuple[CallProbe, ...] = (),
    ) -> tuple[httpx.Response, int]:
        """Send ``request`` until it succeeds or the policy gives up.

        Returns the response and the number of retries taken so far (``retries_taken`` counts
        the ones made before this call, by a stream reconnecting). With ``stream=False`` the
        body has been read and the response closed; with ``stream=True`` the caller owns the
        open response and must close it. Raises the last attempt's ``APIError``. Each failed
        attempt is shown to the call's ``probes`` (a 429's headers pace a rate limiter).
        Raises ``RuntimeError`` at once if the connection pool has been closed.
        """
        if self.http.is_closed:  # else httpx's own RuntimeError, which names no way out
            raise RuntimeError(
                "This AsyncClient is closed (aclose() was called, or its `async with` block"
                " ended, or the http_client passed to it was closed): create a new AsyncClient,"
                " or make the calls inside `async with AsyncClient(...) as client:`"
            )
        while True:
            outcome = await self._attempt(request, stream)
            if isinstance(outcome, httpx.Response):
                return outcome, retries_taken
            error, retryable, headers = outcome
            if probes:
                notify_error(probes, error)
            if not await self.wait_before_retry(
                request, error, retryable=retryable, headers=headers, retries_taken=retries_taken
            ):
                raise error
            retries_taken += 1

    async def wait_before_retry(
        self,
        request: httpx.Request,
        error: APIError,
        *,
        retryable: bool,
        headers: Mapping[str, str] | None,
        retries_taken: int,
    ) -> bool:
        """Decide on a retry after ``error``; if there is one, log it and sleep, and return True.

        If not, the error gets ``retries_taken`` and, when the server asked for too long a wait,
        a note saying so; return False. The one retry decision for plain calls and streams.
        """
        decision = decide(
            retries_taken=retries_taken,
            max_retries=self.max_retries,
            max_retry_wait=self.max_retry_wait,
            retryable=retryable,
            headers=headers,
            random=self.random,
        )
        if not decision.retry:
            error.retries_taken = retries_taken
            logger.debug(
                "%s %s failed (%s); not retried (retries: %d)",
                request.method,
                request.url.path,
                _short(error),
                retries_taken,
            )
            if decision.too_long and isinstance(error, APIStatusError):
                error.message += (
                    f" (the server asked to wait {decision.asked:.1f}s before retrying, longer"
                    f" than max_retry_wait={self.max_retry_wait:g}s; not retried)"
                )
            return False
        logger.debug(
            "%s %s failed (%s); retry %d of %d in %.2fs",
            request.method,
            request.url.path,
            _short(error),
            retries_taken + 1,
            self.max_retries,
            decision.wait,
        )
        await self.sleep(decision.wait)
        return True

    async def _attempt(
        self, request: httpx.Request, stream: bool
    ) -> httpx.Response | tuple[APIError, bool, Mapping[str, str] | None]:
        try:
            with map_httpx_exceptions(request):
                response = await self.http.send(request, stream=True)
        except APIConnectionError as error:
            return error, True, None
        if response.is_success and stream:
            return response
        request_id = response.headers.get("request-id")
        # Bounded reading (body.py): decoded in steps, and an error body only up to a limit.
        limit = None if response.is_success else MAX_ERROR_BODY_BYTES
        try:
            with map_httpx_exceptions(request, request_id=request_id):
                raw, cut = await read_body(response, limit=limit)
        except APIConnectionError as error:
            return error, True, None
        except APIError as error:  # a body not decodable in bounded steps: not retried
            error.request_id = error.request_id or request_id
            raise
        finally:
            await response.aclose()
        if response.is_success:
            response._content = raw  # what aread() would have stored: .content and .text work
            return response
        logger.debug("%s %s -> %d", request.method, request.url.path, response.status_code)
        headers = response.headers
        status = status_error(
            response.status_code, headers, raw, request_id=request_id, response=response, cut=cut
        )
        return status, should_retry_status(response.status_code, headers), headers


def _short(error: APIError) -> str:
    if isinstance(error, APIStatusError):
        return f"{error.status_code} {error.error_type or ''}".strip()
    return f"{type(error).__name__}: {error.message}"
