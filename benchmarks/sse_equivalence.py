"""Differential check: our bounded byte-level ``SSEDecoder`` against httpx-sse's decoders.

``aioanthropic._protocol.sse.SSEDecoder`` splits lines on bytes (with limits) and assembles
events in one loop; httpx-sse splits decoded text with ``SSELineDecoder`` and assembles with a
per-line ``SSEDecoder``. Here both are fed the same seeded random streams full of the rules'
corners (CR, LF and CRLF, comments, ``id:``/``retry:``, fields without a colon or without a
space, repeated ``event:``, multi-line data, blank runs), each cut into random chunks, and must
give the same ``(event name, data)`` sequence, skipping events without data as ours does. Run
by the suite (smoke included); exits non-zero on a difference.
"""

from __future__ import annotations

import random
import sys

from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from aioanthropic._protocol.sse import SSEDecoder as OurDecoder

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


def ours(chunks: list[bytes]) -> list[tuple[str, str]]:
    decoder = OurDecoder()
    pairs = [pair for chunk in chunks for pair in decoder.feed(chunk)] + decoder.close()
    return [(name or "message", data.decode()) for name, data in pairs]


def check(cases: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    for case in range(cases):
        text = "".join(rng.choice(PIECES) + rng.choice(ENDINGS) for _ in range(rng.randint(1, 40)))
        # httpx-sse's line splitting on text, ours on the UTF-8 bytes, both at random chunk
        # boundaries (ours also inside multi-byte characters).
        decoder = SSELineDecoder()
        lines: list[str] = []
        pos = 0
        while pos < len(text):
            step = rng.randint(1, 12)
            lines += decoder.decode(text[pos : pos + step])
            pos += step
        lines += decoder.flush()
        raw = text.encode()
        cuts = sorted(rng.sample(range(len(raw) + 1), min(len(raw) + 1, rng.randint(0, 12))))
        chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
        if ours(chunks) != reference(lines):
            print(f"  MISMATCH in case {case}: {text!r}", file=sys.stderr)
            return 1
    print(f"  SSE decoding identical to httpx-sse's decoders on {cases} random streams")
    return 0


if __name__ == "__main__":
    sys.exit(check(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
