"""The rate limiter's pure accounting: token buckets, settling, headers, 429s."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aioanthropic import parse_rate_limit
from aioanthropic._protocol.budgets import Cost, RateBudgets

WALL = datetime(2026, 11, 29, 12, 0, 0, tzinfo=timezone.utc)


def headers(
    budget: str, limit: int, remaining: int, reset_in: float, **extra: str
) -> dict[str, str]:
    stamp = (WALL + timedelta(seconds=reset_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
    prefix = f"anthropic-ratelimit-{budget}"
    return {
        f"{prefix}-limit": str(limit),
        f"{prefix}-remaining": str(remaining),
        f"{prefix}-reset": stamp,
        **extra,
    }


def waits(delay: tuple[float, str | None]) -> tuple[float, str | None]:
    """A delay rounded to the microsecond (refill arithmetic is in floats)."""
    return round(delay[0], 6), delay[1]


def test_requests_per_minute_admits_a_full_bucket_then_one_per_interval() -> None:
    budgets = RateBudgets(requests_per_minute=60)
    admitted = 0
    while budgets.delay(Cost(), 0.0)[0] == 0:
        budgets.admit(Cost(), 0.0)
        admitted += 1
    assert admitted == 60
    assert waits(budgets.delay(Cost(), 0.0)) == (1.0, "requests")
    # Refilled continuously: after 30 s, 30 more.
    more = 0
    while budgets.delay(Cost(), 30.0)[0] == 0:
        budgets.admit(Cost(), 30.0)
        more += 1
    assert more == 30


def test_each_budget_is_checked_and_the_slowest_one_is_named() -> None:
    budgets = RateBudgets(input_tokens_per_minute=600, output_tokens_per_minute=6000)
    budgets.admit(Cost(input_tokens=500, output_tokens=1000), 0.0)
    # 100 input tokens left at 10/s: 400 more need 30 s; output tokens are plentiful.
    wait, reason = budgets.delay(Cost(input_tokens=400, output_tokens=1000), 0.0)
    assert (round(wait, 6), reason) == (30.0, "input_tokens")
    assert budgets.delay(Cost(input_tokens=100, output_tokens=1000), 0.0) == (0.0, None)


def test_a_call_bigger_than_the_bucket_waits_for_a_full_bucket_and_leaves_a_debt() -> None:
    budgets = RateBudgets(output_tokens_per_minute=1000)
    budgets.admit(Cost(output_tokens=500), 0.0)
    # max_tokens=4000 can never fit 1000: it needs a full bucket, not a refusal.
    assert budgets.delay(Cost(output_tokens=4000), 0.0)[0] == pytest.approx(30.0)
    assert budgets.delay(Cost(output_tokens=4000), 30.0)[0] == 0
    budgets.admit(Cost(output_tokens=4000), 30.0)
    assert budgets.buckets["output_tokens"].level == pytest.approx(-3000)
    # The debt is paid back at the refill rate before anything else fits: 3 min + 6 s.
    assert budgets.delay(Cost(output_tokens=100), 30.0)[0] == pytest.approx(186.0)


def test_settle_gives_back_unused_tokens_and_takes_extra_ones() -> None:
    budgets = RateBudgets(input_tokens_per_minute=10_000, output_tokens_per_minute=10_000)
    reserved = Cost(input_tokens=1000, output_tokens=4000)
    budgets.admit(reserved, 0.0)
    budgets.settle(reserved, Cost(input_tokens=1500, output_tokens=120), 0.0)
    assert budgets.buckets["input_tokens"].level == pytest.approx(8500)
    assert budgets.buckets["output_tokens"].level == pytest.approx(9880)


def test_settle_never_fills_past_capacity() -> None:
    budgets = RateBudgets(output_tokens_per_minute=1000)
    reserved = Cost(output_tokens=800)
    budgets.admit(reserved, 0.0)
    budgets.settle(reserved, Cost(output_tokens=0), 600.0)  # refilled long ago
    assert budgets.buckets["output_tokens"].level == 1000


def test_headers_lower_the_level_and_the_capacity_but_never_raise_them() -> None:
    budgets = RateBudgets(requests_per_minute=100)
    info = parse_rate_limit(headers("requests", limit=50, remaining=10, reset_in=48))
    budgets.observe(info, 0.0, WALL)
    bucket = budgets.buckets["requests"]
    assert (bucket.capacity, bucket.level) == (50, 10)
    # A server limit above the caller's does not raise the caller's.
    budgets.observe(parse_rate_limit(headers("requests", 1000, 1000, 0)), 0.0, WALL)
    assert (bucket.capacity, bucket.level) == (100, 10)


def test_an_unlimited_budget_takes_the_servers_figures() -> None:
    budgets = RateBudgets()
    assert budgets.delay(Cost(input_tokens=10**9), 0.0) == (0.0, None)
    info = parse_rate_limit(headers("input-tokens", limit=6000, remaining=600, reset_in=54))
    budgets.observe(info, 0.0, WALL)
    wait, reason = budgets.delay(Cost(input_tokens=1600), 0.0)
    assert (round(wait, 6), reason) == (10.0, "input_tokens")  # 1000 more at 100/s


def test_an_exhausted_window_pauses_that_budget_alone_until_its_reset() -> None:
    budgets = RateBudgets(requests_per_minute=100, output_tokens_per_minute=10_000)
    info = parse_rate_limit(headers("output-tokens", limit=10_000, remaining=0, reset_in=20))
    budgets.observe(info, 5.0, WALL)
    assert waits(budgets.delay(Cost(output_tokens=1), 5.0)) == (20.0, "output_tokens")
    assert budgets.delay(Cost(output_tokens=0), 5.0) == (0.0, None)  # requests still flow


def test_a_429_pauses_the_budget_its_headers_show_spent_for_retry_after() -> None:
    budgets = RateBudgets(requests_per_minute=100, input_tokens_per_minute=100_000)
    raw = headers("input-tokens", 100_000, 0, reset_in=60, **{"retry-after": "7"})
    raw.update(headers("requests", 100, 99, reset_in=1))
    spent = budgets.pause_exhausted(parse_rate_limit(raw), 0.0, WALL)
    assert spent == ["input_tokens"]
    assert budgets.delay(Cost(input_tokens=1), 0.0)[0] == pytest.approx(60.0)  # reset wins
    assert budgets.delay(Cost(input_tokens=0), 0.0) == (0.0, None)


def test_a_429_that_names_no_budget_pauses_requests_for_retry_after() -> None:
    budgets = RateBudgets()
    spent = budgets.pause_exhausted(parse_rate_limit({"retry-after": "12"}), 3.0, WALL)
    assert spent == ["requests"]
    assert waits(budgets.delay(Cost(), 3.0)) == (12.0, "requests")
    assert budgets.delay(Cost(), 15.0) == (0.0, None)


@pytest.mark.parametrize("bad", [0, -5])
def test_limits_must_be_positive(bad: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateBudgets(requests_per_minute=bad)
