"""``RawResponse``: a response with its HTTP metadata, parsed only when asked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar, cast

import httpx

from aioanthropic._protocol.ratelimit import RateLimitInfo, parse_rate_limit

from .observe import CallProbe

T = TypeVar("T")
_UNPARSED = object()


@dataclass(frozen=True)
class APICall(Generic[T]):
    """One request and how to turn its (successful) response into a result.

    Resources describe their calls this way; the requester executes a call either straight to
    the result or to a ``RawResponse``, so that no method is written twice.
    """

    request: httpx.Request
    parse: Callable[[httpx.Response, int], Awaitable[T]]
    """Called with the response and the number of retries taken. The body has been read,
    unless ``stream`` is set: then the response is open and ``parse`` owns it."""
    stream: bool = False
    attach: Callable[[T, float, tuple[CallProbe, ...]], None] | None = None
    """For a result that outlives the call (a stream): called with it, the ``perf_counter``
    time the request was sent, and the call's probes, whose ``on_end`` it then owns."""


class RawResponse(Generic[T]):
    """What ``.with_raw_response.<method>(...)`` returns: the HTTP exchange, and ``parse()``.

    The body has been read and the connection released; a bad status has already been raised
    as an ``APIStatusError``, exactly as without ``with_raw_response``.
    """

    def __init__(self, response: httpx.Response, retries_taken: int, call: APICall[T]) -> None:
        self.http_response = response
        self.retries_taken = retries_taken
        self._call = call
        self._parsed: object = _UNPARSED

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        request_id: str | None = self.headers.get("request-id")
        return request_id

    @property
    def elapsed(self) -> timedelta:
        """From sending the last attempt's request to having read its whole response (the
        waits between retries are not included)."""
        return self.http_response.elapsed

    @property
    def rate_limit(self) -> RateLimitInfo:
        return parse_rate_limit(self.headers)

    async def parse(self) -> T:
        """The result the method returns without ``with_raw_response`` (validated once)."""
        if self._parsed is _UNPARSED:
            self._parsed = await self._call.parse(self.http_response, self.retries_taken)
        return cast(T, self._parsed)

    def __repr__(self) -> str:
        request = self.http_response.request
        return (
            f"<RawResponse {request.method} {request.url.path} {self.status_code} "
            f"request_id={self.request_id!r}>"
        )
