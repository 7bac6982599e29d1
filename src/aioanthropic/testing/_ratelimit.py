"""Rate-limit budgets and the ``anthropic-ratelimit-*`` headers.

Windows are fixed and aligned to when the server started: window ``k`` covers
``[start + k * window, start + (k + 1) * window)`` and every budget refills at its end. Without
``RateLimits`` the server still sends the headers, with limits large enough never to bite.
A request is refused (429) when the current window's request or token budget is already spent;
an admitted message request costs one request, and its input + output tokens once answered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone

_UNLIMITED_REQUESTS = 4000
_UNLIMITED_TOKENS = 400_000


@dataclass(frozen=True)
class RateLimits:
    """Per-window budgets; ``None`` means that budget never runs out."""

    requests: int | None = None
    tokens: int | None = None
    window: float = 60.0

    def __post_init__(self) -> None:
        if self.window <= 0:
            raise ValueError("window must be positive")


class Budget:
    """Spending within fixed windows. Not thread-safe: the server holds its lock around it."""

    def __init__(self, limits: RateLimits | None, start: float) -> None:
        self._limits = limits or RateLimits()
        self._start = start
        self._window_index = 0
        self._requests = 0
        self._input = 0
        self._output = 0

    def _roll(self, now: float) -> None:
        index = int((now - self._start) // self._limits.window)
        if index != self._window_index:
            self._window_index = index
            self._requests = self._input = self._output = 0

    def _reset_at(self) -> float:
        return self._start + (self._window_index + 1) * self._limits.window

    def admit(self, now: float) -> int | None:
        """Take one request from the budget; if it is spent, the whole seconds (>= 1) to wait.

        The request is counted on admission, not when answered, so that concurrent requests
        cannot all slip through the last free slot.
        """
        self._roll(now)
        limits = self._limits
        spent = (limits.requests is not None and self._requests >= limits.requests) or (
            limits.tokens is not None and self._input + self._output >= limits.tokens
        )
        if not spent:
            self._requests += 1
            return None
        return max(1, math.ceil(self._reset_at() - now))

    def spend(self, now: float, input_tokens: int, output_tokens: int) -> None:
        self._roll(now)
        self._input += input_tokens
        self._output += output_tokens

    def headers(self, now: float) -> list[tuple[str, str]]:
        self._roll(now)
        reset = datetime.fromtimestamp(self._reset_at(), timezone.utc)
        stamp = reset.strftime("%Y-%m-%dT%H:%M:%SZ")
        requests = self._limits.requests or _UNLIMITED_REQUESTS
        tokens = self._limits.tokens or _UNLIMITED_TOKENS
        rows = [
            ("requests", requests, self._requests),
            ("tokens", tokens, self._input + self._output),
            ("input-tokens", tokens, self._input),
            ("output-tokens", tokens, self._output),
        ]
        headers = []
        for name, limit, used in rows:
            prefix = f"anthropic-ratelimit-{name}"
            headers.append((f"{prefix}-limit", str(limit)))
            headers.append((f"{prefix}-remaining", str(max(0, limit - used))))
            headers.append((f"{prefix}-reset", stamp))
        return headers
