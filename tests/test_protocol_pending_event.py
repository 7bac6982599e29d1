"""MessageStreamProtocol.has_pending_event: what times the first content delta."""

from __future__ import annotations

from aioanthropic import MessageStreamProtocol

START = (
    b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":'
    b'"message","role":"assistant","model":"m","content":[],"stop_reason":null,'
    b'"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
)
BLOCK = (
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"text","text":""}}\n\n'
)
DELTA = (
    b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
    b'"delta":{"type":"text_delta","text":"Hi"}}\n\n'
)


def test_named_events_are_judged_by_their_event_line() -> None:
    proto = MessageStreamProtocol()
    proto.receive_data(START + BLOCK)
    assert not proto.has_pending_event("content_block_delta")
    proto.receive_data(DELTA[:30])  # an incomplete event is not pending yet
    assert not proto.has_pending_event("content_block_delta")
    proto.receive_data(DELTA[30:])
    assert proto.has_pending_event("content_block_delta")
    while proto.next_event() is not None and proto.has_pending_event("content_block_delta"):
        pass
    assert not proto.has_pending_event("content_block_delta")  # returned: no longer pending


def test_an_unnamed_event_is_judged_by_its_type_in_the_data() -> None:
    proto = MessageStreamProtocol()
    proto.receive_data(START.split(b"\n", 1)[1] + DELTA.split(b"\n", 1)[1])
    assert proto.has_pending_event("content_block_delta")
    assert proto.has_pending_event("message_start")
    assert not proto.has_pending_event("message_stop")
