"""Paced streams: how long after the server writes an event does the caller get it?

Against ``fastserver.py --pace S``: every text delta carries the server's
``time.perf_counter()`` at its write (``@<seconds>``; both processes read the same
CLOCK_MONOTONIC). Each client reads whole streams, one at a time, interleaved; per event the
latency is (time the caller got the event) - (time the server wrote it). The floor is raw
aiohttp with a hand SSE split: what is left above it is what the client adds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import clients


def _stamp(text: str) -> float:
    return float(text[1:])


async def floor_aiohttp(session: Any, url: str) -> list[float]:
    out: list[float] = []
    async with session.post(
        url + "/v1/messages",
        headers=clients.HEADERS,
        data=json.dumps({**clients.PARAMS, "stream": True}).encode(),
    ) as r:
        buffer = bytearray()
        events: list[tuple[str, Any]] = []
        async for chunk in r.content.iter_any():
            buffer += chunk
            clients._floor_events(buffer, events)
            now = time.perf_counter()
            for _, data in events:
                if data["type"] == "content_block_delta":
                    out.append(now - _stamp(data["delta"]["text"]))
            events.clear()
    return out


async def sdk_stream(client: Any, url: str) -> list[float]:
    out: list[float] = []
    async with client.messages.stream(**clients.PARAMS) as stream:
        async for event in stream:
            if event.type == "content_block_delta":
                out.append(time.perf_counter() - _stamp(event.delta.text))
    return out


def quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


async def run(url: str, rounds: int) -> dict[str, Any]:
    import aiohttp

    from aioanthropic import AsyncClient

    session = aiohttp.ClientSession()
    cases: dict[str, Callable[[], Awaitable[list[float]]]] = {
        "aiohttp_floor": lambda: floor_aiohttp(session, url),
    }
    made = []
    for backend in ("httpx", "aiohttp"):
        client = AsyncClient(api_key="sk-bench", base_url=url, max_retries=0, http_backend=backend)
        made.append(client)
        name = "sdk" if backend == "httpx" else "sdk_aiohttp"
        cases[name] = lambda client=client: sdk_stream(client, url)
    latencies: dict[str, list[float]] = {k: [] for k in cases}
    try:
        for r in range(rounds + 1):  # the first round warms up
            for name, case in cases.items():
                got = await case()
                if r:
                    latencies[name] += got
    finally:
        await session.close()
        for client in made:
            await client.aclose()
    out: dict[str, Any] = {}
    for name, xs in latencies.items():
        out[name] = {
            "events": len(xs),
            "p50_ms": quantile(xs, 0.5) * 1e3,
            "p99_ms": quantile(xs, 0.99) * 1e3,
            "max_ms": max(xs) * 1e3,
        }
    floor = out["aiohttp_floor"]
    for row in out.values():
        row["added_p50_ms"] = row["p50_ms"] - floor["p50_ms"]
        row["added_p99_ms"] = row["p99_ms"] - floor["p99_ms"]
    return out
