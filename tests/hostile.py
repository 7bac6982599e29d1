"""A hostile HTTP/1.1 server for reliability tests: canned responses, byte for byte.

The fake server speaks the API correctly (and misbehaves in the ways ``Fault`` lists); the
reliability tests also need what no well-behaved framework sends: gzip bombs, stacked or
unknown content codings, JSON answers to streaming requests, BOMs. ``CannedServer`` listens on
127.0.0.1 in the test's own event loop (so it runs on asyncio and trio alike) and answers each
request with the next canned response, written in chunks over a real socket.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import anyio
from anyio.abc import SocketAttribute, SocketStream, TaskGroup

from aioanthropic import AsyncClient


def http_response(
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "text/event-stream",
    headers: Iterable[tuple[str, str]] = (),
) -> bytes:
    """One HTTP/1.1 response (head and body) as bytes; the connection closes after it."""
    lines = [
        f"HTTP/1.1 {status} X",
        f"content-type: {content_type}",
        f"content-length: {len(body)}",
        "request-id: req_canned",
        "connection: close",
        *(f"{name}: {value}" for name, value in headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def gzipped(data: bytes, times: int = 1) -> bytes:
    for _ in range(times):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    return data


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


class CannedServer:
    """Answers request i with ``responses[i]`` (the last one repeats), ``chunk`` bytes per
    write, then keeps the connection ``linger`` seconds before closing it. ``requests`` holds
    each request's head (lower-cased header names)."""

    def __init__(self, *responses: bytes, chunk: int = 16 * 1024, linger: float = 0.0) -> None:
        assert responses
        self.responses = list(responses)
        self.chunk = chunk
        self.linger = linger  # seconds the connection stays open after the response
        self.requests: list[dict[str, str]] = []
        self._tg: TaskGroup | None = None
        self.url = ""

    async def __aenter__(self) -> CannedServer:
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(SocketAttribute.local_port)
        self.url = f"http://127.0.0.1:{port}"
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(listener.serve, self._handle)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        await self._tg.__aexit__(exc_type, exc, tb)

    def client(self, **kwargs: Any) -> AsyncClient:
        kwargs.setdefault("api_key", "test")
        return AsyncClient(base_url=self.url, **kwargs)

    async def _handle(self, stream: SocketStream) -> None:
        async with stream:
            head = b""
            while b"\r\n\r\n" not in head:
                try:
                    head += await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    return
            raw_head, _, body = head.partition(b"\r\n\r\n")
            headers: dict[str, str] = {}
            for line in raw_head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            while len(body) < length:
                body += await stream.receive()
            index = len(self.requests)
            self.requests.append(headers)
            response = self.responses[min(index, len(self.responses) - 1)]
            try:
                for start in range(0, len(response), self.chunk):
                    await stream.send(response[start : start + self.chunk])
                await anyio.sleep(self.linger)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                return
