"""``AiohttpTransport``: an ``httpx.AsyncBaseTransport`` that sends requests with aiohttp.

Chosen with ``AsyncClient(http_backend="aiohttp")`` (the ``[aiohttp]`` extra); imported only
then. httpx keeps everything above the transport (the ``Request`` and ``Response`` objects,
content decoding, our exception mapping in ``errors.py``); aiohttp only moves bytes. Measured
(benchmarks/README.md, "Concurrency"): at 1,000 concurrent streams through one client httpcore's
pool was the largest per-request cost.

How the httpx contract is kept
------------------------------
* Limits (``httpx.Limits``): ``max_connections`` bounds the requests in flight with a
  semaphore (so waiting for it is the *pool* timeout, exactly httpx's meaning);
  ``max_keepalive_connections`` caps the idle connections aiohttp keeps (its connector has no
  such cap: ``_CappedConnector`` closes a released connection when the cap is reached);
  ``keepalive_expiry`` is aiohttp's ``keepalive_timeout``.
* Timeouts come per request from ``request.extensions["timeout"]`` as httpx sets them:
  ``connect`` -> aiohttp's connect timeout, ``read`` -> ``sock_read`` (between two socket
  reads), ``write`` -> a deadline on writing the body, ``pool`` -> the wait for the semaphore.
* Errors: every aiohttp exception becomes the httpx exception class httpcore would raise for the
  same failure (``_map``): a refused connection is ``ConnectError``, not a timeout.
* The body reaches httpx as aiohttp receives it (``readany``: whatever the socket delivered,
  no block-size waits), so a paced stream's events are not held back.
* asyncio only: aiohttp runs on asyncio, so under trio the client refuses with
  ``UnsupportedBackendError`` (at construction inside trio, else at the first request).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import aiohttp
import anyio
import httpx
from aiohttp.payload import BytesPayload
from yarl import URL

from aioanthropic._protocol.exceptions import UnsupportedBackendError

__all__ = ["AiohttpTransport", "check_asyncio"]

_TRIO_MESSAGE = (
    'http_backend="aiohttp" runs on asyncio only, and this is trio: use the default '
    'http_backend="httpx", which runs on both'
)


def check_asyncio(*, outside_ok: bool) -> None:
    """Raise ``UnsupportedBackendError`` when running under trio (aiohttp needs asyncio).

    Outside any event loop, pass when ``outside_ok`` (a client may be built before the loop
    starts), else raise as well.
    """
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
        else:
            raise UnsupportedBackendError(_TRIO_MESSAGE)
    if outside_ok:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise UnsupportedBackendError(
            'http_backend="aiohttp" needs a running asyncio event loop'
        ) from None


class _CappedConnector(aiohttp.TCPConnector):
    """A ``TCPConnector`` that keeps at most ``max_keepalive`` idle connections in all."""

    def __init__(self, *, max_keepalive: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._max_keepalive = max_keepalive

    def _release(self, key: Any, protocol: Any, *, should_close: bool = False) -> None:
        if not should_close and self._max_keepalive is not None:
            idle = sum(len(conns) for conns in self._conns.values())
            should_close = idle >= self._max_keepalive
        super()._release(key, protocol, should_close=should_close)


class _TimedBody(BytesPayload):
    """The request body, written under httpx's write timeout (aiohttp has none)."""

    def __init__(self, value: bytes, write_timeout: float | None) -> None:
        super().__init__(value)
        self._write_timeout = write_timeout

    async def write_with_length(self, writer: Any, content_length: int | None) -> None:
        with anyio.move_on_after(_forever(self._write_timeout)) as scope:
            await super().write_with_length(writer, content_length)
        if scope.cancelled_caught:
            # aiohttp wraps what the body writer raises in a ClientConnectionError whose
            # __cause__ is this; _map finds it there.
            raise httpx.WriteTimeout("Timed out writing the request body")


