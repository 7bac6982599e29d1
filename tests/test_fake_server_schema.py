"""The fake model's made-up values are valid, checked by a real JSON Schema validator.

``_schema.sample`` is pure, so these tests call it directly; ``jsonschema`` (Draft 2020-12, with
format checking) is the judge, not our own code.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any, Literal

import jsonschema
import pydantic
import pytest

from aioanthropic.testing._schema import SchemaError, sample

VALIDATOR = jsonschema.Draft202012Validator
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Point(pydantic.BaseModel):
    x: float = pydantic.Field(gt=0, lt=1)
    y: int = pydantic.Field(ge=10, multiple_of=7)


class Shape(pydantic.BaseModel):
    name: str = pydantic.Field(min_length=8, max_length=10)
    colour: Colour
    corners: list[Point] = pydantic.Field(min_length=3, max_length=3)
    pair: tuple[int, str]
    tags: set[str]
    meta: dict[str, float]
    created: datetime.datetime
    mode: Literal["a", "b"] = "b"
    parent: Shape | None = None
    children: list[Shape] = []


SCHEMAS: list[tuple[str, Any]] = [
    ("pydantic nested, recursive", Shape.model_json_schema()),
    ("pydantic serialization", Shape.model_json_schema(mode="serialization")),
    (
        "definitions and allOf",
        {
            "definitions": {
                "base": {"type": "object", "properties": {"id": {"type": "integer"}}},
                "more": {"type": "object", "properties": {"tag": {"type": "string"}}},
            },
            "allOf": [{"$ref": "#/definitions/base"}, {"$ref": "#/definitions/more"}],
            "required": ["id", "tag"],
        },
    ),
    (
        "formats",
        {
            "type": "object",
            "properties": {
                f: {"type": "string", "format": f}
                for f in ("date-time", "date", "time", "email", "uri", "uuid", "ipv4", "ipv6")
            },
            "required": ["date-time", "uuid"],
            "additionalProperties": False,
        },
    ),
    (
        "exclusive bounds",
        {
            "type": "object",
            "properties": {
                "n": {"type": "number", "exclusiveMinimum": 5, "exclusiveMaximum": 6},
                "i": {"type": "integer", "minimum": 2.5},
                "neg": {"type": "integer", "maximum": -3},
            },
        },
    ),
    (
        "nullable type list and anyOf",
        {
            "type": "object",
            "properties": {
                "a": {"type": ["null", "string"]},
                "b": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
                "c": {"oneOf": [{"const": 3}, {"type": "string"}]},
            },
        },
    ),
    (
        "arrays",
        {
            "type": "array",
            "prefixItems": [{"type": "integer"}, {"enum": ["x", "y"]}],
            "items": {"type": "boolean"},
            "minItems": 4,
        },
    ),
    ("empty max items", {"type": "array", "items": {"type": "string"}, "maxItems": 0}),
    ("escaped pointer", {"$defs": {"a/b": {"const": 1}}, "$ref": "#/$defs/a~1b"}),
]


@pytest.mark.parametrize("schema", [pytest.param(s, id=i) for i, s in SCHEMAS])
def test_sample_is_valid(schema: Any) -> None:
    value = sample(schema, "Paris")
    VALIDATOR(schema, format_checker=FORMATS).validate(value)


def test_pydantic_validates_the_sample_too() -> None:
    shape = Shape.model_validate(sample(Shape.model_json_schema(), "Lyon"))
    assert shape.colour is Colour.RED
    assert len(shape.corners) == 3
    assert shape.children == []
    assert shape.name == "LyonLyon"  # padded to minLength, recognisably from the prompt


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {
                "$defs": {
                    "A": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}},
                },
                "$ref": "#/$defs/A",
                "required": ["a"],
            },
            "recursive",
        ),
        ({"$ref": "#/$defs/missing"}, "points to nothing"),
        ({"$ref": "https://example.com/schema.json"}, "only local references"),
    ],
)
def test_unsatisfiable_schemas_raise(schema: Any, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        sample(schema, "x")
