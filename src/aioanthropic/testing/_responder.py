"""The fake model: a pure function from a validated request body to a reply.

Tests must be able to predict every reply from the request alone, so the rules are few and
fixed. ``u`` is the text of the last user message (a string, or its text blocks joined with
"\\n").

* Plain reply: ``R = "You said: " + u``; with a ``system`` prompt (string or text blocks joined
  with "\\n") ``R = "(" + system + ") You said: " + u``.
* Tool result: when the last user message holds ``tool_result`` blocks, and no tool use is
  forced, ``R = "The tool returned: " + t`` where ``t`` is the text of those results (string
  content, or text blocks joined with "\\n"; several results joined with "\\n"). No system prefix.
* Prefill: when the last message is an assistant turn with text ``P``, the reply is only the
  continuation: ``R[len(P):]`` if ``R`` starts with ``P``, else ``" " + R``.
* Tokens are word pieces, ``re.findall(r"\\S+\\s*|\\s+", text)``; their concatenation is the text.
* ``stop_sequences``: the earliest occurrence of any of them (ties go to the one listed first)
  cuts the text just before it: ``stop_reason="stop_sequence"``. Then, if more than
  ``max_tokens`` pieces are left, only the first ``max_tokens`` are kept:
  ``stop_reason="max_tokens"``. Otherwise ``end_turn``. An empty text gives no text block.
* Tool use happens when ``tool_choice`` is ``{"type": "tool", "name": X}`` (tool X), ``{"type":
  "any"}`` (the first tool), or absent/``auto`` and ``u`` contains a tool's name as a whole word
  (first such tool in ``tools`` order, and not when answering a tool result); never with
  ``{"type": "none"}``. The content is then a ``tool_use`` block whose input is built from the
  tool's ``input_schema`` (see ``sample_input``; ``$ref``/``$defs`` are followed), preceded by a
  text block ``"I'll use X."`` only when the model chose the tool itself (``auto``): a forced
  choice (``any``/``tool``) gets the call alone, as from the API. ``stop_reason="tool_use"``.
  Tool-use replies ignore ``max_tokens`` and ``stop_sequences``.
* Structured output: with ``output_config.format`` (or the beta's ``output_format``) of type
  ``json_schema`` and no tool use, ``R = json.dumps(sample_input(schema, w))`` where ``w`` is the
  last word of ``u``; it is then cut like any text (so ``max_tokens`` may truncate the JSON).
  Streamed, it arrives in text deltas of 1 to 8 characters.
* ``thinking={"type": "enabled", ...}`` puts a thinking block first: ``"Thinking about: " + u``
  with signature ``base64(sha256(thinking))``.
* Usage: ``input_tokens`` is ``aioanthropic.estimate_tokens`` of the request, the figure
  count_tokens answers too, so the two endpoints agree.
  ``output_tokens`` = pieces of the emitted text + pieces of the thinking + 10 for a tool use.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aioanthropic._protocol.tokens import estimate_tokens

from ._schema import sample

_PIECE = re.compile(r"\S+\s*|\s+")
_WORD = re.compile(r"\w+")
TOOL_USE_TOKENS = 10


def pieces(text: str) -> list[str]:
    """Split ``text`` into the fake model's tokens; ``"".join(pieces(t)) == t``."""
    return _PIECE.findall(text)


@dataclass(frozen=True)
class Reply:
    """What the model says, before it is rendered as JSON or as a stream of events."""

    content: list[dict[str, Any]]
    stop_reason: str
    stop_sequence: str | None
    input_tokens: int
    output_tokens: int
    # Structured output: the text is JSON, streamed in small character runs, not word pieces.
    json_text: bool = False
    # Counts of server tool requests, when the request offered server tools (else absent).
    server_tool_use: dict[str, int] | None = None
    # Prompt cache use (``_cache``); ``input_tokens`` excludes these, as the API's does.
    cache_read: int = 0
    cache_created_5m: int = 0
    cache_created_1h: int = 0


def content_text(content: Any) -> str:
    """Text of a message's content: the string itself, or its text blocks joined with "\\n"."""
    if isinstance(content, str):
        return content
    return "\n".join(
        b["text"] for b in content if b.get("type") == "text" and isinstance(b.get("text"), str)
    )


def _tool_results(content: Any) -> list[str] | None:
    if isinstance(content, str):
        return None
    results = [b for b in content if b.get("type") == "tool_result"]
    if not results:
        return None
    return [content_text(r.get("content", "")) for r in results]


def _chosen_tool(body: dict[str, Any], user_text: str, answering_result: bool) -> Any:
    tools = body.get("tools") or []
    choice = body.get("tool_choice") or {"type": "auto"}
    if not tools or choice["type"] == "none":
        return None
    if choice["type"] == "tool":
        return next(t for t in tools if t["name"] == choice["name"])
    if choice["type"] == "any":
        return tools[0]
    if answering_result:
        return None
    for tool in tools:
        if re.search(rf"(?<!\w){re.escape(tool['name'])}(?!\w)", user_text):
            return tool
    return None


def sample_input(schema: Any, word: str) -> Any:
    """A value valid against ``schema``: every property is filled, strings are ``word``.

    ``$ref``/``$defs`` are followed; ``_schema`` says which keywords are honoured.
    """
    return sample(schema, word)


