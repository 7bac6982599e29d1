"""Show a tool's arguments as they stream, then the parsed input.

python examples/tool_use_stream.py           # against the fake server
python examples/tool_use_stream.py --live    # against the real API
"""

from __future__ import annotations

import json
import sys

import anyio

from _setup import example_client
from aioanthropic.types import ToolParam, ToolUseBlock

FLIGHT_SEARCH: ToolParam = {
    "name": "search_flights",
    "description": "Search flights between two airports.",
    "input_schema": {
        "type": "object",
        "properties": {
            "origin": {"type": "string", "description": "IATA code"},
            "destination": {"type": "string", "description": "IATA code"},
            "passengers": {"type": "integer"},
            "cabin": {"type": "string", "enum": ["economy", "business"]},
            "flexible_dates": {"type": "boolean"},
        },
        "required": ["origin", "destination", "passengers"],
    },
}


async def main() -> int:
    shown: dict[str, object] | None = None
    async with example_client() as client:
        async with client.messages.stream(
            model="claude-sonnet-4-5",
            max_tokens=500,
            tools=[FLIGHT_SEARCH],
            tool_choice={"type": "tool", "name": "search_flights"},
            messages=[{"role": "user", "content": "Two seats from Lisbon LIS to Oslo OSL"}],
        ) as stream:
            async for event in stream:
                if event.type == "content_block_start" and event.content_block.type == "tool_use":
                    print(f"calling {event.content_block.name} ...")
                elif event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                    # Best-effort parse of the arguments so far: a UI can render them live.
                    so_far = stream.accumulator.partial_input(event.index)
                    if so_far != shown:
                        print(f"  arguments so far: {json.dumps(so_far)}")
                        shown = so_far
            message = await stream.get_final_message()
    for block in message.content:
        if isinstance(block, ToolUseBlock):
            print(f"final input for {block.name}: {json.dumps(block.input)}")
            if block.partial_json is not None:
                print("  (the arguments were cut short; the raw JSON is in block.partial_json)")
    print(f"stop_reason: {message.stop_reason}")
    return 0


if __name__ == "__main__":
    sys.exit(anyio.run(main))
