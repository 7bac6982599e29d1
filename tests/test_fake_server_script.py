"""Scripted turns, structured output and ``$ref`` tool inputs, over real loopback HTTP.

Every scripted reply is fetched twice, streamed and not, and the streamed one is rebuilt with
the client's own accumulator: both must be the same message.
"""

from __future__ import annotations

import datetime
import enum
import json
from typing import Any, Literal

import httpx
import pydantic
import pytest

from aioanthropic import AsyncClient, Message
from aioanthropic.testing import FakeServer, Fault, ToolCall, Turn
from aioanthropic.types import MessageParam, TextBlock

pytestmark = pytest.mark.anyio


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


class Place(pydantic.BaseModel):
    city: str
    country: str | None = None
    position: tuple[float, float]


class Reading(pydantic.BaseModel):
    at: datetime.datetime
    day: datetime.date
    value: float = pydantic.Field(ge=-90, le=60)
    unit: Unit


class Report(pydantic.BaseModel):
    place: Place
    readings: list[Reading] = pydantic.Field(min_length=2)
    kind: Literal["forecast", "observation"]
    tags: list[str]
    extra: dict[str, int]
    note: str | None
    nested_optional: Place | None = None


class Tree(pydantic.BaseModel):
    """Recursive: only finite because ``children`` may be empty."""

    name: str
    children: list[Tree] = []
    parent: Tree | None = None


