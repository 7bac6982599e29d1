from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from aioanthropic._protocol.ratelimit import retry_after_seconds
from aioanthropic._protocol.retry import (
    INITIAL_BACKOFF,
    JITTER,
    MAX_BACKOFF,
    backoff_seconds,
    decide,
    should_retry_status,
)

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (408, {}, True),
        (409, {}, True),
        (429, {}, True),
        (500, {}, True),
        (502, {}, True),
        (503, {}, True),
        (504, {}, True),
        (529, {}, True),
        (400, {}, False),
        (401, {}, False),
        (403, {}, False),
        (404, {}, False),
        (413, {}, False),
        (422, {}, False),
        (501, {}, False),
        (400, {"x-should-retry": "true"}, True),
        (529, {"x-should-retry": "false"}, False),
        (529, {"x-should-retry": " FALSE "}, False),
        (529, {"x-should-retry": "maybe"}, True),
    ],
)
def test_should_retry_status(status: int, headers: dict[str, str], expected: bool) -> None:
    assert should_retry_status(status, headers) is expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "120"}, 120.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "9"}, 9.0),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": format_datetime(NOW + timedelta(seconds=30), usegmt=True)}, 30.0),
        ({"retry-after": format_datetime(NOW - timedelta(seconds=30), usegmt=True)}, 0.0),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers, now=NOW) == expected


@pytest.mark.parametrize("retries_taken", [0, 1, 2, 3, 4, 5, 10])
@pytest.mark.parametrize("rand", [0.0, 0.5, 0.999999])
def test_backoff_is_exponential_capped_and_jittered_within_bounds(
    retries_taken: int, rand: float
) -> None:
    base = min(INITIAL_BACKOFF * 2**retries_taken, MAX_BACKOFF)
    wait = backoff_seconds(retries_taken, lambda: rand)
    assert (1 - JITTER) * base <= wait <= base
    assert wait == pytest.approx(base * (1 - JITTER * rand))


def test_backoff_grows() -> None:
    waits = [backoff_seconds(n, lambda: 0.0) for n in range(6)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def _decide(**kw: object) -> object:
    args: dict[str, object] = {
        "retries_taken": 0,
        "max_retries": 2,
        "max_retry_wait": 60.0,
        "retryable": True,
        "headers": None,
        "random": lambda: 0.0,
        "now": NOW,
    }
    args.update(kw)
    return decide(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "retry", "wait", "too_long"),
    [
        ({}, True, 0.5, False),
        ({"retries_taken": 1}, True, 1.0, False),
        ({"retries_taken": 2}, False, 0.0, False),
        ({"max_retries": 0}, False, 0.0, False),
        ({"retryable": False}, False, 0.0, False),
        ({"headers": {"retry-after": "7"}}, True, 7.0, False),
        ({"headers": {"retry-after-ms": "1500"}}, True, 1.5, False),
        ({"headers": {"retry-after": "60"}}, True, 60.0, False),
        ({"headers": {"retry-after": "61"}}, False, 0.0, True),
        ({"headers": {"retry-after": "61"}, "max_retry_wait": 120.0}, True, 61.0, False),
        ({"headers": {"retry-after": "7"}, "retries_taken": 2}, False, 0.0, False),
    ],
)
def test_decide(kw: dict[str, object], retry: bool, wait: float, too_long: bool) -> None:
    decision = _decide(**kw)
    assert decision.retry is retry  # type: ignore[attr-defined]
    assert decision.wait == pytest.approx(wait)  # type: ignore[attr-defined]
    assert decision.too_long is too_long  # type: ignore[attr-defined]


def test_decide_reports_the_wait_asked_even_when_not_retrying() -> None:
    decision = _decide(headers={"retry-after": "300"})
    assert decision.asked == 300.0  # type: ignore[attr-defined]
