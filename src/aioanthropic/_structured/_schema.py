"""Output schemas: from a Python type to what each structured-output mode sends.

Pure functions, no I/O. ``OutputSpec`` holds the ``TypeAdapter`` that validates the model's
answer and the JSON schema pydantic emits for it. A root that is not an object (a list, a
string, a union...) is wrapped as ``{"value": ...}``: tool inputs must be objects (Messages API,
``tools[].input_schema``) and so must JSON outputs (structured outputs docs).

``native_schema`` adapts a schema to what the API's JSON outputs accept. Per the structured
outputs docs ("JSON Schema limitations"): every object must say ``additionalProperties: false``;
supported are the basic types, ``enum`` and ``const``, ``anyOf`` and ``allOf``, local
``$ref``/``$defs``, ``required``, a list of string ``format``s, and ``minItems`` of 0 or 1;
not supported are recursive schemas, numeric bounds (``minimum``, ``maximum``,
``multipleOf``...), string lengths and patterns, other array bounds. As the official SDKs do, an
unsupported keyword is not dropped silently: it is moved into the ``description``, where the
model still reads it, and our own validation of the answer still enforces it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

__all__ = ["OutputSpec", "RecursiveSchemaError", "native_schema"]

T = TypeVar("T")

# Structured outputs docs, "JSON Schema limitations": the string formats JSON outputs support.
SUPPORTED_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
# Keywords kept as they are; any other is moved into the description.
_KEPT = frozenset(
    {
        "type",
        "properties",
        "required",
        "items",
        "enum",
        "const",
        "anyOf",
        "allOf",
        "$ref",
        "description",
        "title",
        "additionalProperties",
        "$defs",
    }
)
_TOOL_NAME = re.compile(r"[^a-zA-Z0-9_-]")


class RecursiveSchemaError(ValueError):
    """The schema refers to itself, which the API's JSON outputs do not support."""


class OutputSpec(Generic[T]):
    """What to ask for and how to check the answer, for one ``output_format``."""

    def __init__(self, output_format: type[T] | Any) -> None:
        self.output_format = output_format
        try:
            self.adapter: TypeAdapter[T] = TypeAdapter(output_format)
            schema = self.adapter.json_schema()
        except Exception as error:  # pydantic's errors differ by what went wrong
            raise TypeError(
                f"output_format must be a pydantic model or a type pydantic's TypeAdapter "
                f"can describe as JSON schema, not {output_format!r}: {error}"
            ) from None
        self.wrapped = schema.get("type") != "object"
        if self.wrapped:
            defs = schema.pop("$defs", None)
            schema = {"type": "object", "properties": {"value": schema}, "required": ["value"]}
            if defs:
                schema["$defs"] = defs
        self.schema: dict[str, Any] = schema
        title = getattr(output_format, "__name__", None) or "output"
        self.tool_name = _TOOL_NAME.sub("_", str(title))[:128] or "output"

    def validate_json(self, text: str) -> T:
        """Validate the model's JSON text; raises pydantic's ``ValidationError``."""
        if self.wrapped:
            return self.adapter.validate_python(_unwrap(TypeAdapter(dict).validate_json(text)))
        return self.adapter.validate_json(text)

    def validate_python(self, value: Any) -> T:
        """Validate a tool_use block's input; raises pydantic's ``ValidationError``."""
        return self.adapter.validate_python(_unwrap(value) if self.wrapped else value)


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"value"}:
        return value["value"]
    return value  # let validation say what is wrong with it


def native_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as the API's JSON outputs accept it (a new dict; the input is not changed).

    Raises ``RecursiveSchemaError`` for a schema whose ``$defs`` refer to themselves.
    """
    defs = schema.get("$defs") or {}
    _check_not_recursive(defs)
    adapted: dict[str, Any] = _adapt(schema)
    return adapted


def _adapt(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "$defs"):
            out[key] = {name: _adapt(sub) for name, sub in value.items()}
        elif key in ("anyOf", "allOf"):
            out[key] = [_adapt(sub) for sub in value]
        elif key == "oneOf":  # not supported; anyOf accepts what oneOf does, and more
            out["anyOf"] = [_adapt(sub) for sub in value]
        elif key == "items":
            out[key] = _adapt(value)
        elif key == "additionalProperties":
            continue  # set below for every object
        elif (
            key in _KEPT
            or (key == "format" and value in SUPPORTED_FORMATS)
            or (key == "minItems" and value in (0, 1))
        ):
            out[key] = value
        else:
            moved[key] = value
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
    if moved:
        note = ", ".join(f"{key}: {json.dumps(value)}" for key, value in moved.items())
        description = out.get("description")
        out["description"] = f"{description}\n\n{{{note}}}" if description else f"{{{note}}}"
    return out


def _check_not_recursive(defs: dict[str, Any]) -> None:
    refs = {name: _refs(sub) for name, sub in defs.items()}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = " -> ".join([*path[path.index(name) :], name])
            raise RecursiveSchemaError(
                f"the output schema is recursive ({cycle}), which the API's JSON outputs do not "
                "support; use mode='tool', or a schema without cycles"
            )
        visiting.add(name)
        for target in refs.get(name, ()):
            visit(target, [*path, name])
        visiting.discard(name)
        done.add(name)

    for name in refs:
        visit(name, [])


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found.add(ref[len("#/$defs/") :])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found
