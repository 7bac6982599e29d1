"""A value valid against a JSON Schema, made up by the fake model for tool inputs and JSON output.

``sample`` walks the schema once, depth first, and fills in every property it declares, so a
test sees every field. How each keyword is honoured:

* ``$ref`` to ``#/$defs/...`` or ``#/definitions/...`` (any local JSON pointer) is followed, as
  pydantic emits it for nested models. A reference already being expanded higher up (a recursive
  schema) is not expanded again: an optional property holding it is left out, an ``anyOf`` takes
  another branch, an array stays empty when ``minItems`` allows. A schema with no finite instance
  raises ``SchemaError``.
* ``const``, then ``enum`` (its first member), then ``default`` win over everything else.
* ``anyOf`` / ``oneOf``: the first branch that can be filled; ``allOf`` (and constraints
  written beside a ``$ref``): the object parts merged, their properties and ``required`` joined.
* ``type`` (a list takes its first non-null member), ``properties`` + ``required``,
  ``items`` / ``prefixItems`` with ``minItems`` / ``maxItems``, ``minimum`` / ``maximum`` and
  their exclusive forms, ``minLength`` / ``maxLength``, and the string ``format``s that the
  structured-output docs list (date-time, time, date, duration, email, hostname, uri, uuid,
  ipv4, ipv6).
* Not honoured: ``pattern``, ``multipleOf`` beyond integers, ``not``, ``if``/``then``,
  ``dependentRequired``, remote ``$ref``s; such a schema may get an invalid value.
"""

from __future__ import annotations

import math
from typing import Any

_FORMATS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "duration": "P1D",
    "email": "fake@example.com",
    "idn-email": "fake@example.com",
    "hostname": "example.com",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}


# Keywords that describe rather than constrain: ignored when merging constraints.
_ANNOTATIONS = frozenset(
    {"$defs", "definitions", "$schema", "$id", "title", "description", "examples", "$comment"}
)


class SchemaError(ValueError):
    """The schema has no value the fake model can produce (a required cycle, a bad ``$ref``)."""


_Props = dict[str, list[tuple[Any, tuple[str, ...]]]]
"""Property name -> the schemas it must fit, each with the refs expanded above it."""


class _Cycle(Exception):
    """Raised inside the walk when a reference would recurse; callers pick another way."""


def sample(schema: Any, word: str = "fake") -> Any:
    """A value valid against ``schema`` (see the module docstring); strings are ``word``.

    Raises ``SchemaError`` when the schema has no finite value or a ``$ref`` points nowhere.
    """
    try:
        return _Walker(schema, word).value(schema, ())
    except _Cycle:
        raise SchemaError("the schema is recursive with no way out: no finite value") from None


