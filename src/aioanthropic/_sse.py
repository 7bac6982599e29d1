"""Sans-IO decoding of a Messages event stream: bytes in, typed events out.

How this works
--------------
Three stages, each an incremental state machine that keeps only what it has not finished:

    bytes --(incremental UTF-8 decoder)--> str --(httpx-sse SSELineDecoder)--> lines
          --(_assemble, WHATWG rules)--> (event name, data) --(parse_event)--> event

``_assemble`` does what httpx-sse's ``SSEDecoder`` does, in one loop per chunk instead of a
method call per line; benchmarks/sse_equivalence.py checks the two agree.

``feed(data)`` pushes bytes through and returns the events completed by them, in order;
``close()`` says the input ended. Chunk boundaries anywhere (inside a line, a CRLF pair or a
multi-byte character) never change the result: each stage buffers its incomplete tail.

Choices:
- The text is always decoded as UTF-8, whatever charset a response header names: the SSE spec
  says event streams are always UTF-8. Invalid bytes become U+FFFD instead of failing the
  whole stream, as the spec requires; if they land inside JSON syntax the event then fails
  validation and says so, and inside a string they cost one character rather than the answer.
- A UTF-8 byte order mark is stripped only at the very start of the stream (the spec's rule);
  anywhere else it is content.
- At ``close()`` an event not ended by a blank line is discarded, not dispatched: the spec
  says "if the file ends in the middle of an event, before the final empty line, the
  incomplete event is not dispatched". A stream cut mid-event is the I/O shell's to report
  (no ``message_stop``), and a half-received event must not be mistaken for a whole one.
- Events with empty data (keep-alives, ``id:``-only blocks) and comment lines are skipped.
- An event without an ``event:`` line (httpx-sse reports the name "message") is dispatched by
  its data's ``type``, since some proxies drop the ``event:`` lines.
"""

from __future__ import annotations

import codecs

from httpx_sse._decoders import SSELineDecoder
from pydantic import ValidationError

from ._events import MessageStreamEvent, parse_event
from ._exceptions import APIResponseValidationError

__all__ = ["StreamDecoder", "is_event_stream"]

_BOM = "\ufeff"


def is_event_stream(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` header value names an event stream (any case, any params)."""
    if not content_type:
        return False
    media_type = content_type.partition(";")[0].strip()
    return media_type.lower() == "text/event-stream"


class StreamDecoder:
    """Turns the bytes of one event stream into typed events; does no I/O.

    Usage: ``events = decoder.feed(chunk)`` for each chunk received, then
    ``events = decoder.close()`` once the response body ended.

    Raises ``APIResponseValidationError`` when an event's data is not valid JSON or does not
    have the documented shape; the decoder must not be fed after that.
    """

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._at_start = True  # no character decoded yet: a BOM here is dropped
        self._lines = SSELineDecoder()
        # The event being assembled (see _assemble): its ``event:`` name and ``data:`` lines.
        self._event = ""
        self._data: list[str] = []
        self._events_decoded = 0
        self._closed = False

    @property
    def events_decoded(self) -> int:
        """How many typed events this decoder has returned so far."""
        return self._events_decoded

    def feed(self, data: bytes) -> list[MessageStreamEvent]:
        """Decode a chunk of bytes; return the events it completed (often none)."""
        if self._closed:
            raise RuntimeError("StreamDecoder.feed() called after close()")
        return self._decode_text(self._text.decode(data))

    def close(self) -> list[MessageStreamEvent]:
        """End of input: flush the decoders. An unterminated last event is discarded."""
        if self._closed:
            return []
        events = self._decode_text(self._text.decode(b"", final=True))
        self._closed = True
        # The last line may lack its line break; it still counts as a line, but without the
        # blank line after it the event it belongs to is incomplete, so no blank line is fed.
        # (If the flushed line is itself blank, it ends the event and dispatches it.)
        completed = self._assemble(self._lines.flush())
        if completed:
            events.extend(self._typed(completed))
        return events

    def _decode_text(self, text: str) -> list[MessageStreamEvent]:
        if self._at_start and text:
            self._at_start = False
            if text[0] == _BOM:
                text = text[1:]
        if not text:
            return []
        completed = self._assemble(self._lines.decode(text))
        return self._typed(completed) if completed else []

    def _assemble(self, lines: list[str]) -> list[tuple[str, str]]:
        """Lines to completed ``(event name, data)`` pairs, by the WHATWG interpretation rules.

        This is httpx-sse's ``SSEDecoder.decode`` inlined into one loop over a chunk's lines and
        narrowed to what we use: ``id:`` and ``retry:`` do not change any event we return
        (an event without data is skipped either way), so they are not tracked. Measured
        before the change (cProfile, 4,000 tool fragments, raw typed events): the per-line
        ``SSEDecoder.decode`` calls were the largest item, 21% of the time; see
        benchmarks/README.md for the figures after it.
        """
        completed: list[tuple[str, str]] = []
        data = self._data
        for line in lines:
            if not line:  # a blank line ends the event
                if data:
                    completed.append(
                        (self._event or "message", data[0] if len(data) == 1 else "\n".join(data))
                    )
                    data = self._data = []
                self._event = ""
            elif line.startswith("data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(" ") else value)
            elif line.startswith("event:"):
                value = line[6:]
                self._event = value[1:] if value.startswith(" ") else value
            elif not line.startswith(":"):  # a comment otherwise
                name, _, value = line.partition(":")
                if value.startswith(" "):
                    value = value[1:]
                if name == "data":
                    data.append(value)
                elif name == "event":
                    self._event = value
                # id, retry and unknown fields change no event we return.
        return completed

    def _typed(self, completed: list[tuple[str, str]]) -> list[MessageStreamEvent]:
        events: list[MessageStreamEvent] = []
        for name, data in completed:
            if not data:
                continue
            try:
                event = parse_event(data, None if name == "message" else name)
            except ValidationError as error:
                raise APIResponseValidationError(
                    f"invalid {name!r} event in the stream: {_summary(error)}", body=data
                ) from error
            events.append(event)
        self._events_decoded += len(events)
        return events


def _summary(error: ValidationError) -> str:
    # One line per problem, without pydantic's URLs and input echoes: the raw data is on .body.
    parts = []
    for e in error.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in e["loc"])
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    return "; ".join(parts)
