"""Every event and delta type parses to its class; unknown types pass through; bad data fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from aioanthropic._protocol.events import (
    CitationsDelta,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    ErrorEvent,
    InputJSONDelta,
    MessageDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
    PingEvent,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
    UnknownDelta,
    UnknownEvent,
    parse_event,
)
from aioanthropic._protocol.responses import (
    CitationCharLocation,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    UnknownBlock,
    UnknownCitation,
    WebSearchToolResultBlock,
)

MESSAGE: dict[str, Any] = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "content": [],
    "model": "m",
    "stop_reason": None,
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


def delta(d: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": 0, "delta": d}


def start(block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": 0, "content_block": block}


EVENTS: list[tuple[dict[str, Any], type[Any]]] = [
    ({"type": "message_start", "message": MESSAGE}, MessageStartEvent),
    (start({"type": "text", "text": ""}), ContentBlockStartEvent),
    (delta({"type": "text_delta", "text": "hi"}), ContentBlockDeltaEvent),
    ({"type": "content_block_stop", "index": 0}, ContentBlockStopEvent),
    (
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}},
        MessageDeltaEvent,
    ),
    ({"type": "message_stop"}, MessageStopEvent),
    ({"type": "ping"}, PingEvent),
    (
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        ErrorEvent,
    ),
]


def both_ways(payload: dict[str, Any]) -> list[Any]:
    # With the event: name (the per-class table) and without it (the union).
    text = json.dumps(payload)
    return [parse_event(text, payload["type"]), parse_event(text), parse_event(text.encode())]


@pytest.mark.parametrize(("payload", "cls"), EVENTS)
def test_each_event_type_parses_to_its_class(payload: dict[str, Any], cls: type[Any]) -> None:
    for event in both_ways(payload):
        assert type(event) is cls
        assert event.type == payload["type"]


@pytest.mark.parametrize(
    ("d", "cls", "field", "value"),
    [
        ({"type": "text_delta", "text": "a"}, TextDelta, "text", "a"),
        ({"type": "input_json_delta", "partial_json": "{"}, InputJSONDelta, "partial_json", "{"),
        ({"type": "thinking_delta", "thinking": "t"}, ThinkingDelta, "thinking", "t"),
        ({"type": "signature_delta", "signature": "s"}, SignatureDelta, "signature", "s"),
        # gateway nulls become ""
        ({"type": "text_delta", "text": None}, TextDelta, "text", ""),
        ({"type": "input_json_delta", "partial_json": None}, InputJSONDelta, "partial_json", ""),
        ({"type": "thinking_delta", "thinking": None}, ThinkingDelta, "thinking", ""),
        ({"type": "signature_delta", "signature": None}, SignatureDelta, "signature", ""),
    ],
)
def test_each_delta_type(d: dict[str, Any], cls: type[Any], field: str, value: str) -> None:
    for event in both_ways(delta(d)):
        assert type(event.delta) is cls
        assert getattr(event.delta, field) == value


def test_citations_delta_known_and_unknown_citation() -> None:
    known = {"type": "char_location", "cited_text": "x", "start_char_index": 1}
    event = parse_event(json.dumps(delta({"type": "citations_delta", "citation": known})))
    assert isinstance(event, ContentBlockDeltaEvent)
    assert isinstance(event.delta, CitationsDelta)
    assert isinstance(event.delta.citation, CitationCharLocation)
    other = {"type": "hologram_location", "where": 3}
    event = parse_event(json.dumps(delta({"type": "citations_delta", "citation": other})))
    assert isinstance(event, ContentBlockDeltaEvent)
    assert isinstance(event.delta, CitationsDelta)
    assert isinstance(event.delta.citation, UnknownCitation)


@pytest.mark.parametrize(
    ("block", "cls"),
    [
        ({"type": "text", "text": ""}, TextBlock),
        ({"type": "tool_use", "id": "t", "name": "n", "input": {}}, ToolUseBlock),
        ({"type": "thinking", "thinking": "", "signature": ""}, ThinkingBlock),
        ({"type": "redacted_thinking", "data": "xyz"}, RedactedThinkingBlock),
        ({"type": "server_tool_use", "id": "s", "name": "web_search"}, ServerToolUseBlock),
        (
            {"type": "web_search_tool_result", "tool_use_id": "s", "content": []},
            WebSearchToolResultBlock,
        ),
        ({"type": "mind_map", "nodes": [1]}, UnknownBlock),
    ],
)
def test_each_block_type(block: dict[str, Any], cls: type[Any]) -> None:
    for event in both_ways(start(block)):
        assert type(event.content_block) is cls


def test_unknown_event_keeps_every_field() -> None:
    payload = {"type": "hologram", "frames": [1, 2], "meta": {"a": None}}
    for event in both_ways(payload):
        assert type(event) is UnknownEvent
        assert event.data == payload


def test_unknown_delta_keeps_every_field() -> None:
    d = {"type": "sparkle_delta", "level": 9}
    for event in both_ways(delta(d)):
        assert type(event.delta) is UnknownDelta
        assert event.delta.data == d


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "content_block_delta", "index": "zero", "delta": {"type": "text_delta"}},
        {"type": "content_block_delta", "index": 0},
        delta({"type": "text_delta", "text": 5}),  # a known delta with bad data
        delta({"type": "citations_delta"}),
        start({"type": "tool_use", "name": "n"}),  # a known block missing its id
        {"type": "message_start", "message": {"id": "m"}},
        {"type": "error", "error": {"message": "x"}},
        {"type": "content_block_stop", "index": []},
    ],
)
def test_known_type_with_bad_data_is_an_error_not_unknown(payload: dict[str, Any]) -> None:
    text = json.dumps(payload)
    with pytest.raises(ValidationError):
        parse_event(text, payload["type"])
    with pytest.raises(ValidationError):
        parse_event(text)


@pytest.mark.parametrize("text", ['{"type": "ping"', "not json", "[]", "null", '{"no_type": 1}'])
def test_malformed_json_or_shape(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_event(text)


def test_event_name_is_only_a_hint() -> None:
    # A proxy relabelled events: the payload's type decides.
    event = parse_event('{"type": "ping"}', "content_block_delta")
    assert type(event) is PingEvent
    event = parse_event('{"type": "brand_new"}', "message_stop")
    assert type(event) is UnknownEvent
    # A bad known payload under the wrong name is still an error, not an Unknown.
    with pytest.raises(ValidationError):
        parse_event('{"type": "content_block_stop"}', "ping")


def test_missing_type_is_taken_from_the_event_name() -> None:
    assert type(parse_event('{"index": 2}', "content_block_stop")) is ContentBlockStopEvent


def test_message_delta_usage_missing_or_null_is_empty() -> None:
    for text in ['{"type": "message_delta", "delta": {}}', '{"type":"message_delta","usage":null}']:
        event = parse_event(text)
        assert isinstance(event, MessageDeltaEvent)
        assert event.usage.model_dump(exclude_none=True) == {}
        assert event.delta.stop_reason is None


def test_events_are_immutable() -> None:
    event = parse_event('{"type": "content_block_stop", "index": 0}')
    with pytest.raises(ValidationError):
        event.index = 3  # type: ignore[misc,union-attr]
