"""The JSONL line splitter at every split point, and its cost with many small chunks."""

from __future__ import annotations

import json
import random

import pytest

from aioanthropic._protocol.jsonl import LineSplitter
from helpers import AllocationMeter

LINES = [
    json.dumps(
        {"custom_id": "a", "text": "line\u2028separator\u2029 and \u0085 next"}, ensure_ascii=False
    ),
    json.dumps({"custom_id": "b", "text": "é漢字🙂"}, ensure_ascii=False),
    json.dumps({"custom_id": "c", "text": "x" * 300}),
]
BODY = ("\n".join(LINES) + "\r\n\n").encode()


def split(chunks: list[bytes]) -> list[bytes]:
    splitter = LineSplitter()
    out: list[bytes] = []
    for chunk in chunks:
        out += splitter.feed(chunk)
    return out + splitter.close()


EXPECTED = [line.encode() for line in LINES]


def test_whole() -> None:
    assert split([BODY]) == EXPECTED


def test_every_split_point() -> None:
    for i in range(len(BODY) + 1):
        assert split([BODY[:i], BODY[i:]]) == EXPECTED, i


def test_byte_by_byte() -> None:
    assert split([BODY[i : i + 1] for i in range(len(BODY))]) == EXPECTED


def test_random_splits() -> None:
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(len(BODY)), 6))
        chunks = [BODY[a:b] for a, b in zip([0, *cuts], [*cuts, len(BODY)], strict=True)]
        assert split(chunks) == EXPECTED


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", []),
        (b"\n\n \n", []),
        (b"a", [b"a"]),
        (b"a\r\n", [b"a"]),
        (b"a\nb", [b"a", b"b"]),
        (b"a\r", [b"a"]),
    ],
)
def test_edges(body: bytes, expected: list[bytes]) -> None:
    assert split([body]) == expected


def _bytes_held_per_chunk(n: int) -> float:
    """One line of ``n`` 16-byte chunks: memory held at once per ``feed`` (summed, per chunk)."""
    splitter = LineSplitter()
    lines: list[bytes] = []
    with AllocationMeter() as meter:
        for _ in range(n):
            lines += meter.call(splitter.feed, b"x" * 16)
        lines += meter.call(splitter.feed, b"\n")
    assert lines == [b"x" * (16 * n)]
    return meter.bytes / (n + 1)


def test_a_long_line_in_tiny_chunks_is_linear() -> None:
    # Re-buffering the partial line on every chunk (bytes += chunk, or a join per feed) holds
    # the whole line so far in each call: the figure would grow ~4x for a 4x longer line.
    small, large = _bytes_held_per_chunk(5_000), _bytes_held_per_chunk(20_000)
    assert large < 1.5 * small, f"bytes per chunk grew {large / small:.2f}x for 4x the chunks"
