"""Conversation(tools=[...]): send runs the tool runner and appends the whole exchange, or
nothing when a request of the loop fails or the call is cancelled; against the fake server
playing scripted turns over loopback HTTP, on asyncio and trio."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from aioanthropic import (
    AsyncClient,
    BadRequestError,
    Conversation,
    ConversationError,
    InternalServerError,
    tool,
)
from aioanthropic._conversation import check_history
from aioanthropic.testing import FakeServer, Fault, ToolCall, Turn
from aioanthropic.types import TextBlock

pytestmark = pytest.mark.anyio

MODEL = "claude-test"
CALLS: list[str] = []


@tool
async def get_weather(city: str) -> str:
    """Current weather for a city.

    Args:
        city: City name.
    """
    CALLS.append(city)
    if city == "Atlantis":
        raise KeyError(city)
    return f"18 C in {city}"


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    CALLS.clear()


def text(message: Any) -> str:
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


def bodies(server: FakeServer) -> list[dict[str, Any]]:
    """The JSON bodies of the POST /v1/messages requests the server received."""
    return [r.json for r in server.requests if r.path == "/v1/messages"]


def paris(id: str = "toolu_paris") -> Turn:
    return Turn(text="Let me look.", tool_calls=[ToolCall("get_weather", {"city": "Paris"}, id=id)])


async def test_send_appends_the_whole_exchange_in_order(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris(), Turn(text="Sunny, 18 C."))
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    reply = await conv.send("Weather in Paris?")
    assert text(reply) == "Sunny, 18 C."
    assert reply.stop_reason == "end_turn"
    assert CALLS == ["Paris"]
    sent = bodies(server)
    assert len(sent) == 2
    assert conv.messages == [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me look."},
                {
                    "type": "tool_use",
                    "id": "toolu_paris",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_paris", "content": "18 C in Paris"}
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Sunny, 18 C."}]},
    ]
    # The tool results are the ones the runner sent, and each request carried the tool.
    assert sent[1]["messages"] == conv.messages[:3]
    assert [b["tools"] for b in sent] == [[get_weather.to_param()]] * 2
    # The next call sends the whole exchange before its new turn, and runs no tool.
    await conv.send("Thanks")
    assert bodies(server)[2]["messages"][:4] == conv.messages[:4]
    assert len(conv.messages) == 6
    assert CALLS == ["Paris"]


async def test_several_iterations_and_an_error_result_are_kept_as_the_runner_built_them(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(
        Turn(
            tool_calls=[
                ToolCall("get_weather", {"city": "Paris"}, id="t1"),
                ToolCall("get_weather", {"city": "Atlantis"}, id="t2"),
            ]
        ),
        Turn(tool_calls=[ToolCall("get_weather", {"city": "Oslo"}, id="t3")]),
        Turn(text="Done."),
    )
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    reply = await conv.send("Paris, Atlantis, then Oslo")
    assert text(reply) == "Done."
    assert [m["role"] for m in conv.messages] == ["user", "assistant"] * 3
    first_results: list[Any] = list(conv.messages[2]["content"])
    assert [r["tool_use_id"] for r in first_results] == ["t1", "t2"]
    assert first_results[1]["is_error"] is True
    assert "KeyError" in first_results[1]["content"]
    # Each results turn is exactly what went over the wire for the request after it.
    sent = bodies(server)
    assert sent[1]["messages"][-1] == conv.messages[2]
    assert sent[2]["messages"][-1] == conv.messages[4]
    check_history(conv.messages, complete=False)


async def test_tools_given_to_send_apply_to_that_call_only(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris(), Turn(text="Sunny."))
    conv = Conversation(client, model=MODEL, max_tokens=200)
    reply = await conv.send("Weather in Paris?", tools=[get_weather])
    assert text(reply) == "Sunny."
    assert len(conv.messages) == 4
    await conv.send("And now?")
    sent = bodies(server)
    assert "tools" not in sent[2]
    assert len(sent) == 3


async def test_plain_tool_params_are_only_sent_not_run(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris())
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather.to_param()])
    asked = await conv.send("Weather in Paris?")
    assert asked.stop_reason == "tool_use"
    assert CALLS == []
    assert len(bodies(server)) == 1
    assert len(conv.messages) == 2


async def test_a_failure_mid_loop_leaves_the_history_unchanged(
    client: AsyncClient, server: FakeServer
) -> None:
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    await conv.send("Hello")
    before = json.loads(conv.to_json())
    server.script(paris(), Turn(text="Never seen."))
    server.enqueue(Fault(), Fault(status=400))  # the first request is fine, the second fails
    with pytest.raises(BadRequestError):
        await conv.send("Weather in Paris?")
    assert CALLS == ["Paris"]  # the tool did run: its result is not kept either
    assert json.loads(conv.to_json()) == before
    # Usable again at once; the scripted final turn was left for the next request.
    server.script(Turn(text="Sunny."))
    reply = await conv.send("Try again")
    assert text(reply) == "Never seen."
    assert len(conv.messages) == len(before["messages"]) + 2


async def test_a_failed_first_request_leaves_the_history_unchanged(
    client: AsyncClient, server: FakeServer
) -> None:
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    server.enqueue(Fault(status=500, should_retry=False))
    with pytest.raises(InternalServerError):
        await conv.send("Weather in Paris?")
    assert conv.messages == []
    assert CALLS == []


async def test_a_tool_error_raised_by_the_runner_leaves_the_history_unchanged(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(Turn(tool_calls=[ToolCall("get_weather", {"city": "Atlantis"})]))
    conv = Conversation(
        client, model=MODEL, max_tokens=200, tools=[get_weather], raise_on_tool_error=True
    )
    with pytest.raises(KeyError):
        await conv.send("Weather in Atlantis?")
    assert conv.messages == []
    assert len(bodies(server)) == 1


async def test_cancelling_while_a_tool_runs_leaves_the_history_unchanged(
    client: AsyncClient, server: FakeServer
) -> None:
    started = anyio.Event()

    @tool
    async def slow_lookup(city: str) -> str:
        """Looks forever."""
        started.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[slow_lookup])
    await conv.send("Hello", tools=[])  # an exchange without tools, to have history to keep
    before = list(conv.messages)
    server.script(Turn(tool_calls=[ToolCall("slow_lookup", {"city": "Paris"})]))
    async with anyio.create_task_group() as group:
        group.start_soon(conv.send, "Weather in Paris?")
        await started.wait()
        group.cancel_scope.cancel()
    assert conv.messages == before
    # The conversation is usable again at once.
    reply = await conv.send("Next", tools=[])
    assert text(reply) == "You said: Next"


async def test_cancelling_during_the_second_request_leaves_the_history_unchanged(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris())
    server.enqueue(Fault(), Fault(delay=30))
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    with anyio.move_on_after(1) as scope:
        await conv.send("Weather in Paris?")
    assert scope.cancelled_caught
    assert CALLS == ["Paris"]
    assert conv.messages == []


async def test_the_context_budget_drops_a_tool_exchange_whole(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris(), Turn(text="Sunny."))
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    await conv.send("Weather in Paris?")
    exchange = list(conv.messages)
    assert len(exchange) == 4
    await conv.send("word " * 40)
    conv.context_budget = 10  # now only the latest user turn fits
    await conv.send("What now?", tools=[])
    # The tool exchange went as a whole, tool_use and tool_result together.
    assert conv.dropped[:4] == exchange
    sent = bodies(server)[-1]["messages"]
    assert sent == [{"role": "user", "content": "What now?"}]
    check_history(conv.messages, complete=False)


async def test_the_budget_keeps_a_tool_use_with_its_result_when_some_history_fits(
    client: AsyncClient, server: FakeServer
) -> None:
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    await conv.send("word " * 60, tools=[])  # a big first exchange
    big = list(conv.messages)
    server.script(paris(), Turn(text="Sunny."))
    await conv.send("Weather in Paris?")
    tool_exchange = conv.messages[2:]
    assert [m["role"] for m in tool_exchange] == ["user", "assistant", "user", "assistant"]
    conv.context_budget = 150  # the big exchange must go; the tool exchange fits
    await conv.send("Thanks", tools=[])
    sent = bodies(server)[-1]["messages"]
    assert sent[:4] == tool_exchange
    assert conv.dropped == big


async def test_count_api_measures_the_history_with_the_tools(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris(), Turn(text="Sunny."))
    conv = Conversation(
        client, model=MODEL, max_tokens=200, tools=[get_weather], context_budget=5000, count="api"
    )
    await conv.send("Weather in Paris?")
    counted = [r.json for r in server.requests if r.path == "/v1/messages/count_tokens"]
    assert counted[0]["tools"] == [get_weather.to_param()]
    assert counted[0]["messages"] == [{"role": "user", "content": "Weather in Paris?"}]
    assert len(conv.messages) == 4
    assert conv.dropped == []


async def test_stream_refuses_a_tool_loop_before_sending(
    client: AsyncClient, server: FakeServer
) -> None:
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    with pytest.raises(TypeError, match=r"Use `await conv.send\(...\)`"):
        async with conv.stream("Weather in Paris?"):
            raise AssertionError("unreachable")
    assert bodies(server) == []
    assert conv.messages == []
    # Without functions to run (tools=[] for this call) it streams as usual.
    async with conv.stream("Hello", tools=[]) as stream:
        async for _ in stream.text_stream:
            pass
    assert len(conv.messages) == 2


async def test_prefill_and_the_first_reply_are_one_assistant_turn(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris(), Turn(text="Sunny."))
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather])
    reply = await conv.send("Weather in Paris?", prefill="Sure.")
    assert text(reply) == "Sunny."
    sent = bodies(server)
    assert sent[0]["messages"][-1] == {"role": "assistant", "content": "Sure."}
    assert conv.messages[1]["content"][0] == {  # type: ignore[index]
        "type": "text",
        "text": "Sure.Let me look.",
    }
    assert [m["role"] for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    check_history(conv.messages, complete=False)


async def test_a_loop_cut_by_max_iterations_must_be_answered_next(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(paris())
    conv = Conversation(client, model=MODEL, max_tokens=200, tools=[get_weather], max_iterations=1)
    reply = await conv.send("Weather in Paris?")
    assert reply.stop_reason == "tool_use"
    assert CALLS == []  # at the limit the runner does not run the last turn's tools
    assert len(conv.messages) == 2
    with pytest.raises(ConversationError, match="does not answer tool_use toolu_paris"):
        await conv.send("never mind")
    result = {"type": "tool_result", "tool_use_id": "toolu_paris", "content": "18 C"}
    answer = await conv.send([result])
    assert text(answer) == "The tool returned: 18 C"


async def test_to_json_saves_tool_params_and_from_json_reattaches_functions(
    client: AsyncClient, server: FakeServer
) -> None:
    conv = Conversation(
        client, model=MODEL, max_tokens=200, tools=[get_weather], max_iterations=3, tool_timeout=5
    )
    saved = conv.to_json()
    data = json.loads(saved)
    assert data["defaults"]["tools"] == [get_weather.to_param()]
    assert (data["max_iterations"], data["tool_timeout"]) == (3, 5)
    plain = Conversation.from_json(client, saved)
    assert plain.defaults["tools"] == [get_weather.to_param()]
    again = Conversation.from_json(client, saved, tools=[get_weather])
    assert (again.max_iterations, again.tool_timeout) == (3, 5)
    server.script(paris(), Turn(text="Sunny."))
    reply = await again.send("Weather in Paris?")
    assert text(reply) == "Sunny."
    assert CALLS == ["Paris"]


def test_runner_limits_are_checked_when_the_conversation_is_made() -> None:
    client = AsyncClient(api_key="k")
    with pytest.raises(ValueError, match="max_iterations"):
        Conversation(client, model="m", max_tokens=5, max_iterations=0)
    with pytest.raises(ValueError, match="max_concurrency"):
        Conversation(client, model="m", max_tokens=5, max_concurrency=0)
    with pytest.raises(ValueError, match="tool_timeout"):
        Conversation(client, model="m", max_tokens=5, tool_timeout=-1)
