"""The fake model catalogue: what GET /v1/models lists and what messages resolve a model against.

Twenty-five models, five generations of five sizes, so that the default page (20) and small
limits both leave something to paginate. Ids are ``claude-fake-<size>-<generation>-<date>``;
each also answers to its alias without the date (``claude-fake-opus-5``), and a reply names
the dated id, as the API does for its aliases. The list runs newest first, like the real one.

Each entry carries the fields of the API's ModelInfo (models docs; the official SDK's
``ModelInfo`` type): ``max_input_tokens``, ``max_tokens`` (the ceiling for a request's
``max_tokens``), ``capabilities`` (every capability key present), ``lifecycle``, ``line``,
``deprecated_at`` and ``retires_at``. Generation 1 is retired and generation 2 deprecated, so
that a client can meet every lifecycle; the rest are active.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

_SIZES = ("nano", "mini", "haiku", "sonnet", "opus")
# Per size: (max_input_tokens, max_tokens). Small enough that tests can exceed them cheaply.
_LIMITS = {
    "nano": (32_000, 4_096),
    "mini": (100_000, 8_192),
    "haiku": (200_000, 32_000),
    "sonnet": (200_000, 64_000),
    "opus": (1_000_000, 128_000),
}
_LINES = ("haiku", "sonnet", "opus")  # the API's model lines; the fake's other sizes have none


def _supported(flag: bool) -> dict[str, bool]:
    return {"supported": flag}


def _capabilities(size: str, generation: int) -> dict[str, Any]:
    big = size in ("sonnet", "opus")
    modern = generation >= 3
    thinking = modern and size != "nano"
    return {
        "batch": _supported(True),
        "citations": _supported(size != "nano"),
        "code_execution": _supported(big and modern),
        "context_management": {
            "supported": modern,
            "clear_thinking_20251015": _supported(thinking),
            "clear_tool_uses_20250919": _supported(modern),
            "compact_20260112": _supported(generation >= 5),
        },
        "effort": {
            "supported": big and modern,
            "low": _supported(big and modern),
            "medium": _supported(big and modern),
            "high": _supported(big and modern),
            "max": _supported(size == "opus" and modern),
            "xhigh": _supported(size == "opus" and generation >= 5),
        },
        "image_input": _supported(size != "nano"),
        "pdf_input": _supported(size != "nano"),
        "server_tools": {
            "supported": big,
            "code_execution": _supported(big and modern),
            "web_search": _supported(big),
        },
        "structured_outputs": _supported(modern),
        "thinking": {
            "supported": thinking,
            "types": {
                "adaptive": _supported(thinking and generation >= 4),
                "between_tools": _supported(thinking and generation >= 5),
                "disabled": _supported(True),
                "enabled": _supported(thinking),
            },
        },
    }


def _stamp(day: date) -> str:
    return f"{day:%Y-%m-%d}T00:00:00Z"


def _catalogue() -> list[dict[str, Any]]:
    models = []
    for generation in range(1, 6):
        released = date(2020 + generation, 3, 1)
        lifecycle = {1: "retired", 2: "deprecated"}.get(generation, "active")
        for rank, size in enumerate(_SIZES):
            # Within a generation the sizes come out a week apart, smallest first.
            day = released + timedelta(weeks=rank)
            max_input, max_output = _LIMITS[size]
            models.append(
                {
                    "type": "model",
                    "id": f"claude-fake-{size}-{generation}-{day:%Y%m%d}",
                    "display_name": f"Claude Fake {size.capitalize()} {generation}",
                    "created_at": _stamp(day),
                    "capabilities": _capabilities(size, generation),
                    "lifecycle": lifecycle,
                    "line": size if size in _LINES else None,
                    "max_input_tokens": max_input,
                    "max_tokens": max_output,
                    "deprecated_at": _stamp(date(2024, 1, 1)) if generation <= 2 else None,
                    "retires_at": _stamp(date(2025, 1, 1)) if generation <= 2 else None,
                }
            )
    models.sort(key=lambda m: str(m["created_at"]), reverse=True)
    return models


MODELS: tuple[dict[str, Any], ...] = tuple(_catalogue())
_BY_NAME = {m["id"]: m for m in MODELS} | {m["id"].rsplit("-", 1)[0]: m for m in MODELS}


def find_model(name: str) -> dict[str, Any] | None:
    """The catalogue entry for an id or an alias (the id without its date), or ``None``."""
    return _BY_NAME.get(name)


def model_id(name: str) -> str:
    """What a reply's ``model`` says: the catalogue id for a known id or alias, else ``name``."""
    found = find_model(name)
    return name if found is None else str(found["id"])
