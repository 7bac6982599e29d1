"""estimate_tokens, and the fake server's count_tokens and models endpoints over loopback."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioanthropic._protocol.tokens import IMAGE_TOKENS, estimate_tokens
from aioanthropic.testing import FakeServer, Fault, RateLimits
from aioanthropic.testing._pages import page
from aioanthropic.types import TextBlock, ToolUseBlock
from helpers import VERSION

IMAGE = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}}
TOOL = {"name": "calc", "description": "adds", "input_schema": {"type": "object"}}


def user(content: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": content}]


# --- estimate_tokens: pure -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "system", "tools", "expected"),
    [
        ([], None, None, 0),
        (user("hello there"), None, None, 3),  # 11 chars
        (user("abcde"), None, None, 2),  # rounds up
        (user([{"type": "text", "text": "abcd"}, {"type": "text", "text": "efgh"}]), None, None, 2),
        (user("abcd"), "abcd", None, 2),
        (user("abcd"), [{"type": "text", "text": "abcdefgh"}], None, 3),
        # "get" + '{"a": 1}' = 3 + 8 chars
        (user([{"type": "tool_use", "id": "t", "name": "get", "input": {"a": 1}}]), None, None, 3),
        (user([{"type": "tool_result", "tool_use_id": "t", "content": "abcdefgh"}]), None, None, 2),
        (
            user(
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t",
                        "content": [{"type": "text", "text": "abcd"}, IMAGE],
                    }
                ]
            ),
            None,
            None,
            1 + IMAGE_TOKENS,
        ),
        (user([{"type": "thinking", "thinking": "abcd", "signature": "s"}]), None, None, 1),
        (user([IMAGE, {"type": "text", "text": "ab"}]), None, None, IMAGE_TOKENS + 1),
        (
            user([{"type": "document", "source": {"type": "text", "data": "abcdefgh"}}]),
            None,
            None,
            2,
        ),
        (
            # 16 base64 characters decode to 12 bytes: 3 tokens
            user([{"type": "document", "source": {"type": "base64", "data": "A" * 16}}]),
            None,
            None,
            3,
        ),
        (user([{"type": "document", "source": {"type": "url", "url": "u"}}]), None, None, 1600),
        (user([{"type": "redacted_thinking", "data": "x" * 100}]), None, None, 0),
        # "hi" + "calc" + "adds" + '{"type": "object"}' = 2 + 4 + 4 + 18 chars
        (user("hi"), None, [TOOL], 7),
        (user("hi"), None, [{"type": "web_search_20250305", "name": "web_search"}], 3),
    ],
)
def test_estimate_tokens(messages: Any, system: Any, tools: Any, expected: int) -> None:
    assert estimate_tokens(messages, system, tools) == expected


def test_estimate_tokens_reads_response_models() -> None:
    content = [TextBlock(text="abcd"), ToolUseBlock(id="t", name="get", input={"a": 1})]
    as_dicts = [block.model_dump(mode="json") for block in content]
    turns = [*user("hi"), {"role": "assistant", "content": content}]
    expected = estimate_tokens([*user("hi"), {"role": "assistant", "content": as_dicts}])
    assert estimate_tokens(turns) == expected == 5  # 2 + 4 + 3 + 8 = 17 chars
    assert IMAGE_TOKENS == 1600
    assert len(base64.b64decode("A" * 16)) == 12


@given(n=st.integers(0, 30), limit=st.integers(1, 12))
def test_pages_walk_forward_and_back(n: int, limit: int) -> None:
    items = [{"id": f"x{i}"} for i in range(n)]
    forward = [page(items, f"limit={limit}")]
    while forward[-1]["has_more"]:
        forward.append(page(items, f"limit={limit}&after_id={forward[-1]['last_id']}"))
    assert [item for p in forward for item in p["data"]] == items
    assert all(len(p["data"]) == limit for p in forward[:-1])
    if n == 0:
        return
    # Back from the last item: every page ends where the previous one started.
    back = [page(items, f"limit={limit}&before_id=x{n - 1}")]
    while back[-1]["has_more"]:
        back.append(page(items, f"limit={limit}&before_id={back[-1]['first_id']}"))
    assert [item for p in reversed(back) for item in p["data"]] == items[:-1]


# --- over loopback ---------------------------------------------------------------------------


COUNT_BODIES = [
    {"messages": user("hello there")},
    {"messages": user("hello"), "system": "Be brief"},
    {"messages": user([IMAGE, {"type": "text", "text": "what is this?"}])},
    {"messages": user("use calc please"), "tools": [TOOL]},
    {
        "messages": [
            *user("go"),
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "calc", "input": {}}],
            },
            *user([{"type": "tool_result", "tool_use_id": "toolu_1", "content": "42"}]),
        ],
        "tools": [TOOL],
    },
    {"messages": user("think"), "thinking": {"type": "enabled", "budget_tokens": 1024}},
]


@pytest.mark.anyio
@pytest.mark.parametrize("extra", COUNT_BODIES)
async def test_count_tokens_agrees_with_estimate_and_messages(
    http_client: httpx.AsyncClient, extra: dict[str, Any]
) -> None:
    with anyio.fail_after(5):
        counted = await http_client.post(
            "/v1/messages/count_tokens", json={"model": "claude-fake", **extra}
        )
        created = await http_client.post(
            "/v1/messages", json={"model": "claude-fake", "max_tokens": 2000, **extra}
        )
    assert counted.status_code == 200, counted.text
    assert counted.headers["request-id"].startswith("req_fake_")
    assert "anthropic-ratelimit-requests-remaining" in counted.headers
    expected = estimate_tokens(extra["messages"], extra.get("system"), extra.get("tools"))
    assert counted.json() == {"input_tokens": expected}
    assert created.json()["usage"]["input_tokens"] == expected


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"messages": user("hi")}, "model: Field required"),
        ({"model": "m"}, "messages: Field required"),
        ({"model": "m", "messages": []}, "messages: at least one message is required"),
        (
            {"model": "m", "messages": [{"role": "robot", "content": "hi"}]},
            "messages.0.role: Input should be 'user' or 'assistant'",
        ),
        (
            {"model": "m", "messages": user("hi"), "tool_choice": {"type": "any"}},
            "tool_choice: tool_choice may only be specified while providing tools",
        ),
        ([1, 2], "There was an error parsing the body of your request: expected a JSON object"),
    ],
)
async def test_count_tokens_validation(
    http_client: httpx.AsyncClient, data: Any, message: str
) -> None:
    with anyio.fail_after(5):
        response = await http_client.post("/v1/messages/count_tokens", json=data)
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": message}


@pytest.mark.anyio
async def test_count_tokens_takes_faults_and_rate_limits() -> None:
    async with (
        FakeServer(rate_limits=RateLimits(requests=1, window=60)) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        server.enqueue(Fault(status=529))
        data = {"model": "m", "messages": user("hi")}
        with anyio.fail_after(5):
            first = await http_client.post("/v1/messages/count_tokens", json=data)
            second = await http_client.post("/v1/messages/count_tokens", json=data)
            third = await http_client.post("/v1/messages/count_tokens", json=data)
    assert first.status_code == 529
    assert first.json()["error"]["type"] == "overloaded_error"
    assert second.status_code == 200
    assert third.status_code == 429
    assert "retry-after" in third.headers


# --- models ----------------------------------------------------------------------------------


async def get_json(http_client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    with anyio.fail_after(5):
        response = await http_client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.anyio
async def test_models_default_page(http_client: httpx.AsyncClient) -> None:
    page = await get_json(http_client, "/v1/models")
    models = page["data"]
    assert len(models) == 20
    assert page["has_more"] is True
    assert (page["first_id"], page["last_id"]) == (models[0]["id"], models[-1]["id"])
    for model in models:
        assert set(model) >= {"type", "id", "display_name", "created_at", "max_tokens"}
        assert model["type"] == "model"
        assert model["id"].startswith("claude-fake-")
        assert model["created_at"].endswith("Z")
    stamps = [m["created_at"] for m in models]
    assert stamps == sorted(stamps, reverse=True)  # newest first


@pytest.mark.anyio
async def test_models_paginate_forward_then_back(http_client: httpx.AsyncClient) -> None:
    everything = (await get_json(http_client, "/v1/models", limit=1000))["data"]
    assert len(everything) == 25
    assert len({m["id"] for m in everything}) == 25

    pages = [await get_json(http_client, "/v1/models", limit=10)]
    while pages[-1]["has_more"]:
        pages.append(
            await get_json(http_client, "/v1/models", limit=10, after_id=pages[-1]["last_id"])
        )
    assert [len(p["data"]) for p in pages] == [10, 10, 5]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert [m for p in pages for m in p["data"]] == everything

    back = [await get_json(http_client, "/v1/models", limit=10, before_id=pages[-1]["first_id"])]
    while back[-1]["has_more"]:
        back.append(
            await get_json(http_client, "/v1/models", limit=10, before_id=back[-1]["first_id"])
        )
    assert [len(p["data"]) for p in back] == [10, 10]
    assert [p["has_more"] for p in back] == [True, False]
    assert back[0]["data"] == everything[10:20]
    assert back[1]["data"] == everything[:10]

    # Closest to the cursor: 3 before index 12 are 9, 10, 11.
    near = await get_json(http_client, "/v1/models", limit=3, before_id=everything[12]["id"])
    assert near["data"] == everything[9:12]
    assert near["has_more"] is True
    end = await get_json(http_client, "/v1/models", after_id=everything[-1]["id"])
    assert end == {"data": [], "has_more": False, "first_id": None, "last_id": None}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "limit: Input should be between 1 and 1000, got 0"),
        ({"limit": 1001}, "limit: Input should be between 1 and 1000, got 1001"),
        ({"limit": "ten"}, "limit: Input should be a valid integer, got 'ten'"),
        ({"after_id": "nope"}, "after_id: no object with id 'nope'"),
        ({"after_id": "a", "before_id": "b"}, "before_id and after_id cannot both be given"),
    ],
)
async def test_models_bad_queries(
    http_client: httpx.AsyncClient, params: dict[str, Any], message: str
) -> None:
    with anyio.fail_after(5):
        response = await http_client.get("/v1/models", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": message}


@pytest.mark.anyio
async def test_retrieve_model(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    first = (await get_json(http_client, "/v1/models", limit=1))["data"][0]
    assert await get_json(http_client, f"/v1/models/{first['id']}") == first
    with anyio.fail_after(5):
        missing = await http_client.get("/v1/models/claude-nope")
        wrong_method = await http_client.post(f"/v1/models/{first['id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found_error"
    assert wrong_method.status_code == 405
    assert [(r.method, r.path, r.query) for r in server.requests[:2]] == [
        ("GET", "/v1/models", "limit=1"),
        ("GET", f"/v1/models/{first['id']}", ""),
    ]


# --- auth on every new endpoint --------------------------------------------------------------

NEW_ENDPOINTS = [
    ("POST", "/v1/messages/count_tokens"),
    ("GET", "/v1/models"),
    ("GET", "/v1/models/claude-fake-opus-5-20250329"),
    ("POST", "/v1/messages/batches"),
    ("GET", "/v1/messages/batches"),
    ("GET", "/v1/messages/batches/msgbatch_fake_1"),
    ("DELETE", "/v1/messages/batches/msgbatch_fake_1"),
    ("POST", "/v1/messages/batches/msgbatch_fake_1/cancel"),
    ("GET", "/v1/messages/batches/msgbatch_fake_1/results"),
]


@pytest.mark.anyio
async def test_new_endpoints_check_key_and_version() -> None:
    async with (
        FakeServer(api_key="sk-right") as server,
        httpx.AsyncClient(base_url=server.url, timeout=5) as http_client,
    ):
        for method, path in NEW_ENDPOINTS:
            with anyio.fail_after(5):
                no_key = await http_client.request(method, path, headers=VERSION)
                wrong = await http_client.request(
                    method, path, headers={**VERSION, "x-api-key": "sk-wrong"}
                )
                no_version = await http_client.request(
                    method, path, headers={"x-api-key": "sk-right"}
                )
            assert no_key.status_code == 401, (method, path)
            assert no_key.json()["error"]["type"] == "authentication_error"
            assert wrong.status_code == 401, (method, path)
            assert no_version.status_code == 400, (method, path)
        assert len(server.requests) == 3 * len(NEW_ENDPOINTS)
