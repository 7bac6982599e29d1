"""Tools for testing code that uses aioanthropic, offline: a fake Anthropic API server.

``FakeServer`` speaks the Anthropic wire format over real loopback HTTP, with a deterministic
model (rules in ``_model``) and faults on demand (``Fault``, ``RateLimits``). Besides messages it
serves count_tokens, models and message batches. It never imports the client it is meant to
test (only the client's offline ``estimate_tokens``, so that both agree on token counts)::

    async with FakeServer(api_key="sk-test") as server:
        server.enqueue(Fault(status=529, retry_after=0))  # the next request fails
        ...  # point a client at server.url: a retry then gets "You said: <your text>"
        assert server.requests[-1].json["model"] == "claude-..."

For logic that needs canned responses and no wire, ``ReplayTransport`` (an httpx transport,
no sockets, no uvicorn needed) answers from a queue of ``ReplayResponse`` values: SSE bodies
cut into chunks as you choose, JSON bodies, error statuses, headers; see ``_replay``::

    transport = ReplayTransport([ReplayResponse.sse(recorded_bytes, chunking="byte")])
    async with AsyncClient(api_key="test", transport=transport) as client: ...
"""

from typing import TYPE_CHECKING

from ._faults import Fault
from ._ratelimit import RateLimits
from ._replay import Chunking, ReplayExhausted, ReplayResponse, ReplayTransport
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
]
