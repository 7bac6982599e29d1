"""Partial JSON: incremental parsing (PartialJSON) against re-parsing the text on every delta.

The workload: a ~100 KB JSON object (records of names, dates, numbers, tags and notes, with
accented letters and emoji) cut into 5,000 deltas at seeded random sizes, as a model streams
structured output. Each case turns every delta into the value so far:

- ``incremental``: ``PartialJSON.update(delta)`` and, when the value changed, ``.value``
  (what ``stream.partial_output()`` does);
- ``reparse``: append the delta and ``pydantic_core.from_json(text, allow_partial=
  "trailing-strings")`` on the whole text so far, the obvious way.

Every run must end at the document's value (checked after timing), with ``gc.collect()``
before each sample. Re-parsing is quadratic and takes seconds, so it runs once; the incremental
case runs ``--rounds`` times around it (the median run is reported). Each run also times each
fifth of the stream: linear total cost shows as equal fifths, quadratic as growing ones. Prints
Markdown tables; about 20 s of CPU.

    python benchmarks/partial_json.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import time
from collections.abc import Callable
from typing import Any

from pydantic_core import from_json

from aioanthropic._structured._partial import PartialJSON

TARGET_BYTES = 100_000
DELTAS = 5_000


def document(target: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    words = ["Zoë", "Łódź", "東京", "café", "naïve", "river", "delta", "😀", "report", "growth"]
    records: list[dict[str, Any]] = []
    doc: dict[str, Any] = {"title": "Extracted facts", "records": records}
    while len(json.dumps(doc, ensure_ascii=False).encode()) < target:
        records.append(
            {
                "name": " ".join(rng.choice(words) for _ in range(2)),
                "date": f"20{rng.randint(10, 26)}-{rng.randint(1, 12):02d}-01",
                "amount": round(rng.uniform(0, 1e6), 2),
                "count": rng.randint(0, 10_000),
                "verified": rng.random() < 0.5,
                "tags": [rng.choice(words) for _ in range(rng.randint(0, 4))],
                "note": " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))),
            }
        )
    return doc


def deltas(text: str, count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(text)), count - 1))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def incremental(pieces: list[str], marks: list[float]) -> Any:
    parser = PartialJSON()
    value = None
    step = len(pieces) // 5
    for i, piece in enumerate(pieces):
        if i % step == 0:
            marks.append(time.perf_counter())
        if parser.update(piece):
            value = parser.value
    if parser.finish():
        value = parser.value
    return value


def reparse(pieces: list[str], marks: list[float]) -> Any:
    text = ""
    value = None
    step = len(pieces) // 5
    for i, piece in enumerate(pieces):
        if i % step == 0:
            marks.append(time.perf_counter())
        text += piece
        value = from_json(text, allow_partial="trailing-strings")
    return value


def timed(
    func: Callable[[list[str], list[float]], Any], pieces: list[str], expected: Any
) -> tuple[float, list[float]]:
    """Seconds for the whole stream, and for each fifth of it; checks the final value."""
    gc.collect()
    marks: list[float] = []
    value = func(pieces, marks)
    marks.append(time.perf_counter())
    if value != expected:
        raise SystemExit(f"{func.__name__} did not end at the document's value")
    fifths = [b - a for a, b in itertools.pairwise(marks)][:5]
    return marks[-1] - marks[0], fifths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="incremental samples")
    args = parser.parse_args()

    doc = document(TARGET_BYTES)
    text = json.dumps(doc, ensure_ascii=False)
    pieces = deltas(text, DELTAS)
    timed(incremental, pieces, doc)  # warm-up

    # Re-parsing is quadratic (seconds here), so it runs once; the incremental case runs
    # --rounds times around it and the run with the median total is reported.
    inc = [timed(incremental, pieces, doc) for _ in range(args.rounds // 2)]
    rep, rep_fifths = timed(reparse, pieces, doc)
    inc += [timed(incremental, pieces, doc) for _ in range(args.rounds - args.rounds // 2)]
    median, inc_fifths = sorted(inc)[len(inc) // 2]
    size = len(text.encode())
    print(f"{size:,} bytes of JSON in {len(pieces):,} deltas\n")
    print("| case | time | per delta |")
    print("|---|---:|---:|")
    print(
        f"| incremental (PartialJSON), median of {args.rounds} | {median * 1e3:.0f} ms "
        f"| {median / len(pieces) * 1e6:.1f} us |"
    )
    per_delta = rep / len(pieces) * 1e6
    print(f"| re-parse every delta, 1 run | {rep * 1e3:.0f} ms | {per_delta:.0f} us |")
    print(f"\nre-parse / incremental: {rep / median:.0f}x\n")
    print("Time for each fifth of the stream (1,000 deltas each): flat means linear in total.\n")
    print("| case | " + " | ".join(f"{i}/5" for i in range(1, 6)) + " |")
    print("|---|" + "---:|" * 5)
    for name, fifths in (("incremental", inc_fifths), ("re-parse", rep_fifths)):
        print(f"| {name} | " + " | ".join(f"{f * 1e3:.0f} ms" for f in fifths) + " |")


if __name__ == "__main__":
    main()
