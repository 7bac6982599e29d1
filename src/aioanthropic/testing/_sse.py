"""A reply as Server-Sent Events in the Messages wire format, and how its bytes are cut up.

``stream_events`` is pure: the same reply and seed give the same events, and the deltas of
each block concatenate to exactly the block the non-streaming response carries. Delta sizes
vary (1 to 3 word pieces of text, 1 to 8 characters of tool-input JSON) so that clients meet
both tiny and merged fragments.

``Chunker`` turns encoded events into the byte strings handed to ASGI ``send``:
``events`` sends each event whole, ``bytes`` one byte at a time, and ``random`` cuts at seeded
random points, inside multi-byte UTF-8 characters too, and sometimes holds an event's tail
back so that one send straddles two events.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from ._responder import Reply, delta_usage, pieces, usage_json

Event = tuple[str, dict[str, Any]]

PING: Event = ("ping", {"type": "ping"})
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")


def encode(name: str, data: dict[str, Any]) -> bytes:
    # Raw UTF-8, not \u escapes: random chunking must be able to split inside a character.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {text}\n\n".encode()


def split_recording(raw: bytes) -> list[bytes]:
    """Cut a recorded ``.sse`` file into events, each keeping its terminating blank line."""
    events, start = [], 0
    for match in _EVENT_END.finditer(raw):
        events.append(raw[start : match.end()])
        start = match.end()
    if start < len(raw):
        events.append(raw[start:])
    return events


def _text_deltas(text: str, rng: random.Random) -> list[str]:
    parts, out = pieces(text), []
    while parts:
        take = rng.randint(1, 3)
        out.append("".join(parts[:take]))
        parts = parts[take:]
    return out


def _json_fragments(text: str, rng: random.Random) -> list[str]:
    out = [""]  # the real API opens every tool input with an empty fragment
    while text:
        take = rng.randint(1, 8)
        out.append(text[:take])
        text = text[take:]
    return out


def _block_events(
    index: int, block: dict[str, Any], rng: random.Random, json_text: bool = False
) -> list[Event]:
    kind = block["type"]
    start: dict[str, Any]
    deltas: list[dict[str, Any]]
    if kind == "text":
        start = {"type": "text", "text": ""}
        if json_text:
            # Structured output: JSON has few spaces, so word pieces would be long; cut finer.
            parts = _json_fragments(block["text"], rng)[1:]
        else:
            parts = _text_deltas(block["text"], rng)
        deltas = [{"type": "text_delta", "text": t} for t in parts]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [
            {"type": "thinking_delta", "thinking": t} for t in _text_deltas(block["thinking"], rng)
        ]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind == "tool_use":
        start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        deltas = [
            {"type": "input_json_delta", "partial_json": fragment}
            for fragment in _json_fragments(json.dumps(block["input"]), rng)
        ]
    else:
        raise ValueError(f"the fake model produced an unknown block type {kind!r}")
    events: list[Event] = [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
    ]
    events += [
        ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
        for d in deltas
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def stream_events(reply: Reply, *, message_id: str, model: str, seed: int) -> list[Event]:
    """Every event of the streamed reply, ``message_start`` to ``message_stop``."""
    rng = random.Random(seed)
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage_json(reply, 1),
    }
    events: list[Event] = [("message_start", {"type": "message_start", "message": message}), PING]
    for index, block in enumerate(reply.content):
        events += _block_events(index, block, rng, reply.json_text)
    delta = {"stop_reason": reply.stop_reason, "stop_sequence": reply.stop_sequence}
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": delta,
                "usage": delta_usage(reply),
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def malformed_event() -> bytes:
    """An event whose data is cut off mid-JSON, as a broken proxy might deliver it."""
    return (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{\n\n'
    )


class Chunker:
    """Cuts an outgoing byte stream into sends; see the module docstring for the modes."""

    def __init__(self, mode: str, seed: int) -> None:
        self._mode = mode
        self._rng = random.Random(seed)
        self._held = b""

    def feed(self, data: bytes) -> list[bytes]:
        data, self._held = self._held + data, b""
        if self._mode == "events":
            return [data] if data else []
        if self._mode == "bytes":
            return [data[i : i + 1] for i in range(len(data))]
        out, pos = [], 0
        while pos < len(data):
            size = self._rng.randint(1, 48)
            if pos + size >= len(data) and self._rng.random() < 0.5:
                self._held = data[pos:]
                break
            out.append(data[pos : pos + size])
            pos += size
        return out

    def flush(self) -> list[bytes]:
        held, self._held = self._held, b""
        return [held] if held else []
