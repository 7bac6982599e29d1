"""``within_grace``: the bounded wait MessageStream drains a body with after message_stop.

It arms its deadline only when the awaitable suspends, stepping the awaitable itself, so
these tests run it on both backends against the awaitables it meets: ones that finish at
once, ones that wait, ones that enter their own cancel scope before waiting (as httpcore's
reads do), and outside cancellation."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import anyio
import pytest

from aioanthropic._http.closing import within_grace

pytestmark = pytest.mark.anyio


def on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def at_once() -> str:
    return "done"


async def after(seconds: float) -> str:
    await anyio.sleep(seconds)
    return "done"


async def in_own_scope_then_wait() -> str:
    # httpcore enters anyio.fail_after around each network read, then waits inside it.
    with anyio.fail_after(30):
        await anyio.sleep(0.01)
    return "done"


async def test_an_awaitable_that_needs_no_wait_gives_its_result() -> None:
    assert await within_grace(at_once(), 0.001) == "done"


async def test_an_awaitable_that_waits_less_than_the_grace_gives_its_result() -> None:
    with anyio.fail_after(10):
        assert await within_grace(after(0.01), 30) == "done"


async def test_scopes_the_awaitable_enters_before_waiting_nest_inside() -> None:
    with anyio.fail_after(10):
        assert await within_grace(in_own_scope_then_wait(), 30) == "done"


async def test_a_wait_longer_than_the_grace_is_cancelled_and_gives_none() -> None:
    cleaned_up = []

    async def forever() -> str:
        try:
            await anyio.sleep_forever()
        finally:
            cleaned_up.append(True)
        return "never"

    with anyio.fail_after(10):
        assert await within_grace(forever(), 0.05) is None
        assert cleaned_up == [True]
        # The expired deadline leaves no cancellation behind in this task: on asyncio its
        # cancel count is back where it was (asyncio.timeout and TaskGroup compare it).
        if on_asyncio() and sys.version_info >= (3, 11):
            task = asyncio.current_task()
            assert task is not None
            assert task.cancelling() == 0
        await anyio.sleep(0.01)
        assert await within_grace(after(0.01), 30) == "done"


async def test_a_cancellation_from_outside_still_propagates() -> None:
    reached_after = []
    with anyio.fail_after(10):
        with anyio.move_on_after(0.05) as outer:
            await within_grace(anyio.sleep_forever(), 30)
            reached_after.append(True)
        assert outer.cancelled_caught
        assert reached_after == []
        await anyio.sleep(0.01)  # and nothing is left pending


async def test_errors_pass_through_whether_or_not_it_waited() -> None:
    async def fails_at_once() -> None:
        raise ValueError("at once")

    async def fails_later() -> None:
        await anyio.sleep(0.01)
        raise ValueError("later")

    with pytest.raises(ValueError, match="at once"):
        await within_grace(fails_at_once(), 30)
    with anyio.fail_after(10), pytest.raises(ValueError, match="later"):
        await within_grace(fails_later(), 30)


async def test_the_end_of_an_async_generator_is_stop_async_iteration() -> None:
    # MessageStream drains with anext(); the body's end must reach it unchanged.
    async def body() -> AsyncIterator[bytes]:
        yield b"x"
        await anyio.sleep(0.01)

    chunks = body()
    assert await within_grace(anext(chunks), 30) == b"x"
    with anyio.fail_after(10), pytest.raises(StopAsyncIteration):
        await within_grace(anext(chunks), 30)


def cancel_requests() -> int:
    """Cancellations requested on this task and not yet taken back (asyncio 3.11+; else 0)."""
    if on_asyncio() and sys.version_info >= (3, 11):
        task = asyncio.current_task()
        assert task is not None
        return task.cancelling()
    return 0


# Offsets of an outside deadline from the grace's: before it, in the same loop iteration
# (about 0), and after it. Which one wins may vary; neither may be lost.
OFFSETS = [step * 0.001 for step in range(-5, 6)]


@pytest.mark.parametrize("offset", OFFSETS)
async def test_an_outside_deadline_at_about_the_grace_is_never_lost(offset: float) -> None:
    with anyio.fail_after(10):
        with anyio.move_on_after(0.02 + offset) as outer:
            await within_grace(anyio.sleep_forever(), 0.02)
            # Had the grace won, the outside scope's cancellation must still arrive here.
            await anyio.sleep_forever()
        assert outer.cancelled_caught
        assert cancel_requests() == 0
        await anyio.sleep(0.002)  # and nothing is left pending


@pytest.mark.parametrize("offset", OFFSETS)
async def test_an_asyncio_timeout_around_it_at_about_the_grace_still_fires(
    offset: float, anyio_backend: str
) -> None:
    if anyio_backend != "asyncio" or sys.version_info < (3, 11):
        pytest.skip("asyncio.timeout is asyncio 3.11+")

    async def grace_inside_timeout() -> None:
        async with asyncio.timeout(0.02 + offset):
            await within_grace(anyio.sleep_forever(), 0.02)
            await anyio.sleep_forever()

    with anyio.fail_after(10):
        # asyncio.timeout fires once and tells its cancellation by the task's cancel count.
        with pytest.raises(TimeoutError):
            await grace_inside_timeout()
        assert cancel_requests() == 0
        await anyio.sleep(0.002)


@pytest.mark.parametrize("offset", OFFSETS)
async def test_an_awaitable_ending_at_about_the_grace_leaves_no_cancellation(
    offset: float,
) -> None:
    with anyio.fail_after(10):
        assert await within_grace(after(0.02 + offset), 0.02) in ("done", None)
        assert cancel_requests() == 0
        await anyio.sleep(0.002)


async def test_an_awaitable_that_swallows_the_cancellation_gives_its_value() -> None:
    async def swallows() -> str:
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            return "caught"
        return "never"

    with anyio.fail_after(10):
        assert await within_grace(swallows(), 0.02) == "caught"
        assert cancel_requests() == 0
        await anyio.sleep(0.002)


async def test_a_task_group_inside_is_cancelled_with_its_children() -> None:
    children_cancelled = []

    async def child() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            children_cancelled.append(True)

    async def with_children() -> str:
        async with anyio.create_task_group() as group:
            group.start_soon(child)
            group.start_soon(child)
            await anyio.sleep_forever()
        return "never"

    with anyio.fail_after(10):
        assert await within_grace(with_children(), 0.02) is None
        assert children_cancelled == [True, True]
        assert cancel_requests() == 0
        await anyio.sleep(0.002)


async def test_tasks_in_a_group_each_keep_their_own_grace() -> None:
    results: list[str | None] = []

    async def waits_twice() -> None:
        results.append(await within_grace(anyio.sleep_forever(), 0.02))
        results.append(await within_grace(after(0.01), 30))
        assert cancel_requests() == 0

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(waits_twice)
    assert (results.count(None), results.count("done")) == (3, 3)


async def test_a_shielded_wait_inside_is_not_cut_short() -> None:
    # httpcore shields its connection cleanup, the SDK its closes: an outside deadline
    # (anyio.move_on_after, a trio scope) waits for the shield to end, and so must the grace.
    shield_ended = []

    async def shielded() -> str:
        with anyio.CancelScope(shield=True):
            await anyio.sleep(0.1)
            shield_ended.append(True)
        return "done"

    with anyio.fail_after(10):
        assert await within_grace(shielded(), 0.01) == "done"
    assert shield_ended == [True]
    assert cancel_requests() == 0


async def test_closing_a_half_run_wait_closes_the_awaitable_inside_its_scope() -> None:
    # A coroutine closed while it waits (GeneratorExit, or garbage collection) must close
    # the awaitable first: its own cancel scope is inside the grace's and has to exit first.
    cleaned_up = []

    async def waits_in_own_scope() -> str:
        try:
            with anyio.fail_after(30):
                await anyio.sleep(5)
        finally:
            cleaned_up.append(True)
        return "never"

    wait = within_grace(waits_in_own_scope(), 0.01)
    wait.send(None)  # the awaitable suspends, inside its own scope
    wait.close()
    assert cleaned_up == [True]
    assert cancel_requests() == 0
    with anyio.fail_after(10):
        await anyio.sleep(0.05)  # nothing left armed that would cancel this task


async def test_a_deadline_already_past_still_gives_what_needs_no_wait() -> None:
    # _read_before_idle_deadline passes what is left of idle_timeout, which can be <= 0.
    with anyio.fail_after(10):
        assert await within_grace(at_once(), -1.0) == "done"
        assert await within_grace(after(30), -1.0) is None
        assert await within_grace(after(0.01), 0.0) is None
        assert cancel_requests() == 0
        await anyio.sleep(0.01)
