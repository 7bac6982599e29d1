"""Helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import itertools
import os
import ssl
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

import anyio.lowlevel

from aioanthropic import (
    END,
    NEED_DATA,
    APIError,
    APIStatusError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    MessageStreamProtocol,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    ServiceUnavailableError,
    UnprocessableEntityError,
)
from aioanthropic._protocol.sse import SSEDecoder
from aioanthropic._protocol.stream import decode_event
from aioanthropic.testing import FakeServer

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"  # the checkout's package, which spawned interpreters import (spawn_env)
FIXTURES = Path(__file__).parent / "fixtures"
P = ParamSpec("P")
R = TypeVar("R")
ALL_STREAM_FIXTURES = sorted(FIXTURES.glob("*/*.sse"))
STREAM_FIXTURE_IDS = [f"{p.parent.name}/{p.name}" for p in ALL_STREAM_FIXTURES]

# The header every raw request to the fake server carries (the SDK adds it by itself).
VERSION = {"anthropic-version": "2023-06-01"}
# Building an SSL context costs ~50 ms; the loopback tests never use one, so build it once.
SSL_CONTEXT = ssl.create_default_context()

# A minimal Messages API reply (non-streaming JSON), for canned responses.
REPLY: dict[str, Any] = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-test",
    "content": [{"type": "text", "text": "hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 1},
}

# Each documented error status and the class the SDK raises for it (API doc "Errors").
STATUS_CLASSES: list[tuple[int, type[APIStatusError]]] = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (413, RequestTooLargeError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, ServiceUnavailableError),
    (529, OverloadedError),
]


def message_body(content: Any = "hello there", **extra: Any) -> dict[str, Any]:
    """A raw POST /v1/messages body for the fake server: one user turn, ``extra`` on top."""
    return {
        "model": "claude-fake",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": content}],
        **extra,
    }


def client_for(server: FakeServer, **kwargs: Any) -> AsyncClient:
    """An ``AsyncClient`` pointed at ``server``, with API key ``"test"`` unless given."""
    kwargs.setdefault("api_key", "test")
    return AsyncClient(base_url=server.url, **kwargs)


class RecordedWaits:
    """Stands in for the client's sleep (``_sleep=``): records each wait (seconds), sleeps for
    none of it, but still yields to the event loop as a real sleep would."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await anyio.lowlevel.checkpoint()


def spawn_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for a spawned Python interpreter: ``base`` (by default a bare one, with
    only ``PATH=/usr/bin:/bin``: no API key, no base URL) updated with ``extra``, and with this
    checkout's src/ first on PYTHONPATH, then the entries of ``base``'s PYTHONPATH and of the
    test run's own (duplicates dropped). So the child imports the code under test, from a git
    worktree too, rather than whichever aioanthropic is installed in the interpreter."""
    env = dict({"PATH": "/usr/bin:/bin"} if base is None else base)
    env.update(extra)
    entries = [str(SRC)]
    for pythonpath in (env.get("PYTHONPATH", ""), os.environ.get("PYTHONPATH", "")):
        entries += [entry for entry in pythonpath.split(os.pathsep) if entry]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(entries))
    return env


def run_python(*args: str, env: Mapping[str, str] | None = None) -> str:
    """``python *args`` in a fresh process (60 s at most), in ``spawn_env(env)``: by default a
    bare environment with no API key. Its stdout; fails on a non-zero exit, showing stderr."""
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=spawn_env(env),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_example(name: str) -> str:
    """Run ``examples/<name>`` as a user would (no API key in the environment); its stdout."""
    env = {**os.environ}
    env.pop("ANTHROPIC_API_KEY", None)
    return run_python(str(ROOT / "examples" / name), env=env)


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


class AllocationMeter:
    """Counts work without a clock: ``meter.call(f, ...)`` calls ``f`` and adds to
    ``meter.bytes`` the most memory (bytes, tracemalloc) the call held at once beyond what was
    held before it. Code that is linear in a stream holds O(one event) per call, so the sum
    grows in proportion to the stream; code that re-copies what it has accumulated (a join of
    every fragment, a re-parse of the whole JSON) holds O(everything so far) per call, so the
    sum grows with the square. Deterministic, and blind to the machine's speed and load.
    Use it as a context manager (it starts and stops tracemalloc)."""

    def __init__(self) -> None:
        self.bytes = 0

    def __enter__(self) -> AllocationMeter:
        if tracemalloc.is_tracing():
            raise RuntimeError("tracemalloc is already tracing")
        tracemalloc.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tracemalloc.stop()

    def call(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        try:
            return function(*args, **kwargs)
        finally:
            self.bytes += tracemalloc.get_traced_memory()[1] - before
