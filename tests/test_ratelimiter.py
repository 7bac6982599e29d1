"""RateLimiter: waiting in arrival order on a fake clock, and pacing real calls to the fake
server (asyncio and trio). No test sleeps for real: the limiter's clock and sleep are a
``FakeClock`` that jumps to the next sleeper's deadline once every task is blocked."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

import anyio
import pytest

from aioanthropic import AsyncClient, RateLimiter, RateLimitWaitError
from aioanthropic._protocol.budgets import Cost
from aioanthropic.testing import FakeServer, Fault, RateLimits
from aioanthropic.types import MessageParam

pytestmark = pytest.mark.anyio


class FakeClock:
    """A clock that moves only when ``advance`` is called; ``sleep`` waits for it."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        entry = (self.now + seconds, next(self._seq), anyio.Event())
        heapq.heappush(self._sleepers, entry)
        try:
            await entry[2].wait()
        finally:
            if entry in self._sleepers:  # cancelled before its time
                self._sleepers.remove(entry)
                heapq.heapify(self._sleepers)

    def advance(self) -> bool:
        """Jump to the earliest deadline and wake everyone due; False if nobody sleeps."""
        if not self._sleepers:
            return False
        self.now = max(self.now, self._sleepers[0][0])
        while self._sleepers and self._sleepers[0][0] <= self.now:
            heapq.heappop(self._sleepers)[2].set()
        return True


async def drive(clock: FakeClock, done: Callable[[], bool]) -> None:
    """Advance the clock whenever every task is blocked, until ``done()``."""
    while not done():
        await anyio.wait_all_tasks_blocked()
        if done():
            return
        if not clock.advance():
            raise AssertionError("every task is blocked and nobody sleeps: a deadlock")


