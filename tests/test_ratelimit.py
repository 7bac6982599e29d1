"""Rate-limit headers, table-tested: present, missing, partial and malformed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from aioanthropic import RateLimitInfo, RateLimitWindow, parse_rate_limit

RESET = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
NOW = datetime(2025, 1, 2, 3, 0, 0, tzinfo=timezone.utc)


def full(
    budget: str, limit: str = "50", remaining: str = "49", reset: str = "2025-01-02T03:04:05Z"
) -> dict[str, str]:
    prefix = f"anthropic-ratelimit-{budget}"
    return {f"{prefix}-limit": limit, f"{prefix}-remaining": remaining, f"{prefix}-reset": reset}


def window(
    limit: int | None = 50, remaining: int | None = 49, reset: datetime | None = RESET
) -> RateLimitWindow:
    return RateLimitWindow(limit=limit, remaining=remaining, reset=reset)


@pytest.mark.parametrize(
    ("headers", "budget", "expected"),
    [
        pytest.param(full("requests"), "requests", window(), id="requests"),
        pytest.param(full("tokens"), "tokens", window(), id="tokens"),
        pytest.param(full("input-tokens"), "input_tokens", window(), id="input"),
        pytest.param(full("output-tokens"), "output_tokens", window(), id="output"),
        pytest.param({}, "requests", None, id="absent"),
        pytest.param(full("tokens"), "requests", None, id="other budget only"),
        pytest.param(
            {"anthropic-ratelimit-requests-remaining": "7"},
            "requests",
            window(limit=None, remaining=7, reset=None),
            id="only remaining",
        ),
        pytest.param(
            full("requests", limit="lots"), "requests", window(limit=None), id="bad limit"
        ),
        pytest.param(full("requests", limit="-1"), "requests", window(limit=None), id="negative"),
        pytest.param(full("requests", limit="1.5"), "requests", window(limit=None), id="float"),
        pytest.param(full("requests", limit="1_000"), "requests", window(limit=None), id="1_000"),
        pytest.param(full("requests", limit="٣"), "requests", window(limit=None), id="non-ascii"),
        pytest.param(full("requests", limit=""), "requests", window(limit=None), id="empty"),
        pytest.param(full("requests", limit=" 50 "), "requests", window(), id="spaces"),
        pytest.param(
            full("requests", reset="soon"), "requests", window(reset=None), id="bad reset"
        ),
        pytest.param(full("requests", reset=""), "requests", window(reset=None), id="empty reset"),
        pytest.param(
            full("requests", reset="2025-01-02T03:04:05"),
            "requests",
            window(reset=None),
            id="reset without offset",
        ),
        pytest.param(
            full("requests", reset="2025-01-02T05:04:05+02:00"),
            "requests",
            window(),
            id="reset with offset",
        ),
        pytest.param(
            full("requests", reset="2025-01-02T03:04:05.250z"),
            "requests",
            window(reset=RESET + timedelta(milliseconds=250)),
            id="fraction, lower-case z",
        ),
        pytest.param(
            full("requests", reset="Thu, 02 Jan 2025 03:04:05 GMT"),
            "requests",
            window(reset=None),
            id="http date",
        ),
    ],
)
def test_windows(headers: dict[str, str], budget: str, expected: RateLimitWindow | None) -> None:
    assert getattr(parse_rate_limit(headers), budget) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "nonsense"}, None),
        ({"retry-after": "Thu, 02 Jan 2025 03:00:30 GMT"}, 30.0),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_rate_limit(headers, now=NOW).retry_after == expected


def test_reset_is_aware_utc() -> None:
    info = parse_rate_limit(full("tokens", reset="2025-01-02T05:04:05+02:00"))
    assert info.tokens is not None
    assert info.tokens.reset is not None
    assert info.tokens.reset.utcoffset() == timedelta(0)


def test_httpx_headers_are_looked_up_case_insensitively() -> None:
    headers = httpx.Headers({"Anthropic-RateLimit-Requests-Limit": "10"})
    assert parse_rate_limit(headers).requests == window(limit=10, remaining=None, reset=None)


def test_nothing_at_all() -> None:
    assert parse_rate_limit({}) == RateLimitInfo(None, None, None, None, None)
