"""Faults on non-streaming requests: statuses, retry hints, odd bodies, delays, dead sockets."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest

from aioanthropic.testing import FakeServer, Fault
from helpers import SSL_CONTEXT, VERSION

pytestmark = pytest.mark.anyio

BODY = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}


async def create(http_client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    with anyio.fail_after(5):
        return await http_client.post("/v1/messages", json=BODY, headers=headers)


def fault_header(**fields: Any) -> dict[str, str]:
    return {"x-fake-fault": json.dumps(fields)}


async def test_status_with_default_error_type(
    http_client: httpx.AsyncClient, server: FakeServer
) -> None:
    server.enqueue(Fault(status=529), Fault(status=500), Fault(status=429))
    overloaded, internal, limited = [await create(http_client) for _ in range(3)]
    assert overloaded.status_code == 529
    assert overloaded.json() == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
        "request_id": overloaded.headers["request-id"],
    }
    assert internal.json()["error"]["type"] == "api_error"
    assert limited.json()["error"]["type"] == "rate_limit_error"
    # Real 429s say how long to wait: the fault's 429 does too, unless told otherwise.
    assert limited.headers["retry-after"] == "1"
    assert "retry-after" not in overloaded.headers
    assert "retry-after" not in internal.headers
    for response in (overloaded, internal, limited):
        assert "anthropic-ratelimit-requests-limit" in response.headers
    # The queue is spent: back to normal replies.
    assert (await create(http_client)).status_code == 200


async def test_retry_hints(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.enqueue(
        Fault(status=429, retry_after=2, retry_after_ms=1500, should_retry=True),
        Fault(status=503, retry_after=date, should_retry=False),
        Fault(status=529, retry_after=0.5),
    )
    first, second, third = [await create(http_client) for _ in range(3)]
    assert first.headers["retry-after"] == "2"
    assert first.headers["retry-after-ms"] == "1500"
    assert first.headers["x-should-retry"] == "true"
    assert second.headers["retry-after"] == date
    assert second.headers["x-should-retry"] == "false"
    assert "retry-after-ms" not in second.headers
    assert third.headers["retry-after"] == "0.5"


async def test_error_type_and_message_override(
    http_client: httpx.AsyncClient, server: FakeServer
) -> None:
    server.enqueue(Fault(status=400, error_type="odd_error", error_message="Nope"))
    response = await create(http_client)
    assert response.json()["error"] == {"type": "odd_error", "message": "Nope"}


async def test_fail_first_then_succeed() -> None:
    fault = Fault(status=529, fail_first=2)
    async with (
        FakeServer(fault=fault) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        statuses = [(await create(http_client)).status_code for _ in range(4)]
    assert statuses == [529, 529, 200, 200]


async def test_queue_comes_before_the_server_fault() -> None:
    async with (
        FakeServer(fault=Fault(status=500)) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, verify=SSL_CONTEXT) as http_client,
    ):
        server.enqueue(Fault(status=429), Fault())
        statuses = [(await create(http_client)).status_code for _ in range(3)]
    assert statuses == [429, 200, 500]


async def test_fault_from_header(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    server.enqueue(Fault(status=500))
    header = fault_header(status=503, fail_first=1, retry_after=3)
    first = await create(http_client, **header)
    second = await create(http_client, **header)
    assert (first.status_code, first.headers["retry-after"]) == (503, "3")
    # fail_first counts equal faults, so the same header succeeds the second time.
    assert second.status_code == 200
    # A header fault does not use up the queue.
    assert (await create(http_client)).status_code == 500


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("{not json", "not JSON"), ('{"volume": 11}', "unknown fields"), ('{"body": "xml"}', "body")],
)
async def test_bad_fault_header(http_client: httpx.AsyncClient, value: str, fragment: str) -> None:
    response = await create(http_client, **{"x-fake-fault": value})
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


async def test_openai_style_body(http_client: httpx.AsyncClient) -> None:
    response = await create(http_client, **fault_header(status=429, body="openai"))
    assert response.status_code == 429
    assert response.json() == {
        "error": {
            "message": "Number of requests has exceeded your rate limit.",
            "type": "None",
            "param": None,
            "code": 429,
        }
    }


async def test_html_and_text_bodies(http_client: httpx.AsyncClient) -> None:
    html = await create(http_client, **fault_header(status=502, body="html"))
    assert html.status_code == 502
    assert html.headers["content-type"] == "text/html"
    assert html.text == "<html><body><h1>502 Bad Gateway</h1></body></html>"
    text = await create(http_client, **fault_header(status=500, body="text"))
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith("500 Internal Server Error")


async def test_delay(http_client: httpx.AsyncClient) -> None:
    # No clock comparison: a read timeout shorter than the delay must fire, and a longer one
    # must not. (Without the delay, the reply would come in milliseconds: no timeout.)
    with pytest.raises(httpx.ReadTimeout):
        await http_client.post(
            "/v1/messages", json=BODY, headers=fault_header(delay=0.3), timeout=0.1
        )
    response = await create(http_client, **fault_header(delay=0.3))
    assert response.status_code == 200


async def test_close_without_response(http_client: httpx.AsyncClient, server: FakeServer) -> None:
    server.enqueue(Fault(close_without_response=True))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await create(http_client)
    # The server is fine afterwards, and the abort is not counted as the client leaving.
    assert (await create(http_client)).status_code == 200
    assert server.disconnects == 0


async def test_client_giving_up_during_a_delay_counts_as_a_disconnect(
    http_client: httpx.AsyncClient, server: FakeServer
) -> None:
    server.enqueue(Fault(delay=2))
    with anyio.move_on_after(0.2):
        await create(http_client)
    with anyio.fail_after(5):
        await server.wait_for_disconnects(1)
    assert server.disconnects == 1


async def test_wait_for_disconnects_times_out(server: FakeServer) -> None:
    with pytest.raises(TimeoutError):
        await server.wait_for_disconnects(1, timeout=0.05)


def test_fault_validation() -> None:
    with pytest.raises(ValueError, match="chunking"):
        Fault(chunking="lines")
    with pytest.raises(ValueError, match="status"):
        Fault(status=42)
    with pytest.raises(ValueError, match="chunking"):
        FakeServer(chunking="lines")
