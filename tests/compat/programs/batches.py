"""A batch created, polled until it ends, and its results read."""

import asyncio

import anthropic
from anthropic import NOT_GIVEN


async def main() -> None:
    client = anthropic.AsyncAnthropic()
    batch = await client.messages.batches.create(
        requests=[
            {
                "custom_id": f"q-{i}",
                "params": {
                    "model": "claude-compat-1",
                    "max_tokens": 50,
                    "messages": [{"role": "user", "content": f"question {i}"}],
                },
            }
            for i in range(3)
        ]
    )
    print(batch.type, batch.processing_status, batch.request_counts.processing)
    while batch.processing_status != "ended":
        await asyncio.sleep(0.05)
        batch = await client.messages.batches.retrieve(batch.id)
    print(batch.processing_status, sorted(batch.request_counts.to_dict().items()))
    results = {}
    async for item in await client.messages.batches.results(batch.id):
        results[item.custom_id] = item.result.message.content[0].text
    print(sorted(results.items()))
    listed = [b.id async for b in client.messages.batches.list(limit=NOT_GIVEN)]
    print(batch.id in listed)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
