"""Thinking, signature and input_json helper events, and tool blocks at content_block_stop."""

import asyncio

import anthropic

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    },
}


async def main() -> None:
    client = anthropic.AsyncAnthropic()
    async with client.messages.stream(
        model="claude-compat-1",
        max_tokens=2000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "Think about colours"}],
    ) as stream:
        async for event in stream:
            if event.type == "thinking":
                print("thinking", repr(event.thinking), repr(event.snapshot))
            elif event.type == "signature":
                print("signature", event.signature)
            elif event.type == "text":
                print("text", repr(event.text))
            elif event.type == "content_block_stop":
                print("stop", event.content_block.type)
            else:
                print(event.type)
    async with client.messages.stream(
        model="claude-compat-1",
        max_tokens=300,
        tools=[WEATHER],
        tool_choice={"type": "tool", "name": "get_weather"},
        messages=[{"role": "user", "content": "Weather in Paris?"}],
    ) as stream:
        async for event in stream:
            if event.type == "input_json":
                print("input_json", repr(event.partial_json), event.snapshot)
            elif event.type == "content_block_stop":
                block = event.content_block
                print(
                    "stop", block.type, getattr(block, "name", None), getattr(block, "input", None)
                )
            elif event.type == "message_stop":
                print("message_stop", event.message.stop_reason)
        message = await stream.get_final_message()
        print([block.type for block in message.content])
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
