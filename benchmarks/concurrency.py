"""One concurrency run in a fresh process (so peak RSS is this run's): N streams at once
through one client against the fake server; prints one JSON line.

    python benchmarks/concurrency.py --client sdk --n 500 --url http://127.0.0.1:PORT --replay F
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

try:
    import aioanthropic  # noqa: F401
except ImportError:  # not installed: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import clients

TIMEOUT = 240.0


async def one(kind: str, client: Any, url: str, t0: float, out: dict[str, Any]) -> None:
    first: float | None = None
    n = 0
    ok = False
    try:
        if kind == "aiohttp_floor":
            # The floor: raw aiohttp, the body split by hand on blank lines, json.loads.
            async with client.post(
                url + "/v1/messages",
                headers=clients.HEADERS,
                data=json.dumps({**clients.PARAMS, "stream": True}).encode(),
            ) as r:
                r.raise_for_status()
                buffer = bytearray()
                events: list[tuple[str, Any]] = []
                async for chunk in r.content.iter_any():
                    buffer += chunk
                    clients._floor_events(buffer, events)
                    if events and first is None:
                        first = time.perf_counter()
                    n += len(events)
                    events.clear()
        elif kind == "httpx_sse":
            from httpx_sse import EventSource

            async with client.stream(
                "POST",
                url + "/v1/messages",
                headers=clients.HEADERS,
                json={**clients.PARAMS, "stream": True},
            ) as r:
                r.raise_for_status()
                async for sse in EventSource(r).aiter_sse():
                    json.loads(sse.data)
                    if first is None:
                        first = time.perf_counter()
                    n += 1
            ok = True
        else:
            async with client.messages.stream(**clients.PARAMS) as stream:
                async for _ in stream:
                    if first is None:
                        first = time.perf_counter()
                    n += 1
                await stream.get_final_message()
        ok = True
    except Exception as exc:  # counted, not raised: errors are a figure here
        out["errors"] += 1
        out["error_types"][type(exc).__name__] = out["error_types"].get(type(exc).__name__, 0) + 1
    if first is not None:
        out["ttfe"].append(first - t0)
    out["events"] += n  # as each client counts them (the official adds synthetic events)
    out["completed"] += ok


def rss_mib() -> float:
    """This process's resident set now (VmRSS), MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    # VmHWM is this process image's peak RSS; ru_maxrss would also count the parent's, which
    # Linux carries across fork + exec.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_client(kind: str, url: str, replay: str, limits: str | None) -> Any:
    headers = {"x-fake-fault": json.dumps({"replay": replay})}
    if kind == "aiohttp_floor":
        import aiohttp

        # As many connections as the SDK's DEFAULT_LIMITS allow; everything else aiohttp's.
        connector = aiohttp.TCPConnector(limit=1000, limit_per_host=0)
        return aiohttp.ClientSession(
            connector=connector, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        )
    if kind == "sdk_aiohttp":
        from aioanthropic import AsyncClient

        return AsyncClient(
            api_key="sk-bench",
            base_url=url,
            max_retries=0,
            timeout=TIMEOUT,
            default_headers=headers,
            http_backend="aiohttp",
        )
    if kind == "official":
        import httpx2

        kw: dict[str, Any] = {"timeout": TIMEOUT, "headers": headers}
        if limits:
            c, k = (int(x) for x in limits.split("/"))
            kw["limits"] = httpx2.Limits(max_connections=c, max_keepalive_connections=k)
        else:
            from anthropic._constants import DEFAULT_CONNECTION_LIMITS

            kw["limits"] = DEFAULT_CONNECTION_LIMITS  # what the SDK would pick itself
        return clients.official_client(httpx2.AsyncClient(**kw), url)
    import httpx

    from aioanthropic import DEFAULT_LIMITS

    lim = DEFAULT_LIMITS
    if limits:
        c, k = (int(x) for x in limits.split("/"))
        lim = httpx.Limits(max_connections=c, max_keepalive_connections=k)
    http = httpx.AsyncClient(timeout=TIMEOUT, headers=headers, limits=lim)
    if kind == "httpx_sse":
        return http
    return clients.sdk_client(http, url)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    client = make_client(args.client, args.url, args.replay, args.limits)
    # One stream first, untimed: the first use imports modules and builds models (reported
    # under "Import time"), and a client's pool and session start; N streams then measure
    # the steady per-request cost. What is resident then is the base: the peak above it is
    # the N streams'.
    warm: dict[str, Any] = {"errors": 0, "error_types": {}, "ttfe": [], "events": 0}
    warm["completed"] = 0
    await one(args.client, client, args.url, time.perf_counter(), warm)
    if warm["errors"]:
        raise RuntimeError(f"the warm-up stream failed: {warm['error_types']}")
    base_rss = rss_mib()
    out: dict[str, Any] = {
        "errors": 0,
        "error_types": {},
        "ttfe": [],
        "events": 0,
        "completed": 0,
    }
    t0 = time.perf_counter()
    async with asyncio.timeout(TIMEOUT):
        await asyncio.gather(*(one(args.client, client, args.url, t0, out) for _ in range(args.n)))
    elapsed = time.perf_counter() - t0
    if hasattr(client, "close") and args.client == "aiohttp_floor":
        await client.close()
    elif hasattr(client, "aclose"):
        await client.aclose()
    ttfe = sorted(out.pop("ttfe")) or [float("nan")]
    return {
        "client": args.client,
        "n": args.n,
        "limits": args.limits or "default",
        "elapsed_s": elapsed,
        "events_seen": out["events"],
        "completed": out["completed"],
        # Wire events (the same for every client): completed streams x events per stream.
        "events": out["completed"] * args.events_per_stream,
        "events_per_s": out["completed"] * args.events_per_stream / elapsed,
        "ttfe_p50": ttfe[len(ttfe) // 2],
        "ttfe_p99": ttfe[min(len(ttfe) - 1, int(len(ttfe) * 0.99))],
        "errors": out["errors"] + (args.n - out["completed"] - out["errors"]),
        "error_types": out["error_types"],
        "peak_rss_mib": peak_rss_mib(),
        "base_rss_mib": base_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--client",
        choices=["sdk", "sdk_aiohttp", "official", "httpx_sse", "aiohttp_floor"],
        required=True,
    )
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--replay", required=True)
    parser.add_argument("--limits", default=None, help="max_connections/max_keepalive")
    parser.add_argument("--events-per-stream", type=int, required=True)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
