"""A three-turn conversation with telemetry on: prints the OpenTelemetry spans it exported
(one per call) and the metrics it recorded.

python examples/conversation_trace.py          # against the embedded fake server, no key needed
python examples/conversation_trace.py --live   # against the real API (ANTHROPIC_API_KEY)

Needs the OpenTelemetry SDK (``pip install opentelemetry-sdk``; the ``[otel]`` extra brings
only the API, and the SDK is the application's choice).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from aioanthropic import AsyncClient, Conversation, RateLimiter

MODEL = "claude-sonnet-4-5"


@asynccontextmanager
async def traced_client(limiter: RateLimiter) -> AsyncIterator[AsyncClient]:
    if "--live" in sys.argv[1:]:
        if not os.environ.get("ANTHROPIC_API_KEY"):
            sys.exit("--live needs ANTHROPIC_API_KEY")
        async with AsyncClient(telemetry=True, rate_limiter=limiter) as client:
            yield client
        return
    from aioanthropic.testing import FakeServer

    async with (
        FakeServer() as server,
        AsyncClient(
            base_url=server.url, api_key="example", telemetry=True, rate_limiter=limiter
        ) as client,
    ):
        yield client


async def main() -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(provider)
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))

    limiter = RateLimiter(requests_per_minute=50, output_tokens_per_minute=20_000)
    async with traced_client(limiter) as client:
        conv = Conversation(client, model=MODEL, system="You are a math tutor.", max_tokens=200)
        await conv.send("What is calculus?")
        async with conv.stream("Give me an example") as stream:
            async for _ in stream.text_stream:
                pass
            print(f"time to first token: {stream.time_to_first_token is not None}")
        await conv.send("Is it hard?", prefill="Calculus")

    for span in spans.get_finished_spans():
        record: dict[str, Any] = {
            "name": span.name,
            "kind": span.kind.name,
            "status": span.status.status_code.name,
            "attributes": dict(span.attributes or {}),
        }
        print(json.dumps(record, default=list))
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    labels = dict(point.attributes or {})
                    kind = labels.get("gen_ai.token.type", "")
                    print(f"metric {metric.name} [{metric.unit}] {kind}: count={point.count}")


if __name__ == "__main__":
    anyio.run(main)
