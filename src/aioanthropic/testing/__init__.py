"""Tools for testing code that uses aioanthropic, offline: a fake Anthropic API server.

``FakeServer`` speaks the Anthropic wire format over real loopback HTTP, with a deterministic
model (rules in ``_responder``) and faults on demand (``Fault``, ``RateLimits``). Besides
messages it serves count_tokens, models and message batches. It never imports the client it is
meant to test (only the client's offline ``estimate_tokens``, so that both agree on token counts)::

    async with FakeServer(api_key="sk-test") as server:
        server.enqueue(Fault(status=529, retry_after=0))  # the next request fails
        ...  # point a client at server.url: a retry then gets "You said: <your text>"
        assert server.requests[-1].json["model"] == "claude-..."

For logic that needs canned responses and no wire, ``ReplayTransport`` (an httpx transport,
no sockets, no uvicorn needed) answers from a queue of ``ReplayResponse`` values: SSE bodies
cut into chunks as you choose, JSON bodies, error statuses, headers; see ``_replay``::

    transport = ReplayTransport([ReplayResponse.sse(recorded_bytes, chunking="byte")])
    async with AsyncClient(api_key="test", transport=transport) as client: ...

Scripting the model. To test an agent, dictate what the model says turn by turn:
``server.script(*turns)`` queues ``Turn`` values, and each POST /v1/messages that reaches the
model (past faults, checks and rate limits) takes the next one, streamed or not, identically;
when the queue is empty the deterministic model answers again (``server.turns_left`` counts
what is left). A ``Turn`` has ``text``, ``tool_calls`` (``ToolCall(name, input, id=None)``
values, emitted as ``tool_use`` blocks in the order given; ``input`` is sent as is, never
checked, so invalid input and unknown tool names can be scripted), ``thinking``, and
``stop_reason`` (default ``"tool_use"`` with tool calls, else ``"end_turn"``; also
``"refusal"``, ``"max_tokens"``, ``"pause_turn"``, ``"stop_sequence"`` with ``stop_sequence``)::

    server.script(
        Turn(tool_calls=[ToolCall("get_weather", {"city": "Paris"}),
                         ToolCall("get_time", {"tz": 42})]),   # two calls in one turn
        Turn(text="It is sunny in Paris."),                     # the final answer
    )
    server.script(Turn(stop_reason="refusal"))                  # or a refusal, a pause_turn...
    ...  # run the agent; server.requests[i].json shows the tool_results it sent back

Structured output: a request with ``output_config={"format": {"type": "json_schema", "schema":
S}}`` (or the deprecated beta ``output_format={...}``) and no scripted turn is answered with
JSON text valid against ``S`` (``$defs``/``$ref``, nested objects, enums, arrays, formats),
streamed in text deltas of 1 to 8 characters. Tool inputs the deterministic model makes up
follow the same rules, ``$ref`` included.
"""

from typing import TYPE_CHECKING

from ._faults import Fault
from ._ratelimit import RateLimits
from ._replay import Chunking, ReplayExhausted, ReplayResponse, ReplayTransport
from ._script import ToolCall, Turn
from ._state import RecordedRequest

if TYPE_CHECKING:
    from ._server import FakeServer
else:

    def __getattr__(name: str) -> object:
        # FakeServer needs uvicorn (the [server] extra): import it on first use (PEP 562), so
        # that the rest, ReplayTransport above all, works without it. Without uvicorn this
        # raises _server's ImportError, which says what to install.
        if name == "FakeServer":
            from ._server import FakeServer

            globals()[name] = FakeServer
            return FakeServer
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Chunking",
    "FakeServer",
    "Fault",
    "RateLimits",
    "RecordedRequest",
    "ReplayExhausted",
    "ReplayResponse",
    "ReplayTransport",
    "ToolCall",
    "Turn",
]
