"""The demo conversation (``python -m aioanthropic demo``) on the sync client.

The demo's own code (``aioanthropic/_demo.py``) is taken as written and made synchronous the
mechanical way a reader would (``await`` / ``async`` removed); run with ``Client`` against a
fresh fake server it must print exactly what the async demo prints against another one.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re

import anyio

from aioanthropic import AsyncClient, Client, _demo
from aioanthropic.testing import FakeServer

MODEL = "claude-sonnet-4-5"


def desync(source: str) -> str:
    out = re.sub(r"\basync (def|with|for)\b", r"\1", source)
    return re.sub(r"\bawait ", "", out)


def async_demo_output() -> str:
    async def main() -> str:
        out = io.StringIO()
        async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as c:
            with contextlib.redirect_stdout(out):
                await _demo._conversation(c, MODEL)
        return out.getvalue()

    return anyio.run(main)


def test_the_demo_conversation_runs_on_the_sync_client() -> None:
    source = desync(inspect.getsource(_demo))
    assert "await" not in source
    assert "async with" not in source
    namespace: dict[str, object] = {
        "__name__": "aioanthropic._demo_sync",
        "__package__": "aioanthropic",
    }
    exec(compile(source, "_demo_sync.py", "exec"), namespace)
    out = io.StringIO()
    with FakeServer() as server, Client(base_url=server.url, api_key="k") as client:
        with contextlib.redirect_stdout(out):
            namespace["_conversation"](client, MODEL)  # type: ignore[operator]
    sync_output = out.getvalue()
    assert "assistant calls get_weather" in sync_output
    assert sync_output == async_demo_output()
