"""POST /v1/messages/count_tokens: the offline estimate, served.

It answers ``estimate_tokens`` of the body, the same figure the fake model reports as
``usage.input_tokens``, so a client can check that the two agree. The body is validated like a
Messages body without ``max_tokens``; a count costs one request of the rate-limit budget.
"""

from __future__ import annotations

from aioanthropic._protocol.tokens import estimate_tokens

from ._app import Exchange
from ._prelude import begin, read_json_object, refuse_if_limited, refuse_unknown_model
from ._validation import check_count_tokens_body


async def handle_count_tokens(exchange: Exchange) -> None:
    if await begin(exchange) is None:
        return
    body = await read_json_object(exchange)
    if body is None:
        return
    problem = check_count_tokens_body(body, exchange.request.headers["anthropic-version"])
    if problem is not None:
        await exchange.send_error(400, "invalid_request_error", problem)
        return
    if await refuse_unknown_model(exchange, body["model"]) or await refuse_if_limited(exchange):
        return
    tokens = estimate_tokens(body["messages"], body.get("system"), body.get("tools"))
    await exchange.send_json(200, {"input_tokens": tokens})
