"""``MessageStreamProtocol``: the whole Messages-stream protocol with no I/O (shaped like h11).

How this works
--------------
Bytes go in with ``receive_data`` (split anywhere) and ``receive_eof``; typed events come out of
``next_event``, one per call, in wire order, or one of two sentinels::

    proto.receive_data(chunk)
    while (event := proto.next_event()) is not NEED_DATA:
        if event is END:
            break
        ...

Inside, three stages run lazily, one event at a time:

    bytes --SSEDecoder--> (name, data) pairs --parse_event--> event --MessageAccumulator--> message

``receive_data`` only splits bytes into pending ``(name, data)`` pairs; ``next_event`` parses the
next pair, checks it against the protocol (through the accumulator, which rejects events out of
order), accumulates it and returns it. So an event that fails comes out as an exception exactly
at its place in the stream, after every event before it was returned: the same bytes give the
same events and the same error under every chunking. After a fault every call raises it again.

Stream-level rules (from the Messages API's streaming docs, and from gateways seen in the wild):

- ``message_stop`` ends the stream: ``next_event`` returns ``END`` after it, and bytes after it
  (a gateway's ``data: [DONE]``, keep-alive comments) are ignored.
- An ``error`` event raises the error class the same error type has as an HTTP status
  (``overloaded_error`` -> ``OverloadedError``). So does an OpenAI-style ``{"error": {...}}``
  object sent as a data-only event. An error without a message keeps its class.
- ``data: [DONE]`` before ``message_stop``, or the end of input before it, raises
  ``IncompleteStreamError``.
- Malformed data raises ``APIResponseValidationError``; events out of order
  ``StreamProtocolError``; a line or event longer than ``max_event_bytes``
  ``EventTooLargeError``. Every error raised here carries ``partial_message``.

``hold_preamble=True`` is for a client that may still retry: ``message_start`` and ``ping``
events are held back (pings as a count, so a long ping preamble costs constant memory) until the
first other event arrives, and then returned in order before it. A fault before that point is
raised without them: nothing has been returned, so the caller can send the request again and
nobody saw a ``message_start`` that the new response contradicts. ``content_started`` says
whether that point was passed.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any, Final

from pydantic import ValidationError

from .accumulator import MessageAccumulator
from .events import ErrorEvent, MessageStartEvent, MessageStopEvent, PingEvent, parse_event
from .exceptions import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    IncompleteStreamError,
    error_for_type,
)
from .responses import Message
from .sse import DEFAULT_MAX_EVENT_BYTES, SSEDecoder

__all__ = ["END", "NEED_DATA", "MessageStreamProtocol", "decode_event"]


class _Sentinel:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __reduce__(self) -> str:
        return self._name  # pickles as the module-level singleton


NEED_DATA: Final = _Sentinel("NEED_DATA")
"""``next_event()``: no complete event yet; call ``receive_data`` or ``receive_eof``."""

END: Final = _Sentinel("END")
"""``next_event()``: ``message_stop`` has been returned; the stream is complete."""

_DONE = b"[DONE]"
_BODY_EXCERPT = 500


class MessageStreamProtocol:
    """The Messages stream protocol: feed bytes, get typed events; no I/O, no clock.

    ``max_event_bytes`` bounds the memory one line or event may take (default 16 MiB);
    ``hold_preamble`` holds back ``message_start`` and pings until the first content event (see
    the module docstring). ``message`` is the message accumulated so far (None before
    ``message_start``); ``accumulator`` the ``MessageAccumulator`` behind it.

    Raises from ``next_event``: ``APIStatusError`` subclasses for error events,
    ``APIResponseValidationError`` (and its subclasses ``StreamProtocolError``,
    ``EventTooLargeError``) for bad data, ``IncompleteStreamError`` when the input ends early.
    ``receive_data`` after ``receive_eof`` raises ``RuntimeError``.
    """

    def __init__(
        self, *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES, hold_preamble: bool = False
    ) -> None:
        self._sse = SSEDecoder(max_event_bytes=max_event_bytes)
        self._pending: deque[tuple[str, bytes]] = deque()
        self._accumulator = MessageAccumulator()
        self._hold = hold_preamble
        # Held preamble events as runs: [event, count] (pings repeat; they cost a count each).
        self._held: list[list[Any]] = []
        self._ready: deque[list[Any]] = deque()  # released runs still to return, in order
        self._content_started = not hold_preamble
        self._fault: APIError | None = None
        self._eof = False
        self._ended = False  # message_stop returned
        self._events_returned = 0

    # --- state ---------------------------------------------------------------------------------

    @property
    def message(self) -> Message | None:
        """The message accumulated so far, or None before ``message_start`` arrived."""
        return self._accumulator.message if self._accumulator.started else None

    @property
    def accumulator(self) -> MessageAccumulator:
        return self._accumulator

    @property
    def content_started(self) -> bool:
        """Whether an event other than ``message_start`` and pings has arrived (always True
        without ``hold_preamble``): from then on, events are returned as they come."""
        return self._content_started

    @property
    def events_returned(self) -> int:
        """How many events ``next_event`` has returned."""
        return self._events_returned

    @property
    def done(self) -> bool:
        """Whether ``message_stop`` has been returned."""
        return self._ended

    # --- input ---------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Add bytes received from the peer. ``b""`` means nothing (use ``receive_eof``)."""
        if self._eof:
            raise RuntimeError("receive_data() called after receive_eof()")
        if self._ended or not data:
            return
        pairs = self._sse.feed(data)
        if pairs:
            self._pending.extend(pairs)

    def receive_eof(self) -> None:
        """The peer closed the stream; ``next_event`` returns what is left, then ``END`` or
        raises ``IncompleteStreamError``."""
        if self._eof:
            return
        self._eof = True
        if not self._ended:
            self._pending.extend(self._sse.close())

    def has_pending_non_ping(self) -> bool:
        """Whether received data completed an event other than a ping (not parsed yet: judged
        by its ``event:`` name, or for an unnamed event by its data). For idle timers."""
        for name, data in self._pending:
            if name != "ping" and (name or b'"ping"' not in data):
                return True
        return False

    def has_pending_event(self, name: str) -> bool:
        """Whether received data completed an event of this type that ``next_event`` has not
        returned yet (judged by its ``event:`` name, or for an unnamed event by its data; not
        parsed). For timing the first ``content_block_delta``."""
        needle = b'"' + name.encode() + b'"'
        for event_name, data in self._pending:
            if event_name == name or (not event_name and needle in data):
                return True
        return False

    # --- output --------------------------------------------------------------------------------

    def next_event(self) -> Any:
        """The next event, ``NEED_DATA`` or ``END``; see the class docstring for what it raises.

        Returns a ``MessageStreamEvent`` (typed as ``Any`` so that the sentinels can be told
        apart with ``is`` without casts).
        """
        if self._ready:
            return self._pop_ready()
        if self._fault is not None:
            raise self._fault
        pending = self._pending
        while pending:
            name, data = pending.popleft()
            try:
                event = decode_event(name, data)
                self._accumulator.feed(event)
            except APIError as error:
                raise self._fail(error) from None
            if isinstance(event, ErrorEvent):
                raise self._fail(self._error_event(event))
            if not self._content_started:
                if isinstance(event, (MessageStartEvent, PingEvent)):
                    self._hold_back(event)
                    continue
                self._release(event)
                return self._pop_ready()
            if isinstance(event, MessageStopEvent):
                self._end()
            self._events_returned += 1
            return event
        if self._ended:
            return END
        fault = self._sse.fault
        if fault is not None:
            raise self._fail(fault)
        if self._eof:
            raise self._fail(
                IncompleteStreamError(
                    "The stream ended before message_stop; what arrived is on error.partial_message"
                )
            )
        return NEED_DATA

    # --- internals -----------------------------------------------------------------------------

    def _error_event(self, event: ErrorEvent) -> APIStatusError:
        return error_for_type(
            event.error.type, event.error.message, body=event.model_dump(mode="json")
        )

    def _fail(self, error: APIError) -> APIError:
        if error.partial_message is None:
            error.partial_message = self.message
        self._fault = error
        self._pending.clear()
        self._held.clear()
        return error

    def _hold_back(self, event: Any) -> None:
        held = self._held
        if held and held[-1][0] == event:
            held[-1][1] += 1
        else:
            held.append([event, 1])

    def _release(self, first_content: Any) -> None:
        self._content_started = True
        self._ready.extend(self._held)
        self._ready.append([first_content, 1])
        self._held = []

    def _pop_ready(self) -> Any:
        run = self._ready[0]
        event = run[0]
        run[1] -= 1
        if not run[1]:
            self._ready.popleft()
        if isinstance(event, MessageStopEvent):
            self._end()
        self._events_returned += 1
        return event

    def _end(self) -> None:
        self._ended = True
        self._pending.clear()
        self._sse = SSEDecoder(max_event_bytes=self._sse.max_event_bytes)  # drop buffers


