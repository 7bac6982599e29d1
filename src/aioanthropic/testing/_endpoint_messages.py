"""POST /v1/messages: checks, faults, then the fake model's reply as JSON or as a stream.

Order of business, so tests know which check wins: the common prelude (``_prelude.begin``:
fault, delay, version header, auth, the fault's status), body validation, the model (only with
``FakeServer(strict=True)``), the rate-limit budget, and finally the reply (streamed when
``"stream": true``): the next scripted ``Turn`` if the test queued one (``_script``), else the
deterministic model's.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import anyio

from . import _cache, _responder, _sse
from ._app import Exchange
from ._catalogue import model_id
from ._faults import Fault, default_message, error_envelope
from ._prelude import begin, refuse_if_limited, refuse_unknown_model
from ._schema import SchemaError
from ._script import scripted_reply
from ._validation import check_messages_body

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"


async def handle_messages(exchange: Exchange) -> None:
    state = exchange.state
    fault = await begin(exchange)
    if fault is None:
        return
    body = exchange.request.json
    if body is None:
        await exchange.send_error(
            400,
            "invalid_request_error",
            "There was an error parsing the body of your request: expected a JSON object",
        )
        return
    problem = check_messages_body(body, exchange.request.headers["anthropic-version"])
    if problem is not None:
        await exchange.send_error(400, "invalid_request_error", problem)
        return
    if await refuse_unknown_model(exchange, body["model"]) or await refuse_if_limited(exchange):
        return

    new_tool_id = lambda: state.next_id("toolu")  # noqa: E731
    turn = state.take_turn()
    if turn is not None:
        reply = scripted_reply(
            turn, _responder.input_tokens(body), new_tool_id, _responder.server_tool_usage(body)
        )
    else:
        try:
            reply = _responder.reply(body, new_tool_id)
        except SchemaError as exc:
            await exchange.send_error(400, "invalid_request_error", f"schema: {exc}")
            return
    use = state.use_cache(*_cache.prefixes(body))
    reply = dataclasses.replace(
        reply,
        input_tokens=reply.input_tokens - use.read - use.created,
        cache_read=use.read,
        cache_created_5m=use.created_5m,
        cache_created_1h=use.created_1h,
    )
    state.spend(reply.input_tokens, reply.output_tokens)
    message_id = state.next_id("msg")
    model = model_id(body["model"])
    chunker = _sse.Chunker(fault.chunking or state.chunking, state.seed)
    if not body.get("stream"):
        data = _responder.message_json(reply, message_id=message_id, model=model)
        await _send_json_chunked(exchange, data, chunker)
        return
    replay = fault.replay or state.replay
    if replay is not None:
        try:
            events = _sse.split_recording(await anyio.Path(replay).read_bytes())
        except OSError as exc:
            await exchange.send_error(500, "api_error", f"fake server replay: {exc}")
            return
    else:
        events = [
            _sse.encode(name, data)
            for name, data in _sse.stream_events(
                reply, message_id=message_id, model=model, seed=state.seed
            )
            if not (fault.omit_stop and name == "message_stop")
        ]
    state.stream_opened(1)
    try:
        await _stream(exchange, fault, events, chunker)
    finally:
        state.stream_opened(-1)


async def _send_json_chunked(
    exchange: Exchange, data: dict[str, Any], chunker: _sse.Chunker
) -> None:
    raw = json.dumps(data, ensure_ascii=False).encode()
    await exchange.start(200, "application/json", [("content-length", str(len(raw)))])
    for chunk in chunker.feed(raw) + chunker.flush():
        await exchange.write(chunk)
    await exchange.finish()


async def _stall(exchange: Exchange, fault: Fault, chunker: _sse.Chunker) -> None:
    deadline = anyio.current_time() + fault.stall
    while True:
        remaining = deadline - anyio.current_time()
        if remaining <= 0:
            return
        if fault.ping_interval is None or fault.ping_interval >= remaining:
            await anyio.sleep(remaining)
            return
        await anyio.sleep(fault.ping_interval)
        for chunk in chunker.feed(_sse.encode(*_sse.PING)) + chunker.flush():
            await exchange.write(chunk)


async def _stream(
    exchange: Exchange, fault: Fault, events: list[bytes], chunker: _sse.Chunker
) -> None:
    await exchange.start(
        200, fault.content_type or SSE_CONTENT_TYPE, [("cache-control", "no-cache")]
    )
    for sent, raw in enumerate(events):
        if sent == fault.drop_after:
            break
        if sent == fault.error_after:
            error_type = fault.error_type or "overloaded_error"
            message = fault.error_message or default_message(error_type)
            error = error_envelope(error_type, message, request_id=None)
            for chunk in chunker.feed(_sse.encode("error", error)) + chunker.flush():
                await exchange.write(chunk)
            await exchange.finish()
            return
        if sent == fault.malformed_after:
            for chunk in chunker.feed(_sse.malformed_event()):
                await exchange.write(chunk)
        if fault.stall and sent == fault.stall_after:
            # Flush so that "silent after N events" means N whole events have arrived.
            for chunk in chunker.flush():
                await exchange.write(chunk)
            await _stall(exchange, fault, chunker)
        if fault.drip:
            await anyio.sleep(fault.drip)
        for chunk in chunker.feed(raw):
            await exchange.write(chunk)
    for chunk in chunker.flush():
        await exchange.write(chunk)
    if fault.drop_after is not None:
        # Dropped mid-body (or, if the stream was shorter, before the final chunk): the client
        # must see an incomplete body, never a clean end.
        await exchange.abort()
        return
    await exchange.finish()
