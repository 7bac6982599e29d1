"""The simulated prompt cache: the counts a client's cost metering must add up, over HTTP.

The figures are predictable (``aioanthropic.testing._cache``): a prefix costs the offline
estimate of the request cut after its block, and every request's counts add up to what
count_tokens says: ``input_tokens + cache_read + cache_creation == count``.
"""

from __future__ import annotations

from typing import Any, Literal

import anthropic
import pytest

from aioanthropic import AsyncClient
from aioanthropic.testing import FakeServer
from aioanthropic.testing._cache import (
    MIN_CACHEABLE_TOKENS,
    TTL_SECONDS,
    CacheUse,
    Prefix,
    PromptCache,
    prefixes,
)
from aioanthropic.types import (
    CacheControlParam,
    MessageDeltaEvent,
    MessageParam,
    MessageStartEvent,
    TextBlockParam,
)

pytestmark = pytest.mark.anyio

BOOK = "It was the best of times, it was the worst of times. " * 100  # ~1350 tokens
EPHEMERAL: CacheControlParam = {"type": "ephemeral"}


def system(ttl: Literal["5m", "1h"] | None = None) -> list[TextBlockParam]:
    control: CacheControlParam = EPHEMERAL if ttl is None else {**EPHEMERAL, "ttl": ttl}
    return [{"type": "text", "text": BOOK, "cache_control": control}]


async def total(client: AsyncClient, **params: Any) -> int:
    counted = await client.messages.count_tokens(model="m", **params)
    return counted.input_tokens


async def test_write_then_read(client: AsyncClient) -> None:
    params: dict[str, Any] = {
        "system": system(),
        "messages": [{"role": "user", "content": "Summarise."}],
    }
    count = await total(client, **params)
    prefix = count - len("Summarise.") // 4 - 1  # the cut ends before the message
    first = (await client.messages.create(model="m", max_tokens=20, **params)).usage
    assert first.cache_creation_input_tokens == prefix >= MIN_CACHEABLE_TOKENS
    assert first.cache_creation is not None
    assert first.cache_creation.ephemeral_5m_input_tokens == prefix
    assert first.cache_creation.ephemeral_1h_input_tokens == 0
    assert first.cache_read_input_tokens == 0
    assert first.input_tokens == count - prefix
    second = (await client.messages.create(model="m", max_tokens=20, **params)).usage
    assert second.cache_read_input_tokens == prefix
    assert second.cache_creation_input_tokens == 0
    assert second.input_tokens == count - prefix
    # Another model is another cache.
    other = (await client.messages.create(model="other", max_tokens=20, **params)).usage
    assert other.cache_read_input_tokens == 0


async def test_streamed_usage_carries_the_cache_counts(client: AsyncClient) -> None:
    params: dict[str, Any] = {
        "model": "m",
        "max_tokens": 20,
        "system": system("1h"),
        "messages": [{"role": "user", "content": "Hi"}],
    }
    whole = (await client.messages.create(**params)).usage
    async with client.messages.stream(**params) as stream:
        events = [event async for event in stream]
        streamed = (await stream.get_final_message()).usage
    assert whole.cache_creation is not None
    assert whole.cache_creation.ephemeral_1h_input_tokens == whole.cache_creation_input_tokens > 0
    # The second request (the stream) reads what the first wrote, in message_start and in the
    # final message_delta alike.
    start_event = next(e for e in events if e.type == "message_start")
    delta_event = next(e for e in events if e.type == "message_delta")
    assert isinstance(start_event, MessageStartEvent)
    assert isinstance(delta_event, MessageDeltaEvent)
    start = start_event.message.usage
    delta = delta_event.usage
    for usage in (start, delta, streamed):
        assert usage.cache_read_input_tokens == whole.cache_creation_input_tokens
        assert usage.input_tokens == whole.input_tokens


async def test_a_conversation_reads_the_previous_turn(client: AsyncClient) -> None:
    def turn(messages: list[MessageParam]) -> list[MessageParam]:
        # The usual pattern: one breakpoint, moved to the last user message each turn.
        *head, last = messages
        assert isinstance(last["content"], str)
        block: TextBlockParam = {
            "type": "text",
            "text": last["content"],
            "cache_control": EPHEMERAL,
        }
        return [*head, {"role": "user", "content": [block]}]

    history: list[MessageParam] = [{"role": "user", "content": BOOK}]
    first = (await client.messages.create(model="m", max_tokens=5, messages=turn(history))).usage
    history += [{"role": "assistant", "content": "Dickens."}, {"role": "user", "content": "Who?"}]
    second = (await client.messages.create(model="m", max_tokens=5, messages=turn(history))).usage
    assert first.cache_creation_input_tokens is not None
    assert second.cache_read_input_tokens is not None
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens > 0
    count = await total(client, messages=turn(history))
    assert second.cache_creation_input_tokens == count - second.cache_read_input_tokens
    assert second.input_tokens == 0  # everything up to the breakpoint was read or written


async def test_short_prefixes_are_not_cached(client: AsyncClient) -> None:
    short: list[TextBlockParam] = [
        {"type": "text", "text": "Be brief.", "cache_control": EPHEMERAL}
    ]
    for _ in range(2):
        usage = (
            await client.messages.create(
                model="m", max_tokens=5, system=short, messages=[{"role": "user", "content": "x"}]
            )
        ).usage
        assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)


async def test_the_official_sdk_sees_the_same_counts(server: FakeServer) -> None:
    async with anthropic.AsyncAnthropic(base_url=server.url, api_key="k") as sdk:
        params: dict[str, Any] = {
            "model": "m",
            "max_tokens": 5,
            "system": system(),
            "messages": [{"role": "user", "content": "x"}],
        }
        first = (await sdk.messages.create(**params)).usage
        async with sdk.messages.stream(**params) as stream:
            second = (await stream.get_final_message()).usage
    assert first.cache_creation is not None
    assert first.cache_creation.ephemeral_5m_input_tokens == first.cache_creation_input_tokens
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens


def test_expiry_and_refresh() -> None:
    cache = PromptCache()
    prefix = Prefix("k", 2000, "5m")
    assert cache.use([prefix], prefix, now=0) == CacheUse(created_5m=2000)
    assert cache.use([prefix], prefix, now=299) == CacheUse(read=2000)  # refreshed to 599
    assert cache.use([prefix], prefix, now=598) == CacheUse(read=2000)
    assert cache.use([prefix], prefix, now=598 + TTL_SECONDS["5m"]) == CacheUse(created_5m=2000)


def test_prefixes_follow_prompt_order() -> None:
    tool = {"name": "t", "input_schema": {"type": "object"}, "description": BOOK}
    body = {
        "model": "m",
        "tools": [{**tool, "cache_control": EPHEMERAL}],
        "system": system(),
        "messages": [{"role": "user", "content": "x"}],
    }
    candidates, last = prefixes(body)
    assert last is not None
    assert last == max(candidates, key=lambda p: p.tokens)
    tokens = [p.tokens for p in candidates]
    assert tokens == sorted(tokens)
    assert len(set(tokens)) == len(tokens)