def limiter(clock: FakeClock, **limits: int | float | None) -> RateLimiter:
    return RateLimiter(**limits, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


IN_FLIGHT_AT_ADMISSION: list[int] = []


async def run_calls(
    lim: RateLimiter, clock: FakeClock, costs: list[Cost], hold: float = 0.0
) -> list[tuple[int, float]]:
    """Start one task per cost (in list order, one scheduling step apart) that acquires,
    records (index, admission time), holds its slot ``hold`` seconds and releases."""
    admitted: list[tuple[int, float]] = []
    finished = 0
    IN_FLIGHT_AT_ADMISSION.clear()

    async def call(index: int, cost: Cost) -> None:
        nonlocal finished
        await lim._acquire(cost)
        admitted.append((index, clock.now))
        IN_FLIGHT_AT_ADMISSION.append(lim.in_flight)
        if hold:
            await clock.sleep(hold)
        lim._release(cost, cost, None)
        finished += 1

    async with anyio.create_task_group() as group:
        for index, cost in enumerate(costs):
            group.start_soon(call, index, cost)
            await anyio.wait_all_tasks_blocked()  # arrival order is list order
        await drive(clock, lambda: finished == len(costs))
    return admitted


async def test_requests_per_minute_admits_the_bucket_then_one_per_interval() -> None:
    clock = FakeClock()
    lim = limiter(clock, requests_per_minute=10)
    admitted = await run_calls(lim, clock, [Cost()] * 25)
    times = [t for _, t in admitted]
    assert times[:10] == [0.0] * 10
    assert times[10:] == pytest.approx([6.0 * k for k in range(1, 16)])
    # Within any 60 s window, at most 10 (the bucket) + 10 (the refill) are admitted.
    for start in times:
        assert sum(start <= t < start + 60 for t in times) <= 20


async def test_waiters_are_served_in_arrival_order_a_big_call_is_not_overtaken() -> None:
    clock = FakeClock()
    lim = limiter(clock, input_tokens_per_minute=6000)
    costs = [Cost(input_tokens=5000), Cost(input_tokens=4000)] + [Cost(input_tokens=100)] * 5
    admitted = await run_calls(lim, clock, costs)
    assert [index for index, _ in admitted] == list(range(7))
    # The 4000-token call needs 3000 more at 100/s; the small ones come after it, not before.
    assert admitted[1][1] == pytest.approx(30.0)
    assert all(t >= 30.0 for _, t in admitted[2:])


async def test_max_concurrency_bounds_calls_in_flight() -> None:
    clock = FakeClock()
    lim = limiter(clock, max_concurrency=2)
    admitted = await run_calls(lim, clock, [Cost()] * 6, hold=10.0)
    assert [t for _, t in admitted] == [0.0, 0.0, 10.0, 10.0, 20.0, 20.0]
    assert max(in_flight for in_flight in IN_FLIGHT_AT_ADMISSION) == 2
    assert lim.in_flight == 0


async def test_max_wait_raises_at_once_when_the_needed_wait_is_known_to_be_longer() -> None:
    clock = FakeClock()
    lim = limiter(clock, requests_per_minute=1, max_wait=30.0)
    await lim._acquire(Cost())
    with pytest.raises(RateLimitWaitError) as caught:
        await lim._acquire(Cost())
    assert clock.now == 0.0  # it did not wait the 30 s first
    assert caught.value.budget == "requests"
    assert caught.value.wait == pytest.approx(60.0)
    assert isinstance(caught.value, TimeoutError)
    assert "max_wait=30s" in str(caught.value)
    assert lim.waiting == 0


async def test_max_wait_bounds_a_wait_behind_other_calls() -> None:
    clock = FakeClock()
    lim = limiter(clock, max_concurrency=1, max_wait=5.0)
    outcomes: list[str] = []

    async def call(name: str, hold: float) -> None:
        try:
            await lim._acquire(Cost())
        except RateLimitWaitError as error:
            outcomes.append(f"{name}: {error.budget} at {clock.now:g}")
            return
        outcomes.append(f"{name}: in at {clock.now:g}")
        await clock.sleep(hold)
        lim._release(Cost(), Cost(), None)

    async with anyio.create_task_group() as group:
        group.start_soon(call, "first", 60.0)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(call, "second", 0.0)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(call, "third", 0.0)
        await drive(clock, lambda: len(outcomes) == 3 and lim.in_flight == 0)
    # Both give up when their own 5 s run out; the third waited behind the second (in the
    # queue) and, once it was the head, for the slot.
    # (Both wake at the same instant, so the order of their outcomes is the scheduler's.)
    first, second, third = outcomes[0], *sorted(outcomes[1:])
    assert first == "first: in at 0"
    assert second == "second: concurrency at 5"
    assert third in ("third: queue at 5", "third: concurrency at 5")


async def test_a_cancelled_waiter_leaves_the_queue_and_the_next_one_proceeds() -> None:
    clock = FakeClock()
    lim = limiter(clock, requests_per_minute=1)
    await lim._acquire(Cost())
    admitted: list[str] = []

    async def call(name: str) -> None:
        await lim._acquire(Cost())
        admitted.append(name)

    first_scope = anyio.CancelScope()

    async def cancelled_call() -> None:
        with first_scope:
            await call("never")

    async with anyio.create_task_group() as group:
        group.start_soon(cancelled_call)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(call, "second")
        await anyio.wait_all_tasks_blocked()
        assert lim.waiting == 2
        # Cancel the head of the queue: the second becomes head.
        first_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        await drive(clock, lambda: bool(admitted))
    assert admitted == ["second"]
    assert clock.now == pytest.approx(60.0)
    assert lim.waiting == 0


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(requests_per_minute=0)
    with pytest.raises(ValueError, match="max_concurrency"):
        RateLimiter(max_concurrency=0)
    with pytest.raises(ValueError, match="max_wait"):
        RateLimiter(max_wait=-1)


# --- pacing real calls over loopback HTTP ---------------------------------------------------

HELLO: list[MessageParam] = [{"role": "user", "content": "Hello there"}]


async def test_calls_reserve_then_settle_against_real_usage() -> None:
    clock = FakeClock()
    lim = limiter(clock, input_tokens_per_minute=100_000, output_tokens_per_minute=100_000)
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", rate_limiter=lim) as client,
    ):
        message = await client.messages.create(model="m", max_tokens=4000, messages=HELLO)
    buckets = lim._state().buckets
    # The clock never moved, so the levels show exactly what was kept: the real usage.
    assert buckets["output_tokens"].level == 100_000 - message.usage.output_tokens
    assert buckets["input_tokens"].level == 100_000 - message.usage.input_tokens
    assert lim.in_flight == 0


