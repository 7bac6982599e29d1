"""Helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aioanthropic import END, NEED_DATA, APIError, MessageStreamProtocol
from aioanthropic._protocol.sse import SSEDecoder
from aioanthropic._protocol.stream import decode_event

FIXTURES = Path(__file__).parent / "fixtures"
ALL_STREAM_FIXTURES = sorted(FIXTURES.glob("*/*.sse"))
STREAM_FIXTURE_IDS = [f"{p.parent.name}/{p.name}" for p in ALL_STREAM_FIXTURES]


def split_at(data: bytes, points: Iterable[int]) -> list[bytes]:
    """``data`` cut at these offsets (any order, repeats allowed)."""
    bounds = [0, *sorted(points), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def decode(chunks: Iterable[bytes]) -> list[Any]:
    """SSE decoding and event parsing only (no order checks, no accumulation)."""
    decoder = SSEDecoder()
    pairs: list[tuple[str, bytes]] = []
    for chunk in chunks:
        pairs.extend(decoder.feed(chunk))
    pairs.extend(decoder.close())
    return [decode_event(name, data) for name, data in pairs]


class Run:
    """What the protocol made of some chunks: the events, the error (if any), the message."""

    def __init__(self, events: list[Any], error: APIError | None, proto: MessageStreamProtocol):
        self.events = events
        self.error = error
        self.message = proto.message

    def key(self) -> tuple[Any, ...]:
        """Everything observable, comparable across chunkings."""
        return (
            [(type(e).__name__, e.model_dump()) for e in self.events],
            (type(self.error).__name__, str(self.error)) if self.error is not None else None,
            self.message.model_dump() if self.message is not None else None,
        )


def run_protocol(chunks: Iterable[bytes], **options: Any) -> Run:
    """Feed the chunks to a ``MessageStreamProtocol`` the way an I/O shell does, then EOF."""
    proto = MessageStreamProtocol(**options)
    events: list[Any] = []

    def drain() -> bool:
        while True:
            event = proto.next_event()
            if event is NEED_DATA:
                return False
            if event is END:
                return True
            events.append(event)

    try:
        for chunk in chunks:
            proto.receive_data(chunk)
            if drain():
                return Run(events, None, proto)
        proto.receive_eof()
        drain()
    except APIError as error:
        return Run(events, error, proto)
    return Run(events, None, proto)
