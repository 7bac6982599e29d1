"""A minimal HTTP/1.1 server for the fan-out and paced sections, run in its own process.

    python benchmarks/fastserver.py BODY_FILE [--pace SECONDS]

Prints its URL, serves until stdin closes. Every POST gets ``BODY_FILE`` as a
``text/event-stream`` response (keep-alive, ``content-length``). Without ``--pace`` the body
goes out in one write, so that a client's per-request and per-read costs, not the server,
set the pace at 1,000 concurrent streams (the fake server's app serves ~16k events/s, which
made every client look alike). With ``--pace S`` the body is written one event at a time,
``S`` seconds apart, and every ``"text":"..."`` delta carries the server's
``time.perf_counter()`` at the write, as ``@<seconds>``: the paced section measures how long
each event takes to reach the caller (CLOCK_MONOTONIC is the same clock in both processes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from typing import Any

HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
    b"request-id: req_fast\r\ncontent-length: %d\r\n\r\n"
)


def paced_events(n: int) -> list[bytes]:
    """A valid Messages stream of ``n`` text deltas; ``{ts}`` is filled at write time."""

    def ev(name: str, data: dict[str, object]) -> bytes:
        return b"event: %s\ndata: %s\n\n" % (name.encode(), json.dumps(data).encode())

    usage = {"input_tokens": 1, "output_tokens": 1}
    message = {
        "id": "msg_paced",
        "type": "message",
        "role": "assistant",
        "model": "claude-bench-1",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    out = [ev("message_start", {"type": "message_start", "message": message})]
    block = {"type": "text", "text": ""}
    out.append(
        ev(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        )
    )
    for _ in range(n):
        delta = {"type": "text_delta", "text": "@{ts}"}
        out.append(
            ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
        )
    out.append(ev("content_block_stop", {"type": "content_block_stop", "index": 0}))
    out.append(
        ev(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": n},
            },
        )
    )
    out.append(ev("message_stop", {"type": "message_stop"}))
    return out


class Handler(asyncio.Protocol):
    def __init__(self, body: bytes, pace: float | None, events: list[bytes]) -> None:
        self.body, self.pace, self.events = body, pace, events
        self.buffer = b""
        self.transport: Any = None
        self.tasks: set[asyncio.Future[None]] = set()  # referenced until the protocol goes

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # uvloop's is not an asyncio.Transport subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            length = 0
            for line in head.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.respond()

    def respond(self) -> None:
        assert self.transport is not None
        if self.pace is None:
            self.transport.write(HEAD % len(self.body) + self.body)
        else:
            self.tasks.add(asyncio.ensure_future(self.paced(self.transport)))

    async def paced(self, transport: Any) -> None:
        # Every timestamp is the same width, so the content-length is known in advance.
        stamp = "%014.6f"
        size = sum(len(e.replace(b"{ts}", b"0" * 14)) for e in self.events)
        transport.write(HEAD % size)
        for event in self.events:
            if b"{ts}" in event:
                await asyncio.sleep(self.pace or 0)
                event = event.replace(b"{ts}", (stamp % time.perf_counter()).encode())
            if transport.is_closing():
                return
            transport.write(event)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("body", nargs="?")
    parser.add_argument("--pace", type=float, default=None)
    parser.add_argument("--deltas", type=int, default=100)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    body = open(args.body, "rb").read() if args.body else b""  # noqa: SIM115
    events = paced_events(args.deltas)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: Handler(body, args.pace, events), "127.0.0.1", 0, backlog=4096
        )
        port = server.sockets[0].getsockname()[1]
        print(f"http://127.0.0.1:{port}", flush=True)
        stop = asyncio.Event()
        threading.Thread(
            target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)), daemon=True
        ).start()
        await stop.wait()
        server.close()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
