"""The benchmark suite: ``python benchmarks/run.py`` (full) or ``--smoke`` (tiny sizes, for CI).

All timed cases of a section run in one process, interleaved (A B C D A B C D ...); figures
are medians, compared as ratios within the same run. Peers that are not installed (the
official ``anthropic`` SDK, matplotlib, psutil) are skipped with a note. See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

try:
    import aioanthropic  # noqa: F401
except ImportError:  # not installed: use the checkout
    sys.path.insert(0, str(HERE.parent / "src"))

import clients  # noqa: E402
import workloads  # noqa: E402
from loopback import ServerProcess  # noqa: E402

URL = "http://bench.invalid/v1/messages"
BASE = "http://bench.invalid"


def have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


HAVE_OFFICIAL = have("anthropic") and have("httpx2")


def note(text: str) -> None:
    print(f"  note: {text}", flush=True)


# --- timing ------------------------------------------------------------------------------------


async def interleaved(
    cases: dict[str, Callable[[], Awaitable[Any]]], rounds: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run each case ``rounds`` times, A B C A B C ...; seconds per run."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for r in range(warmup + rounds):
        for name, case in cases.items():
            gc.collect()
            t0 = time.perf_counter()
            await case()
            dt = time.perf_counter() - t0
            if r >= warmup:
                times[name].append(dt)
    return times


async def peak_memory(case: Callable[[], Awaitable[Any]]) -> int:
    """Peak bytes allocated by Python (tracemalloc) during one run."""
    gc.collect()
    tracemalloc.start()
    try:
        await case()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def med(xs: list[float]) -> float:
    return statistics.median(xs)


# --- cases over a workload ---------------------------------------------------------------------


def stream_cases(
    chunks: tuple[bytes, ...], which: list[str], repeat: int = 1
) -> dict[str, Callable[[], Awaitable[clients.Result]]]:
    """``which`` names cases; each runs ``repeat`` requests through a client built once."""
    out: dict[str, Callable[[], Awaitable[clients.Result]]] = {}
    for name in which:
        if name.startswith("official") and not HAVE_OFFICIAL:
            continue
        if name.startswith("official"):
            client = clients.official_client(clients.httpx2_mock(chunks), BASE)
            fn = getattr(clients, name)
            out[name] = _repeat(lambda fn=fn, client=client: fn(client), repeat)
        elif name.startswith("sdk"):
            client = clients.sdk_client(clients.httpx_mock(chunks), BASE)
            fn = getattr(clients, name)
            out[name] = _repeat(lambda fn=fn, client=client: fn(client), repeat)
        else:
            http = clients.httpx_mock(chunks)
            fn = getattr(clients, name)
            out[name] = _repeat(lambda fn=fn, http=http: fn(http, URL), repeat)
    return out


def _repeat(
    fn: Callable[[], Awaitable[clients.Result]], n: int
) -> Callable[[], Awaitable[clients.Result]]:
    if n == 1:
        return fn

    async def many() -> clients.Result:
        result: clients.Result = (0, None)
        for _ in range(n):
            result = await fn()
        return result

    return many


async def check(cases: dict[str, Callable[[], Awaitable[clients.Result]]], expected: str) -> None:
    # Every accumulating client must build the same final content as FLOOR's accumulation.
    for name, case in cases.items():
        n, content = await case()
        if n <= 0:
            raise AssertionError(f"{name}: no events")
        if content is not None and clients.digest_message(content) != expected:
            raise AssertionError(f"{name}: final message differs from FLOOR's")


STREAM_CASES = [
    "floor",
    "floor_accumulate",
    "httpx_sse",
    "sdk_raw",
    "sdk_stream",
    "sdk_text",
    "official_raw",
    "official_stream",
    "official_text",
]


async def section_workloads(sizes: dict[str, int], rounds: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, n in sizes.items():
        wl = workloads.make(kind, n)
        which = [c for c in STREAM_CASES if kind != "tool" or not c.endswith("_text")]
        cases = stream_cases(wl.chunks, which)
        expected = clients.digest_message(
            (await clients.floor_accumulate(clients.httpx_mock(wl.chunks), URL))[1]
        )
        await check(cases, expected)
        times = await interleaved(cases, rounds)
        mem = {}
        for name in ("floor_accumulate", "sdk_stream", "official_stream"):
            if name in cases:
                mem[name] = await peak_memory(cases[name])
        out[wl.name] = {
            "events": wl.events,
            "deltas": wl.deltas,
            "bytes": len(wl.body),
            "reads": len(wl.chunks),
            "times": times,
            "median": {k: med(v) for k, v in times.items()},
            "peak_bytes": mem,
        }
        report_stream(wl.name, out[wl.name])
    return out


async def section_scaling(series: dict[str, list[int]], rounds: int) -> dict[str, Any]:
    """Per-event cost against stream length. Each round runs one client over every length
    back to back (FLOOR at every length, then this SDK at every length, then the official
    SDK), so that a burst of load from elsewhere on the box moves all lengths of a client
    alike; ``report.py`` takes the median over rounds of the within-round ratio, as for every
    other ratio here."""
    out: dict[str, Any] = {}
    names = ["floor", "sdk_stream", "official_stream"]
    for kind, sizes in series.items():
        wls = [workloads.make(kind, n) for n in sizes]
        per_wl = [stream_cases(wl.chunks, names) for wl in wls]
        cases = {
            f"{wl.name}/{name}": built[name]
            for name in names
            for wl, built in zip(wls, per_wl, strict=True)
            if name in built
        }
        times = await interleaved(cases, rounds)
        for wl in wls:
            wl_times = {
                name: times[f"{wl.name}/{name}"] for name in names if f"{wl.name}/{name}" in times
            }
            out[wl.name] = {
                "kind": kind,
                "deltas": wl.deltas,
                "events": wl.events,
                "times": wl_times,
                "median": {k: med(v) for k, v in wl_times.items()},
            }
            per = {k: f"{med(v) / wl.events * 1e6:.2f}" for k, v in wl_times.items()}
            print(f"  {wl.name:>12}: us/event {per}", flush=True)
    return out


async def section_fixed(rounds: int, repeat: int) -> dict[str, Any]:
    wl = workloads.make("text", 1)
    which = ["floor", "httpx_sse", "sdk_raw", "sdk_stream", "official_raw", "official_stream"]
    cases = stream_cases(wl.chunks, which, repeat=repeat)
    times = await interleaved(cases, rounds)
    per = {k: med(v) / repeat for k, v in times.items()}
    print(
        "  one-delta request, us/request: "
        + ", ".join(f"{k} {v * 1e6:.0f}" for k, v in per.items())
    )
    return {"repeat": repeat, "times": times, "per_request": per}


def history(n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        if i % 2 == 0:
            out.append(
                {"role": "user", "content": [{"type": "text", "text": f"question {i} " * 8}]}
            )
        else:
            out.append(
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": f"answer {i} café 日本 " * 8},
                        {
                            "type": "tool_use",
                            "id": f"toolu_{i}",
                            "name": "lookup",
                            "input": {"q": i, "tags": ["a", "b"]},
                        },
                    ],
                }
            )
            out.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": "ok"}
                    ],
                }
            )
    return out[:n]


MESSAGE_JSON = json.dumps(
    {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
).encode()


async def section_request(n_messages: int, rounds: int, repeat: int) -> dict[str, Any]:
    import httpx

    messages = history(n_messages)
    params = {
        **clients.PARAMS,
        "messages": messages,
        "tools": [{"name": "lookup", "description": "d", "input_schema": {"type": "object"}}],
    }
    sent: list[int] = []

    def handler(request: Any) -> Any:
        sent.append(len(request.content))
        return type(request).__module__ and _json_response(request)

    def _json_response(request: Any) -> Any:
        mod = httpx if isinstance(request, httpx.Request) else __import__("httpx2")
        return mod.Response(200, headers={"content-type": "application/json"}, content=MESSAGE_JSON)

    from aioanthropic import AsyncClient

    sdk = AsyncClient(
        api_key="k",
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )

    async def sdk_case() -> None:
        for _ in range(repeat):
            await sdk.messages.create(**params)

    cases: dict[str, Callable[[], Awaitable[Any]]] = {"sdk_create": sdk_case}
    if HAVE_OFFICIAL:
        import anthropic
        import httpx2

        official = anthropic.AsyncAnthropic(
            api_key="k",
            base_url=BASE,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
        )

        async def official_case() -> None:
            for _ in range(repeat):
                await official.messages.create(**params)

        cases["official_create"] = official_case
    times = await interleaved(cases, rounds)
    per = {k: med(v) / repeat for k, v in times.items()}
    print(
        f"  create() with a {n_messages}-message history, ms/request: "
        + ", ".join(f"{k} {v * 1e3:.2f}" for k, v in per.items())
        + f" (bodies {sorted(set(sent))} bytes)"
    )
    return {
        "messages": n_messages,
        "times": times,
        "per_request": per,
        "body_bytes": sorted(set(sent)),
    }


def section_import(rounds: int) -> dict[str, Any]:
    targets = {
        "aioanthropic": "import aioanthropic",
        "deps": "import httpx, httpx_sse, pydantic, anyio",
        "official": "import anthropic",
        # First use, for honesty: the lazy names import the client, its models and httpx.
        "aioanthropic_first_use": "from aioanthropic import AsyncClient, types",
        "official_first_use": "from anthropic import AsyncAnthropic, types",
    }
    if not HAVE_OFFICIAL:
        del targets["official"], targets["official_first_use"]
        note("anthropic not installed: import time of the official SDK skipped")
    code = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    times: dict[str, list[float]] = {k: [] for k in targets}
    import aioanthropic  # where this process found the SDK, so the children find the same

    env = dict(os.environ)
    src = str(Path(aioanthropic.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    for _ in range(rounds):
        for name, stmt in targets.items():
            res = subprocess.run(
                [sys.executable, "-c", code.format(stmt)],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
                env=env,
            )
            times[name].append(float(res.stdout.strip()))
    per = {k: med(v) for k, v in times.items()}
    print("  import, ms: " + ", ".join(f"{k} {v * 1e3:.1f}" for k, v in per.items()))
    return {"times": times, "median": per}


def section_loopback(kind_sizes: dict[str, int], rounds: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, ServerProcess() as server:
        for kind, n in kind_sizes.items():
            wl = workloads.make(kind, n)
            path = Path(tmp) / f"{wl.name}.sse"
            path.write_bytes(wl.body)
            out[wl.name] = asyncio.run(_loopback_one(server.url, str(path), wl, rounds))
            report_stream(wl.name + " (loopback)", out[wl.name])
    return out


async def _loopback_one(
    url: str, replay: str, wl: workloads.Workload, rounds: int
) -> dict[str, Any]:
    import httpx

    # The server writes one event per send, as the API does; reads are what TCP delivers.
    headers = {"x-fake-fault": json.dumps({"replay": replay})}
    limits = {"timeout": 60.0}
    cases: dict[str, Callable[[], Awaitable[clients.Result]]] = {}
    plain = httpx.AsyncClient(headers=headers, **limits)
    cases["floor"] = lambda: clients.floor(plain, url + "/v1/messages")
    cases["httpx_sse"] = lambda: clients.httpx_sse(plain, url + "/v1/messages")
    sdk = clients.sdk_client(httpx.AsyncClient(headers=headers, **limits), url)
    cases["sdk_raw"] = lambda: clients.sdk_raw(sdk)
    cases["sdk_stream"] = lambda: clients.sdk_stream(sdk)
    if HAVE_OFFICIAL:
        import httpx2

        off = clients.official_client(httpx2.AsyncClient(headers=headers, **limits), url)
        cases["official_raw"] = lambda: clients.official_raw(off)
        cases["official_stream"] = lambda: clients.official_stream(off)
    expected = clients.digest_message(
        (await clients.floor_accumulate(plain, url + "/v1/messages"))[1]
    )
    await check(cases, expected)
    times = await interleaved(cases, rounds)
    return {
        "events": wl.events,
        "times": times,
        "median": {k: med(v) for k, v in times.items()},
    }


def section_concurrency(
    ns: list[int], deltas: int, clients_: list[str], limits: list[tuple[int, str]]
) -> dict[str, Any]:
    """Each run in a fresh process; ``limits``: extra (N, "max_conn/max_keepalive") runs of
    this SDK, the measurements behind its DEFAULT_LIMITS."""
    out: dict[str, Any] = {"runs": {}, "limits": {}}
    with tempfile.TemporaryDirectory() as tmp, ServerProcess() as server:
        out["server"] = "httptools+uvloop" if server.fast else "h11+asyncio (FakeServer)"
        print(f"  server: the fake server's app on {out['server']}, own process", flush=True)
        wl = workloads.make("text", deltas)
        path = Path(tmp) / "conc.sse"
        path.write_bytes(wl.body)
        plan: list[tuple[int, str, str | None]] = [(n, name, None) for n in ns for name in clients_]
        plan += [(n, "sdk", lim) for n, lim in limits]
        for n, name, lim in plan:
            if name == "official" and not HAVE_OFFICIAL:
                continue
            cmd = [sys.executable, str(HERE / "concurrency.py"), "--client", name, "--n", str(n)]
            cmd += ["--url", server.url, "--replay", str(path)]
            cmd += ["--events-per-stream", str(wl.events)]
            if lim:
                cmd += ["--limits", lim]
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            if res.returncode != 0:
                raise RuntimeError(f"concurrency run {name} N={n} failed:\n{res.stderr}")
            row = json.loads(res.stdout.strip().splitlines()[-1])
            out["limits" if lim else "runs"][f"{lim or name}-{n}"] = row
            print(
                f"  N={n:>5} {name:>9} limits {row['limits']:>9}: "
                f"{row['events_per_s']:>7.0f} events/s, "
                f"ttfe p50 {row['ttfe_p50'] * 1e3:.0f} ms p99 {row['ttfe_p99'] * 1e3:.0f} ms, "
                f"errors {row['errors']}, peak RSS {row['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
    return out


def section_fanout(
    ns: list[int], deltas: int, rounds: dict[int, int], official_rounds: int
) -> dict[str, Any]:
    """Fan-out against fastserver.py (each body in one write: the client sets the pace);
    ``rounds``: how many per N.

    Every (client, N) run is a fresh process; each round runs every client once, A B C ...,
    so a ratio to the raw-aiohttp floor is taken within a round. The official SDK runs in the
    first ``official_rounds`` rounds only (it is the slowest, and is here for its memory).
    """
    kinds = ["aiohttp_floor", "sdk", "sdk_aiohttp", "official"]
    if not have("aiohttp"):
        note("aiohttp is not installed: the fan-out section is skipped")
        return {}
    out: dict[str, Any] = {"runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        wl = workloads.make("text", deltas)
        path = Path(tmp) / "fanout.sse"
        path.write_bytes(wl.body)
        argv = [str(HERE / "fastserver.py"), str(path)]
        with ServerProcess(argv=argv) as server:
            for n in ns:
                for r in range(rounds[n]):
                    for kind in kinds:
                        if kind == "official" and (not HAVE_OFFICIAL or r >= official_rounds):
                            continue
                        cmd = [sys.executable, str(HERE / "concurrency.py"), "--client", kind]
                        cmd += ["--n", str(n), "--url", server.url, "--replay", str(path)]
                        cmd += ["--events-per-stream", str(wl.events)]
                        res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
                        if res.returncode != 0:
                            raise RuntimeError(f"fan-out {kind} N={n} failed:\n{res.stderr}")
                        row = json.loads(res.stdout.strip().splitlines()[-1])
                        out["runs"].setdefault(f"{kind}-{n}", []).append(row)
                        print(
                            f"  N={n:>5} round {r} {kind:>13}: {row['elapsed_s']:.3f} s, "
                            f"ttfe p50 {row['ttfe_p50'] * 1e3:.0f} ms p99 "
                            f"{row['ttfe_p99'] * 1e3:.0f} ms, errors {row['errors']}, "
                            f"RSS {row['base_rss_mib']:.0f} -> {row['peak_rss_mib']:.0f} MiB",
                            flush=True,
                        )
    out["events_per_stream"] = wl.events
    return out


def section_paced(deltas: int, pace: float, rounds: int) -> dict[str, Any]:
    if not have("aiohttp"):
        note("aiohttp is not installed: the paced section is skipped")
        return {}
    import paced

    argv = [str(HERE / "fastserver.py"), "--pace", str(pace), "--deltas", str(deltas)]
    with ServerProcess(argv=argv) as server:
        out = asyncio.run(paced.run(server.url, rounds))
    for name, row in out.items():
        print(
            f"  {name:>13}: {row['events']} events, latency p50 {row['p50_ms']:.3f} ms "
            f"p99 {row['p99_ms']:.3f} ms; added over the floor p99 {row['added_p99_ms']:+.3f} ms",
            flush=True,
        )
    return {"pace_s": pace, "deltas": deltas, "rounds": rounds, "clients": out}


# --- reporting ---------------------------------------------------------------------------------


def report_stream(title: str, row: dict[str, Any]) -> None:
    m = row["median"]
    floor = m["floor"]
    parts = []
    for name, value in m.items():
        r = f"{name} {value * 1e3:.2f} ms ({value / floor:.2f}x"
        peer = {
            "sdk_raw": "official_raw",
            "sdk_stream": "official_stream",
            "sdk_text": "official_text",
        }
        if name in peer and peer[name] in m:
            r += f", {value / m[peer[name]]:.2f}x official"
        parts.append(r + ")")
    print(f"  {title} [{row['events']} events]: " + "; ".join(parts), flush=True)
    if row.get("peak_bytes"):
        print(
            "    peak KiB: "
            + ", ".join(f"{k} {v / 1024:.0f}" for k, v in row["peak_bytes"].items())
        )


def machine() -> dict[str, Any]:
    versions = {}
    for dist in (
        "aioanthropic",
        "httpx",
        "httpx-sse",
        "pydantic",
        "pydantic-core",
        "anyio",
        "uvicorn",
        "anthropic",
        "httpx2",
        "jiter",
        "aiohttp",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "packages": versions,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--out", type=Path, default=None, help="results JSON path")
    parser.add_argument("--only", default="", help="comma-separated sections")
    args = parser.parse_args()
    smoke = args.smoke
    only = set(filter(None, args.only.split(",")))
    if not HAVE_OFFICIAL:
        note("the official SDK (anthropic + httpx2) is not installed: its cases are skipped")
    results: dict[str, Any] = {"machine": machine(), "smoke": smoke}
    print("machine:", json.dumps(results["machine"]), flush=True)

    def want(name: str) -> bool:
        return not only or name in only

    t0 = time.perf_counter()
    if want("sse"):
        print("== SSE event assembly: differential check against httpx-sse", flush=True)
        import sse_equivalence

        if sse_equivalence.check(300 if smoke else 5000) != 0:
            return 1
    if want("workloads"):
        print("== workloads (mock transport)", flush=True)
        sizes = {"text": 10_000, "tool": 2_000, "mixed": 3_000}
        if smoke:
            sizes = {"text": 50, "tool": 40, "mixed": 30}
        results["workloads"] = asyncio.run(section_workloads(sizes, 2 if smoke else 15))
        if not smoke:
            results["workloads"].update(asyncio.run(section_workloads({"tool": 4_000}, 15)))
    if want("scaling"):
        print("== scaling (mock transport, sdk_stream vs official_stream)", flush=True)
        series = {
            "text": [2_500, 5_000, 10_000, 20_000, 40_000],
            "tool": [250, 500, 1_000, 2_000, 4_000],
        }
        if smoke:
            series = {"text": [20, 40], "tool": [20, 40]}
        results["scaling"] = asyncio.run(section_scaling(series, 1 if smoke else 7))
    if want("fixed"):
        print("== fixed cost per request (mock transport, one text delta)", flush=True)
        results["fixed"] = asyncio.run(section_fixed(2 if smoke else 25, 5 if smoke else 200))
    if want("request"):
        print("== building a request with a long history (mock transport)", flush=True)
        results["request"] = asyncio.run(
            section_request(20 if smoke else 1_000, 2 if smoke else 15, 1 if smoke else 10)
        )
    if want("import"):
        print("== import time (fresh interpreter each)", flush=True)
        results["import"] = section_import(1 if smoke else 15)
    if want("loopback"):
        print("== loopback HTTP against the fake server (separate process)", flush=True)
        sizes = {"text": 30} if smoke else {"text": 10_000, "tool": 2_000, "mixed": 3_000}
        results["loopback"] = section_loopback(sizes, 1 if smoke else 7)
    if want("concurrency"):
        print("== concurrency over loopback (one client, N streams at once)", flush=True)
        ns = [5, 20] if smoke else [100, 500, 1_000]
        limits = [] if smoke else [(500, "100/20"), (500, "1000/20"), (500, "1000/1000")]
        results["concurrency"] = section_concurrency(
            ns, 5 if smoke else 200, ["httpx_sse", "sdk", "official"], limits
        )
    if want("fanout"):
        print("== fan-out over loopback (fastserver: whole bodies; one client, N streams)")
        results["fanout"] = section_fanout(
            [5, 20] if smoke else [100, 1_000],
            5 if smoke else 200,
            # A burst of 100 takes ~0.3 s: more rounds, for load from elsewhere to even out.
            {5: 1, 20: 1} if smoke else {100: 9, 1_000: 3},
            1,
        )
    if want("paced"):
        print("== paced stream (an event every 20 ms): latency to the caller", flush=True)
        results["paced"] = section_paced(5 if smoke else 50, 0.02, 1 if smoke else 3)
    if want("compat"):
        import compat

        print("== helper events and the sync client (mock transport)", flush=True)
        sizes = {"text": 10_000, "tool": 2_000, "mixed": 3_000}
        if smoke:
            sizes = {"text": 50, "tool": 40, "mixed": 30}
        rounds = 2 if smoke else 9
        calls, deltas = (5, 50) if smoke else (100, 5_000)
        results["compat"] = {
            "helper": asyncio.run(
                compat.helper_workloads(sizes, rounds, interleaved, HAVE_OFFICIAL, BASE)
            ),
            "sync": asyncio.run(compat.sync_overhead(rounds, calls, deltas, interleaved, BASE)),
        }
    results["elapsed_s"] = time.perf_counter() - t0
    print(f"done in {results['elapsed_s']:.0f} s", flush=True)
    default = "compat.json" if only == {"compat"} else "results.json"  # keep the suite's run
    out = args.out or (HERE / "results" / ("smoke.json" if smoke else default))
    if not smoke or args.out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
