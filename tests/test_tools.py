"""``@tool``: schemas from signatures, descriptions from docstrings, validated input, results."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal

import anyio
import pytest
from pydantic import BaseModel, Field

from aioanthropic import AnthropicError, FunctionTool, ToolInputError, tool
from aioanthropic._protocol.request import encode_json


class Unit(Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


class Place(BaseModel):
    city: str
    country: str | None = None


@tool
async def get_weather(
    city: str, unit: Literal["celsius", "fahrenheit"] = "celsius", days: int = 1
) -> str:
    """Current weather for a city.

    Uses the nearest station.

    Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    """
    return f"{city}: 21 {unit} for {days} day(s)"


def test_schema_and_descriptions_from_a_google_docstring() -> None:
    param = get_weather.to_param()
    assert param["name"] == "get_weather"
    assert param["description"] == "Current weather for a city.\n\nUses the nearest station."
    schema = param["input_schema"]
    assert schema["type"] == "object"
    assert schema["required"] == ["city"]
    assert schema["additionalProperties"] is False
    assert "title" not in schema
    props = schema["properties"]
    assert props["city"]["type"] == "string"
    assert props["city"]["description"] == 'City name, e.g. "Paris".'
    assert props["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert props["unit"]["default"] == "celsius"
    assert props["unit"]["description"] == "Temperature unit."
    assert props["days"] == {"default": 1, "title": "Days", "type": "integer"}


def test_numpy_and_rest_docstrings() -> None:
    @tool
    def numpy_style(a: int, b: str) -> str:
        """Join things.

        Parameters
        ----------
        a : int
            How many.
        b : str
            What.
        """
        return b * a

    @tool
    def rest_style(a: int) -> int:
        """Double a number.

        :param a: The number to double.
        """
        return a * 2

    props = numpy_style.input_schema["properties"]
    assert numpy_style.description == "Join things."
    assert (props["a"]["description"], props["b"]["description"]) == ("How many.", "What.")
    assert rest_style.description == "Double a number."
    assert rest_style.input_schema["properties"]["a"]["description"] == "The number to double."


def test_nested_models_enums_optional_and_lists_use_defs_and_refs() -> None:
    @tool(name="plan-trip", description="Plan a trip.")
    def plan(places: list[Place], unit: Unit = Unit.CELSIUS, start: date | None = None) -> str:
        return ""

    schema = plan.input_schema
    assert plan.name == "plan-trip"
    assert plan.to_param()["description"] == "Plan a trip."
    assert set(schema["$defs"]) == {"Place", "Unit"}
    assert schema["properties"]["places"]["items"] == {"$ref": "#/$defs/Place"}
    assert schema["properties"]["unit"]["$ref"] == "#/$defs/Unit"
    assert schema["properties"]["start"]["anyOf"] == [
        {"format": "date", "type": "string"},
        {"type": "null"},
    ]
    assert schema["$defs"]["Unit"]["enum"] == ["celsius", "fahrenheit"]
    # Validation turns nested input into models and enums before the function sees it.
    kwargs = plan.validate_input({"places": [{"city": "Oslo"}], "unit": "fahrenheit"})
    assert kwargs == {"places": [Place(city="Oslo")], "unit": Unit.FAHRENHEIT, "start": None}


def test_annotated_field_metadata_is_kept() -> None:
    @tool
    def pick(n: Annotated[int, Field(ge=1, le=5, description="How many, 1 to 5.")]) -> int:
        return n

    prop = pick.input_schema["properties"]["n"]
    assert (prop["minimum"], prop["maximum"], prop["description"]) == (1, 5, "How many, 1 to 5.")
    with pytest.raises(ToolInputError, match=r"n: Input should be less than or equal to 5"):
        pick.validate_input({"n": 9})


def test_invalid_input_says_what_was_wrong_per_field() -> None:
    with pytest.raises(ToolInputError) as caught:
        get_weather.validate_input({"unit": "kelvin", "extra": 1})
    error = caught.value
    assert isinstance(error, AnthropicError)
    assert error.tool_name == "get_weather"
    text = str(error)
    assert "- city: Field required" in text
    assert "- unit: Input should be 'celsius' or 'fahrenheit'" in text
    assert "- extra: Extra inputs are not permitted" in text
    assert [e["loc"] for e in error.errors] == [("city",), ("unit",), ("extra",)]


def test_the_decorated_function_is_still_callable_and_documented() -> None:
    assert isinstance(get_weather, FunctionTool)
    assert get_weather.__name__ == "get_weather"
    assert "nearest station" in (get_weather.__doc__ or "")
    assert anyio.run(get_weather, "Rome") == "Rome: 21 celsius for 1 day(s)"


def test_a_tool_object_is_encoded_as_its_param_in_a_request_body() -> None:
    body = encode_json({"tools": [get_weather, {"name": "raw", "input_schema": {}}]})
    assert body.startswith(b'{"tools":[{"name":"get_weather","input_schema":{')
    assert b'{"name":"raw","input_schema":{}}' in body


@pytest.mark.parametrize(
    ("signature_error", "match"),
    [("varargs", r"\*args"), ("posonly", "positional-only"), ("badname", "must match")],
)
def test_functions_the_model_could_not_call_are_refused(signature_error: str, match: str) -> None:
    def varargs(*args: int) -> None: ...

    def posonly(a: int, /) -> None: ...

    def badname(a: int) -> None: ...

    decorate = tool(name="has space") if signature_error == "badname" else tool
    function = {"varargs": varargs, "posonly": posonly, "badname": badname}[signature_error]
    with pytest.raises((TypeError, ValueError), match=match):
        decorate(function)


@dataclass
class Reading:
    celsius: float
    when: date


class Forecast(BaseModel):
    days: list[float]


@pytest.mark.parametrize(
    ("returned", "content"),
    [
        ("plain", "plain"),
        ({"a": 1}, '{"a":1}'),
        ([1, 2], "[1,2]"),
        (None, "null"),
        (Forecast(days=[1.5]), '{"days":[1.5]}'),
        (Reading(3.5, date(2026, 1, 2)), '{"celsius":3.5,"when":"2026-01-02"}'),
        ([{"type": "text", "text": "hi"}], [{"type": "text", "text": "hi"}]),
    ],
)
@pytest.mark.anyio
async def test_results_become_text_json_or_blocks(returned: Any, content: Any) -> None:
    @tool
    def give() -> Any:
        return returned

    assert await give.invoke({}) == content


@pytest.mark.anyio
async def test_sync_tools_run_in_a_worker_thread_async_ones_on_the_loop() -> None:
    loop_thread = threading.get_ident()
    seen: dict[str, int] = {}

    @tool
    def sync_tool() -> str:
        seen["sync"] = threading.get_ident()
        return "ok"

    @tool
    async def async_tool() -> str:
        seen["async"] = threading.get_ident()
        return "ok"

    assert await sync_tool.invoke({}) == "ok"
    assert await async_tool.invoke({}) == "ok"
    assert seen["sync"] != loop_thread
    assert seen["async"] == loop_thread


@pytest.mark.anyio
async def test_an_unserialisable_result_is_a_clear_type_error() -> None:
    @tool
    def bad() -> object:
        return object()

    with pytest.raises(TypeError, match="not JSON-serialisable"):
        await bad.invoke({})


def test_without_docstring_parser_the_whole_docstring_is_the_description(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "docstring_parser", None)  # import now raises ImportError

    @tool
    def area(width: float) -> float:
        """Area of a square.

        Args:
            width: Side length in metres.
        """
        return width * width

    assert area.description == "Area of a square.\n\nArgs:\n    width: Side length in metres."
    assert "description" not in area.input_schema["properties"]["width"]
