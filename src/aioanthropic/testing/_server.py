"""``FakeServer``: the app on a real loopback socket, served by uvicorn on its own thread.

The thread runs its own asyncio loop, so the test itself may run under asyncio, trio or no
event loop at all. uvicorn installs signal handlers only on the main thread, so a thread is
safe. We bind the socket ourselves (port 0 gives a free port before uvicorn starts) and create
it with IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose ``proto`` says
TCP, and without it every response stalls ~40 ms between headers and body (Nagle + delayed ACK;
measured 44 ms against 2.8 ms per small request on loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import anyio
import anyio.to_thread

try:
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "aioanthropic.testing needs uvicorn: pip install 'aioanthropic[server]'"
    ) from exc

from . import _endpoint_batches
from ._app import TRANSPORT_KEY, App
from ._batch_store import OUTCOMES, BatchStore, SyntheticBatch
from ._endpoint_count_tokens import handle_count_tokens
from ._endpoint_messages import handle_messages
from ._endpoint_models import handle_get_model, handle_list_models
from ._faults import CHUNKINGS, Fault
from ._ratelimit import RateLimits
from ._script import Turn
from ._state import RecordedRequest, ServerState

_START_TIMEOUT = 10.0
_GRACEFUL_STOP = 2.0


_ROUTES = [
    ("POST", "/v1/messages", handle_messages),
    ("POST", "/v1/messages/count_tokens", handle_count_tokens),
    ("GET", "/v1/models", handle_list_models),
    ("GET", "/v1/models/{model_id}", handle_get_model),
    ("POST", "/v1/messages/batches", _endpoint_batches.handle_create_batch),
    ("GET", "/v1/messages/batches", _endpoint_batches.handle_list_batches),
    ("GET", "/v1/messages/batches/{batch_id}", _endpoint_batches.handle_get_batch),
    ("DELETE", "/v1/messages/batches/{batch_id}", _endpoint_batches.handle_delete_batch),
    ("POST", "/v1/messages/batches/{batch_id}/cancel", _endpoint_batches.handle_cancel_batch),
    ("GET", "/v1/messages/batches/{batch_id}/results", _endpoint_batches.handle_batch_results),
]


class _TransportExposingProtocol(H11Protocol):
    """uvicorn's h11 protocol, handing each request its TCP transport.

    ``close_without_response`` and ``drop_after`` need to abort the connection itself: an app
    that raises before responding only gets uvicorn to answer 500 on its behalf.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        app = self.app

        async def with_transport(scope: Any, receive: Any, send: Any) -> None:
            scope["extensions"] = {**(scope.get("extensions") or {}), TRANSPORT_KEY: transport}
            await app(scope, receive, send)

        self.app = with_transport


