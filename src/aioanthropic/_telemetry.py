"""OpenTelemetry spans and metrics for message calls (``AsyncClient(telemetry=True)``).

Follows the OpenTelemetry GenAI semantic conventions (development status; the generic client
spans and metrics, and their Anthropic page ``docs/gen-ai/anthropic.md`` of
open-telemetry/semantic-conventions): one CLIENT span per ``POST /v1/messages`` call, named
``chat {gen_ai.request.model}``, with ``gen_ai.provider.name = "anthropic"`` (the attribute
that replaced ``gen_ai.system``) set at creation, and the metrics
``gen_ai.client.operation.duration``, ``gen_ai.client.token.usage`` and, for streams,
``gen_ai.client.operation.time_to_first_chunk``. ``gen_ai.usage.input_tokens`` is computed as
the Anthropic page says: ``input_tokens + cache_read_input_tokens +
cache_creation_input_tokens``.

Only ``opentelemetry-api`` is imported (the ``[otel]`` extra); which SDK and exporter record
the data is the application's choice, through the global providers. This module is imported
only when a client has ``telemetry=True``. Message content (``gen_ai.input.messages``,
``gen_ai.system_instructions``, ``gen_ai.output.messages``, as JSON strings in the conventions'
message schema) is recorded only with ``capture_content=True``: it may hold personal data.

The span is started when the call is about to be sent (after any rate limiter's wait), with the
caller's current span as its parent, and ended when the response is parsed or the stream
closes. ``error.type`` is the API's error type (``rate_limit_error``, ``overloaded_error``...)
when the server sent one, else the exception's class name (``APIConnectionError``,
``CancelledError``...).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from time import perf_counter
from typing import Any

import httpx
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from aioanthropic._http.observe import CallProbe
from aioanthropic._protocol.exceptions import APIError, APIStatusError
from aioanthropic._protocol.responses import Message
from aioanthropic._version import __version__

PROVIDER = "anthropic"
OPERATION = "chat"

# The bucket boundaries the conventions advise for each histogram.
_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                     40.96, 81.92]  # fmt: skip
_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
                  16777216, 67108864]  # fmt: skip

_REQUEST_ATTRIBUTES = {
    "max_tokens": "gen_ai.request.max_tokens",
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "stop_sequences": "gen_ai.request.stop_sequences",
}


class Telemetry:
    """The call observer that records spans and metrics (see the module docstring)."""

    def __init__(self, *, capture_content: bool = False) -> None:
        self.capture_content = capture_content
        self._tracer = trace.get_tracer("aioanthropic", __version__)
        meter = metrics.get_meter("aioanthropic", __version__)
        self._duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self._tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self._first_chunk = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk",
            unit="s",
            description="Time to receive the first chunk of a streamed response.",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )

    async def start(self, request: httpx.Request, *, stream: bool) -> CallProbe | None:
        if request.method != "POST" or not request.url.path.endswith("/v1/messages"):
            return None
        try:
            body: Any = json.loads(request.content)
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        model = body.get("model")
        common: dict[str, Any] = {
            "gen_ai.operation.name": OPERATION,
            "gen_ai.provider.name": PROVIDER,
            "server.address": request.url.host,
            "server.port": request.url.port or (443 if request.url.scheme == "https" else 80),
        }
        if isinstance(model, str):
            common["gen_ai.request.model"] = model
        attributes = dict(common)
        for key, name in _REQUEST_ATTRIBUTES.items():
            value = body.get(key)
            if value is not None:
                attributes[name] = value
        if self.capture_content:
            attributes["gen_ai.input.messages"] = json.dumps(
                [_message_parts(m) for m in body.get("messages") or [] if isinstance(m, dict)]
            )
            system = body.get("system")
            if system:
                attributes["gen_ai.system_instructions"] = json.dumps(_parts(system))
        name = f"{OPERATION} {model}" if isinstance(model, str) else OPERATION
        span = self._tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
        return _CallSpan(self, span, common, stream)


class _CallSpan:
    """One call's span and its metric attributes."""

    def __init__(
        self, telemetry: Telemetry, span: trace.Span, common: dict[str, Any], stream: bool
    ) -> None:
        self._telemetry = telemetry
        self._span = span
        self._common = common
        self._stream = stream
        self._started = perf_counter()

    def on_error(self, error: APIError) -> None:
        pass

    def on_response(self, response: httpx.Response) -> None:
        pass

    def on_first_token(self) -> None:
        seconds = perf_counter() - self._started
        self._span.set_attribute("gen_ai.response.time_to_first_chunk", seconds)
        self._telemetry._first_chunk.record(seconds, self._common)

    def on_end(self, result: object, error: BaseException | None) -> None:
        span = self._span
        metric_attributes = dict(self._common)
        message = result if isinstance(result, Message) else _raw_message(result)
        usage = message.usage if message is not None else None
        if message is not None:
            span.set_attribute("gen_ai.response.id", message.id)
            span.set_attribute("gen_ai.response.model", message.model)
            metric_attributes["gen_ai.response.model"] = message.model
            if message.stop_reason is not None:
                span.set_attribute("gen_ai.response.finish_reasons", [message.stop_reason])
            if self._telemetry.capture_content:
                span.set_attribute("gen_ai.output.messages", json.dumps([_output_message(message)]))
        if usage is not None:
            cache_read = usage.cache_read_input_tokens or 0
            cache_creation = usage.cache_creation_input_tokens or 0
            input_tokens = usage.input_tokens + cache_read + cache_creation
            span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
            span.set_attribute("gen_ai.usage.cache_read.input_tokens", cache_read)
            span.set_attribute("gen_ai.usage.cache_creation.input_tokens", cache_creation)
            tokens = self._telemetry._tokens
            tokens.record(input_tokens, {**metric_attributes, "gen_ai.token.type": "input"})
            tokens.record(usage.output_tokens, {**metric_attributes, "gen_ai.token.type": "output"})
        if error is not None:
            error_type = _error_type(error)
            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR, str(error) or error_type))
            metric_attributes["error.type"] = error_type
        self._telemetry._duration.record(perf_counter() - self._started, metric_attributes)
        span.end()


