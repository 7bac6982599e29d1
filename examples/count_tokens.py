"""Count a prompt's input tokens with the API, next to the offline estimate.

python examples/count_tokens.py          # against the embedded fake server, no key needed
python examples/count_tokens.py --live   # against the real API (ANTHROPIC_API_KEY)
"""

from __future__ import annotations

import contextlib
import sys

import anyio

from aioanthropic import AsyncClient, estimate_tokens

SYSTEM = "You are a terse assistant."
MESSAGES = [
    {"role": "user", "content": "Summarise the plot of Hamlet in one sentence."},
    {"role": "assistant", "content": "A prince avenges his father and everyone dies."},
    {"role": "user", "content": "Now in five words."},
]
TOOLS = [
    {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
]


async def run(client: AsyncClient, model: str) -> None:
    raw = await client.messages.with_raw_response.count_tokens(
        model=model, messages=MESSAGES, system=SYSTEM, tools=TOOLS
    )
    count = await raw.parse()
    print(f"count_tokens: {count.input_tokens} input tokens (request {raw.request_id})")
    print(f"estimate_tokens (offline): {estimate_tokens(MESSAGES, SYSTEM, TOOLS)}")
    requests = raw.rate_limit.requests
    if requests is not None:
        print(f"requests left in this window: {requests.remaining}/{requests.limit}")


async def main(live: bool) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if live:
            client = await stack.enter_async_context(AsyncClient())
            await run(client, "claude-3-5-haiku-latest")
            return
        from aioanthropic.testing import FakeServer

        server = await stack.enter_async_context(FakeServer())
        client = await stack.enter_async_context(AsyncClient(base_url=server.url, api_key="fake"))
        await run(client, "claude-fake")


if __name__ == "__main__":
    anyio.run(main, "--live" in sys.argv[1:])
