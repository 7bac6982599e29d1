"""Turn results/fanout.json (``run.py --only fanout,paced --out results/fanout.json``) into the
README's fan-out tables and target verdicts (between the fanout markers), and print them.

python benchmarks/report_fanout.py            # rewrite that section of benchmarks/README.md
python benchmarks/report_fanout.py --print    # only print
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BEGIN, END = "<!-- fanout:begin -->", "<!-- fanout:end -->"
LABELS = {
    "aiohttp_floor": "raw aiohttp + hand SSE split + `json.loads` (the floor)",
    "sdk": "**aioanthropic**, default backend (httpx)",
    "sdk_aiohttp": '**aioanthropic**, `http_backend="aiohttp"`',
    "official": "anthropic 2.12 (one round)",
}


def table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def ratio(runs: dict[str, list[dict[str, Any]]], kind: str, n: int) -> float:
    """Median over rounds of the within-round ratio of wall times to the floor."""
    a = runs[f"{kind}-{n}"]
    b = runs[f"aiohttp_floor-{n}"][: len(a)]
    return statistics.median(x["elapsed_s"] / y["elapsed_s"] for x, y in zip(a, b, strict=True))


def render(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    fan = r["fanout"]
    runs = fan["runs"]
    ns = sorted({int(k.rsplit("-", 1)[1]) for k in runs})
    rows = []
    figs: dict[str, Any] = {}
    for n in ns:
        for kind in LABELS:
            key = f"{kind}-{n}"
            if key not in runs:
                continue
            rs = runs[key]
            wall = statistics.median(x["elapsed_s"] for x in rs)
            q = ratio(runs, kind, n)
            figs[key] = {"ratio": q, "errors": sum(x["errors"] for x in rs)}
            p50 = statistics.median(x["ttfe_p50"] for x in rs) * 1e3
            p99 = statistics.median(x["ttfe_p99"] for x in rs) * 1e3
            per = statistics.median((x["peak_rss_mib"] - x["base_rss_mib"]) * 1024 / n for x in rs)
            figs[key]["rss_kib"] = per
            rows.append(
                [
                    f"{n:,}",
                    LABELS[kind],
                    f"{wall:.3f} s",
                    f"**{q:.2f}x**",
                    f"{p50:.0f} / {p99:.0f}",
                    str(figs[key]["errors"]),
                    f"{per:.0f} KiB",
                ]
            )
    out = [
        f"One client, N concurrent {fan['events_per_stream']}-event streams "
        "(`messages.stream()` + iteration + final message; the floor splits and `json.loads`). "
        "Wall time: median of the rounds; ratio: median over rounds of the ratio to the floor "
        "within the round.",
        "",
        table(
            [
                "N",
                "client",
                "wall time",
                "vs floor",
                "TTFE p50 / p99 ms",
                "errors",
                "peak RSS per open stream",
            ],
            rows,
        ),
    ]
    paced = r.get("paced")
    if paced:
        prow = []
        for kind, row in paced["clients"].items():
            figs[f"paced-{kind}"] = row
            prow.append(
                [
                    LABELS[kind].replace(" (the floor)", ""),
                    str(row["events"]),
                    f"{row['p50_ms']:.3f}",
                    f"{row['p99_ms']:.3f}",
                    f"{row['added_p99_ms']:+.3f}",
                ]
            )
        out += [
            "",
            f"Paced stream: {paced['deltas']} text deltas, one every {paced['pace_s'] * 1e3:.0f} "
            f"ms, {paced['rounds']} streams per client, interleaved. Latency: from the server's "
            "write to the caller holding the event.",
            "",
            table(["client", "events", "p50 ms", "p99 ms", "added p99 vs floor, ms"], prow),
        ]
    return "\n".join(out), figs


def targets(f: dict[str, Any]) -> str:
    rows = []

    def add(name: str, fig: str, ok: bool) -> None:
        rows.append([name, fig, "met" if ok else "**not met**"])

    def q(kind: str, n: int) -> float:
        return float(f[f"{kind}-{n}"]["ratio"])

    errors = sum(v.get("errors", 0) for k, v in f.items() if not k.startswith("paced"))
    add("N = 1,000: zero errors", f"{errors} errors over every run", errors == 0)
    add("N = 1,000: default backend <= 2.0x floor", f"{q('sdk', 1000):.2f}x", q("sdk", 1000) <= 2.0)
    add(
        "N = 1,000: aiohttp backend <= 1.3x floor",
        f"{q('sdk_aiohttp', 1000):.2f}x",
        q("sdk_aiohttp", 1000) <= 1.3,
    )
    add(
        "N = 100: aiohttp backend <= 1.5x floor",
        f"{q('sdk_aiohttp', 100):.2f}x",
        q("sdk_aiohttp", 100) <= 1.5,
    )
    for kind in ("sdk", "sdk_aiohttp"):
        row = f.get(f"paced-{kind}")
        if row:
            add(
                f"Paced: added latency p99 <= 1 ms ({LABELS[kind]})",
                f"{row['added_p99_ms']:+.3f} ms (p99 {row['p99_ms']:.3f} ms, floor's "
                f"{f['paced-aiohttp_floor']['p99_ms']:.3f} ms)",
                row["added_p99_ms"] <= 1.0,
            )
    return table(["target (issue 15)", "this run", "verdict"], rows)


def main() -> int:
    r = json.loads((HERE / "results" / "fanout.json").read_text())
    text, figs = render(r)
    text = targets(figs) + "\n\n" + text
    print(text)
    if "--print" not in sys.argv:
        readme = HERE / "README.md"
        body = readme.read_text()
        head, rest = body.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(f"{head}{BEGIN}\n\n{text}\n\n{END}{tail}")
        print(f"\nupdated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
