"""``ReplayTransport``: an httpx transport that answers from a queue of recorded responses.

For logic tests (yours included) that need canned responses and no wire: no sockets, no
server, no thread, so a test runs in microseconds and on any event loop anyio supports. It is
an ``httpx.AsyncBaseTransport`` (and a sync ``httpx.BaseTransport``), used as httpx's own
``httpx.MockTransport`` is::

    transport = ReplayTransport([
        ReplayResponse.error(529, "overloaded_error", "Overloaded", headers={"retry-after": "0"}),
        ReplayResponse.sse(recorded_stream_bytes, chunking="byte"),
    ])
    async with AsyncClient(api_key="test", transport=transport) as client:
        ...  # the first request gets the 529, its retry the stream, one byte per read
    transport.requests  # the httpx.Request objects received, bodies read, in order

How it works: each request the transport receives is read in full, appended to ``requests``
and answered with the next item of the queue. An item is a ``ReplayResponse`` (status, headers,
body and how the body is cut into the chunks the client's reads return) or an exception
instance, which is raised instead of answering (``httpx.ConnectError(...)`` stands for a
connection that failed before any response). A request that finds the queue empty raises
``ReplayExhausted`` (an ``AssertionError``: the test expected fewer requests than the code made).

Chunking decides what each read of the body returns, which is what an incremental parser sees:
``"whole"`` (one chunk), ``"event"`` (one chunk per SSE event: cut after each blank line),
``"byte"`` (one byte per chunk, so UTF-8 characters and CRLFs are split too), an ``int`` n
(chunks of n bytes, the last shorter) or a sequence of byte offsets to cut at (any order;
repeats and empty chunks are dropped, as httpx drops them). Every read is an anyio checkpoint,
as a socket read is, so cancellation and ``anyio.fail_after`` work during a stream.

What this does not simulate: time (slow servers, idle and read timeouts), a connection dropped
partway through a body, connection reuse and pooling. For those use ``FakeServer`` over real
loopback HTTP.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import anyio.lowlevel
import httpx

__all__ = ["Chunking", "ReplayExhausted", "ReplayResponse", "ReplayTransport", "split_body"]

Chunking: TypeAlias = Literal["whole", "event", "byte"] | int | Sequence[int]
Headers: TypeAlias = Mapping[str, str] | Sequence[tuple[str, str]]

# An SSE event ends at a blank line; a line ends at CRLF, LF or CR (WHATWG HTML, "Server-sent
# events", "Parsing an event stream").
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")


def split_body(content: bytes, chunking: Chunking) -> list[bytes]:
    """``content`` cut as ``chunking`` says (see the module docstring); never an empty chunk."""
    if chunking == "whole":
        points: Iterable[int] = ()
    elif chunking == "event":
        points = [m.end() for m in _EVENT_END.finditer(content)]
    elif chunking == "byte":
        points = range(1, len(content))
    elif isinstance(chunking, int):
        if isinstance(chunking, bool) or chunking < 1:
            raise ValueError(f"a chunk size must be a positive number of bytes, got {chunking!r}")
        points = range(chunking, len(content), chunking)
    elif isinstance(chunking, str):
        raise ValueError(
            f"chunking must be 'whole', 'event', 'byte', a size in bytes or a list of offsets, "
            f"got {chunking!r}"
        )
    else:
        points = sorted(chunking)
        if points and (points[0] < 0 or points[-1] > len(content)):
            raise ValueError(
                f"split points must lie within the body (0 to {len(content)} bytes), "
                f"got {points[0]} to {points[-1]}"
            )
    bounds = [0, *points, len(content)]
    pieces = (content[start:end] for start, end in itertools.pairwise(bounds))
    return [piece for piece in pieces if piece]


def _pairs(headers: Headers | None) -> tuple[tuple[str, str], ...]:
    return tuple(headers.items() if isinstance(headers, Mapping) else headers or ())


def _with_type(headers: Headers | None, content_type: str) -> tuple[tuple[str, str], ...]:
    pairs = _pairs(headers)
    if any(name.lower() == "content-type" for name, _ in pairs):
        return pairs
    return (("content-type", content_type), *pairs)


@dataclass(frozen=True)
class ReplayResponse:
    """One recorded response: ``status_code``, ``headers`` (a mapping or pairs; kept as pairs,
    in order), ``content`` (the body, bytes) and ``chunking`` (how reads of the body are cut;
    see the module docstring). ``chunks`` is the body so cut: what successive reads return.

    Build one directly or with ``json``, ``sse`` or ``error``, which also set ``content-type``
    unless ``headers`` has one. A chunking that is not one of the forms above, a chunk size
    below 1 or a split point outside the body raises ``ValueError`` here, not at replay time.
    """

    status_code: int = 200
    headers: Headers = ()
    content: bytes = b""
    chunking: Chunking = "whole"
    chunks: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Normalise and cut once, here, so that a bad chunking fails where it is written.
        object.__setattr__(self, "headers", _pairs(self.headers))
        object.__setattr__(self, "chunks", tuple(split_body(self.content, self.chunking)))

    @classmethod
    def json(
        cls,
        data: Any,
        *,
        status_code: int = 200,
        headers: Headers | None = None,
        chunking: Chunking = "whole",
    ) -> ReplayResponse:
        """A JSON body (``data`` as ``json.dumps`` writes it), ``application/json``."""
        return cls(
            status_code,
            _with_type(headers, "application/json"),
            json.dumps(data).encode(),
            chunking,
        )

    @classmethod
    def sse(
        cls,
        body: bytes | str | Iterable[tuple[str, Any]],
        *,
        chunking: Chunking = "whole",
        status_code: int = 200,
        headers: Headers | None = None,
    ) -> ReplayResponse:
        """A ``text/event-stream`` body: recorded bytes (or text, sent as UTF-8) as they are, or
        ``(event name, data)`` pairs, each written ``event: <name>`` + ``data: <JSON>`` + blank
        line (data that is already ``str`` is written as is, e.g. ``"[DONE]"``)."""
        if isinstance(body, str):
            content = body.encode()
        elif isinstance(body, bytes | bytearray | memoryview):
            content = bytes(body)
        else:
            lines = (
                f"event: {name}\ndata: {data if isinstance(data, str) else json.dumps(data)}\n\n"
                for name, data in body
            )
            content = "".join(lines).encode()
        return cls(status_code, _with_type(headers, "text/event-stream"), content, chunking)

    @classmethod
    def error(
        cls,
        status_code: int,
        error_type: str,
        message: str = "",
        *,
        headers: Headers | None = None,
    ) -> ReplayResponse:
        """An error status with the API's error body, ``{"type": "error", "error": {"type":
        error_type, "message": message}}`` (Messages API doc, "Errors")."""
        envelope = {"type": "error", "error": {"type": error_type, "message": message}}
        return cls.json(envelope, status_code=status_code, headers=headers)


class ReplayExhausted(AssertionError):
    """A request arrived after every recorded response had been used."""


class _ReplayStream(httpx.AsyncByteStream, httpx.SyncByteStream):
    """The body of one replayed response, read one recorded chunk at a time."""

    def __init__(self, chunks: tuple[bytes, ...]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._chunks:
            await anyio.lowlevel.checkpoint()  # a socket read is one, so cancellation works
            yield piece


class ReplayTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Answers each request with the next of ``responses`` (a ``ReplayResponse``, or an
    exception instance to raise instead); records the requests in ``requests``.

    Raises ``ReplayExhausted`` for a request that finds no response left. Pass it as httpx's
    ``transport=`` (``httpx.AsyncClient(transport=...)`` or ``AsyncClient(transport=...)``).
    """

    def __init__(self, responses: Iterable[ReplayResponse | BaseException] = ()) -> None:
        self._queue: deque[ReplayResponse | BaseException] = deque(responses)
        self.requests: list[httpx.Request] = []

    def add(self, *responses: ReplayResponse | BaseException) -> None:
        """Queue more responses, after those already queued."""
        self._queue.extend(responses)

    @property
    def pending(self) -> int:
        """How many queued responses no request has taken yet."""
        return len(self._queue)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self._queue:
            raise ReplayExhausted(
                f"ReplayTransport has no response left for request {len(self.requests)} "
                f"({request.method} {request.url}): queue one more response per request made"
            )
        item = self._queue.popleft()
        if isinstance(item, BaseException):
            raise item
        return httpx.Response(
            item.status_code,
            headers=_pairs(item.headers),
            stream=_ReplayStream(item.chunks),
            request=request,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self._answer(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._answer(request)
