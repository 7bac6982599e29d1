"""Deterministic, seeded Messages event streams in the exact wire format, and how they are read.

Every client in the suite is fed the same ``Workload.chunks``: the body cut into reads of
1-4 KiB at seeded random sizes, so boundaries fall inside lines, inside JSON and inside
multi-byte UTF-8 characters (the text carries accented letters, CJK and emoji).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "café",
    "naïve",
    "résumé",
    "日本語",
    "テキスト",
    "emoji",
    "🚀",
    "✨",
    "streaming",
    "tokens",
    "arrive",
    "one",
    "by",
    "one",
    "über",
    "straße",
    "Ωμέγα,",
    "and;",
    "then:",
    "(parens)",
    '"quoted"',
    "back\\slash",
    "new\nline",
    "tab\there",
]


def encode(name: str, data: dict[str, Any]) -> bytes:
    # The API's own framing: compact JSON, raw UTF-8, one event: and one data: line.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {text}\n\n".encode()


@dataclass(frozen=True)
class Workload:
    name: str
    body: bytes
    chunks: tuple[bytes, ...]
    events: int  # SSE events in the body
    deltas: int  # content_block_delta events


def _message_start(rng: random.Random) -> bytes:
    message = {
        "id": f"msg_{rng.getrandbits(64):016x}",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 25,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 1,
        },
    }
    return encode("message_start", {"type": "message_start", "message": message}) + encode(
        "ping", {"type": "ping"}
    )


def _text_fragments(n: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choice(WORDS) + " " for _ in range(rng.randint(1, 3))) for _ in range(n)]


def _tool_input(n_fragments: int, rng: random.Random) -> list[str]:
    # A tool input whose JSON text, cut into 1-8 character pieces, gives n_fragments pieces.
    pieces = [""]  # the API opens every tool input with an empty fragment
    items: list[dict[str, Any]] = []
    text = ""
    while True:
        items.append({"id": len(items), "city": rng.choice(WORDS), "temp": rng.randint(-20, 40)})
        text = json.dumps({"location": "Paris", "items": items}, ensure_ascii=False)
        if len(text) >= n_fragments * 4.5:
            break
    pos = 0
    while pos < len(text) and len(pieces) < n_fragments:
        take = rng.randint(1, 8)
        pieces.append(text[pos : pos + take])
        pos += take
    pieces[-1] += text[pos:]
    return pieces


def _block(index: int, start: dict[str, Any], deltas: list[dict[str, Any]]) -> list[bytes]:
    out = [
        encode(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
    ]
    out += [
        encode("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
        for d in deltas
    ]
    out.append(encode("content_block_stop", {"type": "content_block_stop", "index": index}))
    return out


def _end(stop_reason: str, output_tokens: int) -> list[bytes]:
    return [
        encode(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        ),
        encode("message_stop", {"type": "message_stop"}),
    ]


def text_blocks(n: int, rng: random.Random, index: int = 0) -> list[bytes]:
    deltas = [{"type": "text_delta", "text": t} for t in _text_fragments(n, rng)]
    return _block(index, {"type": "text", "text": ""}, deltas)


def tool_blocks(n: int, rng: random.Random, index: int = 0) -> list[bytes]:
    deltas = [{"type": "input_json_delta", "partial_json": p} for p in _tool_input(n, rng)]
    start = {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {}}
    return _block(index, start, deltas)


def thinking_blocks(n: int, rng: random.Random, index: int = 0) -> list[bytes]:
    deltas: list[dict[str, Any]] = [
        {"type": "thinking_delta", "thinking": t} for t in _text_fragments(n, rng)
    ]
    deltas.append({"type": "signature_delta", "signature": "EqQBCgIYAhIM" + "x" * 300})
    return _block(index, {"type": "thinking", "thinking": "", "signature": ""}, deltas)


def chunked(body: bytes, seed: int, lo: int = 1024, hi: int = 4096) -> tuple[bytes, ...]:
    """Cut ``body`` into reads of ``lo``..``hi`` bytes at seeded random sizes."""
    rng = random.Random(seed ^ 0x5EED)
    out, pos = [], 0
    while pos < len(body):
        size = rng.randint(lo, hi)
        out.append(body[pos : pos + size])
        pos += size
    return tuple(out)


def make(kind: str, n: int, seed: int = 1) -> Workload:
    """``kind``: text (n text deltas), tool (n input_json fragments), mixed (about n deltas
    over thinking + signature, text and tool_use)."""
    rng = random.Random(seed)
    parts = [_message_start(rng)]
    if kind == "text":
        parts += text_blocks(n, rng)
        parts += _end("end_turn", n)
    elif kind == "tool":
        parts += tool_blocks(n, rng)
        parts += _end("tool_use", n)
    elif kind == "mixed":
        third = max(1, n // 3)
        parts += thinking_blocks(third, rng, 0)
        parts += text_blocks(third, rng, 1)
        parts += tool_blocks(third, rng, 2)
        parts += _end("tool_use", n)
    else:
        raise ValueError(kind)
    body = b"".join(parts)
    events = body.count(b"\n\n")
    deltas = body.count(b"event: content_block_delta\n")
    return Workload(f"{kind}-{n}", body, chunked(body, seed), events, deltas)
