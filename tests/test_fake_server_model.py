"""The fake server's sans-IO core, without a server: the model, its events, the chunker."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aioanthropic.testing._responder import Reply, pieces, reply, sample_input
from aioanthropic.testing._sse import Chunker, split_recording, stream_events


def fold(events: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    raw_json: dict[int, str] = {}
    for name, data in events:
        if name == "content_block_start":
            blocks.append(dict(data["content_block"]))
        elif name == "content_block_delta":
            block, delta = blocks[data["index"]], data["delta"]
            kind = delta["type"]
            if kind == "text_delta":
                block["text"] += delta["text"]
            elif kind == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif kind == "signature_delta":
                block["signature"] = delta["signature"]
            else:
                raw_json[data["index"]] = raw_json.get(data["index"], "") + delta["partial_json"]
        elif name == "content_block_stop" and data["index"] in raw_json:
            blocks[data["index"]]["input"] = json.loads(raw_json[data["index"]])
    return blocks


@given(st.text())
def test_pieces_cover_the_text(text: str) -> None:
    assert "".join(pieces(text)) == text


@given(
    user=st.text(max_size=80),
    system=st.none() | st.text(min_size=1, max_size=20),
    max_tokens=st.integers(1, 40),
    stops=st.lists(st.text(min_size=1, max_size=3), max_size=3),
    thinking=st.booleans(),
    tool=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_streamed_blocks_equal_the_reply(
    user: str,
    system: str | None,
    max_tokens: int,
    stops: list[str],
    thinking: bool,
    tool: bool,
    seed: int,
) -> None:
    body: dict[str, Any] = {
        "model": "m",
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": user}],
        "stop_sequences": stops,
    }
    if system is not None:
        body["system"] = system
    if thinking:
        body["thinking"] = {"type": "enabled", "budget_tokens": 1024}
    if tool:
        schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
        body["tools"] = [{"name": "t", "input_schema": schema}]
        body["tool_choice"] = {"type": "any"}
    answer = reply(body, lambda: "toolu_x")
    events = stream_events(answer, message_id="msg", model="m", seed=seed)
    assert fold(events) == answer.content
    names = [name for name, _ in events]
    assert names[:2] == ["message_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]
    assert events[-2][1]["delta"]["stop_reason"] == answer.stop_reason
    text = "".join(b["text"] for b in answer.content if b["type"] == "text")
    if answer.stop_reason == "max_tokens":
        assert len(pieces(text)) == max_tokens
    if answer.stop_reason == "stop_sequence":
        assert answer.stop_sequence in stops
        assert not any(stop in text for stop in stops)


@given(
    mode=st.sampled_from(["events", "random", "bytes"]),
    seed=st.integers(0, 2**16),
    events=st.lists(st.binary(max_size=60), max_size=8),
)
def test_chunker_loses_and_reorders_nothing(mode: str, seed: int, events: list[bytes]) -> None:
    chunker = Chunker(mode, seed)
    sends = [chunk for data in events for chunk in chunker.feed(data)] + chunker.flush()
    assert b"".join(sends) == b"".join(events)
    assert all(sends)


def test_split_recording_keeps_every_byte() -> None:
    raw = b"event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\ndata: tail"
    parts = split_recording(raw)
    assert parts == [b"event: a\ndata: 1\n\n", b"event: b\r\ndata: 2\r\n\r\n", b"data: tail"]


def test_sample_input_follows_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "kind": {"enum": ["a", "b"]},
            "fixed": {"const": 3},
            "maybe": {"type": ["null", "integer"], "minimum": 5},
            "ratio": {"type": "number", "maximum": 1.0},
            "tags": {"type": "array", "items": {"type": "string", "minLength": 6}, "minItems": 2},
            "choice": {"anyOf": [{"type": "boolean"}, {"type": "string"}]},
            "nested": {"type": "object", "properties": {"n": {"type": "integer", "default": 9}}},
        },
        "required": ["kind", "undescribed"],
    }
    assert sample_input(schema, "cat") == {
        "kind": "a",
        "fixed": 3,
        "maybe": 5,
        "ratio": 1.0,
        "tags": ["catcat", "catcat"],
        "choice": True,
        "nested": {"n": 9},
        "undescribed": "cat",
    }


def test_reply_is_a_plain_value() -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
    assert reply(body, lambda: "unused") == Reply(
        content=[{"type": "text", "text": "You said: x"}],
        stop_reason="end_turn",
        stop_sequence=None,
        input_tokens=1,
        output_tokens=3,
    )
