"""Output schemas: wrapping, adaptation for the API's JSON outputs, and the fallback rule."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from aioanthropic import APIStatusError, BadRequestError, OverloadedError
from aioanthropic._structured._parse import native_unsupported
from aioanthropic._structured._schema import OutputSpec, RecursiveSchemaError, native_schema


class Person(BaseModel):
    name: Annotated[str, Field(min_length=2, description="Full name")]
    age: Annotated[int, Field(ge=0, le=150)]
    email: Annotated[str, Field(json_schema_extra={"format": "email"})]
    website: Annotated[str, Field(json_schema_extra={"format": "color"})] = ""
    tags: Annotated[list[str], Field(min_length=1, max_length=5)] = []


class Tree(BaseModel):
    children: list[Tree] = []


def test_every_object_gets_additional_properties_false_defs_included() -> None:
    class Team(BaseModel):
        lead: Person
        members: list[Person]

    schema = native_schema(OutputSpec(Team).schema)
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Person"]["additionalProperties"] is False
    assert schema["properties"]["lead"] == {"$ref": "#/$defs/Person"}


def test_unsupported_keywords_move_into_the_description() -> None:
    props = native_schema(OutputSpec(Person).schema)["properties"]
    assert props["name"]["description"] == "Full name\n\n{minLength: 2}"
    assert "minLength" not in props["name"]
    assert props["age"]["description"] == "{maximum: 150, minimum: 0}"
    assert props["email"]["format"] == "email"  # a supported format stays
    assert "format" not in props["website"]
    assert props["website"]["description"] == '{default: "", format: "color"}'
    assert props["tags"]["minItems"] == 1  # 0 and 1 are supported
    assert "maxItems: 5" in props["tags"]["description"]


def test_one_of_becomes_any_of() -> None:
    schema = {"type": "object", "properties": {"x": {"oneOf": [{"type": "string"}]}}}
    assert native_schema(schema)["properties"]["x"] == {"anyOf": [{"type": "string"}]}


def test_adaptation_does_not_change_its_input() -> None:
    spec: OutputSpec[Person] = OutputSpec(Person)
    before = repr(spec.schema)
    native_schema(spec.schema)
    assert repr(spec.schema) == before


def test_recursive_schemas_are_refused_with_the_cycle_named() -> None:
    with pytest.raises(RecursiveSchemaError, match=r"Tree -> Tree.*mode='tool'"):
        native_schema(OutputSpec(Tree).schema)


@pytest.mark.parametrize(
    ("output_format", "text", "expected"),
    [
        (list[int], '{"value": [1, 2]}', [1, 2]),
        (str, '{"value": "hi"}', "hi"),
        (int | None, '{"value": null}', None),
    ],
)
def test_non_object_roots_are_wrapped_and_unwrapped(
    output_format: Any, text: str, expected: Any
) -> None:
    spec = OutputSpec(output_format)
    assert spec.wrapped
    assert spec.schema["type"] == "object"
    assert spec.schema["required"] == ["value"]
    assert spec.validate_json(text) == expected


def test_a_type_pydantic_cannot_describe_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="output_format must be"):
        OutputSpec(object())


def _error(cls: type[APIStatusError], status: int, message: str) -> APIStatusError:
    return cls(message, status_code=status, body={"error": {"message": message}})


@pytest.mark.parametrize(
    ("error", "fallback"),
    [
        (_error(BadRequestError, 400, "output_config: Extra inputs are not permitted"), True),
        (_error(BadRequestError, 400, "output_format: unknown parameter"), True),
        (_error(BadRequestError, 400, "Structured outputs are not supported by m"), True),
        (_error(APIStatusError, 422, "unknown field output_config"), True),
        (_error(BadRequestError, 400, "messages: Field required"), False),
        (_error(OverloadedError, 529, "output_config overloaded"), False),
    ],
)
def test_when_auto_mode_falls_back_to_tool_mode(error: APIStatusError, fallback: bool) -> None:
    assert native_unsupported(error) is fallback
