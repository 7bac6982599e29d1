"""The clients under test: each one reads a whole stream from an httpx-style client and
returns what it decoded, so that every run is also checked for the right answer.

Every client is ``async def run(http, url) -> Result`` where ``http`` is the factory of its
HTTP client (a mock transport replaying ``Workload.chunks``, or real loopback). The official
SDK runs on ``httpx2``; it gets an ``httpx2`` mock transport yielding the same chunks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import httpx
from httpx_sse import EventSource

Result = tuple[int, Any]  # (events seen, the final content blocks or None)
Runner = Callable[[], Awaitable[Result]]

PARAMS: dict[str, Any] = {
    "model": "claude-bench-1",
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "Hello"}],
}
HEADERS = {
    "x-api-key": "sk-bench",
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
}
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "request-id": "req_bench"}


def digest_message(content: Iterable[Any]) -> str:
    """One string per final message, the same whichever client built it."""
    out = []
    for block in content:
        get = block.get if isinstance(block, dict) else lambda k, b=block: getattr(b, k, None)
        kind = get("type")
        if kind == "text":
            out.append("T" + get("text"))
        elif kind == "thinking":
            out.append("H" + get("thinking") + "|" + get("signature"))
        elif kind == "tool_use":
            out.append("U" + json.dumps(get("input"), sort_keys=True))
    return "\n".join(out)


# --- transports --------------------------------------------------------------------------------


def httpx_mock(chunks: tuple[bytes, ...]) -> httpx.AsyncClient:
    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE_HEADERS, content=body())

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def httpx2_mock(chunks: tuple[bytes, ...]) -> Any:
    import httpx2

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    def handler(request: Any) -> Any:
        return httpx2.Response(200, headers=SSE_HEADERS, content=body())

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


# --- FLOOR: what a hand-written client on httpx cannot beat -------------------------------------


def _floor_events(buffer: bytearray, out: list[tuple[str, Any]]) -> None:
    # Cut complete events (ended by a blank line) off the front of the buffer.
    end = buffer.rfind(b"\n\n")
    if end < 0:
        return
    head = bytes(buffer[: end + 2])
    del buffer[: end + 2]
    for block in head.split(b"\n\n"):
        if not block:
            continue
        name = data = None
        for line in block.split(b"\n"):
            if line.startswith(b"data:"):
                data = line[5:]
            elif line.startswith(b"event:"):
                name = line[6:].strip().decode()
        if data is not None:
            out.append((name or "message", json.loads(data)))


async def floor_events(http: httpx.AsyncClient, url: str) -> AsyncIterator[tuple[str, Any]]:
    async with http.stream("POST", url, headers=HEADERS, json={**PARAMS, "stream": True}) as r:
        buffer = bytearray()
        out: list[tuple[str, Any]] = []
        async for chunk in r.aiter_bytes():
            buffer += chunk
            _floor_events(buffer, out)
            for item in out:
                yield item
            out.clear()


async def floor(http: httpx.AsyncClient, url: str) -> Result:
    n = 0
    async for _ in floor_events(http, url):
        n += 1
    return n, None


async def floor_accumulate(http: httpx.AsyncClient, url: str) -> Result:
    # The cheapest correct accumulation: fragment lists, tool JSON parsed once at block stop.
    n = 0
    message: dict[str, Any] = {}
    blocks: list[dict[str, Any]] = []
    parts: list[list[str]] = []
    async for _, data in floor_events(http, url):
        n += 1
        kind = data["type"]
        if kind == "content_block_delta":
            d = data["delta"]
            t = d["type"]
            if t == "text_delta":
                parts[data["index"]].append(d["text"])
            elif t == "input_json_delta":
                parts[data["index"]].append(d["partial_json"])
            elif t == "thinking_delta":
                parts[data["index"]].append(d["thinking"])
            elif t == "signature_delta":
                blocks[data["index"]]["signature"] = d["signature"]
        elif kind == "content_block_start":
            blocks.append(dict(data["content_block"]))
            parts.append([])
        elif kind == "content_block_stop":
            block, joined = blocks[data["index"]], "".join(parts[data["index"]])
            if block["type"] == "tool_use":
                block["input"] = json.loads(joined) if joined else {}
            elif block["type"] == "text":
                block["text"] += joined
            elif block["type"] == "thinking":
                block["thinking"] += joined
        elif kind == "message_start":
            message = data["message"]
        elif kind == "message_delta":
            message.update(data["delta"])
            message["usage"].update(data["usage"])
    message["content"] = blocks
    return n, blocks


# --- httpx + httpx-sse + json.loads -----------------------------------------------------------


async def httpx_sse(http: httpx.AsyncClient, url: str) -> Result:
    n = 0
    async with http.stream("POST", url, headers=HEADERS, json={**PARAMS, "stream": True}) as r:
        async for sse in EventSource(r).aiter_sse():
            json.loads(sse.data)
            n += 1
    return n, None


# --- this SDK -----------------------------------------------------------------------------------


def sdk_client(http: httpx.AsyncClient, base_url: str) -> Any:
    from aioanthropic import AsyncClient

    return AsyncClient(api_key="sk-bench", base_url=base_url, http_client=http, max_retries=0)


async def sdk_raw(client: Any) -> Result:
    n = 0
    async with await client.messages.create(stream=True, **PARAMS) as stream:
        async for _ in stream:
            n += 1
    return n, None


async def sdk_stream(client: Any) -> Result:
    n = 0
    async with client.messages.stream(**PARAMS) as stream:
        async for _ in stream:
            n += 1
        message = await stream.get_final_message()
    return n, message.content


async def sdk_text(client: Any) -> Result:
    n = 0
    async with client.messages.stream(**PARAMS) as stream:
        async for _ in stream.text_stream:
            n += 1
    return n, None


# --- the official SDK ---------------------------------------------------------------------------


def official_client(http: Any, base_url: str) -> Any:
    import anthropic

    return anthropic.AsyncAnthropic(
        api_key="sk-bench", base_url=base_url, http_client=http, max_retries=0
    )


async def official_raw(client: Any) -> Result:
    n = 0
    stream = await client.messages.create(stream=True, **PARAMS)
    async with stream:
        async for _ in stream:
            n += 1
    return n, None


async def official_stream(client: Any) -> Result:
    n = 0
    async with client.messages.stream(**PARAMS) as stream:
        async for _ in stream:
            n += 1
        message = await stream.get_final_message()
    return n, message.content


async def official_text(client: Any) -> Result:
    n = 0
    async with client.messages.stream(**PARAMS) as stream:
        async for _ in stream.text_stream:
            n += 1
    return n, None


# --- the helper events and the sync client (issue 11) ------------------------------------------


async def sdk_helper(client: Any) -> Result:
    """``messages.stream()`` as code written for the official helper reads it: every event,
    its type, and the delta of each synthesized ``text`` / ``input_json`` / ``thinking`` event
    (``.snapshot`` is not read: it is computed on access; see README "Helper events")."""
    n = 0
    async with client.messages.stream(**PARAMS) as stream:
        async for event in stream:
            n += 1
            kind = event.type
            if kind == "text":
                event.text  # noqa: B018
            elif kind == "input_json":
                event.partial_json  # noqa: B018
            elif kind == "thinking":
                event.thinking  # noqa: B018
        message = await stream.get_final_message()
    return n, message.content


def sync_client(http: httpx.AsyncClient, base_url: str) -> Any:
    from aioanthropic import Client

    return Client(api_key="sk-bench", base_url=base_url, http_client=http, max_retries=0)


def sync_stream(client: Any) -> Result:
    """``sdk_stream`` on the sync client (blocking; run from the benchmark's loop thread)."""
    n = 0
    with client.messages.stream(**PARAMS) as stream:
        for _ in stream:
            n += 1
        message = stream.get_final_message()
    return n, message.content


def sync_text(client: Any) -> Result:
    n = 0
    with client.messages.stream(**PARAMS) as stream:
        for _ in stream.text_stream:
            n += 1
    return n, None
