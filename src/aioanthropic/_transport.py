"""Sending a request: the retry loop, and the one place where httpx errors become ours.

Everything that can go wrong on the wire passes through :func:`translate_http_error` or
:func:`status_error`; callers above this module only ever see the ``_exceptions`` tree.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping

import anyio
import httpx

from ._error_body import parse_error_body
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    status_error_class,
)
from ._retry import decide, retry_after_seconds, should_retry_status

logger = logging.getLogger("aioanthropic")

_HINTS = {
    401: "check the API key (ANTHROPIC_API_KEY) or auth token (ANTHROPIC_AUTH_TOKEN)",
    404: "check the model name and the base URL (ANTHROPIC_BASE_URL)",
    413: "the request body is too large; send fewer or smaller messages or attachments",
}


def translate_http_error(
    exc: httpx.HTTPError, request: httpx.Request | None, *, request_id: str | None = None
) -> APIError:
    """Our error for an httpx error raised while sending or reading a response."""
    where = f" ({request.method} {request.url.path})" if request is not None else ""
    if isinstance(exc, httpx.TimeoutException):
        kind = type(exc).__name__
        return APITimeoutError(f"Request timed out{where}: {kind}", request_id=request_id)
    detail = str(exc) or type(exc).__name__
    return APIConnectionError(f"Connection error{where}: {detail}", request_id=request_id)


def status_error(
    status_code: int,
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    request_id: str | None,
) -> APIStatusError:
    """Our error for an HTTP response with an error status."""
    error_type, message, body = parse_error_body(status_code, raw_body)
    hint = _HINTS.get(status_code)
    if hint and hint not in message:
        message = f"{message} ({hint})"
    return status_error_class(status_code)(
        message,
        status_code=status_code,
        error_type=error_type,
        body=body,
        headers=headers,
        retry_after=retry_after_seconds(headers),
        request_id=request_id,
    )


class Transport:
    """Sends requests through an ``httpx.AsyncClient`` with the retry policy of ``_retry``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_retries: int,
        max_retry_wait: float,
        random_fn: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.http = http
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.random = random_fn
        self.sleep = sleep

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        max_retries: int | None = None,
        retries_taken: int = 0,
    ) -> tuple[httpx.Response, int]:
        """Send ``request`` until it succeeds or the policy gives up.

        Returns the response and the number of retries taken. With ``stream=False`` the body
        has been read and the response closed; with ``stream=True`` the caller owns the open
        response and must close it.
        """
        limit = self.max_retries if max_retries is None else max_retries
        while True:
            outcome = await self._attempt(request, stream)
            if isinstance(outcome, httpx.Response):
                return outcome, retries_taken
            decision = decide(
                retries_taken=retries_taken,
                max_retries=limit,
                max_retry_wait=self.max_retry_wait,
                retryable=outcome.retryable,
                headers=outcome.headers,
                random=self.random,
            )
            error = outcome.error
            if not decision.retry:
                error.retries_taken = retries_taken
                if decision.too_long and isinstance(error, APIStatusError):
                    error.message += (
                        f" (the server asked to wait {decision.asked:.1f}s before retrying, longer"
                        f" than max_retry_wait={self.max_retry_wait:g}s; not retried)"
                    )
                raise error
            retries_taken += 1
            logger.debug(
                "%s %s failed (%s); retry %d of %d in %.2fs",
                request.method,
                request.url.path,
                _short(error),
                retries_taken,
                limit,
                decision.wait,
            )
            await self.sleep(decision.wait)

    async def _attempt(self, request: httpx.Request, stream: bool) -> httpx.Response | _Failure:
        try:
            response = await self.http.send(request, stream=True)
        except httpx.HTTPError as exc:
            return _Failure(translate_http_error(exc, request), retryable=True)

        if response.is_success and stream:
            return response
        request_id = response.headers.get("request-id")
        try:
            raw = await response.aread()
        except httpx.HTTPError as exc:
            error = translate_http_error(exc, request, request_id=request_id)
            return _Failure(error, retryable=True)
        finally:
            await response.aclose()
        if response.is_success:
            return response
        logger.debug("%s %s -> %d", request.method, request.url.path, response.status_code)
        headers = response.headers
        return _Failure(
            status_error(response.status_code, headers, raw, request_id=request_id),
            retryable=should_retry_status(response.status_code, headers),
            headers=headers,
        )


class _Failure:
    """A failed attempt: the error to raise if no retry follows, and what decides the retry."""

    __slots__ = ("error", "headers", "retryable")

    def __init__(
        self, error: APIError, *, retryable: bool, headers: Mapping[str, str] | None = None
    ) -> None:
        self.error = error
        self.retryable = retryable
        self.headers = headers


def _short(error: APIError) -> str:
    if isinstance(error, APIStatusError):
        return f"{error.status_code} {error.error_type or ''}".strip()
    return type(error).__name__
