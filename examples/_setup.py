"""Shared by the examples: a client for the real API with --live, else for the fake server."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aioanthropic import AsyncClient


@asynccontextmanager
async def example_client(
    script: Callable[[Any], list[Any]] | None = None,
) -> AsyncIterator[AsyncClient]:
    """``script(aioanthropic.testing)`` returns the turns the fake model plays (ignored with
    --live), for examples that need the model to do something particular."""
    if "--live" in sys.argv[1:]:
        if not os.environ.get("ANTHROPIC_API_KEY"):
            sys.exit("--live needs ANTHROPIC_API_KEY")
        async with AsyncClient() as client:
            yield client
        return
    from aioanthropic.testing import FakeServer, Fault

    # A little delay per event, so that streaming is visible in a terminal.
    async with FakeServer(fault=Fault(drip=0.03)) as server:
        if script is not None:
            import aioanthropic.testing

            server.script(*script(aioanthropic.testing))
        async with AsyncClient(base_url=server.url, api_key="example") as client:
            yield client
