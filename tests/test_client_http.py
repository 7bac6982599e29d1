"""The client against the fake server over real loopback HTTP: statuses, retries, timeouts,
connection failures, and the key kept out of everything printable."""

from __future__ import annotations

import logging
import socket

import anyio
import anyio.lowlevel
import pytest

from aioanthropic import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    OverloadedError,
    RateLimitError,
)
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import MessageParam
from helpers import STATUS_CLASSES, RecordedWaits, client_for, run_python

pytestmark = [pytest.mark.anyio, pytest.mark.http_backends]

HELLO: list[MessageParam] = [{"role": "user", "content": "Hello"}]
SECRET = "sk-ant-api03-SECRET-do-not-print-0123456789"


async def test_create_over_loopback(server: FakeServer) -> None:
    async with client_for(server) as client:
        message = await client.messages.create(model="claude-test", max_tokens=100, messages=HELLO)
    assert message.content[0].text == "You said: Hello"  # type: ignore[union-attr]
    assert message.model == "claude-test"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0
    assert message.request_id is not None
    assert message.request_id.startswith("req_")
    assert message.retries_taken == 0
    (request,) = server.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "test"
    assert request.json == {"model": "claude-test", "max_tokens": 100, "messages": HELLO}


async def test_a_closed_client_says_so_and_sends_nothing(server: FakeServer) -> None:
    async with client_for(server) as client:
        await client.messages.create(model="m", max_tokens=10, messages=HELLO)
    with pytest.raises(RuntimeError, match=r"^This AsyncClient is closed .* create a new"):
        await client.messages.create(model="m", max_tokens=10, messages=HELLO)
    with pytest.raises(RuntimeError, match=r"^This AsyncClient is closed"):
        async with client.messages.stream(model="m", max_tokens=10, messages=HELLO):
            pass
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "cls"),
    STATUS_CLASSES,
)
async def test_each_status_raises_its_class(
    server: FakeServer, status: int, cls: type[APIStatusError]
) -> None:
    server.enqueue(Fault(status=status, error_message=f"boom {status}"))
    async with client_for(server, max_retries=0) as client:
        with pytest.raises(cls) as info:
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    error = info.value
    assert type(error) is cls
    assert error.status_code == status
    assert f"boom {status}" in error.message
    assert error.request_id is not None
    assert error.request_id in str(error)
    assert error.headers["request-id"] == error.request_id
    assert isinstance(error.body, dict)
    assert error.error_type is not None


async def test_openai_style_error_body_over_the_wire(server: FakeServer) -> None:
    server.enqueue(Fault(status=400, body="openai", error_message="bad model"))
    async with client_for(server, max_retries=0) as client:
        with pytest.raises(BadRequestError) as info:
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert "bad model" in info.value.message
    assert isinstance(info.value.body, dict)
    assert "error" in info.value.body


async def test_html_error_body_over_the_wire(server: FakeServer) -> None:
    server.enqueue(Fault(status=502, body="html", should_retry=False))
    async with client_for(server) as client:
        with pytest.raises(InternalServerError) as info:
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert info.value.error_type is None
    assert isinstance(info.value.body, str)
    assert "<html" in info.value.body.lower()
    assert "non-JSON" in info.value.message


async def test_fake_server_validation_surfaces_as_bad_request(server: FakeServer) -> None:
    async with client_for(server) as client:
        with pytest.raises(BadRequestError) as info:
            await client.messages.create(
                model="m",
                max_tokens="ten",  # type: ignore[call-overload]
                messages=HELLO,
            )
    assert info.value.error_type == "invalid_request_error"
    assert "max_tokens" in info.value.message
    assert len(server.requests) == 1


async def test_retries_then_succeeds_and_reports_the_count(server: FakeServer) -> None:
    server.enqueue(Fault(status=529), Fault(status=503))
    waits = RecordedWaits()
    async with client_for(server, _sleep=waits) as client:
        message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert message.retries_taken == 2
    assert len(server.requests) == 3
    assert len(waits.waits) == 2
    # Exponential backoff with up to 25% jitter taken off: [0.375, 0.5] then [0.75, 1.0].
    assert 0.375 <= waits.waits[0] <= 0.5
    assert 0.75 <= waits.waits[1] <= 1.0


async def test_gives_up_after_max_retries_with_the_count_on_the_error(
    server: FakeServer,
) -> None:
    server.enqueue(*[Fault(status=500)] * 4)
    async with client_for(server, _sleep=RecordedWaits(), max_retries=3) as client:
        with pytest.raises(InternalServerError) as info:
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert info.value.retries_taken == 3
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault(status=429, retry_after_ms=1500), 1.5),
        (Fault(status=429, retry_after=2), 2.0),
        (Fault(status=529, retry_after_ms=250, retry_after=9), 0.25),
        (Fault(status=503, retry_after="Fri, 01 Jan 2100 00:00:00 GMT"), None),
    ],
)
async def test_retry_after_headers_are_honoured(
    server: FakeServer, fault: Fault, expected: float | None
) -> None:
    server.enqueue(fault)
    waits = RecordedWaits()
    async with client_for(server, _sleep=waits, max_retry_wait=1e12) as client:
        await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    (wait,) = waits.waits
    if expected is None:  # an HTTP date far in the future: the wait runs until then
        assert wait > 60 * 60 * 24 * 365
    else:
        assert wait == pytest.approx(expected)


