"""``AsyncPaginator``: the walk over the pages of a list endpoint, one page fetched at a time.

The page model and the cursor rule are sans-IO (``_protocol/pagination.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from aioanthropic._protocol.pagination import Page

T = TypeVar("T")


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
