"""Closing a response so that a cancelled caller still gives its connection back, and
waiting for the rest of a body for a bounded time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

import anyio
import httpx

T = TypeVar("T")

_CLOSE_GRACE = 5.0


async def close_shielded(
    response: httpx.Response, chunks: AsyncIterator[bytes] | None = None
) -> None:
    """Close ``response`` (and its body iterator), shielded from cancellation and bounded by
    ``_CLOSE_GRACE`` seconds so that a stuck close cannot hang the caller's cancellation.

    The body iterator is an async generator: closing it here, not at garbage collection, keeps
    its cleanup on this task.
    """
    if response.is_closed and getattr(chunks, "ag_frame", None) is None:
        # Read to the end: httpx closed the response itself and the generator has finished,
        # so there is nothing to await. Skipping the two cancel scopes saved ~15 us of the
        # ~450 us a one-delta request costs (benchmarks, fixed cost per request).
        return
    with anyio.CancelScope(shield=True), anyio.move_on_after(_CLOSE_GRACE):
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
        await response.aclose()


async def within_grace(awaitable: Awaitable[T], seconds: float) -> T | None:
    """The awaitable's result, or None when it had to wait and ``seconds`` passed first (the
    wait is then cancelled; a cancellation from outside still propagates).

    The deadline is armed only once the awaitable suspends. An awaitable that finishes
    without waiting (a body whose end has already arrived, the usual case after
    ``message_stop``) then costs no timer: with ``anyio.move_on_after`` around every drain,
    the cancel scope and its timer were ~10% of a one-delta streamed request (benchmarks,
    "fixed"; an A/B run in one process). The scope is anyio's, entered without a deadline
    and given one late, so its cancellation keeps anyio's rules: it waits for a shielded
    scope inside the awaitable to end (httpcore shields its connection cleanup) and
    restores asyncio's cancel count. On asyncio a raw ``loop.call_at`` + ``task.cancel()``
    saved ~6 us more per call (A/B in one process) but cut shielded waits short. On trio,
    trio's own scope keeps the same rules at about half the cost of anyio's wrapper.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: anyio's other backend is trio
        return await _within_grace_trio(awaitable, seconds)
    with anyio.CancelScope() as scope:

        def arm() -> None:
            scope.deadline = anyio.current_time() + seconds

        return await _ArmOnWait(awaitable, arm)
    return None


async def _within_grace_trio(awaitable: Awaitable[T], seconds: float) -> T | None:
    import trio

    with trio.CancelScope() as scope:

        def arm() -> None:
            scope.deadline = trio.current_time() + seconds

        return await _ArmOnWait(awaitable, arm)
    return None


class _ArmOnWait(Generic[T]):
    """Awaits ``awaitable`` and calls ``arm()`` the first time it suspends.

    The first step is taken here; after it, every value the event loop sends or throws is
    passed through unchanged, as ``yield from`` does. No cancel scope is entered or left
    in here (the caller's scope encloses all of it, so scopes the awaitable enters nest
    inside it, as anyio and trio require)."""

    __slots__ = ("_arm", "_awaitable")

    def __init__(self, awaitable: Awaitable[T], arm: Callable[[], None]) -> None:
        self._awaitable = awaitable
        self._arm = arm

    def __await__(self) -> Generator[Any, Any, T]:
        steps = self._awaitable.__await__()
        try:
            request = steps.send(None)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        self._arm()
        while True:
            try:
                reply = yield request
            except GeneratorExit:
                steps.close()
                raise
            except BaseException as error:  # a cancellation, thrown in by the event loop
                try:
                    request = steps.throw(error)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
            else:
                try:
                    request = steps.send(reply)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
