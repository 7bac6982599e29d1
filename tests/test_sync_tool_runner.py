"""The sync client's tool runner (``Client.messages.tool_runner``) against the fake server.

The loop itself is the async ``ToolRunner`` (tests/test_tool_runner.py); these tests check what
the sync face adds: stepping it from a plain ``for`` loop, ``until_done``, the conversation,
sync and async tools, streams per turn, closing, and errors arriving as the typed errors.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from aioanthropic import BadRequestError, Client, Message, SyncMessageStream, SyncToolRunner, tool
from aioanthropic.testing import FakeServer, Fault, ToolCall, Turn
from aioanthropic.types import MessageParam, ToolUseBlock

MODEL = "claude-test"
ASK: list[MessageParam] = [{"role": "user", "content": "Weather in Paris and Rome?"}]
TWO_CALLS = Turn(
    tool_calls=[
        ToolCall("get_weather", {"city": "Paris"}),
        ToolCall("get_weather", {"city": "Rome"}),
    ]
)
WEATHER = {"Paris": "18 C", "Rome": "24 C"}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def client(server: FakeServer) -> Iterator[Client]:
    with Client(base_url=server.url, api_key="test", max_retries=0) as sync_client:
        yield sync_client


# The threads each call ran in: sync tools run in anyio worker threads, never in the caller's
# thread nor on the loop thread.
calls: list[tuple[str, str]] = []


@tool
def get_weather(city: str) -> str:
    """Current weather for a city.

    Args:
        city: City name.
    """
    calls.append((city, threading.current_thread().name))
    return WEATHER[city]


@tool
async def get_time(city: str) -> str:
    """Local time in a city.

    Args:
        city: City name.
    """
    return f"12:00 in {city}"


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    calls.clear()


def tool_results(server: FakeServer, index: int = -1) -> list[dict[str, Any]]:
    content = server.requests[index].json["messages"][-1]["content"]
    return [block for block in content if block["type"] == "tool_result"]


def test_the_loop_runs_the_tools_and_sends_the_results_back(
    client: Client, server: FakeServer
) -> None:
    server.script(TWO_CALLS, Turn(text="Done."))
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ASK
    )
    assert isinstance(runner, SyncToolRunner)
    assert server.requests == []  # nothing is sent before the first step
    seen = [message for message in runner]
    assert all(isinstance(m, Message) for m in seen)
    assert [m.stop_reason for m in seen] == ["tool_use", "end_turn"]
    assert seen[1].content[0].text == "Done."  # type: ignore[union-attr]
    ids = [b.id for b in seen[0].content if isinstance(b, ToolUseBlock)]
    # Both calls ran, in worker threads, and their results went back in the model's order.
    assert sorted(city for city, _ in calls) == ["Paris", "Rome"]
    main, loop = threading.current_thread().name, "aioanthropic-sync-loop"
    assert all(name not in (main, loop) for _, name in calls)
    assert len(server.requests) == 2
    assert server.requests[0].json["tools"] == [get_weather.to_param()]
    assert tool_results(server) == [
        {"type": "tool_result", "tool_use_id": ids[0], "content": "18 C"},
        {"type": "tool_result", "tool_use_id": ids[1], "content": "24 C"},
    ]
    assert [m["role"] for m in runner.messages] == ["user", "assistant", "user", "assistant"]
    assert runner.last_message is seen[1]
    assert runner.iterations == 2
    assert next(runner, None) is None  # the loop is over and stays over
    assert len(server.requests) == 2


def test_until_done_returns_the_final_message_from_any_point(
    client: Client, server: FakeServer
) -> None:
    server.script(
        Turn(tool_calls=[ToolCall("get_time", {"city": "Lima"})]),
        TWO_CALLS,
        Turn(text="Done."),
    )
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather, get_time], messages=ASK
    )
    first = next(runner)
    assert first.stop_reason == "tool_use"
    final = runner.until_done()
    assert final.content[0].text == "Done."  # type: ignore[union-attr]
    assert final is runner.last_message
    assert len(server.requests) == 3
    assert tool_results(server, 1)[0]["content"] == "12:00 in Lima"  # an async tool
    assert [r["content"] for r in tool_results(server, 2)] == ["18 C", "24 C"]  # sync tools
    assert len(runner.messages) == 6


def test_max_iterations_stops_the_loop_with_the_last_message(
    client: Client, server: FakeServer
) -> None:
    server.script(TWO_CALLS, TWO_CALLS, Turn(text="Done."))
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ASK, max_iterations=2
    )
    last = runner.until_done()
    assert last.stop_reason == "tool_use"  # cut short by the limit, as the async runner does
    assert len(server.requests) == 2
    assert len(calls) == 2  # the last turn's calls are not run: no request would carry them


def test_breaking_out_leaves_the_runner_resumable_and_close_ends_it(
    client: Client, server: FakeServer
) -> None:
    server.script(TWO_CALLS, Turn(text="Done."))
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ASK
    )
    for message in runner:
        assert message.stop_reason == "tool_use"
        break
    assert len(server.requests) == 1
    assert [m.stop_reason for m in runner] == ["end_turn"]  # a new loop goes on from there
    assert len(calls) == 2
    calls.clear()

    server.script(TWO_CALLS, Turn(text="Done."))
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ASK
    )
    with runner:
        for message in runner:
            assert message.stop_reason == "tool_use"
            break
        assert calls == []  # the tools run at the next step, not before
        assert len(server.requests) == 3
    # Leaving the block ended the loop: no tools run, nothing more is sent.
    assert list(runner) == []
    assert calls == []
    assert len(server.requests) == 3
    runner.close()  # again: nothing happens
    # The client is fine afterwards.
    reply = client.messages.create(model=MODEL, max_tokens=50, messages=ASK)
    assert reply.stop_reason == "end_turn"


def test_a_stream_per_turn_and_leaving_closes_an_open_one(
    client: Client, server: FakeServer
) -> None:
    server.script(TWO_CALLS, Turn(text="Done, both are mild."))
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ASK, stream=True
    )
    texts: list[str] = []
    with runner:
        for turn, stream in enumerate(runner):
            assert isinstance(stream, SyncMessageStream)
            if turn == 1:  # the first turn is left to the runner, which reads it to its end
                texts.extend(stream.text_stream)
    assert "".join(texts) == "Done, both are mild."
    assert [m["role"] for m in runner.messages] == ["user", "assistant", "user", "assistant"]
    assert [r["content"] for r in tool_results(server)] == ["18 C", "24 C"]
    assert all(request.json["stream"] is True for request in server.requests)

    server.script(TWO_CALLS)
    calls.clear()
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ASK, stream=True
    )
    with runner:
        for stream in runner:
            next(iter(stream))  # read one event, then break with the response open
            break
        assert not stream.response.is_closed
    assert stream.response.is_closed
    assert list(runner) == []
    assert calls == []  # the abandoned turn's tools never ran
    assert len(server.requests) == 3


def test_an_api_error_propagates_typed_and_keeps_the_conversation(
    client: Client, server: FakeServer
) -> None:
    server.script(TWO_CALLS)
    server.enqueue(
        Fault(),
        Fault(status=400, error_type="invalid_request_error", error_message="tools went wrong"),
    )
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[get_weather], messages=ASK
    )
    with pytest.raises(BadRequestError, match="tools went wrong") as info:
        runner.until_done()
    assert info.value.status_code == 400
    # Nothing already received is lost: the reply and the tool results are in the conversation.
    assert [m["role"] for m in runner.messages] == ["user", "assistant", "user"]
    results: Any = runner.messages[2]["content"]
    assert [r["content"] for r in results] == ["18 C", "24 C"]


def test_a_tool_error_is_a_result_or_with_raise_on_tool_error_raised(
    client: Client, server: FakeServer
) -> None:
    class StationDown(Exception):
        pass

    @tool
    def broken(city: str) -> str:
        """Always fails.

        Args:
            city: City name.
        """
        raise StationDown(f"no station in {city}")

    server.script(Turn(tool_calls=[ToolCall("broken", {"city": "Oslo"})]), Turn(text="Sorry."))
    final = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[broken], messages=ASK
    ).until_done()
    assert final.content[0].text == "Sorry."  # type: ignore[union-attr]
    result = tool_results(server)[0]
    assert result["is_error"] is True
    assert result["content"] == "StationDown: no station in Oslo"

    server.script(Turn(tool_calls=[ToolCall("broken", {"city": "Lima"})]))
    runner = client.messages.tool_runner(
        model=MODEL, max_tokens=200, tools=[broken], messages=ASK, raise_on_tool_error=True
    )
    with pytest.raises(StationDown, match="Lima"):
        for _ in runner:
            pass
    assert len(server.requests) == 3  # the failed turn's results were never sent


def test_a_sync_tool_may_call_the_same_client(client: Client, server: FakeServer) -> None:
    # A sync tool runs in a worker thread, not on the loop thread, so calling the blocking
    # client from it does not deadlock.
    @tool
    def count(text: str) -> str:
        """Count the tokens of a text.

        Args:
            text: The text.
        """
        tokens = client.messages.count_tokens(
            model=MODEL, messages=[{"role": "user", "content": text}]
        )
        return str(tokens.input_tokens)

    server.script(Turn(tool_calls=[ToolCall("count", {"text": "one two three"})]), Turn(text="ok"))
    runner = client.messages.tool_runner(model=MODEL, max_tokens=50, tools=[count], messages=ASK)
    assert runner.until_done().content[0].text == "ok"  # type: ignore[union-attr]
    assert int(tool_results(server)[0]["content"]) > 0
    assert [r.path for r in server.requests] == [
        "/v1/messages",
        "/v1/messages/count_tokens",
        "/v1/messages",
    ]


def test_bad_limits_are_refused_when_the_runner_is_made(client: Client) -> None:
    with pytest.raises(ValueError, match="max_iterations"):
        client.messages.tool_runner(model=MODEL, max_tokens=5, messages=ASK, max_iterations=0)
    with pytest.raises(ValueError, match="max_concurrency"):
        client.messages.tool_runner(model=MODEL, max_tokens=5, messages=ASK, max_concurrency=0)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
def test_ctrl_c_during_a_step_cancels_the_running_tools(client: Client, server: FakeServer) -> None:
    started = threading.Event()
    cancelled = threading.Event()

    @tool
    async def forever(city: str) -> str:
        """Never answers.

        Args:
            city: City name.
        """
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            cancelled.set()
        return "never"

    server.script(Turn(tool_calls=[ToolCall("forever", {"city": "Accra"})]))
    runner = client.messages.tool_runner(model=MODEL, max_tokens=50, tools=[forever], messages=ASK)
    assert next(runner).stop_reason == "tool_use"

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            next(runner)  # runs the tool, which never ends
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert started.is_set()
    assert cancelled.wait(5)  # the interrupt cancelled the tool's task on the loop
    assert len(server.requests) == 1
    reply = client.messages.create(model=MODEL, max_tokens=50, messages=ASK)  # still usable
    assert reply.stop_reason == "end_turn"
