"""messages.parse and messages.stream(output_format=...) against the fake server over loopback.

Without a script, the fake answers JSON outputs with JSON valid against the schema (strings are
the last word of the prompt, numbers 1, lists of one item) in text deltas of 1 to 8 characters,
and a forced tool with input built the same way. Scripted turns (``server.script``) play a model
that refuses, stops at max_tokens or writes invalid output.
"""

from __future__ import annotations

import itertools
import json
from enum import Enum

import pytest
from pydantic import BaseModel

from aioanthropic import (
    AsyncClient,
    BadRequestError,
    OutputRefusedError,
    OutputTruncatedError,
    OutputValidationError,
    ParsedMessage,
    ParsedTextBlock,
)
from aioanthropic.testing import FakeServer, ToolCall, Turn
from aioanthropic.types import MessageParam

pytestmark = pytest.mark.anyio

MODERN = "claude-fake-sonnet-5"  # the catalogue says: structured outputs supported
OLD = "claude-fake-sonnet-2"  # ... not supported: the fake answers 400


class Kind(Enum):
    CITY = "city"
    TOWN = "town"


class Place(BaseModel):
    name: str
    kind: Kind
    population: int


class Trip(BaseModel):
    title: str
    places: list[Place]
    note: str | None = None


ASK: list[MessageParam] = [{"role": "user", "content": "Plan a trip to Lisbon"}]
EXPECTED = Trip(title="Lisbon", places=[Place(name="Lisbon", kind=Kind.CITY, population=1)])


async def test_native_mode_sends_the_adapted_schema_and_validates_the_text(
    client: AsyncClient, server: FakeServer
) -> None:
    message = await client.messages.parse(
        output_format=Trip, mode="native", model=MODERN, max_tokens=500, messages=ASK
    )
    assert isinstance(message, ParsedMessage)
    assert message.parsed_output == EXPECTED.model_copy(update={"note": "Lisbon"})
    block = message.content[0]
    assert isinstance(block, ParsedTextBlock)
    assert block.parsed_output is message.parsed_output
    assert json.loads(block.text)["title"] == "Lisbon"
    assert message.request_id is not None
    fmt = server.requests[-1].json["output_config"]["format"]
    assert fmt["type"] == "json_schema"
    assert fmt["schema"]["additionalProperties"] is False
    assert fmt["schema"]["$defs"]["Place"]["additionalProperties"] is False
    assert "tools" not in server.requests[-1].json


async def test_tool_mode_forces_one_tool_and_validates_its_input(
    client: AsyncClient, server: FakeServer
) -> None:
    message = await client.messages.parse(
        output_format=Trip, mode="tool", model=MODERN, max_tokens=500, messages=ASK
    )
    assert message.parsed_output == EXPECTED
    body = server.requests[-1].json
    assert body["tool_choice"] == {"type": "tool", "name": "Trip"}
    assert body["tools"][0]["name"] == "Trip"
    assert body["tools"][0]["input_schema"]["$defs"]["Place"]["properties"]["kind"] == {
        "$ref": "#/$defs/Kind"
    }
    assert "output_config" not in body


async def test_auto_mode_falls_back_to_a_tool_when_json_outputs_are_unsupported(
    client: AsyncClient, server: FakeServer
) -> None:
    message = await client.messages.parse(
        output_format=Trip, model=OLD, max_tokens=500, messages=ASK
    )
    assert message.parsed_output == EXPECTED
    first, second = (r.json for r in server.requests)
    assert "output_config" in first
    assert second["tool_choice"] == {"type": "tool", "name": "Trip"}


async def test_native_mode_does_not_fall_back(client: AsyncClient, server: FakeServer) -> None:
    with pytest.raises(BadRequestError, match="structured outputs are not supported"):
        await client.messages.parse(
            output_format=Trip, mode="native", model=OLD, max_tokens=500, messages=ASK
        )
    assert len(server.requests) == 1


