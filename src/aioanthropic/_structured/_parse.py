"""``client.messages.parse(output_format=..., ...)``: a reply validated into a Python type.

How this works
--------------
``mode="native"`` sends the adapted schema as ``output_config.format`` (structured outputs
docs: ``{"type": "json_schema", "schema": ...}``) and validates the text of the reply;
``mode="tool"`` offers one tool whose ``input_schema`` is the schema, forces it with
``tool_choice``, and validates the tool's input (this works on gateways without JSON outputs);
``mode="auto"`` tries native and, if the server answers that it does not support it (a 400 that
names ``output_config``/``output_format`` or structured outputs), sends the request again in
tool mode. A refusal or a ``max_tokens`` stop raises (the reply is on the error); output that
does not validate raises ``OutputValidationError`` unless ``validation_retries`` allows asking
again, with the errors, in the same conversation.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import ValidationError

from aioanthropic._protocol.exceptions import (
    APIStatusError,
    OutputRefusedError,
    OutputTruncatedError,
    OutputValidationError,
)
from aioanthropic._protocol.responses import Message
from aioanthropic.types import MessageParam, TextBlock, ToolUseBlock

from ._schema import OutputSpec, RecursiveSchemaError, native_schema

__all__ = ["MessagesAPI", "Mode", "ParsedMessage", "ParsedTextBlock", "parse"]


class MessagesAPI(Protocol):
    """What the helpers need of ``client.messages``: ``create`` returning models."""

    @property
    def create(self) -> Callable[..., Awaitable[Any]]: ...


T = TypeVar("T")
Mode = Literal["auto", "native", "tool"]
_MODES = ("auto", "native", "tool")


class ParsedTextBlock(TextBlock, Generic[T]):
    """A text block whose JSON was validated: ``parsed_output`` is the value."""

    parsed_output: T | None = None


class ParsedMessage(Message, Generic[T]):
    """A ``Message`` with ``parsed_output``: the reply validated into ``output_format``.

    In native mode the text block that held the JSON is a ``ParsedTextBlock`` with the same
    ``parsed_output``; in tool mode the value came from the forced tool's input.
    """

    parsed_output: T | None = None


def native_unsupported(error: APIStatusError) -> bool:
    """Does this error say the server does not support JSON outputs (so tool mode may)?

    A 400 (or 404/422, as some gateways answer unknown parameters) whose message names the
    parameter or the feature. An overloaded or rate-limited server says no such thing.
    """
    if error.status_code not in (400, 404, 422):
        return False
    text = f"{error.message} {error.body}".lower()
    return any(word in text for word in ("output_config", "output_format", "structured output"))


def request_params(
    spec: OutputSpec[Any], mode: Literal["native", "tool"], params: Mapping[str, Any]
) -> dict[str, Any]:
    """The create() keyword arguments that ask for ``spec`` in this mode."""
    out = dict(params)
    if mode == "native":
        extra = dict(out.get("extra_body") or {})
        config = dict(extra.get("output_config") or {})
        config["format"] = {"type": "json_schema", "schema": native_schema(spec.schema)}
        extra["output_config"] = config
        out["extra_body"] = extra
        return out
    if "tool_choice" in out:
        raise TypeError(
            "mode='tool' forces its own tool_choice; leave tool_choice out, or use mode='native'"
        )
    thinking = out.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") not in (None, "disabled"):
        # Extended thinking docs: with thinking on, tool_choice may only be auto or none.
        raise TypeError(
            "mode='tool' forces a tool_choice, which the API refuses with extended thinking; "
            "use mode='native', or turn thinking off"
        )
    tool = {
        "name": spec.tool_name,
        "description": "Give the answer as this tool's input.",
        "input_schema": spec.schema,
    }
    out["tools"] = [*list(out.get("tools") or ()), tool]
    out["tool_choice"] = {"type": "tool", "name": spec.tool_name}
    return out


def check_stop(message: Message) -> None:
    """Raise for a reply that cannot hold the output: a refusal or a ``max_tokens`` stop."""
    if message.stop_reason == "refusal":
        raise OutputRefusedError(
            "The model refused to answer (stop_reason='refusal'); the reply is on .message",
            message=message,
        )
    if message.stop_reason == "max_tokens":
        raise OutputTruncatedError(
            "The output was cut off at max_tokens before it was complete; raise max_tokens "
            "(the partial reply is on .message)",
            message=message,
        )


def extract(
    spec: OutputSpec[T], mode: Literal["native", "tool"], message: Message
) -> ParsedMessage[T]:
    """Validate the output in ``message``; raises ``OutputValidationError``."""
    check_stop(message)
    if mode == "tool":
        call = next(
            (
                b
                for b in message.content
                if isinstance(b, ToolUseBlock) and b.name == spec.tool_name
            ),
            None,
        )
        raw = json.dumps(call.input) if call is not None else ""
        if call is None:
            raise OutputValidationError(
                f"The reply has no call to the {spec.tool_name!r} output tool",
                message=message,
                raw=raw,
                errors=[],
            )
        try:
            value = spec.validate_python(call.input)
        except ValidationError as error:
            raise _invalid(message, raw, error) from None
        return _parsed(message, value, text_block=None)
    texts = [b for b in message.content if isinstance(b, TextBlock)]
    raw = "".join(b.text for b in texts)
    try:
        value = spec.validate_json(raw)
    except ValidationError as error:
        raise _invalid(message, raw, error) from None
    return _parsed(message, value, text_block=texts[0] if len(texts) == 1 else None)


def _invalid(message: Message, raw: str, error: ValidationError) -> OutputValidationError:
    errors = error.errors(include_url=False, include_input=False)
    lines = [f"- {'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}" for e in errors]
    return OutputValidationError(
        "The output does not match the requested format:\n" + "\n".join(lines),
        message=message,
        raw=raw,
        errors=errors,
    )


def _parsed(message: Message, value: T, *, text_block: TextBlock | None) -> ParsedMessage[T]:
    fields = dict(message)
    if text_block is not None:
        block: ParsedTextBlock[T] = ParsedTextBlock.model_validate(
            {**dict(text_block), "parsed_output": value}
        )
        fields["content"] = [block if b is text_block else b for b in message.content]
    parsed: ParsedMessage[T] = ParsedMessage.model_validate({**fields, "parsed_output": value})
    parsed._request_id = message._request_id
    parsed._retries_taken = message._retries_taken
    return parsed


def retry_turns(
    mode: Literal["native", "tool"], message: Message, error: OutputValidationError
) -> list[MessageParam]:
    """The turns that ask the model to correct an invalid output, with the errors."""
    feedback = f"{error}\nAnswer again, following the format exactly."
    assistant: MessageParam = {"role": "assistant", "content": message.content}
    call = next((b for b in message.content if isinstance(b, ToolUseBlock)), None)
    if mode == "tool" and call is not None:
        result: Any = {
            "type": "tool_result",
            "tool_use_id": call.id,
            "content": feedback,
            "is_error": True,
        }
        return [assistant, {"role": "user", "content": [result]}]
    return [assistant, {"role": "user", "content": feedback}]


def choose_mode(spec: OutputSpec[Any], mode: str) -> Literal["native", "tool"]:
    """The first mode to try; a recursive schema goes straight to tool mode under auto."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, not {mode!r}")
    if mode == "tool":
        return "tool"
    try:
        native_schema(spec.schema)
    except RecursiveSchemaError:
        if mode == "native":
            raise
        return "tool"
    return "native"


async def parse(
    api: MessagesAPI,
    *,
    output_format: type[T] | Any,
    mode: Mode = "auto",
    validation_retries: int = 0,
    params: Mapping[str, Any],
) -> ParsedMessage[T]:
    """See ``Messages.parse``."""
    if validation_retries < 0:
        raise ValueError(f"validation_retries must be 0 or more, got {validation_retries}")
    if "stream" in params:
        raise TypeError("parse() does not stream; use messages.stream(output_format=...)")
    spec: OutputSpec[T] = OutputSpec(output_format)
    current = choose_mode(spec, mode)
    history: list[MessageParam] = list(params.get("messages", ()))
    attempts = 0
    while True:
        body = request_params(spec, current, {**params, "messages": history})
        try:
            message: Message = await api.create(**body)
        except APIStatusError as error:
            if mode == "auto" and current == "native" and native_unsupported(error):
                current = "tool"
                continue
            raise
        try:
            return extract(spec, current, message)
        except OutputValidationError as error:
            if attempts >= validation_retries:
                raise
            attempts += 1
            history = [*history, *retry_turns(current, message, error)]
