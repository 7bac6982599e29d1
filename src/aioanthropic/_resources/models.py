"""``client.models``: the models the API key can use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aioanthropic._http.response import APICall
from aioanthropic._protocol.pagination import Page
from aioanthropic._protocol.responses import ModelInfo

from .base import ModeT, Raw, Resource, endpoint, page_endpoint, path_id

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from aioanthropic._protocol.params import RequestOptions


class Models(Resource[ModeT]):
    @property
    def with_raw_response(self) -> Models[Raw]:
        """The same methods, returning ``RawResponse``s."""
        return Models(self._requester, Raw)

    @endpoint
    def retrieve(self, model_id: str, **options: Unpack[RequestOptions]) -> APICall[ModelInfo]:
        """``GET /v1/models/{model_id}``: one model (``model_id`` may be an alias)."""
        return self._call("GET", f"/v1/models/{path_id(model_id, 'model')}", ModelInfo, options)

    @page_endpoint
    def list(
        self,
        *,
        limit: int | None = None,
        before_id: str | None = None,
        after_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> APICall[Page[ModelInfo]]:
        """``GET /v1/models``, most recent first: ``async for model in client.models.list()``.

        Returns an ``AsyncPaginator`` (see its docstring); ``limit`` is the page size. Given
        ``before_id``, the walk goes backwards from that model.
        """
        query = {"limit": limit, "before_id": before_id, "after_id": after_id}
        return self._list_call("/v1/models", Page[ModelInfo], options, query)