def decode_event(name: str, data: bytes) -> Any:
    """One SSE event (its ``event:`` name, ``""`` if none, and its data) to a typed event.

    An OpenAI-style ``{"error": {...}}`` object becomes an ``ErrorEvent``. Raises
    ``IncompleteStreamError`` for ``[DONE]`` (it is only reached before ``message_stop``) and
    ``APIResponseValidationError`` for data that is not a valid event, quoting its start.
    """
    if data == _DONE:
        raise IncompleteStreamError(
            "The stream sent [DONE] before message_stop; what arrived is on error.partial_message"
        )
    try:
        return parse_event(data, name or None)
    except ValidationError as error:
        first_error: ValidationError | None = error
    except RecursionError:  # pragma: no cover - pydantic-core limits nesting itself
        first_error = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # The spec says event streams are UTF-8, with invalid bytes replaced (a string then
        # costs one character rather than the whole answer).
        text = data.decode("utf-8", "replace")
        try:
            return parse_event(text, name or None)
        except ValidationError as error:
            first_error = error
    envelope = _error_envelope(text)
    if envelope is not None:
        return envelope
    summary = _summary(first_error) if first_error is not None else "nested too deeply"
    label = name or "message"
    raise APIResponseValidationError(
        f"invalid {label!r} event in the stream: {summary}", body=text[:_BODY_EXCERPT]
    )


def _error_envelope(text: str) -> ErrorEvent | None:
    """An OpenAI-style ``{"error": {"type", "message"}}`` object as an ``ErrorEvent``."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    error = value.get("error")
    if not isinstance(error, dict):
        return None
    error_type = error.get("type") or error.get("code") or "api_error"
    message = error.get("message")
    return ErrorEvent(
        error={
            "type": str(error_type),
            "message": message if isinstance(message, str) else "",
        }
    )


def _summary(error: ValidationError) -> str:
    # One line per problem, without pydantic's URLs and input echoes: the raw data is on .body.
    parts = []
    for e in error.errors(include_url=False, include_input=False)[:5]:
        loc = ".".join(str(p) for p in e["loc"])
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    return "; ".join(parts)
