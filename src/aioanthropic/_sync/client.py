"""``Client`` (alias ``Anthropic``): the blocking client, over an ``AsyncClient`` on its own loop.

The ``AsyncClient`` (and so its ``httpx.AsyncClient`` and connection pool) is created on the
client's loop thread and only ever used there; every method call is forwarded to it through
``LoopThread.call``. ``copy()`` / ``with_options()`` share both the loop and the pool.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import httpx

from aioanthropic._client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, AsyncClient
from aioanthropic._protocol.not_given import strip_not_given
from aioanthropic._resources.base import Parsed

from .loop import ClosesThroughLoop, LoopThread
from .resources import Messages, Models


def _shutdown(loop: LoopThread, client: AsyncClient, owns_loop: bool) -> None:
    # Runs at close(), or when an unclosed Client is garbage collected or the interpreter
    # exits (weakref.finalize): close the pool on its own loop, then stop the loop.
    if loop.closed or loop.in_loop_thread():
        return
    try:
        loop.call(client.aclose)
    finally:
        if owns_loop:
            loop.close()


class Client(ClosesThroughLoop):
    """A synchronous client for the Anthropic Messages API and compatible gateways.

    The same resources and methods as ``AsyncClient``, blocking: ``client.messages.create(...)``
    returns the ``Message``. Arguments are ``AsyncClient``'s (``api_key``, ``auth_token``,
    ``base_url``, ``timeout`` in seconds, ``max_retries``, ``default_headers``,
    ``default_query``, and the others it documents). ``http_client`` must be an
    ``httpx.AsyncClient``: the requests run on this client's event loop thread.

    Use ``with Client() as client:`` or call ``close()``; a client never closed is closed when
    it is garbage collected or at interpreter exit. Safe to share between threads: concurrent
    calls run concurrently on the one loop. ``KeyboardInterrupt`` during a call cancels its
    request and frees its connection. Calling it from its own loop thread (for example from an
    ``on_progress`` callback) raises ``RuntimeError`` instead of deadlocking.
    """

    messages: Messages[Parsed]
    models: Models[Parsed]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx.AsyncClient | None = None,
        **options: Any,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx.AsyncClient (the sync Client sends its requests "
                f"from its own event loop thread), got {type(http_client).__name__}"
            )
        kwargs = strip_not_given(
            {
                "api_key": api_key,
                "auth_token": auth_token,
                "base_url": base_url,
                "timeout": timeout,
                "max_retries": max_retries,
                "default_headers": default_headers,
                "default_query": default_query,
                "http_client": http_client,
                **options,
            }
        )
        loop = LoopThread()
        try:
            client = loop.call(lambda: AsyncClient(**kwargs))
        except BaseException:
            loop.close()
            raise
        self._setup(loop, client, owns_loop=True)

    @classmethod
    def _over(cls, loop: LoopThread, client: AsyncClient) -> Client:
        self = cls.__new__(cls)
        self._setup(loop, client, owns_loop=False)
        return self

    def _setup(self, loop: LoopThread, client: AsyncClient, *, owns_loop: bool) -> None:
        self._loop = loop
        self._async = client
        self.messages = Messages(loop, client.messages, Parsed)
        self.models = Models(loop, client.models, Parsed)
        self._finalizer = weakref.finalize(self, _shutdown, loop, client, owns_loop)

    # --- configuration -----------------------------------------------------------------------

    @property
    def async_client(self) -> AsyncClient:
        """The ``AsyncClient`` underneath (use it only on this client's loop thread)."""
        return self._async

    @property
    def base_url(self) -> str:
        return self._async.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._async.timeout

    @property
    def max_retries(self) -> int:
        return self._async.max_retries

    @property
    def default_headers(self) -> dict[str, str]:
        return self._async.default_headers

    @property
    def default_query(self) -> dict[str, object]:
        return self._async.default_query

    def __getattr__(self, name: str) -> Any:
        # The rest of AsyncClient's read-only configuration (max_retry_wait, idle_timeout...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._async, name)

    def copy(self, **options: Any) -> Client:
        """A client with these ``AsyncClient`` arguments changed, sharing this client's loop
        thread and connection pool (see ``AsyncClient.copy``)."""
        return Client._over(self._loop, self._loop.call(lambda: self._async.copy(**options)))

    with_options = copy

    # --- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool (unless passed in) and stop the loop thread; a copy
        closes only what it owns (nothing: the pool and the loop are the original's)."""
        # Not ClosesThroughLoop's close: through the finalizer, which also stops the loop and
        # runs once whether close(), the garbage collector or interpreter exit comes first.
        self._finalizer()

    def __repr__(self) -> str:
        return f"<Client base_url={self.base_url!r}>"


Anthropic = Client
"""The official SDK's name for the sync client: the same class."""
