"""Memory bounded by limits, not by what a server sends (issue 10, item 1): bodies inflated in
bounded steps, stacked and unknown codings refused, error bodies read up to a limit, over a
real socket (``hostile.CannedServer``) with tracemalloc peaks asserted; and the decoder itself
at every split point."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest

from aioanthropic import (
    APIResponseValidationError,
    AsyncClient,
    InternalServerError,
    OverloadedError,
)
from aioanthropic._protocol.content_decoding import (
    DECODE_STEP,
    MAX_CONTENT_CODINGS,
    ContentDecoder,
)
from aioanthropic.testing import FakeServer
from aioanthropic.types import MessageStartEvent, TextBlock
from helpers import FIXTURES, split_at
from hostile import CannedServer, gzipped, http_response
from http_backends import connections_in_use

HELLO = [{"role": "user", "content": "Hello"}]
PARAMS: dict[str, Any] = {"model": "claude-test", "max_tokens": 50, "messages": HELLO}
MIB = 1024 * 1024
BASIC = (FIXTURES / "official-sdk" / "basic_response.sse").read_bytes()
START, REST = BASIC.split(b"event: content_block_start", 1)
REST = b"event: content_block_start" + REST


@contextmanager
def traced_peak() -> Iterator[Callable[[], int]]:
    """The peak of traced memory above the level when the block started, in bytes."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result: list[int] = []
    try:
        yield lambda: result[0]
    finally:
        result.append(tracemalloc.get_traced_memory()[1] - base)
        tracemalloc.stop()


WARM_UP = http_response(BASIC)  # a first, normal stream: imports and pools are set up


async def final_text(client: AsyncClient) -> tuple[str, list[Any]]:
    events: list[Any] = []
    async with client.messages.stream(**PARAMS) as stream:
        async for event in stream:
            events.append(event)
        text = await stream.get_final_text()
    return text, events


# --- streams: peak memory does not follow the inflation ratio -------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", lambda b: gzipped(b)),
        ("deflate", zlib.compress),
        ("gzip, gzip", lambda b: gzipped(b, 2)),
    ],
    ids=["gzip", "deflate", "gzip-gzip"],
)
async def test_a_stream_that_inflates_to_6_mb_of_blank_lines_stays_small(
    coding: str, encode: Callable[[bytes], bytes]
) -> None:
    inflated = START + b"\n" * (6 * MIB) + REST
    body = encode(inflated)
    assert len(body) < 40 * 1024  # a ratio of more than 150
    response = http_response(body, headers=[("content-encoding", coding)])
    async with CannedServer(WARM_UP, response) as server, server.client() as client:
        await final_text(client)
        with traced_peak() as peak:
            text, events = await final_text(client)
        assert connections_in_use(client) == 0
    assert text == "Hello there!"  # the recorded stream's text
    assert isinstance(events[0], MessageStartEvent)
    assert peak() < MIB, f"peak {peak() / MIB:.2f} MiB"
    assert server.requests[0]["accept-encoding"] == "gzip, deflate"


@pytest.mark.anyio
async def test_gzipped_pings_before_content_cost_constant_memory() -> None:
    # hold_preamble is on (retries remain): the pings are held as a count, and the caller
    # still gets every one of them, in order. (200,000 held pings without I/O, and their
    # count-only state: test_stream_protocol.py.)
    # Pings padded to ~1 KiB each (extra fields are allowed), so that a few thousand inflate
    # to megabytes; the per-ping cost of tiny pings is the sans-IO test's subject.
    n = 5_000
    ping = b'event: ping\ndata: {"type": "ping", "pad": "' + b"." * 1000 + b'"}\n\n'
    inflated = START + ping * n + REST
    response = http_response(gzipped(inflated), headers=[("content-encoding", "gzip")])
    counts: dict[str, int] = {}
    async with CannedServer(WARM_UP, response) as server, server.client(max_retries=2) as client:
        await final_text(client)
        with traced_peak() as peak:
            async with client.messages.stream(**PARAMS) as stream:
                # The wire events (pings included); counted, not kept: the test must not hold them
                async for event in stream.raw_events():
                    counts[event.type] = counts.get(event.type, 0) + 1
                text = await stream.get_final_text()
    assert text == "Hello there!"
    assert counts["ping"] == n + 1  # + the fixture's own ping
    assert counts["message_start"] == 1
    assert len(inflated) > 4 * MIB
    assert peak() < MIB, f"peak {peak() / MIB:.2f} MiB for {len(inflated) / MIB:.1f}"