def output_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema the request asks the text reply to follow, if any.

    Current shape (structured outputs docs): ``output_config: {"format": {"type":
    "json_schema", "schema": ...}}``. The beta's top-level ``output_format`` (same inner shape,
    deprecated but still honoured by the API for a transition period) is accepted too.
    """
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if fmt is None:
        fmt = body.get("output_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = fmt.get("schema")
        return schema if isinstance(schema, dict) else None
    return None


def thinking_block(thought: str) -> dict[str, Any]:
    """A thinking block with signature ``base64(sha256(thinking))``."""
    signature = base64.b64encode(hashlib.sha256(thought.encode()).digest()).decode()
    return {"type": "thinking", "thinking": thought, "signature": signature}


def _cut(text: str, body: dict[str, Any]) -> tuple[str, str, str | None]:
    stop_reason, stop_sequence = "end_turn", None
    best: int | None = None
    for seq in body.get("stop_sequences") or []:
        at = text.find(seq) if seq else -1
        if at >= 0 and (best is None or at < best):
            best, stop_sequence = at, seq
    if best is not None:
        text, stop_reason = text[:best], "stop_sequence"
    kept = pieces(text)
    if len(kept) > body["max_tokens"]:
        text, stop_reason, stop_sequence = "".join(kept[: body["max_tokens"]]), "max_tokens", None
    return text, stop_reason, stop_sequence


def reply(body: dict[str, Any], new_tool_id: Callable[[], str]) -> Reply:
    """The deterministic answer to a request body that has passed validation."""
    messages = body["messages"]
    last_user = next((m for m in reversed(messages) if m["role"] == "user"), None)
    user_text = content_text(last_user["content"]) if last_user else ""
    results = _tool_results(last_user["content"]) if last_user else None
    content: list[dict[str, Any]] = []
    output_tokens = 0

    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        thought = "Thinking about: " + user_text
        content.append(thinking_block(thought))
        output_tokens += len(pieces(thought))

    tokens = input_tokens(body)
    server = server_tool_usage(body)
    tool = _chosen_tool(body, user_text, results is not None)
    words = _WORD.findall(user_text)
    word = words[-1] if words else "fake"
    if tool is not None:
        value = sample_input(tool.get("input_schema", {}), word)
        choice = (body.get("tool_choice") or {}).get("type")
        if choice not in ("any", "tool"):
            # Forced tool use gets the call alone, as from the API; a chosen one gets a preamble.
            intro = f"I'll use {tool['name']}."
            content.append({"type": "text", "text": intro})
            output_tokens += len(pieces(intro))
        content.append(
            {"type": "tool_use", "id": new_tool_id(), "name": tool["name"], "input": value}
        )
        output_tokens += TOOL_USE_TOKENS
        return Reply(content, "tool_use", None, tokens, output_tokens, False, server)

    schema = output_schema(body)
    if schema is not None:
        text, stop_reason, stop_sequence = _cut(json.dumps(sample(schema, word)), body)
        content.append({"type": "text", "text": text})
        output_tokens += len(pieces(text))
        return Reply(content, stop_reason, stop_sequence, tokens, output_tokens, True, server)

    if results is not None:
        text = "The tool returned: " + "\n".join(results)
    elif body.get("system"):
        text = f"({content_text(body['system'])}) You said: {user_text}"
    else:
        text = "You said: " + user_text
    if messages[-1]["role"] == "assistant":
        prefill = content_text(messages[-1]["content"])
        text = text[len(prefill) :] if text.startswith(prefill) else " " + text
    text, stop_reason, stop_sequence = _cut(text, body)
    if text:
        content.append({"type": "text", "text": text})
    output_tokens += len(pieces(text))
    return Reply(content, stop_reason, stop_sequence, tokens, output_tokens, False, server)


def input_tokens(body: dict[str, Any]) -> int:
    """``usage.input_tokens`` for a request: the client's offline estimate, as count_tokens."""
    return estimate_tokens(body["messages"], body.get("system"), body.get("tools"))


def server_tool_usage(body: dict[str, Any]) -> dict[str, int] | None:
    """``usage.server_tool_use`` for a request: zero counts when it offers server tools.

    Server tools (web search, web fetch...) are the ``tools`` entries with a ``type`` other
    than ``"custom"``; the fake model never runs them, so the counts are always 0.
    """
    tools = body.get("tools") or []
    if not any(tool.get("type", "custom") != "custom" for tool in tools):
        return None
    return {"web_search_requests": 0, "web_fetch_requests": 0}


def message_json(
    reply: Reply, *, message_id: str, model: str, service_tier: str = "standard"
) -> dict[str, Any]:
    """The non-streaming Message object."""
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": reply.content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": reply.stop_sequence,
        "usage": usage_json(reply, reply.output_tokens, service_tier),
    }


def usage_json(reply: Reply, output_tokens: int, service_tier: str = "standard") -> dict[str, Any]:
    """The Usage object, as in a Message and in ``message_start``.

    Cache counts come from the simulated prompt cache (``_cache``), ``cache_creation`` split by
    cache lifetime. ``server_tool_use`` appears when the request offered server tools.
    """
    usage: dict[str, Any] = {
        "input_tokens": reply.input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": reply.cache_created_5m + reply.cache_created_1h,
        "cache_read_input_tokens": reply.cache_read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": reply.cache_created_5m,
            "ephemeral_1h_input_tokens": reply.cache_created_1h,
        },
        "service_tier": service_tier,
    }
    if reply.server_tool_use is not None:
        usage["server_tool_use"] = dict(reply.server_tool_use)
    return usage


def delta_usage(reply: Reply) -> dict[str, Any]:
    """The final ``message_delta``'s usage: cumulative totals, input and cache counts included."""
    usage = usage_json(reply, reply.output_tokens)
    keep = (
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    )
    delta = {k: usage[k] for k in keep}
    if "server_tool_use" in usage:
        delta["server_tool_use"] = usage["server_tool_use"]
    return delta
