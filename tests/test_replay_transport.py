"""aioanthropic.testing.ReplayTransport: recorded responses through httpx with no sockets, cut
into the chunks asked for; and the SDK on top of it, which must see exactly what the sans-IO
protocol sees from the same bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from aioanthropic import (
    APIConnectionError,
    APIError,
    AsyncClient,
    OverloadedError,
    RateLimitError,
)
from aioanthropic.testing import Chunking, ReplayExhausted, ReplayResponse, ReplayTransport
from aioanthropic.testing._replay import split_body
from aioanthropic.types import MessageParam
from helpers import (
    ALL_STREAM_FIXTURES,
    FIXTURES,
    REPLY,
    STREAM_FIXTURE_IDS,
    RecordedWaits,
    run_protocol,
    run_python,
)

pytestmark = pytest.mark.anyio

HELLO: list[MessageParam] = [{"role": "user", "content": "Hello"}]
BASIC = (FIXTURES / "official-sdk" / "basic_response.sse").read_bytes()
# Every way of cutting a body: the SDK must give the same result under each.
CHUNKINGS: list[Chunking] = ["whole", "event", "byte", 1, 7, 64, [3, 40, 41, 200]]


# --- chunking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chunking", "expected"),
    [
        ("whole", [b"event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\ndata: 3\r\rtail"]),
        (
            "event",
            [b"event: a\ndata: 1\n\n", b"event: b\r\ndata: 2\r\n\r\n", b"data: 3\r\r", b"tail"],
        ),
        (20, [b"event: a\ndata: 1\n\nev", b"ent: b\r\ndata: 2\r\n\r\nd", b"ata: 3\r\rtail"]),
        (
            [18, 0, 18, 52, 5],
            [b"event", b": a\ndata: 1\n\n", b"event: b\r\ndata: 2\r\n\r\ndata: 3\r\rtail"],
        ),
    ],
)
def test_split_body(chunking: Chunking, expected: list[bytes]) -> None:
    body = b"event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\ndata: 3\r\rtail"
    assert split_body(body, chunking) == expected


def test_byte_chunking_splits_inside_utf8_characters() -> None:
    body = "é🌍".encode()
    assert split_body(body, "byte") == [bytes([b]) for b in body]
    assert b"".join(ReplayResponse.sse(body, chunking="byte").chunks) == body
    assert split_body(b"", "byte") == split_body(b"", "whole") == []


@pytest.mark.parametrize(
    ("chunking", "message"),
    [
        (0, "positive"),
        (-3, "positive"),
        (True, "positive"),
        ("lines", "'whole'"),
        ([5, 99], "within"),
    ],
)
def test_bad_chunking_fails_where_the_response_is_written(chunking: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReplayResponse(content=b"0123456789", chunking=chunking)


def test_response_builders() -> None:
    ok = ReplayResponse.json({"a": "é"}, headers={"request-id": "req_1"})
    assert ok.status_code == 200
    assert ok.headers == (("content-type", "application/json"), ("request-id", "req_1"))
    assert json.loads(ok.content) == {"a": "é"}
    error = ReplayResponse.error(529, "overloaded_error", "Overloaded")
    assert error.status_code == 529
    assert json.loads(error.content) == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    events = ReplayResponse.sse([("ping", {"type": "ping"}), ("done", "[DONE]")])
    assert events.content == b'event: ping\ndata: {"type": "ping"}\n\nevent: done\ndata: [DONE]\n\n'
    assert events.headers == (("content-type", "text/event-stream"),)
    typed = ReplayResponse.sse("data: x\n\n", headers=[("Content-Type", "text/plain")])
    assert typed.headers == (("Content-Type", "text/plain"),)
    assert ReplayResponse(headers={"x": "1"}).headers == (("x", "1"),)


# --- the transport under plain httpx -----------------------------------------------------------


async def test_reads_return_the_recorded_chunks_and_requests_are_recorded() -> None:
    transport = ReplayTransport([ReplayResponse.sse(BASIC, chunking="event")])
    async with httpx.AsyncClient(transport=transport) as http:
        async with http.stream("POST", "https://x.test/v1/messages", json={"q": 1}) as response:
            chunks = [chunk async for chunk in response.aiter_raw()]
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert b"".join(chunks) == BASIC
    assert len(chunks) == BASIC.count(b"\n\n")
    assert all(chunk.endswith(b"\n\n") for chunk in chunks)
    (request,) = transport.requests
    assert (request.method, str(request.url)) == ("POST", "https://x.test/v1/messages")
    assert json.loads(request.content) == {"q": 1}  # read: the body is there after the call
    assert transport.pending == 0


async def test_queue_order_exceptions_and_exhaustion() -> None:
    transport = ReplayTransport([ReplayResponse.json([1], status_code=201)])
    transport.add(httpx.ConnectError("refused"), ReplayResponse(204))
    assert transport.pending == 3
    async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as http:
        first = await http.get("/a")
        with pytest.raises(httpx.ConnectError, match="refused"):
            await http.get("/b")
        third = await http.get("/c")
        with pytest.raises(ReplayExhausted, match=r"request 4 \(GET https://x.test/d\)"):
            await http.get("/d")
    assert (first.status_code, first.json()) == (201, [1])
    assert (third.status_code, third.content) == (204, b"")
    assert [r.url.path for r in transport.requests] == ["/a", "/b", "/c", "/d"]


def test_sync_httpx_client_works_too() -> None:
    transport = ReplayTransport([ReplayResponse.sse(BASIC, chunking=5)])
    with httpx.Client(transport=transport) as http:
        with http.stream("POST", "https://x.test/", content=b"body") as response:
            chunks = list(response.iter_raw())
    assert b"".join(chunks) == BASIC
    assert {len(c) for c in chunks[:-1]} == {5}
    assert transport.requests[0].content == b"body"


async def test_a_stream_can_be_cancelled_between_chunks() -> None:
    transport = ReplayTransport([ReplayResponse.sse(BASIC, chunking="byte")])
    read = 0
    async with httpx.AsyncClient(transport=transport) as http:
        with anyio.CancelScope() as scope:
            async with http.stream("GET", "https://x.test/") as response:
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read == 100:
                        scope.cancel()
    # Each read is a checkpoint, as a socket read is: the cancellation lands at the next one.
    assert scope.cancelled_caught
    assert read == 100


# --- the SDK on top ----------------------------------------------------------------------------


async def test_client_transport_shortcut_and_retries() -> None:
    transport = ReplayTransport(
        [
            ReplayResponse.error(529, "overloaded_error", "busy", headers={"retry-after": "0"}),
            httpx.ConnectError("refused"),
            ReplayResponse.json(REPLY, headers={"request-id": "req_ok"}),
        ]
    )
    waits = RecordedWaits()
    async with AsyncClient(api_key="test", transport=transport, _sleep=waits) as client:
        message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert message.request_id == "req_ok"
    assert message.retries_taken == 2
    assert len(waits.waits) == 2
    assert [r.url.path for r in transport.requests] == ["/v1/messages"] * 3
    assert all(r.headers["x-api-key"] == "test" for r in transport.requests)


async def test_errors_surface_when_retries_run_out() -> None:
    transport = ReplayTransport(
        [
            ReplayResponse.error(429, "rate_limit_error", "slow down"),
            httpx.ConnectError("refused"),
        ]
    )
    async with AsyncClient(api_key="test", transport=transport, max_retries=0) as client:
        with pytest.raises(RateLimitError, match="slow down"):
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        with pytest.raises(APIConnectionError):
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert transport.pending == 0


def test_transport_and_http_client_are_exclusive() -> None:
    with pytest.raises(ValueError, match="not both"):
        AsyncClient(api_key="k", transport=ReplayTransport(), http_client=httpx.AsyncClient())


async def test_stream_retry_before_content() -> None:
    overloaded = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n'
    transport = ReplayTransport(
        [ReplayResponse.sse(overloaded), ReplayResponse.sse(BASIC, chunking="byte")]
    )
    async with (
        AsyncClient(api_key="test", transport=transport, _sleep=RecordedWaits()) as client,
        client.messages.stream(model="m", max_tokens=5, messages=HELLO) as stream,
    ):
        text = await stream.get_final_text()
    assert text == "Hello there!"
    assert stream.retries_taken == 1
    assert len(transport.requests) == 2


def _outcome(events: list[Any], error: APIError | None, message: Any) -> tuple[Any, ...]:
    return (
        [(type(e).__name__, e.model_dump()) for e in events],
        type(error).__name__ if error is not None else None,
        message.model_dump() if message is not None else None,
    )


@pytest.mark.parametrize("chunking", CHUNKINGS, ids=str)
@pytest.mark.parametrize("path", ALL_STREAM_FIXTURES, ids=STREAM_FIXTURE_IDS)
async def test_every_fixture_under_every_chunking_matches_the_protocol(
    path: Path, chunking: Chunking
) -> None:
    raw = path.read_bytes()  # noqa: ASYNC240 - a small local fixture, read before any I/O
    expected = run_protocol([raw])
    transport = ReplayTransport([ReplayResponse.sse(raw, chunking=chunking)])
    events: list[Any] = []
    error: APIError | None = None
    async with AsyncClient(api_key="test", transport=transport, max_retries=0) as client:
        try:
            async with client.messages.stream(model="m", max_tokens=5, messages=HELLO) as stream:
                async for event in stream.raw_events():  # the wire events (no helper events)
                    events.append(event)
        except APIError as caught:
            error = caught
    message = error.partial_message if error is not None else stream.current_message
    assert _outcome(events, error, message) == _outcome(
        expected.events, expected.error, expected.message
    )
    assert len(transport.requests) == 1


async def test_an_error_event_after_content_keeps_what_arrived() -> None:
    cut = BASIC.index(b"event: content_block_stop")
    bad = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n'
    transport = ReplayTransport([ReplayResponse.sse(BASIC[:cut] + bad, chunking="byte")])
    async with AsyncClient(api_key="test", transport=transport) as client:
        with pytest.raises(OverloadedError) as info:
            async with client.messages.stream(model="m", max_tokens=5, messages=HELLO) as s:
                await s.get_final_message()
    assert info.value.partial_message is not None
    assert info.value.partial_message.content[0].model_dump()["text"] == "Hello there!"
    assert len(transport.requests) == 1  # content had arrived: not retried


# --- packaging and docs ------------------------------------------------------------------------


def test_replay_needs_no_uvicorn_and_fake_server_says_what_to_install() -> None:
    script = """
import sys
sys.modules["uvicorn"] = None  # as if uvicorn were not installed
from aioanthropic.testing import ReplayResponse, ReplayTransport
assert "uvicorn" not in [m for m in sys.modules if sys.modules[m] is not None]
try:
    from aioanthropic.testing import FakeServer
except ImportError as error:
    print(error)
"""
    out = run_python("-c", script)
    assert "pip install 'aioanthropic[server]'" in out
