"""Submit a batch of 20 requests, wait for it with a progress line, and print the results.

python examples/batch.py          # against the embedded fake server, no key needed
python examples/batch.py --live   # against the real API (ANTHROPIC_API_KEY)
"""

from __future__ import annotations

import contextlib
import sys

import anyio

from aioanthropic import AsyncClient, MessageBatchRequestCounts
from aioanthropic.types import MessageBatchSucceededResult, TextBlock

QUESTIONS = [f"What is {i} + {i}?" for i in range(20)]


def progress(counts: MessageBatchRequestCounts) -> None:
    done = len(QUESTIONS) - counts.processing
    print(
        f"  {done}/{len(QUESTIONS)} done ({counts.succeeded} succeeded, {counts.errored} errored)"
    )


async def run(client: AsyncClient, model: str, poll_interval: float) -> None:
    batch = await client.messages.batches.create(
        requests=[
            {
                "custom_id": f"q-{i}",
                "params": {
                    "model": model,
                    "max_tokens": 100,
                    "messages": [{"role": "user", "content": question}],
                },
            }
            for i, question in enumerate(QUESTIONS)
        ]
    )
    print(f"created {batch.id} ({batch.processing_status})")
    batch = await client.messages.batches.wait(
        batch.id, poll_interval=poll_interval, on_progress=progress
    )
    print(
        f"ended: {batch.request_counts.succeeded} succeeded, {batch.request_counts.errored} errored"
    )
    async with client.messages.batches.results(batch) as results:
        async for item in results:
            result = item.result
            if isinstance(result, MessageBatchSucceededResult):
                text = "".join(b.text for b in result.message.content if isinstance(b, TextBlock))
                print(f"{item.custom_id}: {text}")
            else:
                print(f"{item.custom_id}: {result.type}")


async def main(live: bool) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if live:
            client = await stack.enter_async_context(AsyncClient())
            await run(client, "claude-3-5-haiku-latest", poll_interval=30)
            return
        from aioanthropic.testing import FakeServer

        server = await stack.enter_async_context(FakeServer(batch_processing_delay=1.0))
        client = await stack.enter_async_context(AsyncClient(base_url=server.url, api_key="fake"))
        await run(client, "claude-fake", poll_interval=0.25)


if __name__ == "__main__":
    anyio.run(main, "--live" in sys.argv[1:])
