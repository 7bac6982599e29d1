"""Prompt caching, simulated: the cache counts a client's cost metering has to add up.

How the API caches (prompt-caching docs): the prompt is read in the order tools, system,
messages; a block with ``cache_control`` ends a cacheable prefix (a "breakpoint"). A request
whose prefix up to a breakpoint was cached before, and has not expired, reads it
(``cache_read_input_tokens``); the prefix up to the last breakpoint, if not already cached, is
written (``cache_creation_input_tokens``, split by lifetime in ``cache_creation``);
``input_tokens`` counts only the rest. A prefix shorter than the model's minimum is never
cached.

The fake's rules, so that tests can predict every figure:

* a prefix's tokens are the estimate (``_responder.input_tokens``) of the request cut just after
  a block (a tool, a system block, a content block, or a message with string content); its
  identity is the JSON of that cut request (``cache_control`` removed, string content read as
  one text block) plus the model name;
* read: the longest cached prefix among the cuts at each breakpoint and the ``LOOKBACK`` (20)
  block boundaries before it, as the docs' automatic lookback; written: the last breakpoint's
  prefix minus what was read, unless it was the one read; lifetime the last breakpoint's
  ``cache_control.ttl`` (``"5m"`` default or ``"1h"``), refreshed when read;
* ``MIN_CACHEABLE_TOKENS`` = 1024 (the docs' minimum for most models) for every model;
* the cache lives in the server, shared by all requests; batches do not use it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._responder import input_tokens

MIN_CACHEABLE_TOKENS = 1024
LOOKBACK = 20
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}


@dataclass(frozen=True)
class Prefix:
    """The prompt up to one breakpoint: its identity, its tokens, its lifetime."""

    key: str
    tokens: int
    ttl: str


@dataclass(frozen=True)
class CacheUse:
    """What one request read from and wrote to the cache, in tokens."""

    read: int = 0
    created_5m: int = 0
    created_1h: int = 0

    @property
    def created(self) -> int:
        return self.created_5m + self.created_1h


def _without_cache_control(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_cache_control(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_without_cache_control(v) for v in value]
    return value


def _as_blocks(content: Any) -> Any:
    # A string is shorthand for one text block: both spellings are the same prompt.
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def _identity(cut: dict[str, Any]) -> Any:
    """What makes two prefixes the same prompt: no cache_control, strings as text blocks."""
    messages = [{**m, "content": _as_blocks(m.get("content"))} for m in cut["messages"]]
    plain = {**cut, "system": _as_blocks(cut["system"]), "messages": messages}
    return _without_cache_control(plain)


def _ttl(block: Any) -> str | None:
    control = block.get("cache_control") if isinstance(block, dict) else None
    if not isinstance(control, dict):
        return None
    ttl = control.get("ttl", "5m")
    return ttl if ttl in TTL_SECONDS else "5m"


def _boundaries(body: dict[str, Any]) -> Iterator[tuple[Any, list[Any], Any, list[Any]]]:
    """Every block boundary in prompt order, as (the block, messages, system, tools) cut there.

    A tool, a system block, a content block and a message with string content are blocks.
    """
    tools = list(body.get("tools") or [])
    system = body.get("system")
    messages = list(body["messages"])
    for i, tool in enumerate(tools):
        yield tool, [], None, tools[: i + 1]
    if isinstance(system, list):
        for i, block in enumerate(system):
            yield block, [], system[: i + 1], tools
    elif system:
        yield system, [], system, tools
    for m, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list):
            yield message, messages[: m + 1], system, tools
            continue
        for k, block in enumerate(content):
            cut = {**message, "content": content[: k + 1]}
            yield block, [*messages[:m], cut], system, tools


def prefixes(body: dict[str, Any]) -> tuple[list[Prefix], Prefix | None]:
    """The prefixes a lookup may hit, and the one a write stores (the last breakpoint's).

    Lookups happen at each breakpoint and at the ``LOOKBACK`` block boundaries before it, as
    the docs describe; prefixes under ``MIN_CACHEABLE_TOKENS`` are left out.
    """
    boundaries = list(_boundaries(body))
    marks = [i for i, (block, *_) in enumerate(boundaries) if _ttl(block) is not None]
    if not marks:
        return [], None
    wanted = sorted({b for i in marks for b in range(max(0, i - LOOKBACK), i + 1)})
    found: dict[int, Prefix] = {}
    for i in wanted:
        _, messages, system, tools = boundaries[i]
        cut = {"model": body["model"], "tools": tools, "system": system, "messages": messages}
        tokens = input_tokens(cut)
        if tokens < MIN_CACHEABLE_TOKENS:
            continue
        raw = json.dumps(_identity(cut), sort_keys=True, default=str)
        key = hashlib.sha256(raw.encode()).hexdigest()
        found[i] = Prefix(key, tokens, _ttl(boundaries[marks[-1]][0]) or "5m")
    return list(found.values()), found.get(marks[-1])


class PromptCache:
    """Cached prefixes and when they expire. Not thread-safe: the server holds its lock."""

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}

    def use(self, candidates: list[Prefix], last: Prefix | None, now: float) -> CacheUse:
        """Read the longest live candidate, write ``last`` if missing; refresh what is used."""
        self._expiry = {k: t for k, t in self._expiry.items() if t > now}
        hits = [p for p in candidates if p.key in self._expiry]
        best = max(hits, key=lambda p: p.tokens, default=None)
        read = best.tokens if best is not None else 0
        if best is not None:
            self._expiry[best.key] = now + TTL_SECONDS[best.ttl]
        if last is None or (best is not None and best.key == last.key):
            return CacheUse(read=read)
        self._expiry[last.key] = now + TTL_SECONDS[last.ttl]
        created = last.tokens - read
        if last.ttl == "1h":
            return CacheUse(read=read, created_1h=created)
        return CacheUse(read=read, created_5m=created)
