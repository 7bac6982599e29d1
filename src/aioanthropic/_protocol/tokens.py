"""``estimate_tokens``: an offline, approximate input-token count for budgeting before a call.

The exact count comes from the API: ``await client.messages.count_tokens(...)`` (POST
/v1/messages/count_tokens). This estimate costs no request and no time, and is meant for
"will this fit?" decisions; it can be off by tens of percent either way.

Rules, so that callers (and the fake server, which answers count_tokens with this very
function) can predict the figure: every counted character adds up, and the total is
``ceil(chars / 4)``, plus fixed amounts for media:

* characters: string message content; text blocks; a tool_use's name + ``json.dumps(input)``;
  tool_result content (string, or its blocks counted by these same rules); thinking text;
  documents with a plain-text source (its data) or a content source (its blocks); the system
  prompt (string or text blocks); each tool's name + description + ``json.dumps(input_schema)``.
  A base64 PDF counts its decoded size (``len(data) * 3 // 4``) as characters.
* images: ``IMAGE_TOKENS`` each, whatever the source: the cost of a ~1.15 megapixel image, the
  largest that is not downscaled (width * height / 750). PDFs by URL count ``IMAGE_TOKENS`` too:
  their size cannot be known offline.
* everything else (redacted thinking, server-tool results, unknown blocks) counts nothing.

No per-message overhead is added. Content may hold pydantic models (a reply's
``message.content`` sent back as the assistant turn): they are read through
``model_dump(mode="json")``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

IMAGE_TOKENS = 1600
"""What one image adds to the estimate: (1092 * 1092) / 750, rounded."""

Item = Mapping[str, Any] | BaseModel


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


class _Count:
    """Characters and fixed token amounts, kept apart until the final division."""

    def __init__(self) -> None:
        self.chars = 0
        self.tokens = 0

    def text(self, value: Any) -> None:
        if isinstance(value, str):
            self.chars += len(value)

    def content(self, content: Any) -> None:
        content = _plain(content)
        if isinstance(content, str):
            self.chars += len(content)
        elif isinstance(content, Iterable) and not isinstance(content, Mapping):
            for block in content:
                self.block(_plain(block))

    def block(self, block: Any) -> None:
        if not isinstance(block, Mapping):
            return
        kind = block.get("type")
        if kind == "text":
            self.text(block.get("text"))
        elif kind == "tool_use":
            self.text(block.get("name"))
            self.chars += len(json.dumps(block.get("input", {})))
        elif kind == "tool_result":
            self.content(block.get("content", ""))
        elif kind == "thinking":
            self.text(block.get("thinking"))
        elif kind == "image":
            self.tokens += IMAGE_TOKENS
        elif kind == "document":
            self.document(_plain(block.get("source")))

    def document(self, source: Any) -> None:
        if not isinstance(source, Mapping):
            return
        kind = source.get("type")
        if kind == "text":
            self.text(source.get("data"))
        elif kind == "base64":
            data = source.get("data")
            if isinstance(data, str):
                self.chars += len(data) * 3 // 4
        elif kind == "content":
            self.content(source.get("content", ""))
        elif kind == "url":
            self.tokens += IMAGE_TOKENS

    def tool(self, tool: Any) -> None:
        if not isinstance(tool, Mapping):
            return
        self.text(tool.get("name"))
        self.text(tool.get("description"))
        if "input_schema" in tool:
            self.chars += len(json.dumps(tool["input_schema"]))


def estimate_tokens(
    messages: Iterable[Item],
    system: str | Iterable[Item] | None = None,
    tools: Iterable[Item] | None = None,
) -> int:
    """Approximate input tokens of a Messages request, offline and instantly (~4 chars a token).

    Takes the same ``messages``, ``system`` and ``tools`` as ``client.messages.create``. For the
    exact figure ask the API: ``client.messages.count_tokens``. The rules are in this module's
    docstring.
    """
    count = _Count()
    if system is not None:
        count.content(system)
    for message in messages:
        message = _plain(message)
        if isinstance(message, Mapping):
            count.content(message.get("content", ""))
    for tool in tools or ():
        count.tool(_plain(tool))
    return math.ceil(count.chars / 4) + count.tokens
