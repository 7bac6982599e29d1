"""Reading the ``anthropic-ratelimit-*`` and ``retry-after`` response headers, as pure functions.

The API reports one window per budget (requests, tokens, input tokens, output tokens), each as
``anthropic-ratelimit-<budget>-{limit,remaining,reset}``; ``reset`` is an RFC 3339 timestamp.
Headers are advisory and gateways mangle them, so a value that does not parse becomes None for
that field alone: reading rate limits never raises.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

_PREFIX = "anthropic-ratelimit-"


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """The wait the server asked for: ``retry-after-ms``, then ``retry-after`` (seconds or an
    HTTP date). None when it asked for nothing usable."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        ms = _finite(raw_ms)
        if ms is not None and ms >= 0:
            return ms / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _finite(raw)
    if seconds is not None:
        return seconds if seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _finite(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class RateLimitWindow:
    """One budget's window. A field the server did not send (or sent malformed) is None."""

    limit: int | None
    remaining: int | None
    reset: datetime | None
    """When the budget is refilled, timezone-aware."""


@dataclass(frozen=True)
class RateLimitInfo:
    """What the rate-limit headers of one response say; a window is None when absent."""

    requests: RateLimitWindow | None
    tokens: RateLimitWindow | None
    input_tokens: RateLimitWindow | None
    output_tokens: RateLimitWindow | None
    retry_after: float | None
    """Seconds the server asked to wait (``retry-after-ms`` / ``retry-after``), if it asked."""


def parse_rate_limit(headers: Mapping[str, str], now: datetime | None = None) -> RateLimitInfo:
    """Parse the rate-limit headers of a response. ``headers`` must look names up
    case-insensitively (``httpx.Headers`` does), or have lower-case names.

    ``now`` only matters for a ``retry-after`` given as an HTTP date.
    """
    return RateLimitInfo(
        requests=_window(headers, "requests"),
        tokens=_window(headers, "tokens"),
        input_tokens=_window(headers, "input-tokens"),
        output_tokens=_window(headers, "output-tokens"),
        retry_after=retry_after_seconds(headers, now),
    )


def _window(headers: Mapping[str, str], budget: str) -> RateLimitWindow | None:
    prefix = _PREFIX + budget
    raw_limit = headers.get(f"{prefix}-limit")
    raw_remaining = headers.get(f"{prefix}-remaining")
    raw_reset = headers.get(f"{prefix}-reset")
    if raw_limit is None and raw_remaining is None and raw_reset is None:
        return None
    return RateLimitWindow(
        limit=_count(raw_limit), remaining=_count(raw_remaining), reset=_timestamp(raw_reset)
    )


def _count(raw: str | None) -> int | None:
    if raw is None:
        return None
    text = raw.strip()
    # int() accepts "1_000" and "+5"; a header counter is plain decimal digits.
    if not text.isascii() or not text.isdigit():
        return None
    return int(text)


def _timestamp(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    text = raw.strip()
    # fromisoformat() on 3.10 rejects "Z"; RFC 3339 allows it (and a lower-case "z").
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    # RFC 3339 requires an offset; one without is not a point in time we can trust.
    if when.tzinfo is None:
        return None
    return when.astimezone(timezone.utc)
