"""A tool call answered with a tool result, and the final answer."""

import asyncio

import anthropic
from anthropic.types import MessageParam, ToolParam, ToolUseBlock

CALC: ToolParam = {
    "name": "calculator",
    "description": "Evaluate arithmetic",
    "input_schema": {
        "type": "object",
        "properties": {"expression": {"type": "string"}, "precise": {"type": "boolean"}},
        "required": ["expression"],
    },
}


async def main() -> None:
    client = anthropic.AsyncAnthropic(max_retries=0, timeout=20.0)
    history: list[MessageParam] = [{"role": "user", "content": "Use the calculator for 2+2"}]
    reply = await client.messages.create(
        model="claude-compat-1", max_tokens=300, tools=[CALC], messages=history
    )
    print(reply.stop_reason, [block.type for block in reply.content])
    calls = [block for block in reply.content if isinstance(block, ToolUseBlock)]
    for call in calls:
        print("call", call.name, call.input)
    history.append({"role": "assistant", "content": reply.content})
    history.append(
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call.id, "content": "4"} for call in calls
            ],
        }
    )
    reply = await client.messages.create(
        model="claude-compat-1", max_tokens=300, tools=[CALC], messages=history
    )
    print(reply.stop_reason, reply.content[0].text)
    print(reply.to_json(indent=None) == reply.model_dump_json(exclude_unset=True))
    count = await client.messages.count_tokens(
        model="claude-compat-1", tools=[CALC], messages=history
    )
    print("tokens", count.input_tokens)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
