"""Server-sent events, sans-IO: bytes in, ``(event name, data)`` pairs out, in bounded memory.

How this works
--------------
``SSEDecoder.feed(chunk)`` splits the bytes into lines and assembles lines into events by the
WHATWG rules (https://html.spec.whatwg.org/multipage/server-sent-events.html, "Interpreting an
event stream"); it returns the events the chunk completed, in order. ``close()`` says the input
ended. Chunk boundaries anywhere (inside a line, a CRLF pair or a multi-byte character) never
change the result: the decoder keeps only the unfinished line and the unfinished event.

Lines are split on bytes, before any UTF-8 decoding: CR and LF never occur inside a multi-byte
UTF-8 sequence, so a complete line is always whole characters, and ``data`` stays ``bytes``
(pydantic-core parses JSON from bytes directly). This replaces httpx-sse's line decoder, which
works on decoded text, keeps an unfinished line with no bound, and whose package imports httpx:
this floor must import no I/O library (see ``_protocol/__init__.py``).

Bounds. Nothing that carries no data is kept: comment lines, blank lines, ``id:``/``retry:``
fields and events with empty data cost nothing however many arrive. What is kept (the
unfinished line and the ``data`` of the unfinished event) is limited to ``max_event_bytes``:
past it, ``fault`` is set to an ``EventTooLargeError`` as soon as the limit is passed, the events
completed before it are still returned, and the decoder takes no more input.

Choices:
- A UTF-8 byte order mark is stripped only at the very start of the stream (the spec's rule).
- At ``close()`` an event not ended by a blank line is discarded, not dispatched (the spec: "if
  the file ends in the middle of an event, before the final empty line, the incomplete event is
  not dispatched"). A stream cut mid-event is then reported by the stream protocol.
- Events with empty data (keep-alives, ``id:``-only blocks) are skipped.
- An event without an ``event:`` line is returned with the name ``""``; the stream protocol then
  dispatches it by its data's ``type``, since some proxies drop the ``event:`` lines.
"""

from __future__ import annotations

import re

from .exceptions import EventTooLargeError

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "SSEDecoder", "is_event_stream"]

DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024
"""16 MiB: far above any event the API sends (a whole tool input arrives in many small deltas),
far below what would hurt a process holding a thousand streams."""

_BOM = b"\xef\xbb\xbf"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def is_event_stream(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` header value names an event stream (any case, any params)."""
    if not content_type:
        return False
    media_type = content_type.partition(";")[0].strip()
    return media_type.lower() == "text/event-stream"


class SSEDecoder:
    """Splits an event stream into ``(event name, data)`` pairs; does no I/O.

    Usage: ``pairs = decoder.feed(chunk)`` for each chunk received, then ``pairs =
    decoder.close()`` at the end of the input. After a limit was passed, ``fault`` holds the
    error and ``feed`` returns nothing more.
    """

    def __init__(self, *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        if max_event_bytes < 1:
            raise ValueError(f"max_event_bytes must be positive, got {max_event_bytes}")
        self.max_event_bytes = max_event_bytes
        self.fault: EventTooLargeError | None = None
        self._at_start = True  # no byte seen yet: a BOM here is dropped
        self._tail: list[bytes] = []  # the unfinished line, in pieces (no quadratic joins)
        self._tail_size = 0
        self._cr = False  # the last chunk ended with CR: a LF starting the next one is its pair
        # The event being assembled: its ``event:`` name and ``data:`` lines.
        self._event = ""
        self._data: list[bytes] = []
        self._data_size = 0
        self._closed = False

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        """Decode a chunk; return the events it completed (often none)."""
        if self._closed:
            raise RuntimeError("SSEDecoder.feed() called after close()")
        if self.fault is not None or not data:
            return []
        if self._at_start:
            pending = b"".join(self._tail) + data
            if len(pending) < len(_BOM) and _BOM.startswith(pending):
                self._tail, self._tail_size = [pending], len(pending)  # a BOM may be arriving
                return []
            self._at_start = False
            self._tail, self._tail_size = [], 0
            data = pending[len(_BOM) :] if pending.startswith(_BOM) else pending
        if self._cr:
            self._cr = False
            if data[:1] == b"\n":
                data = data[1:]
        if b"\r" in data:
            self._cr = data.endswith(b"\r")
            parts = _LINE_BREAK.split(data)
        else:
            parts = data.split(b"\n")
        last = parts.pop()
        completed: list[tuple[str, bytes]] = []
        if parts:
            if self._tail:
                parts[0] = b"".join(self._tail) + parts[0]
                self._tail, self._tail_size = [], 0
            self._assemble(parts, completed)
        if last and self.fault is None:
            self._tail.append(last)
            self._tail_size += len(last)
            if self._tail_size > self.max_event_bytes:
                self._too_large(f"a line longer than {self.max_event_bytes} bytes")
        return completed

    def close(self) -> list[tuple[str, bytes]]:
        """End of input. A last line without its line break still counts as a line, but an
        event not ended by a blank line is discarded (see the module docstring)."""
        if self._closed:
            return []
        self._closed = True
        completed: list[tuple[str, bytes]] = []
        if self._tail and self.fault is None:
            self._assemble([b"".join(self._tail)], completed)
        self._tail, self._tail_size = [], 0
        self._data, self._data_size = [], 0
        return completed

    def _assemble(self, lines: list[bytes], completed: list[tuple[str, bytes]]) -> None:
        """Lines to completed ``(event name, data)`` pairs, by the WHATWG interpretation rules.

        One loop over a chunk's lines (a method call per line was the largest item of a profile
        of the old decoder: benchmarks/README.md). ``id:`` and ``retry:`` change no event we
        return, so they are not tracked.
        """
        data = self._data
        limit = self.max_event_bytes
        for line in lines:
            if not line:  # a blank line ends the event
                if data:
                    joined = data[0] if len(data) == 1 else b"\n".join(data)
                    if joined:
                        completed.append((self._event, joined))
                    data = self._data = []
                    self._data_size = 0
                self._event = ""
                continue
            if line.startswith(b"data:"):
                value = line[5:]
                if value[:1] == b" ":
                    value = value[1:]
            elif line.startswith(b"event:"):
                value = line[6:]
                self._event = (value[1:] if value[:1] == b" " else value).decode("utf-8", "replace")
                continue
            elif line[:1] == b":":  # a comment
                continue
            else:
                name, _, value = line.partition(b":")
                if value[:1] == b" ":
                    value = value[1:]
                if name == b"event":
                    self._event = value.decode("utf-8", "replace")
                    continue
                if name != b"data":
                    continue  # id, retry and unknown fields change no event we return
            data.append(value)
            self._data_size += len(value) + 1
            if self._data_size > limit:
                self._too_large(f"an event whose data is longer than {limit} bytes")
                return

    def _too_large(self, what: str) -> None:
        self.fault = EventTooLargeError(
            f"The stream sent {what} (max_event_bytes); raise the limit if this is expected"
        )
        self._tail, self._tail_size = [], 0
        self._data, self._data_size = [], 0
