"""The helper events against the official SDK's own helper, on every recorded stream.

No I/O: each recorded stream is decoded by our ``MessageStreamProtocol`` and fed to
``HelperEventBuilder``; the same payloads are fed to the official SDK's ``accumulate_event`` /
``build_events`` (the functions its ``MessageStream`` runs). The two sequences of events (pings
left out, as both streams do) must agree event for event: types, deltas, snapshots, the block
at each ``content_block_stop`` and the message at ``message_stop``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aioanthropic import END, NEED_DATA, APIError, MessageStreamProtocol
from aioanthropic._protocol.helper_events import HelperEventBuilder, TextEvent
from aioanthropic._protocol.sse import SSEDecoder
from aioanthropic.types import UnknownEvent
from helpers import ALL_STREAM_FIXTURES, STREAM_FIXTURE_IDS

official_streaming = pytest.importorskip("anthropic.lib.streaming._messages")


def _plain(value: Any) -> Any:
    """Comparable form of a model, list or value (sorted keys, Nones dropped)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        # partial_json: ours only, the raw text of a tool input cut short (README, Streaming).
        return {
            k: _plain(v) for k, v in sorted(value.items()) if v is not None and k != "partial_json"
        }
    return value


def _view(event: Any) -> tuple[Any, ...]:
    kind = event.type
    if kind == "text":
        return (kind, event.text, event.snapshot)
    if kind == "thinking":
        return (kind, event.thinking, event.snapshot)
    if kind == "signature":
        return (kind, event.signature)
    if kind == "input_json":
        return (kind, event.partial_json, _plain(event.snapshot))
    if kind == "citation":
        return (kind, _plain(event.citation), _plain(event.snapshot))
    if kind == "content_block_stop":
        return (kind, event.index, _plain(event.content_block))
    if kind == "message_stop":
        message = _plain(event.message)
        # Usage fields this version does not know are kept here and dropped there.
        usage = {k: message["usage"].get(k) for k in ("input_tokens", "output_tokens")}
        return (kind, message["content"], message.get("stop_reason"), usage)
    if kind == "content_block_delta":
        return (kind, event.index, event.delta.type)
    return (kind,)


def ours(data: bytes) -> list[tuple[Any, ...]] | None:
    proto = MessageStreamProtocol()
    builder = HelperEventBuilder(proto.accumulator)
    out: list[tuple[Any, ...]] = []
    proto.receive_data(data)
    proto.receive_eof()
    try:
        while (event := proto.next_event()) is not END:
            assert event is not NEED_DATA
            if event.type == "ping" or isinstance(event, UnknownEvent):
                continue  # the official stream drops both; ours yields unknown events
            extra = builder.synthesize(event)
            out.append(_view(builder.replace(event)))
            if extra is not None:
                out.append(_view(extra))
    except APIError:
        return None  # a stream that fails: the official helper has no counterpart to compare
    return out


def official(data: bytes) -> list[tuple[Any, ...]]:
    from anthropic._models import construct_type
    from anthropic.types import RawMessageStreamEvent

    decoder = SSEDecoder()
    pairs = [*decoder.feed(data), *decoder.close()]
    snapshot: Any = None
    json_bufs: dict[int, bytes] = {}
    out: list[tuple[Any, ...]] = []
    for _, payload in pairs:
        if payload.strip() in (b"", b"[DONE]"):
            continue
        value = json.loads(payload)
        if value.get("type") in ("ping", None) or value["type"] not in {
            "message_start",
            "message_delta",
            "message_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
        }:
            continue
        raw = construct_type(type_=RawMessageStreamEvent, value=value)
        snapshot = official_streaming.accumulate_event(
            event=raw, current_snapshot=snapshot, json_bufs=json_bufs
        )
        out.extend(
            _view(e) for e in official_streaming.build_events(event=raw, message_snapshot=snapshot)
        )
        if value["type"] == "message_stop":
            break
    return out


@pytest.mark.parametrize("path", ALL_STREAM_FIXTURES, ids=STREAM_FIXTURE_IDS)
def test_helper_events_match_the_official_helper(path: Path) -> None:
    data = path.read_bytes()
    mine = ours(data)
    if mine is None:
        pytest.skip("the stream fails by design (error, truncation): covered elsewhere")
    try:
        theirs = official(data)
    except Exception as exc:  # the official helper cannot read this stream at all
        pytest.skip(f"the official helper fails on it: {type(exc).__name__}: {exc}")
    assert mine == theirs
    assert len(mine) > 0


def test_a_text_snapshot_is_the_text_at_that_event_even_when_read_later() -> None:
    path = next(p for p in ALL_STREAM_FIXTURES if p.name == "utf8_multibyte.sse")
    proto = MessageStreamProtocol()
    builder = HelperEventBuilder(proto.accumulator)
    proto.receive_data(path.read_bytes())
    proto.receive_eof()
    texts: list[TextEvent] = []
    while (event := proto.next_event()) is not END:
        extra = builder.synthesize(event)
        if isinstance(extra, TextEvent):
            texts.append(extra)
    assert len(texts) >= 2
    # Read in reverse, after the whole stream: each still gives the text up to its own delta.
    joined = "".join(t.text for t in texts)
    for i in reversed(range(len(texts))):
        assert texts[i].snapshot == "".join(t.text for t in texts[: i + 1])
    assert texts[-1].snapshot == joined
    with pytest.raises(AttributeError):
        texts[0].text = "changed"  # type: ignore[misc]
