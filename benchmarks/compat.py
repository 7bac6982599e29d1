"""Issue 11's figures: ``messages.stream()`` with the helper events against FLOOR and the
official helper, and the sync client's cost per call and per event against the async client.

``python benchmarks/run.py --only compat`` (or ``--smoke``); results in
``results/compat.json``, quoted in README.md ("The helper events and the sync client").
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from typing import Any

import clients
import workloads

Interleaved = Callable[[dict[str, Callable[[], Awaitable[Any]]], int], Awaitable[dict[str, Any]]]


def paired(times: dict[str, list[float]], case: str, base: str) -> float:
    """Median over rounds of the within-round ratio case / base."""
    return statistics.median(a / b for a, b in zip(times[case], times[base], strict=True))


async def helper_workloads(
    sizes: dict[str, int], rounds: int, interleaved: Interleaved, have_official: bool, base: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, n in sizes.items():
        wl = workloads.make(kind, n)
        sdk = clients.sdk_client(clients.httpx_mock(wl.chunks), base)
        url = base + "/v1/messages"
        cases: dict[str, Callable[[], Awaitable[Any]]] = {
            "floor": lambda wl=wl, url=url: clients.floor(clients.httpx_mock(wl.chunks), url),
            "sdk_stream": lambda sdk=sdk: clients.sdk_stream(sdk),
            "sdk_helper": lambda sdk=sdk: clients.sdk_helper(sdk),
        }
        if have_official:
            official = clients.official_client(clients.httpx2_mock(wl.chunks), base)
            cases["official_stream"] = lambda official=official: clients.official_stream(official)
        expected = clients.digest_message(
            (await clients.floor_accumulate(clients.httpx_mock(wl.chunks), url))[1]
        )
        seen, content = await clients.sdk_helper(sdk)
        if clients.digest_message(content) != expected:
            raise AssertionError(f"sdk_helper on {wl.name}: final message differs from FLOOR's")
        times = await interleaved(cases, rounds)
        ratios = {name: paired(times, name, "floor") for name in cases if name != "floor"}
        # What the helper's events themselves cost: the same stream() iteration, reading them.
        helper_vs_stream = paired(times, "sdk_helper", "sdk_stream")
        out[wl.name] = {
            "wire_events": wl.events,
            "events_yielded": seen,
            "times": times,
            "vs_floor": ratios,
            "helper_vs_stream": helper_vs_stream,
        }
        print(
            f"  {wl.name:>11}: {seen} events yielded for {wl.events} on the wire; "
            + ", ".join(f"{k} {v:.2f}x FLOOR" for k, v in ratios.items())
            + f"; sdk_helper / sdk_stream {helper_vs_stream:.2f}x",
            flush=True,
        )
    return out


async def sync_overhead(
    rounds: int, repeat: int, text_deltas: int, interleaved: Interleaved, base: str
) -> dict[str, Any]:
    one = workloads.make("text", 1)
    text = workloads.make("text", text_deltas)
    a_one = clients.sdk_client(clients.httpx_mock(one.chunks), base)
    s_one = clients.sync_client(clients.httpx_mock(one.chunks), base)
    a_text = clients.sdk_client(clients.httpx_mock(text.chunks), base)
    s_text = clients.sync_client(clients.httpx_mock(text.chunks), base)

    async def async_calls() -> None:
        for _ in range(repeat):
            await clients.sdk_stream(a_one)

    async def sync_calls() -> None:  # blocks this loop: the work happens on the client's thread
        for _ in range(repeat):
            clients.sync_stream(s_one)

    async def async_text() -> None:
        await clients.sdk_text(a_text)

    async def sync_text() -> None:
        clients.sync_text(s_text)

    try:
        times = await interleaved(
            {
                "async_call": async_calls,
                "sync_call": sync_calls,
                "async_text": async_text,
                "sync_text": sync_text,
            },
            rounds,
        )
    finally:
        s_one.close()
        s_text.close()
    per_call = {k: statistics.median(times[k]) / repeat for k in ("async_call", "sync_call")}
    per_event = {k: statistics.median(times[k]) / text.events for k in ("async_text", "sync_text")}
    out = {
        "repeat": repeat,
        "text_events": text.events,
        "times": times,
        "per_call_s": per_call,
        "per_event_s": per_event,
        "call_overhead_s": per_call["sync_call"] - per_call["async_call"],
        "call_ratio": paired(times, "sync_call", "async_call"),
        "text_ratio": paired(times, "sync_text", "async_text"),
    }
    print(
        f"  one-delta stream() call: async {per_call['async_call'] * 1e6:.0f} us, sync "
        f"{per_call['sync_call'] * 1e6:.0f} us (+{out['call_overhead_s'] * 1e6:.0f} us, "
        f"{out['call_ratio']:.2f}x); {text.events}-event text_stream: sync/async "
        f"{out['text_ratio']:.2f}x",
        flush=True,
    )
    return out
