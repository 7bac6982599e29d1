"""The /v1/messages/batches endpoints; the batches themselves live in ``_batch_store``.

Every handler runs the common prelude (faults, version, auth), then the rate-limit budget
(one request each, no tokens: batches have their own limits in the real API), then brings the
batch(es) it reads up to date with ``advance``. An unknown or deleted id is a 404.

* create: 400 for a body without a non-empty ``requests`` list, a request that is not an
  object, a missing, malformed (``^[a-zA-Z0-9_-]{1,64}$``) or duplicate ``custom_id``, or
  ``params`` that are not an object. Params are checked only when their turn comes: a bad one
  makes that request ``errored``, as in the real API.
* cancel: an in-progress batch becomes ``canceling``; a canceling or ended one is returned
  unchanged (200), so that a retried cancel is harmless.
* delete: only an ended batch (else 400); afterwards the id is a 404 everywhere.
* results: JSONL, one line per request in request order (a seeded shuffle with
  ``FakeServer(shuffle_batch_results=True)``), streamed in ~64 KiB chunks; 400 until the batch
  has ended. Each succeeded message reports ``usage.service_tier == "batch"``.
"""

from __future__ import annotations

import re
import time
from typing import Any

from . import _responder
from ._app import Exchange
from ._batch_store import AnyBatch, Batch, batch_json
from ._catalogue import model_id
from ._pages import PageError, page
from ._prelude import begin, read_json_object, refuse_if_limited
from ._state import ServerState

JSONL_CONTENT_TYPE = "application/x-jsonl"
MAX_REQUESTS = 100_000
_CHUNK = 65536
_CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def _answer(state: ServerState, params: dict[str, Any]) -> dict[str, Any]:
    # Batches run on the batch tier, and say so in each result's usage (batch docs).
    reply = _responder.reply(params, lambda: state.next_id("toolu"))
    return _responder.message_json(
        reply,
        message_id=state.next_id("msg"),
        model=model_id(params["model"]),
        service_tier="batch",
    )


def _advance(state: ServerState, batch: AnyBatch) -> None:
    batch.advance(time.time(), lambda params: _answer(state, params))


async def _prelude(exchange: Exchange) -> bool:
    """True when the handler may go on; otherwise a response has been given."""
    if await begin(exchange) is None:
        return False
    return not await refuse_if_limited(exchange)


async def _find(exchange: Exchange) -> AnyBatch | None:
    batch_id = exchange.params["batch_id"]
    batch = exchange.state.batches.get(batch_id)
    if batch is None:
        await exchange.send_error(404, "not_found_error", f"message_batch: {batch_id} not found")
        return None
    _advance(exchange.state, batch)
    return batch


async def _send_batch(exchange: Exchange, batch: AnyBatch) -> None:
    await exchange.send_json(200, batch_json(batch, exchange.state.results_base))


def _check_requests(body: dict[str, Any]) -> str | None:
    requests = body.get("requests")
    if requests is None:
        return "requests: Field required"
    if not isinstance(requests, list):
        return "requests: Input should be a valid list"
    if not requests:
        return "requests: List should have at least 1 item"
    if len(requests) > MAX_REQUESTS:
        return f"requests: List should have at most {MAX_REQUESTS} items"
    seen: set[str] = set()
    for i, request in enumerate(requests):
        if not isinstance(request, dict):
            return f"requests.{i}: Input should be a valid dictionary"
        custom_id = request.get("custom_id")
        if custom_id is None:
            return f"requests.{i}.custom_id: Field required"
        if not isinstance(custom_id, str) or not _CUSTOM_ID.fullmatch(custom_id):
            return f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
        if custom_id in seen:
            return f"requests.{i}.custom_id: Duplicate custom_id {custom_id!r}"
        seen.add(custom_id)
        if "params" not in request:
            return f"requests.{i}.params: Field required"
        if not isinstance(request["params"], dict):
            return f"requests.{i}.params: Input should be a valid dictionary"
    return None


async def handle_create_batch(exchange: Exchange) -> None:
    if await begin(exchange) is None:
        return
    body = await read_json_object(exchange)
    if body is None:
        return
    problem = _check_requests(body)
    if problem is not None:
        await exchange.send_error(400, "invalid_request_error", problem)
        return
    if await refuse_if_limited(exchange):
        return
    state = exchange.state
    store = state.batches
    batch = Batch(
        id=state.next_id("msgbatch"),
        created=time.time(),
        delay=store.delay,
        requests=[(r["custom_id"], r["params"]) for r in body["requests"]],
        forced=store.forced,
        shuffle_seed=store.shuffle_seed,
        version=exchange.request.headers["anthropic-version"],
    )
    store.add(batch)
    await _send_batch(exchange, batch)


async def handle_get_batch(exchange: Exchange) -> None:
    if await _prelude(exchange) and (batch := await _find(exchange)) is not None:
        await _send_batch(exchange, batch)


async def handle_list_batches(exchange: Exchange) -> None:
    if not await _prelude(exchange):
        return
    state = exchange.state
    batches = state.batches.newest_first()
    for batch in batches:
        _advance(state, batch)
    try:
        data = page([batch_json(b, state.results_base) for b in batches], exchange.request.query)
    except PageError as exc:
        await exchange.send_error(400, "invalid_request_error", str(exc))
        return
    await exchange.send_json(200, data)


async def handle_cancel_batch(exchange: Exchange) -> None:
    if await _prelude(exchange) and (batch := await _find(exchange)) is not None:
        batch.cancel(time.time())
        await _send_batch(exchange, batch)


async def handle_delete_batch(exchange: Exchange) -> None:
    if not await _prelude(exchange) or (batch := await _find(exchange)) is None:
        return
    if batch.status() != "ended":
        await exchange.send_error(
            400,
            "invalid_request_error",
            f"Batch {batch.id} cannot be deleted while it is {batch.status()}; "
            "cancel it and wait for it to end first.",
        )
        return
    exchange.state.batches.delete(batch.id)
    await exchange.send_json(200, {"id": batch.id, "type": "message_batch_deleted"})


async def handle_batch_results(exchange: Exchange) -> None:
    if not await _prelude(exchange) or (batch := await _find(exchange)) is None:
        return
    if batch.status() != "ended":
        await exchange.send_error(
            400,
            "invalid_request_error",
            f"Batch {batch.id} has not ended yet (it is {batch.status()}); "
            "results are available once processing_status is 'ended'.",
        )
        return
    await exchange.start(200, JSONL_CONTENT_TYPE)
    # Lines are gathered into chunks of ~64 KiB: one write per line would make a 100 MB body
    # of small lines crawl, and a long line arrives in pieces anyway.
    buffer = bytearray()
    for piece in batch.lines():
        buffer += piece
        if len(buffer) >= _CHUNK:
            await exchange.write(bytes(buffer))
            buffer.clear()
    await exchange.finish(bytes(buffer))
