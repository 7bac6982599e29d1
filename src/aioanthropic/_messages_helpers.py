"""``client.messages`` with the helpers on top: ``parse``, ``stream(output_format=...)`` and
``tool_runner``.

The resource (floor 3) knows nothing of the helpers; this subclass lives on the floor above,
next to the client that builds it, and only delegates to ``_structured`` and ``_tools``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from ._http.stream import MessageStream
from ._protocol.responses import Message
from ._resources.base import ModeT, Parsed, Raw
from ._resources.messages import Messages, MessageStreamManager
from ._structured._parse import ParsedMessage, parse
from ._structured._stream import ParsedMessageStreamManager
from ._tools._runner import ToolRunner

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._protocol.params import MessageCreateParams

__all__ = ["MessagesWithHelpers"]

OutputT = TypeVar("OutputT")
Mode = Literal["auto", "native", "tool"]


class MessagesWithHelpers(Messages[ModeT]):
    """``client.messages``: the Messages resource, plus structured output and the tool runner."""

    @property
    def with_raw_response(self) -> MessagesWithHelpers[Raw]:
        """The same methods, returning ``RawResponse``s (``create`` without streaming only)."""
        return MessagesWithHelpers(self._requester, Raw)

    def _parsed(self) -> MessagesWithHelpers[Parsed]:
        # The helpers read models, even when reached through with_raw_response.
        return MessagesWithHelpers(self._requester, Parsed)

    @overload
    def stream(self, **params: Unpack[MessageCreateParams]) -> MessageStreamManager: ...

    @overload
    def stream(
        self,
        *,
        output_format: type[OutputT],
        mode: Mode = "auto",
        **params: Unpack[MessageCreateParams],
    ) -> ParsedMessageStreamManager[OutputT]: ...

    def stream(
        self,
        *,
        output_format: Any = None,
        mode: Mode = "auto",
        **params: Unpack[MessageCreateParams],
    ) -> MessageStreamManager | ParsedMessageStreamManager[Any]:
        """Stream a message: ``async with client.messages.stream(...) as stream:``.

        With ``output_format`` (a pydantic model or any type ``TypeAdapter`` accepts) the
        stream also gives the output as it grows, and validated at the end: see
        ``ParsedMessageStream``; ``mode`` as for ``parse``.
        """
        if output_format is None:
            return super().stream(**params)
        return ParsedMessageStreamManager(
            self._parsed(), output_format=output_format, mode=mode, params=params
        )

    async def parse(
        self,
        *,
        output_format: type[OutputT],
        mode: Mode = "auto",
        validation_retries: int = 0,
        **params: Unpack[MessageCreateParams],
    ) -> ParsedMessage[OutputT]:
        """Create a message and validate its output into ``output_format``.

        ``mode="native"`` sends the schema as ``output_config.format``, ``"tool"`` forces one
        tool whose input is the output, ``"auto"`` tries native and falls back to tool when
        the server says it does not support it. Raises ``OutputRefusedError`` (a refusal),
        ``OutputTruncatedError`` (``max_tokens``) or ``OutputValidationError`` (after
        ``validation_retries`` re-asks with the errors), and ``TypeError`` for a type pydantic
        cannot describe.
        """
        return await parse(
            self._parsed(),
            output_format=output_format,
            mode=mode,
            validation_retries=validation_retries,
            params=params,
        )

    @overload
    def tool_runner(
        self,
        *,
        stream: Literal[False] = False,
        max_iterations: int = 10,
        max_concurrency: int = 8,
        tool_timeout: float | None = None,
        raise_on_tool_error: bool = False,
        **params: Unpack[MessageCreateParams],
    ) -> ToolRunner[Message]: ...

    @overload
    def tool_runner(
        self,
        *,
        stream: Literal[True],
        max_iterations: int = 10,
        max_concurrency: int = 8,
        tool_timeout: float | None = None,
        raise_on_tool_error: bool = False,
        **params: Unpack[MessageCreateParams],
    ) -> ToolRunner[MessageStream]: ...

    def tool_runner(
        self,
        *,
        stream: bool = False,
        max_iterations: int = 10,
        max_concurrency: int = 8,
        tool_timeout: float | None = None,
        raise_on_tool_error: bool = False,
        **params: Unpack[MessageCreateParams],
    ) -> ToolRunner[Any]:
        """Run the tool-use loop (see ``ToolRunner``; nothing is sent until it is iterated).

        ``tools`` holds ``@tool`` objects, which the runner runs, and plain tool params;
        ``max_concurrency`` caps the tools of one turn running at once, ``tool_timeout``
        (seconds) each call. Raises ``ValueError`` for limits below 1.
        """
        body: dict[str, Any] = dict(params)
        tools: Iterable[object] = body.pop("tools", ())
        return ToolRunner(
            self._parsed(),
            tools=tools,
            params=body,
            stream=stream,
            max_iterations=max_iterations,
            max_concurrency=max_concurrency,
            tool_timeout=tool_timeout,
            raise_on_tool_error=raise_on_tool_error,
        )
