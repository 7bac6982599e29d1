"""``@tool``: a typed Python function becomes a tool the model can call.

How this works
--------------
The function's signature becomes a pydantic model with one field per parameter (defaults and
``Annotated[..., Field(...)]`` metadata kept), so the tool's ``input_schema`` is exactly the JSON
schema pydantic emits for it (``$defs``/``$ref`` for nested models, enums, ``Literal``,
``Optional``, lists) and the model's input is validated by the same model before the function
runs. Descriptions come from the docstring, parsed by ``docstring-parser`` (Google, NumPy, reST
and Epydoc parameter sections). The tool never raises bad model input into user code:
``invoke`` raises ``ToolInputError`` and the runner turns that into an ``is_error`` result.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar, cast, overload

import anyio.to_thread
import pydantic
import pydantic_core
from pydantic import BaseModel, ConfigDict, ValidationError

from aioanthropic._protocol.exceptions import ToolInputError
from aioanthropic.types import ToolParam

__all__ = ["FunctionTool", "ToolResultContent", "tool"]

R = TypeVar("R")

ToolResultContent = typing.Union[str, list[dict[str, Any]]]  # noqa: UP007
"""What a tool's result holds: a string, or a list of content block dicts (text, image...)."""

# The API's rule for tool names: the tool-use docs print {1,64}, the API's own 400 says
# {1,128} (see aioanthropic.testing._rules, which follows the API); we refuse what it refuses.
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
# Block types a tool_result's content may hold (Messages API reference, ``tool_result``).
_RESULT_BLOCK_TYPES = frozenset({"text", "image", "document", "search_result"})


class FunctionTool(Generic[R]):
    """A function the model can call, made by ``@tool``.

    ``name``, ``description`` and ``input_schema`` are what the model sees; ``to_param()`` gives
    the ``tools=[...]`` entry (the object itself is accepted there too). Calling the object
    calls the function unchanged; ``await invoke(input)`` validates a model's input, runs the
    function (a sync one in a worker thread) and returns the tool_result content.
    """

    __name__: str  # copied from the function, with its __doc__ and __qualname__

    def __init__(
        self, function: Callable[..., R], *, name: str | None = None, description: str | None = None
    ) -> None:
        self.function = function
        self.name = name if name is not None else function.__name__
        if not _NAME.match(self.name):
            raise ValueError(
                f"tool name {self.name!r} must match ^[a-zA-Z0-9_-]{{1,128}}$ (the Messages API's "
                "rule); pass @tool(name=...)"
            )
        summary, param_docs = _parse_docstring(function)
        self.description = description if description is not None else summary
        self.input_model = _input_model(function, self.name, param_docs)
        schema = self.input_model.model_json_schema()
        schema.pop("title", None)  # the generated model's name says nothing to the model
        self.input_schema: dict[str, Any] = schema
        self._is_async = inspect.iscoroutinefunction(function)
        functools.update_wrapper(self, function)

    def to_param(self) -> ToolParam:
        """The ``tools=[...]`` entry: ``{"name", "description", "input_schema"}``."""
        param: ToolParam = {"name": self.name, "input_schema": self.input_schema}
        if self.description:
            param["description"] = self.description
        return param

    def __call__(self, *args: Any, **kwargs: Any) -> R:
        return self.function(*args, **kwargs)

    def validate_input(self, input: Mapping[str, Any]) -> dict[str, Any]:
        """The function's keyword arguments from a model's ``tool_use.input``.

        Raises ``ToolInputError`` (what was wrong, per field) when the input does not validate.
        """
        try:
            validated = self.input_model.model_validate(input)
        except ValidationError as error:
            raise ToolInputError(self.name, error) from None
        # Attributes, not model_dump(): nested pydantic models reach the function as models.
        return {field: getattr(validated, field) for field in type(validated).model_fields}

    async def invoke(self, input: Mapping[str, Any]) -> ToolResultContent:
        """Validate ``input``, run the function and return the tool_result content.

        Raises ``ToolInputError`` for invalid input, and whatever the function raises. A sync
        function runs in anyio's worker threads; if the call is cancelled (a ``tool_timeout``),
        the thread is abandoned and finishes in the background, as threads cannot be stopped.
        """
        kwargs = self.validate_input(input)
        if self._is_async:
            result: Any = await cast("Callable[..., Awaitable[Any]]", self.function)(**kwargs)
        else:
            result = await anyio.to_thread.run_sync(
                functools.partial(self.function, **kwargs), abandon_on_cancel=True
            )
        return to_result_content(result)

    def __repr__(self) -> str:
        return f"<FunctionTool {self.name}>"


