"""Peak memory under hostile responses, measured with tracemalloc, one JSON line per case.

    python benchmarks/hostile_memory.py

Each case is served by ``tests/hostile.py``'s ``CannedServer`` (real loopback socket, same
process, so tracemalloc sees the client's allocations and the tiny server's) after a warm-up
request, and measured as the peak of traced memory above the level before the call:

- ``gzip-blank-lines``: a stream whose 33 KB gzip body inflates to 32 MiB of blank lines
  between message_start and the content (issue 10's figure: ~10x the inflated size).
- ``gzip-pings``: 200,000 pings before the first content, gzipped (7.4 MiB inflated).
- ``error-1mb``: a 500 whose JSON message is 1 MB (reports ``len(str(error))`` too).
- ``stacked-50``: ``content-encoding`` listing gzip 50 times (the outcome, and its peak).

Run it against another checkout with ``PYTHONPATH=<checkout>/src`` to compare.
"""

from __future__ import annotations

import gzip
import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import anyio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import aioanthropic  # noqa: E402
from hostile import CannedServer, http_response  # noqa: E402

BASIC = (ROOT / "tests" / "fixtures" / "official-sdk" / "basic_response.sse").read_bytes()
START, REST = BASIC.split(b"event: content_block_start", 1)
REST = b"event: content_block_start" + REST
PARAMS: dict[str, Any] = {
    "model": "m",
    "max_tokens": 5,
    "messages": [{"role": "user", "content": "x"}],
}
MIB = 1024 * 1024


def gz(data: bytes, times: int = 1) -> bytes:
    for _ in range(times):
        data = gzip.compress(data, 9, mtime=0)
    return data


async def stream_text(client: aioanthropic.AsyncClient) -> str:
    async with client.messages.stream(**PARAMS) as stream:
        async for _ in stream:
            pass
        return await stream.get_final_text()


async def case(name: str, body: bytes, headers: list[tuple[str, str]], **kw: Any) -> dict[str, Any]:
    status = kw.pop("status", 200)
    content_type = kw.pop("content_type", "text/event-stream")
    warm = http_response(BASIC)
    response = http_response(body, status=status, content_type=content_type, headers=headers)
    out: dict[str, Any] = {"case": name, "body_bytes": len(body)}
    async with CannedServer(warm, response) as server, server.client(max_retries=0) as client:
        await stream_text(client)
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        try:
            if content_type == "text/event-stream":
                out["result"] = (await stream_text(client))[:40]
            else:
                await client.messages.create(**PARAMS)
                out["result"] = "ok"
        except Exception as exc:  # the outcome is a figure here
            out["result"] = type(exc).__name__
            out["str_len"] = len(str(exc))
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    out["peak_mib"] = round(peak / MIB, 2)
    return out


async def main() -> None:
    blank = START + b"\n" * (32 * MIB) + REST
    pings = START + b'event: ping\ndata: {"type": "ping"}\n\n' * 200_000 + REST
    huge = json.dumps({"type": "error", "error": {"type": "api_error", "message": "x" * 1_000_000}})
    cases = [
        ("gzip-blank-lines", gz(blank), [("content-encoding", "gzip")], {}),
        ("gzip-pings", gz(pings), [("content-encoding", "gzip")], {}),
        ("error-1mb", huge.encode(), [], {"status": 500, "content_type": "application/json"}),
        ("stacked-50", gz(BASIC, 50), [("content-encoding", ", ".join(["gzip"] * 50))], {}),
    ]
    for name, body, headers, kw in cases:
        result = await case(name, body, headers, **kw)
        result["inflated_bytes"] = {"gzip-blank-lines": len(blank), "gzip-pings": len(pings)}.get(
            name
        )
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    print(json.dumps({"aioanthropic": aioanthropic.__file__}))
    anyio.run(main)
