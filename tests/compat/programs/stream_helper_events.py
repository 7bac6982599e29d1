"""Streaming with the helper's events: every event's type and fields, then the final message."""

import asyncio

import anthropic


async def main() -> None:
    client = anthropic.AsyncAnthropic()
    async with client.messages.stream(
        model="claude-compat-1",
        max_tokens=200,
        messages=[{"role": "user", "content": "Tell me about streams of text and café ☕"}],
    ) as stream:
        async for event in stream:
            if event.type == "text":
                print("text", repr(event.text), repr(event.snapshot))
            elif event.type == "content_block_delta":
                print("delta", event.index, event.delta.type)
            elif event.type == "content_block_stop":
                print("block_stop", event.index, sorted(event.content_block.to_dict().items()))
            elif event.type == "message_stop":
                print("message_stop", event.message.stop_reason, event.message.usage.output_tokens)
            else:
                print(event.type)
        print("snapshot", stream.current_message_snapshot.content[0].text)
        final = await stream.get_final_message()
        print("final", [sorted(b.to_dict().items()) for b in final.content], final.stop_reason)
        print("request_id", stream.request_id is not None, stream.response.status_code)
    async with client.messages.stream(
        model="claude-compat-1",
        max_tokens=5,
        messages=[{"role": "user", "content": "one two three four five six seven"}],
    ) as stream:
        print("text_stream", [text async for text in stream.text_stream])
        print("final_text", repr(await stream.get_final_text()))
    async with client.messages.stream(
        model="claude-compat-1",
        max_tokens=50,
        messages=[{"role": "user", "content": "until done"}],
    ) as stream:
        await stream.until_done()
        print("until_done", (await stream.get_final_message()).content[0].text)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
