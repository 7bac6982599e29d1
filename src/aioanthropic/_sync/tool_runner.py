"""``SyncToolRunner``: the async ``ToolRunner`` for the sync ``Client``, stepped on its loop.

How this works
--------------
The loop (send, run the turn's tools at once, send the results back, stop at a turn without
tool calls or at ``max_iterations``) lives only in ``ToolRunner``. This class holds one and
the client's ``LoopThread``: each ``next(runner)`` is one ``ToolRunner.__anext__`` run on the
loop thread (``LoopThread.next_item``), so the tools of a turn run concurrently there exactly as
with the ``AsyncClient`` (async tools as tasks, sync tools in anyio worker threads), and
Ctrl-C during a step cancels that step's request and tools. With ``stream=True`` each turn's
``MessageStream`` is handed out wrapped in a ``SyncMessageStream`` over the same loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from typing import Any, Generic, TypeVar

from aioanthropic._http.stream import MessageStream
from aioanthropic._tools._runner import ToolRunner
from aioanthropic.types import Message, MessageParam

from .loop import ClosesThroughLoop, LoopThread
from .wrappers import SyncMessageStream

__all__ = ["SyncToolRunner"]

TurnT = TypeVar("TurnT")


class SyncToolRunner(ClosesThroughLoop, Generic[TurnT]):
    """The tool-use loop for the sync client; made by ``client.messages.tool_runner(...)``.

    ``for message in runner`` yields each assistant ``Message`` (with ``stream=True`` a
    ``SyncMessageStream`` of the raw events per turn: iterate it, or leave it and the runner
    reads it to its end before the next step); ``runner.until_done()`` runs the loop to its end
    and returns the last ``Message``; ``runner.messages`` is the conversation so far (read it
    or append to it between steps). The rules, the limits and the errors are ``ToolRunner``'s
    (see there): a failing tool becomes an ``is_error`` tool_result, or with
    ``raise_on_tool_error=True`` its exception is raised here; API errors are raised as the
    same typed errors (``aioanthropic.APIStatusError`` and its subclasses, ...).

    Nothing is sent before the first step. Breaking out of the ``for`` loop leaves the runner
    where it was (iterating again continues it); ``with runner:`` or ``close()`` ends it and
    closes a stream left open.
    """

    def __init__(self, loop: LoopThread, runner: ToolRunner[Any]) -> None:
        self._loop = loop
        self.runner = runner
        """The async ``ToolRunner`` underneath (its state is this object's state; drive it
        only through this object, or on the client's loop thread)."""

    # --- state (read between steps, when the loop is not touching the runner) ------------------

    @property
    def messages(self) -> list[MessageParam]:
        """The conversation: the request's ``messages``, then each assistant turn and each user
        turn of tool results, in order."""
        return self.runner.messages

    @property
    def last_message(self) -> Message | None:
        """The latest complete assistant message, or None before the first one."""
        return self.runner.last_message

    @property
    def iterations(self) -> int:
        """How many requests the runner has sent."""
        return self.runner.iterations

    # --- iteration -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[TurnT]:
        return self

    def __next__(self) -> TurnT:
        turn = self._loop.next_item(self.runner)
        if isinstance(turn, MessageStream):
            return SyncMessageStream(self._loop, turn)  # type: ignore[return-value]
        return turn  # type: ignore[no-any-return]

    def until_done(self) -> Message:
        """Run the loop to its end (from wherever it is) and return the last assistant
        message. Raises what a step raises (see the class docstring)."""
        return self._loop.call(self.runner.until_done)

    # --- lifetime --------------------------------------------------------------------------

    def _aclose(self) -> Awaitable[None]:
        # close(): end the loop and close a stream left open.
        return self.runner.aclose()

    def __repr__(self) -> str:
        return (
            f"<SyncToolRunner iterations={self.iterations} "
            f"max_iterations={self.runner.max_iterations} messages={len(self.messages)}>"
        )
