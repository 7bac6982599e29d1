"""Conformance: the official Python SDK (a test-only peer) against the fake server, over HTTP.

The official SDK parses every response into its own generated types, so these tests catch the
fake drifting from the API's wire format: a field missing or misnamed fails here. Each area of
issue 16 is asserted through the SDK's eyes: streamed usage, forced tools, the catalogue,
usage details, errors with their classes and headers, batches.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterable
from typing import Any, Literal, TypeVar

import anthropic
import anyio
import pydantic
import pytest

from aioanthropic.testing import FakeServer, Fault, RateLimits, ToolCall, Turn

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.fake_server(api_key="sk-fake", batch_processing_delay=0.05),
]

HELLO: list[anthropic.types.MessageParam] = [
    {"role": "user", "content": "What is the weather in Paris?"}
]
WEATHER: anthropic.types.ToolParam = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
        "required": ["city"],
    },
}


B = TypeVar("B")


def blocks(kind: type[B], content: Iterable[object]) -> list[B]:
    """Every block of ``content``, each asserted to be a ``kind``."""
    found: list[B] = []
    for block in content:
        assert isinstance(block, kind)
        found.append(block)
    return found


class Event(pydantic.BaseModel):
    name: str
    day: datetime.date
    place: str
    kind: Literal["meeting", "party"]
    guests: list[str]


@pytest.fixture
async def sdk(server: FakeServer) -> AsyncIterator[anthropic.AsyncAnthropic]:
    async with anthropic.AsyncAnthropic(
        base_url=server.url, api_key="sk-fake", max_retries=0
    ) as client:
        yield client


async def test_create(sdk: anthropic.AsyncAnthropic) -> None:
    message = await sdk.messages.create(model="claude-fake-sonnet-5", max_tokens=50, messages=HELLO)
    assert isinstance(message.content[0], anthropic.types.TextBlock)
    assert message.content[0].text == "You said: What is the weather in Paris?"
    assert message.model == "claude-fake-sonnet-5-20250322"  # the alias, resolved
    assert message.stop_reason == "end_turn"
    usage = message.usage
    assert usage.input_tokens > 0
    assert usage.output_tokens == 8  # the fake model's word pieces
    assert usage.cache_creation is not None
    assert usage.cache_creation.ephemeral_5m_input_tokens == 0
    assert usage.cache_creation.ephemeral_1h_input_tokens == 0
    assert usage.service_tier == "standard"
    assert usage.server_tool_use is None  # no server tools offered
    assert message._request_id is not None
    assert message._request_id.startswith("req_fake_")


async def test_stream_with_helper_events(sdk: anthropic.AsyncAnthropic) -> None:
    whole = await sdk.messages.create(model="m", max_tokens=50, messages=HELLO)
    texts, deltas = [], []
    async with sdk.messages.stream(model="m", max_tokens=50, messages=HELLO) as stream:
        async for event in stream:
            if event.type == "text":
                texts.append(event.text)
                assert event.snapshot.endswith(event.text)
            elif event.type == "message_delta":
                deltas.append(event.usage)
        final = await stream.get_final_message()
    assert isinstance(whole.content[0], anthropic.types.TextBlock)
    assert "".join(texts) == whole.content[0].text
    # Issue 16 item 1: the final message_delta carries input and cache counts, not only output.
    (delta,) = deltas
    assert delta.input_tokens == whole.usage.input_tokens > 0
    assert delta.output_tokens == whole.usage.output_tokens
    assert delta.cache_creation_input_tokens == 0
    assert delta.cache_read_input_tokens == 0
    assert final.usage.input_tokens == whole.usage.input_tokens
    final_texts = blocks(anthropic.types.TextBlock, final.content)
    whole_texts = blocks(anthropic.types.TextBlock, whole.content)
    assert [(b.type, b.text) for b in final_texts] == [(b.type, b.text) for b in whole_texts]


async def test_forced_tool_use_is_the_first_block(sdk: anthropic.AsyncAnthropic) -> None:
    choices: list[anthropic.types.ToolChoiceParam] = [
        {"type": "any"},
        {"type": "tool", "name": "get_weather"},
    ]
    for choice in choices:
        message = await sdk.messages.create(
            model="m", max_tokens=50, messages=HELLO, tools=[WEATHER], tool_choice=choice
        )
        (block,) = message.content
        assert isinstance(block, anthropic.types.ToolUseBlock)
        assert block.input == {"city": "Paris", "unit": "celsius"}
    # Chosen by the model itself (auto), a preamble may come first, as live.
    auto = await sdk.messages.create(
        model="m",
        max_tokens=50,
        messages=[{"role": "user", "content": "get_weather for Rome"}],
        tools=[WEATHER],
    )
    assert [b.type for b in auto.content] == ["text", "tool_use"]


async def test_tool_loop_with_streamed_input(sdk: anthropic.AsyncAnthropic) -> None:
    partial: list[str] = []
    async with sdk.messages.stream(
        model="m",
        max_tokens=50,
        messages=HELLO,
        tools=[WEATHER],
        tool_choice={"type": "any"},
    ) as stream:
        async for event in stream:
            if event.type == "input_json":
                partial.append(event.partial_json)
        first = await stream.get_final_message()
    (use,) = first.content
    assert isinstance(use, anthropic.types.ToolUseBlock)
    assert len(partial) > 3
    followup = await sdk.messages.create(
        model="m",
        max_tokens=50,
        tools=[WEATHER],
        messages=[
            *HELLO,
            {"role": "assistant", "content": first.content},  # the SDK's own blocks, sent back
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "sunny"}],
            },
        ],
    )
    assert isinstance(followup.content[0], anthropic.types.TextBlock)
    assert followup.content[0].text == "The tool returned: sunny"


async def test_scripted_parallel_calls_and_refusal(
    sdk: anthropic.AsyncAnthropic, server: FakeServer
) -> None:
    server.script(
        Turn(tool_calls=[ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_weather", {})]),
        Turn(stop_reason="refusal"),
    )
    message = await sdk.messages.create(model="m", max_tokens=50, messages=HELLO, tools=[WEATHER])
    uses = blocks(anthropic.types.ToolUseBlock, message.content)
    assert [b.input for b in uses] == [{"city": "Paris"}, {}]
    async with sdk.messages.stream(model="m", max_tokens=50, messages=HELLO) as stream:
        refused = await stream.get_final_message()
    assert refused.stop_reason == "refusal"
    assert refused.content == []


async def test_structured_output_through_parse(sdk: anthropic.AsyncAnthropic) -> None:
    parsed = await sdk.messages.parse(
        model="m",
        max_tokens=500,
        messages=[{"role": "user", "content": "Extract the event: dinner at Rosa's"}],
        output_format=Event,
    )
    event = parsed.parsed_output
    assert isinstance(event, Event)
    assert event.kind == "meeting"
    assert event.guests


async def test_count_tokens_matches_usage(sdk: anthropic.AsyncAnthropic) -> None:
    counted = await sdk.messages.count_tokens(model="m", messages=HELLO, tools=[WEATHER])
    created = await sdk.messages.create(model="m", max_tokens=5, messages=HELLO, tools=[WEATHER])
    assert counted.input_tokens == created.usage.input_tokens > 0


async def test_models_paging_and_fields(sdk: anthropic.AsyncAnthropic) -> None:
    models = [m async for m in sdk.models.list(limit=7)]
    assert len(models) == 25 == len({m.id for m in models})
    assert [m.created_at for m in models] == sorted((m.created_at for m in models), reverse=True)
    for model in models:
        assert model.max_tokens is not None
        assert model.max_input_tokens is not None
        assert model.max_input_tokens > model.max_tokens
        assert model.capabilities is not None
        assert model.capabilities.batch.supported
        assert model.lifecycle in ("active", "deprecated", "retired")
    assert {m.lifecycle for m in models} == {"active", "deprecated", "retired"}
    opus = await sdk.models.retrieve("claude-fake-opus-5")
    assert opus.id == "claude-fake-opus-5-20250329"
    assert opus.line == "opus"
    assert opus.capabilities is not None
    assert opus.capabilities.thinking.types.adaptive.supported


async def test_batches(sdk: anthropic.AsyncAnthropic) -> None:
    created = await sdk.messages.batches.create(
        requests=[
            {"custom_id": f"q{i}", "params": {"model": "m", "max_tokens": 20, "messages": HELLO}}
            for i in range(3)
        ]
    )
    assert created.processing_status == "in_progress"
    batch = created
    with anyio.fail_after(5):
        while batch.processing_status != "ended":
            await anyio.sleep(0.02)
            batch = await sdk.messages.batches.retrieve(batch.id)
    assert batch.request_counts.succeeded == 3
    results = [r async for r in await sdk.messages.batches.results(batch.id)]
    assert sorted(r.custom_id for r in results) == ["q0", "q1", "q2"]
    for entry in results:
        assert entry.result.type == "succeeded"
        assert entry.result.message.usage.service_tier == "batch"


async def test_server_tools_report_their_usage(sdk: anthropic.AsyncAnthropic) -> None:
    message = await sdk.messages.create(
        model="m",
        max_tokens=20,
        messages=HELLO,
        tools=[{"type": "web_search_20250305", "name": "web_search"}],
    )
    assert message.usage.server_tool_use is not None
    assert message.usage.server_tool_use.web_search_requests == 0


ERRORS: list[tuple[str, dict[str, Any]]] = [
    ("empty content", {"messages": [{"role": "user", "content": ""}]}),
    ("temperature", {"extra_body": {"temperature": 0.5}}),  # removed in API 2026-10-21
    ("tool names", {"tools": [WEATHER, WEATHER]}),
    ("prefill", {"messages": [*HELLO, {"role": "assistant", "content": "Hm "}]}),
    ("max_tokens", {"model": "claude-fake-nano-4", "max_tokens": 9000}),
    ("thinking", {"thinking": {"type": "enabled", "budget_tokens": 100}}),
]


@pytest.mark.parametrize("params", [pytest.param(row[1], id=row[0]) for row in ERRORS])
async def test_validation_errors(sdk: anthropic.AsyncAnthropic, params: dict[str, Any]) -> None:
    request = {"model": "m", "max_tokens": 50, "messages": HELLO, **params}
    with pytest.raises(anthropic.BadRequestError) as info:
        await sdk.messages.create(**request)
    assert info.value.status_code == 400
    body = info.value.body
    assert isinstance(body, dict)
    assert body["error"]["type"] == "invalid_request_error"
    assert info.value.request_id is not None


@pytest.mark.parametrize(
    ("fault", "cls"),
    [
        (Fault(status=429), anthropic.RateLimitError),
        (Fault(status=500), anthropic.InternalServerError),
        (Fault(status=529), anthropic.OverloadedError),
        (Fault(status=413), anthropic.ContentTooLargeError),
    ],
)
async def test_fault_statuses(
    sdk: anthropic.AsyncAnthropic,
    server: FakeServer,
    fault: Fault,
    cls: type[anthropic.APIStatusError],
) -> None:
    server.enqueue(fault)
    with pytest.raises(cls) as info:
        await sdk.messages.create(model="m", max_tokens=5, messages=HELLO)
    retry_after = info.value.response.headers.get("retry-after")
    assert retry_after == ("1" if fault.status == 429 else None)


async def test_auth_not_found_and_rate_limit(server: FakeServer) -> None:
    async with anthropic.AsyncAnthropic(base_url=server.url, api_key="wrong", max_retries=0) as bad:
        with pytest.raises(anthropic.AuthenticationError):
            await bad.messages.create(model="m", max_tokens=5, messages=HELLO)
    async with (
        FakeServer(strict=True, rate_limits=RateLimits(requests=1)) as strict,
        anthropic.AsyncAnthropic(base_url=strict.url, api_key="k", max_retries=0) as sdk,
    ):
        with pytest.raises(anthropic.NotFoundError) as info:
            await sdk.messages.create(model="claude-nope", max_tokens=5, messages=HELLO)
        body = info.value.body
        assert isinstance(body, dict)
        assert body["error"]["message"] == "model: claude-nope"
        await sdk.messages.create(model="claude-fake-haiku-5", max_tokens=5, messages=HELLO)
        with pytest.raises(anthropic.RateLimitError) as limited:
            await sdk.messages.create(model="claude-fake-haiku-5", max_tokens=5, messages=HELLO)
        assert int(limited.value.response.headers["retry-after"]) >= 1


async def test_error_mid_stream(sdk: anthropic.AsyncAnthropic, server: FakeServer) -> None:
    server.enqueue(Fault(error_after=4, error_type="overloaded_error"))
    with pytest.raises(anthropic.APIStatusError, match="Overloaded"):
        async with sdk.messages.stream(model="m", max_tokens=50, messages=HELLO) as stream:
            await stream.get_final_message()


def test_sync_client() -> None:
    with (
        FakeServer() as server,
        anthropic.Anthropic(base_url=server.url, api_key="k", max_retries=0) as sdk,
    ):
        message = sdk.messages.create(model="m", max_tokens=20, messages=HELLO)
        with sdk.messages.stream(model="m", max_tokens=20, messages=HELLO) as stream:
            final = stream.get_final_message()
    assert isinstance(final.content[0], anthropic.types.TextBlock)
    assert isinstance(message.content[0], anthropic.types.TextBlock)
    assert final.content[0].text == message.content[0].text
    assert final.usage.input_tokens == message.usage.input_tokens
