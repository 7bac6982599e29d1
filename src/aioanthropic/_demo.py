"""The demo conversation behind ``python -m aioanthropic demo``.

It exercises the real client over real HTTP: a streamed turn printed as it arrives, a tool call
answered with a tool result, and a prefilled assistant turn. Offline it talks to the embedded
fake server.
"""

from __future__ import annotations

import os
import sys
from contextlib import AsyncExitStack
from typing import Any

from ._client import AsyncClient
from ._protocol.exceptions import AnthropicError
from ._protocol.params import MessageParam, ToolParam
from ._protocol.responses import Message, TextBlock, ToolUseBlock

WEATHER_TOOL: ToolParam = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
}


def _fake_weather(tool_input: dict[str, Any]) -> str:
    city = tool_input.get("city", "somewhere")
    unit = tool_input.get("unit", "celsius")
    return f"18 degrees {unit} and sunny in {city}"


def _show(label: str, message: Message) -> None:
    print(f"--- {label}")
    for block in message.content:
        if isinstance(block, TextBlock):
            print(f"assistant: {block.text}")
        elif isinstance(block, ToolUseBlock):
            print(f"assistant calls {block.name}({block.input})")
        else:
            print(f"assistant sent a {block.type} block")
    usage = message.usage
    print(
        f"stop_reason={message.stop_reason} input_tokens={usage.input_tokens} "
        f"output_tokens={usage.output_tokens} request_id={message.request_id}"
    )


async def _streamed_turn(client: AsyncClient, model: str, history: list[MessageParam]) -> None:
    print("--- streamed turn (text printed as it arrives)")
    print("assistant: ", end="", flush=True)
    async with client.messages.stream(model=model, max_tokens=200, messages=history) as stream:
        deltas = 0
        async for text in stream.text_stream:
            deltas += 1
            print(text, end="", flush=True)
        print()
        message = await stream.get_final_message()
    usage = message.usage
    print(
        f"({deltas} text deltas) stop_reason={message.stop_reason} "
        f"input_tokens={usage.input_tokens} output_tokens={usage.output_tokens} "
        f"request_id={message.request_id}"
    )


async def _conversation(client: AsyncClient, model: str) -> None:
    history: list[MessageParam] = [
        {"role": "user", "content": "Hello! In one sentence, what is an SDK?"}
    ]
    await _streamed_turn(client, model, history)

    history = [
        {"role": "user", "content": "Use get_weather to tell me the weather in Paris"},
    ]
    reply = await client.messages.create(
        model=model, max_tokens=300, messages=history, tools=[WEATHER_TOOL]
    )
    _show("tool call", reply)
    tool_uses = [block for block in reply.content if isinstance(block, ToolUseBlock)]
    if tool_uses:
        history.append({"role": "assistant", "content": reply.content})
        history.append(
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": call.id,
                        "content": _fake_weather(call.input),
                    }
                    for call in tool_uses
                ],
            }
        )
        reply = await client.messages.create(
            model=model, max_tokens=300, messages=history, tools=[WEATHER_TOOL]
        )
        _show("answer after the tool result", reply)

    history = [
        {"role": "user", "content": "Name three primary colours."},
        {"role": "assistant", "content": "You said:"},
    ]
    reply = await client.messages.create(
        model=model, max_tokens=50, messages=history, stop_sequences=["\n\n"]
    )
    _show("prefilled assistant turn (continues 'You said:')", reply)


async def run_demo(live: bool, model: str) -> int:
    async with AsyncExitStack() as stack:
        if live:
            if not os.environ.get("ANTHROPIC_API_KEY"):
                print("--live needs ANTHROPIC_API_KEY in the environment", file=sys.stderr)
                return 2
            client = await stack.enter_async_context(AsyncClient())
            print(f"talking to {client.base_url} as model {model}")
        else:
            try:
                from .testing import FakeServer
            except ImportError as exc:  # uvicorn missing
                print(
                    f"the fake server needs the 'server' extra ({exc}); "
                    "install it with: pip install 'aioanthropic[server]'",
                    file=sys.stderr,
                )
                return 2
            server = await stack.enter_async_context(FakeServer())
            client = await stack.enter_async_context(
                AsyncClient(base_url=server.url, api_key="demo-key")
            )
            print(f"talking to the embedded fake server at {server.url} (no key needed)")
        try:
            await _conversation(client, model)
        except AnthropicError as exc:
            print(f"the demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    return 0
