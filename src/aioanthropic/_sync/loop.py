"""``LoopThread``: one client's event loop, on its own thread, and the one way to call into it.

How this works
--------------
``anyio.from_thread.start_blocking_portal`` starts an event loop on a new daemon thread and
returns a portal to it. ``call(func, *args)`` runs ``func`` (sync or async) as a task on that
loop and blocks the calling thread until it finishes, returning its result or raising its
exception. Any number of threads may call at once; their calls run concurrently on the loop.

Interrupting a blocking call (``KeyboardInterrupt`` from Ctrl-C, or any exception raised in the
waiting thread) cancels the task, waits up to ``_CANCEL_GRACE`` seconds for its cleanup (an
open response is closed, so its connection goes back to the pool) and re-raises. A call made
from the loop's own thread would wait for itself forever, so it raises ``RuntimeError`` at once.
Because the loop is this client's own, it works where another loop already runs in the calling
thread (Jupyter, an ``async def`` calling a sync library).

The sync wrappers build on two pieces here: ``LoopThread.next_item`` (``next()`` of an async
iterator, through the loop) and ``ClosesThroughLoop`` (``close()`` and ``with`` for an
object whose close is async).
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from anyio.from_thread import BlockingPortal, start_blocking_portal

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T")

# How long an interrupted call waits for its task to finish cleaning up (closing a response is
# itself bounded by 5 s in _http/closing.py).
_CANCEL_GRACE = 10.0


async def anext_or_none(iterator: AsyncIterator[T]) -> T | None:
    """The iterator's next item, or None at its end (for iterators that never yield None):
    returning is the one way out of ``LoopThread.call`` besides an exception, and
    ``StopAsyncIteration`` is not one to raise across threads."""
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return None


class LoopThread:
    """An event loop on a daemon thread, for one client (and the copies sharing its pool)."""

    def __init__(self, backend: str = "asyncio") -> None:
        self._cm: AbstractContextManager[BlockingPortal] = start_blocking_portal(
            backend, name="aioanthropic-sync-loop"
        )
        self._portal = self._cm.__enter__()
        self._thread_id = self._portal.call(threading.get_ident)
        self._closed = False
        self._lock = threading.Lock()

    @property
    def portal(self) -> BlockingPortal:
        return self._portal

    @property
    def closed(self) -> bool:
        return self._closed

    def in_loop_thread(self) -> bool:
        return threading.get_ident() == self._thread_id

    @overload
    def call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T: ...

    @overload
    def call(self, func: Callable[..., T], *args: Any) -> T: ...

    def call(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run ``func(*args)`` on the loop and wait for it (see the module docstring).

        Raises ``RuntimeError`` when called from the loop's own thread or after ``close()``.
        """
        if self.in_loop_thread():
            raise RuntimeError(
                "A synchronous aioanthropic.Client was called from its own event loop thread "
                "(for example from an on_progress callback); that call would wait for itself "
                "forever. Use the AsyncClient there (await client.<method>(...))."
            )
        if self._closed:
            raise RuntimeError("This client has been closed; create a new Client")
        done = threading.Event()

        async def run() -> Any:
            try:
                result = func(*args)
                if isinstance(result, Awaitable):
                    return await result
                return result
            finally:
                done.set()

        future: concurrent.futures.Future[Any] = self._portal.start_task_soon(run)
        try:
            return future.result()
        except BaseException:
            if not future.done():
                # Interrupted while waiting (KeyboardInterrupt): cancel the task and let it
                # close what it holds before the interrupt goes on up.
                future.cancel()
                done.wait(_CANCEL_GRACE)
            raise

    def next_item(self, iterator: AsyncIterator[T]) -> T:
        """``next()`` for an async iterator that never yields None: one ``__anext__``, run on
        the loop; raises ``StopIteration`` at its end, and what ``__anext__`` raises."""
        item: T | None = self.call(anext_or_none, iterator)
        if item is None:
            raise StopIteration
        return item

    def close(self) -> None:
        """Stop the loop and join its thread; safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.in_loop_thread():
            # Only the garbage collector can get here; the daemon thread ends with the process.
            return
        self._cm.__exit__(None, None, None)


class ClosesThroughLoop:
    """Base of the sync objects over an async one that needs an async close (a stream, batch
    results, a tool runner): ``close()`` runs that close on the client's loop thread, and
    ``with obj:`` returns ``obj`` and calls ``close()`` at the end of the block.

    A subclass sets ``_loop`` and defines ``_aclose`` (what to await there), or overrides
    ``close`` (``Client``: through its finalizer). Once the loop has stopped (the client was
    closed) ``close()`` does nothing, there being no loop left to run it on. Called from the
    loop's own thread it raises ``RuntimeError`` (see ``LoopThread.call``).
    """

    _loop: LoopThread

    def _aclose(self) -> Awaitable[None]:
        """The async close, run on the loop thread."""
        raise NotImplementedError

    def close(self) -> None:
        """Close what this object holds, on the client's loop; safe to call more than once."""
        if not self._loop.closed:
            self._loop.call(self._aclose)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
