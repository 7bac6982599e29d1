"""Every request logged at DEBUG (never a secret), every retry logged; ``elapsed`` on results
and ``time_to_first_token`` on streams. Against the fake server over loopback HTTP."""

from __future__ import annotations

import logging
import re

import pytest

from aioanthropic import AsyncClient, BadRequestError, Message
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import MessageParam
from helpers import RecordedWaits

pytestmark = pytest.mark.anyio

HELLO: list[MessageParam] = [{"role": "user", "content": "Hello there"}]
SECRET = "sk-ant-secret-key-123"


async def test_each_request_is_logged_at_debug_with_status_request_id_and_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="aioanthropic")
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key=SECRET, _sleep=RecordedWaits()) as client,
    ):
        message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        server.enqueue(Fault(status=529, retry_after=0))
        retried = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        async with client.messages.stream(model="m", max_tokens=5, messages=HELLO) as stream:
            await stream.get_final_message()
    lines = [r.getMessage() for r in caplog.records if r.name == "aioanthropic"]
    done = [line for line in lines if re.match(r"POST /v1/messages -> 200 ", line)]
    assert len(done) == 3
    assert done[0].startswith(f"POST /v1/messages -> 200 request-id={message.request_id} in ")
    assert done[0].endswith("(retries: 0)")
    assert done[1].startswith(f"POST /v1/messages -> 200 request-id={retried.request_id} ")
    assert done[1].endswith("(retries: 1)")
    assert re.search(r" in \d+\.\d{3}s ", done[2])
    assert any("-> 529" in line for line in lines)
    assert any("retry 1 of 2" in line for line in lines)
    assert all(record.levelno == logging.DEBUG for record in caplog.records)
    assert SECRET not in caplog.text


async def test_a_failure_that_is_not_retried_is_logged_too(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="aioanthropic")
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key=SECRET) as client:
        server.enqueue(Fault(status=400))
        with pytest.raises(BadRequestError):
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    lines = [r.getMessage() for r in caplog.records if r.name == "aioanthropic"]
    assert lines == [
        "POST /v1/messages -> 400",
        "POST /v1/messages failed (400 invalid_request_error); not retried (retries: 0)",
    ]
    assert SECRET not in caplog.text


async def test_nothing_is_logged_above_debug_for_a_successful_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="aioanthropic")
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    assert caplog.records == []


async def test_results_carry_elapsed_and_streams_time_to_first_token() -> None:
    async with FakeServer() as server, AsyncClient(base_url=server.url, api_key="k") as client:
        message = await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        assert message.elapsed is not None
        assert message.elapsed.total_seconds() > 0
        async with client.messages.stream(model="m", max_tokens=50, messages=HELLO) as stream:
            assert stream.time_to_first_token is None  # nothing read yet
            first_text = await anext(stream.text_stream)
            assert first_text
            ttft = stream.time_to_first_token
            assert ttft is not None
            assert ttft > 0
            streamed = await stream.get_final_message()
        assert stream.time_to_first_token == ttft  # fixed once measured
        assert streamed.elapsed is not None
        assert streamed.elapsed.total_seconds() >= ttft  # the end comes after the first token
        count = await client.messages.count_tokens(model="m", messages=HELLO)
        assert count.elapsed is not None


def test_a_message_not_from_a_call_has_no_elapsed() -> None:
    message = Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    assert message.elapsed is None
