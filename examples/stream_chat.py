"""Chat in the terminal, printing the reply as it streams in.

python examples/stream_chat.py "Tell me about streams"      # against the fake server
python examples/stream_chat.py --live "Tell me about streams"  # against the real API
"""

from __future__ import annotations

import sys

import anyio

from _setup import example_client
from aioanthropic import APIError


async def main() -> int:
    words = [arg for arg in sys.argv[1:] if arg != "--live"]
    prompt = " ".join(words) or "Hello! Tell me, in a few words, what streaming is for."
    async with example_client() as client:
        try:
            async with client.messages.stream(
                model="claude-sonnet-4-5",
                max_tokens=400,
                messages=[{"role": "user", "content": prompt}],
                idle_timeout=30.0,
            ) as stream:
                print("assistant: ", end="", flush=True)
                async for text in stream.text_stream:
                    print(text, end="", flush=True)
                print()
                message = await stream.get_final_message()
        except APIError as error:
            print(f"\n[stream failed: {type(error).__name__}: {error}]", file=sys.stderr)
            if error.partial_message is not None:
                print(f"[kept {len(error.partial_message.content)} block(s) received]")
            return 1
    print(
        f"[{message.stop_reason}; {message.usage.input_tokens} tokens in, "
        f"{message.usage.output_tokens} out]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(anyio.run(main))
