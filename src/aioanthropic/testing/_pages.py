"""Cursor pagination as the list endpoints (models, message batches) do it.

Lists run newest first. With ``after_id=X`` a page holds the ``limit`` items that follow X;
with ``before_id=X`` the ``limit`` items that precede X (the ones closest to X); with neither,
the first ``limit``. ``has_more`` says whether more items lie beyond the page in the direction
of travel: after the page when going forward, before it when going back. ``first_id`` and
``last_id`` are the page's ends (``null`` for an empty page), the cursors for the next call.
A cursor naming no item is a 400, as is giving both cursors or a limit outside 1..1000.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


class PageError(ValueError):
    """A bad query; the message is the 400's."""


def page(items: Sequence[dict[str, Any]], query: str) -> dict[str, Any]:
    """The list response for ``items`` (newest first, each with an ``id``) under ``query``."""
    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    raw_limit = params.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw_limit)
    except ValueError:
        raise PageError(f"limit: Input should be a valid integer, got {raw_limit!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise PageError(f"limit: Input should be between 1 and {MAX_LIMIT}, got {limit}")
    before, after = params.get("before_id"), params.get("after_id")
    if before is not None and after is not None:
        raise PageError("before_id and after_id cannot both be given")

    def where(cursor: str, name: str) -> int:
        for i, item in enumerate(items):
            if item["id"] == cursor:
                return i
        raise PageError(f"{name}: no object with id {cursor!r}")

    if after is not None:
        start = where(after, "after_id") + 1
        end = min(len(items), start + limit)
        has_more = end < len(items)
    elif before is not None:
        end = where(before, "before_id")
        start = max(0, end - limit)
        has_more = start > 0
    else:
        start, end = 0, min(len(items), limit)
        has_more = end < len(items)
    data = list(items[start:end])
    return {
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
