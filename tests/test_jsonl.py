"""The JSONL line splitter at every split point, and its cost with many small chunks."""

from __future__ import annotations

import json
import random
import time

import pytest

from aioanthropic._protocol.jsonl import LineSplitter

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


def test_a_long_line_in_tiny_chunks_is_linear() -> None:
    # Quadratic re-buffering would make the 4x larger line take ~16x longer.
    def cost(n: int) -> float:
        chunks = [b"x" * 16] * n + [b"\n"]
        start = time.perf_counter()
        assert split(chunks) == [b"x" * (16 * n)]
        return time.perf_counter() - start

    small, large = min(cost(50_000) for _ in range(3)), min(cost(200_000) for _ in range(3))
    assert large < 8 * small
