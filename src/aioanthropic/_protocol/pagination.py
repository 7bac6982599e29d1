"""Cursor pagination: ``Page``, one response of a list endpoint, and the cursor rule.

The walk over pages (``AsyncPaginator``) is in ``_http/paginator.py``.

The list endpoints answer ``{"data": [...], "has_more", "first_id", "last_id"}``. A walk goes
forwards (the next page is ``after_id=last_id``) unless it was started with ``before_id``, in
which case it goes backwards (``before_id=first_id``); within a page, items keep the API's order.
Pages are fetched one at a time, only when the caller asks for more: a paginator holds one page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from pydantic import Field, PrivateAttr

from .responses import ResponseModel

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

    async def get_next_page(self) -> Page[T] | None:
        """The official SDK's name for ``next_page()``."""
        return await self.next_page()


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
