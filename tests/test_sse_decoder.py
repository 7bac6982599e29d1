"""StreamDecoder: bytes to typed events, identical at every chunking (h11's t_body_reader idea)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioanthropic._accumulator import MessageAccumulator
from aioanthropic._events import (
    ContentBlockDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
    PingEvent,
    TextDelta,
    UnknownEvent,
)
from aioanthropic._exceptions import APIResponseValidationError
from aioanthropic._sse import StreamDecoder, is_event_stream

FIXTURES = Path(__file__).parent / "fixtures"
ALL_FIXTURES = sorted(FIXTURES.glob("*/*.sse"))
IDS = [f"{p.parent.name}/{p.name}" for p in ALL_FIXTURES]


def decode(chunks: list[bytes]) -> list[Any]:
    decoder = StreamDecoder()
    events: list[Any] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    assert decoder.events_decoded == len(events)
    return events


def outcome(chunks: list[bytes]) -> tuple[list[Any], dict[str, Any]]:
    events = decode(chunks)
    acc = MessageAccumulator()
    for event in events:
        acc.feed(event)
    dumped = [(type(e).__name__, e.model_dump()) for e in events]
    return dumped, acc.message.model_dump()


def split_at(data: bytes, points: list[int]) -> list[bytes]:
    bounds = [0, *sorted(points), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


# --- split invariance ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=IDS)
def test_whole_vs_byte_by_byte(path: Path) -> None:
    data = path.read_bytes()
    whole = outcome([data])
    assert whole[0], "the fixture decodes to some events"
    assert outcome([data[i : i + 1] for i in range(len(data))]) == whole


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=IDS)
def test_every_single_split_point(path: Path) -> None:
    data = path.read_bytes()
    expected = decode([data])
    expected_dump = [e.model_dump() for e in expected]
    for i in range(len(data) + 1):
        got = decode([data[:i], data[i:]])
        assert [e.model_dump() for e in got] == expected_dump, f"split at byte {i}"
        assert [type(e) for e in got] == [type(e) for e in expected]


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=IDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_arbitrary_chunkings(path: Path, data: st.DataObject) -> None:
    raw = path.read_bytes()
    points = data.draw(st.lists(st.integers(0, len(raw)), max_size=40))
    assert outcome(split_at(raw, points)) == outcome([raw])


def test_splits_inside_multibyte_characters() -> None:
    raw = (FIXTURES / "streams" / "utf8_multibyte.sse").read_bytes()
    # Every position that falls inside a multi-byte UTF-8 sequence (a continuation byte).
    inside = [i for i, b in enumerate(raw) if 0x80 <= b < 0xC0]
    assert len(inside) > 20
    expected = outcome([raw])
    assert outcome(split_at(raw, inside)) == expected
    for i in inside:
        assert outcome(split_at(raw, [i])) == expected
    text = expected[1]["content"][0]["text"]
    assert text == "Grüße 🌍👋🏽 你好\uff0c世界\uff01 é😀 مرحبا"  # full-width , and !


# --- wire details ----------------------------------------------------------------------------


def test_bom_comments_and_empty_data_are_skipped() -> None:
    raw = (FIXTURES / "streams" / "bom_keepalive_empty_data.sse").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    plain = (FIXTURES / "official-sdk" / "basic_response.sse").read_bytes()
    assert outcome([raw]) == outcome([plain])


def test_bom_only_at_the_very_start() -> None:
    # Fed as its own chunks, the BOM is still recognised; later a BOM is content.
    bom = "\ufeff".encode()
    body = b'data: {"type":"ping"}\n\n'
    assert [type(e) for e in decode([bom[:1], bom[1:], body])] == [PingEvent]
    text_event = (
        b'data: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"\xef\xbb\xbfx"}}\n\n'
    )
    (event,) = decode([body + text_event])[1:]
    assert isinstance(event, ContentBlockDeltaEvent)
    assert isinstance(event.delta, TextDelta)
    assert event.delta.text == "\ufeffx"
    # A second BOM at the start of a line is not stripped: it makes an unknown field name.
    assert decode([bom + bom + body]) == []


def test_crlf_equals_lf() -> None:
    crlf = (FIXTURES / "streams" / "crlf.sse").read_bytes()
    lf = (FIXTURES / "official-sdk" / "tool_use_response.sse").read_bytes()
    assert b"\r\n" in crlf
    assert outcome([crlf]) == outcome([lf])
    assert outcome([lf.replace(b"\n", b"\r")]) == outcome([lf])


def test_no_event_lines_dispatch_by_type() -> None:
    events = decode([(FIXTURES / "streams" / "no_event_lines.sse").read_bytes()])
    assert isinstance(events[0], MessageStartEvent)
    assert isinstance(events[2], PingEvent)
    assert isinstance(events[-1], MessageStopEvent)


def test_unterminated_last_event_is_not_dispatched() -> None:
    body = b'data: {"type":"ping"}\n\ndata: {"type":"message_stop"}'
    assert [type(e) for e in decode([body])] == [PingEvent]
    assert [type(e) for e in decode([body + b"\n"])] == [PingEvent]
    # A CR at the very end followed by nothing: one line ending only, still unterminated.
    assert [type(e) for e in decode([body + b"\r"])] == [PingEvent]
    # The blank line completes it, whichever line ending it uses, even split across close().
    for ending in (b"\n\n", b"\r\r", b"\r\n\r\n", b"\n\r"):
        assert [type(e) for e in decode([body + ending])] == [PingEvent, MessageStopEvent]


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    body = (
        b'data: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"a\xffb\xe2\x82"}}\n\n'
    )
    (event,) = decode([body])
    assert event.delta.text == "a\ufffdb\ufffd"


def test_unknown_event_passes_through() -> None:
    (event,) = decode([b'event: hologram\ndata: {"type":"hologram","x":[1]}\n\n'])
    assert isinstance(event, UnknownEvent)
    assert event.data == {"type": "hologram", "x": [1]}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"event: content_block_delta\ndata: {not json\n\n", "content_block_delta"),
        (b'event: content_block_stop\ndata: {"type":"content_block_stop"}\n\n', "index"),
        (b'data: {"type":"content_block_delta","index":0}\n\n', "delta"),
        (b'data: {"no_type": true}\n\n', "message"),
    ],
)
def test_bad_data_raises_validation_error_with_body(body: bytes, needle: str) -> None:
    decoder = StreamDecoder()
    with pytest.raises(APIResponseValidationError) as info:
        decoder.feed(body)
    assert needle in str(info.value)
    data = body.split(b"data: ", 1)[1].rstrip(b"\n").decode()
    assert info.value.body == data


def test_multiline_data_is_joined_with_newlines() -> None:
    (event,) = decode([b'data: {"type":\ndata: "ping"}\n\n'])
    assert isinstance(event, PingEvent)


def test_feed_after_close_is_an_error() -> None:
    decoder = StreamDecoder()
    decoder.close()
    with pytest.raises(RuntimeError):
        decoder.feed(b"data: x\n\n")
    assert decoder.close() == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/event-stream", True),
        ("text/event-stream; charset=utf-8", True),
        ("Text/Event-Stream;charset=latin-1", True),
        ("  TEXT/EVENT-STREAM  ", True),
        ("application/json", False),
        ("text/event-streams", False),
        ("text/plain; x=text/event-stream", False),
        ("", False),
        (None, False),
    ],
)
def test_is_event_stream(value: str | None, expected: bool) -> None:
    assert is_event_stream(value) is expected
