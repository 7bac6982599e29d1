"""Tools for testing code that uses aioanthropic, offline: a fake Anthropic API server.

``FakeServer`` speaks the Anthropic wire format over real loopback HTTP, with a deterministic
model (rules in ``_model``) and faults on demand (``Fault``, ``RateLimits``). Besides messages it
serves count_tokens, models and message batches. It never imports the client it is meant to
test (only the client's offline ``estimate_tokens``, so that both agree on token counts)::

    async with FakeServer(api_key="sk-test") as server:
        server.enqueue(Fault(status=529, retry_after=0))  # the next request fails
        ...  # point a client at server.url: a retry then gets "You said: <your text>"
        assert server.requests[-1].json["model"] == "claude-..."
"""

from ._faults import Fault
from ._ratelimit import RateLimits
from ._server import FakeServer
from ._state import RecordedRequest

__all__ = ["FakeServer", "Fault", "RateLimits", "RecordedRequest"]
