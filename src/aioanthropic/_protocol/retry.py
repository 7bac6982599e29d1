"""Retry policy as pure functions: whether to retry, and how long to wait first.

The sender (``_http/sender.py``) calls these and does the sleeping; nothing here touches the
network or a clock, so every rule is checked by a table in ``tests/test_retry.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from .exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
)
from .ratelimit import retry_after_seconds

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})

INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
# Each wait is shortened by up to this fraction, so that clients failing together spread out.
JITTER = 0.25


def should_retry_status(status_code: int, headers: Mapping[str, str]) -> bool:
    """Whether a response with this status should be retried; ``x-should-retry`` overrides."""
    override = headers.get("x-should-retry", "").strip().lower()
    if override == "true":
        return True
    if override == "false":
        return False
    return status_code in RETRYABLE_STATUSES


def backoff_seconds(retries_taken: int, random: Callable[[], float]) -> float:
    """Exponential backoff for the retry after ``retries_taken`` earlier ones, with jitter.

    ``random`` returns a float in [0, 1); the wait lies in ``[(1 - JITTER) * b, b]`` where
    ``b = min(INITIAL_BACKOFF * 2**retries_taken, MAX_BACKOFF)``.
    """
    base = min(INITIAL_BACKOFF * (2.0**retries_taken), MAX_BACKOFF)
    return base * (1.0 - JITTER * random())


class RetryDecision:
    """What to do after a failed attempt: ``retry`` with ``wait`` seconds, or give up.

    ``asked`` is the wait the server asked for, when it asked; ``too_long`` is set when that
    exceeds the client's ``max_retry_wait`` (the caller then raises at once, reporting it).
    """

    __slots__ = ("asked", "retry", "too_long", "wait")

    def __init__(
        self, *, retry: bool, wait: float = 0.0, asked: float | None = None, too_long: bool = False
    ) -> None:
        self.retry = retry
        self.wait = wait
        self.asked = asked
        self.too_long = too_long

    def __repr__(self) -> str:
        return (
            f"RetryDecision(retry={self.retry}, wait={self.wait:.3f}, asked={self.asked}, "
            f"too_long={self.too_long})"
        )


def decide(
    *,
    retries_taken: int,
    max_retries: int,
    max_retry_wait: float,
    retryable: bool,
    headers: Mapping[str, str] | None = None,
    random: Callable[[], float],
    now: datetime | None = None,
) -> RetryDecision:
    """Decide the next step after a failed attempt.

    ``retryable`` comes from :func:`should_retry_status` for a status, or is True for a
    connection error or timeout (which have no headers).
    """
    asked = retry_after_seconds(headers, now) if headers is not None else None
    if not retryable or retries_taken >= max_retries:
        return RetryDecision(retry=False, asked=asked)
    if asked is not None:
        if asked > max_retry_wait:
            # Shortening the wait would only earn another refusal; report what was asked.
            return RetryDecision(retry=False, asked=asked, too_long=True)
        return RetryDecision(retry=True, wait=asked, asked=asked)
    return RetryDecision(retry=True, wait=backoff_seconds(retries_taken, random))


def stream_error_retryable(error: APIError, *, content_started: bool) -> bool:
    """Whether a stream that failed with ``error`` may be sent again.

    Only before content arrived (``MessageStreamProtocol.content_started``): after that the
    caller has seen part of an answer a retry would not reproduce. Before it, a connection
    error or timeout is retryable, and an error event by the status its type maps to
    (``overloaded_error`` -> 529 -> retryable); malformed data and an early end are not (the
    same server would most likely send the same again). The retry budget and the wait are
    then ``decide``'s.
    """
    if content_started:
        return False
    if isinstance(error, APIStatusError):
        return should_retry_status(error.status_code, {})
    return isinstance(error, APIConnectionError)
