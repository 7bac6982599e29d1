"""What only the aiohttp backend has to prove (the shared streaming, fault and cancellation tests
run over it too: ``pytest.mark.http_backends``, tests/http_backends.py): its exceptions map to
the right httpx class, every limit and timeout is passed through, trio is refused, bytes arrive
as sent, and the session closes with the client."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from aioanthropic import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    UnsupportedBackendError,
)
from aioanthropic._http.aiohttp_transport import AiohttpTransport
from aioanthropic.testing import FakeServer, Fault
from http_backends import connections_in_use, open_connections

pytestmark = pytest.mark.anyio
asyncio_only = pytest.mark.parametrize("anyio_backend", ["asyncio"])

HELLO = [{"role": "user", "content": "Hello there, how are you today?"}]


def params(**overrides: Any) -> dict[str, Any]:
    return {"model": "claude-test", "max_tokens": 100, "messages": HELLO, **overrides}


def over_aiohttp(
    base_url: str,
    *,
    limits: httpx.Limits | None = None,
    timeout: httpx.Timeout | None = None,
    max_retries: int = 0,
) -> AsyncClient:
    """A client over an ``AiohttpTransport`` with the given limits (AsyncClient's own pool
    takes DEFAULT_LIMITS); the client's ``timeout`` goes on every request it builds."""
    transport = AiohttpTransport(limits=limits or httpx.Limits())
    return AsyncClient(
        api_key="test",
        base_url=base_url,
        http_client=httpx.AsyncClient(transport=transport),
        max_retries=max_retries,
        timeout=timeout or httpx.Timeout(10.0),
    )


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel completes the handshake) and never
    reads or answers: writes block once the buffers fill, reads never return."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def cause_chain(error: BaseException) -> list[type[BaseException]]:
    out: list[type[BaseException]] = []
    cause = error.__cause__
    while cause is not None and len(out) < 10:
        out.append(type(cause))
        cause = cause.__cause__
    return out


# --- errors map to the right httpx class ------------------------------------------------------


@asyncio_only
async def test_refused_connection_is_a_connect_error_not_a_timeout() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with over_aiohttp(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(APIConnectionError) as info:
            await client.messages.create(**params())
    assert not isinstance(info.value, APITimeoutError)
    assert httpx.ConnectError in cause_chain(info.value)


@asyncio_only
async def test_read_timeout_is_a_read_timeout(silent_port: int) -> None:
    timeout = httpx.Timeout(10.0, read=0.2)
    async with over_aiohttp(f"http://127.0.0.1:{silent_port}", timeout=timeout) as client:
        with anyio.fail_after(5), pytest.raises(APITimeoutError) as info:
            await client.messages.create(**params())
    assert httpx.ReadTimeout in cause_chain(info.value)


@asyncio_only
async def test_write_timeout_is_a_write_timeout(silent_port: int) -> None:
    # 16 MiB cannot fit in loopback socket buffers of a peer that never reads.
    big = [{"role": "user", "content": "x" * (16 * 1024 * 1024)}]
    timeout = httpx.Timeout(10.0, write=0.3)
    async with over_aiohttp(f"http://127.0.0.1:{silent_port}", timeout=timeout) as client:
        with anyio.fail_after(8), pytest.raises(APITimeoutError) as info:
            await client.messages.create(**params(messages=big))
    assert httpx.WriteTimeout in cause_chain(info.value)


@asyncio_only
async def test_dropped_stream_is_a_connection_error(server: FakeServer) -> None:
    server.enqueue(Fault(drop_after=6))

    async def read_all(client: AsyncClient) -> None:
        async with client.messages.stream(**params()) as stream:
            async for _ in stream:
                pass

    async with over_aiohttp(server.url) as client:
        with anyio.fail_after(10), pytest.raises(APIConnectionError) as info:
            await read_all(client)
    assert not isinstance(info.value, APITimeoutError)
    assert httpx.RemoteProtocolError in cause_chain(info.value)


# --- limits and timeouts passed through ---------------------------------------------------------


@asyncio_only
async def test_pool_timeout_when_every_connection_is_in_use(server: FakeServer) -> None:
    server.enqueue(Fault(drip=0.05))
    limits = httpx.Limits(max_connections=1)
    timeout = httpx.Timeout(10.0, pool=0.2)
    async with over_aiohttp(server.url, limits=limits, timeout=timeout) as client:
        async with client.messages.stream(**params()) as stream:
            await anext(stream)
            assert connections_in_use(client) == 1
            with anyio.fail_after(5), pytest.raises(APITimeoutError) as info:
                await client.messages.create(**params())
            assert httpx.PoolTimeout in cause_chain(info.value)
        # The slot is free again once the stream is closed.
        message = await client.messages.create(**params())
    assert message.stop_reason == "end_turn"
    assert len(server.requests) == 2


@asyncio_only
@pytest.mark.parametrize("keepalive", [1, 3])
async def test_max_keepalive_connections_caps_the_idle_pool(
    server: FakeServer, keepalive: int
) -> None:
    server.enqueue(*[Fault(drip=0.02)] * 4)
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=keepalive)
    async with over_aiohttp(server.url, limits=limits) as client:

        async def one() -> None:
            async with client.messages.stream(**params()) as stream:
                await stream.get_final_message()

        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(one)
        assert connections_in_use(client) == 0
        assert open_connections(client) == keepalive


# --- bytes as they arrive -------------------------------------------------------------------


@asyncio_only
async def test_events_arrive_before_the_body_ends(server: FakeServer) -> None:
    # The server sends 6 events, then nothing for 30 s: a reader that waits for a full block
    # (or the end of the body) would see none of them in time.
    server.enqueue(Fault(stall=30.0, stall_after=6))
    async with over_aiohttp(server.url) as client:
        seen = 0
        with anyio.move_on_after(3):
            async with client.messages.stream(**params()) as stream:
                async for _ in stream:
                    seen += 1
    assert seen >= 5  # message_start, ping, content_block_start, deltas...


# --- trio refused, session closed -------------------------------------------------------------


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_trio_is_refused_at_construction() -> None:
    with pytest.raises(UnsupportedBackendError, match="asyncio only"):
        AsyncClient(api_key="test", http_backend="aiohttp")


def test_trio_is_refused_at_the_first_request_of_a_client_built_outside() -> None:
    import trio

    client = AsyncClient(api_key="test", base_url="http://127.0.0.1:9", http_backend="aiohttp")

    async def main() -> None:
        with pytest.raises(UnsupportedBackendError, match="asyncio only"):
            await client.messages.create(**params())
        await client.aclose()

    trio.run(main)


@asyncio_only
async def test_aclose_closes_the_aiohttp_session(server: FakeServer) -> None:
    client = AsyncClient(api_key="test", base_url=server.url, http_backend="aiohttp")
    await client.messages.create(**params())
    transport = client._http._transport
    assert isinstance(transport, AiohttpTransport)
    session = transport._session
    assert session is not None
    assert not session.closed
    await client.aclose()
    assert session.closed
    assert transport._session is None


def test_bad_backend_names_and_combinations_are_refused() -> None:
    with pytest.raises(ValueError, match="http_backend must be"):
        AsyncClient(api_key="test", http_backend="requests")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="http_client"):
        AsyncClient(api_key="test", http_backend="aiohttp", http_client=httpx.AsyncClient())
    assert AsyncClient(api_key="test").http_backend == "httpx"
