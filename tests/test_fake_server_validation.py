"""The fake server rejects what the API rejects: one table row per rule, over real loopback HTTP.

Each row is a request, the status and error type the API answers, and a piece of its message
(the API's wording, see ``aioanthropic.testing._rules``). Each rule also has a near miss that
must pass, so that a rule cannot be "enforced" by rejecting everything around it. These tests
are about the server's answers, not about concurrency, so they run synchronously on one server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aioanthropic.testing import FakeServer, Fault

VERSION = {"anthropic-version": "2023-06-01"}
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}
USE = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}
PNG = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}


def base() -> dict[str, Any]:
    return {
        "model": "claude-fake",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hello"}],
    }


def with_messages(*messages: dict[str, Any]) -> dict[str, Any]:
    return {**base(), "messages": list(messages)}


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def assistant(content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


def thinking(budget: int = 1024) -> dict[str, Any]:
    return {**base(), "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": budget}}


INVALID = "invalid_request_error"
CACHED = {"type": "ephemeral"}
SCHEMA_FORMAT = {"type": "json_schema", "schema": {"type": "object", "properties": {}}}
NON_EMPTY = "all messages must have non-empty content except for the optional final assistant"
PAIRED = "Each `tool_use` block must have a corresponding `tool_result` block in the next message"
ANSWERS = "Each `tool_result` block must have a corresponding `tool_use` block in the previous"
NAME_PATTERN = "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'"

# (id, body, status, error type, piece of the message)
REJECTED: list[tuple[str, dict[str, Any], int, str, str]] = [
    ("empty-string", with_messages(user("")), 400, INVALID, f"messages.0: {NON_EMPTY}"),
    ("empty-list", with_messages(user("hi"), assistant([]), user("x")), 400, INVALID, NON_EMPTY),
    (
        "empty-text-block",
        with_messages(user([{"type": "text", "text": ""}])),
        400,
        INVALID,
        "messages: text content blocks must be non-empty",
    ),
    (
        "unknown-block-type",
        with_messages(user([{"type": "video", "url": "x"}])),
        400,
        INVALID,
        "messages.0.content.0: Input tag 'video' found using 'type' does not match",
    ),
    (
        "image-without-source",
        with_messages(user([{"type": "image"}, {"type": "text", "text": "what is it"}])),
        400,
        INVALID,
        "messages.0.content.0.image.source: Field required",
    ),
    (
        "document-without-source",
        with_messages(user([{"type": "document"}])),
        400,
        INVALID,
        "messages.0.content.0.document.source: Field required",
    ),
    (
        "tool-result-without-use",
        with_messages(user("hi"), assistant("ok"), user([RESULT])),
        400,
        INVALID,
        f"messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1. "
        f"{ANSWERS}",
    ),
    (
        "tool-use-never-answered",
        with_messages(user("hi"), assistant([USE]), user("never mind")),
        400,
        INVALID,
        f"messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        f"toolu_1. {PAIRED}",
    ),
    (
        "budget-under-1024",
        thinking(1023),
        400,
        INVALID,
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
    ),
    (
        "budget-not-below-max-tokens",
        {**thinking(4000)},
        400,
        INVALID,
        "`max_tokens` must be greater than `thinking.budget_tokens`",
    ),
    (
        "thinking-with-forced-tool",
        {**thinking(), "tools": [TOOL], "tool_choice": {"type": "any"}},
        400,
        INVALID,
        "Thinking may not be enabled when tool_choice forces tool use.",
    ),
    (
        "thinking-with-temperature",
        {**thinking(), "temperature": 0.5},
        400,
        INVALID,
        "`temperature` may only be set to 1 when thinking is enabled",
    ),
    (
        "temperature-above-1",
        {**base(), "temperature": 1.5},
        400,
        INVALID,
        "temperature: Input should be less than or equal to 1",
    ),
    (
        "temperature-below-0",
        {**base(), "temperature": -0.1},
        400,
        INVALID,
        "temperature: Input should be greater than or equal to 0",
    ),
    ("top-p-above-1", {**base(), "top_p": 2}, 400, INVALID, "top_p: Input should be less than"),
    (
        "negative-top-k",
        {**base(), "top_k": -1},
        400,
        INVALID,
        "top_k: Input should be greater than or equal to 0",
    ),
    (
        "max-tokens-over-the-model-limit",
        {**base(), "model": "claude-fake-nano-5", "max_tokens": 5000},
        400,
        INVALID,
        "max_tokens: 5000 > 4096, which is the maximum allowed number of output tokens for "
        "claude-fake-nano-5-20250301",
    ),
    (
        "tool-name-with-a-dot",
        {**base(), "tools": [{**TOOL, "name": "weather.get"}]},
        400,
        INVALID,
        NAME_PATTERN,
    ),
    (
        "tool-name-too-long",
        {**base(), "tools": [{**TOOL, "name": "x" * 129}]},
        400,
        INVALID,
        NAME_PATTERN,
    ),
    (
        "duplicate-tool-names",
        {**base(), "tools": [TOOL, TOOL]},
        400,
        INVALID,
        "tools: Tool names must be unique.",
    ),
    (
        "prefill-ends-in-whitespace",
        with_messages(user("hi"), assistant("The answer is ")),
        400,
        INVALID,
        "messages: final assistant content cannot end with trailing whitespace",
    ),
    (
        "prefill-block-ends-in-newline",
        with_messages(user("hi"), assistant([{"type": "text", "text": "Sure:\n"}])),
        400,
        INVALID,
        "messages: final assistant content cannot end with trailing whitespace",
    ),
    (
        "structured-output-unsupported-by-the-model",
        {**base(), "model": "claude-fake-sonnet-2", "output_config": {"format": SCHEMA_FORMAT}},
        400,
        INVALID,
        "output_config.format: structured outputs are not supported by claude-fake-sonnet-2-",
    ),
    (
        "thinking-unsupported-by-the-model",
        {**thinking(), "model": "claude-fake-nano-5"},
        400,
        INVALID,
        "thinking.type: 'enabled' is not supported by claude-fake-nano-5-20250301",
    ),
    (
        "adaptive-thinking-unsupported-by-the-model",
        {**base(), "model": "claude-fake-opus-3", "thinking": {"type": "adaptive"}},
        400,
        INVALID,
        "thinking.type: 'adaptive' is not supported by claude-fake-opus-3-",
    ),
    (
        "retired-model",
        {**base(), "model": "claude-fake-opus-1"},
        404,
        "not_found_error",
        "model: claude-fake-opus-1",
    ),
    (
        "five-cache-breakpoints",
        with_messages(
            user([{"type": "text", "text": f"part {i}", "cache_control": CACHED} for i in range(5)])
        ),
        400,
        INVALID,
        "A maximum of 4 blocks with cache_control may be provided. Found 5.",
    ),
    (
        "output-format-not-json-schema",
        {**base(), "output_config": {"format": {"type": "xml"}}},
        400,
        INVALID,
        "output_config.format.type: Input should be 'json_schema'",
    ),
    (
        "recursive-output-schema",
        {
            **base(),
            "output_config": {
                "format": {
                    "type": "json_schema",
                    "schema": {
                        "$defs": {
                            "A": {
                                "type": "object",
                                "properties": {"a": {"$ref": "#/$defs/A"}},
                                "required": ["a"],
                            }
                        },
                        "$ref": "#/$defs/A",
                    },
                }
            },
        },
        400,
        INVALID,
        "schema: the schema is recursive with no way out",
    ),
]

# (id, body) that the API accepts, each next to one of the rules above.
ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("final-assistant-may-be-empty", with_messages(user("hi"), assistant(""))),
    ("text-block-with-text", with_messages(user([{"type": "text", "text": "x"}]))),
    ("image-with-source", with_messages(user([{"type": "image", "source": PNG}]))),
    ("tool-use-then-result", with_messages(user("hi"), assistant([USE]), user([RESULT]))),
    ("tool-use-in-final-assistant", with_messages(user("hi"), assistant([USE]))),
    ("budget-1024-below-max-tokens", thinking(1024)),
    ("thinking-with-temperature-1", {**thinking(), "temperature": 1}),
    ("thinking-with-auto-tools", {**thinking(), "tools": [TOOL], "tool_choice": {"type": "auto"}}),
    ("adaptive-thinking", {**base(), "thinking": {"type": "adaptive"}}),
    ("temperature-bounds", {**base(), "temperature": 0, "top_p": 1, "top_k": 0}),
    ("max-tokens-at-the-limit", {**base(), "model": "claude-fake-nano-5", "max_tokens": 4096}),
    ("unknown-model-any-max-tokens", {**base(), "model": "any-model", "max_tokens": 10**6}),
    ("tool-name-128-chars", {**base(), "tools": [{**TOOL, "name": "a-b_" * 32}]}),
    (
        "server-tools-skip-name-rule",
        {**base(), "tools": [{"type": "web_search_20250305", "name": "web_search"}]},
    ),
    ("prefill-without-whitespace", with_messages(user("hi"), assistant("The answer is"))),
    (
        "structured-output-on-a-supporting-model",
        {**base(), "model": "claude-fake-sonnet-3", "output_config": {"format": SCHEMA_FORMAT}},
    ),
    ("thinking-on-a-supporting-model", {**thinking(), "model": "claude-fake-mini-3"}),
    ("deprecated-model-still-answers", {**base(), "model": "claude-fake-opus-2"}),
    (
        "four-cache-breakpoints",
        with_messages(
            user([{"type": "text", "text": f"part {i}", "cache_control": CACHED} for i in range(4)])
        ),
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


@pytest.fixture(scope="module")
def client(server: FakeServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=VERSION, timeout=5) as client:
        yield client


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    data = response.json()
    assert data["type"] == "error"
    assert data["request_id"] == response.headers["request-id"]
    return response.status_code, data["error"]["type"], data["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "error_type", "message"),
    [pytest.param(*row[1:], id=row[0]) for row in REJECTED],
)
def test_rejected(
    client: httpx.Client, body: dict[str, Any], status: int, error_type: str, message: str
) -> None:
    for stream in (False, True):  # streamed requests are checked before any event is sent
        response = client.post("/v1/messages", json={**body, "stream": stream})
        got_status, got_type, got_message = error_of(response)
        assert (got_status, got_type) == (status, error_type)
        assert message in got_message


@pytest.mark.parametrize("body", [pytest.param(row[1], id=row[0]) for row in ACCEPTED])
def test_accepted(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post("/v1/messages", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"


@pytest.mark.parametrize(
    ("body", "status", "error_type", "message"),
    [
        pytest.param(*row[1:], id=row[0])
        for row in REJECTED
        # Rules about max_tokens, and the model's answer itself, do not apply to a count.
        if not row[0].startswith(("budget-not-below", "max-tokens-over", "recursive"))
    ],
)
def test_count_tokens_applies_the_same_rules(
    client: httpx.Client, body: dict[str, Any], status: int, error_type: str, message: str
) -> None:
    body = {k: v for k, v in body.items() if k != "max_tokens"}
    got_status, got_type, got = error_of(client.post("/v1/messages/count_tokens", json=body))
    assert (got_status, got_type) == (status, error_type)
    assert message in got


DOC = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}
CITED = {"type": "text", "text": "x", "citations": [{"type": "char_location", "cited_text": "x"}]}

# API version 2026-10-21 rejects these; 2023-06-01 accepts them (versioning docs).
REJECTED_IN_2026: list[tuple[str, dict[str, Any], str]] = [
    ("temperature", {**base(), "temperature": 1.0}, "temperature: Extra inputs are not permitted"),
    ("top-p", {**base(), "top_p": 0.9}, "top_p: Extra inputs are not permitted"),
    ("top-k", {**base(), "top_k": 5}, "top_k: Extra inputs are not permitted"),
    (
        "document-in-assistant",
        with_messages(user("hi"), assistant([DOC]), user("and?")),
        "messages.1.content.0: document blocks are not allowed in assistant messages",
    ),
    (
        "citations-in-user-text",
        with_messages(user([CITED])),
        "messages.0.content.0: text blocks in user messages cannot carry citations",
    ),
]


@pytest.mark.parametrize(
    ("body", "message"), [pytest.param(*row[1:], id=row[0]) for row in REJECTED_IN_2026]
)
def test_api_version_2026_10_21(client: httpx.Client, body: dict[str, Any], message: str) -> None:
    new = client.post("/v1/messages", json=body, headers={"anthropic-version": "2026-10-21"})
    status, error_type, got = error_of(new)
    assert (status, error_type) == (400, INVALID)
    assert message in got
    old = client.post("/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"})
    assert old.status_code == 200, old.text


@pytest.mark.parametrize(
    ("version", "status"),
    [("2023-06-01", 200), ("2023-01-01", 200), ("2026-10-21", 200), ("2099-01-01", 400)],
)
def test_anthropic_version(client: httpx.Client, version: str, status: int) -> None:
    response = client.post("/v1/messages", json=base(), headers={"anthropic-version": version})
    assert response.status_code == status
    if status == 400:
        assert error_of(response) == (
            400,
            INVALID,
            f'anthropic-version: "{version}" is not a valid version',
        )
    # Every endpoint checks it, not only messages.
    assert client.get("/v1/models", headers={"anthropic-version": version}).status_code == status


def test_strict_server_404s_unknown_models() -> None:
    with (
        FakeServer(strict=True) as server,
        httpx.Client(base_url=server.url, headers=VERSION, timeout=5) as client,
    ):
        for path in ("/v1/messages", "/v1/messages/count_tokens"):
            response = client.post(path, json={**base(), "model": "claude-fake-opus-9"})
            assert error_of(response) == (404, "not_found_error", "model: claude-fake-opus-9")
        for name in ("claude-fake-opus-5", "claude-fake-opus-5-20250329"):
            reply = client.post("/v1/messages", json={**base(), "model": name})
            assert reply.json()["model"] == "claude-fake-opus-5-20250329"


def test_lenient_by_default_and_alias_resolved(client: httpx.Client) -> None:
    assert client.post("/v1/messages", json=base()).json()["model"] == "claude-fake"
    aliased = client.post("/v1/messages", json={**base(), "model": "claude-fake-mini-3"})
    assert aliased.json()["model"] == "claude-fake-mini-3-20230308"
    assert client.get("/v1/models/claude-fake-mini-3").json()["id"] == aliased.json()["model"]


def test_invalid_batch_params_error_with_the_same_message() -> None:
    bad = REJECTED[0]
    with FakeServer(batch_processing_delay=0) as quick:
        with httpx.Client(base_url=quick.url, headers=VERSION, timeout=5) as client:
            created = client.post(
                "/v1/messages/batches",
                json={"requests": [{"custom_id": "bad", "params": bad[1]}]},
            ).json()
            results = client.get(f"/v1/messages/batches/{created['id']}/results")
    (line,) = [json.loads(x) for x in results.text.splitlines()]
    error = line["result"]["error"]["error"]
    assert error["type"] == INVALID
    assert bad[4] in error["message"]


@pytest.mark.parametrize(
    ("fault", "header"),
    [
        (Fault(status=429), "1"),
        (Fault(status=429, retry_after=7), "7"),
        (Fault(status=429, omit_retry_after=True), None),
        (Fault(status=529), None),
    ],
)
def test_429_faults_carry_retry_after(
    server: FakeServer, client: httpx.Client, fault: Fault, header: str | None
) -> None:
    server.enqueue(fault)
    response = client.post("/v1/messages", json=base())
    assert response.status_code == fault.status
    assert response.headers.get("retry-after") == header


def test_batch_results_out_of_order_when_asked() -> None:
    ids = [f"r{i}" for i in range(30)]
    orders = []
    for shuffle in (False, True):
        with (
            FakeServer(batch_processing_delay=0, shuffle_batch_results=shuffle) as server,
            httpx.Client(base_url=server.url, headers=VERSION, timeout=5) as client,
        ):
            requests = [
                {"custom_id": i, "params": {**base(), "messages": [user(f"q {i}")]}} for i in ids
            ]
            batch = client.post("/v1/messages/batches", json={"requests": requests}).json()
            body = client.get(f"/v1/messages/batches/{batch['id']}/results").text
        lines = [json.loads(x) for x in body.splitlines()]
        orders.append([line["custom_id"] for line in lines])
        for line in lines:  # shuffled or not, each result is its own request's answer
            text = line["result"]["message"]["content"][0]["text"]
            assert text == f"You said: q {line['custom_id']}"
            assert line["result"]["message"]["usage"]["service_tier"] == "batch"
    in_order, shuffled = orders
    assert in_order == ids
    assert shuffled != ids
    assert sorted(shuffled) == sorted(ids)
