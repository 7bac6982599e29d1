"""Streaming over real loopback HTTP against the fake server: conformance, faults, retries,
timeouts, and cleanup on every way out of a stream."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from aioanthropic import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncClient,
    BadRequestError,
    IncompleteStreamError,
    InternalServerError,
    MessageStream,
    OverloadedError,
    RateLimitError,
)
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import (
    ContentBlockDeltaEvent,
    InputJSONDelta,
    MessageStartEvent,
    PingEvent,
    TextBlock,
    TextDelta,
    ToolUseBlock,
)
from helpers import FIXTURES, RecordedWaits, client_for, decode
from http_backends import connections_in_use, open_connections

pytestmark = [pytest.mark.anyio, pytest.mark.http_backends]

LONG = "Tell me a story about a café in Zürich, with emoji 🌍🚀 and 中文 characters, please."
WEATHER = {
    "name": "get_weather",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "days"],
    },
}
REQUESTS: list[dict[str, Any]] = [
    {"messages": [{"role": "user", "content": LONG}]},
    {"messages": [{"role": "user", "content": LONG}], "system": "Be terse."},
    {"messages": [{"role": "user", "content": LONG}], "max_tokens": 4},
    {"messages": [{"role": "user", "content": LONG}], "stop_sequences": ["Zürich"]},
    {"messages": [{"role": "user", "content": "weather? use get_weather"}], "tools": [WEATHER]},
    {
        "messages": [{"role": "user", "content": LONG}],
        # The API wants max_tokens above the thinking budget (the fake now checks it).
        "max_tokens": 2048,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    },
    {
        "messages": [
            {"role": "user", "content": LONG},
            {"role": "assistant", "content": "You said: Tell"},
        ]
    },
]


def params(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "model": "claude-test",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": LONG}],
    }
    base.update(overrides)
    return base


def without_ids(message: Any) -> dict[str, Any]:
    # The fake server numbers messages and tool calls per request; all else must match.
    dump: dict[str, Any] = message.model_dump(exclude={"id"})
    for block in dump["content"]:
        block.pop("id", None)
    return dump


def text_of(message: Any) -> str:
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


# --- conformance -------------------------------------------------------------------------


@pytest.mark.parametrize("chunking", ["events", "random", "bytes"])
@pytest.mark.parametrize("request_index", range(len(REQUESTS)))
async def test_streamed_message_equals_the_whole_one(chunking: str, request_index: int) -> None:
    request = params(**REQUESTS[request_index])
    async with FakeServer(chunking=chunking, seed=request_index) as server:
        async with client_for(server) as client:
            whole = await client.messages.create(**request)
            async with client.messages.stream(**request) as stream:
                # The wire events, pings included (iterating the stream itself also gives the
                # official helper's events and leaves pings out: tests/test_helper_events.py).
                events = [event async for event in stream.raw_events()]
                streamed = await stream.get_final_message()
            assert connections_in_use(client) == 0
    assert text_of(streamed) == text_of(whole)
    assert without_ids(streamed) == without_ids(whole)
    assert streamed.request_id is not None
    assert isinstance(events[0], MessageStartEvent)
    assert events[-1].type == "message_stop"
    assert any(isinstance(e, PingEvent) for e in events)


async def test_text_stream_yields_only_text_in_order(server: FakeServer) -> None:
    async with client_for(server) as client, client.messages.stream(**params()) as stream:
        pieces = [text async for text in stream.text_stream]
        final_text = await stream.get_final_text()
    assert len(pieces) > 1
    assert "".join(pieces) == final_text == f"You said: {LONG}"


async def test_create_stream_true_returns_the_same_stream_type(server: FakeServer) -> None:
    async with client_for(server) as client:
        stream = await client.messages.create(stream=True, **params())
        assert isinstance(stream, MessageStream)
        try:
            events = [event async for event in stream]
        finally:
            await stream.close()
        assert connections_in_use(client) == 0
    assert events[-1].type == "message_stop"
    assert server.requests[-1].json["stream"] is True
    assert server.requests[-1].headers["accept"] == "text/event-stream"


async def test_current_message_grows_with_the_stream(server: FakeServer) -> None:
    seen: list[str] = []
    async with client_for(server) as client, client.messages.stream(**params()) as stream:
        assert stream.current_message is None
        async for event in stream:
            if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
                snapshot = stream.current_message
                assert snapshot is not None
                seen.append(text_of(snapshot))
        assert stream.request_id == stream.headers["request-id"]
    assert seen == sorted(seen, key=len)
    assert seen[-1] == f"You said: {LONG}"


async def test_tool_arguments_stream_and_parse(server: FakeServer) -> None:
    request = params(**REQUESTS[4])
    partials: list[dict[str, Any]] = []
    async with client_for(server) as client, client.messages.stream(**request) as stream:
        async for event in stream:
            if isinstance(event, ContentBlockDeltaEvent) and isinstance(
                event.delta, InputJSONDelta
            ):
                partials.append(stream.accumulator.partial_input(event.index))
        message = await stream.get_final_message()
    tool = message.content[-1]
    assert isinstance(tool, ToolUseBlock)
    assert set(tool.input) >= {"city", "days"}
    assert tool.partial_json is None
    assert partials[-1] == tool.input
    assert any(p != tool.input for p in partials)  # arguments were visible before completion


@pytest.mark.parametrize(
    ("fixture", "stop_reason"),
    [
        ("official-sdk/basic_response.sse", "end_turn"),
        ("official-sdk/tool_use_response.sse", "tool_use"),
        ("official-sdk/refusal_response.sse", "refusal"),
        ("streams/thinking_signature_text.sse", None),
    ],
)
@pytest.mark.parametrize("chunking", ["random", "bytes"])
async def test_recorded_streams_replayed_over_the_wire(
    fixture: str, stop_reason: str | None, chunking: str
) -> None:
    path = FIXTURES / fixture
    from aioanthropic import MessageAccumulator

    expected_events = decode([path.read_bytes()])
    accumulator = MessageAccumulator()
    for event in expected_events:
        accumulator.feed(event)
    async with FakeServer(replay=path, chunking=chunking) as server:
        async with client_for(server) as client, client.messages.stream(**params()) as stream:
            events = [event async for event in stream.raw_events()]
            message = await stream.get_final_message()
    assert events == expected_events
    assert message.model_dump() == accumulator.message.model_dump()
    if stop_reason is not None:
        assert message.stop_reason == stop_reason


# --- faults mid-stream -------------------------------------------------------------------


async def consume(client: AsyncClient, **overrides: Any) -> list[Any]:
    """Iterate a stream to the end, the raw events handed over."""
    events: list[Any] = []
    async with client.messages.stream(**params(**overrides)) as stream:
        async for event in stream:
            events.append(event)
    return events


def assert_partial(error: APIError, min_text: int = 1) -> None:
    assert error.partial_message is not None
    assert len(text_of(error.partial_message)) >= min_text
    assert error.request_id is not None


async def test_dropped_connection_after_content(server: FakeServer) -> None:
    server.enqueue(Fault(drop_after=6))
    async with client_for(server) as client:
        with anyio.fail_after(10), pytest.raises(APIConnectionError) as info:
            await consume(client)
        assert connections_in_use(client) == 0
    assert not isinstance(info.value, APITimeoutError)
    assert_partial(info.value)
    assert len(server.requests) == 1  # content reached the caller: not retried


@pytest.mark.parametrize(
    ("error_type", "cls"),
    [
        ("overloaded_error", OverloadedError),
        ("rate_limit_error", RateLimitError),
        ("api_error", InternalServerError),
        ("invalid_request_error", BadRequestError),
    ],
)
async def test_error_event_raises_the_class_its_status_would(
    server: FakeServer, error_type: str, cls: type[APIError]
) -> None:
    server.enqueue(Fault(error_after=6, error_type=error_type))
    async with client_for(server) as client:
        with anyio.fail_after(10), pytest.raises(cls) as info:
            await consume(client)
        assert connections_in_use(client) == 0
    error = info.value
    assert type(error) is cls
    assert error.error_type == error_type  # type: ignore[attr-defined]
    assert error.status_code != 200  # type: ignore[attr-defined]
    assert_partial(error)
    assert len(server.requests) == 1


async def test_malformed_event_raises_validation_error_with_partial(server: FakeServer) -> None:
    server.enqueue(Fault(malformed_after=6))
    async with client_for(server) as client:
        with anyio.fail_after(10), pytest.raises(APIResponseValidationError) as info:
            await consume(client)
        assert connections_in_use(client) == 0
    assert_partial(info.value)
    assert info.value.body is not None


async def test_stream_without_message_stop_is_incomplete(server: FakeServer) -> None:
    server.enqueue(Fault(omit_stop=True))
    async with client_for(server) as client:
        with anyio.fail_after(10), pytest.raises(IncompleteStreamError) as info:
            await consume(client)
    assert info.value.partial_message is not None
    assert text_of(info.value.partial_message) == f"You said: {LONG}"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
async def test_wrong_content_type_is_rejected(server: FakeServer, content_type: str) -> None:
    server.enqueue(Fault(content_type=content_type))
    async with client_for(server) as client:
        with anyio.fail_after(10), pytest.raises(APIResponseValidationError) as info:
            await consume(client)
        assert connections_in_use(client) == 0
    assert content_type in str(info.value)


async def test_event_stream_content_type_in_any_case_is_accepted(server: FakeServer) -> None:
    server.enqueue(Fault(content_type="Text/Event-Stream; charset=latin-1"))
    async with client_for(server) as client:
        events = await consume(client)
    assert events[-1].type == "message_stop"


async def test_error_status_on_a_stream_is_read_as_an_error(server: FakeServer) -> None:
    server.enqueue(Fault(status=400, error_message="bad stream request"))
    async with client_for(server) as client:
        with pytest.raises(BadRequestError, match="bad stream request"):
            await consume(client)


async def test_silent_stall_hits_the_read_timeout_with_partial(server: FakeServer) -> None:
    server.enqueue(Fault(stall=5.0, stall_after=6))
    async with client_for(server, timeout=0.3) as client:
        with anyio.fail_after(10), pytest.raises(APITimeoutError) as info:
            await consume(client)
        assert connections_in_use(client) == 0
    assert_partial(info.value)


async def test_pinging_stall_hits_the_idle_timeout(server: FakeServer) -> None:
    # Pings keep the socket busy, so only the idle timeout can notice the stall.
    server.enqueue(Fault(stall=5.0, stall_after=6, ping_interval=0.05))
    async with client_for(server, timeout=0.3) as client:
        with anyio.fail_after(10), pytest.raises(APITimeoutError, match="idle_timeout") as info:
            await consume(client, idle_timeout=0.5)
        assert connections_in_use(client) == 0
    assert_partial(info.value)


async def test_idle_timeout_client_default(server: FakeServer) -> None:
    server.enqueue(Fault(stall=5.0, stall_after=6, ping_interval=0.05))
    async with client_for(server, idle_timeout=0.5) as client:
        with anyio.fail_after(10), pytest.raises(APITimeoutError):
            await consume(client)


async def test_idle_timeout_does_not_fire_on_a_steady_stream(server: FakeServer) -> None:
    server.enqueue(Fault(drip=0.02))
    async with client_for(server, idle_timeout=0.5) as client:
        events = await consume(client)
    assert events[-1].type == "message_stop"


# --- retries before the first event ------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault(error_after=0, error_type="overloaded_error"),
        Fault(error_after=2, error_type="overloaded_error"),  # after message_start and ping
        Fault(drop_after=1),
        Fault(status=529),
        Fault(close_without_response=True),
    ],
)
async def test_failure_before_content_is_retried(server: FakeServer, fault: Fault) -> None:
    server.enqueue(fault)
    waits = RecordedWaits()
    async with client_for(server, _sleep=waits) as client:
        async with client.messages.stream(**params()) as stream:
            events = [event async for event in stream]
            message = await stream.get_final_message()
    assert len(server.requests) == 2
    assert len(waits.waits) == 1
    assert message.retries_taken == 1
    assert stream.retries_taken == 1
    starts = [e for e in events if isinstance(e, MessageStartEvent)]
    assert len(starts) == 1  # the caller never saw the failed attempt's message_start
    assert text_of(message) == f"You said: {LONG}"


async def test_get_final_message_retries_too(server: FakeServer) -> None:
    server.enqueue(Fault(error_after=2, error_type="overloaded_error"))
    async with client_for(server, _sleep=RecordedWaits()) as client:
        async with client.messages.stream(**params()) as stream:
            message = await stream.get_final_message()
    assert message.retries_taken == 1


async def test_non_retryable_error_event_before_content_is_raised(server: FakeServer) -> None:
    server.enqueue(Fault(error_after=0, error_type="invalid_request_error"))
    async with client_for(server, _sleep=RecordedWaits()) as client:
        with pytest.raises(BadRequestError):
            await consume(client)
    assert len(server.requests) == 1


async def test_retries_before_first_event_stop_at_max_retries(server: FakeServer) -> None:
    server.enqueue(*[Fault(error_after=0, error_type="overloaded_error")] * 3)
    async with client_for(server, _sleep=RecordedWaits(), max_retries=2) as client:
        with pytest.raises(OverloadedError) as info:
            await consume(client)
        assert connections_in_use(client) == 0
    assert info.value.retries_taken == 2
    assert len(server.requests) == 3


# --- cleanup -----------------------------------------------------------------------------


async def test_break_closes_the_response(server: FakeServer) -> None:
    server.enqueue(Fault(drip=0.05))
    async with client_for(server) as client:
        async with client.messages.stream(**params()) as stream:
            async for event in stream:
                if isinstance(event, ContentBlockDeltaEvent):
                    break
        assert connections_in_use(client) == 0
        with anyio.fail_after(5):
            await server.wait_for_disconnects(1)


async def test_exception_in_the_callers_code_closes_the_response(server: FakeServer) -> None:
    server.enqueue(Fault(drip=0.05))

    async def fail_on_first_delta(client: AsyncClient) -> None:
        async with client.messages.stream(**params()) as stream:
            async for event in stream:
                if isinstance(event, ContentBlockDeltaEvent):
                    raise ZeroDivisionError

    async with client_for(server) as client:
        with pytest.raises(ZeroDivisionError):
            await fail_on_first_delta(client)
        assert connections_in_use(client) == 0
        with anyio.fail_after(5):
            await server.wait_for_disconnects(1)


async def test_cancellation_closes_the_response(server: FakeServer) -> None:
    server.enqueue(Fault(drip=0.05))
    received = 0
    async with client_for(server) as client:
        with anyio.move_on_after(0.4) as scope:
            async with client.messages.stream(**params()) as stream:
                async for _ in stream:
                    received += 1
        assert scope.cancelled_caught
        assert received > 0
        assert connections_in_use(client) == 0
        with anyio.fail_after(5):
            await server.wait_for_disconnects(1)


async def test_cancelling_a_task_closes_the_response(server: FakeServer) -> None:
    server.enqueue(Fault(drip=0.05))
    started = anyio.Event()
    async with client_for(server) as client:

        async def reader() -> None:
            async with client.messages.stream(**params()) as stream:
                async for _ in stream:
                    started.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(reader)
            with anyio.fail_after(5):
                await started.wait()
            tg.cancel_scope.cancel()
        assert connections_in_use(client) == 0
        with anyio.fail_after(5):
            await server.wait_for_disconnects(1)


async def test_leaving_early_without_iterating(server: FakeServer) -> None:
    server.enqueue(Fault(drip=0.05))
    async with client_for(server) as client:
        async with client.messages.stream(**params()):
            pass
        assert connections_in_use(client) == 0
        with anyio.fail_after(5):
            await server.wait_for_disconnects(1)


async def test_the_connection_is_reused_after_a_complete_stream(server: FakeServer) -> None:
    async with client_for(server) as client:
        for _ in range(3):
            await consume(client)
        assert open_connections(client) == 1
        assert connections_in_use(client) == 0
