"""``RateLimiter``: paces a client's message calls on the client side, on asyncio and trio.

The accounting (token buckets, reservations, headers) is pure, in ``_protocol/budgets.py``;
this module owns the clock, the queue of waiters and the waiting. It watches calls through the
requester's call observers (``_http/observe.py``): ``start`` waits for the call's turn and
reserves its cost, the probe settles the reservation when the response or stream ends and
adapts to the headers it sees.

Waiters are served strictly in arrival order: only the head of the queue may be admitted, and
a later call never overtakes an earlier one (a big call is not starved by small ones). The head
sleeps until the buckets say it fits, waking early when something changes (a call ends and
gives back a slot or unused tokens, headers arrive).
"""

from __future__ import annotations

import json
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx

from aioanthropic._http.observe import CallObserver, CallProbe
from aioanthropic._protocol.budgets import Cost, RateBudgets
from aioanthropic._protocol.exceptions import APIError, RateLimitError, RateLimitWaitError
from aioanthropic._protocol.ratelimit import parse_rate_limit
from aioanthropic._protocol.responses import Message, Usage
from aioanthropic._protocol.tokens import estimate_tokens

logger = logging.getLogger("aioanthropic")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """Client-side limits for ``POST /v1/messages`` calls (plain and streamed).

    ``AsyncClient(rate_limiter=RateLimiter(...))``; one limiter may serve several clients (of
    the same event loop), which then share its budgets. Limits are per minute, as the API's
    are (``requests_per_minute``, ``input_tokens_per_minute``, ``output_tokens_per_minute``),
    each a token bucket refilled continuously; ``max_concurrency`` bounds the calls in flight
    (a stream is in flight until it is closed). None means no client-side limit, though the
    limiter still follows the server's ``anthropic-ratelimit-*`` headers and 429s.

    Before a call is sent it reserves 1 request, its input tokens estimated offline
    (``aioanthropic.estimate_tokens``) and its ``max_tokens``; when the response or stream
    ends the reservation is settled against the real ``usage`` (input tokens counted as the
    API's rate limits count them: ``input_tokens + cache_creation_input_tokens``, cache reads
    excluded). Calls wait in arrival order. ``max_wait`` (seconds) bounds a call's wait:
    past it, or as soon as the wait it needs is known to be longer, ``RateLimitWaitError``
    is raised and nothing is sent. Other endpoints (count_tokens, models, batches) are not
    paced: the API meters them separately.

    ``clock`` (seconds, monotonic) and ``sleep`` default to anyio's; tests pass a fake pair.
    """

    def __init__(
        self,
        requests_per_minute: int | None = None,
        input_tokens_per_minute: int | None = None,
        output_tokens_per_minute: int | None = None,
        max_concurrency: int | None = None,
        max_wait: float | None = None,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        wall_clock: Callable[[], datetime] | None = None,
    ) -> None:
        if max_concurrency is not None and max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        if max_wait is not None and max_wait < 0:
            raise ValueError(f"max_wait must be >= 0 seconds, got {max_wait}")
        self._limits = (requests_per_minute, input_tokens_per_minute, output_tokens_per_minute)
        self._max_concurrency = max_concurrency
        self._max_wait = max_wait
        self._clock: Clock = clock or anyio.current_time
        self._sleep: Sleep = sleep or anyio.sleep
        self._wall: Callable[[], datetime] = wall_clock or (lambda: datetime.now(timezone.utc))
        # Buckets are created at the first call, when the clock can be read (anyio's needs a
        # running event loop); the limits are checked now.
        self._budgets: RateBudgets | None = None
        RateBudgets(
            requests_per_minute=requests_per_minute,
            input_tokens_per_minute=input_tokens_per_minute,
            output_tokens_per_minute=output_tokens_per_minute,
        )
        self._queue: deque[_Waiter] = deque()
        self._in_flight = 0
        self._changed: anyio.Event | None = None
        # What AsyncClient(rate_limiter=...) installs on its requester.
        self._observer: CallObserver = _Observer(self)

    def __repr__(self) -> str:
        return (
            f"RateLimiter(requests_per_minute={self.requests_per_minute}, "
            f"input_tokens_per_minute={self.input_tokens_per_minute}, "
            f"output_tokens_per_minute={self.output_tokens_per_minute}, "
            f"max_concurrency={self.max_concurrency}, max_wait={self.max_wait})"
        )

    # --- configuration (read-only: the buckets are built from it) -----------------------------

    @property
    def requests_per_minute(self) -> int | None:
        return self._limits[0]

    @property
    def input_tokens_per_minute(self) -> int | None:
        return self._limits[1]

    @property
    def output_tokens_per_minute(self) -> int | None:
        return self._limits[2]

    @property
    def max_concurrency(self) -> int | None:
        return self._max_concurrency

    @property
    def max_wait(self) -> float | None:
        """Seconds a call may wait for its turn; None: no bound."""
        return self._max_wait

    @property
    def in_flight(self) -> int:
        """Calls admitted and not ended yet."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Calls queued for their turn."""
        return len(self._queue)

    # --- admission ---------------------------------------------------------------------------

    def _state(self) -> RateBudgets:
        if self._budgets is None:
            self._budgets = RateBudgets(
                requests_per_minute=self.requests_per_minute,
                input_tokens_per_minute=self.input_tokens_per_minute,
                output_tokens_per_minute=self.output_tokens_per_minute,
                now=self._clock(),
            )
        return self._budgets

    def _notify(self) -> None:
        """Something changed that may let the head of the queue in earlier."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def _delay(self, cost: Cost) -> tuple[float, str | None]:
        if self.max_concurrency is not None and self._in_flight >= self.max_concurrency:
            return math.inf, "concurrency"
        return self._state().delay(cost, self._clock())

    async def _acquire(self, cost: Cost) -> None:
        """Wait for ``cost``'s turn and take it (``_release`` gives the concurrency slot back
        and settles the tokens). Raises ``RateLimitWaitError`` past ``max_wait``."""
        budgets = self._state()
        if not self._queue and self._delay(cost)[0] == 0:
            self._admit(budgets, cost)
            return
        waiter = _Waiter(cost)
        self._queue.append(waiter)
        started = self._clock()
        try:
            await self._wait_for_turn(waiter, started)
        except BaseException:
            self._queue.remove(waiter)
            self._wake_head()
            raise
        self._queue.popleft()
        self._admit(budgets, cost)
        self._wake_head()

    async def _wait_for_turn(self, waiter: _Waiter, started: float) -> None:
        while True:
            now = self._clock()
            left = math.inf if self.max_wait is None else started + self.max_wait - now
            if self._queue[0] is waiter:
                delay, reason = self._delay(waiter.cost)
                if delay == 0:
                    return
                known = not math.isinf(delay)  # a concurrency slot frees at no known time
                if (known and delay > left) or left <= 0:
                    raise self._too_long(delay if known else None, reason, now - started)
                event = self._changed = self._changed or anyio.Event()
                await self._wait(event, min(delay, left))
            else:
                if left <= 0:
                    raise self._too_long(None, "queue", now - started)
                waiter.turn = anyio.Event()
                await self._wait(waiter.turn, left)

    async def _wait(self, event: anyio.Event, seconds: float) -> None:
        """Until ``event`` is set or ``seconds`` pass on this limiter's clock (anyio.fail_after
        would use the event loop's clock, which tests cannot advance)."""
        if math.isinf(seconds):
            await event.wait()
            return
        async with anyio.create_task_group() as group:

            async def timer() -> None:
                await self._sleep(seconds)
                group.cancel_scope.cancel()

            group.start_soon(timer)
            await event.wait()
            group.cancel_scope.cancel()

    def _wake_head(self) -> None:
        if self._queue:
            turn = self._queue[0].turn
            if turn is not None:
                turn.set()
        self._notify()

    def _admit(self, budgets: RateBudgets, cost: Cost) -> None:
        budgets.admit(cost, self._clock())
        self._in_flight += 1

    def _too_long(self, delay: float | None, reason: str | None, waited: float) -> Exception:
        needed = "" if delay is None else f" and needs {delay:.1f}s more"
        return RateLimitWaitError(
            f"A call waited {waited:.1f}s for the client-side rate limiter{needed} "
            f"(waiting on: {reason}), longer than max_wait={self.max_wait:g}s; nothing was "
            "sent. Raise max_wait, lower the request rate, or raise the limits",
            budget=reason,
            wait=delay,
        )

    # --- the end of a call -------------------------------------------------------------------

    def _release(self, reserved: Cost, used: Cost | None, headers: httpx.Headers | None) -> None:
        """A call ended: give back its slot, settle its tokens (``used`` None: the call
        failed without usage, its token reservations go back), adapt to its headers."""
        budgets = self._state()
        now = self._clock()
        self._in_flight -= 1
        settled = used or Cost(requests=reserved.requests)
        budgets.settle(reserved, settled, now)
        if headers is not None:
            budgets.observe(parse_rate_limit(headers), now, self._wall())
        self._wake_head()

    def _rate_limited(self, error: RateLimitError) -> None:
        """A 429 arrived (for this or another client of this limiter): pause what it says is
        spent."""
        info = parse_rate_limit(error.headers or {})
        spent = self._state().pause_exhausted(info, self._clock(), self._wall())
        logger.debug("429 from the server: pausing %s budget(s)", ", ".join(spent))
        self._notify()


