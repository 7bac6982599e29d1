"""GET /v1/models and GET /v1/models/{model_id}: a fixed catalogue of fake models.

Twenty-five models, five generations of five sizes, so that the default page (20) and small
limits both leave something to paginate. Ids are ``claude-fake-<size>-<generation>-<date>``;
the list runs newest first, like the real one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ._app import Exchange
from ._pages import PageError, page
from ._prelude import begin, refuse_if_limited

_SIZES = ("nano", "mini", "haiku", "sonnet", "opus")


def _catalogue() -> list[dict[str, Any]]:
    models = []
    for generation in range(1, 6):
        released = date(2020 + generation, 3, 1)
        for rank, size in enumerate(_SIZES):
            # Within a generation the sizes come out a week apart, smallest first.
            day = released + timedelta(weeks=rank)
            models.append(
                {
                    "type": "model",
                    "id": f"claude-fake-{size}-{generation}-{day:%Y%m%d}",
                    "display_name": f"Claude Fake {size.capitalize()} {generation}",
                    "created_at": f"{day:%Y-%m-%d}T00:00:00Z",
                }
            )
    models.sort(key=lambda m: str(m["created_at"]), reverse=True)
    return models


MODELS: tuple[dict[str, Any], ...] = tuple(_catalogue())


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
    found = next((m for m in MODELS if m["id"] == model_id), None)
    if found is None:
        await exchange.send_error(404, "not_found_error", f"model: {model_id}")
        return
    await exchange.send_json(200, found)
