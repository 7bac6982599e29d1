"""``AsyncClient``: configuration, the shared HTTP connection pool, and the API resources."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import httpx

from ._http.requester import Requester, as_timeout
from ._messages_helpers import MessagesWithHelpers
from ._protocol.credentials import check_credential
from ._protocol.not_given import accepts_not_given, strip_not_given
from ._protocol.request import DEFAULT_BASE_URL
from ._protocol.sse import DEFAULT_MAX_EVENT_BYTES
from ._resources.base import Parsed
from ._resources.models import Models

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._http.observe import CallObserver
    from ._ratelimiter import RateLimiter

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_RETRY_WAIT = 60.0
# Streams hold a connection for their whole life, so the pool must admit as many as the
# caller runs at once; keep-alive is capped lower because every idle connection in httpcore's
# pool costs a little on each request. Measured (benchmarks/README.md, "Concurrency": 500
# concurrent 200-delta streams over loopback, one client, wire events/s): 1000/100 gave
# 11.9k-17.2k; httpx's default 100/20 6.9k (requests queue behind the pool, whose work grows
# with queued requests x connections); 250/100 5.2k with 13 of 500 streams timing out;
# 1000/1000 6.1k-6.3k (every idle connection kept costs on each pool operation).
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)

HTTPBackend = Literal["httpx", "aiohttp"]


class AsyncClient:
    """An async client for the Anthropic Messages API and compatible gateways.

    Use it as an async context manager, or call :meth:`aclose` when done. Credentials and the
    base URL fall back to ``ANTHROPIC_API_KEY``, ``ANTHROPIC_AUTH_TOKEN`` and
    ``ANTHROPIC_BASE_URL``; a client with neither credential fails at its first request.

    ``timeout`` is in seconds (or an ``httpx.Timeout``); ``max_retry_wait`` is the longest wait
    in seconds a server may ask for before a retry; ``idle_timeout`` (seconds, streams only)
    bounds the time without an event other than ``ping``; ``max_event_bytes`` bounds one line
    or event of a stream (``EventTooLargeError`` past it). ``transport`` is the
    ``httpx.AsyncBaseTransport`` of the client's own pool, as in ``httpx.AsyncClient(transport=)``
    (e.g. ``aioanthropic.testing.ReplayTransport`` for tests without sockets); ``http_client``
    instead hands over a whole ``httpx.AsyncClient``, which the caller then closes (pass one or
    the other). ``_sleep`` and ``_random`` replace the retry loop's sleep and jitter source, for
    tests.

    ``http_backend`` picks what moves the bytes of the pool the client creates: ``"httpx"``
    (httpcore; asyncio and trio) or ``"aiohttp"`` (the ``aioanthropic[aiohttp]`` extra;
    asyncio only, faster with hundreds of concurrent streams: benchmarks/README.md). Both
    take the same limits and timeouts and raise the same errors. Raises ``ValueError`` for
    another name or together with ``http_client`` or ``transport``, ``UnsupportedBackendError``
    for aiohttp under trio, ``ImportError`` when aiohttp is not installed.

    ``rate_limiter`` paces message calls on the client side (``aioanthropic.RateLimiter``; one
    may serve several clients). ``telemetry=True`` records an OpenTelemetry span and metrics
    per message call, following the GenAI semantic conventions (needs the ``[otel]`` extra);
    message content goes into spans only with ``capture_content=True``. With telemetry off,
    OpenTelemetry is not imported.
    """

    messages: MessagesWithHelpers[Parsed]
    models: Models[Parsed]

    @accepts_not_given
    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        anthropic_version: str = "2023-06-01",
        idle_timeout: float | None = None,
        results_use_base_url: bool = False,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        http_backend: HTTPBackend = "httpx",
        rate_limiter: RateLimiter | None = None,
        telemetry: bool = False,
        capture_content: bool = False,
        _sleep: Callable[[float], Awaitable[None]] | None = None,
        _random: Callable[[], float] | None = None,
    ) -> None:
        # The arguments as given, for copy() / with_options() (never shown: they hold keys).
        self._init_kwargs = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if not _is_seconds(max_retry_wait):
            raise ValueError(
                f"max_retry_wait must be a number of seconds >= 0, got {max_retry_wait!r}"
            )
        if http_client is not None and transport is not None:
            raise ValueError("pass transport= or http_client=, not both (a client has its own)")
        # os.environ is an in-memory mapping: reading it never blocks the event loop.
        resolved_key = api_key if api_key is not None else os.environ.get("ANTHROPIC_API_KEY")
        resolved_token = (
            auth_token if auth_token is not None else os.environ.get("ANTHROPIC_AUTH_TOKEN")
        )
        key_source = None if api_key is not None else "ANTHROPIC_API_KEY"
        token_source = None if auth_token is not None else "ANTHROPIC_AUTH_TOKEN"
        check_credential("api_key", resolved_key, source=key_source)
        check_credential("auth_token", resolved_token, source=token_source)
        resolved_base = (
            base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL
        ).rstrip("/")
        parts = urlsplit(resolved_base)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            # Else "localhost:8080" (scheme "localhost") is sent, retried as a connection error.
            where = "base_url" if base_url else "ANTHROPIC_BASE_URL"
            raise ValueError(
                f"{where} must be an absolute http:// or https:// URL"
                f" (e.g. http://localhost:8080), got {resolved_base!r}"
            )
        resolved_timeout = as_timeout(timeout)
        if capture_content and not telemetry:
            raise ValueError("capture_content=True needs telemetry=True")
        observers: list[CallObserver] = []
        if rate_limiter is not None:
            observers.append(rate_limiter._observer)
        if telemetry:
            observers.append(_telemetry_observer(capture_content))
        self._rate_limiter = rate_limiter
        self._telemetry = telemetry
        self._capture_content = capture_content
        self._owns_http = http_client is None
        transport = _transport(http_backend, http_client, transport)
        self._http_backend = http_backend
        # Redirects are not followed: httpx drops Authorization on a cross-origin redirect but
        # would send x-api-key to whatever host a redirect names.
        self._http = http_client or httpx.AsyncClient(
            timeout=resolved_timeout,
            limits=DEFAULT_LIMITS,
            follow_redirects=False,
            transport=transport,
        )
        self._requester = Requester(
            self._http,
            api_key=resolved_key,
            auth_token=resolved_token,
            base_url=resolved_base,
            timeout=resolved_timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            anthropic_version=anthropic_version,
            default_headers=default_headers or {},
            idle_timeout=idle_timeout,
            # Gateways proxy the API under their own host, but the results_url of a batch
            # names the upstream host; this sends results requests to base_url instead.
            results_use_base_url=results_use_base_url,
            max_event_bytes=max_event_bytes,
            default_query=default_query,
            sleep=_sleep,
            random=_random,
            observers=observers,
        )
        self.messages = MessagesWithHelpers(self._requester, Parsed)
        self.models = Models(self._requester, Parsed)

    # --- configuration (read-only; make another client to change it) -------------------------

    @property
    def base_url(self) -> str:
        return self._requester.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._requester.timeout

    @property
    def max_retries(self) -> int:
        return self._requester.max_retries

    @property
    def max_retry_wait(self) -> float:
        return self._requester.max_retry_wait

    @property
    def anthropic_version(self) -> str:
        return self._requester.anthropic_version

    @property
    def idle_timeout(self) -> float | None:
        return self._requester.idle_timeout

    @property
    def results_use_base_url(self) -> bool:
        return self._requester.results_use_base_url

    @property
    def max_event_bytes(self) -> int:
        return self._requester.max_event_bytes

    @property
    def http_backend(self) -> HTTPBackend:
        return self._http_backend

    def rate_limiter(self) -> RateLimiter | None:
        return self._rate_limiter

    @property
    def telemetry(self) -> bool:
        return self._telemetry

    @property
    def capture_content(self) -> bool:
        return self._capture_content

    @property
    def default_headers(self) -> dict[str, str]:
        return dict(self._requester.default_headers)

    @property
    def default_query(self) -> dict[str, object]:
        """Query parameters sent with every request (a call's ``extra_query`` wins)."""
        return dict(self._requester.default_query)

    def copy(self, **options: Any) -> Self:
        """A client with these constructor arguments changed and the others as this one's,
        sharing this client's connection pool (``http_client``) unless one is given.

        Closing the copy leaves the shared pool open; closing this client closes it for both.
        """
        kwargs = {**self._init_kwargs, **strip_not_given(options)}
        if kwargs.get("http_client") is None and "transport" not in options:
            kwargs["http_client"] = self._http
            kwargs["transport"] = None  # the shared pool already wraps the original transport
        return type(self)(**kwargs)

    with_options = copy

    def __repr__(self) -> str:
        # Credentials are deliberately absent: reprs end up in logs and tracebacks.
        return f"<AsyncClient base_url={self.base_url!r}>"

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in as ``http_client``)."""
        if self._owns_http:
            await self._http.aclose()

    async def close(self) -> None:
        """The same as ``aclose()`` (the official SDK's name)."""
        await self.aclose()


def _transport(
    http_backend: str,
    http_client: httpx.AsyncClient | None,
    transport: httpx.AsyncBaseTransport | None,
) -> httpx.AsyncBaseTransport | None:
    """The transport of the client's own pool: ``transport``, or the one ``http_backend``
    names (None: httpx's own, httpcore)."""
    if http_backend not in ("httpx", "aiohttp"):
        raise ValueError(f'http_backend must be "httpx" or "aiohttp", got {http_backend!r}')
    if http_backend == "httpx":
        return transport
    if http_client is not None or transport is not None:
        raise ValueError(
            "http_backend applies to the pool the client creates; with http_client= or "
            "transport=, give that the transport you want instead"
        )
    try:
        from ._http.aiohttp_transport import AiohttpTransport, check_asyncio
    except ImportError as exc:
        raise ImportError(
            f'http_backend="aiohttp" needs aiohttp: pip install "aioanthropic[aiohttp]" ({exc})'
        ) from exc
    check_asyncio(outside_ok=True)
    return AiohttpTransport(limits=DEFAULT_LIMITS)


def _telemetry_observer(capture_content: bool) -> CallObserver:
    # Imported only here: without telemetry, OpenTelemetry is never imported.
    try:
        from ._telemetry import Telemetry
    except ImportError as error:
        if not (error.name or "").startswith("opentelemetry"):
            raise
        raise ImportError(
            "AsyncClient(telemetry=True) needs the OpenTelemetry API: "
            "pip install 'aioanthropic[otel]'"
        ) from error
    return Telemetry(capture_content=capture_content)


AsyncAnthropic = AsyncClient
"""The official SDK's name for the async client: the same class."""


def _is_seconds(value: object) -> bool:
    """A finite, non-negative number of seconds (not a bool, not a string)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value >= 0
        and value != float("inf")
        and value == value  # not NaN
    )
