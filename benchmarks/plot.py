"""Plot the scaling series from results/results.json: cost per event against stream length."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import NullFormatter
    except ImportError:
        print("  note: matplotlib not installed: no plot")
        return 0
    results = json.loads((HERE / "results" / "results.json").read_text())
    scaling = results["scaling"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, kind, unit in ((axes[0], "text", "text deltas"), (axes[1], "tool", "JSON fragments")):
        rows = sorted((r for r in scaling.values() if r["kind"] == kind), key=lambda r: r["deltas"])
        xs = [r["deltas"] for r in rows]
        for case, label, style in (
            ("sdk_stream", "aioanthropic messages.stream()", "o-"),
            ("official_stream", "anthropic messages.stream()", "s-"),
            ("floor", "FLOOR (split + json.loads)", "^--"),
        ):
            if case not in rows[0]["median"]:
                continue
            ys = [r["median"][case] / r["events"] * 1e6 for r in rows]
            ax.plot(xs, ys, style, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(xs, [f"{x:,}" for x in xs])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(f"stream length ({unit})")
        ax.set_ylabel("µs per event (median)")
        ax.set_title(f"{kind}: per-event cost, accumulate + final message")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    out = HERE / "results" / "scaling.png"
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
