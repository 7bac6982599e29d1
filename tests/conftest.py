from __future__ import annotations

import pytest

# Modules marked ``http_backends`` run over both AsyncClient http_backends (tests/http_backends.py).
pytest_plugins = ["http_backends"]


# Every async test runs twice, once under asyncio and once under trio: the SDK imports anyio,
# never asyncio, and this is what keeps it honest.
@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
