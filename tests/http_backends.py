"""Run the wire tests over both HTTP backends (a pytest plugin, loaded by conftest.py).

A test module opts in with ``pytest.mark.http_backends`` in its ``pytestmark``: each of its
tests then runs with ``http_backend`` "httpx" and "aiohttp" (asyncio only: aiohttp does not run
on trio, so the trio x aiohttp pairs are deselected, not skipped). For "aiohttp", the
``http_backend`` fixture makes that the default of ``AsyncClient(http_backend=...)`` for the
test, so the modules' own ``client_for`` helpers and fixtures need no change; tests that pass
their own ``http_client`` are unaffected. ``connections_in_use`` and ``idle_connections`` read
either pool.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from aioanthropic import AsyncClient

BACKENDS = ["httpx", "aiohttp"]
HAVE_AIOHTTP = importlib.util.find_spec("aiohttp") is not None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "http_backends: run each test over both AsyncClient http_backends"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("http_backends") is None:
        return
    if "http_backend" not in metafunc.fixturenames:
        metafunc.fixturenames.append("http_backend")
    metafunc.parametrize("http_backend", BACKENDS, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("http_backend") == "aiohttp" and params.get("anyio_backend") == "trio":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def http_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    backend = str(getattr(request, "param", "httpx"))
    if backend == "aiohttp":
        if not HAVE_AIOHTTP:
            pytest.skip("aiohttp is not installed (the [aiohttp] extra)")
        defaults = AsyncClient.__init__.__kwdefaults__
        assert defaults is not None
        assert "http_backend" in defaults
        monkeypatch.setitem(defaults, "http_backend", backend)
    return backend


def _over_aiohttp(client: AsyncClient) -> bool:
    return type(client._http._transport).__name__ == "AiohttpTransport"


def _aiohttp_connector(client: AsyncClient) -> Any:
    session = getattr(client._http._transport, "_session", None)
    return None if session is None else session.connector


def connections_in_use(client: AsyncClient) -> int:
    """Connections the client's pool has handed out and not got back."""
    if _over_aiohttp(client):
        connector = _aiohttp_connector(client)
        return 0 if connector is None else len(connector._acquired)
    # httpx exposes no public view of its pool; httpcore's pool lists its connections.
    pool = client._http._transport._pool  # type: ignore[attr-defined]
    return sum(1 for conn in pool.connections if not (conn.is_idle() or conn.is_closed()))


def open_connections(client: AsyncClient) -> int:
    """Connections the pool holds open (in use or idle)."""
    if _over_aiohttp(client):
        connector = _aiohttp_connector(client)
        if connector is None:
            return 0
        idle: int = sum(len(c) for c in connector._conns.values())
        return idle + connections_in_use(client)
    pool = client._http._transport._pool  # type: ignore[attr-defined]
    return sum(1 for conn in pool.connections if not conn.is_closed())
