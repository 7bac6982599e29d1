"""A raw ASGI app with a tiny router, and ``Exchange``, the handlers' view of one request.

No framework: handlers are ``async def handler(exchange)`` registered under (method, path), so
other endpoints (count_tokens, models, batches) can live in their own modules. A path segment
written ``{name}`` matches any one segment, handed over in ``exchange.params``; exact paths are
looked up first.

While a handler runs, a sibling task waits on ASGI ``receive`` for ``http.disconnect``. If it
arrives before the handler has finished its response, the client went away: the server counts
a disconnect and cancels the handler. Deliberate aborts (``Exchange.abort``) are not counted.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol
from urllib.parse import unquote

import anyio
import anyio.lowlevel

from ._faults import error_envelope
from ._rules import VERSIONS
from ._state import RecordedRequest, ServerState

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[["Exchange"], Awaitable[None]]

TRANSPORT_KEY = "fake.transport"


class _Transport(Protocol):
    def abort(self) -> None: ...


class Exchange:
    """One request and the means to answer it; every response gets the common headers."""

    def __init__(
        self, scope: Scope, send: Send, state: ServerState, request: RecordedRequest
    ) -> None:
        self.state = state
        self.request = request
        self.request_id = state.next_id("req")
        self.finished = False
        # Headers a fault asks for (retry hints) go on whatever response this request gets.
        self.extra_headers: list[tuple[str, str]] = []
        self.gone = anyio.Event()
        self.params: dict[str, str] = {}
        self._send = send
        self._transport: _Transport | None = scope.get("extensions", {}).get(TRANSPORT_KEY)

    def common_headers(self) -> list[tuple[str, str]]:
        common = [("request-id", self.request_id), *self.state.rate_limit_headers()]
        return common + self.extra_headers

    async def start(
        self, status: int, content_type: str, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        raw = [("content-type", content_type), *self.common_headers(), *headers]
        await self._send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in raw],
            }
        )

    async def write(self, data: bytes) -> None:
        # uvicorn's send only yields when the socket's buffer is full, so a stream written in
        # one go never let the loop run the transport's connection_lost: a client that left
        # went unnoticed (no disconnect counted) and asyncio logged "socket.send() raised
        # exception." for every later write. A checkpoint lets the disconnect watcher see it.
        # It comes before the write, not after, so that the last write and finish() still
        # follow each other with no yield between (a client that has read message_stop finds
        # the stream already closed on the server's side).
        await anyio.lowlevel.checkpoint()
        await self._send({"type": "http.response.body", "body": data, "more_body": True})

    async def finish(self, data: bytes = b"") -> None:
        # Mark first: the final send completes the response, which wakes the disconnect
        # watcher with an http.disconnect that is not the client leaving.
        self.finished = True
        await self._send({"type": "http.response.body", "body": data, "more_body": False})

    async def send_bytes(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        await self.start(status, content_type, [("content-length", str(len(body))), *headers])
        await self.finish(body)

    async def send_json(
        self, status: int, data: Any, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode()
        await self.send_bytes(status, "application/json", raw, headers)

    async def send_error(
        self,
        status: int,
        error_type: str,
        message: str,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        body = error_envelope(error_type, message, self.request_id)
        await self.send_json(status, body, headers)

    async def abort(self) -> None:
        """Drop the TCP connection on the spot, whatever has been sent so far."""
        if self._transport is None:
            raise RuntimeError("the fake server's protocol did not expose its transport")
        self.finished = True
        self._transport.abort()
        # Returning before uvicorn has noticed the loss would make it answer a 500 of its own.
        with anyio.move_on_after(2):
            await self.gone.wait()

    async def check_headers(self) -> bool:
        """Version and auth checks for every /v1 endpoint; on failure, answers and returns False."""
        headers = self.request.headers
        if "anthropic-version" not in headers:
            await self.send_error(
                400, "invalid_request_error", "anthropic-version: header is required"
            )
            return False
        version = headers["anthropic-version"]
        if version not in VERSIONS:
            await self.send_error(
                400,
                "invalid_request_error",
                f'anthropic-version: "{version}" is not a valid version',
            )
            return False
        key = self.state.api_key
        if key is None:
            return True
        given = headers.get("x-api-key")
        if given is None and headers.get("authorization", "").startswith("Bearer "):
            given = headers["authorization"][len("Bearer ") :]
        if given is None:
            await self.send_error(401, "authentication_error", "x-api-key header is required")
            return False
        if given != key:
            await self.send_error(401, "authentication_error", "invalid x-api-key")
            return False
        return True


class App:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._routes: dict[tuple[str, str], Handler] = {}
        self._patterns: list[tuple[str, list[str], Handler]] = []

    def route(self, method: str, path: str, handler: Handler) -> None:
        if "{" in path:
            self._patterns.append((method, path.split("/"), handler))
        else:
            self._routes[(method, path)] = handler

    def _find(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """The handler and path parameters for a request, and whether the path exists at all."""
        handler = self._routes.get((method, path))
        if handler is not None:
            return handler, {}, True
        known = any(p == path for _, p in self._routes)
        segments = path.split("/")
        for pattern_method, pattern, candidate in self._patterns:
            params = _match(pattern, segments)
            if params is None:
                continue
            if pattern_method == method:
                return candidate, params, True
            known = True
        return None, {}, known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        request = self._record(scope, bytes(body))
        exchange = Exchange(scope, send, self.state, request)
        handler, exchange.params, known = self._find(request.method, request.path)
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._watch, exchange, receive, tg.cancel_scope)
            if handler is not None:
                await handler(exchange)
            elif known:
                await exchange.send_error(
                    405, "invalid_request_error", f"Method {request.method} not allowed"
                )
            else:
                await exchange.send_error(404, "not_found_error", f"Not found: {request.path}")
            tg.cancel_scope.cancel()

    async def _watch(self, exchange: Exchange, receive: Receive, scope: anyio.CancelScope) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        exchange.gone.set()
        if not exchange.finished:
            self.state.add_disconnect()
            scope.cancel()

    def _record(self, scope: Scope, body: bytes) -> RecordedRequest:
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request = RecordedRequest(
            method=scope["method"],
            path=unquote(scope["path"]),
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
            json=parsed,
        )
        self.state.record(request)
        return request


def _match(pattern: list[str], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params = {}
    for want, got in zip(pattern, segments, strict=True):
        if want.startswith("{") and want.endswith("}"):
            if not got:
                return None
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params
