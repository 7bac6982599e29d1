"""Two tools from typed functions, run by the tool runner: parallel calls, and an error result.

python examples/tool_runner.py           # against the fake server (it plays a scripted model)
python examples/tool_runner.py --live    # against the real API
"""

from __future__ import annotations

from typing import Any, Literal

import anyio

from _setup import example_client
from aioanthropic import tool
from aioanthropic.types import TextBlock, ToolUseBlock

TEMPERATURES = {"Paris": 18, "Tokyo": 24, "Lima": 16}
OFFSETS = {"Paris": 1, "Tokyo": 9, "Lima": -5}
running = peak = 0


@tool
async def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Current temperature in a city.

    Args:
        city: City name in English, e.g. "Paris".
        unit: Temperature unit.
    """
    global running, peak
    running += 1
    peak = max(peak, running)
    await anyio.sleep(0.2)  # a slow weather service: the runner calls it for all cities at once
    running -= 1
    celsius = TEMPERATURES[city]  # an unknown city raises KeyError: an error result
    return f"{celsius} C" if unit == "celsius" else f"{celsius * 9 / 5 + 32:.0f} F"


@tool
def get_utc_offset(city: str) -> int:
    """Hours between the city's local time and UTC (a sync function: it runs in a thread).

    Args:
        city: City name in English.
    """
    return OFFSETS[city]


def fake_turns(testing: Any) -> list[Any]:
    """What the fake model says: four calls in one turn (one for a city nobody knows), then an
    answer. The real model decides for itself."""
    call = testing.ToolCall
    return [
        testing.Turn(
            text="Let me look these up.",
            tool_calls=[
                call("get_weather", {"city": "Paris"}),
                call("get_weather", {"city": "Tokyo"}),
                call("get_weather", {"city": "Atlantis"}),
                call("get_utc_offset", {"city": "Tokyo"}),
            ],
        ),
        testing.Turn(text="Paris is at 18 C and Tokyo at 24 C (UTC+9); Atlantis is unknown."),
    ]


async def main() -> None:
    async with example_client(script=fake_turns) as client:
        runner = client.messages.tool_runner(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            tools=[get_weather, get_utc_offset],
            max_concurrency=8,
            tool_timeout=10,
            messages=[
                {
                    "role": "user",
                    "content": "Weather in Paris, Tokyo and Atlantis, and Tokyo's UTC offset?",
                }
            ],
        )
        async for message in runner:
            for block in message.content:
                if isinstance(block, TextBlock):
                    print(f"assistant: {block.text}")
                elif isinstance(block, ToolUseBlock):
                    print(f"  calls {block.name}({block.input})")
            if message.stop_reason == "tool_use":  # the runner runs them before the next turn
                print("  (running the calls at once)")
        print("the results the model got:")
        for turn in runner.messages:
            if turn["role"] == "user" and not isinstance(turn["content"], str):
                for result in turn["content"]:
                    if isinstance(result, dict) and result.get("type") == "tool_result":
                        mark = "error" if result.get("is_error") else "ok"
                        print(f"  result [{mark}]: {result.get('content')}")
        print(f"most weather calls running at once: {peak}")
        print(f"stop_reason: {message.stop_reason}")


if __name__ == "__main__":
    anyio.run(main)