@pytest.mark.anyio
async def test_a_never_ending_line_inside_gzip_stops_at_max_event_bytes() -> None:
    inflated = START + b"data: " + b"x" * (64 * MIB)
    response = http_response(gzipped(inflated), headers=[("content-encoding", "gzip")])
    async with CannedServer(WARM_UP, response) as server:
        async with server.client(max_event_bytes=MIB) as client:
            await final_text(client)
            with traced_peak() as peak, pytest.raises(APIResponseValidationError) as info:
                await final_text(client)
            assert connections_in_use(client) == 0
    assert type(info.value).__name__ == "EventTooLargeError"
    assert info.value.partial_message is not None  # message_start had arrived
    assert peak() < 2 * MIB, f"peak {peak() / MIB:.1f} MiB"  # the 1 MiB limit, plus a step


# --- codings refused ---------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "create"])
@pytest.mark.parametrize(
    ("coding", "needle"),
    [
        (", ".join(["gzip"] * (MAX_CONTENT_CODINGS + 1)), "6 stacked content codings"),
        (", ".join(["gzip"] * 1000), "1000 stacked content codings"),
        ("br", "'br'"),
        ("zstd", "'zstd'"),
        ("gzip", "not valid gzip"),
    ],
    ids=["six", "thousand", "br", "zstd", "corrupt"],
)
async def test_codings_the_client_cannot_decode_in_steps_are_typed_errors(
    coding: str, needle: str, stream: bool
) -> None:
    content_type = "text/event-stream" if stream else "application/json"
    body = b"this is not compressed at all, whatever the header says" * 10
    response = http_response(
        body, content_type=content_type, headers=[("content-encoding", coding)]
    )
    async with CannedServer(response) as server, server.client(max_retries=0) as client:
        call = final_text(client) if stream else client.messages.create(**PARAMS)
        with anyio.fail_after(10), pytest.raises(APIResponseValidationError, match=needle) as info:
            await call
        assert connections_in_use(client) == 0
    assert info.value.request_id == "req_canned"
    assert len(server.requests) == 1  # not retried: the same server would answer the same


@pytest.mark.anyio
async def test_five_stacked_codings_and_identity_decode() -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "deep"}],
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    body = gzipped(json.dumps(message).encode(), MAX_CONTENT_CODINGS)
    coding = "identity, " + ", ".join(["GZip"] * MAX_CONTENT_CODINGS)
    response = http_response(
        body, content_type="application/json", headers=[("content-encoding", coding)]
    )
    async with CannedServer(response) as server, server.client() as client:
        result = await client.messages.create(**PARAMS)
    assert isinstance(result.content[0], TextBlock)
    assert result.content[0].text == "deep"


@pytest.mark.anyio
@pytest.mark.parametrize("raw_deflate", [False, True], ids=["zlib", "raw"])
async def test_deflate_both_ways_and_a_bom_in_json(raw_deflate: bool) -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "grüß dich"}],
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    data = b"\xef\xbb\xbf" + json.dumps(message, ensure_ascii=False).encode()
    if raw_deflate:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        body = compressor.compress(data) + compressor.flush()
    else:
        body = zlib.compress(data)
    response = http_response(
        body, content_type="application/json", headers=[("content-encoding", "deflate")]
    )
    async with CannedServer(response, chunk=7) as server, server.client() as client:
        result = await client.messages.create(**PARAMS)
        raw = await client.messages.with_raw_response.create(**PARAMS)
    parsed = await raw.parse()
    assert isinstance(result.content[0], TextBlock)
    assert isinstance(parsed.content[0], TextBlock)
    assert result.content[0].text == "grüß dich"
    assert parsed.content[0].text == "grüß dich"
    assert raw.http_response.text.endswith("}")


