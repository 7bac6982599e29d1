"""The one place where httpx's exceptions become ours, and error responses become errors.

``map_httpx_exceptions`` wraps every await on httpx (sending, reading a body, reading a stream);
nothing above this module catches an httpx exception. Modelled on httpx's own
``map_httpcore_exceptions`` (httpx/_transports/default.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

import httpx

from aioanthropic._protocol.error_body import parse_error_body
from aioanthropic._protocol.exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    status_error_class,
)
from aioanthropic._protocol.ratelimit import retry_after_seconds

_HINTS = {
    401: "check the API key (ANTHROPIC_API_KEY) or auth token (ANTHROPIC_AUTH_TOKEN)",
    404: "check the model name and the base URL (ANTHROPIC_BASE_URL)",
    413: "the request body is too large; send fewer or smaller messages or attachments",
}


# Lower-case: used like the function it was, ``with map_httpx_exceptions(request):``.
class map_httpx_exceptions:
    """Raise ``APITimeoutError`` / ``APIConnectionError`` for an httpx error in the block.

    The httpx exception is kept as ``__cause__`` for debugging; the message names the request
    (method and path, never headers) and the kind of failure. A class, not a
    ``@contextmanager`` generator: a stream enters it once per read, and at 1,000 concurrent
    streams the generator's setup and teardown were ~5% of the client's time (cProfile,
    benchmarks/README.md, "Fan-out ...": "What was cut").
    """

    __slots__ = ("_request", "_request_id")

    def __init__(self, request: httpx.Request | None, *, request_id: str | None = None) -> None:
        self._request = request
        self._request_id = request_id

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or not isinstance(exc, httpx.HTTPError):
            return
        request, request_id = self._request, self._request_id
        error: APIConnectionError
        if isinstance(exc, httpx.TimeoutException):
            error = APITimeoutError(
                f"Request timed out{_where(request)}: {type(exc).__name__}", request_id=request_id
            )
        else:
            detail = str(exc) or type(exc).__name__
            error = APIConnectionError(
                f"Connection error{_where(request)}: {detail}", request_id=request_id
            )
        error.request = request
        raise error from exc


def _where(request: httpx.Request | None) -> str:
    return f" ({request.method} {request.url.path})" if request is not None else ""


def status_error(
    status_code: int,
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    request_id: str | None,
    response: httpx.Response | None = None,
    cut: bool = False,
) -> APIStatusError:
    """Our error for an HTTP response with an error status (``cut``: the body was read only up
    to a limit; ``response``, when given, becomes its ``.response`` and its request
    ``.request``)."""
    error_type, message, body = parse_error_body(status_code, raw_body, cut=cut)
    hint = _HINTS.get(status_code)
    if hint and hint not in message:
        message = f"{message} ({hint})"
    error = status_error_class(status_code)(
        message,
        status_code=status_code,
        error_type=error_type,
        body=body,
        headers=headers,
        retry_after=retry_after_seconds(headers),
        request_id=request_id,
    )
    if response is not None:
        error.response = response
        error.request = response.request
    return error
