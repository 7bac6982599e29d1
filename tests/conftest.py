"""Fixtures shared by the test modules (plain helpers live in helpers.py).

- ``anyio_backend``: every async test runs on asyncio and on trio.
- ``server``: a ``FakeServer`` on loopback; a module or test passes it options with
  ``@pytest.mark.fake_server(batch_processing_delay=0.2)`` (any ``FakeServer`` keyword).
- ``client``: an ``AsyncClient`` on ``server`` with API key ``"test-key"``; a module or test
  passes it options with ``@pytest.mark.async_client(max_retries=0)`` (any ``AsyncClient``
  keyword).
- ``http_client``: a plain ``httpx.AsyncClient`` on ``server`` that sends ``anthropic-version``,
  for tests of the fake server's wire format.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from aioanthropic import AsyncClient
from aioanthropic.testing import FakeServer
from helpers import SSL_CONTEXT, VERSION, client_for

# Modules marked ``http_backends`` run over both AsyncClient http_backends (tests/http_backends.py).
pytest_plugins = ["http_backends"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fake_server(**options): FakeServer keyword arguments for the server fixture"
    )
    config.addinivalue_line(
        "markers", "async_client(**options): AsyncClient keyword arguments for the client fixture"
    )


# Every async test runs twice, once under asyncio and once under trio: the SDK imports anyio,
# never asyncio, and this is what keeps it honest.
@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def server(request: pytest.FixtureRequest) -> AsyncIterator[FakeServer]:
    marker = request.node.get_closest_marker("fake_server")
    async with FakeServer(**(marker.kwargs if marker else {})) as s:
        yield s


@pytest.fixture
async def client(request: pytest.FixtureRequest, server: FakeServer) -> AsyncIterator[AsyncClient]:
    marker = request.node.get_closest_marker("async_client")
    options = {"api_key": "test-key", **(marker.kwargs if marker else {})}
    async with client_for(server, **options) as c:
        yield c


@pytest.fixture
async def http_client(server: FakeServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=server.url, headers=VERSION, verify=SSL_CONTEXT, timeout=5
    ) as c:
        yield c
