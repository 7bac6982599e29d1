"""The Messages API's rules beyond shape, each answered with the API's own 400 wording.

``check_rules`` runs after ``_validation`` has checked the body's shape, so every field it reads
has the right type. It returns the first broken rule's message (all are 400
``invalid_request_error``), or ``None``. Where each rule comes from:

* content: every message but a final assistant one has non-empty content; text blocks are
  non-empty; block types are those the API's ``ContentBlockParam`` union lists; image and
  document blocks have a ``source``. (Messages docs; wording from the API's 400s.)
* tools: a ``tool_result`` answers a ``tool_use`` of the message just before it, and every
  ``tool_use`` followed by another message is answered in that next message (tool-use docs).
* prefill: a final assistant message must not end in whitespace.
* thinking: ``budget_tokens`` at least 1024 and below ``max_tokens``; no thinking with a forced
  ``tool_choice`` or with a ``temperature`` other than 1 (extended-thinking docs).
* sampling: ``temperature`` and ``top_p`` within 0..1, ``top_k`` not negative (API reference).
* tools: custom tool names match ``^[a-zA-Z0-9_-]{1,128}$`` and are unique. The tool-use docs
  still print ``{1,64}``; the API has answered with the 128 pattern since mid-2025, and a fake
  stricter than the API would fail code that works live.
* at most 4 blocks with ``cache_control`` (prompt-caching docs).
* catalogue models only (models docs): ``max_tokens`` at most the model's ``max_tokens``;
  structured output and each ``thinking.type`` only where its ``capabilities`` say supported
  (the docs give no wording for these two; ours names the field and the model). Unknown models
  are not checked.
* API version ``2026-10-21`` (versioning docs, migration guide): ``temperature``, ``top_p`` and
  ``top_k`` are removed (any value is a 400, worded "Extra inputs are not permitted" as the API
  does); a ``document`` block in an assistant message and a user text block with non-empty
  ``citations`` are 400s (the docs give no wording for these two; ours says what is wrong).
"""

from __future__ import annotations

import re
from typing import Any

from ._catalogue import find_model
from ._responder import output_schema

BLOCK_TYPES = frozenset(
    {
        "text",
        "image",
        "document",
        "search_result",
        "thinking",
        "redacted_thinking",
        "tool_use",
        "tool_result",
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "container_upload",
    }
)
"""Input block types, from the official SDK's ``ContentBlockParam`` union."""

VERSIONS = ("2023-01-01", "2023-06-01", "2026-10-21")
"""The ``anthropic-version`` values the versioning docs list; others get a 400."""
DEFAULT_VERSION = "2023-06-01"
_SAMPLING = ("temperature", "top_p", "top_k")
MAX_CACHE_BREAKPOINTS = 4
TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,128}")
_THINKING_DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
_CONSIDERATIONS = "important-considerations-when-using-extended-thinking"
_EXPECTED_TAGS = ", ".join(f"'{t}'" for t in sorted(BLOCK_TYPES))


def check_rules(
    body: dict[str, Any], *, need_max_tokens: bool, version: str = DEFAULT_VERSION
) -> str | None:
    """The first rule ``body`` breaks, worded as the API's 400 message; ``None`` if none."""
    return (
        (_check_version_2026(body) if version >= "2026-10-21" else None)
        or _check_content(body["messages"])
        or _check_tool_pairs(body["messages"])
        or _check_prefill(body["messages"])
        or _check_sampling(body)
        or _check_thinking(body, need_max_tokens=need_max_tokens)
        or _check_tool_names(body.get("tools") or [])
        or _check_cache_breakpoints(body)
        or _check_model(body, need_max_tokens=need_max_tokens)
    )


def _check_version_2026(body: dict[str, Any]) -> str | None:
    for name in _SAMPLING:
        if name in body:
            return f"{name}: Extra inputs are not permitted"
    for i, message in enumerate(body["messages"]):
        for j, block in enumerate(_blocks(message["content"])):
            if message["role"] == "assistant" and block["type"] == "document":
                return (
                    f"messages.{i}.content.{j}: document blocks are not allowed in assistant "
                    "messages in API version 2026-10-21"
                )
            if message["role"] == "user" and block["type"] == "text" and block.get("citations"):
                return (
                    f"messages.{i}.content.{j}: text blocks in user messages cannot carry "
                    "citations in API version 2026-10-21"
                )
    return None


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [] if isinstance(content, str) else list(content)


def _check_content(messages: list[dict[str, Any]]) -> str | None:
    last = len(messages) - 1
    for i, message in enumerate(messages):
        content = message["content"]
        if not content and not (i == last and message["role"] == "assistant"):
            return (
                f"messages.{i}: all messages must have non-empty content except for the "
                "optional final assistant message"
            )
        for j, block in enumerate(_blocks(content)):
            kind = block["type"]
            if kind not in BLOCK_TYPES:
                return (
                    f"messages.{i}.content.{j}: Input tag '{kind}' found using 'type' does not "
                    f"match any of the expected tags: {_EXPECTED_TAGS}"
                )
            if kind == "text" and block["text"] == "":
                return "messages: text content blocks must be non-empty"
            if kind in ("image", "document") and "source" not in block:
                return f"messages.{i}.content.{j}.{kind}.source: Field required"
    return None


