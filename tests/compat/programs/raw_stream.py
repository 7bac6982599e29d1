"""create(stream=True) yields the raw events only."""

import asyncio

import anthropic


async def main() -> None:
    client = anthropic.AsyncAnthropic()
    stream = await client.messages.create(
        model="claude-compat-1",
        max_tokens=100,
        stream=True,
        messages=[{"role": "user", "content": "raw events please"}],
    )
    async for event in stream:
        if event.type == "ping":  # aioanthropic's raw stream keeps pings; the official drops them
            continue
        if event.type == "content_block_delta":
            print(event.type, event.index, sorted(event.delta.to_dict().items()))
        elif event.type == "message_delta":
            print(event.type, event.delta.stop_reason, event.usage.output_tokens)
        else:
            print(event.type)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
