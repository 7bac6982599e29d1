"""``client.messages``: create a message (whole or streamed), count its tokens, and the
``batches`` sub-resource."""

from __future__ import annotations

import functools
from collections.abc import Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypedDict, TypeVar, overload

import httpx

from ._batches import Batches
from ._models import Message, MessageTokensCount
from ._params import (
    MessageParam,
    MetadataParam,
    SystemParam,
    ThinkingConfigParam,
    ToolChoiceParam,
    ToolParam,
    ToolParamConvertible,
)
from ._request import RequestOptions, build_body
from ._resource import ModeT, Parsed, Raw, Resource, endpoint
from ._response import APICall, RawResponse
from ._streaming import MessageStream, open_stream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._client import AsyncClient
    from ._structured._parse import ParsedMessage
    from ._structured._stream import ParsedMessageStreamManager
    from ._tools._runner import ToolRunner

OutputT = TypeVar("OutputT")


class _MessageBodyParamsBase(TypedDict):
    model: str
    max_tokens: int
    messages: Sequence[MessageParam]


class MessageBodyParams(_MessageBodyParamsBase, total=False):
    """The body of a message request: what ``create`` sends, and each batch request's
    ``params``."""

    system: SystemParam
    temperature: float
    top_p: float
    top_k: int
    stop_sequences: Sequence[str]
    metadata: MetadataParam
    tools: Iterable[ToolParam | ToolParamConvertible | Mapping[str, Any]]
    tool_choice: ToolChoiceParam
    thinking: ThinkingConfigParam
    service_tier: str


class MessageCreateParams(MessageBodyParams, RequestOptions, total=False):
    """The keyword arguments of ``messages.create`` and ``messages.stream``."""

    idle_timeout: float | None
    """Streaming only: raise ``APITimeoutError`` when no event but pings arrives for this long."""


_OPTION_KEYS = frozenset(RequestOptions.__annotations__) | {"idle_timeout"}
_BODY_KEYS = frozenset(MessageCreateParams.__annotations__) - _OPTION_KEYS


class _MessageCountTokensParamsBase(TypedDict):
    model: str
    messages: Sequence[MessageParam]


class MessageCountTokensParams(_MessageCountTokensParamsBase, RequestOptions, total=False):
    """The keyword arguments of ``messages.count_tokens``."""

    system: SystemParam
    tools: Iterable[ToolParam | ToolParamConvertible | Mapping[str, Any]]
    tool_choice: ToolChoiceParam
    thinking: ThinkingConfigParam


_COUNT_BODY_KEYS = frozenset(MessageCountTokensParams.__annotations__) - frozenset(
    RequestOptions.__annotations__
)


