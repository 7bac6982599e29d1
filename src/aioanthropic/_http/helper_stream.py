"""``HelperMessageStream``: what ``messages.stream()`` yields, as the official helper does.

A ``MessageStream`` whose iteration leaves out ``ping`` events (as the official SDK does)
and adds, after each raw event, the events the official SDK's helper synthesizes (``text``,
``citation``, ``thinking``, ``signature``, ``input_json``), and yields ``content_block_stop``
/ ``message_stop`` with ``.content_block`` / ``.message`` attached. The rules are sans-IO
(``_protocol/helper_events.py``); this shell only interleaves them with the pull loop, still
without a background task or a queue of unread network data (at most one synthesized event
waits for the caller's next ``__anext__``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from aioanthropic._protocol.events import PingEvent
from aioanthropic._protocol.exceptions import APIError
from aioanthropic._protocol.helper_events import HelperEventBuilder, ParsedMessageStreamEvent
from aioanthropic._protocol.responses import Message
from aioanthropic._protocol.stream import END, NEED_DATA

from .stream import MessageStream

__all__ = ["HelperMessageStream"]

_NOTHING: Any = object()


class HelperMessageStream(MessageStream):
    """``async with client.messages.stream(...) as stream:``; see ``MessageStream`` for the
    raw surface. Iterating yields ``ParsedMessageStreamEvent``s: the raw events in wire order
    with the synthesized ones after the event they derive from (the official order)."""

    def _attach(self, response: httpx.Response, chunks: AsyncIterator[bytes] | None) -> None:
        super()._attach(response, chunks)
        # A retry attaches a new response only before content arrived: no block has started,
        # so a fresh builder over the new protocol's accumulator loses nothing.
        self._builder = HelperEventBuilder(self._proto.accumulator)
        self._pending: Any = _NOTHING

    @property
    def current_message_snapshot(self) -> Message:
        """The message accumulated so far (the official name of ``current_message``).

        Raises ``StreamProtocolError`` before ``message_start`` arrived.
        """
        return self._proto.accumulator.message

    async def until_done(self) -> None:
        """Read the stream to its end (the events are accumulated, not returned)."""
        await self.get_final_message()

    def __aiter__(self) -> HelperMessageStream:
        return self

    async def __anext__(self) -> ParsedMessageStreamEvent:  # type: ignore[override]
        pending = self._pending
        if pending is not _NOTHING:
            self._pending = _NOTHING
            return pending
        while True:
            # The same fast path as MessageStream.__anext__: an event already decoded needs no
            # coroutine of its own.
            try:
                event = self._proto.next_event()
            except APIError:
                event = NEED_DATA
            if event is NEED_DATA or event is END:
                event = await self._next()
                if event is None:
                    raise StopAsyncIteration
            # The official helper never yields pings (they only keep the connection alive).
            if type(event) is not PingEvent:
                break
        builder = self._builder
        extra = builder.synthesize(event)
        if extra is not None:
            self._pending = extra
            return event
        return builder.replace(event)

    def ready_events(self, limit: int) -> list[ParsedMessageStreamEvent]:
        """Up to ``limit`` events that need no more reading from the network (a synthesized
        event waiting, and events already decoded), in order; consumed as if iterated.

        For the sync client, which hands events over between threads in batches. Stops at the
        first fault or at the end, leaving them for the next ``__anext__`` to raise or end.
        """
        out: list[Any] = []
        if self._pending is not _NOTHING:
            out.append(self._pending)
            self._pending = _NOTHING
        builder = self._builder
        proto = self._proto
        while len(out) < limit:
            try:
                event = proto.next_event()
            except APIError:
                break
            if event is NEED_DATA or event is END:
                break
            if type(event) is PingEvent:
                continue
            extra = builder.synthesize(event)
            if extra is not None:
                out.append(event)
                if len(out) >= limit:
                    self._pending = extra
                    break
                out.append(extra)
            else:
                out.append(builder.replace(event))
        return out
