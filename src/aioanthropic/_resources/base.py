"""One mechanism for every API method, parsed or raw.

A resource method is written once, as a function that *describes* its call (an ``APICall``:
the request and how to parse the response). The ``endpoint`` decorator turns it into the method
callers use, and what calling it does depends on the resource's mode:

* ``client.models`` is a ``Models[Parsed]``: ``await client.models.retrieve(id)`` sends the
  request and returns the validated ``ModelInfo``;
* ``client.models.with_raw_response`` is a ``Models[Raw]``: the same method returns a
  ``RawResponse[ModelInfo]`` (status, headers, rate limits, ``await parse()``).

The mode is a type parameter so that the type checker knows which of the two a call returns;
at run time it is one flag read by the descriptor. ``page_endpoint`` does the same for list
methods: parsed, they return an ``AsyncPaginator``; raw, the first page's ``RawResponse``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload
from urllib.parse import quote

import httpx

from aioanthropic._http.paginator import AsyncPaginator
from aioanthropic._http.requester import Requester
from aioanthropic._http.response import APICall, RawResponse
from aioanthropic._protocol.not_given import strip_not_given
from aioanthropic._protocol.pagination import Page
from aioanthropic._protocol.responses import ResponseModel

if TYPE_CHECKING:
    from typing_extensions import Self

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=ResponseModel)


class Mode:
    """A resource's mode: ``Parsed`` or ``Raw``."""


class Parsed(Mode):
    """Methods return their validated result."""


class Raw(Mode):
    """Methods return a ``RawResponse`` of their result."""


ModeT = TypeVar("ModeT", bound=Mode)


class Resource(Generic[ModeT]):
    """Base of the API resources (``client.models``, ``client.messages.batches``, ...)."""

    def __init__(self, requester: Requester, mode: type[ModeT]) -> None:
        self._requester = requester
        self._mode: type[ModeT] = mode

    @property
    def _raw(self) -> bool:
        return self._mode is Raw

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        options: Mapping[str, Any],
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> APICall[M]:
        return self._requester.model_call(
            model, method, path, body=body, query=query, options=options
        )

    async def _run(self, call: APICall[T]) -> Any:
        """Execute a call the way this resource's mode says: the result, or its raw response."""
        if self._raw:
            return await self._requester.execute_raw(call)
        return await self._requester.execute(call)

    def _list_call(
        self,
        path: str,
        page_type: type[Page[T]],
        options: Mapping[str, Any],
        query: Mapping[str, Any],
    ) -> APICall[Page[T]]:
        """The first page's call; each page it parses knows how to fetch its successor."""
        backward = query.get("before_id") is not None
        fixed = {k: v for k, v in query.items() if k not in ("before_id", "after_id")}
        requester = self._requester

        def describe(page_query: Mapping[str, Any]) -> APICall[Page[T]]:
            call = self._call("GET", path, page_type, options, query=page_query)

            async def parse(response: httpx.Response, retries: int) -> Page[T]:
                page = await call.parse(response, retries)
                page._backward = backward
                page._fetch = lambda cursor: requester.execute(describe({**fixed, **cursor}))
                return page

            return APICall(call.request, parse)

        return describe(query)


def path_id(value: str, what: str) -> str:
    """An id made safe to put in a URL path: an empty id or a ``/`` in it must not turn a
    request for one object into a request for another endpoint."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty {what} id, got {value!r}")
    return quote(value, safe="")


class endpoint(Generic[P, T]):
    """Decorates ``def method(self, ...) -> APICall[T]`` into an async API method."""

    def __init__(self, describe: Callable[Concatenate[Any, P], APICall[T]]) -> None:
        self._describe = describe
        functools.update_wrapper(self, describe)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: Resource[Parsed], owner: type[Any]) -> Callable[P, Awaitable[T]]: ...

    @overload
    def __get__(
        self, obj: Resource[Raw], owner: type[Any]
    ) -> Callable[P, Awaitable[RawResponse[T]]]: ...

    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        describe = self._describe

        async def method(*args: P.args, **kwargs: P.kwargs) -> Any:
            kwargs = strip_not_given(kwargs)  # type: ignore[assignment]
            return await obj._run(describe(obj, *args, **kwargs))

        return functools.update_wrapper(method, describe)


class page_endpoint(Generic[P, T]):
    """Decorates ``def list(self, ...) -> APICall[Page[T]]`` (the first page's call).

    Parsed, the method returns an ``AsyncPaginator[T]`` at once, without sending anything;
    raw, it sends the first page's request and returns its ``RawResponse[Page[T]]``.
    """

    def __init__(self, describe: Callable[Concatenate[Any, P], APICall[Page[T]]]) -> None:
        self._describe = describe
        functools.update_wrapper(self, describe)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(
        self, obj: Resource[Parsed], owner: type[Any]
    ) -> Callable[P, AsyncPaginator[T]]: ...

    @overload
    def __get__(
        self, obj: Resource[Raw], owner: type[Any]
    ) -> Callable[P, Awaitable[RawResponse[Page[T]]]]: ...

    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        describe = self._describe
        requester = obj._requester
        if obj._raw:

            async def raw(*args: P.args, **kwargs: P.kwargs) -> RawResponse[Page[T]]:
                kwargs = strip_not_given(kwargs)  # type: ignore[assignment]
                return await requester.execute_raw(describe(obj, *args, **kwargs))

            return functools.update_wrapper(raw, describe)

        def paginator(*args: P.args, **kwargs: P.kwargs) -> AsyncPaginator[T]:
            # The request is built (and credentials checked) when the first page is awaited.
            kwargs = strip_not_given(kwargs)  # type: ignore[assignment]
            return AsyncPaginator(lambda: requester.execute(describe(obj, *args, **kwargs)))

        return functools.update_wrapper(paginator, describe)
