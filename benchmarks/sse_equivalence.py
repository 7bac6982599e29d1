"""Differential check: StreamDecoder's event assembly against httpx-sse's SSEDecoder.

StreamDecoder keeps httpx-sse's line splitting and replaces its per-line ``SSEDecoder`` with
one loop (``_assemble``), for speed. Here both are fed the same lines, from seeded random
streams full of the rules' corners (CR, LF and CRLF, comments, ``id:``/``retry:``, fields
without a colon or without a space, repeated ``event:``, multi-line data, blank runs), and
must give the same ``(event name, data)`` sequence, skipping events without data as
StreamDecoder does. Run by the suite (smoke included); exits non-zero on a difference.
"""

from __future__ import annotations

import random
import sys

from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from aioanthropic._sse import StreamDecoder

PIECES = [
    "data: {}",
    "data:{}",
    "data",
    "data:",
    "data:  two spaces",
    "event: content_block_delta",
    "event:ping",
    "event",
    "event:",
    "event: message",
    ": a comment",
    ":",
    "id: 7",
    "id",
    "retry: 100",
    "retry: x",
    "unknown: field",
    "nocolon",
    "data: a:b:c",
    "data: ünïcødé 🚀",
    "",
    "",
    "",
]
ENDINGS = ["\n", "\r\n", "\r"]


def reference(lines: list[str]) -> list[tuple[str, str]]:
    sse = SSEDecoder()
    out = []
    for line in lines:
        event = sse.decode(line)
        if event is not None and event.data:
            out.append((event.event, event.data))
    return out


def ours(lines: list[str]) -> list[tuple[str, str]]:
    return [pair for pair in StreamDecoder()._assemble(lines) if pair[1]]


def check(cases: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    for case in range(cases):
        text = "".join(rng.choice(PIECES) + rng.choice(ENDINGS) for _ in range(rng.randint(1, 40)))
        # The same line splitting for both (httpx-sse's), at random chunk boundaries.
        decoder = SSELineDecoder()
        lines: list[str] = []
        pos = 0
        while pos < len(text):
            step = rng.randint(1, 12)
            lines += decoder.decode(text[pos : pos + step])
            pos += step
        lines += decoder.flush()
        if ours(lines) != reference(lines):
            print(f"  MISMATCH in case {case}: {text!r}", file=sys.stderr)
            return 1
    print(f"  event assembly identical to httpx-sse's SSEDecoder on {cases} random streams")
    return 0


if __name__ == "__main__":
    sys.exit(check(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