class _Waiter:
    __slots__ = ("cost", "turn")

    def __init__(self, cost: Cost) -> None:
        self.cost = cost
        self.turn: anyio.Event | None = None


class _Observer:
    """The limiter as a call observer: paces ``POST .../v1/messages`` only."""

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def start(self, request: httpx.Request, *, stream: bool) -> CallProbe | None:
        if request.method != "POST" or not request.url.path.endswith("/v1/messages"):
            return None
        cost = request_cost(request.content)
        await self._limiter._acquire(cost)
        return _Probe(self._limiter, cost)


class _Probe:
    def __init__(self, limiter: RateLimiter, cost: Cost) -> None:
        self._limiter = limiter
        self._cost = cost
        self._headers: httpx.Headers | None = None

    def on_error(self, error: APIError) -> None:
        if isinstance(error, RateLimitError):
            self._limiter._rate_limited(error)

    def on_response(self, response: httpx.Response) -> None:
        self._headers = response.headers

    def on_first_token(self) -> None:
        pass

    def on_end(self, result: object, error: BaseException | None) -> None:
        usage = usage_of(result)
        used = None
        if usage is not None:
            used = Cost(
                requests=1,
                input_tokens=usage.input_tokens + (usage.cache_creation_input_tokens or 0),
                output_tokens=usage.output_tokens,
            )
        self._limiter._release(self._cost, used, self._headers)


def request_cost(content: bytes) -> Cost:
    """What a ``POST /v1/messages`` body reserves: 1 request, ``estimate_tokens`` of its
    messages, system and tools, and its ``max_tokens``."""
    try:
        body: Any = json.loads(content)
    except ValueError:
        return Cost()
    if not isinstance(body, dict):
        return Cost()
    messages = body.get("messages")
    max_tokens = body.get("max_tokens")
    return Cost(
        requests=1,
        input_tokens=estimate_tokens(
            messages if isinstance(messages, list) else [],
            system=body.get("system"),
            tools=body.get("tools"),
        ),
        output_tokens=max_tokens if isinstance(max_tokens, int) else 0,
    )


def usage_of(result: object) -> Usage | None:
    """The usage of a call's result: a ``Message`` (also a stream's, partial or not), or a
    raw response's body."""
    if isinstance(result, Message):
        return result.usage
    http_response = getattr(result, "http_response", None)
    if isinstance(http_response, httpx.Response):
        try:
            return Message.model_validate_json(http_response.content).usage
        except ValueError:
            return None
    return None


__all__ = ["RateLimiter", "request_cost", "usage_of"]