def to_result_content(result: object) -> ToolResultContent:
    """A tool's return value as tool_result content.

    ``str`` is sent as is; a list of content block dicts (``type`` text, image, document or
    search_result) as blocks; anything else (a pydantic model, dataclass, dict, list, number,
    None...) as JSON text, encoded by pydantic so that models, dates and enums work.
    """
    if isinstance(result, str):
        return result
    if isinstance(result, list) and result and all(_is_block(item) for item in result):
        return [dict(item) for item in result]
    if isinstance(result, BaseModel):
        return result.model_dump_json()
    try:
        return pydantic_core.to_json(result).decode()
    except pydantic_core.PydanticSerializationError as error:
        raise TypeError(
            f"a tool returned a {type(result).__name__}, which is not JSON-serialisable: "
            "return a str, content blocks, a pydantic model or JSON-compatible values"
        ) from error


def _is_block(item: object) -> bool:
    return isinstance(item, Mapping) and item.get("type") in _RESULT_BLOCK_TYPES


def _parse_docstring(function: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """The tool's description and each parameter's, from the docstring."""
    doc = inspect.getdoc(function)
    if not doc:
        return "", {}
    try:
        import docstring_parser
    except ImportError:  # the [tools] extra is not installed: the whole docstring, unparsed
        return doc, {}
    parsed = docstring_parser.parse(doc)
    parts = [p for p in (parsed.short_description, parsed.long_description) if p]
    params = {p.arg_name: p.description for p in parsed.params if p.description}
    return "\n\n".join(parts), params


def _input_model(
    function: Callable[..., Any], tool_name: str, param_docs: Mapping[str, str]
) -> type[BaseModel]:
    signature = inspect.signature(function)
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except NameError as error:
        raise TypeError(
            f"cannot resolve the annotations of {function.__qualname__}: {error}"
        ) from None
    fields: dict[str, Any] = {}
    for param in signature.parameters.values():
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise TypeError(
                f"@tool cannot describe *{param.name} or **{param.name} of "
                f"{function.__qualname__} to the model: give every parameter a name and a type"
            )
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise TypeError(
                f"@tool calls {function.__qualname__} by keyword; {param.name} is positional-only"
            )
        annotation = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        doc = param_docs.get(param.name)
        field = pydantic.Field(default, description=doc) if doc else pydantic.Field(default)
        fields[param.name] = (annotation, field)
    return pydantic.create_model(
        f"{tool_name}_input",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )


@overload
def tool(function: Callable[..., R], /) -> FunctionTool[R]: ...


@overload
def tool(
    *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[..., R]], FunctionTool[R]]: ...


def tool(
    function: Callable[..., R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
) -> FunctionTool[R] | Callable[[Callable[..., R]], FunctionTool[R]]:
    """Make a sync or async function a tool: ``@tool`` or ``@tool(name=..., description=...)``.

    The ``input_schema`` comes from the signature through pydantic; the description and the
    parameters' descriptions from the docstring (install ``aioanthropic[tools]`` for
    ``docstring-parser``; without it the whole docstring is the description). Raises
    ``TypeError`` for ``*args``/``**kwargs``, positional-only parameters or types pydantic
    cannot describe, and ``ValueError`` for a name the API would refuse.
    """
    if function is not None:
        return FunctionTool(function, name=name, description=description)

    def decorate(function: Callable[..., R]) -> FunctionTool[R]:
        return FunctionTool(function, name=name, description=description)

    return decorate
