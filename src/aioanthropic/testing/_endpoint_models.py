"""GET /v1/models and GET /v1/models/{model_id}: the fixed catalogue in ``_catalogue``.

``GET /v1/models/{id}`` also takes an alias (the id without its date) and answers the entry,
whose ``id`` is the dated one.
"""

from __future__ import annotations

from ._app import Exchange
from ._catalogue import MODELS, find_model
from ._pages import PageError, page
from ._prelude import begin, refuse_if_limited


async def handle_list_models(exchange: Exchange) -> None:
    if await begin(exchange) is None or await refuse_if_limited(exchange):
        return
    try:
        data = page(MODELS, exchange.request.query)
    except PageError as exc:
        await exchange.send_error(400, "invalid_request_error", str(exc))
        return
    await exchange.send_json(200, data)


async def handle_get_model(exchange: Exchange) -> None:
    if await begin(exchange) is None or await refuse_if_limited(exchange):
        return
    model_id = exchange.params["model_id"]
    found = find_model(model_id)
    if found is None:
        await exchange.send_error(404, "not_found_error", f"model: {model_id}")
        return
    await exchange.send_json(200, found)
