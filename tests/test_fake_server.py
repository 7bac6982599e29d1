"""The fake server's non-streaming side, over real loopback HTTP with a plain httpx http_client."""

from __future__ import annotations

import json
import re
from typing import Any

import anyio
import httpx
import pytest

import aioanthropic.testing
from aioanthropic.testing import FakeServer, RateLimits
from helpers import SSL_CONTEXT, VERSION, message_body

pytestmark = pytest.mark.anyio


async def create(http_client: httpx.AsyncClient, data: Any, **headers: str) -> httpx.Response:
    with anyio.fail_after(5):
        return await http_client.post("/v1/messages", json=data, headers=headers)


def texts(response: httpx.Response) -> list[str]:
    return [b["text"] for b in response.json()["content"] if b["type"] == "text"]


def test_public_names() -> None:
    assert sorted(aioanthropic.testing.__all__) == [
        "Chunking",
        "FakeServer",
        "Fault",
        "RateLimits",
        "RecordedRequest",
        "ReplayExhausted",
        "ReplayResponse",
        "ReplayTransport",
        "ToolCall",
        "Turn",
    ]
    for name in aioanthropic.testing.__all__:
        assert hasattr(aioanthropic.testing, name)


def test_sync_context_manager() -> None:
    with (
        FakeServer() as server,
        httpx.Client(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        response = http_client.post("/v1/messages", json=message_body("hi"), timeout=5)
        assert texts(response) == ["You said: hi"]
    with pytest.raises(RuntimeError):
        _ = server.url


async def test_plain_reply(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    response = await create(http_client, message_body("hello there"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    message = response.json()
    assert message == {
        "id": "msg_fake_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-fake",
        "content": [{"type": "text", "text": "You said: hello there"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 3,  # ceil(len("hello there") / 4)
            "output_tokens": 4,  # "You ", "said: ", "hello ", "there"
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "service_tier": "standard",
        },
    }
    recorded = server.requests[-1]
    assert (recorded.method, recorded.path) == ("POST", "/v1/messages")
    assert recorded.headers["anthropic-version"] == "2023-06-01"
    assert recorded.json == message_body("hello there")
    assert json.loads(recorded.body) == recorded.json


async def test_text_blocks_and_system(http_client: httpx.AsyncClient) -> None:
    blocks = [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]
    response = await create(http_client, message_body(blocks, system="Be brief"))
    assert texts(response) == ["(Be brief) You said: one\ntwo"]
    system_blocks = [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]
    response = await create(http_client, message_body("hi", system=system_blocks))
    assert texts(response) == ["(A\nB) You said: hi"]


async def test_prefill_continues_the_reply(http_client: httpx.AsyncClient) -> None:
    def turns(prefill: str) -> dict[str, Any]:
        data = message_body("hi")
        data["messages"].append({"role": "assistant", "content": prefill})
        return data

    assert texts(await create(http_client, turns("You sa"))) == ["id: hi"]
    assert texts(await create(http_client, turns("Sure"))) == [" You said: hi"]


async def test_max_tokens_truncates_word_pieces(http_client: httpx.AsyncClient) -> None:
    response = await create(http_client, message_body("one two three four", max_tokens=3))
    message = response.json()
    assert texts(response) == ["You said: one "]
    assert message["stop_reason"] == "max_tokens"
    assert message["usage"]["output_tokens"] == 3


async def test_earliest_stop_sequence_wins(http_client: httpx.AsyncClient) -> None:
    response = await create(
        http_client, message_body("alpha beta gamma", stop_sequences=["gamma", "beta"])
    )
    message = response.json()
    assert texts(response) == ["You said: alpha "]
    assert (message["stop_reason"], message["stop_sequence"]) == ("stop_sequence", "beta")


WEATHER_TOOL: dict[str, Any] = {
    "name": "get_weather",
    "description": "Weather at a place",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer"},
            "detail": {
                "type": "object",
                "properties": {
                    "hourly": {"type": "boolean"},
                    "threshold": {"type": "number"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["hourly"],
            },
        },
        "required": ["city", "unit", "detail"],
    },
}


def check_schema(value: Any, schema: dict[str, Any]) -> None:
    """A hand-rolled validator for the JSON Schema subset the tool above uses."""
    if "enum" in schema:
        assert value in schema["enum"]
    kind = schema.get("type")
    if kind == "object":
        assert isinstance(value, dict)
        for name in schema.get("required", []):
            assert name in value, name
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                check_schema(value[name], sub)
    elif kind == "array":
        assert isinstance(value, list)
        for item in value:
            check_schema(item, schema["items"])
    elif kind == "string":
        assert isinstance(value, str)
    elif kind == "integer":
        assert type(value) is int
    elif kind == "number":
        assert type(value) in (int, float)
    elif kind == "boolean":
        assert isinstance(value, bool)


async def test_forced_tool_use_fits_the_schema(http_client: httpx.AsyncClient) -> None:
    other = {"name": "other", "input_schema": {"type": "object", "properties": {}}}
    data = message_body(
        "What is the weather in Paris?",
        tools=[other, WEATHER_TOOL],
        tool_choice={"type": "tool", "name": "get_weather"},
    )
    message = (await create(http_client, data)).json()
    assert message["stop_reason"] == "tool_use"
    (use,) = message["content"]  # forced: the call alone, no preamble (issue 16)
    assert use["type"] == "tool_use"
    assert use["id"] == "toolu_fake_1"
    assert use["name"] == "get_weather"
    check_schema(use["input"], WEATHER_TOOL["input_schema"])
    assert use["input"] == {
        "city": "Paris",
        "unit": "celsius",
        "days": 1,
        "detail": {"hourly": True, "threshold": 1.5, "tags": ["Paris"]},
    }


async def test_tool_choice_any_auto_and_none(http_client: httpx.AsyncClient) -> None:
    other = {"name": "other", "input_schema": {"type": "object"}}
    tools = [other, WEATHER_TOOL]
    any_choice = await create(
        http_client, message_body("hi", tools=tools, tool_choice={"type": "any"})
    )
    assert [b["name"] for b in any_choice.json()["content"]] == ["other"]  # forced: alone
    auto = await create(http_client, message_body("please get_weather for Rome", tools=tools))
    assert auto.json()["content"][1]["name"] == "get_weather"
    assert auto.json()["content"][1]["input"]["city"] == "Rome"
    # A tool's name inside another word does not count.
    plain = await create(http_client, message_body("another day", tools=tools))
    assert plain.json()["stop_reason"] == "end_turn"
    never = await create(
        http_client, message_body("get_weather", tools=tools, tool_choice={"type": "none"})
    )
    assert texts(never) == ["You said: get_weather"]


async def test_tool_result_answer(http_client: httpx.AsyncClient) -> None:
    data = message_body("weather in Paris?", tools=[WEATHER_TOOL])
    data["messages"] += [
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": [{"type": "text", "text": "Sunny, 21C"}],
                }
            ],
        },
    ]
    message = (await create(http_client, data)).json()
    assert message["content"] == [{"type": "text", "text": "The tool returned: Sunny, 21C"}]
    assert message["stop_reason"] == "end_turn"


async def test_thinking_block_comes_first(http_client: httpx.AsyncClient) -> None:
    data = message_body(
        "why?", max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1024}
    )
    message = (await create(http_client, data)).json()
    thinking, text = message["content"]
    assert thinking["type"] == "thinking"
    assert thinking["thinking"] == "Thinking about: why?"
    assert re.fullmatch(r"[A-Za-z0-9+/]{43}=", thinking["signature"])
    assert text == {"type": "text", "text": "You said: why?"}
    assert message["usage"]["output_tokens"] == 3 + 3


ONE = [{"role": "user", "content": "x"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"max_tokens": 5, "messages": ONE}, "model: Field required"),
        ({"model": 1, "max_tokens": 5, "messages": ONE}, "model: Input should be a valid string"),
        ({"model": "m", "messages": ONE}, "max_tokens: Field required"),
        (
            {"model": "m", "max_tokens": True, "messages": ONE},
            "max_tokens: Input should be a valid integer",
        ),
        (
            {"model": "m", "max_tokens": 0, "messages": ONE},
            "max_tokens: Input should be greater than or equal to 1",
        ),
        ({"model": "m", "max_tokens": 5}, "messages: Field required"),
        (
            {"model": "m", "max_tokens": 5, "messages": []},
            "messages: at least one message is required",
        ),
        (
            {"model": "m", "max_tokens": 5, "messages": [*ONE, {"role": "robot", "content": "y"}]},
            "messages.1.role: Input should be 'user' or 'assistant'",
        ),
        (
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"x": 1}]}]},
            "messages.0.content.0.type: Field required",
        ),
        (
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": 7}]},
            "messages.0.content: Input should be a valid string or list of content blocks",
        ),
        (
            {"model": "m", "max_tokens": 5, "messages": ONE, "stream": "yes"},
            "stream: Input should be a valid boolean",
        ),
        (
            {"model": "m", "max_tokens": 5, "messages": ONE, "tool_choice": {"type": "any"}},
            "tool_choice: tool_choice may only be specified while providing tools",
        ),
    ],
)
async def test_validation_errors(
    http_client: httpx.AsyncClient, data: dict[str, Any], message: str
) -> None:
    response = await create(http_client, data)
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == "error"
    assert error["error"] == {"type": "invalid_request_error", "message": message}
    assert error["request_id"] == response.headers["request-id"]