async def test_a_wait_longer_than_max_retry_wait_raises_at_once(server: FakeServer) -> None:
    server.enqueue(Fault(status=429, retry_after=120))
    waits = RecordedWaits()
    async with client_for(server, _sleep=waits, max_retry_wait=60) as client:
        with pytest.raises(RateLimitError) as info:
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert waits.waits == []
    assert len(server.requests) == 1
    assert info.value.retry_after == 120.0
    assert info.value.retries_taken == 0
    assert "max_retry_wait" in str(info.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
async def test_no_retry_on_client_errors(server: FakeServer, status: int) -> None:
    server.enqueue(Fault(status=status))
    async with client_for(server, _sleep=RecordedWaits()) as client:
        with pytest.raises(APIStatusError):
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert len(server.requests) == 1


async def test_x_should_retry_overrides_the_status(server: FakeServer) -> None:
    server.enqueue(Fault(status=529, should_retry=False))
    async with client_for(server, _sleep=RecordedWaits()) as client:
        with pytest.raises(OverloadedError):
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert len(server.requests) == 1

    server.enqueue(Fault(status=400, should_retry=True))
    async with client_for(server, _sleep=RecordedWaits()) as client:
        message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert message.retries_taken == 1


async def test_fail_first_then_succeed(server: FakeServer) -> None:
    async with FakeServer(fault=Fault(status=503, fail_first=2)) as flaky:
        async with client_for(flaky, _sleep=RecordedWaits()) as client:
            message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        assert message.retries_taken == 2
        assert len(flaky.requests) == 3


async def test_slow_server_times_out_after_the_retries() -> None:
    async with FakeServer(fault=Fault(delay=2.0)) as slow:
        async with client_for(slow, _sleep=RecordedWaits(), timeout=0.2, max_retries=1) as client:
            with anyio.fail_after(10):
                with pytest.raises(APITimeoutError) as info:
                    await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        assert info.value.retries_taken == 1
        assert len(slow.requests) == 2


async def test_per_call_timeout_overrides_the_client_default() -> None:
    async with FakeServer(fault=Fault(delay=2.0)) as slow:
        async with client_for(slow, max_retries=0) as client:
            with anyio.fail_after(10):
                with pytest.raises(APITimeoutError):
                    await client.messages.create(
                        model="m", max_tokens=5, messages=HELLO, timeout=0.2
                    )


async def test_connection_refused_raises_connection_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on that port now.
    waits = RecordedWaits()
    async with AsyncClient(
        _sleep=waits, base_url=f"http://127.0.0.1:{port}", api_key="k"
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.retries_taken == 2
    assert len(waits.waits) == 2


async def test_connection_closed_without_a_response_is_retried(server: FakeServer) -> None:
    server.enqueue(Fault(close_without_response=True))
    async with client_for(server, _sleep=RecordedWaits()) as client:
        message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert message.retries_taken == 1

    server.enqueue(*[Fault(close_without_response=True)] * 3)
    async with client_for(server, _sleep=RecordedWaits()) as client:
        with pytest.raises(APIConnectionError):
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)


async def test_the_key_never_appears_in_reprs_errors_or_logs(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeServer(api_key="the-right-key") as guarded:
        async with client_for(guarded, api_key=SECRET) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.messages.create(model="m", max_tokens=5, messages=HELLO)
            printable = [repr(client), str(client), str(info.value), repr(info.value)]
            printable += [repr(info.value.body), repr(info.value.headers), info.value.message]
    server.enqueue(Fault(status=529))
    async with client_for(server, _sleep=RecordedWaits(), api_key=SECRET) as client:
        message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        printable += [repr(message), str(message), repr(client)]
    assert "ANTHROPIC_API_KEY" in str(info.value)  # the 401 says what to check
    assert "retry 1 of 2" in caplog.text  # retries are logged at DEBUG ...
    for text in [*printable, caplog.text]:
        assert SECRET not in text  # ... and the key is in none of it
        assert SECRET[-12:] not in text


def test_the_demo_runs_and_exits_zero() -> None:
    out = run_python("-m", "aioanthropic", "demo")
    assert "--- streamed turn" in out
    assert "assistant: You said: Hello! In one sentence, what is an SDK?\n" in out
    assert "text deltas) stop_reason=end_turn" in out
    assert "assistant calls get_weather(" in out
    assert "stop_reason=tool_use" in out
    assert "The tool returned: 18 degrees" in out
    assert "stop_reason=end_turn" in out
