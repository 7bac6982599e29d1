"""Content codings (RFC 9110, section 8.4) undone in bounded steps, sans-IO.

How this works
--------------
``ContentDecoder(content_encoding)`` reads the response's ``Content-Encoding`` header; then
``decode(chunk)`` and, at the end of the body, ``flush()`` are generators of decoded pieces of at
most ``step`` bytes each. Codings are undone in the reverse of the order they are listed (the
order they were applied), each stage feeding the next one piece at a time. Every call to zlib
passes ``max_length=step``, and input zlib did not use yet stays in its ``unconsumed_tail``
until the next piece is asked for, so a 33 KB gzip chunk that inflates to 32 MB costs one piece
(plus zlib's 32 KiB window per stage) at a time, not 32 MB, and a caller that pulls pieces one
by one (the stream shell does) holds only that.

Why not httpx's decoders: they inflate each received chunk whole (``decompress(data)`` without
``max_length``), so peak memory grows with the compression ratio, and they build one decoder per
listed coding with no limit. The client sends ``accept-encoding: gzip, deflate``
(``ACCEPT_ENCODING``) and reads ``response.aiter_raw()`` through this module instead.

Rules:
- ``identity`` (and an empty list item) is skipped; ``gzip``/``x-gzip`` and ``deflate`` are
  decoded. ``deflate`` is tried as zlib-wrapped first and as raw deflate if that fails at the
  first byte, as httpx and browsers do (servers send both).
- Any other coding (``br``, ``zstd``, ...) was not asked for: ``APIResponseValidationError``
  naming it, rather than handing compressed bytes to a JSON or SSE parser.
- More than ``MAX_CONTENT_CODINGS`` (5) codings: ``APIResponseValidationError``. Real servers
  apply one, sometimes two; curl, undici and urllib3 cap the chain at 5 too.
- A body that is not valid for its coding: ``APIResponseValidationError``. A compressed body
  cut short is not an error here (the parser above notices the missing end).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from .exceptions import APIResponseValidationError

__all__ = [
    "ACCEPT_ENCODING",
    "DECODE_STEP",
    "MAX_CONTENT_CODINGS",
    "ContentDecoder",
    "content_codings",
]

ACCEPT_ENCODING = "gzip, deflate"
"""The ``accept-encoding`` request header: exactly the codings decoded here in bounded steps."""

MAX_CONTENT_CODINGS = 5
DECODE_STEP = 64 * 1024
"""Bytes of decoded output per step (64 KiB: a few SSE events, a few zlib calls per MB)."""

_DECODED = ("gzip", "x-gzip", "deflate")


def content_codings(content_encoding: str | None) -> list[str]:
    """The codings a ``Content-Encoding`` value lists, lower-cased, ``identity`` left out."""
    if not content_encoding:
        return []
    codings = (item.strip().lower() for item in content_encoding.split(","))
    return [coding for coding in codings if coding and coding != "identity"]


class ContentDecoder:
    """Undoes the content codings of one response body, ``step`` bytes of output at a time.

    Raises ``APIResponseValidationError`` at construction for a coding not decoded here or for
    more than ``MAX_CONTENT_CODINGS``, and from ``decode``/``flush`` for a corrupt body.
    ``identity`` is True when there is nothing to undo (the caller can skip this class).
    """

    def __init__(self, content_encoding: str | None, *, step: int = DECODE_STEP) -> None:
        codings = content_codings(content_encoding)
        if len(codings) > MAX_CONTENT_CODINGS:
            raise APIResponseValidationError(
                f"The response lists {len(codings)} stacked content codings "
                f"(content-encoding: {_excerpt(content_encoding)}); at most "
                f"{MAX_CONTENT_CODINGS} are decoded"
            )
        for coding in codings:
            if coding not in _DECODED:
                raise APIResponseValidationError(
                    f"The response uses content-encoding {coding!r}, which the client did not "
                    f"ask for (accept-encoding: {ACCEPT_ENCODING}); a proxy may have changed "
                    "the request's headers"
                )
        self.step = step
        # Applied first = listed first = undone last.
        self._stages = [_Inflater(coding, step) for coding in reversed(codings)]

    @property
    def identity(self) -> bool:
        return not self._stages

    def decode(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of one chunk of the body, each at most ``step`` bytes."""
        if not self._stages:
            if data:
                yield data
            return
        yield from self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        """What the stages still hold at the end of the body, in pieces."""
        for index, stage in enumerate(self._stages):
            for piece in stage.finish():
                yield from self._through(index + 1, piece)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            yield data
            return
        for piece in self._stages[index].feed(data):
            yield from self._through(index + 1, piece)


class _Inflater:
    """One zlib stage, never asked for more than ``step`` bytes of output per call."""

    def __init__(self, coding: str, step: int) -> None:
        self.coding = coding
        self.step = step
        gzip = coding in ("gzip", "x-gzip")
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        self._may_be_raw = not gzip  # deflate: zlib-wrapped first, raw if that fails at once

    def feed(self, data: bytes) -> Iterator[bytes]:
        step = self.step
        while True:
            inflater = self._zlib
            if inflater.eof:
                return  # bytes after the end of the stream are ignored, as httpx does
            try:
                out = inflater.decompress(data, step)
            except zlib.error as exc:
                if self._may_be_raw:
                    self._may_be_raw = False
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue  # the same data again, as raw deflate
                raise APIResponseValidationError(
                    f"The response body is not valid {self.coding} data ({exc}), although "
                    f"its content-encoding says {self.coding}"
                ) from None
            self._may_be_raw = False
            if out:
                yield out
            data = inflater.unconsumed_tail
            # A full step may leave output inside zlib even with no input left: ask again.
            if not data and len(out) < step:
                return

    def finish(self) -> Iterator[bytes]:
        yield from self.feed(b"")
        try:
            rest = self._zlib.flush()
        except zlib.error:  # pragma: no cover - flush only reports what decompress did
            rest = b""
        if rest:
            yield rest


def _excerpt(value: str | None, limit: int = 80) -> str:
    text = value or ""
    return text if len(text) <= limit else text[:limit] + "..."
