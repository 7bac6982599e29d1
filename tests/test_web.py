"""aioanthropic.web: the re-emitted events, the Starlette responses, the chat routes.

The upstream is always the fake server over real loopback HTTP. The responses are exercised
through httpx's ASGI transport where only their bytes matter, and through `aioanthropic web`
(uvicorn, a subprocess) where a real disconnect matters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aioanthropic import AsyncClient, Message
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.web import (
    chat_app,
    encode_ndjson,
    encode_sse,
    ndjson_response,
    sse_response,
)
from web_helpers import open_streams_settled, running_web

pytestmark = [pytest.mark.anyio, pytest.mark.async_client(max_retries=0)]
STREAMS = Path(__file__).parent / "fixtures" / "streams"
# Recordings whose events must come back field for field (the others test input quirks that
# the SDK normalises on purpose: missing event lines, gateway nulls and aliases, a BOM).
FAITHFUL = [
    "thinking_signature_text.sse",
    "citations.sse",
    "unknown_types.sse",
    "server_tool_web_search.sse",
    "utf8_multibyte.sse",
]
HELLO: list[Any] = [{"role": "user", "content": "Hello there, web"}]


def wire_events(raw: bytes) -> list[dict[str, Any]]:
    """The JSON of every ``data:`` line of a recorded stream, as the server sent it."""
    text = raw.decode().replace("\r\n", "\n")
    return [json.loads(line[5:]) for line in text.split("\n") if line.startswith("data:")]


def asgi(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web")


@pytest.mark.parametrize("name", FAITHFUL)
async def test_ndjson_re_emits_the_api_events_field_for_field(
    server: FakeServer, client: AsyncClient, name: str
) -> None:
    server.enqueue(Fault(replay=STREAMS / name))
    async with client.messages.stream(model="m", max_tokens=10, messages=HELLO) as stream:
        lines = [line async for line in encode_ndjson(stream)]
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in lines)
    assert [json.loads(line) for line in lines] == wire_events((STREAMS / name).read_bytes())


async def test_sse_is_read_back_by_the_client_as_the_same_message(
    server: FakeServer, client: AsyncClient
) -> None:
    """A proxy: /v1/messages answered with sse_response; an AsyncClient pointed at it."""
    server.enqueue(Fault(replay=STREAMS / "thinking_signature_text.sse"))
    async with client.messages.stream(model="m", max_tokens=10, messages=HELLO) as direct:
        original = await direct.get_final_message()

    async def proxy(request: Request) -> Response:
        body = await request.json()
        body.pop("stream")
        server.enqueue(Fault(replay=STREAMS / "thinking_signature_text.sse"))
        return sse_response(client.messages.stream(**body))

    app = Starlette(routes=[Route("/v1/messages", proxy, methods=["POST"])])
    async with (
        asgi(app) as http,
        AsyncClient(base_url="http://web", api_key="k", http_client=http) as via_proxy,
    ):
        async with via_proxy.messages.stream(model="m", max_tokens=10, messages=HELLO) as s:
            assert s.headers["content-type"].startswith("text/event-stream")
            assert s.headers["x-accel-buffering"] == "no"
            assert "no-cache" in s.headers["cache-control"]
            again = await s.get_final_message()
    assert again.model_dump() == original.model_dump()
    assert [b.type for b in again.content] == ["thinking", "redacted_thinking", "text"]


async def test_encode_sse_frames_each_event_with_its_name(client: AsyncClient) -> None:
    async with client.messages.stream(model="m", max_tokens=10, messages=HELLO) as stream:
        frames = [frame async for frame in encode_sse(stream)]
        message = await stream.get_final_message()
    for frame in frames:
        head, data, end = frame.decode().split("\n", 2)
        assert end == "\n"
        assert head == f"event: {json.loads(data.removeprefix('data: '))['type']}"
    assert message.content[0].text == "You said: Hello there, web"  # type: ignore[union-attr]


async def test_error_mid_stream_becomes_one_error_event_after_what_was_sent(
    server: FakeServer, client: AsyncClient
) -> None:
    server.enqueue(Fault(error_after=4, error_type="overloaded_error", error_message="busy"))
    async with client.messages.stream(model="m", max_tokens=10, messages=HELLO) as stream:
        events = [json.loads(line) async for line in encode_ndjson(stream)]
    assert [e["type"] for e in events] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "error",
    ]
    assert events[3]["delta"]["text"] == "You said: "
    error = events[-1]["error"]
    assert error["type"] == "overloaded_error"
    assert error["name"] == "OverloadedError"
    assert "busy" in error["message"]


async def test_a_stream_that_ends_early_is_an_error_event_too(
    server: FakeServer, client: AsyncClient
) -> None:
    server.enqueue(Fault(omit_stop=True))
    async with client.messages.stream(model="m", max_tokens=10, messages=HELLO) as stream:
        events = [json.loads(line) async for line in encode_ndjson(stream)]
    assert events[-2]["type"] == "message_delta"
    assert events[-1]["type"] == "error"
    assert events[-1]["error"]["name"] == "IncompleteStreamError"
    assert events[-1]["error"]["type"] == "api_error"


async def test_chat_route_answers_ndjson_with_streaming_headers(
    server: FakeServer, client: AsyncClient
) -> None:
    params = {"temperature": 0.5, "system": "Default", "extra_body": {"future_param": 1}}
    async with asgi(chat_app(client, model="claude-test", max_tokens=50, params=params)) as web:
        response = await web.post("/api/chat", json={"messages": HELLO, "system": "Be brief"})
        page = await web.get("/")
        module = await web.get("/static/anthropic-stream.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-length" not in response.headers
    events = [json.loads(line) for line in response.text.splitlines()]
    text = "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta")
    assert text == "(Be brief) You said: Hello there, web"
    sent = server.requests[-1].json
    assert sent is not None
    assert (sent["model"], sent["max_tokens"], sent["system"]) == ("claude-test", 50, "Be brief")
    assert (sent["temperature"], sent["future_param"]) == (0.5, 1)
    assert page.status_code == 200
    assert '<button id="stop"' in page.text
    assert module.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json", "not JSON"),
        (b"[]", "expected a JSON object"),
        (b'{"messages": []}', "non-empty list"),
        (b'{"messages": [{"role": "robot", "content": "x"}]}', 'role "user" or "assistant"'),
        (b'{"messages": [{"role": "user", "content": 5}]}', "content must be"),
        (b'{"messages": [{"role": "user", "content": "x"}], "system": 3}', "system must be"),
        (b'{"messages": [{"role": "user", "content": "x"}], "model": "x"}', "unknown fields"),
    ],
)
async def test_chat_route_rejects_bad_bodies_with_a_readable_error_event(
    server: FakeServer, client: AsyncClient, body: bytes, says: str
) -> None:
    async with asgi(chat_app(client, model="m")) as web:
        response = await web.post("/api/chat", content=body)
    assert response.status_code == 400
    (event,) = [json.loads(line) for line in response.text.splitlines()]
    assert event["type"] == "error"
    assert event["error"]["type"] == "invalid_request_error"
    assert says in event["error"]["message"]
    assert server.requests == []  # nothing was sent upstream


async def test_a_refused_request_answers_with_its_status_and_an_error_event(
    server: FakeServer, client: AsyncClient
) -> None:
    server.enqueue(Fault(status=401))
    async with asgi(chat_app(client, model="m")) as web:
        response = await web.post("/api/chat", json={"messages": HELLO})
    assert response.status_code == 401
    (event,) = [json.loads(line) for line in response.text.splitlines()]
    assert event["error"]["type"] == "authentication_error"
    assert event["error"]["name"] == "AuthenticationError"


async def test_keepalive_pings_while_the_upstream_is_silent(
    server: FakeServer, client: AsyncClient
) -> None:
    # The upstream sends its one ping, then is silent for 0.6 s after three events; the
    # response pings every 0.05 s of silence. Pings only ever fall between whole events.
    server.enqueue(Fault(stall=0.6, stall_after=3))
    async with asgi(chat_app(client, model="m", keepalive=0.05)) as web:
        response = await web.post("/api/chat", json={"messages": HELLO})
    events = [json.loads(line) for line in response.text.splitlines()]
    types = [e["type"] for e in events]
    assert types.count("ping") >= 3
    others = [t for t in types if t != "ping"]
    assert others[0] == "message_start"
    assert others[-1] == "message_stop"
    assert "error" not in types


async def test_keepalive_must_be_positive(client: AsyncClient) -> None:
    with pytest.raises(ValueError, match="keepalive"):
        ndjson_response(
            client.messages.stream(model="m", max_tokens=1, messages=HELLO), keepalive=0
        )


def test_disconnect_closes_the_upstream_stream_at_once() -> None:
    """Over real HTTP (`aioanthropic web`, uvicorn): the reader leaves after the first text
    delta of a slow stream, and the fake server sees the web server hang up on it."""
    with FakeServer(api_key="test-key") as server, running_web(server.url) as url:
        server.enqueue(Fault(drip=0.2))
        words = " ".join(f"word{i}" for i in range(40))
        body = {"messages": [{"role": "user", "content": words}]}
        with httpx.Client(timeout=10) as http:
            with http.stream("POST", url + "api/chat", json=body) as response:
                assert response.headers["x-accel-buffering"] == "no"
                for line in response.iter_lines():
                    if json.loads(line)["type"] == "content_block_delta":
                        break
        import anyio

        anyio.run(server.wait_for_disconnects, 1)
        assert server.disconnects == 1
        assert open_streams_settled(server) == 0
        assert len(server.requests) == 1


async def test_the_final_message_survives_the_encoding(client: AsyncClient) -> None:
    async with client.messages.stream(model="m", max_tokens=10, messages=HELLO) as stream:
        async for _ in encode_ndjson(stream):
            pass
        message = await stream.get_final_message()
    assert isinstance(message, Message)
    assert message.stop_reason == "end_turn"


async def test_an_open_message_stream_can_be_relayed_too(
    server: FakeServer, client: AsyncClient
) -> None:
    async def chat(request: Request) -> Response:
        stream = await client.messages.create(model="m", max_tokens=10, messages=HELLO, stream=True)
        return sse_response(stream, keepalive=None)

    app = Starlette(routes=[Route("/chat", chat, methods=["POST"])])
    async with asgi(app) as web:
        response = await web.post("/chat")
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith("event: message_start\ndata: {")
    assert response.text.endswith('event: message_stop\ndata: {"type":"message_stop"}\n\n')
    assert "ping" in response.text  # the upstream's own ping, relayed as it came
    assert await anyio.to_thread.run_sync(open_streams_settled, server) == 0
