"""The fake server's message batches over loopback: lifecycle, results, cancel, delete."""

from __future__ import annotations

import json
import re
import tracemalloc
from typing import Any

import anyio
import httpx
import pytest

from aioanthropic.testing import FakeServer, Fault, RateLimits
from helpers import VERSION

pytestmark = [pytest.mark.anyio, pytest.mark.fake_server(batch_processing_delay=0.05)]

BATCHES = "/v1/messages/batches"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def params(text: str = "hi") -> dict[str, Any]:
    return {
        "model": "claude-fake",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": text}],
    }


def requests(*custom_ids: str) -> dict[str, Any]:
    return {"requests": [{"custom_id": c, "params": params(c)} for c in custom_ids]}


async def call(http_client: httpx.AsyncClient, method: str, path: str, **kw: Any) -> httpx.Response:
    with anyio.fail_after(5):
        return await http_client.request(method, path, **kw)


async def wait_ended(http_client: httpx.AsyncClient, batch_id: str) -> list[dict[str, Any]]:
    """Poll until the batch ends; every state seen, in order."""
    seen = []
    with anyio.fail_after(5):
        while True:
            batch = (await http_client.get(f"{BATCHES}/{batch_id}")).json()
            seen.append(batch)
            if batch["processing_status"] == "ended":
                return seen
            await anyio.sleep(0.01)


async def results(http_client: httpx.AsyncClient, batch_id: str) -> list[dict[str, Any]]:
    response = await call(http_client, "GET", f"{BATCHES}/{batch_id}/results")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-jsonl"
    return [json.loads(line) for line in response.text.splitlines()]