async def test_body_that_is_not_json(http_client: httpx.AsyncClient) -> None:
    with anyio.fail_after(5):
        response = await http_client.post("/v1/messages", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_version_header_is_required(server: FakeServer) -> None:
    async with httpx.AsyncClient(base_url=server.url, verify=SSL_CONTEXT) as http_client:
        response = await create(http_client, message_body())
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "anthropic-version: header is required"


async def test_api_key() -> None:
    async with (
        FakeServer(api_key="sk-test") as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        missing = await create(http_client, message_body())
        wrong = await create(http_client, message_body(), **{"x-api-key": "nope"})
        by_header = await create(http_client, message_body(), **{"x-api-key": "sk-test"})
        by_bearer = await create(http_client, message_body(), authorization="Bearer sk-test")
    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["error"]["type"] == "authentication_error"
    assert wrong.json()["error"]["message"] == "invalid x-api-key"
    assert by_header.status_code == by_bearer.status_code == 200


async def test_request_id_and_rate_limit_headers(http_client: httpx.AsyncClient) -> None:
    first = await create(http_client, message_body())
    second = await create(http_client, {"model": "m"})
    assert first.headers["request-id"] == "req_fake_1"
    assert second.headers["request-id"] == "req_fake_2"
    for response in (first, second):
        for name in ("requests", "tokens", "input-tokens", "output-tokens"):
            prefix = f"anthropic-ratelimit-{name}"
            assert int(response.headers[f"{prefix}-limit"]) >= int(
                response.headers[f"{prefix}-remaining"]
            )
            assert re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", response.headers[f"{prefix}-reset"]
            )
    assert int(first.headers["anthropic-ratelimit-requests-remaining"]) == 3999


async def test_unknown_path_is_404(http_client: httpx.AsyncClient) -> None:
    with anyio.fail_after(5):
        response = await http_client.get("/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"
    assert response.headers["request-id"].startswith("req_fake_")


async def test_rate_limit_budget() -> None:
    async with (
        FakeServer(rate_limits=RateLimits(requests=2, window=30)) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        statuses = [(await create(http_client, message_body())).status_code for _ in range(2)]
        limited = await create(http_client, message_body())
    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert limited.json()["error"]["type"] == "rate_limit_error"
    assert 1 <= int(limited.headers["retry-after"]) <= 30
    assert limited.headers["anthropic-ratelimit-requests-remaining"] == "0"


async def test_token_budget() -> None:
    async with (
        FakeServer(rate_limits=RateLimits(tokens=5)) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        first = await create(http_client, message_body())
        second = await create(http_client, message_body())
    assert (first.status_code, second.status_code) == (200, 429)


def test_budget_windows() -> None:
    from aioanthropic.testing._ratelimit import Budget

    budget = Budget(RateLimits(requests=2, tokens=100, window=10), start=1000.0)
    assert budget.admit(1000.0) is None
    budget.spend(1000.0, 30, 10)
    assert budget.admit(1001.0) is None
    assert budget.admit(1002.5) == 8  # 7.5 s left in the window, rounded up
    assert dict(budget.headers(1002.5))["anthropic-ratelimit-tokens-remaining"] == "60"
    # The next window starts afresh.
    assert budget.admit(1010.0) is None
    headers = dict(budget.headers(1010.0))
    assert headers["anthropic-ratelimit-requests-remaining"] == "1"
    assert headers["anthropic-ratelimit-tokens-remaining"] == "100"
    # The second window ends at 1000 + 2 * 10 s.
    assert headers["anthropic-ratelimit-requests-reset"] == "1970-01-01T00:17:00Z"
    tokens_only = Budget(RateLimits(tokens=50), start=0.0)
    assert tokens_only.admit(1.0) is None
    tokens_only.spend(1.0, 40, 10)
    assert tokens_only.admit(59.5) == 1  # never less than a second