def _tool_use_ids(message: dict[str, Any]) -> list[str]:
    if message["role"] != "assistant":
        return []
    return [b["id"] for b in _blocks(message["content"]) if b["type"] == "tool_use" and "id" in b]


def _check_tool_pairs(messages: list[dict[str, Any]]) -> str | None:
    for i, message in enumerate(messages):
        offered = _tool_use_ids(messages[i - 1]) if i > 0 else []
        if message["role"] == "user":
            for j, block in enumerate(_blocks(message["content"])):
                if block["type"] == "tool_result" and block["tool_use_id"] not in offered:
                    return (
                        f"messages.{i}.content.{j}: unexpected `tool_use_id` found in "
                        f"`tool_result` blocks: {block['tool_use_id']}. Each `tool_result` block "
                        "must have a corresponding `tool_use` block in the previous message."
                    )
        asked = _tool_use_ids(message)
        if asked and i + 1 < len(messages):
            following = messages[i + 1]
            answered = {
                b["tool_use_id"]
                for b in _blocks(following["content"])
                if following["role"] == "user" and b["type"] == "tool_result"
            }
            missing = [tool_id for tool_id in asked if tool_id not in answered]
            if missing:
                return (
                    f"messages.{i}: `tool_use` ids were found without `tool_result` blocks "
                    f"immediately after: {', '.join(missing)}. Each `tool_use` block must have "
                    "a corresponding `tool_result` block in the next message."
                )
    return None


def _check_prefill(messages: list[dict[str, Any]]) -> str | None:
    final = messages[-1]
    if final["role"] != "assistant":
        return None
    content = final["content"]
    if isinstance(content, str):
        text = content
    else:
        blocks = _blocks(content)
        text = blocks[-1].get("text", "") if blocks and blocks[-1]["type"] == "text" else ""
    if text and text != text.rstrip():
        return "messages: final assistant content cannot end with trailing whitespace"
    return None


def _check_sampling(body: dict[str, Any]) -> str | None:
    for name in ("temperature", "top_p"):
        value = body.get(name)
        if value is not None and value < 0:
            return f"{name}: Input should be greater than or equal to 0"
        if value is not None and value > 1:
            return f"{name}: Input should be less than or equal to 1"
    top_k = body.get("top_k")
    if top_k is not None and top_k < 0:
        return "top_k: Input should be greater than or equal to 0"
    return None


def _check_thinking(body: dict[str, Any], *, need_max_tokens: bool) -> str | None:
    thinking = body.get("thinking")
    if not isinstance(thinking, dict) or thinking["type"] in ("disabled", "between_tools"):
        return None
    if thinking["type"] == "enabled":
        budget = thinking["budget_tokens"]
        if budget < 1024:
            return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        if need_max_tokens and budget >= body["max_tokens"]:
            return (
                "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                f"documentation at {_THINKING_DOCS}#max-tokens-and-context-window-size"
            )
    choice = body.get("tool_choice") or {}
    if choice.get("type") in ("any", "tool"):
        return "Thinking may not be enabled when tool_choice forces tool use."
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        return (
            "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
            f"documentation at {_THINKING_DOCS}#{_CONSIDERATIONS}"
        )
    return None


def _check_tool_names(tools: list[dict[str, Any]]) -> str | None:
    for i, tool in enumerate(tools):
        if tool.get("type", "custom") == "custom" and not TOOL_NAME.fullmatch(tool["name"]):
            return f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
    names = [tool["name"] for tool in tools]
    if len(names) != len(set(names)):
        return "tools: Tool names must be unique."
    return None


def _check_cache_breakpoints(body: dict[str, Any]) -> str | None:
    system = body.get("system")
    blocks = [*(body.get("tools") or []), *(system if isinstance(system, list) else [])]
    for message in body["messages"]:
        blocks += _blocks(message["content"])
    found = sum(1 for b in blocks if isinstance(b, dict) and b.get("cache_control") is not None)
    if found > MAX_CACHE_BREAKPOINTS:
        return (
            f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {found}."
        )
    return None


def _check_model(body: dict[str, Any], *, need_max_tokens: bool) -> str | None:
    """What the catalogue says about the model: its ``max_tokens`` and its capabilities."""
    model = find_model(body["model"])
    if model is None:
        return None
    if need_max_tokens and body["max_tokens"] > model["max_tokens"]:
        return (
            f"max_tokens: {body['max_tokens']} > {model['max_tokens']}, which is the maximum "
            f"allowed number of output tokens for {model['id']}"
        )
    capabilities = model["capabilities"]
    if output_schema(body) is not None and not capabilities["structured_outputs"]["supported"]:
        return f"output_config.format: structured outputs are not supported by {model['id']}"
    thinking = body.get("thinking")
    if isinstance(thinking, dict):
        kind = thinking["type"]
        if not capabilities["thinking"]["types"][kind]["supported"]:
            return f"thinking.type: '{kind}' is not supported by {model['id']}"
    return None