class Messages(Resource[ModeT]):
    def __init__(self, client: AsyncClient, mode: type[ModeT]) -> None:
        super().__init__(client, mode)
        self.batches: Batches[ModeT] = Batches(client, mode)

    @property
    def with_raw_response(self) -> Messages[Raw]:
        """The same methods, returning ``RawResponse``s (``create`` without streaming only)."""
        return Messages(self._client, Raw)

    @endpoint
    def count_tokens(
        self, **params: Unpack[MessageCountTokensParams]
    ) -> APICall[MessageTokensCount]:
        """``POST /v1/messages/count_tokens``: how many input tokens these messages would cost.

        ``aioanthropic.estimate_tokens`` gives a rough offline estimate instead.
        """
        _check_keys(params, _COUNT_BODY_KEYS | _OPTION_KEYS - {"idle_timeout"})
        body = {key: params.get(key) for key in _COUNT_BODY_KEYS}
        return self._call(
            "POST", "/v1/messages/count_tokens", MessageTokensCount, params, body=body
        )

    @overload
    async def create(
        self: Messages[Parsed],
        *,
        stream: Literal[False] = False,
        **params: Unpack[MessageCreateParams],
    ) -> Message: ...

    @overload
    async def create(
        self: Messages[Parsed], *, stream: Literal[True], **params: Unpack[MessageCreateParams]
    ) -> MessageStream: ...

    @overload
    async def create(
        self: Messages[Raw], **params: Unpack[MessageCreateParams]
    ) -> RawResponse[Message]: ...

    async def create(
        self, *, stream: bool = False, **params: Unpack[MessageCreateParams]
    ) -> Message | MessageStream | RawResponse[Message]:
        """Send ``POST /v1/messages``.

        Returns the validated ``Message``; with ``stream=True``, a connected ``MessageStream``
        to iterate and then close (or use with ``async with``).
        """
        client = self._client
        if self._raw and stream:
            raise TypeError(
                "with_raw_response does not stream; a MessageStream already has .headers, "
                ".request_id and .rate_limit"
            )
        request, idle_timeout = self._request(dict(params), stream=stream)
        if self._raw:
            return await client._execute_raw(
                APICall(request, functools.partial(client._parse, Message))
            )
        if stream:
            return await open_stream(
                client._transport,
                request,
                max_retries=client.max_retries,
                idle_timeout=idle_timeout,
            )
        response, retries = await client._transport.send(request)
        return client._parse(Message, response, retries)

    @overload
    def stream(self, **params: Unpack[MessageCreateParams]) -> MessageStreamManager: ...

    @overload
    def stream(
        self,
        *,
        output_format: type[OutputT],
        mode: Literal["auto", "native", "tool"] = "auto",
        **params: Unpack[MessageCreateParams],
    ) -> ParsedMessageStreamManager[OutputT]: ...

    def stream(
        self,
        *,
        output_format: Any = None,
        mode: Literal["auto", "native", "tool"] = "auto",
        **params: Unpack[MessageCreateParams],
    ) -> MessageStreamManager | ParsedMessageStreamManager[Any]:
        """Stream a message: ``async with client.messages.stream(...) as stream:``.

        The request is sent when the ``async with`` block is entered, and the response closed
        when it is left, however it is left. With ``output_format`` the stream also gives the
        output as it grows and validated at the end: see ``ParsedMessageStream``.
        """
        if output_format is not None:
            from ._structured._stream import ParsedMessageStreamManager

            _check_keys(params, _BODY_KEYS | _OPTION_KEYS)
            return ParsedMessageStreamManager(
                self._client, output_format=output_format, mode=mode, params=params
            )
        request, idle_timeout = self._request(dict(params), stream=True)
        return MessageStreamManager(self._client, request, idle_timeout)

    async def parse(
        self,
        *,
        output_format: type[OutputT],
        mode: Literal["auto", "native", "tool"] = "auto",
        validation_retries: int = 0,
        **params: Unpack[MessageCreateParams],
    ) -> ParsedMessage[OutputT]:
        """Create a message and validate its output into ``output_format`` (a pydantic model
        or any type ``TypeAdapter`` accepts): see ``aioanthropic._structured._parse``.

        Raises ``OutputRefusedError`` (a refusal), ``OutputTruncatedError`` (``max_tokens``)
        or ``OutputValidationError`` (after ``validation_retries`` re-asks).
        """
        from ._structured._parse import parse

        _check_keys(params, _BODY_KEYS | _OPTION_KEYS)
        return await parse(
            self._client,
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
        """Run the tool-use loop: see ``aioanthropic.ToolRunner`` (nothing is sent until it is
        iterated). ``tools`` are ``@tool`` objects (run by the runner) or tool params."""
        from ._tools._runner import ToolRunner  # the helper floor sits above the resources

        body: dict[str, Any] = dict(params)
        tools: Iterable[object] = body.pop("tools", ())
        return ToolRunner(
            self._client,
            tools=tools,
            params=body,
            stream=stream,
            max_iterations=max_iterations,
            max_concurrency=max_concurrency,
            tool_timeout=tool_timeout,
            raise_on_tool_error=raise_on_tool_error,
        )

    def _request(
        self, params: dict[str, Any], *, stream: bool
    ) -> tuple[httpx.Request, float | None]:
        _check_keys(params, _BODY_KEYS | _OPTION_KEYS)
        body = build_body({k: params.get(k) for k in _BODY_KEYS}, params.get("extra_body"))
        if stream:
            body["stream"] = True
        client = self._client
        idle_timeout = params.get("idle_timeout", client.idle_timeout)
        request = client._build_request(
            "POST",
            "/v1/messages",
            body=body,
            betas=params.get("betas"),
            extra_headers=params.get("extra_headers"),
            extra_query=params.get("extra_query"),
            timeout=params.get("timeout"),
        )
        if stream:
            request.headers["accept"] = "text/event-stream"
        return request, idle_timeout


def _check_keys(params: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = params.keys() - allowed
    if unknown:
        names = ", ".join(sorted(unknown))
        raise TypeError(
            f"unexpected keyword argument(s) {names}; pass parameters this SDK does not "
            "know yet through extra_body={...}"
        )


class MessageStreamManager:
    """What ``messages.stream(...)`` returns: enter it to send the request and get the
    ``MessageStream``; leaving it closes the response."""

    def __init__(
        self, client: AsyncClient, request: httpx.Request, idle_timeout: float | None
    ) -> None:
        self._client = client
        self._request = request
        self._idle_timeout = idle_timeout
        self._stream: MessageStream | None = None

    async def __aenter__(self) -> MessageStream:
        client = self._client
        self._stream = await open_stream(
            client._transport,
            self._request,
            max_retries=client.max_retries,
            idle_timeout=self._idle_timeout,
        )
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()

    def __await__(self) -> Generator[Any, None, MessageStream]:
        # ``stream = await client.messages.stream(...)`` works too; the caller closes it.
        return self.__aenter__().__await__()
