"""The tool runner against the fake server over loopback HTTP, on asyncio and trio.

The default fake model calls the first tool whose name is a word of the user's text, with
every string parameter set to the text's last word, and answers a tool result with
"The tool returned: <result>" (rules in ``aioanthropic.testing._responder``).
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import anyio.lowlevel
import pytest
from pydantic import Field

from aioanthropic import AsyncClient, Message, MessageStream, tool
from aioanthropic.testing import FakeServer, ToolCall, Turn
from aioanthropic.types import ContentBlockDeltaEvent, TextDelta, ToolUseBlock

pytestmark = pytest.mark.anyio

MODEL = "claude-test"


def ask(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


@tool
async def get_weather(city: str) -> str:
    """Current weather for a city.

    Args:
        city: City name.
    """
    return f"18C and cloudy in {city}"


def tool_results(server: FakeServer, index: int = -1) -> list[dict[str, Any]]:
    content = server.requests[index].json["messages"][-1]["content"]
    return [block for block in content if block["type"] == "tool_result"]


async def test_the_loop_runs_the_tool_and_returns_the_final_answer(
    client: AsyncClient, server: FakeServer
) -> None:
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ask("get_weather in Paris")
    )
    seen = [message async for message in runner]
    assert [m.stop_reason for m in seen] == ["tool_use", "end_turn"]
    call = next(b for b in seen[0].content if isinstance(b, ToolUseBlock))
    assert call.input == {"city": "Paris"}
    assert seen[1].content[0].text == "The tool returned: 18C and cloudy in Paris"  # type: ignore[union-attr]
    # What went over the wire: the tool as its param, then the result in one user turn.
    first = server.requests[0].json
    assert first["tools"] == [get_weather.to_param()]
    assert tool_results(server) == [
        {"type": "tool_result", "tool_use_id": call.id, "content": "18C and cloudy in Paris"}
    ]
    assert [m["role"] for m in runner.messages] == ["user", "assistant", "user", "assistant"]
    assert len(server.requests) == 2


async def test_until_done_returns_the_last_message(client: AsyncClient) -> None:
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ask("get_weather for Oslo")
    )
    final = await runner.until_done()
    assert final.stop_reason == "end_turn"
    assert final.content[0].text == "The tool returned: 18C and cloudy in Oslo"  # type: ignore[union-attr]
    assert runner.last_message is final


async def test_sync_tools_work_in_the_loop(client: AsyncClient) -> None:
    @tool
    def lookup(term: str) -> dict[str, str]:
        return {"term": term, "meaning": "a small word"}

    final = await client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[lookup], messages=ask("lookup word")
    ).until_done()
    assert final.content[0].text == 'The tool returned: {"term":"word","meaning":"a small word"}'  # type: ignore[union-attr]


async def test_a_raising_tool_becomes_an_error_result(
    client: AsyncClient, server: FakeServer
) -> None:
    @tool
    async def flaky(city: str) -> str:
        raise RuntimeError(f"station in {city} is offline")

    final = await client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[flaky], messages=ask("flaky Lima")
    ).until_done()
    [result] = tool_results(server)
    assert result["is_error"] is True
    assert result["content"] == "RuntimeError: station in Lima is offline"
    assert final.content[0].text == "The tool returned: RuntimeError: station in Lima is offline"  # type: ignore[union-attr]


async def test_raise_on_tool_error_raises_the_tools_exception(
    client: AsyncClient, server: FakeServer
) -> None:
    class StationDown(Exception):
        pass

    @tool
    async def flaky(city: str) -> str:
        raise StationDown(city)

    runner = client.messages.tool_runner(
        model=MODEL,
        max_tokens=200,
        tools=[flaky],
        messages=ask("flaky Lima"),
        raise_on_tool_error=True,
    )
    with pytest.raises(StationDown, match="Lima"):
        await runner.until_done()
    assert len(server.requests) == 1  # nothing was sent after the failure


async def test_a_tool_past_tool_timeout_becomes_an_error_result(
    client: AsyncClient, server: FakeServer
) -> None:
    cancelled = anyio.Event()

    @tool
    async def slow(city: str) -> str:
        try:
            await anyio.sleep_forever()
        finally:
            cancelled.set()
        return "never"

    await client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[slow], messages=ask("slow Rome"), tool_timeout=0.05
    ).until_done()
    [result] = tool_results(server)
    assert result["is_error"] is True
    assert result["content"] == "TimeoutError: tool 'slow' did not finish within tool_timeout=0.05s"
    assert cancelled.is_set()


async def test_tool_timeout_with_raise_on_tool_error_raises_timeout_error(
    client: AsyncClient,
) -> None:
    @tool
    async def slow(city: str) -> str:
        await anyio.sleep_forever()
        return "never"

    runner = client.messages.tool_runner(
        model=MODEL,
        max_tokens=200,
        tools=[slow],
        messages=ask("slow Rome"),
        tool_timeout=0.05,
        raise_on_tool_error=True,
    )
    with pytest.raises(TimeoutError, match=r"tool_timeout=0\.05s"):
        await runner.until_done()


async def test_invalid_input_goes_back_to_the_model_and_never_raises(
    client: AsyncClient, server: FakeServer
) -> None:
    calls: list[str] = []

    @tool
    async def shout(word: Annotated[str, Field(pattern="^[A-Z]+$")]) -> str:
        calls.append(word)
        return word

    # The fake model fills `word` with "quietly", which the pattern refuses.
    await client.messages.tool_runner(
        model=MODEL,
        max_tokens=200,
        tools=[shout],
        messages=ask("shout quietly"),
        raise_on_tool_error=True,
    ).until_done()
    [result] = tool_results(server)
    assert result["is_error"] is True
    assert "- word: String should match pattern '^[A-Z]+$'" in result["content"]
    assert calls == []


async def test_an_unknown_tool_name_is_an_error_result(
    client: AsyncClient, server: FakeServer
) -> None:
    # A tool given as a plain param has no function: the runner cannot run it.
    param = {"name": "teleport", "input_schema": {"type": "object", "properties": {}}}
    await client.messages.tool_runner(
        model=MODEL,
        max_tokens=200,
        tools=[get_weather, param],
        messages=ask("teleport me"),
        raise_on_tool_error=True,
    ).until_done()
    [result] = tool_results(server)
    assert result["is_error"] is True
    assert result["content"] == "Unknown tool 'teleport'; the tools you can call: get_weather"


async def test_max_iterations_returns_the_last_message_as_it_is(
    client: AsyncClient, server: FakeServer
) -> None:
    ran: list[str] = []

    @tool
    async def record(city: str) -> str:
        ran.append(city)
        return "ok"

    final = await client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[record], messages=ask("record Kyiv"), max_iterations=1
    ).until_done()
    assert final.stop_reason == "tool_use"  # how the caller tells the limit cut it short
    assert len(server.requests) == 1
    assert ran == []


async def test_a_caller_who_answers_the_tool_call_is_respected(
    client: AsyncClient, server: FakeServer
) -> None:
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ask("get_weather Bern")
    )
    first = await runner.__anext__()
    call = next(b for b in first.content if isinstance(b, ToolUseBlock))
    runner.messages.append(
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "sunny"}],
        }
    )
    second = await runner.__anext__()
    assert second.content[0].text == "The tool returned: sunny"  # type: ignore[union-attr]
    with pytest.raises(StopAsyncIteration):
        await runner.__anext__()


async def test_stream_true_yields_a_message_stream_per_turn(
    client: AsyncClient, server: FakeServer
) -> None:
    runner = client.messages.tool_runner(
        model=MODEL,
        max_tokens=200,
        tools=[get_weather],
        messages=ask("get_weather in Quito"),
        stream=True,
    )
    texts: list[str] = []
    async with runner:
        turns = 0
        async for stream in runner:
            assert isinstance(stream, MessageStream)
            turns += 1
            if turns == 2:  # read the second turn's text; the first is left to the runner
                async for event in stream:
                    if isinstance(event, ContentBlockDeltaEvent) and isinstance(
                        event.delta, TextDelta
                    ):
                        texts.append(event.delta.text)
    assert turns == 2
    assert "".join(texts) == "The tool returned: 18C and cloudy in Quito"
    assert [m["role"] for m in runner.messages] == ["user", "assistant", "user", "assistant"]
    assert isinstance(runner.last_message, Message)
    assert runner.last_message.stop_reason == "end_turn"
    assert tool_results(server)[0]["content"] == "18C and cloudy in Quito"


async def test_leaving_the_runner_closes_the_open_stream(client: AsyncClient) -> None:
    runner = client.messages.tool_runner(
        model=MODEL,
        max_tokens=200,
        tools=[get_weather],
        messages=ask("get_weather Lagos"),
        stream=True,
    )
    async with runner:
        stream = await runner.__anext__()
        assert isinstance(stream, MessageStream)
    assert stream.response.is_closed
    with pytest.raises(StopAsyncIteration):
        await runner.__anext__()


async def test_cancelling_the_runner_cancels_running_tools(client: AsyncClient) -> None:
    started = anyio.Event()
    cancelled = anyio.Event()

    @tool
    async def forever(city: str) -> str:
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            cancelled.set()
        return "never"

    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[forever], messages=ask("forever Accra")
    )
    async with anyio.create_task_group() as group:
        group.start_soon(runner.until_done)
        await started.wait()
        group.cancel_scope.cancel()
    assert cancelled.is_set()


def test_bad_limits_are_refused_when_the_runner_is_made() -> None:
    client = AsyncClient(base_url="http://127.0.0.1:9", api_key="k")
    with pytest.raises(ValueError, match="max_concurrency"):
        client.messages.tool_runner(model=MODEL, max_tokens=1, messages=[], max_concurrency=0)
    with pytest.raises(ValueError, match="max_iterations"):
        client.messages.tool_runner(model=MODEL, max_tokens=1, messages=[], max_iterations=0)


class Gauge:
    """Counts the tools running at once; each waits, yielding to the loop, until as many run
    together as the limit allows, so the maximum is reached without relying on timing."""

    def __init__(self, total: int, limit: int) -> None:
        self.total, self.limit = total, limit
        self.running = self.finished = self.max_seen = 0
        self.order: list[int] = []

    async def hold(self, index: int) -> None:
        self.running += 1
        self.max_seen = max(self.max_seen, self.running)
        for _ in range(10_000):
            if self.running >= min(self.limit, self.total - self.finished):
                break
            await anyio.lowlevel.checkpoint()
        else:  # pragma: no cover - a deadlock would be a bug in the runner
            raise AssertionError("tools never ran together")
        # When all run at once, finish in reverse order of index: the results must still come
        # back in the model's order.
        for _ in range(10_000):
            if self.limit < self.total or not any(i > index for i in self.pending):
                break
            await anyio.lowlevel.checkpoint()
        self.pending.discard(index)
        self.order.append(index)
        self.finished += 1
        self.running -= 1

    pending: set[int]


@pytest.mark.parametrize(("calls", "limit", "expected"), [(6, 2, 2), (5, 8, 5), (4, 1, 1)])
async def test_tools_of_one_turn_run_concurrently_up_to_max_concurrency(
    client: AsyncClient, calls: int, limit: int, expected: int
) -> None:
    gauge = Gauge(calls, limit)
    gauge.pending = set(range(calls))

    @tool
    async def measure(index: int) -> str:
        await gauge.hold(index)
        return f"done {index}"

    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=10, tools=[measure], messages=[], max_concurrency=limit
    )
    blocks = [
        ToolUseBlock(id=f"toolu_{i}", name="measure", input={"index": i}) for i in range(calls)
    ]
    results = await runner.run_tools(blocks)
    assert gauge.max_seen == expected
    assert [r["tool_use_id"] for r in results] == [f"toolu_{i}" for i in range(calls)]
    assert [r.get("content") for r in results] == [f"done {i}" for i in range(calls)]
    if limit >= calls:
        assert gauge.order == list(reversed(range(calls)))


# --- scripted turns: several calls at once, pause_turn -----------------------------------------


@pytest.mark.parametrize(("calls", "limit", "expected"), [(6, 2, 2), (5, 8, 5)])
async def test_a_scripted_turn_of_parallel_calls_runs_them_together_over_http(
    client: AsyncClient, server: FakeServer, calls: int, limit: int, expected: int
) -> None:
    gauge = Gauge(calls, limit)
    gauge.pending = set(range(calls))

    @tool
    async def measure(index: int) -> str:
        await gauge.hold(index)
        return f"done {index}"

    server.script(
        Turn(tool_calls=[ToolCall("measure", {"index": i}, id=f"toolu_{i}") for i in range(calls)]),
        Turn(text="All measured."),
    )
    final = await client.messages.tool_runner(
        model=MODEL,
        max_tokens=100,
        tools=[measure],
        messages=ask("measure everything"),
        max_concurrency=limit,
    ).until_done()
    assert final.content[0].text == "All measured."  # type: ignore[union-attr]
    assert gauge.max_seen == expected
    results = tool_results(server)
    assert [r["tool_use_id"] for r in results] == [f"toolu_{i}" for i in range(calls)]
    assert [r["content"] for r in results] == [f"done {i}" for i in range(calls)]
    assert server.requests[-1].json["messages"][-1]["role"] == "user"  # one user turn


async def test_a_mixed_turn_gives_each_call_its_own_result(
    client: AsyncClient, server: FakeServer
) -> None:
    @tool
    async def broken(city: str) -> str:
        raise ValueError("no data")

    server.script(
        Turn(
            tool_calls=[
                ToolCall("get_weather", {"city": "Oslo"}, id="t_ok"),
                ToolCall("get_weather", {"town": "Oslo"}, id="t_invalid"),
                ToolCall("nope", {}, id="t_unknown"),
                ToolCall("broken", {"city": "Oslo"}, id="t_raises"),
            ]
        ),
        Turn(text="Done."),
    )
    await client.messages.tool_runner(
        model=MODEL, max_tokens=100, tools=[get_weather, broken], messages=ask("go")
    ).until_done()
    ok, invalid, unknown, raises = tool_results(server)
    assert ok == {"type": "tool_result", "tool_use_id": "t_ok", "content": "18C and cloudy in Oslo"}
    assert invalid["is_error"] is True
    assert "- city: Field required" in invalid["content"]
    assert "- town: Extra inputs are not permitted" in invalid["content"]
    assert unknown["is_error"] is True
    assert unknown["content"].startswith("Unknown tool 'nope'")
    assert raises == {
        "type": "tool_result",
        "tool_use_id": "t_raises",
        "content": "ValueError: no data",
        "is_error": True,
    }


async def test_pause_turn_is_continued_with_the_conversation_as_it_is(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(Turn(text="Searching...", stop_reason="pause_turn"), Turn(text="Found it."))
    seen = [
        m
        async for m in client.messages.tool_runner(
            model=MODEL, max_tokens=100, tools=[get_weather], messages=ask("look")
        )
    ]
    assert [m.stop_reason for m in seen] == ["pause_turn", "end_turn"]
    resent = server.requests[-1].json["messages"]
    assert [m["role"] for m in resent] == ["user", "assistant"]
    assert resent[-1]["content"] == [{"type": "text", "text": "Searching..."}]


async def test_a_tool_object_goes_into_create_stream_and_count_tokens(
    client: AsyncClient, server: FakeServer
) -> None:
    message = await client.messages.create(
        model=MODEL, max_tokens=50, tools=[get_weather], messages=ask("get_weather Rome")
    )
    assert any(isinstance(b, ToolUseBlock) for b in message.content)
    async with client.messages.stream(
        model=MODEL, max_tokens=50, tools=[get_weather], messages=ask("get_weather Rome")
    ) as stream:
        streamed = await stream.get_final_message()
    assert streamed.stop_reason == "tool_use"
    count = await client.messages.count_tokens(
        model=MODEL, tools=[get_weather], messages=ask("get_weather Rome")
    )
    assert count.input_tokens > 0
    for request in server.requests:
        assert request.json["tools"] == [get_weather.to_param()]
