"""``messages.stream(output_format=...)``: a ``MessageStream`` whose output grows as a value.

``ParsedMessageStream`` wraps the ``MessageStream`` and feeds the output's JSON deltas (text
deltas in native mode, the forced tool's ``input_json`` deltas in tool mode) to a
``PartialJSON`` as the caller pulls events; nothing runs in the background.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, cast

from aioanthropic._http.stream import MessageStream
from aioanthropic._protocol.exceptions import APIStatusError
from aioanthropic._protocol.responses import Message
from aioanthropic.types import (
    ContentBlockDeltaEvent,
    InputJSONDelta,
    MessageStreamEvent,
    TextDelta,
)

from ._parse import (
    MessagesAPI,
    ParsedMessage,
    choose_mode,
    extract,
    native_unsupported,
    request_params,
)
from ._partial import PartialJSON
from ._schema import OutputSpec

__all__ = ["ParsedMessageStream", "ParsedMessageStreamManager"]

T = TypeVar("T")


class ParsedMessageStream(Generic[T]):
    """A streamed reply with structured output.

    Iterate it for the raw events, or ``stream.partial_output()`` for the output so far: plain
    JSON values (dicts, lists, strings...) that grow as deltas arrive, each different from the
    last. They are not validated (required fields are still missing); the final value is:
    ``await stream.get_final_parsed()``, or ``await stream.get_final_message()`` for the
    ``ParsedMessage``. Those raise ``OutputRefusedError``, ``OutputTruncatedError`` or
    ``OutputValidationError`` as ``messages.parse`` does.
    """

    def __init__(
        self, stream: MessageStream, spec: OutputSpec[T], mode: Literal["native", "tool"]
    ) -> None:
        self.stream = stream
        self.mode = mode
        self._spec = spec
        self._partial = PartialJSON()
        self._changed = False
        self._final: ParsedMessage[T] | None = None

    @property
    def request_id(self) -> str | None:
        return self.stream.request_id

    @property
    def current_message(self) -> Message | None:
        return self.stream.current_message

    def __aiter__(self) -> ParsedMessageStream[T]:
        return self

    async def __anext__(self) -> MessageStreamEvent:
        event = await self.stream.__anext__()
        self._changed = self._observe(event)
        return event

    def _observe(self, event: MessageStreamEvent) -> bool:
        if not isinstance(event, ContentBlockDeltaEvent):
            return False
        delta = event.delta
        if self.mode == "native" and isinstance(delta, TextDelta):
            return self._partial.update(delta.text)
        if self.mode == "tool" and isinstance(delta, InputJSONDelta):
            return self._partial.update(delta.partial_json)
        return False

    def partial_output(self) -> _PartialOutput:
        """The output so far, after each delta that changed it (``async for``)."""
        return _PartialOutput(self)

    async def get_final_message(self) -> ParsedMessage[T]:
        """Read the rest of the stream and return the reply with its validated output."""
        if self._final is None:
            async for _ in self:
                pass
            message = await self.stream.get_final_message()
            self._final = extract(self._spec, self.mode, message)
        return self._final

    async def get_final_parsed(self) -> T:
        """Read the rest of the stream and return the validated output."""
        return cast("T", (await self.get_final_message()).parsed_output)

    async def close(self) -> None:
        await self.stream.close()

    async def __aenter__(self) -> ParsedMessageStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class _PartialOutput:
    def __init__(self, parsed: ParsedMessageStream[Any]) -> None:
        self._parsed = parsed
        self._ended = False

    def __aiter__(self) -> _PartialOutput:
        return self

    async def __anext__(self) -> Any:
        parsed = self._parsed
        while not self._ended:
            try:
                await parsed.__anext__()
            except StopAsyncIteration:
                self._ended = True
                if parsed._partial.finish():  # a number or literal ending the text
                    return parsed._partial.value
                break
            if parsed._changed:
                return parsed._partial.value
        raise StopAsyncIteration


class ParsedMessageStreamManager(Generic[T]):
    """What ``messages.stream(output_format=...)`` returns: ``async with`` it."""

    def __init__(
        self,
        api: MessagesAPI,
        *,
        output_format: type[T] | Any,
        mode: str,
        params: Mapping[str, Any],
    ) -> None:
        self._api = api
        self._spec: OutputSpec[T] = OutputSpec(output_format)
        self._mode = mode
        self._first = choose_mode(self._spec, mode)
        self._params = dict(params)
        self._stream: ParsedMessageStream[T] | None = None

    async def __aenter__(self) -> ParsedMessageStream[T]:
        mode = self._first
        try:
            stream = await self._open(mode)
        except APIStatusError as error:
            if not (self._mode == "auto" and mode == "native" and native_unsupported(error)):
                raise
            mode = "tool"
            stream = await self._open(mode)
        self._stream = ParsedMessageStream(stream, self._spec, mode)
        return self._stream

    async def _open(self, mode: Literal["native", "tool"]) -> MessageStream:
        body = request_params(self._spec, mode, self._params)
        stream: MessageStream = await self._api.create(stream=True, **body)
        return stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()
