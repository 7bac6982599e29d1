"""Conversation: history, prefill, overrides, shape checks, the context budget, streaming and
persistence, against the fake server over loopback HTTP (asyncio and trio); the pure history
rules table-tested."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from aioanthropic import AsyncClient, BadRequestError, Conversation, ConversationError
from aioanthropic._conversation import check_history, first_exchange_end, merge_turns
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import MessageParam, TextBlock, ToolParam, ToolUseBlock

pytestmark = pytest.mark.anyio

WEATHER: ToolParam = {
    "name": "get_weather",
    "description": "The weather in a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def text(message: Any) -> str:
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


def sent(server: FakeServer) -> list[dict[str, Any]]:
    """The JSON bodies of the POST /v1/messages requests the server received."""
    return [r.json for r in server.requests if r.path == "/v1/messages"]


async def test_send_appends_both_turns_and_sends_the_history() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="claude-test", max_tokens=100)
        first = await conv.send("What is calculus?")
        assert text(first) == "You said: What is calculus?"
        second = await conv.send("Give me an example")
    assert text(second) == "You said: Give me an example"
    assert conv.messages == [
        {"role": "user", "content": "What is calculus?"},
        {"role": "assistant", "content": [{"type": "text", "text": text(first)}]},
        {"role": "user", "content": "Give me an example"},
        {"role": "assistant", "content": [{"type": "text", "text": text(second)}]},
    ]
    bodies = sent(server)
    assert [len(b["messages"]) for b in bodies] == [1, 3]
    assert bodies[1]["messages"] == conv.messages[:3]
    assert bodies[1]["model"] == "claude-test"
    assert bodies[1]["max_tokens"] == 100


async def test_system_is_settable_between_calls() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50, system="You are a math tutor.")
        reply = await conv.send("Hi")
        assert text(reply) == "(You are a math tutor.) You said: Hi"
        conv.system = "Be brief."
        reply = await conv.send("Again")
    assert text(reply) == "(Be brief.) You said: Again"
    assert [b["system"] for b in sent(server)] == ["You are a math tutor.", "Be brief."]


async def test_prefill_and_continuation_are_one_assistant_turn() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50)
        reply = await conv.send("Name a color", prefill="You said:")
    body = sent(server)[0]
    assert body["messages"][-1] == {"role": "assistant", "content": "You said:"}
    assert text(reply) == "You said: Name a color"
    assert conv.messages[-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "You said: Name a color"}],
    }
    assert len(conv.messages) == 2


async def test_a_prefill_ending_in_whitespace_is_refused_before_sending() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50)
        with pytest.raises(ValueError, match="whitespace"):
            await conv.send("Hi", prefill="Sure, ")
    assert sent(server) == []
    assert conv.messages == []


async def test_overrides_apply_to_one_call_only() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50, temperature=0.7)
        await conv.send("one", temperature=0.1, max_tokens=5)
        await conv.send("two")
    first, second = sent(server)
    assert (first["temperature"], first["max_tokens"]) == (0.1, 5)
    assert (second["temperature"], second["max_tokens"]) == (0.7, 50)


async def test_a_failed_call_leaves_the_history_as_it_was() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50, context_budget=10_000)
        await conv.send("Hello")
        before = json.loads(conv.to_json())
        server.enqueue(Fault(status=400))
        with pytest.raises(BadRequestError):
            await conv.send("This one fails")
    assert json.loads(conv.to_json()) == before


async def test_a_cancelled_call_leaves_the_history_as_it_was() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50)
        await conv.send("Hello")
        before = list(conv.messages)
        server.enqueue(Fault(delay=30))
        with anyio.move_on_after(0.5) as scope:
            await conv.send("Never answered")
        assert scope.cancelled_caught
        assert conv.messages == before
        # The conversation is usable again at once.
        reply = await conv.send("Next")
    assert text(reply) == "You said: Next"


async def test_tool_use_then_tool_result_by_hand() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=100)
        asked = await conv.send("Call get_weather for Paris", tools=[WEATHER])
        assert asked.stop_reason == "tool_use"
        tool_use = next(b for b in asked.content if isinstance(b, ToolUseBlock))
        # A plain text answer would leave the tool_use unanswered: refused before sending.
        with pytest.raises(ConversationError, match=f"does not answer tool_use {tool_use.id}"):
            await conv.send("never mind")
        result = {"type": "tool_result", "tool_use_id": tool_use.id, "content": "sunny, 21 C"}
        answer = await conv.send([result], tools=[WEATHER])
    assert text(answer) == "The tool returned: sunny, 21 C"
    assert [m["role"] for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    assert len(sent(server)) == 2


async def test_the_context_budget_drops_the_oldest_exchanges_and_reports_them() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50, context_budget=30)
        for word in ("alpha " * 10, "beta " * 10, "gamma " * 10):
            await conv.send(word.strip())
    bodies = sent(server)
    # Each exchange is ~25 tokens: the third call could keep only its own user turn.
    assert bodies[2]["messages"] == [{"role": "user", "content": ("gamma " * 10).strip()}]
    assert [m["role"] for m in conv.dropped] == ["user", "assistant", "user", "assistant"]
    assert conv.dropped[0]["content"] == ("alpha " * 10).strip()
    assert conv.messages[0]["content"] == ("gamma " * 10).strip()


async def test_the_latest_user_turn_is_never_dropped() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50, context_budget=1)
        await conv.send("far too long for a budget of one token")
    assert sent(server)[0]["messages"] == [
        {"role": "user", "content": "far too long for a budget of one token"}
    ]
    assert conv.dropped == []


async def test_count_api_measures_with_count_tokens() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50, context_budget=30, count="api")
        for word in ("alpha " * 10, "beta " * 10):
            await conv.send(word.strip())
    paths = [r.path for r in server.requests]
    assert paths.count("/v1/messages/count_tokens") >= 2
    assert sent(server)[1]["messages"] == [{"role": "user", "content": ("beta " * 10).strip()}]
    assert len(conv.dropped) == 2


async def read_then_fail(conv: Conversation) -> None:
    async with conv.stream("Fails in the block") as stream:
        await stream.get_final_message()
        raise RuntimeError("boom")


async def test_stream_appends_on_success_only() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50)
        async with conv.stream("Give me an example") as stream:
            pieces = [piece async for piece in stream.text_stream]
        assert "".join(pieces) == "You said: Give me an example"
        assert conv.messages[-1]["content"] == [{"type": "text", "text": "".join(pieces)}]
        before = list(conv.messages)
        async with conv.stream("Abandoned") as stream:
            async for _ in stream:
                break
        assert conv.messages == before
        with pytest.raises(RuntimeError, match="boom"):
            await read_then_fail(conv)
    assert conv.messages == before
    assert len(sent(server)) == 3


async def test_one_call_at_a_time() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50)
        server.enqueue(Fault(delay=0.5))
        errors: list[Exception] = []

        async def second() -> None:
            try:
                await conv.send("second")
            except ConversationError as error:
                errors.append(error)

        async with anyio.create_task_group() as group:
            group.start_soon(conv.send, "first")
            await anyio.sleep(0.1)
            group.start_soon(second)
    assert len(errors) == 1
    assert "one call at a time" in str(errors[0])
    assert len(conv.messages) == 2


async def test_to_json_and_from_json_round_trip() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        conv = Conversation(client, model="m", max_tokens=50, system="Be brief.", temperature=0.3)
        await conv.send("Hello")
        saved = conv.to_json()
        assert "k" not in json.loads(saved).get("defaults", {})  # no credentials in it
        restored = Conversation.from_json(client, saved)
        assert restored.messages == conv.messages
        assert (restored.model, restored.max_tokens, restored.system) == ("m", 50, "Be brief.")
        reply = await restored.send("Again")
    assert text(reply) == "(Be brief.) You said: Again"
    assert sent(server)[-1]["temperature"] == 0.3
    assert len(sent(server)[-1]["messages"]) == 3


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("not json", "invalid JSON"),
        ('{"model": "m"}', "format"),
        ('{"format": "aioanthropic.Conversation/1", "max_tokens": 5}', "lacks 'model'"),
        (
            '{"format": "aioanthropic.Conversation/1", "model": "m", "max_tokens": "lots"}',
            "max_tokens must be a positive int",
        ),
        (
            '{"format": "aioanthropic.Conversation/1", "model": "m", "max_tokens": 5,'
            ' "messages": [{"role": "assistant", "content": "hi"}]}',
            "starts with a user turn",
        ),
    ],
)
def test_from_json_refuses_what_to_json_did_not_write(data: str, match: str) -> None:
    client = AsyncClient(api_key="k")
    with pytest.raises(ConversationError, match=match):
        Conversation.from_json(client, data)


def test_the_seed_documents_bug_max_tokens_given_the_prompt_is_a_clear_error() -> None:
    client = AsyncClient(api_key="k")
    with pytest.raises(TypeError, match="max_tokens must be a positive int"):
        Conversation(client, model="m", max_tokens="What is calculus?")  # type: ignore[arg-type]


def test_unknown_keywords_are_refused_and_tools_accepted() -> None:
    client = AsyncClient(api_key="k")
    with pytest.raises(TypeError, match="tempreature"):
        Conversation(client, model="m", max_tokens=5, tempreature=0.5)
    # tools= runs the tool runner in send (tests/test_conversation_tools.py)
    conv = Conversation(client, model="m", max_tokens=5, tools=[WEATHER])
    assert conv.defaults["tools"] == [WEATHER]


# --- the pure history rules -----------------------------------------------------------------

USE: MessageParam = {
    "role": "assistant",
    "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
}
RESULT: MessageParam = {
    "role": "user",
    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}],
}


def user(content: str) -> MessageParam:
    return {"role": "user", "content": content}


def assistant(content: str) -> MessageParam:
    return {"role": "assistant", "content": content}


@pytest.mark.parametrize(
    ("turns", "match"),
    [
        ([], "no user turn"),
        ([assistant("hi"), user("q")], "starts with a user turn"),
        ([user("q"), USE, user("plain")], "does not answer tool_use t1 of turn 1"),
        ([user("q"), assistant("a"), RESULT], "tool_result for t1, which turn 1 did not ask"),
        ([user("q"), assistant("a")], "nothing to answer"),
        ([user("q"), {"role": "system", "content": "x"}, user("r")], "role 'system'"),
    ],
)
def test_check_history_says_what_is_wrong(turns: list[MessageParam], match: str) -> None:
    with pytest.raises(ConversationError, match=match):
        check_history(merge_turns(turns))


def test_check_history_accepts_answered_tools() -> None:
    check_history([user("q"), USE, RESULT, assistant("done"), user("next")])


def test_merging_joins_consecutive_turns_of_one_role() -> None:
    merged = merge_turns([user("a"), user("b"), assistant("c")])
    assert merged == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        assistant("c"),
    ]


@pytest.mark.parametrize(
    ("turns", "end"),
    [
        ([user("q")], None),
        ([user("q"), assistant("a"), user("r")], 2),
        # The exchange goes on while the reply asked for a tool: never part use and result.
        ([user("q"), USE, RESULT, assistant("a"), user("r")], 4),
        ([user("q"), USE, RESULT], None),
    ],
)
def test_the_oldest_exchange_ends_after_a_reply_that_asked_for_no_tool(
    turns: list[MessageParam], end: int | None
) -> None:
    assert first_exchange_end(turns) == end
