"""The sync resources: each method is the async resource's method of the same name.

How the types are derived
-------------------------
``blocking(AsyncResource.method)`` is a descriptor built from the async method itself. Its
type parameters are read off the async definition by the type checker: for an ``endpoint``
(``Callable[P, Awaitable[T]]`` once bound) the sync method is ``Callable[P, T]`` on a parsed
resource and ``Callable[P, SyncRawResponse[T]]`` on ``with_raw_response``; ``paginated``
turns a ``page_endpoint`` into ``Callable[P, SyncPage[T]]``. So a parameter added to an async
method appears in the sync one, checked, with no edit here. Only the methods whose result
depends on an argument in a way ParamSpec cannot express (``create``'s ``stream`` flag) or that
return another async object (``stream``, ``results``) have their sync signature written out,
and even they only forward to the async method.

At run time a call goes ``getattr(async_resource, name)(*args, **kwargs)`` on the client's loop
thread (``LoopThread.call``), and an asynchronous result is wrapped (``wrap_result``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Literal, ParamSpec, TypeVar, overload

from aioanthropic._resources.base import Mode, ModeT, Parsed, Raw, endpoint, page_endpoint
from aioanthropic._resources.batches import Batches as AsyncBatches
from aioanthropic._resources.messages import Messages as AsyncMessages
from aioanthropic._resources.models import Models as AsyncModels
from aioanthropic._structured._parse import ParsedMessage
from aioanthropic.types import (
    Message,
    MessageBatch,
    MessageCreateParams,
    MessageStreamEvent,
    Page,
    RequestOptions,
)

from .loop import LoopThread
from .tool_runner import SyncToolRunner
from .wrappers import (
    SyncBatchResults,
    SyncMessageStream,
    SyncMessageStreamManager,
    SyncPage,
    SyncRawResponse,
    first_page,
    wrap_result,
)

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

P = ParamSpec("P")
T = TypeVar("T")
OutputT = TypeVar("OutputT")


class SyncResource(Generic[ModeT]):
    """Base of the sync resources: the async resource it forwards to, and the loop thread."""

    def __init__(self, loop: LoopThread, resource: Any, mode: type[Mode]) -> None:
        self._loop = loop
        self._async = resource
        self._mode = mode

    @property
    def _mode_is_raw(self) -> bool:
        return self._mode is Raw

    def _forward(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self._async, name)
        return wrap_result(self._loop, self._loop.call(functools.partial(method, *args, **kwargs)))


class blocking(Generic[P, T]):
    """The async method ``name`` of the wrapped resource, made blocking (see the module doc)."""

    @overload
    def __init__(self, method: endpoint[P, T]) -> None: ...

    @overload
    def __init__(self, method: Callable[Concatenate[Any, P], Awaitable[T]]) -> None: ...

    def __init__(self, method: Any) -> None:
        self._name: str = method.__name__
        self.__doc__ = method.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: SyncResource[Parsed], owner: type[Any]) -> Callable[P, T]: ...

    @overload
    def __get__(
        self, obj: SyncResource[Raw], owner: type[Any]
    ) -> Callable[P, SyncRawResponse[T]]: ...

    def __get__(self, obj: SyncResource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return functools.partial(obj._forward, self._name)


class paginated(Generic[P, T]):
    """A list method: parsed, it fetches the first page and returns a ``SyncPage`` (iterate
    it for every item of every page); raw, the first page's ``SyncRawResponse``."""

    def __init__(self, method: page_endpoint[P, T]) -> None:
        self._name: str = method.__name__  # type: ignore[attr-defined]
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: SyncResource[Parsed], owner: type[Any]) -> Callable[P, SyncPage[T]]: ...

    @overload
    def __get__(
        self, obj: SyncResource[Raw], owner: type[Any]
    ) -> Callable[P, SyncRawResponse[Page[T]]]: ...

    def __get__(self, obj: SyncResource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        name = self._name

        def call(*args: Any, **kwargs: Any) -> Any:
            result = getattr(obj._async, name)(*args, **kwargs)
            if obj._mode_is_raw:
                return wrap_result(obj._loop, obj._loop.call(lambda: result))
            return first_page(obj._loop, result)

        return call


class Models(SyncResource[ModeT]):
    """``client.models`` (sync): ``retrieve``, ``list``."""

    retrieve = blocking(AsyncModels.retrieve)
    list = paginated(AsyncModels.list)

    @property
    def with_raw_response(self) -> Models[Raw]:
        return Models(self._loop, self._async.with_raw_response, Raw)


class Batches(SyncResource[ModeT]):
    """``client.messages.batches`` (sync)."""

    create = blocking(AsyncBatches.create)
    retrieve = blocking(AsyncBatches.retrieve)
    list = paginated(AsyncBatches.list)
    cancel = blocking(AsyncBatches.cancel)
    delete = blocking(AsyncBatches.delete)
    wait = blocking(AsyncBatches.wait)

    @property
    def with_raw_response(self) -> Batches[Raw]:
        return Batches(self._loop, self._async.with_raw_response, Raw)

    def results(
        self,
        batch: str | MessageBatch,
        *,
        use_base_url: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> SyncBatchResults:
        """The async ``results`` (see there): ``for result in client.messages.batches.results
        (batch)``, or ``with ... as results:`` when the loop may stop early."""
        results = self._async.results(batch, use_base_url=use_base_url, **options)
        return SyncBatchResults(self._loop, results)


class Messages(SyncResource[ModeT]):
    """``client.messages`` (sync): ``create``, ``stream``, ``count_tokens``, ``batches``, and
    the helpers ``parse`` and ``tool_runner``."""

    def __init__(self, loop: LoopThread, resource: Any, mode: type[Mode]) -> None:
        super().__init__(loop, resource, mode)
        self.batches: Batches[ModeT] = Batches(loop, resource.batches, mode)

    count_tokens = blocking(AsyncMessages.count_tokens)

    @property
    def with_raw_response(self) -> Messages[Raw]:
        return Messages(self._loop, self._async.with_raw_response, Raw)

    @overload
    def create(
        self: Messages[Parsed],
        *,
        stream: Literal[False] = False,
        **params: Unpack[MessageCreateParams],
    ) -> Message: ...

    @overload
    def create(
        self: Messages[Parsed], *, stream: Literal[True], **params: Unpack[MessageCreateParams]
    ) -> SyncMessageStream[MessageStreamEvent]: ...

    @overload
    def create(
        self: Messages[Raw], **params: Unpack[MessageCreateParams]
    ) -> SyncRawResponse[Message]: ...

    def create(self, **params: Any) -> Any:
        """The async ``create`` (see there), blocking; ``stream=True`` gives a
        ``SyncMessageStream`` of the raw events."""
        return self._forward("create", **params)

    def parse(
        self,
        *,
        output_format: type[OutputT],
        mode: Literal["auto", "native", "tool"] = "auto",
        validation_retries: int = 0,
        **params: Unpack[MessageCreateParams],
    ) -> ParsedMessage[OutputT]:
        """The async ``parse`` (structured output; see there), blocking. Written out because
        its result type depends on ``output_format``, which a ParamSpec cannot carry."""
        return self._forward(  # type: ignore[no-any-return]
            "parse",
            output_format=output_format,
            mode=mode,
            validation_retries=validation_retries,
            **params,
        )

    def stream(self, **params: Unpack[MessageCreateParams]) -> SyncMessageStreamManager:
        """``with client.messages.stream(...) as stream:``: the async ``stream`` (see there)."""
        return SyncMessageStreamManager(self._loop, self._async.stream(**params))

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
    ) -> SyncToolRunner[Message]: ...

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
    ) -> SyncToolRunner[SyncMessageStream[MessageStreamEvent]]: ...

    def tool_runner(self, *, stream: bool = False, **params: Any) -> SyncToolRunner[Any]:
        """The async ``tool_runner`` (see there and ``SyncToolRunner``): ``for message in
        runner`` / ``runner.until_done()``. The overloads are written out because the result
        type depends on ``stream``; the arguments and their defaults are the async method's,
        to which they all go. Nothing is sent until the runner is iterated, so the async runner
        is built here, in the calling thread; raises ``ValueError`` for limits below 1."""
        return SyncToolRunner(self._loop, self._async.tool_runner(stream=stream, **params))


__all__ = ["Batches", "Messages", "Models", "SyncResource", "blocking", "paginated"]
