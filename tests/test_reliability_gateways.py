"""Gateway endings and envelopes (issue 10, item 2): a streaming request answered with JSON
(a whole message, an error envelope, anything else), ``[DONE]`` endings and OpenAI-style error
objects over a real socket, and the Message -> events conversion on every recorded stream."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from aioanthropic import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    EventTooLargeError,
    IncompleteStreamError,
    InternalServerError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
)
from aioanthropic._protocol.message_events import json_reply_to_event_stream, message_events
from aioanthropic.types import ContentBlockDeltaEvent, Message, MessageStopEvent
from helpers import ALL_STREAM_FIXTURES, FIXTURES, STREAM_FIXTURE_IDS, RecordedWaits, run_protocol
from hostile import CannedServer, http_response
from http_backends import connections_in_use

PARAMS: dict[str, Any] = {
    "model": "claude-test",
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "Hi"}],
}
BASIC = (FIXTURES / "official-sdk" / "basic_response.sse").read_bytes()
HEAD = BASIC[: BASIC.index(b"event: content_block_delta")]  # message_start, ping, block start
FIRST_DELTA_END = BASIC.index(b"\n\n", BASIC.index(b"event: content_block_delta")) + 2


def recorded_message(path: Path) -> Message:
    run = run_protocol([path.read_bytes()])
    assert run.error is None
    assert run.message is not None
    return run.message


def without_partial_json(message: Message) -> dict[str, Any]:
    dump = message.model_dump()
    for block in dump["content"]:
        block.pop("partial_json", None)
    return dump


# --- a whole Message where a stream was asked for --------------------------------------------


@pytest.mark.parametrize("path", ALL_STREAM_FIXTURES, ids=STREAM_FIXTURE_IDS)
def test_a_json_message_becomes_events_that_accumulate_to_it(path: Path) -> None:
    message = recorded_message(path)
    raw = json.dumps(message.model_dump(mode="json")).encode()
    stream = json_reply_to_event_stream(raw, content_type="application/json")
    run = run_protocol([stream])
    assert run.error is None
    assert run.message is not None
    # partial_json is this SDK's note on a tool block whose streamed JSON was cut; a JSON
    # message carries only the (parsed) input, so the events carry that, complete.
    assert without_partial_json(run.message) == without_partial_json(message)
    assert isinstance(run.events[-1], MessageStopEvent)
    kinds = [e["type"] for e in message_events(message)]
    assert kinds[0] == "message_start"
    assert kinds[-2:] == ["message_delta", "message_stop"]
    assert kinds.count("content_block_start") == len(message.content)


@pytest.mark.anyio
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
async def test_a_gateway_that_ignores_stream_true_still_streams(bom: bytes) -> None:
    message = recorded_message(FIXTURES / "streams" / "citations.sse")
    body = bom + json.dumps(message.model_dump(mode="json")).encode()
    reply = http_response(body, content_type="application/json; charset=utf-8")
    async with CannedServer(reply, chunk=100) as server, server.client() as client:
        async with client.messages.stream(**PARAMS) as stream:
            texts = [text async for text in stream.text_stream]
            final = await stream.get_final_message()
        assert connections_in_use(client) == 0
        async with client.messages.stream(**PARAMS) as again:
            events = [event async for event in again]
    assert final.model_dump() == message.model_dump()
    assert final.request_id == "req_canned"
    expected = "".join(b.text for b in message.content if b.type == "text")  # type: ignore[union-attr]
    assert "".join(texts) == expected
    assert texts
    assert any(isinstance(e, ContentBlockDeltaEvent) for e in events)
    assert events[-1].type == "message_stop"


@pytest.mark.anyio
async def test_a_json_message_larger_than_max_event_bytes_is_refused() -> None:
    message = recorded_message(FIXTURES / "official-sdk" / "basic_response.sse")
    data = message.model_dump(mode="json")
    data["content"][0]["text"] = "x" * 5000
    reply = http_response(json.dumps(data).encode(), content_type="application/json")
    async with CannedServer(reply) as server, server.client(max_event_bytes=4096) as client:
        with pytest.raises(EventTooLargeError, match="max_event_bytes=4096"):
            await client.messages.stream(**PARAMS).__aenter__()
        assert connections_in_use(client) == 0


# --- an error envelope where a stream was asked for -----------------------------------------

ERROR_CLASSES = [
    ("invalid_request_error", BadRequestError),
    ("authentication_error", AuthenticationError),
    ("permission_error", PermissionDeniedError),
    ("rate_limit_error", RateLimitError),
    ("api_error", InternalServerError),
    ("overloaded_error", OverloadedError),
    ("some_new_error", InternalServerError),
]


@pytest.mark.anyio
@pytest.mark.parametrize("envelope", ["anthropic", "openai"])
@pytest.mark.parametrize(("error_type", "cls"), ERROR_CLASSES)
async def test_a_json_error_envelope_raises_its_class_with_the_servers_message(
    envelope: str, error_type: str, cls: type[APIStatusError]
) -> None:
    detail = {"type": error_type, "message": f"gateway says {error_type}"}
    body = {"type": "error", "error": detail} if envelope == "anthropic" else {"error": detail}
    reply = http_response(json.dumps(body).encode(), content_type="application/json")
    async with CannedServer(reply) as server, server.client(max_retries=0) as client:
        with anyio.fail_after(10), pytest.raises(APIStatusError) as info:
            async with client.messages.stream(**PARAMS) as stream:
                await stream.get_final_message()
        assert connections_in_use(client) == 0
    assert type(info.value) is cls
    assert info.value.message == f"gateway says {error_type}"
    assert info.value.error_type == error_type
    assert "content type" not in str(info.value)
    assert info.value.request_id == "req_canned"


@pytest.mark.anyio
async def test_a_retryable_json_error_before_content_is_retried() -> None:
    overloaded = b'{"type":"error","error":{"type":"overloaded_error","message":"busy"}}'
    replies = [http_response(overloaded, content_type="application/json"), http_response(BASIC)]
    waits = RecordedWaits()
    async with CannedServer(*replies) as server, server.client(_sleep=waits) as client:
        async with client.messages.stream(**PARAMS) as stream:
            message = await stream.get_final_message()
        assert connections_in_use(client) == 0
    assert message.retries_taken == 1
    assert len(waits.waits) == 1
    assert len(server.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("content_type", "body", "quoted"),
    [
        ("application/json", b"[1, 2, 3]", "[1, 2, 3]"),
        ("application/json", b'{"choices": [{"text": "openai-shaped"}]}', "openai-shaped"),
        ("application/json", b'{"type": "message", "id": 7}', "not a valid Message"),
        ("application/json", b"<html>502 Bad Gateway</html>", "502 Bad Gateway"),
        ("text/html", b"<html><body>Proxy login required</body></html>", "Proxy login"),
        ("text/plain", b"x" * 5000, "xxxxxxxx"),
        ("", b"hello", "hello"),
    ],
    ids=["list", "other-object", "bad-message", "html-as-json", "html", "long-text", "none"],
)
async def test_anything_else_quotes_the_start_of_the_body(
    content_type: str, body: bytes, quoted: str
) -> None:
    reply = http_response(body, content_type=content_type or "application/octet-stream")
    async with CannedServer(reply) as server, server.client(max_retries=0) as client:
        with anyio.fail_after(10), pytest.raises(APIResponseValidationError) as info:
            await client.messages.stream(**PARAMS).__aenter__()
        assert connections_in_use(client) == 0
    assert quoted in str(info.value)
    assert len(str(info.value)) < 600
    assert info.value.body is not None
    assert info.value.request_id == "req_canned"


# --- gateway endings over the wire -----------------------------------------------------------


@pytest.mark.anyio
async def test_done_after_message_stop_ends_cleanly_and_frees_the_connection() -> None:
    reply = http_response(BASIC + b"data: [DONE]\n\n")
    async with CannedServer(reply) as server, server.client() as client:
        async with client.messages.stream(**PARAMS) as stream:
            message = await stream.get_final_message()
        assert connections_in_use(client) == 0
    assert message.stop_reason == "end_turn"


@pytest.mark.anyio
async def test_a_body_held_open_after_message_stop_costs_the_grace_not_a_hang() -> None:
    # The head promises more body than comes, and the server keeps the socket open for 60 s:
    # after message_stop the client reads on for its drain grace (~1 s), then closes.
    head, _, body = http_response(BASIC).partition(b"\r\n\r\n")
    head = head.replace(f"content-length: {len(BASIC)}".encode(), b"content-length: 999999")
    async with CannedServer(head + b"\r\n\r\n" + body, linger=60) as server:
        async with server.client(timeout=120.0) as client:
            with anyio.fail_after(15):
                async with client.messages.stream(**PARAMS) as stream:
                    message = await stream.get_final_message()
                    events = [event async for event in stream.raw_events()]
            assert connections_in_use(client) == 0
    assert message.stop_reason == "end_turn"
    assert events == []  # read to its end already: nothing more comes
    assert stream.response.is_closed


@pytest.mark.anyio
async def test_done_without_message_stop_is_incomplete_with_the_partial_message() -> None:
    reply = http_response(BASIC[:FIRST_DELTA_END] + b"data: [DONE]\n\n")
    async with CannedServer(reply) as server, server.client() as client:
        with pytest.raises(IncompleteStreamError, match=r"\[DONE\]") as info:
            async with client.messages.stream(**PARAMS) as stream:
                await stream.get_final_message()
        assert connections_in_use(client) == 0
    partial = info.value.partial_message
    assert partial is not None
    assert partial.content[0].text == "Hello"  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize(("error_type", "cls"), ERROR_CLASSES)
async def test_an_openai_style_error_object_mid_stream_raises_its_class(
    error_type: str, cls: type[APIStatusError]
) -> None:
    error = json.dumps({"error": {"type": error_type, "message": "mid-stream"}}).encode()
    reply = http_response(BASIC[:FIRST_DELTA_END] + b"data: " + error + b"\n\n")
    async with CannedServer(reply) as server, server.client() as client:
        with pytest.raises(APIStatusError) as info:
            async with client.messages.stream(**PARAMS) as stream:
                await stream.get_final_message()
        assert connections_in_use(client) == 0
    assert type(info.value) is cls
    assert info.value.message == "mid-stream"
    assert info.value.partial_message is not None
    assert info.value.partial_message.content[0].text == "Hello"  # type: ignore[union-attr]
    assert len(server.requests) == 1  # content had arrived: never retried


@pytest.mark.anyio
@pytest.mark.parametrize(("error_type", "cls"), ERROR_CLASSES)
async def test_an_error_event_without_a_message_keeps_its_class(
    error_type: str, cls: type[APIStatusError]
) -> None:
    error = json.dumps({"type": "error", "error": {"type": error_type}}).encode()
    reply = http_response(BASIC[:FIRST_DELTA_END] + b"event: error\ndata: " + error + b"\n\n")
    async with CannedServer(reply) as server, server.client() as client:
        with pytest.raises(APIStatusError) as info:
            async with client.messages.stream(**PARAMS) as stream:
                await stream.get_final_message()
    assert type(info.value) is cls
    assert error_type in info.value.message
    assert info.value.partial_message is not None
