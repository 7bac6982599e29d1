"""Message batches against the fake server over loopback: lifecycle, results, waiting, memory."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime

import anyio
import pytest

from aioanthropic import (
    AnthropicError,
    AsyncClient,
    BadRequestError,
    BatchResultsUnavailableError,
    BatchWaitTimeoutError,
    DeletedMessageBatch,
    MessageBatch,
    MessageBatchRequestCounts,
    NotFoundError,
    RawResponse,
)
from aioanthropic._http.batch_results import results_request_url
from aioanthropic.testing import FakeServer
from aioanthropic.types import (
    MessageBatchCanceledResult,
    MessageBatchErroredResult,
    MessageBatchExpiredResult,
    MessageBatchIndividualResponse,
    MessageBatchSucceededResult,
    TextBlock,
    UnknownBatchResult,
)

pytestmark = [pytest.mark.anyio, pytest.mark.fake_server(batch_processing_delay=0.2)]


def requests(n: int, prefix: str = "req") -> list[dict[str, object]]:
    return [
        {
            "custom_id": f"{prefix}-{i}",
            "params": {
                "model": "claude-test",
                "max_tokens": 50,
                "messages": [{"role": "user", "content": f"Question {i}"}],
            },
        }
        for i in range(n)
    ]


async def test_create_request_and_result(server: FakeServer, client: AsyncClient) -> None:
    with anyio.fail_after(10):
        batch = await client.messages.batches.create(requests=requests(3), betas=["b1"])  # type: ignore[arg-type]
    assert isinstance(batch, MessageBatch)
    assert batch.id.startswith("msgbatch_")
    assert batch.type == "message_batch"
    assert batch.processing_status == "in_progress"
    assert batch.request_counts == MessageBatchRequestCounts(processing=3)
    assert isinstance(batch.created_at, datetime)
    assert isinstance(batch.expires_at, datetime)
    assert batch.ended_at is None
    assert batch.results_url is None
    assert batch.request_id is not None
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/messages/batches")
    assert request.json == {"requests": requests(3)}
    assert request.headers["x-api-key"] == "test-key"
    assert request.headers["anthropic-beta"] == "b1"


async def test_lifecycle_wait_progress_and_results(server: FakeServer, client: AsyncClient) -> None:
    seen: list[MessageBatchRequestCounts] = []
    with anyio.fail_after(15):
        batch = await client.messages.batches.create(requests=requests(4))  # type: ignore[arg-type]
        ended = await client.messages.batches.wait(
            batch.id, poll_interval=0.03, on_progress=seen.append
        )
        retrieved = await client.messages.batches.retrieve(batch.id)
        results = [r async for r in client.messages.batches.results(batch.id)]
    assert ended.processing_status == "ended"
    assert ended.request_counts == MessageBatchRequestCounts(succeeded=4)
    assert ended.ended_at is not None
    assert ended.results_url is not None
    assert retrieved.model_dump() == ended.model_dump()
    # Progress came poll by poll, ending with the final counts, never going backwards.
    assert seen[-1] == ended.request_counts
    assert len(seen) >= 2
    succeeded = [c.succeeded for c in seen]
    assert succeeded == sorted(succeeded)
    gets = [r for r in server.requests if r.method == "GET"]
    assert gets[0].path == f"/v1/messages/batches/{batch.id}"
    assert [r.custom_id for r in results] == [f"req-{i}" for i in range(4)]
    for i, r in enumerate(results):
        assert isinstance(r, MessageBatchIndividualResponse)
        assert isinstance(r.result, MessageBatchSucceededResult)
        block = r.result.message.content[0]
        assert isinstance(block, TextBlock)
        assert block.text == f"You said: Question {i}"
    results_request = server.requests[-1]
    assert results_request.path == f"/v1/messages/batches/{batch.id}/results"
    assert results_request.headers["x-api-key"] == "test-key"
    assert results_request.headers["anthropic-version"] == "2023-06-01"


async def test_results_of_each_type() -> None:
    outcomes = {"r-1": "errored", "r-2": "canceled", "r-3": "expired"}
    async with FakeServer(batch_processing_delay=0.05, batch_outcomes=outcomes) as server:
        async with AsyncClient(base_url=server.url, api_key="k") as client:
            with anyio.fail_after(10):
                reqs = requests(4, prefix="r")
                bad = {"custom_id": "r-4", "params": {"model": "m", "messages": []}}
                batch = await client.messages.batches.create(requests=[*reqs, bad])  # type: ignore[list-item]
                batch = await client.messages.batches.wait(batch.id, poll_interval=0.02)
                results = {
                    r.custom_id: r.result async for r in client.messages.batches.results(batch)
                }
    assert batch.request_counts == MessageBatchRequestCounts(
        succeeded=1, errored=2, canceled=1, expired=1
    )
    assert isinstance(results["r-0"], MessageBatchSucceededResult)
    errored = results["r-1"]
    assert isinstance(errored, MessageBatchErroredResult)
    assert errored.error.error.type == "api_error"
    assert isinstance(results["r-2"], MessageBatchCanceledResult)
    assert isinstance(results["r-3"], MessageBatchExpiredResult)
    invalid = results["r-4"]
    assert isinstance(invalid, MessageBatchErroredResult)
    assert invalid.error.error.type == "invalid_request_error"


def test_unknown_result_types_pass_through_and_malformed_known_ones_fail() -> None:
    line = b'{"custom_id": "x", "result": {"type": "deferred", "until": 5}}'
    result = MessageBatchIndividualResponse.model_validate_json(line).result
    assert isinstance(result, UnknownBatchResult)
    assert result.type == "deferred"
    assert result.model_extra == {"until": 5}
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        MessageBatchIndividualResponse.model_validate_json(
            b'{"custom_id": "x", "result": {"type": "succeeded"}}'
        )


async def test_cancel(server: FakeServer, client: AsyncClient) -> None:
    async with FakeServer(batch_processing_delay=3) as slow:
        async with AsyncClient(base_url=slow.url, api_key="k") as c:
            with anyio.fail_after(10):
                batch = await c.messages.batches.create(requests=requests(3))  # type: ignore[arg-type]
                canceling = await c.messages.batches.cancel(batch.id)
                assert slow.requests[-1].method == "POST"
                assert slow.requests[-1].path == f"/v1/messages/batches/{batch.id}/cancel"
                assert canceling.processing_status == "canceling"
                assert canceling.cancel_initiated_at is not None
                ended = await c.messages.batches.wait(batch.id, poll_interval=0.1, timeout=5)
                kinds = [r.result.type async for r in c.messages.batches.results(ended)]
    assert ended.request_counts == MessageBatchRequestCounts(canceled=3)
    assert kinds == ["canceled"] * 3


async def test_delete_and_404s(server: FakeServer, client: AsyncClient) -> None:
    batches = client.messages.batches
    with anyio.fail_after(10):
        batch = await batches.create(requests=requests(1))  # type: ignore[arg-type]
        with pytest.raises(BadRequestError):  # still in progress
            await batches.delete(batch.id)
        await batches.wait(batch.id, poll_interval=0.02)
        deleted = await batches.delete(batch.id)
        assert isinstance(deleted, DeletedMessageBatch)
        assert deleted.id == batch.id
        assert deleted.type == "message_batch_deleted"
        assert server.requests[-1].method == "DELETE"
        assert server.requests[-1].path == f"/v1/messages/batches/{batch.id}"
        for call in (batches.retrieve, batches.cancel, batches.delete):
            with pytest.raises(NotFoundError):
                await call(batch.id)
        with pytest.raises(NotFoundError):
            async for _ in batches.results(batch.id):
                pass
        with pytest.raises(NotFoundError):
            await batches.wait("msgbatch_nope", poll_interval=0.01)


async def test_results_before_the_end(client: AsyncClient) -> None:
    with anyio.fail_after(10):
        batch = await client.messages.batches.create(requests=requests(1))  # type: ignore[arg-type]
        with pytest.raises(BatchResultsUnavailableError, match="no results yet"):
            async for _ in client.messages.batches.results(batch):
                pass
    assert issubclass(BatchResultsUnavailableError, AnthropicError)


async def test_list_batches_both_directions(server: FakeServer, client: AsyncClient) -> None:
    with anyio.fail_after(15):
        created = [
            (await client.messages.batches.create(requests=requests(1))).id  # type: ignore[arg-type]
            for _ in range(7)
        ]
        newest_first = [b.id async for b in client.messages.batches.list(limit=3)]
        assert newest_first == created[::-1]
        assert server.requests[-1].path == "/v1/messages/batches"
        assert server.requests[-1].query == f"limit=3&after_id={created[1]}"  # the third page
        paginator = client.messages.batches.list(limit=2, before_id=created[0])
        back = [[b.id for b in page.data] async for page in paginator.pages()]
    assert back == [created[2:0:-1], created[4:2:-1], created[6:4:-1]]


async def test_raw_batches(client: AsyncClient) -> None:
    raw_batches = client.messages.batches.with_raw_response
    assert client.messages.with_raw_response.batches._raw
    with anyio.fail_after(10):
        created = await raw_batches.create(requests=requests(1))  # type: ignore[arg-type]
        assert isinstance(created, RawResponse)
        batch = await created.parse()
        assert created.status_code == 200
        assert created.request_id == batch.request_id
        retrieved = await raw_batches.retrieve(batch.id)
        assert (await retrieved.parse()).id == batch.id
        canceled = await raw_batches.cancel(batch.id)
        assert (await canceled.parse()).processing_status in ("canceling", "ended")
        await client.messages.batches.wait(batch.id, poll_interval=0.02)
        deleted = await raw_batches.delete(batch.id)
        assert (await deleted.parse()).id == batch.id
        page = await (await raw_batches.list(limit=1)).parse()
    assert page.data == []


async def test_wait_timeout_carries_the_last_batch() -> None:
    async with FakeServer(batch_processing_delay=60) as server:
        async with AsyncClient(base_url=server.url, api_key="k") as client:
            calls: list[int] = []

            async def progress(counts: MessageBatchRequestCounts) -> None:
                calls.append(counts.processing)

            with anyio.fail_after(10):
                batch = await client.messages.batches.create(requests=requests(2))  # type: ignore[arg-type]
                with pytest.raises(BatchWaitTimeoutError) as caught:
                    await client.messages.batches.wait(
                        batch.id, poll_interval=0.05, timeout=0.3, on_progress=progress
                    )
    error = caught.value
    assert isinstance(error, TimeoutError)
    assert isinstance(error, AnthropicError)
    assert error.batch.id == batch.id
    assert error.batch.processing_status == "in_progress"
    # Counted, not timed: polls every 0.05 s until the 0.3 s deadline (the first poll at once).
    assert 4 <= len(calls) <= 10
    assert set(calls) == {2}


async def test_wait_rejects_a_bad_interval(client: AsyncClient) -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        await client.messages.batches.wait("msgbatch_x", poll_interval=0)


# --- results_url --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results_url", "base_url", "use_base_url", "expected"),
    [
        (
            "https://api.anthropic.com/v1/x/results",
            "https://gw.example/anthropic",
            False,
            "https://api.anthropic.com/v1/x/results",
        ),
        (
            "https://api.anthropic.com/v1/x/results",
            "https://gw.example/anthropic",
            True,
            "https://gw.example/anthropic/v1/x/results",
        ),
        (
            "https://api.anthropic.com/v1/x/results?a=1",
            "https://gw.example/v1",
            True,
            "https://gw.example/v1/x/results?a=1",
        ),
        ("/v1/x/results", "https://gw.example", False, "https://gw.example/v1/x/results"),
    ],
)
def test_results_request_url(
    results_url: str, base_url: str, use_base_url: bool, expected: str
) -> None:
    assert results_request_url(results_url, base_url, use_base_url=use_base_url) == expected


async def test_results_url_on_another_host_is_followed_with_the_same_credentials() -> None:
    async with FakeServer(results_base_url="http://localhost:{port}") as server:
        async with AsyncClient(base_url=server.url, api_key="k2") as client:
            batch_id = server.add_synthetic_batch(3)
            with anyio.fail_after(10):
                batch = await client.messages.batches.retrieve(batch_id)
                assert batch.results_url is not None
                assert batch.results_url.startswith("http://localhost:")
                results = [r async for r in client.messages.batches.results(batch)]
    assert len(results) == 3
    request = server.requests[-1]
    assert request.headers["host"].startswith("localhost:")
    assert request.headers["x-api-key"] == "k2"


@pytest.mark.parametrize("where", ["client", "call"])
async def test_results_url_rewritten_onto_base_url(where: str) -> None:
    # results.invalid never resolves: only a rewrite onto base_url can succeed.
    async with FakeServer(results_base_url="http://results.invalid:{port}") as server:
        setting = {"results_use_base_url": True} if where == "client" else {}
        async with AsyncClient(base_url=server.url, api_key="k", **setting) as client:  # type: ignore[arg-type]
            batch_id = server.add_synthetic_batch(5)
            with anyio.fail_after(10):
                per_call = {"use_base_url": True} if where == "call" else {}
                results = client.messages.batches.results(batch_id, **per_call)  # type: ignore[arg-type]
                ids = [r.custom_id async for r in results]
    assert ids == [f"req-{i}" for i in range(5)]
    assert server.requests[-1].headers["host"].startswith("127.0.0.1:")
    assert server.requests[-1].path == f"/v1/messages/batches/{batch_id}/results"


async def test_breaking_out_closes_the_connection() -> None:
    async with FakeServer() as server:
        async with AsyncClient(base_url=server.url, api_key="k") as client:
            batch_id = server.add_synthetic_batch(2000, 5000)  # ~10 MB
            with anyio.fail_after(10):
                async with client.messages.batches.results(batch_id) as results:
                    async for result in results:
                        assert result.custom_id == "req-0"
                        break
                    assert results.response is not None
                    assert not results.response.is_closed
                assert results.response.is_closed
                # The client is usable at once: the connection was released, not leaked.
                assert (await client.models.list(limit=1)).data


async def test_cancelled_iteration_closes_the_connection() -> None:
    async with FakeServer() as server:
        async with AsyncClient(base_url=server.url, api_key="k") as client:
            batch_id = server.add_synthetic_batch(2000, 5000)
            seen = 0
            with anyio.move_on_after(0.2):
                async with client.messages.batches.results(batch_id) as results:
                    async for _ in results:
                        seen += 1
                        await anyio.sleep(0.01)
            assert 0 < seen < 2000
            assert results.response is not None
            assert results.response.is_closed


# --- memory -------------------------------------------------------------------------------------


async def _peak_while_iterating(client: AsyncClient, batch_id: str, expected: int) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        count = 0
        async for _ in client.messages.batches.results(batch_id):
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == expected
    return peak


async def test_results_stream_in_constant_memory() -> None:
    # ~5 MB and ~50 MB of results (25 kB of text per line): the client's peak must not grow
    # with the file, only with the longest line.
    text = 25_000
    async with FakeServer() as server:
        async with AsyncClient(base_url=server.url, api_key="k") as client:
            small = server.add_synthetic_batch(200, text)
            large = server.add_synthetic_batch(2000, text)
            with anyio.fail_after(60):
                peak_small = await _peak_while_iterating(client, small, 200)
                peak_large = await _peak_while_iterating(client, large, 2000)
    print(
        f"peak while iterating: 5 MB file {peak_small / 1e6:.2f} MB, "
        f"50 MB file {peak_large / 1e6:.2f} MB"
    )
    assert peak_large < 2 * peak_small + 256 * 1024
    assert peak_large < 8 * 1024 * 1024


async def test_one_huge_line_costs_about_its_own_size() -> None:
    async with FakeServer() as server:
        async with AsyncClient(base_url=server.url, api_key="k") as client:
            batch_id = server.add_synthetic_batch(5, 100, long_text_size=8_000_000)
            with anyio.fail_after(30):
                peak = await _peak_while_iterating(client, batch_id, 5)
    # The line whole, its parsed text, and the chunks it came in: a few times 8 MB, not more.
    assert peak < 6 * 8_000_000