async def test_non_object_output_types_are_wrapped(client: AsyncClient) -> None:
    message = await client.messages.parse(
        output_format=list[Place], model=MODERN, max_tokens=500, messages=ASK
    )
    assert message.parsed_output == [Place(name="Lisbon", kind=Kind.CITY, population=1)]


async def test_a_refusal_raises_with_the_message(client: AsyncClient, server: FakeServer) -> None:
    server.script(Turn(text="I can't help with that.", stop_reason="refusal"))
    with pytest.raises(OutputRefusedError) as caught:
        await client.messages.parse(output_format=Trip, model=MODERN, max_tokens=500, messages=ASK)
    assert caught.value.message.stop_reason == "refusal"
    assert caught.value.message.content[0].text == "I can't help with that."  # type: ignore[union-attr]


async def test_a_max_tokens_stop_raises_with_the_partial_message(
    client: AsyncClient,
) -> None:
    with pytest.raises(OutputTruncatedError, match="raise max_tokens") as caught:
        await client.messages.parse(output_format=Trip, model=MODERN, max_tokens=3, messages=ASK)
    assert caught.value.message.stop_reason == "max_tokens"


async def test_invalid_output_raises_with_raw_text_and_errors(
    client: AsyncClient, server: FakeServer
) -> None:
    raw = '{"title": "x", "places": [{"name": "y", "kind": "village", "population": "many"}]}'
    server.script(Turn(text=raw))
    with pytest.raises(OutputValidationError) as caught:
        await client.messages.parse(output_format=Trip, model=MODERN, max_tokens=500, messages=ASK)
    error = caught.value
    assert error.raw == raw
    assert [e["loc"] for e in error.errors] == [
        ("places", 0, "kind"),
        ("places", 0, "population"),
    ]
    assert "- places.0.kind: Input should be 'city' or 'town'" in str(error)
    assert len(server.requests) == 1  # validation_retries is off by default


