"""MessageStreamProtocol and its SSE layer, with no I/O: identical results at every chunking
(h11's t_body_reader idea), the stream rules, and the wire details."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioanthropic import (
    END,
    NEED_DATA,
    APIResponseValidationError,
    IncompleteStreamError,
    MessageStreamProtocol,
    OverloadedError,
    RateLimitError,
    StreamProtocolError,
)
from aioanthropic._protocol.sse import SSEDecoder, is_event_stream
from aioanthropic.types import (
    ContentBlockDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
    PingEvent,
    TextDelta,
    UnknownEvent,
)
from helpers import (
    ALL_STREAM_FIXTURES,
    FIXTURES,
    STREAM_FIXTURE_IDS,
    decode,
    run_protocol,
    split_at,
)

BASIC = (FIXTURES / "official-sdk" / "basic_response.sse").read_bytes()


def _start_and_block() -> bytes:
    # message_start and an open text block, as bytes: a prefix for fault tests.
    return BASIC[: BASIC.index(b"event: content_block_delta")]


# --- split invariance: the same bytes give the same events and the same error ----------------


@pytest.mark.parametrize("path", ALL_STREAM_FIXTURES, ids=STREAM_FIXTURE_IDS)
def test_whole_vs_byte_by_byte(path: Path) -> None:
    data = path.read_bytes()
    whole = run_protocol([data])
    assert whole.events, "the fixture decodes to some events"
    assert run_protocol([data[i : i + 1] for i in range(len(data))]).key() == whole.key()


@pytest.mark.parametrize("path", ALL_STREAM_FIXTURES, ids=STREAM_FIXTURE_IDS)
def test_every_single_split_point(path: Path) -> None:
    data = path.read_bytes()
    expected = run_protocol([data]).key()
    for i in range(len(data) + 1):
        assert run_protocol([data[:i], data[i:]]).key() == expected, f"split at byte {i}"


@pytest.mark.parametrize("path", ALL_STREAM_FIXTURES, ids=STREAM_FIXTURE_IDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_arbitrary_chunkings(path: Path, data: st.DataObject) -> None:
    raw = path.read_bytes()
    points = data.draw(st.lists(st.integers(0, len(raw)), max_size=40))
    assert run_protocol(split_at(raw, points)).key() == run_protocol([raw]).key()


@pytest.mark.parametrize("hold_preamble", [False, True])
@pytest.mark.parametrize(
    "bad",
    [
        b"data: [DONE]\n\n",
        b"event: content_block_delta\ndata: {not json\n\n",
        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n',
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":7,'
        b'"delta":{"type":"text_delta","text":"x"}}\n\n',
    ],
    ids=["done", "not-json", "error-event", "out-of-order"],
)
def test_no_event_is_lost_to_chunking(bad: bytes, hold_preamble: bool) -> None:
    # Good events and a fault in one chunk: the good ones come out first, then the error,
    # exactly as when the same bytes arrive in two chunks (or byte by byte).
    good = _start_and_block()
    one = run_protocol([good + bad], hold_preamble=hold_preamble)
    two = run_protocol([good, bad], hold_preamble=hold_preamble)
    drip = run_protocol([bytes([b]) for b in good + bad], hold_preamble=hold_preamble)
    assert one.key() == two.key() == drip.key()
    assert one.error is not None
    assert one.message is not None
    assert one.message.id == "msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK"
    assert one.error.partial_message is not None
    assert one.error.partial_message.id == one.message.id
    assert [type(e) for e in one.events] == [type(e) for e in decode([good])]
    assert len(one.events) == 3
    # Before any content, a held preamble is not returned: a retry could still replace it.
    preamble = good[: good.index(b"event: content_block_start")]
    assert [type(e) for e in decode([preamble])] == [MessageStartEvent]
    held = run_protocol([preamble + bad], hold_preamble=hold_preamble)
    assert held.key() == run_protocol([preamble, bad], hold_preamble=hold_preamble).key()
    assert held.error is not None
    assert held.error.partial_message is not None
    assert len(held.events) == (0 if hold_preamble else 1)


def test_done_after_message_stop_is_ignored_and_so_is_everything_else() -> None:
    run = run_protocol([BASIC + b"data: [DONE]\n\n: keep-alive\n\ndata: {garbage\n\n"])
    assert run.error is None
    assert isinstance(run.events[-1], MessageStopEvent)
    proto = MessageStreamProtocol()
    proto.receive_data(BASIC)
    while proto.next_event() is not END:
        pass
    proto.receive_data(b"data: {garbage\n\n" * 10)
    assert proto.next_event() is END
    proto.receive_eof()
    assert proto.next_event() is END


def test_done_before_message_stop_is_an_incomplete_stream() -> None:
    run = run_protocol([_start_and_block() + b"data: [DONE]\n\n"])
    assert isinstance(run.error, IncompleteStreamError)
    assert "[DONE]" in str(run.error)
    assert run.error.partial_message is not None


def test_eof_before_message_stop_is_an_incomplete_stream() -> None:
    run = run_protocol([_start_and_block()])
    assert isinstance(run.error, IncompleteStreamError)
    assert run.error.partial_message is not None


def test_openai_style_error_object_raises_its_class() -> None:
    bad = b'data: {"error":{"type":"rate_limit_error","message":"slow down"}}\n\n'
    run = run_protocol([_start_and_block() + bad])
    assert isinstance(run.error, RateLimitError)
    assert run.error.message == "slow down"
    assert run.error.partial_message is not None


def test_error_event_without_message_keeps_its_class() -> None:
    bad = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n'
    run = run_protocol([_start_and_block() + bad])
    assert isinstance(run.error, OverloadedError)
    assert run.error.error_type == "overloaded_error"
    assert "overloaded_error" in run.error.message


def test_a_fault_is_raised_again_on_every_call() -> None:
    proto = MessageStreamProtocol()
    proto.receive_data(b"data: {nope\n\n")
    with pytest.raises(APIResponseValidationError) as first:
        proto.next_event()
    with pytest.raises(APIResponseValidationError) as second:
        proto.next_event()
    assert first.value is second.value


def test_receive_data_empty_is_not_eof_and_after_eof_is_an_error() -> None:
    proto = MessageStreamProtocol()
    proto.receive_data(b"")
    assert proto.next_event() is NEED_DATA
    proto.receive_eof()
    with pytest.raises(RuntimeError):
        proto.receive_data(b"data: x\n\n")


def test_order_violations_raise_stream_protocol_error_with_partial_message() -> None:
    bad = (
        b'event: content_block_stop\ndata: {"type":"content_block_stop","index":3}\n\n'
        + BASIC[BASIC.index(b"event: content_block_delta") :]
    )
    run = run_protocol([_start_and_block() + bad])
    assert isinstance(run.error, StreamProtocolError)
    assert run.error.partial_message is not None


def test_hold_preamble_returns_held_events_in_order_at_first_content() -> None:
    held = run_protocol([BASIC], hold_preamble=True)
    plain = run_protocol([BASIC])
    assert held.key() == plain.key()
    proto = MessageStreamProtocol(hold_preamble=True)
    proto.receive_data(_start_and_block()[: _start_and_block().index(b"event: content_block")])
    assert proto.next_event() is NEED_DATA  # message_start (and pings) held
    assert not proto.content_started
    assert proto.message is not None  # but accumulated: a failure here carries it


def test_a_long_ping_preamble_is_held_as_a_count() -> None:
    # 200,000 pings before the first content: the protocol keeps one event and a count, and
    # iteration still yields every ping, in order.
    n = 200_000
    pings = b'event: ping\ndata: {"type": "ping"}\n\n' * n
    proto = MessageStreamProtocol(hold_preamble=True)
    head = _start_and_block()
    start_end = head.index(b"event: content_block")
    proto.receive_data(head[:start_end] + pings)
    assert proto.next_event() is NEED_DATA
    assert len(proto._held) == 2  # [message_start, 1], [ping, n]
    proto.receive_data(head[start_end:])
    kinds: dict[str, int] = {}
    while (event := proto.next_event()) is not NEED_DATA:
        kinds[type(event).__name__] = kinds.get(type(event).__name__, 0) + 1
    assert kinds == {"MessageStartEvent": 1, "PingEvent": n + 1, "ContentBlockStartEvent": 1}


def test_sentinels_pickle_to_themselves() -> None:
    assert pickle.loads(pickle.dumps(NEED_DATA)) is NEED_DATA
    assert pickle.loads(pickle.dumps(END)) is END
    assert repr(NEED_DATA) == "NEED_DATA"


# --- limits --------------------------------------------------------------------------------


def test_a_line_that_never_ends_fails_as_soon_as_it_passes_the_limit() -> None:
    proto = MessageStreamProtocol(max_event_bytes=1000)
    proto.receive_data(_start_and_block())
    for _ in range(5):
        proto.receive_data(b"data: " + b"x" * 300)
    events: list[Any] = []

    def drain() -> None:
        while (event := proto.next_event()) is not NEED_DATA:
            events.append(event)

    with pytest.raises(APIResponseValidationError) as info:
        drain()
    assert type(info.value).__name__ == "EventTooLargeError"
    assert "max_event_bytes" in str(info.value)
    assert len(events) == 3  # message_start, ping, content_block_start came out first
    assert info.value.partial_message is not None


def test_an_event_of_many_data_lines_is_bounded_too() -> None:
    decoder = SSEDecoder(max_event_bytes=100)
    assert decoder.feed(b"data: 0123456789\n" * 20) == []
    assert decoder.fault is not None


def test_comments_and_blank_lines_cost_nothing() -> None:
    decoder = SSEDecoder(max_event_bytes=100)
    for _ in range(1000):
        assert decoder.feed(b": keep-alive\n\n\n" * 50) == []
    assert decoder.fault is None
    assert decoder._tail == []
    assert decoder._data == []


# --- SSE and event wire details --------------------------------------------------------------


def test_splits_inside_multibyte_characters() -> None:
    raw = (FIXTURES / "streams" / "utf8_multibyte.sse").read_bytes()
    inside = [i for i, b in enumerate(raw) if 0x80 <= b < 0xC0]
    assert len(inside) > 20
    expected = run_protocol([raw])
    assert run_protocol(split_at(raw, inside)).key() == expected.key()
    assert expected.message is not None
    text = expected.message.content[0].text  # type: ignore[union-attr]
    assert text == "Grüße 🌍👋🏽 你好\uff0c世界\uff01 é😀 مرحبا"  # full-width , and !


def test_bom_comments_and_empty_data_are_skipped() -> None:
    raw = (FIXTURES / "streams" / "bom_keepalive_empty_data.sse").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert run_protocol([raw]).key() == run_protocol([BASIC]).key()


def test_bom_only_at_the_very_start() -> None:
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


def test_crlf_and_cr_equal_lf() -> None:
    crlf = (FIXTURES / "streams" / "crlf.sse").read_bytes()
    lf = (FIXTURES / "official-sdk" / "tool_use_response.sse").read_bytes()
    assert b"\r\n" in crlf
    assert run_protocol([crlf]).key() == run_protocol([lf]).key()
    assert run_protocol([lf.replace(b"\n", b"\r")]).key() == run_protocol([lf]).key()


def test_no_event_lines_dispatch_by_type() -> None:
    events = decode([(FIXTURES / "streams" / "no_event_lines.sse").read_bytes()])
    assert isinstance(events[0], MessageStartEvent)
    assert isinstance(events[2], PingEvent)
    assert isinstance(events[-1], MessageStopEvent)


def test_unterminated_last_event_is_not_dispatched() -> None:
    body = b'data: {"type":"ping"}\n\ndata: {"type":"message_stop"}'
    assert [type(e) for e in decode([body])] == [PingEvent]
    assert [type(e) for e in decode([body + b"\n"])] == [PingEvent]
    assert [type(e) for e in decode([body + b"\r"])] == [PingEvent]
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
    with pytest.raises(APIResponseValidationError) as info:
        decode([body])
    assert needle in str(info.value)
    data = body.split(b"data: ", 1)[1].rstrip(b"\n").decode()
    assert info.value.body == data


def test_multiline_data_is_joined_with_newlines() -> None:
    (event,) = decode([b'data: {"type":\ndata: "ping"}\n\n'])
    assert isinstance(event, PingEvent)


def test_feed_after_close_is_an_error() -> None:
    decoder = SSEDecoder()
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
