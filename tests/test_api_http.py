"""count_tokens, models, raw responses and rate limits against the fake server over loopback."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs

import anyio
import pytest

from aioanthropic import (
    AsyncClient,
    AsyncPaginator,
    BadRequestError,
    MessageTokensCount,
    ModelInfo,
    NotFoundError,
    Page,
    RateLimitError,
    RawResponse,
    estimate_tokens,
)
from aioanthropic.testing import FakeServer, RateLimits
from aioanthropic.types import MessageParam
from helpers import RecordedWaits

pytestmark = [pytest.mark.anyio, pytest.mark.http_backends]

HELLO: list[MessageParam] = [{"role": "user", "content": "Hello there, how many tokens is this?"}]
N_MODELS = 25  # the fake server's catalogue


def query(server: FakeServer, index: int = -1) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(server.requests[index].query).items()}


# --- count_tokens ----------------------------------------------------------------------------


async def test_count_tokens_request_and_result(server: FakeServer, client: AsyncClient) -> None:
    system = "Be brief."
    tools = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    with anyio.fail_after(10):
        count = await client.messages.count_tokens(
            model="claude-test",
            messages=HELLO,
            system=system,
            tools=tools,
            tool_choice={"type": "auto"},
            betas=["token-counting-2024-11-01"],
        )
    assert isinstance(count, MessageTokensCount)
    assert count.input_tokens == estimate_tokens(HELLO, system, tools)
    assert count.request_id is not None
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/messages/count_tokens")
    assert request.json == {
        "model": "claude-test",
        "messages": HELLO,
        "system": system,
        "tools": tools,
        "tool_choice": {"type": "auto"},
    }
    assert request.headers["x-api-key"] == "test-key"
    assert request.headers["anthropic-beta"] == "token-counting-2024-11-01"
    assert "max_tokens" not in request.json


async def test_count_tokens_rejects_unknown_arguments(client: AsyncClient) -> None:
    with pytest.raises(TypeError, match="max_tokens"):
        await client.messages.count_tokens(model="m", messages=HELLO, max_tokens=5)  # type: ignore[call-arg]


async def test_count_tokens_bad_request(client: AsyncClient) -> None:
    with anyio.fail_after(10), pytest.raises(BadRequestError):
        await client.messages.count_tokens(model="m", messages=[])


# --- models ----------------------------------------------------------------------------------


async def test_models_retrieve(server: FakeServer, client: AsyncClient) -> None:
    with anyio.fail_after(10):
        first = await client.models.list(limit=1)
        model = await client.models.retrieve(first.data[0].id)
    assert isinstance(model, ModelInfo)
    assert model.model_dump() == first.data[0].model_dump()
    assert isinstance(model.created_at, datetime)
    assert model.created_at.tzinfo is not None
    assert model.type == "model"
    assert model.display_name.startswith("Claude Fake")
    assert model.request_id is not None
    assert server.requests[-1].method == "GET"
    assert server.requests[-1].path == f"/v1/models/{model.id}"


async def test_models_retrieve_404_and_path_safety(server: FakeServer, client: AsyncClient) -> None:
    with anyio.fail_after(10), pytest.raises(NotFoundError):
        await client.models.retrieve("no-such-model")
    with anyio.fail_after(10), pytest.raises(NotFoundError):
        await client.models.retrieve("../messages")
    # The slash was escaped: the request stayed on /v1/models/{id}.
    assert server.requests[-1].path == "/v1/models/../messages"
    with pytest.raises(ValueError, match="non-empty"):
        await client.models.retrieve("")


async def test_models_list_iterates_every_page_lazily(
    server: FakeServer, client: AsyncClient
) -> None:
    paginator = client.models.list(limit=7)
    assert isinstance(paginator, AsyncPaginator)
    assert server.requests == []  # nothing is sent before iteration
    with anyio.fail_after(10):
        ids = [model.id async for model in paginator]
    assert len(ids) == N_MODELS == len(set(ids))
    assert len(server.requests) == 4  # 7 + 7 + 7 + 4
    assert query(server, 0) == {"limit": "7"}
    assert query(server, 1) == {"limit": "7", "after_id": ids[6]}
    assert query(server, 3) == {"limit": "7", "after_id": ids[20]}
    created = [m.created_at async for m in client.models.list(limit=10)]
    assert created == sorted(created, reverse=True)


async def test_models_list_backwards(server: FakeServer, client: AsyncClient) -> None:
    with anyio.fail_after(10):
        everything = [m.id async for m in client.models.list(limit=100)]
        start = len(server.requests)
        paginator = client.models.list(limit=5, before_id=everything[-1])
        pages = [page async for page in paginator.pages()]
    # Walking back from the oldest model: pages of 5 ending just before the cursor.
    assert [len(p.data) for p in pages] == [5, 5, 5, 5, 4]
    assert [m.id for m in pages[0].data] == everything[-6:-1]
    assert [m.id for m in pages[-1].data] == everything[:4]
    assert pages[-1].has_more is False
    assert query(server, start + 1) == {"limit": "5", "before_id": pages[0].first_id}
    assert sorted(m.id for p in pages for m in p.data) == sorted(everything[:-1])


async def test_models_first_page_and_next_page(client: AsyncClient) -> None:
    with anyio.fail_after(10):
        page = await client.models.list(limit=20)
        assert isinstance(page, Page)
        assert len(page.data) == 20
        assert page.has_more
        assert page.first_id == page.data[0].id
        assert page.last_id == page.data[-1].id
        assert page.request_id is not None
        second = await page.next_page()
        assert second is not None
        assert len(second.data) == N_MODELS - 20
        assert not second.has_more
        assert not second.has_next_page()
        assert await second.next_page() is None


async def test_breaking_out_of_a_list_fetches_no_more_pages(
    server: FakeServer, client: AsyncClient
) -> None:
    with anyio.fail_after(10):
        async for _ in client.models.list(limit=2):
            break
    assert len(server.requests) == 1


async def test_list_bad_limit_is_bad_request(client: AsyncClient) -> None:
    with anyio.fail_after(10), pytest.raises(BadRequestError):
        await client.models.list(limit=0)


# --- raw responses ---------------------------------------------------------------------------


async def test_raw_message_create(client: AsyncClient) -> None:
    with anyio.fail_after(10):
        raw = await client.messages.with_raw_response.create(
            model="claude-test", max_tokens=50, messages=HELLO
        )
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.request_id is not None
    assert raw.request_id.startswith("req_")
    assert raw.retries_taken == 0
    assert isinstance(raw.elapsed, timedelta)
    assert raw.elapsed > timedelta(0)
    assert raw.rate_limit.requests is not None
    assert raw.rate_limit.requests.limit is not None
    message = await raw.parse()
    assert message.content[0].text == "You said: Hello there, how many tokens is this?"  # type: ignore[union-attr]
    assert message.request_id == raw.request_id
    assert await raw.parse() is message  # parsed once


async def test_raw_create_refuses_to_stream(client: AsyncClient) -> None:
    with pytest.raises(TypeError, match="does not stream"):
        await client.messages.with_raw_response.create(  # type: ignore[call-arg]
            model="m", max_tokens=5, messages=HELLO, stream=True
        )


async def test_raw_count_tokens_models_and_list(server: FakeServer, client: AsyncClient) -> None:
    with anyio.fail_after(10):
        count = await client.messages.with_raw_response.count_tokens(model="m", messages=HELLO)
        assert (await count.parse()).input_tokens == estimate_tokens(HELLO)
        model = await client.models.with_raw_response.retrieve("claude-fake-opus-5-20250329")
        assert (await model.parse()).id == "claude-fake-opus-5-20250329"
        raw_page = await client.models.with_raw_response.list(limit=10)
        page = await raw_page.parse()
        assert len(page.data) == 10
        assert raw_page.request_id == page.request_id
        # A page parsed from a raw response still walks on.
        nxt = await page.next_page()
    assert nxt is not None
    assert nxt.first_id != page.first_id


async def test_raw_retries_taken(server: FakeServer) -> None:
    from aioanthropic.testing import Fault

    server.enqueue(Fault(status=529))
    with anyio.fail_after(10):
        async with AsyncClient(
            base_url=server.url, api_key="k", _sleep=RecordedWaits()
        ) as retrying:
            raw = await retrying.models.with_raw_response.retrieve("claude-fake-opus-5-20250329")
    assert raw.retries_taken == 1
    assert (await raw.parse()).retries_taken == 1


async def test_raw_errors_raise_as_usual(client: AsyncClient) -> None:
    with anyio.fail_after(10), pytest.raises(NotFoundError):
        await client.models.with_raw_response.retrieve("nope")


# --- rate limits -----------------------------------------------------------------------------


async def test_rate_limit_on_stream_and_error() -> None:
    async with FakeServer(rate_limits=RateLimits(requests=2, window=3600)) as server:
        async with AsyncClient(base_url=server.url, api_key="k", max_retries=0) as client:
            with anyio.fail_after(10):
                async with client.messages.stream(
                    model="m", max_tokens=20, messages=HELLO
                ) as stream:
                    await stream.get_final_message()
                info = stream.rate_limit
                assert info.requests is not None
                assert info.requests.limit == 2
                assert info.requests.remaining == 1
                assert info.requests.reset is not None
                assert info.requests.reset.tzinfo is not None
                await client.messages.create(model="m", max_tokens=20, messages=HELLO)
                with pytest.raises(RateLimitError) as caught:
                    await client.messages.count_tokens(model="m", messages=HELLO)
    error = caught.value
    assert error.rate_limit.requests is not None
    assert error.rate_limit.requests.remaining == 0
    assert error.rate_limit.retry_after is not None
    assert error.rate_limit.retry_after == error.retry_after
    assert error.rate_limit.tokens is not None
