"""Extract people, places, dated events and key facts from a text into a pydantic model, whole
and streamed.

python examples/structured_output.py           # against the fake server (a scripted model)
python examples/structured_output.py --live    # against the real API
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import anyio
from pydantic import BaseModel, Field

from _setup import example_client

TEXT = """\
On 14 March 2025 the Lisbon city council approved the new tram line 15E, after a vote led by
councillor Ana Ribeiro. Construction starts in Belém on 2 June 2025 and the line should reach
Algés by the end of 2026. Engineer Tomás Lima of Carris said the trams will carry 40,000
passengers a day, twice the buses they replace."""


class Person(BaseModel):
    name: str
    role: str | None = Field(None, description="Their job or title, if the text gives it")


class Event(BaseModel):
    what: str
    when: date
    where: str | None = None


class Extraction(BaseModel):
    people: list[Person]
    places: list[str]
    events: list[Event] = Field(description="Dated events, in the order they happen")
    key_facts: list[str] = Field(description="Short sentences, numbers included")


ANSWER = {
    "people": [
        {"name": "Ana Ribeiro", "role": "councillor"},
        {"name": "Tomás Lima", "role": "engineer at Carris"},
    ],
    "places": ["Lisbon", "Belém", "Algés"],
    "events": [
        {"what": "Council approves tram line 15E", "when": "2025-03-14", "where": "Lisbon"},
        {"what": "Construction starts", "when": "2025-06-02", "where": "Belém"},
    ],
    "key_facts": [
        "Line 15E should reach Algés by the end of 2026.",
        "The trams will carry 40,000 passengers a day.",
    ],
}


def fake_turns(testing: Any) -> list[Any]:
    """What the fake model answers, once whole and once streamed; the real one reads TEXT."""
    return [testing.Turn(text=json.dumps(ANSWER, ensure_ascii=False))] * 2


def show(result: Extraction) -> None:
    for person in result.people:
        print(f"  person: {person.name} ({person.role or 'no role given'})")
    print(f"  places: {', '.join(result.places)}")
    for event in result.events:
        print(f"  event: {event.when.isoformat()} {event.what} @ {event.where}")
    for fact in result.key_facts:
        print(f"  fact: {fact}")


async def main() -> None:
    ask = [{"role": "user", "content": f"Extract the facts from this text:\n\n{TEXT}"}]
    async with example_client(script=fake_turns) as client:
        print("whole (messages.parse):")
        message = await client.messages.parse(
            output_format=Extraction, model="claude-sonnet-4-5", max_tokens=2048, messages=ask
        )
        assert message.parsed_output is not None
        show(message.parsed_output)

        print("streamed (messages.stream(output_format=...)):")
        async with client.messages.stream(
            output_format=Extraction, model="claude-sonnet-4-5", max_tokens=2048, messages=ask
        ) as stream:
            seen: tuple[int, ...] = ()
            updates = 0
            async for partial in stream.partial_output():
                updates += 1
                counts = tuple(len(partial.get(k, ())) for k in Extraction.model_fields)
                if counts != seen:  # print when a list gains an item, not on every delta
                    seen = counts
                    print(
                        "  so far: "
                        + ", ".join(
                            f"{n} {k}" for k, n in zip(Extraction.model_fields, counts, strict=True)
                        )
                    )
            result = await stream.get_final_parsed()
        print(f"  {updates} partial values, then validated:")
        show(result)


if __name__ == "__main__":
    anyio.run(main)
