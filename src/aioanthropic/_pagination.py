"""Cursor pagination: ``Page`` (one response) and ``AsyncPaginator`` (the walk over pages).

The list endpoints answer ``{"data": [...], "has_more", "first_id", "last_id"}``. A walk goes
forwards (the next page is ``after_id=last_id``) unless it was started with ``before_id``, in
which case it goes backwards (``before_id=first_id``); within a page, items keep the API's order.
Pages are fetched one at a time, only when the caller asks for more: a paginator holds one page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from pydantic import Field, PrivateAttr

from ._models import ResponseModel

T = TypeVar("T")

# Builds and sends the request for the page after (or before) this one, given its cursor.
FetchPage = Callable[[dict[str, str]], Awaitable["Page[T]"]]


class Page(ResponseModel, Generic[T]):
    """One page of a list: ``data`` and the cursors to its neighbours."""

    data: list[T] = Field(default_factory=list)
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None

    _fetch: FetchPage[T] | None = PrivateAttr(default=None)
    _backward: bool = PrivateAttr(default=False)

    def next_page_cursor(self) -> dict[str, str] | None:
        """The query parameter that fetches the next page of this walk, or None at its end."""
        return next_cursor(
            has_more=self.has_more,
            first_id=self.first_id,
            last_id=self.last_id,
            backward=self._backward,
        )

    def has_next_page(self) -> bool:
        return self.next_page_cursor() is not None

    async def next_page(self) -> Page[T] | None:
        """Fetch the next page of this walk (in its direction), or None when there is none."""
        cursor = self.next_page_cursor()
        if cursor is None or self._fetch is None:
            return None
        return await self._fetch(cursor)


def next_cursor(
    *, has_more: bool, first_id: str | None, last_id: str | None, backward: bool
) -> dict[str, str] | None:
    """The cursor for the page after one with these fields; pure, table-tested."""
    if not has_more:
        return None
    if backward:
        return {"before_id": first_id} if first_id else None
    # An empty page with has_more would loop forever on the same cursor: stop instead.
    return {"after_id": last_id} if last_id else None


class AsyncPaginator(Generic[T]):
    """What a list method returns; nothing is sent until it is awaited or iterated.

    * ``async for item in paginator``: every item of every page, fetching pages lazily;
    * ``page = await paginator``: the first page (``data``, ``has_more``, ``first_id``,
      ``last_id``, ``await page.next_page()``);
    * ``async for page in paginator.pages()``: page by page.
    """

    def __init__(self, first: Callable[[], Awaitable[Page[T]]]) -> None:
        self._first = first

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._first().__await__()

    def pages(self) -> AsyncIterator[Page[T]]:
        return _PageIterator(self._first)

    def __aiter__(self) -> AsyncIterator[T]:
        return _ItemIterator(_PageIterator(self._first))


# Plain iterator classes rather than async generators: they hold no resource between pages
# (each page is read whole), so a caller breaking out of the loop leaves nothing to finalize.
class _PageIterator(Generic[T]):
    def __init__(self, first: Callable[[], Awaitable[Page[T]]]) -> None:
        self._first: Callable[[], Awaitable[Page[T]]] | None = first
        self._page: Page[T] | None = None

    def __aiter__(self) -> _PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._first is not None:
            first, self._first = self._first, None
            self._page = await first()
            return self._page
        page = await self._page.next_page() if self._page is not None else None
        if page is None:
            self._page = None
            raise StopAsyncIteration
        self._page = page
        return page


class _ItemIterator(Generic[T]):
    def __init__(self, pages: _PageIterator[T]) -> None:
        self._pages = pages
        self._items: list[T] = []
        self._index = 0

    def __aiter__(self) -> _ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        while self._index >= len(self._items):
            page = await self._pages.__anext__()
            self._items, self._index = page.data, 0
        item = self._items[self._index]
        self._index += 1
        return item
