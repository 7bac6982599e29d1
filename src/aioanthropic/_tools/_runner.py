"""``client.messages.tool_runner(...)``: the tool-use loop, with the tools of a turn run at once.

How this works
--------------
Each ``__anext__`` is one step of a small state machine driven by the caller's ``async for``
(no background task): first it settles the previous turn (reads the rest of a yielded stream;
runs the tools the model asked for, or continues a ``pause_turn``), then it sends the next
request and hands out the reply. The tools of one turn run in an anyio task group under a
``CapacityLimiter`` of ``max_concurrency``; their results go back in the model's order, in one
user turn. A tool that raises, times out, is unknown or gets invalid input becomes an
``is_error`` tool_result that says what went wrong, so the model can correct itself.

``runner.messages`` is the conversation, appended to as it goes: the caller may read it and
append to it between steps. If the caller answered the tool calls itself (the last message is
no longer the model's), the runner sends the conversation as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

import anyio
import anyio.abc

from aioanthropic._http.stream import MessageStream
from aioanthropic._protocol.exceptions import ToolInputError
from aioanthropic._protocol.responses import Message
from aioanthropic._structured._parse import MessagesAPI
from aioanthropic.types import MessageParam, ToolResultBlockParam, ToolUseBlock

from ._function import FunctionTool, ToolResultContent

__all__ = ["ToolRunner"]

TurnT = TypeVar("TurnT", bound="Message | MessageStream")


class ToolRunner(Generic[TurnT]):
    """Runs the tool-use loop; made by ``client.messages.tool_runner(...)``.

    ``async for message in runner`` yields each assistant ``Message`` (a ``MessageStream`` per
    turn with ``stream=True``: iterate it, or leave it and the runner reads it to its end);
    ``await runner.until_done()`` returns the last message. The loop stops after a turn without
    tool calls or after ``max_iterations`` requests: then the last message is returned as it is,
    and its ``stop_reason`` (``"tool_use"``) tells the caller that the limit cut it short.
    ``pause_turn`` is continued by sending the conversation back.

    Leaving ``async with runner`` (or ``await runner.aclose()``) closes an open stream;
    cancelling the task cancels the running tools.
    """

    def __init__(
        self,
        api: MessagesAPI,
        *,
        tools: Iterable[object],
        params: Mapping[str, Any],
        stream: bool,
        max_iterations: int = 10,
        max_concurrency: int = 8,
        tool_timeout: float | None = None,
        raise_on_tool_error: bool = False,
    ) -> None:
        if max_iterations < 1:
            raise ValueError(f"max_iterations must be at least 1, got {max_iterations}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if tool_timeout is not None and tool_timeout <= 0:
            raise ValueError("tool_timeout must be a positive number of seconds or None")
        params = dict(params)
        self.messages: list[MessageParam] = list(params.pop("messages", ()))
        if "stream" in params:
            raise TypeError("pass stream=True to tool_runner itself")
        self._params = params
        self._tools = list(tools)
        self._runnable = {t.name: t for t in self._tools if isinstance(t, FunctionTool)}
        self._api = api
        self._stream_mode = stream
        self.max_iterations = max_iterations
        self.max_concurrency = max_concurrency
        self.tool_timeout = tool_timeout
        self.raise_on_tool_error = raise_on_tool_error
        self.iterations = 0
        self._last: Message | None = None
        self._last_param: MessageParam | None = None
        self._stream: MessageStream | None = None
        self._done = False

    @property
    def last_message(self) -> Message | None:
        """The latest complete assistant message, or None before the first one."""
        return self._last

    # --- iteration -------------------------------------------------------------------------

    def __aiter__(self) -> ToolRunner[TurnT]:
        return self

    async def __anext__(self) -> TurnT:
        if self._stream is not None:
            await self._finish_stream()
        if self._done:
            raise StopAsyncIteration
        # At the limit the last reply's tool calls are not run: no request would carry them.
        if self.iterations >= self.max_iterations or (
            self._last is not None and not await self._settle_turn()
        ):
            self._done = True
            raise StopAsyncIteration
        self.iterations += 1
        params: dict[str, Any] = {**self._params, "messages": self.messages}
        if self._tools:
            params["tools"] = self._tools
        if self._stream_mode:
            stream: MessageStream = await self._api.create(stream=True, **params)
            self._stream = stream
            return cast("TurnT", stream)
        message: Message = await self._api.create(**params)
        self._record(message)
        return cast("TurnT", message)

    async def until_done(self) -> Message:
        """Run the loop to its end and return the last assistant message."""
        async for _ in self:
            pass
        if self._last is None:  # pragma: no cover - max_iterations >= 1 sends a request
            raise RuntimeError("the runner sent no request")
        return self._last

    async def aclose(self) -> None:
        """Stop the loop and close an open stream; safe to call more than once."""
        self._done = True
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.close()

    async def __aenter__(self) -> ToolRunner[TurnT]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- one turn --------------------------------------------------------------------------

    async def _finish_stream(self) -> None:
        stream = self._stream
        assert stream is not None
        try:
            message = await stream.get_final_message()
        finally:
            self._stream = None
            await stream.close()
        self._record(message)

    def _record(self, message: Message) -> None:
        self._last = message
        self._last_param = {"role": "assistant", "content": message.content}
        self.messages.append(self._last_param)

    async def _settle_turn(self) -> bool:
        """Prepare the next request after the last reply; False when the loop is over."""
        last = self._last
        assert last is not None
        if self.messages and self.messages[-1] is not self._last_param:
            return True  # the caller answered or added a turn: send what they built
        if last.stop_reason == "pause_turn":
            return True  # the API asks for the conversation back as it is, to continue
        calls = [block for block in last.content if isinstance(block, ToolUseBlock)]
        if not calls:
            return False
        results = await self.run_tools(calls)
        self.messages.append({"role": "user", "content": results})
        return True

    async def run_tools(self, calls: Sequence[ToolUseBlock]) -> list[ToolResultBlockParam]:
        """Run these tool calls at once (at most ``max_concurrency`` together) and return
        their tool_result blocks in the same order."""
        results: list[ToolResultBlockParam | None] = [None] * len(calls)
        failures: list[BaseException] = []
        limiter = anyio.CapacityLimiter(self.max_concurrency)
        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(self._run_one, index, call, limiter, results, failures, group)
        if failures:
            raise failures[0]
        return [result for result in results if result is not None]

    async def _run_one(
        self,
        index: int,
        call: ToolUseBlock,
        limiter: anyio.CapacityLimiter,
        results: list[ToolResultBlockParam | None],
        failures: list[BaseException],
        group: anyio.abc.TaskGroup,
    ) -> None:
        tool = self._runnable.get(call.name)
        if tool is None:  # always an error result: the model can pick another tool
            known = ", ".join(sorted(self._runnable)) or "none"
            text = f"Unknown tool {call.name!r}; the tools you can call: {known}"
            results[index] = _error_result(call, text)
            return
        async with limiter:
            try:
                content = await self._invoke(tool, call)
            except ToolInputError as error:  # the model's mistake: it always gets to retry
                results[index] = _error_result(call, str(error))
                return
            except Exception as error:
                if self.raise_on_tool_error:
                    failures.append(error)
                    group.cancel_scope.cancel()
                    return
                results[index] = _error_result(call, _describe(error))
                return
        results[index] = cast(
            "ToolResultBlockParam",
            {"type": "tool_result", "tool_use_id": call.id, "content": content},
        )

    async def _invoke(self, tool: FunctionTool[Any], call: ToolUseBlock) -> ToolResultContent:
        if self.tool_timeout is None:
            return await tool.invoke(call.input)
        with anyio.move_on_after(self.tool_timeout) as scope:
            return await tool.invoke(call.input)
        if scope.cancelled_caught:
            raise TimeoutError(
                f"tool {call.name!r} did not finish within tool_timeout={self.tool_timeout:g}s"
            )
        raise AssertionError("unreachable")  # pragma: no cover


def _error_result(call: ToolUseBlock, text: str) -> ToolResultBlockParam:
    return {"type": "tool_result", "tool_use_id": call.id, "content": text, "is_error": True}


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