class _Walker:
    def __init__(self, root: Any, word: str) -> None:
        self._root = root
        self._word = word

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaError(f"$ref {ref!r}: only local references (#/...) are supported")
        node = self._root
        for part in ref[1:].split("/")[1:] if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise SchemaError(f"$ref {ref!r} points to nothing in the schema")
            node = node[part]
        return node

    def value(self, schema: Any, refs: tuple[str, ...]) -> Any:
        if schema is True or not isinstance(schema, dict):
            return self._word
        if "$ref" in schema:
            if "default" in schema:
                return schema["default"]
            siblings = {k: v for k, v in schema.items() if k != "$ref" and k not in _ANNOTATIONS}
            if siblings:  # constraints beside a $ref apply too: both must hold
                return self._all_of({"allOf": [{"$ref": schema["$ref"]}, siblings]}, refs)
            target, refs = self._deref(schema, refs)
            return self.value(target, refs)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        if "default" in schema:
            return schema["default"]
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                return self._first_branch(schema[key], refs)
        if schema.get("allOf"):
            return self._all_of(schema, refs)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or (kind is None and ("properties" in schema or "required" in schema)):
            return self._object(schema, refs)
        if kind == "array" or (kind is None and ("items" in schema or "prefixItems" in schema)):
            return self._array(schema, refs)
        if kind in ("integer", "number"):
            return _number(schema, kind)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self._string(schema)

    def _deref(self, schema: dict[str, Any], refs: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
        """Follow a chain of ``$ref``s; the refs followed join ``refs`` (for cycle checks)."""
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if ref in refs:
                raise _Cycle
            refs = (*refs, ref)
            schema = self._resolve(ref)
        return schema, refs

    def _first_branch(self, branches: list[Any], refs: tuple[str, ...]) -> Any:
        for branch in branches:
            try:
                return self.value(branch, refs)
            except _Cycle:
                continue
        raise _Cycle

    def _all_of(self, schema: dict[str, Any], refs: tuple[str, ...]) -> Any:
        """Every part must hold: object parts are merged (properties, required), else the
        first part decides (``allOf`` over scalars is rare and not merged)."""
        rest = {k: v for k, v in schema.items() if k != "allOf" and k not in _ANNOTATIONS}
        pending = [(part, refs) for part in [*schema["allOf"], rest]]
        props: _Props = {}
        required: list[str] = []
        while pending:
            part, part_refs = pending.pop(0)
            if isinstance(part, dict):
                part, part_refs = self._deref(part, part_refs)
            if not isinstance(part, dict) or not part:
                continue
            if part.get("allOf"):
                inner = {k: v for k, v in part.items() if k != "allOf" and k not in _ANNOTATIONS}
                pending[:0] = [(p, part_refs) for p in [*part["allOf"], inner]]
                continue
            if not (part.get("type") == "object" or "properties" in part or "required" in part):
                return self.value(part, part_refs)
            for name, sub in (part.get("properties") or {}).items():
                props.setdefault(name, []).append((sub, part_refs))
            required += [r for r in part.get("required") or [] if r not in required]
        return self._fill(props, required)

    def _object(self, schema: dict[str, Any], refs: tuple[str, ...]) -> dict[str, Any]:
        props = {name: [(sub, refs)] for name, sub in (schema.get("properties") or {}).items()}
        return self._fill(props, list(schema.get("required") or []))

    def _fill(self, props: _Props, required: list[str]) -> dict[str, Any]:
        """An object with every property; one declared by several allOf parts must fit all."""
        out = {}
        for name in [*props, *(r for r in required if r not in props)]:
            schemas = props.get(name, [({}, ())])  # required but undescribed: anything goes
            try:
                if len(schemas) == 1:
                    out[name] = self.value(*schemas[0])
                else:
                    deepest = max((r for _, r in schemas), key=len)
                    out[name] = self._all_of({"allOf": [sub for sub, _ in schemas]}, deepest)
            except _Cycle:
                if name in required:
                    raise
        return out

    def _array(self, schema: dict[str, Any], refs: tuple[str, ...]) -> list[Any]:
        prefix = list(schema.get("prefixItems") or [])
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        count = max(low, len(prefix), 1)
        if high is not None:
            count = min(count, int(high))
        items = schema.get("items", {})
        out = []
        for i in range(count):
            sub = prefix[i] if i < len(prefix) else items
            try:
                out.append(self.value(sub, refs))
            except _Cycle:
                if i < max(low, len(prefix)):
                    raise
                break
        return out

    def _string(self, schema: dict[str, Any]) -> str:
        fmt = schema.get("format")
        if fmt in _FORMATS:
            return _FORMATS[fmt]
        text = self._word or "fake"
        # Pad rather than invent: the value stays recognisably derived from the prompt.
        while len(text) < int(schema.get("minLength", 0)):
            text += self._word or "x"
        if "maxLength" in schema:
            text = text[: int(schema["maxLength"])]
        return text


def _number(schema: dict[str, Any], kind: str) -> int | float:
    value: float = 1 if kind == "integer" else 1.5
    step = 1 if kind == "integer" else 0.5
    if "minimum" in schema:
        value = max(value, schema["minimum"])
    if "exclusiveMinimum" in schema:
        value = max(value, schema["exclusiveMinimum"] + step)
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    if "exclusiveMaximum" in schema:
        value = min(value, schema["exclusiveMaximum"] - step)
    if kind == "integer":
        value = math.ceil(value)
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int) and multiple > 0 and value % multiple:
            value += multiple - value % multiple
    return value