class _ResponseStream(httpx.AsyncByteStream):
    """The response body as aiohttp receives it; closing gives the connection back (or
    closes it if the body was not read to the end)."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        request: httpx.Request,
        slot: asyncio.Semaphore | None,
    ) -> None:
        self._response = response
        self._request = request
        self._slot = slot

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        request = self._request
        while True:
            try:
                chunk = await content.readany()
            except Exception as exc:
                raise _map(exc, request, reading=True) from exc
            if not chunk:
                return
            yield chunk

    async def aclose(self) -> None:
        slot, self._slot = self._slot, None
        self._response.release()
        if slot is not None:
            slot.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests over one ``aiohttp.ClientSession`` (created at the first request,
    in the running event loop; closed by ``aclose``)."""

    def __init__(self, *, limits: httpx.Limits) -> None:
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._slots = (
            asyncio.Semaphore(limits.max_connections)
            if limits.max_connections is not None
            else None
        )
        self._closed = False

    def _open_session(self) -> aiohttp.ClientSession:
        check_asyncio(outside_ok=False)
        if self._closed:
            raise RuntimeError("The transport was closed")
        limits = self._limits
        connector = _CappedConnector(
            max_keepalive=limits.max_keepalive_connections,
            limit=0,  # the semaphore bounds connections in use (see the module docstring)
            limit_per_host=0,
            keepalive_timeout=limits.keepalive_expiry,
            enable_cleanup_closed=False,
        )
        # httpx decodes content-encoding and builds every header itself: aiohttp adds none.
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open_session()
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        slot = self._slots
        if slot is not None:
            if slot.locked():
                with anyio.move_on_after(_forever(timeouts.get("pool"))) as scope:
                    await slot.acquire()
                if scope.cancelled_caught:
                    raise httpx.PoolTimeout(
                        "Timed out waiting for a connection from the pool", request=request
                    )
            else:
                await slot.acquire()  # a free slot: returns at once
        try:
            body = request.content if isinstance(request.stream, httpx.ByteStream) else None
            if body is None:
                body = await request.aread()
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=_TimedBody(body, timeouts.get("write")) if body else None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=timeouts.get("connect"), sock_read=timeouts.get("read")
                ),
            )
        except BaseException as exc:
            if slot is not None:
                slot.release()
            if isinstance(exc, Exception):
                raise _map(exc, request, reading=False) from exc
            raise
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_ResponseStream(response, request, slot),
            extensions={
                "http_version": b"HTTP/%d.%d" % tuple(response.version or (1, 1)),
                "reason_phrase": (response.reason or "").encode("ascii", "replace"),
            },
        )

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        await self.aclose()


def _forever(timeout: float | None) -> float:
    return float("inf") if timeout is None else timeout


def _map(exc: Exception, request: httpx.Request, *, reading: bool) -> Exception:
    """The httpx exception for an aiohttp one, as httpcore would raise for the same failure
    (httpx/_transports/default.py maps httpcore's; this maps aiohttp's)."""
    if isinstance(exc, httpx.HTTPError | UnsupportedBackendError):
        return exc
    cause = exc.__cause__
    if isinstance(cause, httpx.WriteTimeout):
        return httpx.WriteTimeout(str(cause), request=request)  # a new one: no cause cycle
    message = str(exc) or type(exc).__name__
    cls: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        cls = httpx.ConnectTimeout
    elif isinstance(exc, aiohttp.ServerTimeoutError | asyncio.TimeoutError):
        cls = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        cls = httpx.ConnectError  # refused, unreachable, DNS, TLS handshake
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        cls = httpx.RemoteProtocolError  # closed before a whole response / body
    elif isinstance(exc, aiohttp.ClientResponseError):
        cls = httpx.RemoteProtocolError  # a response aiohttp could not parse
    elif isinstance(exc, aiohttp.InvalidURL):
        cls = httpx.UnsupportedProtocol
    elif isinstance(exc, aiohttp.ClientConnectionError | OSError):
        # Before the response, aiohttp reports a failed body write with the OSError as cause.
        writing = not reading and isinstance(cause, OSError)
        cls = httpx.WriteError if writing else httpx.ReadError
    else:
        return exc  # not a transport failure (a bug): let it show as itself
    return cls(message, request=request)
