"""AsyncClient(telemetry=True): spans and metrics per the OpenTelemetry GenAI conventions,
recorded by the OpenTelemetry SDK's in-memory exporter and reader, against the fake server."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import httpx
import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from aioanthropic import AsyncClient, Message, OverloadedError
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import MessageParam, TextBlock
from helpers import REPLY, run_python

pytestmark = pytest.mark.anyio

EXPORTER = InMemorySpanExporter()
# Delta temporality: each collection holds only what was recorded since the previous one.
READER = InMemoryMetricReader(preferred_temporality={Histogram: AggregationTemporality.DELTA})


@pytest.fixture(scope="module", autouse=True)
def _providers() -> None:
    # The global providers can be set once per process; only this module sets them.
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[READER]))


@pytest.fixture(autouse=True)
def _clean() -> None:
    EXPORTER.clear()
    READER.get_metrics_data()  # drop what earlier tests recorded


def finished_spans() -> list[ReadableSpan]:
    return list(EXPORTER.get_finished_spans())


def collect() -> dict[str, list[Any]]:
    """The histogram points recorded since the last collection, by metric name."""
    data = READER.get_metrics_data()
    points: dict[str, list[Any]] = {}
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                points.setdefault(metric.name, []).extend(metric.data.data_points)
    return points


HELLO: list[MessageParam] = [{"role": "user", "content": "Hello there"}]


async def test_a_call_is_one_client_span_with_the_genai_attributes() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", telemetry=True) as client,
    ):
        message = await client.messages.create(
            model="claude-test", max_tokens=100, temperature=0.5, top_p=0.9, messages=HELLO
        )
    (span,) = finished_spans()
    assert span.name == "chat claude-test"
    assert span.kind is SpanKind.CLIENT
    attributes = dict(span.attributes or {})
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "anthropic"
    assert attributes["gen_ai.request.model"] == "claude-test"
    assert attributes["gen_ai.request.max_tokens"] == 100
    assert attributes["gen_ai.request.temperature"] == 0.5
    assert attributes["gen_ai.request.top_p"] == 0.9
    assert attributes["gen_ai.response.id"] == message.id
    assert attributes["gen_ai.response.model"] == message.model
    assert attributes["gen_ai.response.finish_reasons"] == (message.stop_reason,)
    assert attributes["gen_ai.usage.input_tokens"] == message.usage.input_tokens
    assert attributes["gen_ai.usage.output_tokens"] == message.usage.output_tokens
    assert attributes["server.address"] == "127.0.0.1"
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in attributes
    # Content is not captured unless asked.
    assert not any(key.endswith("messages") or "instructions" in key for key in attributes)
    assert "Hello there" not in json.dumps(attributes)


async def test_metrics_record_duration_and_token_usage() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", telemetry=True) as client,
    ):
        message = await client.messages.create(model="claude-test", max_tokens=50, messages=HELLO)
    recorded = collect()
    (duration,) = recorded["gen_ai.client.operation.duration"]
    assert duration.count == 1
    assert duration.attributes["gen_ai.operation.name"] == "chat"
    assert duration.attributes["gen_ai.provider.name"] == "anthropic"
    assert duration.attributes["gen_ai.request.model"] == "claude-test"
    assert duration.attributes["gen_ai.response.model"] == message.model
    assert list(duration.explicit_bounds[:3]) == [0.01, 0.02, 0.04]  # the advised buckets
    usage = {p.attributes["gen_ai.token.type"]: p for p in recorded["gen_ai.client.token.usage"]}
    assert usage["input"].sum == message.usage.input_tokens
    assert usage["output"].sum == message.usage.output_tokens
    assert "gen_ai.client.operation.time_to_first_chunk" not in recorded  # not streamed


async def test_a_stream_span_ends_with_the_stream_and_records_time_to_first_chunk() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", telemetry=True) as client,
    ):
        async with client.messages.stream(model="claude-test", max_tokens=50, messages=HELLO) as s:
            async for _ in s.text_stream:
                assert finished_spans() == []  # still open while the stream is read
            message = await s.get_final_message()
    (span,) = finished_spans()
    attributes = dict(span.attributes or {})
    assert attributes["gen_ai.response.id"] == message.id
    assert attributes["gen_ai.usage.output_tokens"] == message.usage.output_tokens
    first_chunk_seconds = attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(first_chunk_seconds, float)
    assert first_chunk_seconds > 0
    (first_chunk,) = collect()["gen_ai.client.operation.time_to_first_chunk"]
    assert first_chunk.count == 1
    assert first_chunk.sum == first_chunk_seconds


async def test_an_error_sets_error_type_and_the_span_status() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", telemetry=True, max_retries=0) as client,
    ):
        server.enqueue(Fault(status=529))
        with pytest.raises(OverloadedError):
            await client.messages.create(model="claude-test", max_tokens=50, messages=HELLO)
    (span,) = finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes or {})["error.type"] == "overloaded_error"
    recorded = collect()
    (duration,) = recorded["gen_ai.client.operation.duration"]
    assert duration.attributes["error.type"] == "overloaded_error"
    assert "gen_ai.client.token.usage" not in recorded  # no usage, none recorded


async def test_a_connection_error_is_named_by_its_class() -> None:
    async with AsyncClient(
        base_url="http://127.0.0.1:9", api_key="k", telemetry=True, max_retries=0
    ) as client:
        with pytest.raises(Exception, match="onnect"):
            await client.messages.create(model="claude-test", max_tokens=5, messages=HELLO)
    (span,) = finished_spans()
    assert dict(span.attributes or {})["error.type"] == "APIConnectionError"


async def test_a_stream_closed_early_still_ends_its_span() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", telemetry=True) as client,
    ):
        async with client.messages.stream(model="claude-test", max_tokens=50, messages=HELLO) as s:
            async for _ in s:
                break
    (span,) = finished_spans()
    assert span.end_time is not None
    assert "gen_ai.response.id" in dict(span.attributes or {})  # from message_start


async def test_content_is_captured_only_when_asked() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(
            base_url=server.url, api_key="k", telemetry=True, capture_content=True
        ) as client,
    ):
        message = await client.messages.create(
            model="claude-test", max_tokens=50, system="Be brief.", messages=HELLO
        )
    (span,) = finished_spans()
    attributes = {key: str(value) for key, value in (span.attributes or {}).items()}
    assert json.loads(attributes["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Hello there"}]}
    ]
    assert json.loads(attributes["gen_ai.system_instructions"]) == [
        {"type": "text", "content": "Be brief."}
    ]
    assert json.loads(attributes["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": text_of(message)}],
            "finish_reason": message.stop_reason,
        }
    ]


def text_of(message: Message) -> str:
    return "".join(block.text for block in message.content if isinstance(block, TextBlock))


def test_capture_content_needs_telemetry() -> None:
    with pytest.raises(ValueError, match="telemetry=True"):
        AsyncClient(api_key="k", capture_content=True)


async def test_cache_tokens_are_added_into_input_tokens_as_the_conventions_say() -> None:
    # The fake server reports no prompt caching, so this one response comes from a transport.
    body = {
        **REPLY,
        "usage": {
            "input_tokens": 100,
            "output_tokens": 7,
            "cache_read_input_tokens": 50,
            "cache_creation_input_tokens": 25,
        },
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    async with (
        httpx.AsyncClient(transport=transport) as http,
        AsyncClient(api_key="k", http_client=http, telemetry=True) as client,
    ):
        await client.messages.create(model="claude-test", max_tokens=50, messages=HELLO)
    attributes = dict(finished_spans()[0].attributes or {})
    assert attributes["gen_ai.usage.input_tokens"] == 175
    assert attributes["gen_ai.usage.cache_read.input_tokens"] == 50
    assert attributes["gen_ai.usage.cache_creation.input_tokens"] == 25


async def test_a_raw_response_call_is_traced_from_its_body() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", telemetry=True) as client,
    ):
        raw = await client.messages.with_raw_response.create(
            model="claude-test", max_tokens=50, messages=HELLO
        )
        message = await raw.parse()
    attributes = dict(finished_spans()[0].attributes or {})
    assert attributes["gen_ai.response.id"] == message.id
    assert attributes["gen_ai.usage.output_tokens"] == message.usage.output_tokens


async def test_other_endpoints_make_no_span() -> None:
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", telemetry=True) as client,
    ):
        await client.messages.count_tokens(model="claude-test", messages=HELLO)
    assert finished_spans() == []


def test_without_telemetry_opentelemetry_is_never_imported() -> None:
    out = run_python(
        "-c",
        textwrap.dedent(
            """
            import sys
            import anyio
            import aioanthropic
            from aioanthropic import AsyncClient, RateLimiter
            from aioanthropic.testing import FakeServer

            async def main():
                async with FakeServer() as server, AsyncClient(
                    base_url=server.url, api_key="k", rate_limiter=RateLimiter(max_concurrency=2)
                ) as client:
                    await client.messages.create(
                        model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
                    )
                    async with client.messages.stream(
                        model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
                    ) as stream:
                        await stream.get_final_message()
                assert not [m for m in sys.modules if m.startswith("opentelemetry")], sys.modules
                print("ok")

            anyio.run(main)
            """
        ),
    )
    assert out.strip() == "ok"


def test_telemetry_without_the_extra_says_which_extra_to_install() -> None:
    out = run_python(
        "-c",
        textwrap.dedent(
            """
            import sys
            sys.modules["opentelemetry"] = None  # as if opentelemetry-api were not installed
            from aioanthropic import AsyncClient
            try:
                AsyncClient(api_key="k", telemetry=True)
            except ImportError as error:
                print(error)
            """
        ),
    )
    assert "aioanthropic[otel]" in out
