"""What every /v1 endpoint does before its own work: faults, headers, auth, rate limits.

Order, so tests know which check wins: pick the fault, ``delay``, ``close_without_response``,
the anthropic-version header, auth, the fault's ``status``. Then, separately, after the
endpoint has validated its body: the rate-limit budget (``refuse_if_limited``).
"""

from __future__ import annotations

from typing import Any

import anyio

from ._app import Exchange
from ._catalogue import find_model
from ._faults import Fault, default_retry_after, fault_headers, render_error


def _pick_fault(exchange: Exchange) -> Fault:
    header = exchange.request.headers.get("x-fake-fault")
    if header is not None:
        return Fault.from_header(header)
    return exchange.state.take_fault() or Fault()


async def begin(exchange: Exchange) -> Fault | None:
    """The request's fault, or ``None`` when a response has already been given."""
    try:
        fault = _pick_fault(exchange)
    except ValueError as exc:
        await exchange.send_error(400, "invalid_request_error", str(exc))
        return None
    if fault.delay:
        await anyio.sleep(fault.delay)
    if fault.close_without_response:
        await exchange.abort()
        return None
    exchange.extra_headers = fault_headers(fault)
    if not await exchange.check_headers():
        return None
    if fault.status is not None and exchange.state.should_fail(fault):
        content_type, body = render_error(fault, fault.status, exchange.request_id)
        headers = default_retry_after(fault)
        await exchange.send_bytes(fault.status, content_type, body, headers)
        return None
    return fault


async def refuse_if_limited(exchange: Exchange) -> bool:
    """Count the request against the budget; answer 429 and return True when it is spent."""
    wait = exchange.state.admit()
    if wait is None:
        return False
    exchange.extra_headers.append(("retry-after", str(wait)))
    await exchange.send_error(
        429, "rate_limit_error", "Number of requests has exceeded your rate limit."
    )
    return True


async def refuse_unknown_model(exchange: Exchange, model: str) -> bool:
    """Answer the API's 404 for a retired catalogue model, and with ``FakeServer(strict=True)``
    for a model outside the catalogue; return whether it did."""
    found = find_model(model)
    if found is None and not exchange.state.strict:
        return False
    if found is not None and found["lifecycle"] != "retired":
        return False
    await exchange.send_error(404, "not_found_error", f"model: {model}")
    return True


async def read_json_object(exchange: Exchange) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` after answering 400."""
    body = exchange.request.json
    if not isinstance(body, dict):
        await exchange.send_error(
            400,
            "invalid_request_error",
            "There was an error parsing the body of your request: expected a JSON object",
        )
        return None
    return body
