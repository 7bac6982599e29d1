"""The fake server's streams: wire format, chunking, and the faults that break them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from httpx_sse import EventSource, ServerSentEvent

from aioanthropic import AsyncClient
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import MessageParam
from helpers import SSL_CONTEXT, VERSION, message_body

pytestmark = pytest.mark.anyio


TOOL = {
    "name": "lookup",
    "input_schema": {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "limit": {"type": "integer"},
            "filters": {"type": "array", "items": {"type": "object", "properties": {}}},
        },
        "required": ["query"],
    },
}


def with_prefill(prefill: str) -> dict[str, Any]:
    data = message_body("prefilled")
    data["messages"].append({"role": "assistant", "content": prefill})
    return data


def with_tool_result() -> dict[str, Any]:
    data = message_body("look it up", tools=[TOOL])
    data["messages"] += [
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t", "name": "lookup", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "42"}]},
    ]
    return data


REQUESTS = {
    "plain": message_body(),
    "unicode": message_body("héllo wörld — 日本語 🎉 ok"),
    "system": message_body("hi", system="Be terse"),
    "prefill": with_prefill("You said: pre"),
    "max_tokens": message_body("a b c d e f g", max_tokens=4),
    "stop_sequence": message_body("one two three", stop_sequences=["three"]),
    "tool_use": message_body("please lookup cats", tools=[TOOL]),
    "tool_result": with_tool_result(),
    "thinking": message_body(
        "why ünïcode", max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1024}
    ),
}


async def stream(
    http_client: httpx.AsyncClient, data: dict[str, Any], **headers: str
) -> tuple[httpx.Response, list[ServerSentEvent]]:
    with anyio.fail_after(5):
        payload = {**data, "stream": True}
        async with http_client.stream(
            "POST", "/v1/messages", json=payload, headers=headers
        ) as response:
            events = [event async for event in EventSource(response).aiter_sse()]
    return response, events


def rebuild(events: list[ServerSentEvent]) -> dict[str, Any]:
    """Fold a stream back into the Message it describes, checking the event grammar on the way."""
    message: dict[str, Any] = {}
    partial_json: dict[int, str] = {}
    for event in events:
        data = event.json()
        assert data["type"] == event.event
        if event.event == "message_start":
            message = data["message"]
            assert message["content"] == []
        elif event.event == "content_block_start":
            assert data["index"] == len(message["content"])
            message["content"].append(dict(data["content_block"]))
        elif event.event == "content_block_delta":
            block, delta = message["content"][data["index"]], data["delta"]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta["type"] == "signature_delta":
                block["signature"] = delta["signature"]
            else:
                assert delta["type"] == "input_json_delta"
                partial_json[data["index"]] = (
                    partial_json.get(data["index"], "") + delta["partial_json"]
                )
        elif event.event == "content_block_stop":
            if data["index"] in partial_json:
                message["content"][data["index"]]["input"] = json.loads(partial_json[data["index"]])
        elif event.event == "message_delta":
            message.update(data["delta"])
            message["usage"].update(data["usage"])  # cumulative totals, as the API sends
    return message


def without_ids(message: dict[str, Any]) -> dict[str, Any]:
    content = [{k: v for k, v in block.items() if k != "id"} for block in message["content"]]
    return {**{k: v for k, v in message.items() if k != "id"}, "content": content}


async def test_event_sequence(http_client: httpx.AsyncClient) -> None:
    response, events = await stream(http_client, message_body("hello there"))
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["request-id"] == "req_fake_1"
    names = [e.event for e in events]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-4:] == [
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert set(names[3:-3]) == {"content_block_delta"}
    start = events[0].json()["message"]
    assert start["id"] == "msg_fake_1"
    assert start["usage"]["output_tokens"] == 1
    assert start["usage"]["input_tokens"] == 3
    assert events[-2].json() == {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        # Cumulative usage, input and cache counts included, as the API sends (issue 16).
        "usage": {
            "input_tokens": 3,
            "output_tokens": 4,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


async def test_tool_use_stream_starts_with_an_empty_fragment(
    http_client: httpx.AsyncClient,
) -> None:
    _, events = await stream(http_client, REQUESTS["tool_use"])
    fragments = [
        e.json()["delta"]["partial_json"]
        for e in events
        if e.event == "content_block_delta" and e.json()["index"] == 1
    ]
    assert fragments[0] == ""
    assert len(fragments) > 3
    starts = [e.json()["content_block"] for e in events if e.event == "content_block_start"]
    assert starts[1] == {"type": "tool_use", "id": "toolu_fake_1", "name": "lookup", "input": {}}


@pytest.mark.parametrize("chunking", ["events", "random", "bytes"])
async def test_stream_equals_the_non_streamed_reply(chunking: str) -> None:
    async with (
        FakeServer(chunking=chunking, seed=7) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        for name, data in REQUESTS.items():
            with anyio.fail_after(5):
                expected = (await http_client.post("/v1/messages", json=data)).json()
            _, events = await stream(http_client, data)
            assert without_ids(rebuild(events)) == without_ids(expected), name


async def test_chunking_changes_the_sends_not_the_bytes() -> None:
    bodies = []
    for chunking in ("events", "random", "bytes"):
        async with (
            FakeServer(chunking=chunking) as server,
            httpx.AsyncClient(
                base_url=server.url, headers=VERSION, verify=SSL_CONTEXT
            ) as http_client,
        ):
            with anyio.fail_after(5):
                payload = {**REQUESTS["unicode"], "stream": True}
                response = await http_client.post("/v1/messages", json=payload)
            bodies.append(response.content)
    assert bodies[0] == bodies[1] == bodies[2]
    assert "日本語".encode() in bodies[0]


async def test_drop_after_leaves_the_body_incomplete(http_client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError):  # noqa: PT012
        with anyio.fail_after(5):
            payload = {**message_body(), "stream": True}
            headers = {"x-fake-fault": json.dumps({"drop_after": 3})}
            async with http_client.stream(
                "POST", "/v1/messages", json=payload, headers=headers
            ) as r:
                async for event in EventSource(r).aiter_sse():
                    seen.append(event.event)
    assert seen == ["message_start", "ping", "content_block_start"]


async def test_error_after(http_client: httpx.AsyncClient) -> None:
    fault = {"error_after": 4, "error_type": "overloaded_error"}
    _, events = await stream(http_client, message_body(), **{"x-fake-fault": json.dumps(fault)})
    assert [e.event for e in events][-2:] == ["content_block_delta", "error"]
    assert len(events) == 5
    assert events[-1].json() == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }


async def test_stall_with_pings(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    server.enqueue(Fault(stall=0.5, stall_after=2, ping_interval=0.1))
    _, events = await stream(http_client, message_body())
    names = [e.event for e in events]
    assert names[:2] == ["message_start", "ping"]
    # The stall's length, counted rather than timed: a ping every 0.1 s through the 0.5 s.
    pings = names[2 : names.index("content_block_start")]
    assert 3 <= len(pings) <= 5
    assert set(pings) == {"ping"}
    assert names[-1] == "message_stop"


async def test_malformed_event(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    server.enqueue(Fault(malformed_after=3))
    _, events = await stream(http_client, message_body())
    broken = []
    for event in events:
        try:
            json.loads(event.data)
        except ValueError:
            broken.append(event)
    assert len(broken) == 1
    assert events.index(broken[0]) == 3
    assert events[-1].event == "message_stop"


@pytest.mark.parametrize("content_type", ["application/json", "TEXT/EVENT-STREAM"])
async def test_content_type_override(http_client: httpx.AsyncClient, content_type: str) -> None:
    headers = {"x-fake-fault": json.dumps({"content_type": content_type})}
    with anyio.fail_after(5):
        payload = {**message_body(), "stream": True}
        response = await http_client.post("/v1/messages", json=payload, headers=headers)
    assert response.headers["content-type"] == content_type
    assert response.text.startswith("event: message_start\n")


async def test_omit_stop(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    server.enqueue(Fault(omit_stop=True))
    _, events = await stream(http_client, message_body())
    assert events[-1].event == "message_delta"


async def test_replay(tmp_path: Path) -> None:
    recording = (
        b"event: message_start\r\n"
        b'data: {"type":"message_start","message":{"id":"msg_rec"}}\r\n\r\n'
        b": a comment line\n\n"
        b"event: message_stop\n"
        b'data: {"type":"message_stop"}\n\n'
    )
    path = tmp_path / "recorded.sse"
    path.write_bytes(recording)
    async with (
        FakeServer(replay=path, chunking="bytes") as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        with anyio.fail_after(5):
            response = await http_client.post(
                "/v1/messages", json={**message_body(), "stream": True}
            )
        assert response.content == recording
        # Non-streaming requests still get the model's reply.
        with anyio.fail_after(5):
            plain = await http_client.post("/v1/messages", json=message_body())
        assert plain.json()["content"][0]["text"] == "You said: hello there"


async def test_replay_per_fault(
    http_client: httpx.AsyncClient, server: FakeServer, tmp_path: Path
) -> None:
    path = tmp_path / "one.sse"
    path.write_bytes(b'event: ping\ndata: {"type":"ping"}\n\n')
    server.enqueue(Fault(replay=str(path)))
    _, events = await stream(http_client, message_body())
    assert [e.event for e in events] == ["ping"]


async def test_client_closing_early_is_a_disconnect(
    http_client: httpx.AsyncClient, server: FakeServer
) -> None:
    server.enqueue(Fault(drip=0.05))
    with anyio.fail_after(5):
        payload = {**message_body("one two three four five six"), "stream": True}
        # Leave once the headers are in. Not reading at all keeps httpx's generator chain out
        # of it: breaking out of aiter_sse leaves inner generators for the GC (ResourceWarning).
        async with http_client.stream("POST", "/v1/messages", json=payload) as response:
            assert response.status_code == 200
            assert server.open_streams == 1
        await server.wait_for_disconnects(1, timeout=3)
        # The stream's cleanup runs as its handler is cancelled, just after the count.
        for _ in range(300):
            if not server.open_streams:
                break
            await anyio.sleep(0.01)
    assert (server.disconnects, server.open_streams) == (1, 0)


async def test_finished_streams_are_not_disconnects(
    http_client: httpx.AsyncClient, server: FakeServer
) -> None:
    for _ in range(3):
        await stream(http_client, message_body())
    await anyio.sleep(0.05)
    assert (server.disconnects, server.open_streams) == (0, 0)


def test_random_chunking_splits_inside_characters_and_across_events() -> None:
    from aioanthropic.testing._sse import Chunker

    events = ["event: x\ndata: 日本語 ünï 🎉\n\n".encode() for _ in range(20)]
    chunker = Chunker("random", seed=3)
    sends = [chunk for raw in events for chunk in chunker.feed(raw)] + chunker.flush()
    assert b"".join(sends) == b"".join(events)
    broken = 0
    for chunk in sends:
        try:
            chunk.decode()
        except UnicodeDecodeError:
            broken += 1
    assert broken > 0
    # Some send ends mid-event: the tail was held back and went out with the next event.
    assert any(not chunk.endswith(b"\n\n") for chunk in sends)
    assert len({len(chunk) for chunk in sends}) > 5
    byte_sends = Chunker("bytes", seed=0).feed(events[0])
    assert byte_sends == [events[0][i : i + 1] for i in range(len(events[0]))]
    assert Chunker("events", seed=0).feed(events[0]) == [events[0]]


async def test_stopping_with_a_stream_still_open() -> None:
    # A client that stops reading must not keep the server (or the test) alive.
    with anyio.fail_after(6):
        async with FakeServer(fault=Fault(stall=30)) as server:
            http_client = httpx.AsyncClient(
                base_url=server.url, headers=VERSION, verify=SSL_CONTEXT
            )
            payload = {**message_body(), "stream": True}
            request = http_client.build_request("POST", "/v1/messages", json=payload)
            response = await http_client.send(request, stream=True)
            assert response.status_code == 200
            assert server.open_streams == 1
        await response.aclose()
        await http_client.aclose()


async def test_missing_replay_file(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    server.enqueue(Fault(replay="/nonexistent/recording.sse"))
    with anyio.fail_after(5):
        response = await http_client.post("/v1/messages", json={**message_body(), "stream": True})
    assert response.status_code == 500
    assert "replay" in response.json()["error"]["message"]


async def test_drop_after_beyond_the_last_event_still_breaks_the_body(
    http_client: httpx.AsyncClient, server: FakeServer
) -> None:
    server.enqueue(Fault(drop_after=1000))
    seen: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError):  # noqa: PT012
        with anyio.fail_after(5):
            payload = {**message_body(), "stream": True}
            async with http_client.stream("POST", "/v1/messages", json=payload) as response:
                async for event in EventSource(response).aiter_sse():
                    seen.append(event.event)
    assert seen[-1] == "message_stop"


async def test_a_client_leaving_a_fast_stream_is_a_disconnect(
    client: AsyncClient, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    # No drip: the server writes as fast as the socket takes it. The answer (20,000 words
    # echoed) is more than loopback buffers hold, so the server is still writing when the
    # client leaves.
    words: list[MessageParam] = [{"role": "user", "content": "word " * 20_000}]
    with anyio.fail_after(10):
        async with client.messages.stream(model="m", max_tokens=30_000, messages=words) as stream:
            async for _ in stream.text_stream:
                break
        await server.wait_for_disconnects(1, timeout=5)
    assert server.disconnects == 1
    # Writing on after the loss made asyncio log this once per write, thousands of times.
    assert not [r for r in caplog.records if "socket.send() raised" in r.getMessage()]
