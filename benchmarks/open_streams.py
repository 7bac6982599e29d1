"""Memory per open stream: N streams open at once, each mid-message, through one client.

    python benchmarks/open_streams.py --n 1000 [--trace] [--json]

The fake server runs in its own process (``loopback.ServerProcess``) and answers every stream
with its first events, then stalls (``x-fake-fault: {"stall": ..., "stall_after": 5}``), so
that all N streams are open at the same moment, each having received message_start, a ping,
a block start and two text deltas, and waiting for more. The client process measures, after
one warm-up stream and again with all N open: its resident set (``VmRSS``; ``VmHWM`` for the
peak) and, with ``--trace``, the Python heap as tracemalloc sees it (current and peak). Per
stream = (open - baseline) / N. The streams are then cancelled, which closes them.

This is the figure issue 10 asks for ("peak memory per open stream at N = 1,000"): what a
process holding many streams pays for each, independent of speed. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))

try:
    import aioanthropic  # noqa: F401
except ImportError:  # not installed: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from aioanthropic import AsyncClient
from loopback import ServerProcess

PARAMS: dict[str, Any] = {
    "model": "claude-test",
    "max_tokens": 300,
    "messages": [{"role": "user", "content": "Tell me a long story about memory, please."}],
}
EVENTS_BEFORE_STALL = 5


def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


async def hold_open(
    client: AsyncClient, ready: list[int], n: int, all_open: anyio.Event, release: anyio.Event
) -> None:
    async with client.messages.stream(**PARAMS) as stream:
        seen = 0
        async for _ in stream:
            seen += 1
            if seen == EVENTS_BEFORE_STALL:
                ready.append(1)
                if len(ready) == n:
                    all_open.set()
                await release.wait()
                return


async def measure(url: str, n: int, trace: bool) -> dict[str, Any]:
    stall = {"stall": 600.0, "stall_after": EVENTS_BEFORE_STALL}
    async with AsyncClient(
        api_key="bench",
        base_url=url,
        default_headers={"x-fake-fault": json.dumps(stall)},
        timeout=120.0,
    ) as client:
        # Warm up: imports, the pool, pydantic's validators, one stream end to end.
        async with AsyncClient(api_key="bench", base_url=url) as warm:
            async with warm.messages.stream(**PARAMS) as stream:
                await stream.get_final_message()
        gc.collect()
        if trace:
            tracemalloc.start()
        base_rss = status_kib("VmRSS")
        base_heap = tracemalloc.get_traced_memory()[0] if trace else 0
        ready: list[int] = []
        release = anyio.Event()
        all_open = anyio.Event()
        t0 = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(n):
                tg.start_soon(hold_open, client, ready, n, all_open, release)
            with anyio.fail_after(300):
                await all_open.wait()
            opened = time.perf_counter() - t0
            gc.collect()
            open_rss = status_kib("VmRSS")
            heap, heap_peak = tracemalloc.get_traced_memory() if trace else (0, 0)
            release.set()
        if trace:
            tracemalloc.stop()
    result: dict[str, Any] = {
        "n": n,
        "open_s": round(opened, 2),
        "rss_base_mib": round(base_rss / 1024, 1),
        "rss_open_mib": round(open_rss / 1024, 1),
        "rss_peak_mib": round(status_kib("VmHWM") / 1024, 1),
        "rss_per_stream_kib": round((open_rss - base_rss) / n, 1),
    }
    if trace:
        result["heap_per_stream_kib"] = round((heap - base_heap) / n / 1024, 1)
        result["heap_peak_per_stream_kib"] = round((heap_peak - base_heap) / n / 1024, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--trace", action="store_true", help="also measure with tracemalloc")
    args = parser.parse_args()
    with ServerProcess(fast=False) as server:
        result = anyio.run(measure, server.url, args.n, args.trace)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
