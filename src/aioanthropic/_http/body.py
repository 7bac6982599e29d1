"""Reading response bodies in bounded memory: raw bytes through ``ContentDecoder``.

Every body the client reads goes through ``body_chunks`` (streams, batch results) or
``read_body`` (everything else), never through httpx's own decoding (``aiter_bytes``,
``aread``), which inflates each received chunk whole. See ``_protocol/content_decoding.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from aioanthropic._protocol.content_decoding import ContentDecoder
from aioanthropic._protocol.exceptions import APIError

__all__ = ["MAX_ERROR_BODY_BYTES", "body_chunks", "read_body"]

MAX_ERROR_BODY_BYTES = 256 * 1024
"""An error response's body is read up to this many (decoded) bytes, then the connection is
closed: an error body is a short JSON envelope, and one a server chose to make large must not
cost more than this. A cut body is still parsed leniently (``parse_error_body``)."""


def body_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The decoded body of an open response, as pieces of at most ``DECODE_STEP`` bytes.

    Without a content coding this is ``response.aiter_raw()`` itself (no extra layer on the
    hot path). A coding the client does not decode raises ``APIResponseValidationError`` at
    the first read, so that the caller's usual error path closes the response. A response
    already read (built in memory, e.g. by ``httpx.MockTransport``) gives its content.
    """
    try:
        content = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        return _once(content)
    try:
        decoder = ContentDecoder(response.headers.get("content-encoding"))
    except APIError as error:
        return _raise(error)
    raw = response.aiter_raw()
    if decoder.identity:
        return raw
    return _decoded(raw, decoder)


async def _decoded(raw: AsyncIterator[bytes], decoder: ContentDecoder) -> AsyncIterator[bytes]:
    try:
        async for chunk in raw:
            for piece in decoder.decode(chunk):
                yield piece
        for piece in decoder.flush():
            yield piece
    finally:
        aclose = getattr(raw, "aclose", None)
        if aclose is not None:
            await aclose()


async def _once(content: bytes) -> AsyncIterator[bytes]:
    if content:
        yield content


async def _raise(error: APIError) -> AsyncIterator[bytes]:
    raise error
    yield b""  # pragma: no cover - makes this an async generator


async def read_body(response: httpx.Response, *, limit: int | None = None) -> tuple[bytes, bool]:
    """Read a whole (decoded) body, or its first ``limit`` bytes; return it and whether it
    was cut. The caller closes the response. Errors are httpx's or ``APIError``."""
    pieces: list[bytes] = []
    size = 0
    chunks = body_chunks(response)
    try:
        async for piece in chunks:
            if limit is not None and size + len(piece) > limit:
                pieces.append(piece[: limit - size])
                return b"".join(pieces), True
            pieces.append(piece)
            size += len(piece)
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
    return b"".join(pieces), False