async def test_validation_retries_re_ask_with_the_errors(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(Turn(text='{"title": 7}'))  # then the fake model answers validly
    message = await client.messages.parse(
        output_format=Trip, model=MODERN, max_tokens=500, messages=ASK, validation_retries=1
    )
    assert message.parsed_output is not None
    # The fake fills strings with the last word of the last user turn: the feedback's.
    assert message.parsed_output.title == "exactly"
    retry = server.requests[-1].json["messages"]
    assert [m["role"] for m in retry] == ["user", "assistant", "user"]
    assert retry[1]["content"][0]["text"] == '{"title": 7}'
    assert "- title: Input should be a valid string" in retry[2]["content"]
    assert "- places: Field required" in retry[2]["content"]


async def test_validation_retries_in_tool_mode_answer_with_an_error_result(
    client: AsyncClient, server: FakeServer
) -> None:
    server.script(Turn(tool_calls=[ToolCall("Trip", {"title": 7}, id="toolu_bad")]))
    message = await client.messages.parse(
        output_format=Trip,
        mode="tool",
        model=MODERN,
        max_tokens=500,
        messages=ASK,
        validation_retries=2,
    )
    # The last user turn holds no text, so the fake fills strings with "fake".
    assert message.parsed_output is not None
    assert message.parsed_output.title == "fake"
    [result] = server.requests[-1].json["messages"][-1]["content"]
    assert result["tool_use_id"] == "toolu_bad"
    assert result["is_error"] is True
    assert "- title: Input should be a valid string" in result["content"]


async def test_streamed_output_grows_then_validates(client: AsyncClient) -> None:
    async with client.messages.stream(
        output_format=Trip, model=MODERN, max_tokens=500, messages=ASK
    ) as stream:
        partials = [partial async for partial in stream.partial_output()]
        final = await stream.get_final_parsed()
    assert final == EXPECTED.model_copy(update={"note": "Lisbon"})
    assert len(partials) > 5
    assert partials[-1] == json.loads(final.model_dump_json())
    for before, after in itertools.pairwise(partials):
        assert before != after
    assert any(p.get("places") == [{}] or p.get("places") == [] for p in partials)
    message = await stream.get_final_message()
    assert message.parsed_output is final


async def test_streamed_tool_mode_and_auto_fallback(
    client: AsyncClient, server: FakeServer
) -> None:
    async with client.messages.stream(
        output_format=Trip, model=OLD, max_tokens=500, messages=ASK
    ) as stream:
        assert stream.mode == "tool"
        partials = [partial async for partial in stream.partial_output()]
        final = await stream.get_final_parsed()
    assert final == EXPECTED
    assert partials[-1] == json.loads(final.model_dump_json())
    assert len(server.requests) == 2


async def test_streamed_events_still_come_through(client: AsyncClient) -> None:
    kinds: set[str] = set()
    async with client.messages.stream(
        output_format=Place, model=MODERN, max_tokens=500, messages=ASK
    ) as stream:
        async for event in stream:
            kinds.add(event.type)
        place = await stream.get_final_parsed()
    assert {"message_start", "content_block_delta", "message_stop"} <= kinds
    assert place == Place(name="Lisbon", kind=Kind.CITY, population=1)


async def test_a_streamed_refusal_raises(client: AsyncClient, server: FakeServer) -> None:
    server.script(Turn(text="No.", stop_reason="refusal"))
    async with client.messages.stream(
        output_format=Trip, model=MODERN, max_tokens=500, messages=ASK
    ) as stream:
        with pytest.raises(OutputRefusedError):
            await stream.get_final_parsed()


def test_bad_arguments_are_refused_before_sending() -> None:
    client = AsyncClient(base_url="http://127.0.0.1:9", api_key="k")
    with pytest.raises(TypeError, match="output_format must be"):
        client.messages.stream(output_format=object(), model=MODERN, max_tokens=1, messages=ASK)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="mode must be one of"):
        client.messages.stream(
            output_format=Trip,
            mode="json",  # type: ignore[call-overload]
            model=MODERN,
            max_tokens=1,
            messages=ASK,
        )


class Node(BaseModel):
    label: str
    children: list[Node] = []


async def test_a_recursive_output_goes_to_tool_mode_under_auto(
    client: AsyncClient, server: FakeServer
) -> None:
    message = await client.messages.parse(
        output_format=Node, model=MODERN, max_tokens=500, messages=ASK
    )
    assert message.parsed_output is not None
    assert message.parsed_output.label == "Lisbon"
    assert len(server.requests) == 1
    assert server.requests[0].json["tool_choice"] == {"type": "tool", "name": "Node"}


async def test_a_recursive_output_in_native_mode_is_refused_before_sending(
    client: AsyncClient, server: FakeServer
) -> None:
    from aioanthropic import RecursiveSchemaError

    with pytest.raises(RecursiveSchemaError, match="Node -> Node"):
        await client.messages.parse(
            output_format=Node, mode="native", model=MODERN, max_tokens=500, messages=ASK
        )
    assert server.requests == []


async def test_the_helpers_return_models_even_from_with_raw_response(client: AsyncClient) -> None:
    raw = client.messages.with_raw_response
    message = await raw.parse(output_format=Place, model=MODERN, max_tokens=500, messages=ASK)
    assert isinstance(message, ParsedMessage)
    assert isinstance(message.parsed_output, Place)


async def test_tool_mode_with_extended_thinking_is_refused_before_sending(
    client: AsyncClient, server: FakeServer
) -> None:
    with pytest.raises(TypeError, match="refuses with extended thinking"):
        await client.messages.parse(
            output_format=Trip,
            mode="tool",
            model=MODERN,
            max_tokens=4000,
            thinking={"type": "enabled", "budget_tokens": 1024},
            messages=ASK,
        )
    assert server.requests == []