USER: list[MessageParam] = [{"role": "user", "content": "What is the weather in Paris?"}]
WEATHER = {
    "name": "get_weather",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


async def both(client: AsyncClient, **params: Any) -> tuple[Message, Message]:
    """The same request non-streamed and streamed (needs two scripted turns, or none)."""
    params = {"model": "claude-fake", "max_tokens": 100, "messages": USER, **params}
    whole = await client.messages.create(**params)
    async with client.messages.stream(**params) as stream:
        streamed = await stream.get_final_message()
    return whole, streamed


def same(whole: Message, streamed: Message) -> dict[str, Any]:
    """Both messages' fields, equal but for the ids the server numbers per request."""
    a, b = whole.model_dump(exclude={"id"}), streamed.model_dump(exclude={"id"})
    for x, y in zip(a["content"], b["content"], strict=True):
        if x["type"] == "tool_use" and x["id"].startswith("toolu_fake_"):
            y["id"] = x["id"]
    assert a == b
    return a


async def test_tool_calls_in_order_then_text(client: AsyncClient, server: FakeServer) -> None:
    calls = [
        ToolCall("get_weather", {"city": "Paris"}),
        ToolCall("get_time", {"tz": 42}, id="toolu_mine"),  # invalid input is sent as is
        ToolCall("get_weather", {"city": "Lyon"}),
    ]
    server.script(Turn(tool_calls=calls), Turn(tool_calls=calls))
    server.script(Turn(text="Sunny in both."), Turn(text="Sunny in both."))
    assert server.turns_left == 4
    message = same(*await both(client, tools=[WEATHER]))
    assert message["stop_reason"] == "tool_use"
    blocks = message["content"]
    assert [(b["type"], b["name"], b["input"]) for b in blocks] == [
        ("tool_use", "get_weather", {"city": "Paris"}),
        ("tool_use", "get_time", {"tz": 42}),
        ("tool_use", "get_weather", {"city": "Lyon"}),
    ]
    assert blocks[1]["id"] == "toolu_mine"
    assert blocks[0]["id"].startswith("toolu_fake_")
    assert blocks[0]["id"] != blocks[2]["id"]
    assert message["usage"]["output_tokens"] == 30
    final = same(*await both(client))
    assert final["content"] == [{"type": "text", "text": "Sunny in both.", "citations": None}]
    assert final["stop_reason"] == "end_turn"
    assert server.turns_left == 0
    # The script is spent: the deterministic model answers again.
    after = await client.messages.create(model="m", max_tokens=50, messages=USER)
    assert isinstance(after.content[0], TextBlock)
    assert after.content[0].text == "You said: What is the weather in Paris?"


@pytest.mark.parametrize(
    ("turn", "stop_reason", "texts"),
    [
        (Turn(stop_reason="refusal"), "refusal", []),
        (Turn(text="I can't help with", stop_reason="refusal"), "refusal", ["I can't help with"]),
        (Turn(text='{"name": "Ad', stop_reason="max_tokens"), "max_tokens", ['{"name": "Ad']),
        (Turn(text="Searching...", stop_reason="pause_turn"), "pause_turn", ["Searching..."]),
    ],
)
async def test_stop_reasons(
    client: AsyncClient, server: FakeServer, turn: Turn, stop_reason: str, texts: list[str]
) -> None:
    server.script(turn, turn)
    message = same(*await both(client))
    assert message["stop_reason"] == stop_reason
    assert [b["text"] for b in message["content"]] == texts


async def test_stop_sequence_and_thinking(client: AsyncClient, server: FakeServer) -> None:
    turn = Turn(text="one two", thinking="hmm", stop_reason="stop_sequence", stop_sequence="##")
    server.script(turn, turn)
    message = same(*await both(client))
    assert [b["type"] for b in message["content"]] == ["thinking", "text"]
    assert (message["stop_reason"], message["stop_sequence"]) == ("stop_sequence", "##")


async def test_a_failed_request_leaves_the_script_alone(
    client: AsyncClient, server: FakeServer
) -> None:
    server.enqueue(Fault(status=529, retry_after=0))
    server.script(Turn(text="after the retry"))
    message = await client.messages.create(model="m", max_tokens=5, messages=USER)
    assert isinstance(message.content[0], TextBlock)
    assert message.content[0].text == "after the retry"
    assert len(server.requests) == 2


async def test_an_invalid_request_leaves_the_script_alone(server: FakeServer) -> None:
    server.script(Turn(text="kept"))
    async with httpx.AsyncClient(base_url=server.url) as raw:
        headers = {"anthropic-version": "2023-06-01"}
        response = await raw.post("/v1/messages", json={"model": "m"}, headers=headers)
    assert response.status_code == 400
    assert server.turns_left == 1


def test_turn_checks_its_values() -> None:
    with pytest.raises(ValueError, match="stop_reason must be one of"):
        Turn(stop_reason="done")
    with pytest.raises(ValueError, match="stop_sequence"):
        Turn(stop_reason="stop_sequence")
    with pytest.raises(TypeError, match="ToolCall"):
        Turn(tool_calls=[{"name": "x"}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="Turn values"):
        FakeServer().script("hello")  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", ["output_config", "output_format"])
async def test_structured_output_follows_the_schema(client: AsyncClient, shape: str) -> None:
    fmt = {"type": "json_schema", "schema": Report.model_json_schema()}
    extra = (
        {"output_config": {"format": fmt}} if shape == "output_config" else {"output_format": fmt}
    )
    whole, streamed = await both(client, max_tokens=1000, extra_body=extra)
    message = same(whole, streamed)
    (block,) = message["content"]
    report = Report.model_validate_json(block["text"])
    assert report.place.city == "Paris"
    assert len(report.readings) == 2
    assert report.readings[0].unit is Unit.CELSIUS
    assert message["stop_reason"] == "end_turn"


async def test_structured_output_streams_in_small_deltas(server: FakeServer) -> None:
    fmt = {"type": "json_schema", "schema": Report.model_json_schema()}
    async with (
        AsyncClient(base_url=server.url, api_key="test") as client,
        client.messages.stream(
            model="m",
            max_tokens=1000,
            messages=USER,
            extra_body={"output_config": {"format": fmt}},
        ) as stream,
    ):
        deltas = [text async for text in stream.text_stream]
    text = "".join(deltas)
    Report.model_validate_json(text)
    assert len(deltas) > len(text) / 8
    assert max(len(d) for d in deltas) <= 8


async def test_structured_output_cut_by_max_tokens(client: AsyncClient) -> None:
    fmt = {"type": "json_schema", "schema": Report.model_json_schema()}
    message = same(*await both(client, max_tokens=5, extra_body={"output_config": {"format": fmt}}))
    assert message["stop_reason"] == "max_tokens"
    with pytest.raises(json.JSONDecodeError):
        json.loads(message["content"][0]["text"])


async def test_recursive_schema_gets_a_finite_value(client: AsyncClient) -> None:
    fmt = {"type": "json_schema", "schema": Tree.model_json_schema()}
    whole, _ = await both(client, extra_body={"output_config": {"format": fmt}})
    assert isinstance(whole.content[0], TextBlock)
    tree = Tree.model_validate_json(whole.content[0].text)
    assert tree.name == "Paris"
    assert tree.children == []


async def test_tool_input_with_refs_is_valid(client: AsyncClient) -> None:
    tool = {"name": "file_report", "input_schema": Report.model_json_schema()}
    assert "$defs" in tool["input_schema"]
    whole, streamed = await both(
        client, tools=[tool], tool_choice={"type": "tool", "name": "file_report"}
    )
    message = same(whole, streamed)
    (use,) = message["content"]  # forced: the call alone
    assert use["type"] == "tool_use"
    assert Report.model_validate(use["input"]).kind == "forecast"


async def test_unsatisfiable_schema_is_a_400(client: AsyncClient) -> None:
    loop = {"$defs": {"A": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}},
                            "required": ["a"]}}, "$ref": "#/$defs/A"}  # fmt: skip
    from aioanthropic import BadRequestError

    with pytest.raises(BadRequestError, match="recursive"):
        await client.messages.create(
            model="m",
            max_tokens=5,
            messages=USER,
            extra_body={"output_config": {"format": {"type": "json_schema", "schema": loop}}},
        )