def _error_type(error: BaseException) -> str:
    if isinstance(error, APIStatusError) and error.error_type:
        return error.error_type
    return type(error).__name__


def _raw_message(result: object) -> Message | None:
    http_response = getattr(result, "http_response", None)
    if isinstance(http_response, httpx.Response):
        try:
            return Message.model_validate_json(http_response.content)
        except ValueError:
            return None
    return None


# --- content, in the conventions' message schema (only with capture_content=True) ----------


def _parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts: list[dict[str, Any]] = []
    for block in content if isinstance(content, Sequence) else ():
        if hasattr(block, "model_dump"):
            block = block.model_dump(mode="json")
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "text":
            parts.append({"type": "text", "content": block.get("text", "")})
        elif kind == "thinking":
            parts.append({"type": "reasoning", "content": block.get("thinking", "")})
        elif kind == "tool_use":
            parts.append(
                {
                    "type": "tool_call",
                    "id": block.get("id"),
                    "name": block.get("name"),
                    "arguments": block.get("input"),
                }
            )
        elif kind == "tool_result":
            parts.append(
                {
                    "type": "tool_call_response",
                    "id": block.get("tool_use_id"),
                    "response": block.get("content"),
                }
            )
        else:  # images, documents...: named, not copied
            parts.append({"type": str(kind)})
    return parts


def _message_parts(message: Mapping[str, Any]) -> dict[str, Any]:
    return {"role": message.get("role"), "parts": _parts(message.get("content", ""))}


def _output_message(message: Message) -> dict[str, Any]:
    return {
        "role": "assistant",
        "parts": _parts(list(message.content)),
        "finish_reason": message.stop_reason or "",
    }


__all__ = ["Telemetry"]
