"""``client.messages``: create a message, whole or streamed."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

import httpx

from ._models import Message
from ._params import (
    MessageParam,
    MetadataParam,
    SystemParam,
    ThinkingConfigParam,
    ToolChoiceParam,
    ToolParam,
)
from ._request import build_body
from ._streaming import MessageStream, open_stream

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._client import AsyncClient


class RequestOptions(TypedDict, total=False):
    """Per-call options every method takes besides its API parameters."""

    betas: Iterable[str]
    extra_headers: Mapping[str, str | None]
    extra_query: Mapping[str, Any]
    extra_body: Mapping[str, Any]
    timeout: float | httpx.Timeout | None


class _MessageCreateParamsBase(TypedDict):
    model: str
    max_tokens: int
    messages: Sequence[MessageParam]


class MessageCreateParams(_MessageCreateParamsBase, RequestOptions, total=False):
    """The keyword arguments of ``messages.create`` and ``messages.stream``."""

    system: SystemParam
    temperature: float
    top_p: float
    top_k: int
    stop_sequences: Sequence[str]
    metadata: MetadataParam
    tools: Iterable[ToolParam | Mapping[str, Any]]
    tool_choice: ToolChoiceParam
    thinking: ThinkingConfigParam
    service_tier: str
    idle_timeout: float | None
    """Streaming only: raise ``APITimeoutError`` when no event but pings arrives for this long."""


_OPTION_KEYS = frozenset(RequestOptions.__annotations__) | {"idle_timeout"}
_BODY_KEYS = frozenset(MessageCreateParams.__annotations__) - _OPTION_KEYS


class Messages:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def create(
        self, *, stream: Literal[False] = False, **params: Unpack[MessageCreateParams]
    ) -> Message: ...

    @overload
    async def create(
        self, *, stream: Literal[True], **params: Unpack[MessageCreateParams]
    ) -> MessageStream: ...

    async def create(
        self, *, stream: bool = False, **params: Unpack[MessageCreateParams]
    ) -> Message | MessageStream:
        """Send ``POST /v1/messages``.

        Returns the validated ``Message``; with ``stream=True``, a connected ``MessageStream``
        to iterate and then close (or use with ``async with``).
        """
        request, idle_timeout = self._request(dict(params), stream=stream)
        client = self._client
        if stream:
            return await open_stream(
                client._transport,
                request,
                max_retries=client.max_retries,
                idle_timeout=idle_timeout,
            )
        response, retries = await client._transport.send(request)
        return client._parse(Message, response, retries)

    def stream(self, **params: Unpack[MessageCreateParams]) -> MessageStreamManager:
        """Stream a message: ``async with client.messages.stream(...) as stream:``.

        The request is sent when the ``async with`` block is entered, and the response closed
        when it is left, however it is left.
        """
        request, idle_timeout = self._request(dict(params), stream=True)
        return MessageStreamManager(self._client, request, idle_timeout)

    def _request(
        self, params: dict[str, Any], *, stream: bool
    ) -> tuple[httpx.Request, float | None]:
        unknown = params.keys() - _BODY_KEYS - _OPTION_KEYS
        if unknown:
            names = ", ".join(sorted(unknown))
            raise TypeError(
                f"unexpected keyword argument(s) {names}; pass parameters this SDK does not "
                "know yet through extra_body={...}"
            )
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