class _Server(uvicorn.Server):
    """uvicorn's server, woken as soon as it is asked to stop.

    Stock uvicorn polls ``should_exit`` every 0.1 s; a suite that starts a server per test
    would spend most of its time waiting for that tick.
    """

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        # The server thread is uvicorn's own asyncio loop, so asyncio is the right tool here.
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def request_stop(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop may have closed already
                loop.call_soon_threadsafe(wake.set)


class FakeServer:
    """A fake Anthropic API on ``http://127.0.0.1:<free port>``.

    Use ``async with FakeServer() as server:`` in async tests or plain ``with`` in scripts;
    either way the server runs on its own thread and stops when the block ends.

    Endpoints: messages, messages/count_tokens, models, and message batches. Batch options:
    ``batch_processing_delay`` is the time a whole batch takes, its requests answered evenly
    over it (``_batch_store`` has the schedule); ``batch_outcomes`` forces the outcome of the
    requests with these custom_ids ("succeeded", "errored", "expired" or "canceled");
    ``results_base_url`` replaces ``url`` in a batch's ``results_url``, with ``{port}`` standing
    for the server's port (``"http://localhost:{port}"`` is a results host unlike ``url``);
    ``shuffle_batch_results=True`` sends a batch's results in a seeded random order rather than
    request order (the API does not promise an order: match results by ``custom_id``).

    Models: replies name the catalogue id for a known model or alias (``_catalogue``) and echo
    any other name. By default any model name is accepted, so examples can say
    ``model="any-model"``; with ``strict=True`` a name outside the catalogue gets the API's 404
    ``not_found_error`` (messages and count_tokens), as a typo would live. A retired catalogue
    model always gets that 404; a catalogue model's ``capabilities`` decide whether it accepts
    structured output and each ``thinking.type`` (400 otherwise).

    What the fake checks and what it does not is listed in the README's testing section; the
    API's 400 rules it enforces are in ``_rules``.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        fault: Fault | None = None,
        chunking: str = "events",
        seed: int = 0,
        rate_limits: RateLimits | None = None,
        replay: str | os.PathLike[str] | None = None,
        batch_processing_delay: float = 0.2,
        batch_outcomes: Mapping[str, str] | None = None,
        results_base_url: str | None = None,
        strict: bool = False,
        shuffle_batch_results: bool = False,
    ) -> None:
        if chunking not in CHUNKINGS:
            raise ValueError(f"chunking must be one of {CHUNKINGS}, not {chunking!r}")
        if batch_processing_delay < 0:
            raise ValueError("batch_processing_delay must not be negative")
        outcomes = dict(batch_outcomes or {})
        for custom_id, outcome in outcomes.items():
            if outcome not in OUTCOMES:
                raise ValueError(f"batch_outcomes[{custom_id!r}] must be one of {OUTCOMES}")
        self._results_base_url = results_base_url
        self._state = ServerState(
            api_key=api_key,
            fault=fault,
            chunking=chunking,
            seed=seed,
            rate_limits=rate_limits,
            replay=os.fspath(replay) if replay is not None else None,
            batches=BatchStore(
                batch_processing_delay, outcomes, seed if shuffle_batch_results else None
            ),
            strict=strict,
        )
        self._app = App(self._state)
        for method, path, handler in _ROUTES:
            self._app.route(method, path, handler)
        self._uvicorn: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._url: str | None = None

    def __repr__(self) -> str:
        return f"<FakeServer {self._url or 'stopped'}>"

    @property
    def url(self) -> str:
        """Base URL without a trailing slash or ``/v1``."""
        if self._url is None:
            raise RuntimeError("the server is not running; use it as a context manager")
        return self._url

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def disconnects(self) -> int:
        """Responses the client abandoned before their end."""
        with self._state.lock:
            return self._state.disconnects

    @property
    def open_streams(self) -> int:
        with self._state.lock:
            return self._state.open_streams

    def enqueue(self, *faults: Fault) -> None:
        """The next requests to any endpoint, in arrival order, each take one of these faults."""
        self._state.enqueue(faults)

    def script(self, *turns: Turn) -> None:
        """Queue scripted replies: each later POST /v1/messages that reaches the model takes one.

        A request reaches the model once it has passed its fault, the header and body checks
        and the rate-limit budget, so a request failed by a ``Fault`` leaves the script alone
        and its retry gets the turn. Turns are served in order, streamed or not; when none is
        left the deterministic model answers again. ``_script`` has the rules.
        """
        for turn in turns:
            if not isinstance(turn, Turn):
                raise TypeError(f"script() takes Turn values, not {turn!r}")
        self._state.add_turns(turns)

    @property
    def turns_left(self) -> int:
        """Scripted turns not yet served."""
        return self._state.turns_left()

    def add_synthetic_batch(
        self, n_results: int, text_size: int = 100, *, long_text_size: int | None = None
    ) -> str:
        """Add an ended batch whose results are made up as they are sent; return its id.

        Line ``i`` has custom_id ``"req-<i>"`` and is, by ``i % 50``: 1 errored, 2 canceled,
        3 expired, else succeeded with a text of ``text_size`` characters. With
        ``long_text_size``, line ``n_results // 2`` succeeds with a text that long instead. The
        server holds no line whole, so a results body of any size costs it O(1) memory.
        """
        if n_results < 1 or text_size < 0 or (long_text_size or 0) < 0:
            raise ValueError("n_results must be positive and sizes not negative")
        batch = SyntheticBatch(
            id=self._state.next_id("msgbatch"),
            created=time.time(),
            n_results=n_results,
            text_size=text_size,
            long_index=None if long_text_size is None else n_results // 2,
            long_text_size=long_text_size or 0,
        )
        self._state.batches.add(batch)
        return batch.id

    # A timeout argument rather than fail_after: callers get TimeoutError with the count seen.
    async def wait_for_disconnects(self, n: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``n`` disconnects were seen; TimeoutError when ``timeout`` runs out."""
        deadline = anyio.current_time() + timeout
        while self.disconnects < n:
            if anyio.current_time() >= deadline:
                raise TimeoutError(f"saw {self.disconnects} disconnects, expected {n}")
            await anyio.sleep(0.01)

    def _start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.bind(("127.0.0.1", 0))
            sock.listen(128)
            config = uvicorn.Config(
                self._app,
                http=_TransportExposingProtocol,
                loop="asyncio",
                lifespan="off",
                log_level="warning",
                log_config=None,
                access_log=False,
                # Streams still open at exit were abandoned by the test; don't wait long.
                timeout_graceful_shutdown=1,
            )
            server = _Server(config)
            thread = threading.Thread(
                target=server.run,
                kwargs={"sockets": [sock]},
                name="aioanthropic-fake-server",
                daemon=True,
            )
            thread.start()
            deadline = time.monotonic() + _START_TIMEOUT
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    server.should_exit = True
                    raise RuntimeError("the fake server failed to start")
                time.sleep(0.002)
        except BaseException:
            sock.close()
            raise
        self._uvicorn, self._thread, self._socket = server, thread, sock
        port = sock.getsockname()[1]
        self._url = f"http://127.0.0.1:{port}"
        base = self._results_base_url or self._url
        self._state.results_base = base.replace("{port}", str(port)).rstrip("/")

    def _stop(self) -> None:
        server, thread = self._uvicorn, self._thread
        if server is None or thread is None:
            return
        server.request_stop()
        thread.join(_GRACEFUL_STOP)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_GRACEFUL_STOP)
        if self._socket is not None:
            self._socket.close()
        self._uvicorn = self._thread = self._socket = self._url = None

    def __enter__(self) -> FakeServer:
        self._start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop()

    async def __aenter__(self) -> FakeServer:
        await anyio.to_thread.run_sync(self._start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Shielded: a cancelled test must still stop its server rather than leak the thread.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(self._stop)
