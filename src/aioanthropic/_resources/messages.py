"""``client.messages``: create a message (whole or streamed), count its tokens, and the
``batches`` sub-resource."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

from aioanthropic._http.helper_stream import HelperMessageStream
from aioanthropic._http.requester import Requester
from aioanthropic._http.response import APICall, RawResponse
from aioanthropic._http.stream import MessageStream, stream_call
from aioanthropic._protocol.not_given import strip_not_given
from aioanthropic._protocol.params import (
    MessageCountTokensParams,
    MessageCreateParams,
    RequestOptions,
)
from aioanthropic._protocol.responses import Message, MessageTokensCount

from .base import ModeT, Parsed, Raw, Resource, endpoint
from .batches import Batches

if TYPE_CHECKING:
    from typing_extensions import Unpack


_OPTION_KEYS = frozenset(RequestOptions.__annotations__) | {"idle_timeout"}
_BODY_KEYS = frozenset(MessageCreateParams.__annotations__) - _OPTION_KEYS
_COUNT_BODY_KEYS = frozenset(MessageCountTokensParams.__annotations__) - frozenset(
    RequestOptions.__annotations__
)


class Messages(Resource[ModeT]):
    def __init__(self, requester: Requester, mode: type[ModeT]) -> None:
        super().__init__(requester, mode)
        self.batches: Batches[ModeT] = Batches(requester, mode)

    @property
    def with_raw_response(self) -> Messages[Raw]:
        """The same methods, returning ``RawResponse``s (``create`` without streaming only)."""
        return Messages(self._requester, Raw)

    @endpoint
    def count_tokens(
        self, **params: Unpack[MessageCountTokensParams]
    ) -> APICall[MessageTokensCount]:
        """``POST /v1/messages/count_tokens``: how many input tokens these messages would cost.

        ``aioanthropic.estimate_tokens`` gives a rough offline estimate instead.
        """
        _check_keys(params, _COUNT_BODY_KEYS | (_OPTION_KEYS - {"idle_timeout"}))
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
        to iterate and then close (or use with ``async with``). Raises the ``APIError`` tree:
        ``APIStatusError`` subclasses for error statuses, ``APIConnectionError`` /
        ``APITimeoutError`` when no response arrived (after the retries), and ``TypeError`` for
        an unknown keyword argument.
        """
        if self._raw and stream:
            raise TypeError(
                "with_raw_response does not stream; a MessageStream already has .headers, "
                ".request_id and .rate_limit"
            )
        call: APICall[Any] = self._create_call(dict(params), stream=stream)
        return await self._run(call)  # type: ignore[no-any-return]

    def stream(self, **params: Unpack[MessageCreateParams]) -> MessageStreamManager:
        """Stream a message: ``async with client.messages.stream(...) as stream:``.

        The request is sent when the ``async with`` block is entered, and the response closed
        when it is left, however it is left. The stream yields the raw events and, after each,
        the events the official SDK's helper synthesizes (``HelperMessageStream``).
        """
        call = self._create_call(dict(params), stream=True, cls=HelperMessageStream)
        return MessageStreamManager(self._requester, call)

    def _create_call(
        self,
        params: dict[str, Any],
        *,
        stream: bool,
        cls: type[MessageStream] = MessageStream,
    ) -> APICall[Any]:
        """The call ``create`` and ``stream`` make (the one description of ``POST
        /v1/messages``)."""
        params = strip_not_given(params)
        _check_keys(params, _BODY_KEYS | _OPTION_KEYS)
        body = {k: params.get(k) for k in _BODY_KEYS}
        requester = self._requester
        if not stream:
            return requester.model_call(Message, "POST", "/v1/messages", body=body, options=params)
        body["stream"] = True
        request = requester.build_request(
            "POST", "/v1/messages", body=body, options=params, accept="text/event-stream"
        )
        idle_timeout = params.get("idle_timeout", requester.idle_timeout)
        return stream_call(requester, request, idle_timeout, cls)


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
    ``HelperMessageStream``; leaving it closes the response."""

    def __init__(self, requester: Requester, call: APICall[HelperMessageStream]) -> None:
        self._requester = requester
        self._call = call
        self._stream: HelperMessageStream | None = None

    async def __aenter__(self) -> HelperMessageStream:
        self._stream = await self._requester.execute(self._call)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()

    def __await__(self) -> Generator[Any, None, HelperMessageStream]:
        # ``stream = await client.messages.stream(...)`` works too; the caller closes it.
        return self.__aenter__().__await__()