async def test_lifecycle_counts_move_while_polling() -> None:
    async with (
        FakeServer(batch_processing_delay=0.4) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        created = await call(http_client, "POST", BATCHES, json=requests("a", "b", "c", "d"))
        assert created.status_code == 200, created.text
        batch = created.json()
        assert batch["id"] == "msgbatch_fake_1"
        assert batch == {
            "id": "msgbatch_fake_1",
            "type": "message_batch",
            "processing_status": "in_progress",
            "request_counts": {
                "processing": 4,
                "succeeded": 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "ended_at": None,
            "created_at": batch["created_at"],
            "expires_at": batch["expires_at"],
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": None,
        }
        assert STAMP.fullmatch(batch["created_at"])
        assert batch["expires_at"][:10] > batch["created_at"][:10]  # a day later
        early = await call(http_client, "GET", f"{BATCHES}/msgbatch_fake_1/results")
        assert early.status_code == 400
        assert "has not ended yet" in early.json()["error"]["message"]

        seen = await wait_ended(http_client, "msgbatch_fake_1")
        processing = [b["request_counts"]["processing"] for b in seen]
        assert processing == sorted(processing, reverse=True)
        assert set(processing) - {0, 4}, "no batch seen part-way through"
        ended = seen[-1]
        assert ended["request_counts"]["succeeded"] == 4
        assert STAMP.fullmatch(ended["ended_at"])
        assert ended["results_url"] == f"{server.url}{BATCHES}/msgbatch_fake_1/results"
        assert {(r.method, r.path) for r in server.requests} == {
            ("POST", BATCHES),
            ("GET", f"{BATCHES}/msgbatch_fake_1"),
            ("GET", f"{BATCHES}/msgbatch_fake_1/results"),
        }


async def test_results_of_every_kind() -> None:
    forced = {"gone": "expired", "boom": "errored", "stop": "canceled"}
    data = {
        "requests": [
            {"custom_id": "ok", "params": params("hello there")},
            {"custom_id": "gone", "params": params()},
            {"custom_id": "bad", "params": {"model": "claude-fake", "messages": []}},
            {"custom_id": "boom", "params": params()},
            {"custom_id": "stop", "params": params()},
            {"custom_id": "stream", "params": {**params(), "stream": True}},
        ]
    }
    async with (
        FakeServer(batch_processing_delay=0.05, batch_outcomes=forced) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        batch_id = (await call(http_client, "POST", BATCHES, json=data)).json()["id"]
        ended = (await wait_ended(http_client, batch_id))[-1]
        assert ended["request_counts"] == {
            "processing": 0,
            "succeeded": 1,
            "errored": 3,
            "canceled": 1,
            "expired": 1,
        }
        lines = await results(http_client, batch_id)
        direct = (
            await call(http_client, "POST", "/v1/messages", json=params("hello there"))
        ).json()
    assert [line["custom_id"] for line in lines] == ["ok", "gone", "bad", "boom", "stop", "stream"]
    message = lines[0]["result"]["message"]
    assert lines[0]["result"]["type"] == "succeeded"
    # The same reply as a direct request, but on the batch tier (issue 16).
    assert message["usage"].pop("service_tier") == "batch"
    assert direct["usage"].pop("service_tier") == "standard"
    assert {**message, "id": None} == {**direct, "id": None}
    assert message["id"].startswith("msg_fake_")
    assert lines[1]["result"] == {"type": "expired"}
    assert lines[2]["result"] == {
        "type": "errored",
        "error": {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "params.max_tokens: Field required",
            },
        },
    }
    assert lines[3]["result"]["error"]["error"]["type"] == "api_error"
    assert lines[4]["result"] == {"type": "canceled"}
    assert lines[5]["result"]["error"]["error"]["message"].startswith("params.stream:")


async def test_cancel_then_delete() -> None:
    # Ten requests over 4 s: the first is due at 0.4 s, so a prompt cancel catches them all.
    async with (
        FakeServer(batch_processing_delay=4.0) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        ids = [f"r{i}" for i in range(10)]
        batch_id = (await call(http_client, "POST", BATCHES, json=requests(*ids))).json()["id"]
        refused = await call(http_client, "DELETE", f"{BATCHES}/{batch_id}")
        assert refused.status_code == 400
        assert "cannot be deleted while it is in_progress" in refused.json()["error"]["message"]

        canceling = (await call(http_client, "POST", f"{BATCHES}/{batch_id}/cancel")).json()
        assert canceling["processing_status"] == "canceling"
        assert STAMP.fullmatch(canceling["cancel_initiated_at"])
        again = (await call(http_client, "POST", f"{BATCHES}/{batch_id}/cancel")).json()
        assert again["cancel_initiated_at"] == canceling["cancel_initiated_at"]

        ended = (await wait_ended(http_client, batch_id))[-1]
        assert ended["request_counts"]["canceled"] == 10
        assert ended["cancel_initiated_at"] == canceling["cancel_initiated_at"]
        assert ended["ended_at"] >= ended["cancel_initiated_at"]
        assert [line["result"] for line in await results(http_client, batch_id)] == [
            {"type": "canceled"}
        ] * 10
        unchanged = await call(http_client, "POST", f"{BATCHES}/{batch_id}/cancel")
        assert unchanged.json() == ended

        deleted = await call(http_client, "DELETE", f"{BATCHES}/{batch_id}")
        assert deleted.json() == {"id": batch_id, "type": "message_batch_deleted"}
        for method, suffix in [
            ("GET", ""),
            ("DELETE", ""),
            ("POST", "/cancel"),
            ("GET", "/results"),
        ]:
            gone = await call(http_client, method, f"{BATCHES}/{batch_id}{suffix}")
            assert gone.status_code == 404, (method, suffix)
            assert gone.json()["error"]["type"] == "not_found_error"
        listed = (await call(http_client, "GET", BATCHES)).json()
        assert listed["data"] == []


async def test_cancel_after_some_were_answered() -> None:
    async with (
        FakeServer(batch_processing_delay=1.2) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        batch_id = (await call(http_client, "POST", BATCHES, json=requests("a", "b", "c"))).json()[
            "id"
        ]
        await anyio.sleep(0.5)  # "a" is due at 0.4 s, "b" at 0.8 s
        await call(http_client, "POST", f"{BATCHES}/{batch_id}/cancel")
        ended = (await wait_ended(http_client, batch_id))[-1]
        kinds = [line["result"]["type"] for line in await results(http_client, batch_id)]
    assert kinds == ["succeeded", "canceled", "canceled"]
    assert ended["request_counts"]["succeeded"] == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "requests: Field required"),
        ({"requests": []}, "requests: List should have at least 1 item"),
        ({"requests": {}}, "requests: Input should be a valid list"),
        ({"requests": [1]}, "requests.0: Input should be a valid dictionary"),
        ({"requests": [{"params": params()}]}, "requests.0.custom_id: Field required"),
        (
            {"requests": [{"custom_id": "has space", "params": params()}]},
            "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
        ),
        (
            {"requests": [{"custom_id": "a", "params": params()}] * 2},
            "requests.1.custom_id: Duplicate custom_id 'a'",
        ),
        ({"requests": [{"custom_id": "a"}]}, "requests.0.params: Field required"),
        (
            {"requests": [{"custom_id": "a", "params": "hi"}]},
            "requests.0.params: Input should be a valid dictionary",
        ),
    ],
)
async def test_create_validation(http_client: httpx.AsyncClient, data: Any, message: str) -> None:
    response = await call(http_client, "POST", BATCHES, json=data)
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": message}


async def test_unknown_batch_is_404(http_client: httpx.AsyncClient) -> None:
    for method, suffix in [("GET", ""), ("DELETE", ""), ("POST", "/cancel"), ("GET", "/results")]:
        response = await call(http_client, method, f"{BATCHES}/msgbatch_nope{suffix}")
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "not_found_error"


async def test_list_batches_newest_first(http_client: httpx.AsyncClient) -> None:
    for name in ("a", "b", "c"):
        await call(http_client, "POST", BATCHES, json=requests(name))
    first = (await call(http_client, "GET", BATCHES, params={"limit": 2})).json()
    assert [b["id"] for b in first["data"]] == ["msgbatch_fake_3", "msgbatch_fake_2"]
    assert first["has_more"] is True
    rest = (await call(http_client, "GET", BATCHES, params={"after_id": first["last_id"]})).json()
    assert [b["id"] for b in rest["data"]] == ["msgbatch_fake_1"]
    assert rest["has_more"] is False
    back = (await call(http_client, "GET", BATCHES, params={"before_id": "msgbatch_fake_1"})).json()
    assert [b["id"] for b in back["data"]] == ["msgbatch_fake_3", "msgbatch_fake_2"]
    assert back["has_more"] is False
    bad = await call(http_client, "GET", BATCHES, params={"limit": 0})
    assert bad.status_code == 400


async def test_results_url_on_another_host() -> None:
    async with (
        FakeServer(batch_processing_delay=0, results_base_url="http://localhost:{port}") as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        batch_id = (await call(http_client, "POST", BATCHES, json=requests("a"))).json()["id"]
        ended = (await wait_ended(http_client, batch_id))[-1]
        port = server.url.rsplit(":", 1)[1]
        assert ended["results_url"] == f"http://localhost:{port}{BATCHES}/{batch_id}/results"
        response = await call(http_client, "GET", ended["results_url"])
    assert response.status_code == 200
    assert json.loads(response.text)["custom_id"] == "a"
    assert server.requests[-1].headers["host"] == f"localhost:{port}"


async def test_synthetic_batch_streams_lines() -> None:
    async with (
        FakeServer() as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        batch_id = server.add_synthetic_batch(120, text_size=300)
        batch = (await call(http_client, "GET", f"{BATCHES}/{batch_id}")).json()
        assert batch["processing_status"] == "ended"
        assert batch["request_counts"] == {
            "processing": 0,
            "succeeded": 120 - 9,
            "errored": 3,  # lines 1, 51, 101
            "canceled": 3,
            "expired": 3,
        }
        kinds: dict[str, int] = {}
        with anyio.fail_after(5):
            async with http_client.stream("GET", f"{BATCHES}/{batch_id}/results") as response:
                assert response.headers["content-type"] == "application/x-jsonl"
                assert "content-length" not in response.headers
                n = 0
                async for line in response.aiter_lines():
                    item = json.loads(line)
                    assert item["custom_id"] == f"req-{n}"
                    kind = item["result"]["type"]
                    kinds[kind] = kinds.get(kind, 0) + 1
                    if kind == "succeeded":
                        assert len(item["result"]["message"]["content"][0]["text"]) == 300
                    n += 1
    assert n == 120
    assert kinds == {k: v for k, v in batch["request_counts"].items() if k != "processing"}


async def test_synthetic_batch_with_one_long_line() -> None:
    async with (
        FakeServer() as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=10) as http_client,
    ):
        batch_id = server.add_synthetic_batch(3, text_size=10, long_text_size=10_000_000)
        with anyio.fail_after(10):
            response = await http_client.get(f"{BATCHES}/{batch_id}/results")
    lines = response.content.split(b"\n")
    assert lines[-1] == b""
    assert [len(line) > 10_000_000 for line in lines[:-1]] == [False, True, False]
    text = json.loads(lines[1])["result"]["message"]["content"][0]["text"]
    assert len(text) == 10_000_000
    assert text.startswith("The quick brown fox jumps over the lazy dog. The quick")


async def test_synthetic_results_cost_the_server_no_memory() -> None:
    # Client and server share this process, so tracemalloc sees both; the client only counts
    # bytes, so a peak far below the body's size means neither side held it.
    size = 0
    async with (
        FakeServer() as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=10) as http_client,
    ):
        batch_id = server.add_synthetic_batch(2000, text_size=10_000)
        tracemalloc.start()
        try:
            with anyio.fail_after(20):
                async with http_client.stream("GET", f"{BATCHES}/{batch_id}/results") as response:
                    async for chunk in response.aiter_raw():
                        size += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert size > 19_000_000
    assert peak < 4_000_000, f"peak {peak} bytes for a {size}-byte body"


async def test_batch_endpoints_take_faults_and_rate_limits() -> None:
    async with (
        FakeServer(rate_limits=RateLimits(requests=2, window=60)) as server,
        httpx.AsyncClient(base_url=server.url, headers=VERSION, timeout=5) as http_client,
    ):
        server.enqueue(Fault(status=529, retry_after=1))
        overloaded = await call(http_client, "POST", BATCHES, json=requests("a"))
        created = await call(http_client, "POST", BATCHES, json=requests("a"))
        listed = await call(http_client, "GET", BATCHES)
        limited = await call(http_client, "GET", f"{BATCHES}/{created.json()['id']}")
    assert overloaded.status_code == 529
    assert overloaded.headers["retry-after"] == "1"
    assert (created.status_code, listed.status_code) == (200, 200)
    assert limited.status_code == 429
    assert limited.json()["error"]["type"] == "rate_limit_error"
    assert listed.headers["anthropic-ratelimit-requests-remaining"] == "0"
