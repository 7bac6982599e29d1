"""Turn results/results.json into the README's tables (between the markers) and print them.

python benchmarks/report.py            # rewrite benchmarks/README.md's results section
python benchmarks/report.py --print    # only print
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
TBEGIN, TEND = "<!-- targets:begin -->", "<!-- targets:end -->"

LABELS = {
    "floor": "FLOOR: split + `json.loads`",
    "floor_accumulate": "FLOOR + cheapest accumulation",
    "httpx_sse": "httpx + httpx-sse + `json.loads`",
    "sdk_raw": "**aioanthropic** raw typed events",
    "sdk_stream": "**aioanthropic** `stream()` + final message",
    "sdk_text": "**aioanthropic** `text_stream`",
    "official_raw": "anthropic raw `create(stream=True)`",
    "official_stream": "anthropic `stream()` + final message",
    "official_text": "anthropic `text_stream`",
}
PEER = {"sdk_raw": "official_raw", "sdk_stream": "official_stream", "sdk_text": "official_text"}


def paired(row: dict[str, Any], case: str, base: str) -> float:
    """Median over rounds of case / base within the same round: the cases of a round ran
    back to back, so a burst of load from elsewhere moves both."""
    a, b = row["times"][case], row["times"][base]
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def growth(small: dict[str, Any], large: dict[str, Any], case: str) -> float:
    """Per-event cost on the largest stream over that on the smallest: the median over rounds
    of the within-round ratio (run.py's scaling section runs a client's lengths back to back
    in each round)."""
    a, b = large["times"][case], small["times"][case]
    return statistics.median(
        (x / large["events"]) / (y / small["events"]) for x, y in zip(a, b, strict=True)
    )


def table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def stream_table(section: dict[str, Any]) -> str:
    names = list(section)
    cases = [c for c in LABELS if any(c in section[w]["median"] for w in names)]
    header = ["client", *[f"{w} ({section[w]['events']} events)" for w in names]]
    rows = []
    for case in cases:
        cells = [LABELS[case]]
        for w in names:
            m = section[w]["median"]
            if case not in m:
                cells.append("-")
                continue
            row = section[w]
            cell = f"{m[case] * 1e3:.1f} ms, {paired(row, case, 'floor'):.2f}x"
            if case in PEER and PEER[case] in m:
                cell += f" ({paired(row, case, PEER[case]):.2f}x of official)"
            cells.append(cell)
        rows.append(cells)
    return table(header, rows)


def memory_table(section: dict[str, Any]) -> str:
    names = [w for w in section if section[w].get("peak_bytes")]
    cases = ["floor_accumulate", "sdk_stream", "official_stream"]
    rows = []
    for case in cases:
        cells = [LABELS[case]]
        for w in names:
            peak = section[w]["peak_bytes"].get(case)
            cells.append("-" if peak is None else f"{peak / 1024:.0f} KiB")
        rows.append(cells)
    return table(["peak (tracemalloc)", *names], rows)


def scaling_table(section: dict[str, Any]) -> str:
    rows = []
    for kind in ("text", "tool"):
        items = sorted(
            (r for r in section.values() if r["kind"] == kind), key=lambda r: r["deltas"]
        )
        for case in ("floor", "sdk_stream", "official_stream"):
            if case not in items[0]["median"]:
                continue
            per = [r["median"][case] / r["events"] * 1e6 for r in items]
            cells = [f"{kind}: {LABELS[case]}", *(f"{p:.2f}" for p in per)]
            cells.append(f"**{growth(items[0], items[-1], case):.2f}**")
            rows.append(cells)
        rows.append([f"{kind}: stream length", *(str(r["deltas"]) for r in items), ""])
    n = max(len([r for r in section.values() if r["kind"] == k]) for k in ("text", "tool"))
    header = ["µs per event", *[f"#{i + 1}" for i in range(n)], "largest / smallest"]
    return table(header, rows)


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    parts = [
        f"Machine: Python {m['python']} ({m['implementation']}), {m['cpus']} cores, "
        f"{m['platform']}; {pk}. Whole run: {r.get('elapsed_s', 0):.0f} s.",
    ]
    if "workloads" in r:
        w = r["workloads"]
        parts += [
            "### Streams, in-process mock transport (pure client CPU)",
            "Median time of interleaved runs; ratios are the median over rounds of the ratio "
            "within a round (to FLOOR, and to the official SDK's same mode).",
            stream_table(w),
            "Peak memory while reading and accumulating (tracemalloc, one run):",
            memory_table(w),
        ]
    if "scaling" in r:
        parts += [
            "### Scaling: `messages.stream()` + final message, per-event cost",
            "Median µs per event at each length; the last column is the median over rounds "
            "of the within-round ratio (each round runs one client over every length back "
            "to back).",
            scaling_table(r["scaling"]),
            "![scaling](results/scaling.png)",
        ]
    if "fixed" in r:
        per = r["fixed"]["per_request"]
        rows = [
            [LABELS[k], f"{v * 1e6:.0f} µs", f"{paired(r['fixed'], k, 'httpx_sse'):.2f}x"]
            for k, v in per.items()
            if k in LABELS
        ]
        parts += [
            "### Fixed cost: a one-delta request (mock transport)",
            f"{r['fixed']['repeat']} requests per sample through one client.",
            table(["client", "per request", "vs httpx-sse"], rows),
        ]
    if "request" in r:
        per = r["request"]["per_request"]
        rows = [[k, f"{v * 1e3:.2f} ms"] for k, v in per.items()]
        if "official_create" in per:
            ratio = paired(r["request"], "sdk_create", "official_create")
            rows.append(["aioanthropic / official", f"**{ratio:.2f}x**"])
        parts += [
            f"### Building a request: `create()` with a {r['request']['messages']}-message "
            f"history (body {r['request']['body_bytes']} bytes, mock transport)",
            table(["client", "per request"], rows),
        ]
    if "import" in r:
        med = r["import"]["median"]
        labels = {
            "aioanthropic": "`import aioanthropic`",
            "deps": "`import httpx, httpx_sse, pydantic, anyio`",
            "official": "`import anthropic`",
            "aioanthropic_first_use": "`from aioanthropic import AsyncClient, types`",
            "official_first_use": "`from anthropic import AsyncAnthropic, types`",
        }
        rows = [
            [labels[k], f"{v * 1e3:.0f} ms", f"{paired(r['import'], k, 'deps'):.2f}x"]
            for k, v in med.items()
        ]
        parts += [
            "### Import time (fresh interpreter each, median)",
            table(["statement", "time", "vs the four deps"], rows),
        ]
    if "loopback" in r:
        parts += [
            "### Streams over loopback HTTP (fake server in its own process)",
            stream_table(r["loopback"]),
        ]
    if "concurrency" in r:
        c = r["concurrency"]
        runs = c["runs"]
        rows = []
        for key, row in runs.items():
            name, n = key.rsplit("-", 1)
            off = runs.get(f"official-{n}")
            ratio = f"{row['events_per_s'] / off['events_per_s']:.2f}x" if off else "-"
            rows.append(
                [
                    n,
                    name,
                    f"{row['events_per_s']:.0f}",
                    ratio,
                    f"{row['ttfe_p50'] * 1e3:.0f} / {row['ttfe_p99'] * 1e3:.0f}",
                    str(row["errors"]),
                    f"{row['peak_rss_mib']:.0f}",
                ]
            )
        lim_rows = [
            [
                key.rsplit("-", 1)[1],
                row["limits"],
                f"{row['events_per_s']:.0f}",
                f"{row['ttfe_p50'] * 1e3:.0f} / {row['ttfe_p99'] * 1e3:.0f}",
                str(row["errors"]),
            ]
            for key, row in c.get("limits", {}).items()
        ]
        parts += [
            f"### Concurrency over loopback (server: {c.get('server')}, own process)",
            "One client, N concurrent 200-delta streams (`messages.stream()` + iteration + "
            "final message; httpx-sse reads and `json.loads`). Wire events per second.",
            table(
                [
                    "N",
                    "client",
                    "events/s",
                    "vs official",
                    "TTFE p50 / p99 ms",
                    "errors",
                    "RSS MiB",
                ],
                rows,
            ),
        ]
        if lim_rows:
            parts += [
                "Pool limits for this SDK at the same load (the default is 1000/100):",
                table(
                    ["N", "max_connections/keepalive", "events/s", "TTFE ms", "errors"], lim_rows
                ),
            ]
    return "\n\n".join(parts)


def targets(r: dict[str, Any]) -> str:
    """Each target of the issue against this run's figures."""
    rows: list[list[str]] = []

    def add(what: str, figures: list[str], ok: bool) -> None:
        rows.append([what, "; ".join(figures), "met" if ok else "**not met**"])

    w = r.get("workloads", {})

    def ratio(name: str, case: str, base: str = "floor") -> float:
        return paired(w[name], case, base)

    if w:
        names = [n for n in ("text-10000", "tool-2000", "tool-4000", "mixed-3000") if n in w]
        raw = {n: ratio(n, "sdk_raw") for n in names}
        off = {n: ratio(n, "official_raw") for n in names if "official_raw" in w[n]["median"]}
        add(
            "Raw typed events <= 1.6x FLOOR (text, tool, mixed)",
            [
                f"{n} {v:.2f}x" + (f" (official {off[n]:.1f}x)" if n in off else "")
                for n, v in raw.items()
            ],
            all(v <= 1.6 for v in raw.values()),
        )
        st = {n: ratio(n, "sdk_stream") for n in names if n != "tool-2000"}
        offs = {n: ratio(n, "official_stream") for n in st if "official_stream" in w[n]["median"]}
        add(
            "stream() + final message <= 2.0x FLOOR (text, mixed, tool-4000)",
            [
                f"{n} {v:.2f}x" + (f" (official {offs[n]:.0f}x)" if n in offs else "")
                for n, v in st.items()
            ],
            all(v <= 2.0 for v in st.values()),
        )
        mem = []
        ok = True
        for n in names:
            pb = w[n]["peak_bytes"]
            if "official_stream" in pb:
                mem.append(
                    f"{n} {pb['sdk_stream'] / 1024:.0f} vs {pb['official_stream'] / 1024:.0f} KiB"
                )
                ok = ok and pb["sdk_stream"] <= pb["official_stream"]
        if mem:
            add("Peak memory accumulating <= the official helper's", mem, ok)
    if "scaling" in r:
        figs, ok = [], True
        for kind in ("text", "tool"):
            items = [x for x in r["scaling"].values() if x["kind"] == kind]
            items.sort(key=lambda x: x["deltas"])
            q = growth(items[0], items[-1], "sdk_stream")
            ok = ok and q <= 1.25
            figs.append(f"{kind} {items[0]['deltas']}->{items[-1]['deltas']}: {q:.2f}")
            if "official_stream" in items[0]["median"]:
                figs[-1] += f" (official {growth(items[0], items[-1], 'official_stream'):.2f})"
            figs[-1] += f" (FLOOR {growth(items[0], items[-1], 'floor'):.2f})"
        add("Linear: per-event cost largest / smallest <= 1.25", figs, ok)
    if "fixed" in r:
        per = r["fixed"]["per_request"]
        q = paired(r["fixed"], "sdk_stream", "httpx_sse")
        fig = f"{per['sdk_stream'] * 1e6:.0f} vs {per['httpx_sse'] * 1e6:.0f} us: {q:.2f}x"
        if "official_stream" in per:
            fig += f" (official {paired(r['fixed'], 'official_stream', 'httpx_sse'):.1f}x)"
        add("One-delta request via stream() <= 1.3x httpx-sse", [fig], q <= 1.3)
    if "request" in r and "official_create" in r["request"]["per_request"]:
        per = r["request"]["per_request"]
        q = paired(r["request"], "sdk_create", "official_create")
        add(
            "Building a 1,000-message request <= 0.5x official",
            [f"{per['sdk_create'] * 1e3:.2f} vs {per['official_create'] * 1e3:.2f} ms: {q:.2f}x"],
            q <= 0.5,
        )
    if "import" in r:
        med = r["import"]["median"]
        imp = r["import"]
        q = paired(imp, "aioanthropic", "deps")
        figs = [f"{med['aioanthropic'] * 1e3:.0f} vs {med['deps'] * 1e3:.0f} ms: {q:.2f}x"]
        if "official" in med:
            figs.append(f"official {paired(imp, 'official', 'deps'):.1f}x")
        figs.append(
            f"first use (AsyncClient, types) {paired(imp, 'aioanthropic_first_use', 'deps'):.2f}x"
        )
        add("import aioanthropic <= 1.3x import httpx, httpx_sse, pydantic, anyio", figs, q <= 1.3)
    if "concurrency" in r:
        runs = r["concurrency"]["runs"]
        sdk = {k: v for k, v in runs.items() if k.startswith("sdk-")}
        errs = sum(v["errors"] for v in sdk.values())
        figs, ok = [f"errors {errs} at N = " + ", ".join(k[4:] for k in sdk)], errs == 0
        for n in ("500", "1000"):
            if f"official-{n}" in runs and f"sdk-{n}" in runs:
                q = runs[f"sdk-{n}"]["events_per_s"] / runs[f"official-{n}"]["events_per_s"]
                figs.append(f"N={n}: {q:.2f}x official")
                ok = ok and q >= 2
        add("Concurrency: zero errors; events/s >= 2x official at N = 500, 1,000", figs, ok)
    return table(["target", "this run", "verdict"], rows)


def main() -> int:
    path = HERE / "results" / "results.json"
    r = json.loads(path.read_text())
    text = render(r)
    print(targets(r))
    print(text)
    if "--print" not in sys.argv:
        readme = HERE / "README.md"
        body = readme.read_text()
        head, rest = body.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        body = f"{head}{BEGIN}\n\n{text}\n\n{END}{tail}"
        head, rest = body.split(TBEGIN, 1)
        _, tail = rest.split(TEND, 1)
        body = f"{head}{TBEGIN}\n\n{targets(r)}\n\n{TEND}{tail}"
        readme.write_text(body)
        print(f"\nupdated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