async def test_a_stream_holds_its_slot_until_it_is_closed() -> None:
    clock = FakeClock()
    lim = limiter(clock, max_concurrency=1, output_tokens_per_minute=100_000)
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", rate_limiter=lim) as client,
    ):
        async with client.messages.stream(model="m", max_tokens=500, messages=HELLO) as stream:
            assert lim.in_flight == 1
            reserved = lim._state().buckets["output_tokens"].level
            assert reserved == 100_000 - 500
            message = await stream.get_final_message()
        assert lim.in_flight == 0
        assert lim._state().buckets["output_tokens"].level == 100_000 - message.usage.output_tokens


async def test_headers_showing_a_spent_budget_hold_the_next_call_back() -> None:
    clock = FakeClock()
    lim = limiter(clock)
    # The server allows 2 requests a minute; the client was told nothing of it.
    async with (
        FakeServer(rate_limits=RateLimits(requests=2)) as server,
        AsyncClient(base_url=server.url, api_key="k", rate_limiter=lim, max_retries=0) as client,
    ):
        for _ in range(2):
            await client.messages.create(model="m", max_tokens=10, messages=HELLO)
        # The headers of the second response said requests-remaining 0: the limiter waits
        # for the reset instead of sending a request that would get a 429.
        assert lim._state().delay(Cost(), clock.now)[1] == "requests"
        sent_before = len(server.requests)

        done = False

        async def third() -> None:
            nonlocal done
            await client.messages.create(model="m", max_tokens=10, messages=HELLO)
            done = True

        async with anyio.create_task_group() as group:
            group.start_soon(third)
            await anyio.wait_all_tasks_blocked()
            assert len(server.requests) == sent_before  # held back, not sent
            assert lim.waiting == 1
            group.cancel_scope.cancel()
    assert not done


async def test_a_429_without_rate_limit_headers_pauses_requests_for_retry_after() -> None:
    clock = FakeClock()
    lim = limiter(clock)
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", rate_limiter=lim, max_retries=0) as client,
    ):
        server.enqueue(Fault(status=429, retry_after=42))
        with pytest.raises(Exception, match="rate limit"):
            await client.messages.create(model="m", max_tokens=10, messages=HELLO)
        wait, reason = lim._state().delay(Cost(), clock.now)
    assert reason == "requests"
    assert wait == pytest.approx(42.0)


async def test_one_limiter_serves_two_clients() -> None:
    clock = FakeClock()
    lim = limiter(clock, requests_per_minute=3, max_wait=1.0)
    async with FakeServer() as server:
        async with AsyncClient(base_url=server.url, api_key="a", rate_limiter=lim) as one:
            async with AsyncClient(base_url=server.url, api_key="b", rate_limiter=lim) as two:
                for client in (one, two, one):
                    await client.messages.create(model="m", max_tokens=5, messages=HELLO)
                with pytest.raises(RateLimitWaitError):
                    await two.messages.create(model="m", max_tokens=5, messages=HELLO)
        assert len(server.requests) == 3  # the refused call was never sent


async def test_other_endpoints_are_not_paced() -> None:
    clock = FakeClock()
    lim = limiter(clock, requests_per_minute=1, max_wait=0)
    async with (
        FakeServer() as server,
        AsyncClient(base_url=server.url, api_key="k", rate_limiter=lim) as client,
    ):
        await client.messages.create(model="m", max_tokens=5, messages=HELLO)
        for _ in range(3):
            await client.messages.count_tokens(model="m", messages=HELLO)
        with pytest.raises(RateLimitWaitError):
            await client.messages.create(model="m", max_tokens=5, messages=HELLO)
