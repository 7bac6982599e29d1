"""Request-body checks for POST /v1/messages and count_tokens, worded like the real 400s.

``check_messages_body`` returns the first problem as ``"<field path>: <message>"`` or ``None``.
First the shape: what the fake model relies on, plus the type of the common optional fields, so
a client that sends a wrong type finds out here rather than from a crash in the model. Then the
API's rules on well-shaped bodies (``_rules``). Unknown fields are accepted: the real API keeps
adding them.
"""

from __future__ import annotations

from typing import Any

from ._rules import DEFAULT_VERSION, check_rules

_TOOL_CHOICES = ("auto", "any", "tool", "none")
_THINKING_TYPES = ("enabled", "disabled", "adaptive", "between_tools")


def _is_int(value: Any) -> bool:
    # JSON true/false arrive as bool, which Python would happily count as an int.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_blocks(blocks: list[Any], where: str) -> str | None:
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            return f"{where}.{i}: Input should be a valid dictionary"
        kind = block.get("type")
        if kind is None:
            return f"{where}.{i}.type: Field required"
        if not isinstance(kind, str):
            return f"{where}.{i}.type: Input should be a valid string"
        if kind == "text" and not isinstance(block.get("text"), str):
            return f"{where}.{i}.text: Field required"
        if kind == "tool_result":
            if not isinstance(block.get("tool_use_id"), str):
                return f"{where}.{i}.tool_use_id: Field required"
            inner = block.get("content", "")
            if isinstance(inner, list):
                problem = _check_blocks(inner, f"{where}.{i}.content")
                if problem:
                    return problem
            elif not isinstance(inner, str):
                return f"{where}.{i}.content: Input should be a valid string or list"
    return None


def _check_message(message: Any, where: str) -> str | None:
    if not isinstance(message, dict):
        return f"{where}: Input should be a valid dictionary"
    if "role" not in message:
        return f"{where}.role: Field required"
    if message["role"] not in ("user", "assistant"):
        return f"{where}.role: Input should be 'user' or 'assistant'"
    if "content" not in message:
        return f"{where}.content: Field required"
    content = message["content"]
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return f"{where}.content: Input should be a valid string or list of content blocks"
    return _check_blocks(content, f"{where}.content")


def _check_tools(body: dict[str, Any]) -> str | None:
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            return "tools: Input should be a valid list"
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict):
                return f"tools.{i}: Input should be a valid dictionary"
            if not isinstance(tool.get("name"), str):
                return f"tools.{i}.name: Field required"
            if "type" in tool and tool["type"] != "custom":
                continue  # server tools (web search...) have no input_schema
            if not isinstance(tool.get("input_schema"), dict):
                return f"tools.{i}.input_schema: Field required"
    choice = body.get("tool_choice")
    if choice is None:
        return None
    if not isinstance(choice, dict) or choice.get("type") not in _TOOL_CHOICES:
        return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"
    if choice["type"] == "tool":
        names = [t["name"] for t in tools or []]
        if choice.get("name") not in names:
            return f"tool_choice.name: Tool '{choice.get('name')}' not found in tools"
    if choice["type"] in ("any", "tool") and not tools:
        return "tool_choice: tool_choice may only be specified while providing tools"
    return None


def _check_optional(body: dict[str, Any]) -> str | None:
    if "stream" in body and not isinstance(body["stream"], bool):
        return "stream: Input should be a valid boolean"
    system = body.get("system")
    if system is not None:
        if isinstance(system, list):
            problem = _check_blocks(system, "system")
            if problem:
                return problem
        elif not isinstance(system, str):
            return "system: Input should be a valid string or list of text blocks"
    stops = body.get("stop_sequences")
    if stops is not None and (
        not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)
    ):
        return "stop_sequences: Input should be a valid list of strings"
    for name in ("temperature", "top_p"):
        if name in body and not _is_number(body[name]):
            return f"{name}: Input should be a valid number"
    if "top_k" in body and not _is_int(body["top_k"]):
        return "top_k: Input should be a valid integer"
    thinking = body.get("thinking")
    if thinking is not None:
        if not isinstance(thinking, dict) or thinking.get("type") not in _THINKING_TYPES:
            return (
                "thinking.type: Input should be 'enabled', 'disabled', 'adaptive' or "
                "'between_tools'"
            )
        if thinking["type"] == "enabled" and not _is_int(thinking.get("budget_tokens")):
            return "thinking.enabled.budget_tokens: Input should be a valid integer"
    return _check_output_format(body) or _check_tools(body)


def _check_output_format(body: dict[str, Any]) -> str | None:
    config = body.get("output_config")
    if config is not None and not isinstance(config, dict):
        return "output_config: Input should be a valid dictionary"
    formats = [("output_format", body.get("output_format"))]
    if isinstance(config, dict):
        formats.append(("output_config.format", config.get("format")))
    for where, fmt in formats:
        if fmt is None:
            continue
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            return f"{where}.type: Input should be 'json_schema'"
        if not isinstance(fmt.get("schema"), dict):
            return f"{where}.schema: Field required"
    return None


def check_messages_body(body: Any, version: str = DEFAULT_VERSION) -> str | None:
    """The first problem with a /v1/messages body, or ``None`` when the model can answer it.

    ``version`` is the request's ``anthropic-version``: some rules depend on it (``_rules``).
    """
    return _check_body(body, need_max_tokens=True, version=version)


def check_count_tokens_body(body: Any, version: str = DEFAULT_VERSION) -> str | None:
    """The same checks for /v1/messages/count_tokens, whose body has no ``max_tokens``."""
    return _check_body(body, need_max_tokens=False, version=version)


def _check_body(body: Any, *, need_max_tokens: bool, version: str) -> str | None:
    if not isinstance(body, dict):
        return "Input should be a valid dictionary"
    if "model" not in body:
        return "model: Field required"
    if not isinstance(body["model"], str):
        return "model: Input should be a valid string"
    if need_max_tokens:
        if "max_tokens" not in body:
            return "max_tokens: Field required"
        if not _is_int(body["max_tokens"]):
            return "max_tokens: Input should be a valid integer"
        if body["max_tokens"] < 1:
            return "max_tokens: Input should be greater than or equal to 1"
    if "messages" not in body:
        return "messages: Field required"
    messages = body["messages"]
    if not isinstance(messages, list):
        return "messages: Input should be a valid list"
    if not messages:
        return "messages: at least one message is required"
    for i, message in enumerate(messages):
        problem = _check_message(message, f"messages.{i}")
        if problem:
            return problem
    return _check_optional(body) or check_rules(
        body, need_max_tokens=need_max_tokens, version=version
    )