# --- error bodies --------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("coding", [None, "gzip"])
async def test_a_1_mb_error_message_is_read_up_to_the_limit_and_shown_short(
    coding: str | None,
) -> None:
    huge = "the server explains at length " * 40_000  # 1.2 MB
    data = json.dumps({"type": "error", "error": {"type": "api_error", "message": huge}}).encode()
    headers = [("content-encoding", coding)] if coding else []
    body = gzipped(data) if coding else data
    response = http_response(body, status=500, content_type="application/json", headers=headers)
    small = b'{"type":"error","error":{"type":"api_error","message":"short"}}'
    warm_up = http_response(
        gzipped(small) if coding else small,
        status=500,
        content_type="application/json",
        headers=headers,
    )
    async with CannedServer(warm_up, response) as server, server.client(max_retries=0) as client:
        with pytest.raises(InternalServerError):
            await client.messages.create(**PARAMS)
        with traced_peak() as peak, pytest.raises(InternalServerError) as info:
            await client.messages.create(**PARAMS)
        assert connections_in_use(client) == 0
    error = info.value
    assert error.error_type == "api_error"  # parsed from the cut body
    text = str(error)
    assert len(text) < 1300
    assert text.startswith("500 api_error: the server explains at length")
    assert "characters in all" in text
    assert "cut after 262,144 bytes" in error.message
    assert isinstance(error.body, dict)
    assert error.body["error"]["message"].startswith(huge[:1000])  # .body keeps what was read
    assert len(error.body["error"]["message"]) < len(huge)
    assert peak() < 1.5 * MIB, f"peak {peak() / MIB:.1f} MiB"  # 256 KiB read, parsed


@pytest.mark.anyio
async def test_a_small_error_body_is_whole_and_uncut() -> None:
    data = b'\xef\xbb\xbf{"type":"error","error":{"type":"overloaded_error","message":"busy"}}'
    response = http_response(data, status=529, content_type="application/json")
    async with CannedServer(response) as server, server.client(max_retries=0) as client:
        with pytest.raises(OverloadedError) as info:
            await client.messages.create(**PARAMS)
    assert str(info.value) == "529 overloaded_error: busy (request_id: req_canned)"


@pytest.mark.anyio
async def test_the_client_asks_only_for_codings_it_decodes_in_steps() -> None:
    async with FakeServer() as server:
        async with AsyncClient(api_key="test", base_url=server.url) as client:
            await client.messages.create(**PARAMS)
            async with client.messages.stream(**PARAMS) as stream:
                await stream.get_final_message()
    assert [r.headers["accept-encoding"] for r in server.requests] == ["gzip, deflate"] * 2


# --- the decoder, pure ---------------------------------------------------------------------


def _decode_all(decoder: ContentDecoder, chunks: list[bytes]) -> list[bytes]:
    pieces = [piece for chunk in chunks for piece in decoder.decode(chunk)]
    return pieces + list(decoder.flush())


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", lambda b: gzipped(b)),
        ("x-gzip", lambda b: gzipped(b)),
        ("deflate", zlib.compress),
        ("gzip, deflate", lambda b: zlib.compress(gzipped(b))),
    ],
)
def test_every_split_point_gives_the_same_bytes(
    coding: str, encode: Callable[[bytes], bytes]
) -> None:
    encoded = encode(BASIC)
    for i in range(len(encoded) + 1):
        pieces = _decode_all(ContentDecoder(coding), split_at(encoded, [i]))
        assert b"".join(pieces) == BASIC, f"split at {i}"


def test_pieces_never_exceed_the_step() -> None:
    data = b"\n" * (8 * MIB) + b"tail"
    for coding, encoded in (("gzip", gzipped(data)), ("gzip, gzip", gzipped(data, 2))):
        decoder = ContentDecoder(coding, step=4096)
        pieces = _decode_all(decoder, [encoded])
        assert max(len(p) for p in pieces) <= 4096
        assert b"".join(pieces) == data
    assert DECODE_STEP == 64 * 1024


def test_bytes_after_the_gzip_end_are_ignored() -> None:
    pieces = _decode_all(ContentDecoder("gzip"), [gzip.compress(b"abc") + b"trailing junk"])
    assert b"".join(pieces) == b"abc"


def test_identity_is_a_passthrough() -> None:
    for value in (None, "", "identity", " Identity ,"):
        decoder = ContentDecoder(value)
        assert decoder.identity
        assert _decode_all(decoder, [b"abc", b"", b"def"]) == [b"abc", b"def"]
