"""Client-side rate budgets as token buckets: pure accounting, no clock and no waiting.

How this works
--------------
The Messages API meters requests, input tokens and output tokens per minute with token buckets
that refill continuously (Anthropic's rate-limit documentation). ``RateBudgets`` keeps one
``Bucket`` per budget. Times are plain floats (seconds on any monotonic clock) passed in by the
caller, which owns the clock and the waiting (``aioanthropic.RateLimiter``).

* A call costs 1 request, its estimated input tokens and its ``max_tokens`` of output. It is
  admitted when every bucket holds its cost (a cost larger than a bucket's capacity needs a
  full bucket, then leaves it in debt: a call is never refused for being big). ``delay`` says
  how long until then, from the refill rates; ``admit`` takes the cost.
* ``settle`` replaces the reservation by the real usage once the response has ended: unused
  tokens go back, extra ones are taken (the bucket may go into debt).
* ``observe`` adapts to the ``anthropic-ratelimit-*`` headers: a bucket never holds more than
  the server says ``remaining``, nor more than its ``limit``; a budget the caller left
  unlimited takes the server's figures. A window with ``remaining == 0`` pauses that budget
  alone until its ``reset``.
* ``pause_exhausted`` handles a 429: the budgets its headers show as spent pause for the
  ``retry-after``; if none shows as spent, the request budget does (so every call waits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from .ratelimit import RateLimitInfo, RateLimitWindow

BUDGETS = ("requests", "input_tokens", "output_tokens")


@dataclass(frozen=True)
class Cost:
    """What a call reserves (or, settled, really used) from each budget."""

    requests: int = 1
    input_tokens: int = 0
    output_tokens: int = 0

    def of(self, budget: str) -> int:
        value: int = getattr(self, budget)
        return value


class Bucket:
    """One budget: ``capacity`` units refilled at ``capacity / 60`` per second."""

    def __init__(self, per_minute: int | None, now: float) -> None:
        if per_minute is not None and per_minute <= 0:
            raise ValueError(f"a per-minute limit must be positive, got {per_minute}")
        self.configured = math.inf if per_minute is None else float(per_minute)
        self.capacity = self.configured
        self.level = self.capacity
        self.updated = now
        self.paused_until = -math.inf

    @property
    def rate(self) -> float:
        """Units per second."""
        return self.capacity / 60.0

    def refill(self, now: float) -> None:
        if now > self.updated:
            if math.isfinite(self.capacity):
                self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
            self.updated = now

    def delay(self, need: int, now: float) -> float:
        """Seconds until ``need`` units can be taken (0: now). A call that needs none of
        this budget never waits for it, paused or not."""
        self.refill(now)
        if need <= 0:
            return 0.0
        wait = max(0.0, self.paused_until - now)
        need_now = min(float(need), self.capacity)
        if self.level < need_now:
            wait = max(wait, (need_now - self.level) / self.rate)
        return wait

    def take(self, amount: float) -> None:
        self.level -= amount

    def give(self, amount: float) -> None:
        self.level = min(self.capacity, self.level + amount)

    def sync(self, window: RateLimitWindow, reset_after: float | None, now: float) -> None:
        self.refill(now)
        if window.limit is not None and window.limit > 0:
            self.capacity = min(self.configured, float(window.limit))
        if window.remaining is not None:
            self.level = min(self.level, float(window.remaining), self.capacity)
            if window.remaining == 0 and reset_after is not None:
                self.pause(now + reset_after)

    def pause(self, until: float) -> None:
        self.paused_until = max(self.paused_until, until)


class RateBudgets:
    """The three budgets of a rate limiter; see the module docstring."""

    def __init__(
        self,
        *,
        requests_per_minute: int | None = None,
        input_tokens_per_minute: int | None = None,
        output_tokens_per_minute: int | None = None,
        now: float = 0.0,
    ) -> None:
        self.buckets = {
            "requests": Bucket(requests_per_minute, now),
            "input_tokens": Bucket(input_tokens_per_minute, now),
            "output_tokens": Bucket(output_tokens_per_minute, now),
        }

    def delay(self, cost: Cost, now: float) -> tuple[float, str | None]:
        """Seconds until ``cost`` can be admitted, and the budget that is the reason (None
        when it can be admitted now)."""
        longest, reason = 0.0, None
        for name, bucket in self.buckets.items():
            wait = bucket.delay(cost.of(name), now)
            if wait > longest:
                longest, reason = wait, name
        return longest, reason

    def admit(self, cost: Cost, now: float) -> None:
        for name, bucket in self.buckets.items():
            bucket.refill(now)
            bucket.take(cost.of(name))

    def settle(self, reserved: Cost, used: Cost, now: float) -> None:
        """Replace a call's reservation by what it really used."""
        for name, bucket in self.buckets.items():
            bucket.refill(now)
            difference = reserved.of(name) - used.of(name)
            if difference > 0:
                bucket.give(difference)
            elif difference < 0:
                bucket.take(-difference)

    def observe(self, info: RateLimitInfo, now: float, wall_now: datetime) -> None:
        """Adapt to a response's rate-limit headers (``wall_now`` converts their ``reset``
        timestamps: aware datetimes)."""
        for name, bucket in self.buckets.items():
            window = getattr(info, name)
            if window is None:
                continue
            reset_after = None
            if window.reset is not None:
                reset_after = max(0.0, (window.reset - wall_now).total_seconds())
            bucket.sync(window, reset_after, now)

    def pause_exhausted(self, info: RateLimitInfo, now: float, wall_now: datetime) -> list[str]:
        """A 429 arrived: pause the budgets it shows as spent until ``retry-after`` (or their
        ``reset``); the request budget when it shows none. Returns the paused budgets."""
        self.observe(info, now, wall_now)
        spent = [
            name
            for name in BUDGETS
            if (window := getattr(info, name)) is not None and window.remaining == 0
        ]
        if not spent:
            spent = ["requests"]
        if info.retry_after is not None:
            for name in spent:
                self.buckets[name].pause(now + info.retry_after)
        return spent


__all__ = ["BUDGETS", "Bucket", "Cost", "RateBudgets"]
