"""MessageAccumulator: fixtures rebuild the expected message; protocol errors; linear time."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from aioanthropic._protocol.accumulator import MessageAccumulator
from aioanthropic._protocol.events import UnknownDelta, parse_event
from aioanthropic._protocol.exceptions import StreamProtocolError
from aioanthropic._protocol.responses import (
    CitationCharLocation,
    CitationPageLocation,
    Message,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    UnknownBlock,
    UnknownCitation,
    WebSearchToolResultBlock,
)
from helpers import FIXTURES, AllocationMeter, decode


def accumulate(name: str) -> MessageAccumulator:
    acc = MessageAccumulator()
    for event in decode([(FIXTURES / name).read_bytes()]):
        acc.feed(event)
    return acc


# --- the official SDK's fixtures, as their README says -----------------------------------------


def test_basic_response() -> None:
    acc = accumulate("official-sdk/basic_response.sse")
    m = acc.message
    assert acc.done
    assert m.id == "msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK"
    assert m.model == "claude-3-opus-latest"
    assert m.stop_reason == "end_turn"
    assert len(m.content) == 1
    assert isinstance(m.content[0], TextBlock)
    assert m.content[0].text == "Hello there!"
    assert m.usage.output_tokens == 6
    assert m.usage.input_tokens == 11


def test_tool_use_response() -> None:
    acc = accumulate("official-sdk/tool_use_response.sse")
    m = acc.message
    assert m.stop_reason == "tool_use"
    text, tool = m.content
    assert isinstance(text, TextBlock)
    assert text.text == "I'll check the current weather in Paris for you."
    assert isinstance(tool, ToolUseBlock)
    assert tool.id == "toolu_01NRLabsLyVHZPKxbKvkfSMn"
    assert tool.name == "get_weather"
    assert tool.input == {"location": "Paris"}
    assert tool.partial_json is None
    assert tool.model_extra == {"caller": {"type": "direct"}}  # unknown fields kept
    u = m.usage
    assert (u.input_tokens, u.output_tokens) == (377, 65)
    assert (u.cache_creation_input_tokens, u.cache_read_input_tokens) == (0, 0)
    assert u.service_tier == "standard"
    assert u.server_tool_use is None
    assert acc.incomplete_tool_blocks == []


def test_incomplete_partial_json_response() -> None:
    acc = accumulate("official-sdk/incomplete_partial_json_response.sse")
    m = acc.message
    assert acc.done
    assert m.stop_reason == "max_tokens"
    assert m.usage.output_tokens == 124
    assert m.usage.input_tokens == 450
    text, tool = m.content
    assert isinstance(text, TextBlock)
    assert text.text.startswith("I'll create a comprehensive tax guide")
    assert text.text.endswith("Let me do that for you now.")
    assert isinstance(tool, ToolUseBlock)
    assert tool.name == "make_file"
    assert tool.partial_json is not None
    assert tool.partial_json.startswith('{"filename": "taxes.txt", "lines_of_text": [')
    assert tool.partial_json.endswith('"Filing taxes')
    assert tool.input == {
        "filename": "taxes.txt",
        "lines_of_text": [
            "# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s",
            "",
            "## INTRODUCTION",
            "",
        ],
    }
    assert acc.incomplete_tool_blocks == [1]
    # For a live view the string being written shows as far as it got; the block's final
    # input keeps only the values that completed.
    assert acc.partial_input(1) == {
        **tool.input,
        "lines_of_text": [*tool.input["lines_of_text"], "Filing taxes"],
    }
    assert acc.input_json(1) == tool.partial_json


def test_refusal_response() -> None:
    m = accumulate("official-sdk/refusal_response.sse").message
    assert m.id == "msg_01RefusalTestMessage123456789"
    assert m.stop_reason == "refusal"
    assert m.stop_details is not None
    assert m.stop_details.model_dump() == {
        "type": "refusal",
        "category": "cyber",
        "explanation": "This request was refused due to policy.",
    }


# --- our fixtures ------------------------------------------------------------------------------


def test_thinking_signature_text() -> None:
    m = accumulate("streams/thinking_signature_text.sse").message
    thinking, redacted, text = m.content
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.thinking == "Let me add 2 and 2."
    assert thinking.signature == "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
    assert isinstance(redacted, RedactedThinkingBlock)
    assert redacted.data == "EmwKAhgBEgy3va3pzix"
    assert isinstance(text, TextBlock)
    assert text.text == "2 + 2 = 4"
    assert m.usage.output_tokens == 42


def test_citations() -> None:
    m = accumulate("streams/citations.sse").message
    plain, cited = m.content
    assert isinstance(plain, TextBlock)
    assert plain.citations is None
    assert isinstance(cited, TextBlock)
    assert cited.text == "the grass is green"
    assert cited.citations is not None
    kinds = [type(c) for c in cited.citations]
    assert kinds == [CitationCharLocation, CitationPageLocation, UnknownCitation]
    assert cited.citations[2].model_dump() == {
        "type": "future_location",
        "cited_text": "x",
        "where": {"shelf": 7},
    }


def test_unknown_types() -> None:
    acc = accumulate("streams/unknown_types.sse")
    m = acc.message
    unknown, text = m.content
    assert isinstance(unknown, UnknownBlock)
    assert unknown.data == {"type": "mind_map", "nodes": ["a", "b"]}
    assert isinstance(text, TextBlock)
    assert text.text == "Plain text."
    assert text.model_extra == {"sparkle": True}
    assert m.stop_reason == "brand_new_reason"
    assert m.model_extra == {"brand_new_field": {"a": 1}}
    assert m.usage.model_extra == {"thoughts_tokens": 3}
    # Unknown deltas, and any delta into an unknown block, are recorded, not applied.
    recorded = [(i, d.type) for i, d in acc.unapplied_deltas]
    assert recorded == [(0, "mind_map_delta"), (0, "text_delta"), (1, "sparkle_delta")]
    assert isinstance(acc.unapplied_deltas[0][1], UnknownDelta)


def test_server_tool_use_and_web_search() -> None:
    acc = accumulate("streams/server_tool_web_search.sse")
    m = acc.message
    tool, result, text = m.content
    assert isinstance(tool, ServerToolUseBlock)
    assert tool.input == {"query": "weather NYC today"}
    assert isinstance(result, WebSearchToolResultBlock)
    assert result.content[0]["url"] == "https://example.com/nyc"
    assert isinstance(text, TextBlock)
    assert text.text == "It is sunny in NYC."
    assert m.usage.input_tokens == 10682
    assert m.usage.output_tokens == 510
    assert m.usage.server_tool_use is not None
    assert m.usage.server_tool_use.web_search_requests == 1
    assert m.usage.service_tier == "standard"  # from message_start, kept
    assert acc.incomplete_tool_blocks == []


def test_gateway_nulls() -> None:
    m = accumulate("streams/gateway_nulls.sse").message
    assert m.id == "msg_gw01"
    (text,) = m.content
    assert isinstance(text, TextBlock)
    assert text.text == "Hi"
    assert m.stop_reason == "end_turn"  # the usage-only message_delta did not erase it
    # The duplicate message_start was ignored: usage comes from the first (null -> 0) and
    # the OpenAI-style names in message_delta.
    assert (m.usage.input_tokens, m.usage.output_tokens) == (8, 3)


def test_all_fixtures_agree_on_the_no_event_line_variant() -> None:
    m = accumulate("streams/no_event_lines.sse").message
    assert isinstance(m.content[0], TextBlock)
    assert m.content[0].text == "No event lines here."


# --- behaviour from hand-built events ----------------------------------------------------------

START: dict[str, Any] = {
    "type": "message_start",
    "message": {"id": "msg_1", "model": "m", "content": [], "usage": {"input_tokens": 3}},
}


def ev(payload: dict[str, Any]) -> Any:
    return parse_event(json.dumps(payload))


def block_start(index: int, block: dict[str, Any]) -> Any:
    return ev({"type": "content_block_start", "index": index, "content_block": block})


def block_delta(index: int, delta: dict[str, Any]) -> Any:
    return ev({"type": "content_block_delta", "index": index, "delta": delta})


def stop(index: int) -> Any:
    return ev({"type": "content_block_stop", "index": index})


def text(index: int, s: str) -> Any:
    return block_delta(index, {"type": "text_delta", "text": s})


def json_part(index: int, s: str) -> Any:
    return block_delta(index, {"type": "input_json_delta", "partial_json": s})


TOOL = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}


def started() -> MessageAccumulator:
    return MessageAccumulator().feed(ev(START))


def test_feed_returns_the_accumulator_and_messages_do_not_change_later() -> None:
    acc = started()
    assert acc.feed(block_start(0, {"type": "text", "text": ""})) is acc
    first = acc.feed(text(0, "a")).message
    assert acc.message is first  # cached until the next feed
    second = acc.feed(text(0, "b")).message
    assert second is not first
    assert first.content[0].model_dump()["text"] == "a"
    assert second.content[0].model_dump()["text"] == "ab"
    acc.feed(ev({"type": "ping"}))
    assert acc.message is second  # events with no effect keep the cache


def test_tool_input_partial_and_final() -> None:
    acc = started().feed(block_start(0, TOOL))
    assert acc.partial_input(0) == {}
    acc.feed(json_part(0, '{"city": "Par'))
    assert acc.partial_input(0) == {"city": "Par"}  # the string being written, so far
    acc.feed(json_part(0, 'is", "days": [1, 2'))
    assert acc.partial_input(0) == {"city": "Paris", "days": [1, 2]}
    assert acc.incomplete_tool_blocks == [0]
    block = acc.message.content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.input == {"city": "Paris", "days": [1, 2]}
    assert block.partial_json == '{"city": "Paris", "days": [1, 2'
    acc.feed(json_part(0, "]}")).feed(stop(0))
    block = acc.message.content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.input == {"city": "Paris", "days": [1, 2]}
    assert block.partial_json is None
    assert acc.incomplete_tool_blocks == []


@pytest.mark.parametrize("junk", ["{]", "[1, 2]", '{"a": 1} extra', "nul"])
def test_partial_input_never_raises(junk: str) -> None:
    acc = started().feed(block_start(0, TOOL)).feed(json_part(0, junk))
    assert isinstance(acc.partial_input(0), dict)
    acc.feed(stop(0))
    # invalid (or not an object) at stop: flagged, raw kept, no crash
    assert acc.incomplete_tool_blocks == [0]
    block = acc.message.content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.partial_json == junk


def test_empty_tool_json_at_stop() -> None:
    with_deltas = started().feed(block_start(0, TOOL)).feed(json_part(0, "")).feed(stop(0))
    block = with_deltas.message.content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.input == {}
    assert block.partial_json is None
    start_input = {**TOOL, "input": {"preset": True}}
    no_deltas = started().feed(block_start(0, start_input)).feed(stop(0))
    block = no_deltas.message.content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.input == {"preset": True}
    assert no_deltas.incomplete_tool_blocks == []


def test_tool_block_never_stopped_is_flagged() -> None:
    acc = started().feed(block_start(0, TOOL))
    assert acc.incomplete_tool_blocks == [0]
    block = acc.message.content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.partial_json == ""


def test_message_delta_merges_usage_not_none() -> None:
    acc = started().feed(
        ev(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "stop_sequence", "stop_sequence": "END"},
                "usage": {"output_tokens": 7, "cache_read_input_tokens": 2, "input_tokens": None},
            }
        )
    )
    m = acc.message
    assert (m.stop_reason, m.stop_sequence) == ("stop_sequence", "END")
    assert (m.usage.input_tokens, m.usage.output_tokens) == (3, 7)
    assert m.usage.cache_read_input_tokens == 2
    assert not acc.done
    acc.feed(ev({"type": "message_stop"}))
    assert acc.done


def test_rebuilds_from_a_recorded_list_without_a_client() -> None:
    events = [
        ev(START),
        block_start(0, {"type": "text", "text": ""}),
        text(0, "x"),
        stop(0),
        ev({"type": "message_stop"}),
    ]
    acc = MessageAccumulator()
    for e in events:
        acc.feed(e)
    assert isinstance(acc.message, Message)
    assert acc.message.content[0].model_dump()["text"] == "x"


# --- protocol errors ---------------------------------------------------------------------------

Feed = Callable[[MessageAccumulator], object]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda a: a.feed(text(0, "x")), id="delta-before-block-start"),
        pytest.param(lambda a: a.feed(stop(0)), id="stop-before-block-start"),
        pytest.param(lambda a: a.feed(block_start(1, TOOL)), id="index-gap"),
        pytest.param(
            lambda a: a.feed(block_start(0, TOOL)).feed(block_start(0, TOOL)), id="index-repeat"
        ),
        pytest.param(
            lambda a: a.feed(block_start(0, TOOL)).feed(text(0, "x")), id="text-delta-on-tool"
        ),
        pytest.param(
            lambda a: a.feed(block_start(0, {"type": "text", "text": ""})).feed(json_part(0, "{")),
            id="json-delta-on-text",
        ),
        pytest.param(
            lambda a: a.feed(block_start(0, {"type": "text"})).feed(stop(0)).feed(text(0, "x")),
            id="delta-after-stop",
        ),
        pytest.param(
            lambda a: a.feed(ev({**START, "message": {**START["message"], "id": "msg_2"}})),
            id="different-id-message-start",
        ),
    ],
)
def test_protocol_errors(bad: Feed) -> None:
    acc = started()
    with pytest.raises(StreamProtocolError):
        bad(acc)
    assert acc.message.id == "msg_1"  # the partial message is still there for the shell


@pytest.mark.parametrize(
    "event",
    [
        block_start(0, {"type": "text"}),
        text(0, "x"),
        stop(0),
        ev({"type": "message_delta", "delta": {}}),
        ev({"type": "message_stop"}),
    ],
)
def test_events_before_message_start(event: Any) -> None:
    acc = MessageAccumulator()
    with pytest.raises(StreamProtocolError):
        acc.feed(event)
    with pytest.raises(StreamProtocolError):
        _ = acc.message


def test_ping_and_unknown_before_start_are_harmless() -> None:
    acc = MessageAccumulator().feed(ev({"type": "ping"})).feed(ev({"type": "hologram"}))
    assert not acc.started
    acc.feed(ev(START))
    assert acc.message.id == "msg_1"


def test_duplicate_message_start_same_id_ignored() -> None:
    acc = started().feed(block_start(0, {"type": "text"})).feed(text(0, "a"))
    acc.feed(ev(START))
    assert acc.message.content[0].model_dump()["text"] == "a"


# --- linear time -------------------------------------------------------------------------------


def _text_stream(n: int) -> bytes:
    head = (
        "event: message_start\ndata: "
        + json.dumps(START)
        + "\n\nevent: content_block_start\ndata: "
        + '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
    )
    delta = (
        "event: content_block_delta\n"
        'data: {"type":"content_block_delta","index":0,'
        '"delta":{"type":"text_delta","text":"word "}}\n\n'
    )
    tail = 'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
    return (head + delta * n + tail).encode()


def _tool_stream(total_bytes: int) -> bytes:
    head = (
        "event: message_start\ndata: "
        + json.dumps(START)
        + "\n\nevent: content_block_start\ndata: "
        + json.dumps({"type": "content_block_start", "index": 0, "content_block": TOOL})
        + "\n\n"
    )
    # The input is {"k": "xxxx..."} sent in 20-character fragments.
    payload = '{"k": "' + "x" * (total_bytes - 10) + '"}'
    parts = [payload[i : i + 20] for i in range(0, len(payload), 20)]
    deltas = "".join(
        "event: content_block_delta\ndata: "
        + json.dumps(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": p},
            }
        )
        + "\n\n"
        for p in parts
    )
    tail = 'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
    return (head + deltas + tail).encode()


def _bytes_held_per_event(raw: bytes) -> float:
    """Memory held at once while feeding each event (and reading the message once), summed
    and divided by the number of events: constant for a linear accumulator, growing with the
    stream for one that re-copies what it has (see AllocationMeter)."""
    events = decode([raw])
    acc = MessageAccumulator()
    with AllocationMeter() as meter:
        for event in events:
            meter.call(acc.feed, event)
        meter.call(lambda: acc.message)
    return meter.bytes / len(events)


# With the accumulator made quadratic (every fragment joined again on each delta), the figure
# grows ~10x for 10x the events; linear, it stays within 1% (measured 88.1 vs 87.7 bytes per
# text event, 124.7 vs 125.4 per tool-input event).


def test_linear_time_text_deltas() -> None:
    small = _bytes_held_per_event(_text_stream(2_000))
    large = _bytes_held_per_event(_text_stream(20_000))
    assert large < 1.5 * small, f"bytes per event grew {large / small:.2f}x for 10x the events"


def test_linear_time_tool_input() -> None:
    small = _bytes_held_per_event(_tool_stream(40_000))
    large = _bytes_held_per_event(_tool_stream(400_000))
    assert large < 1.5 * small, f"bytes per event grew {large / small:.2f}x for 10x the input"
