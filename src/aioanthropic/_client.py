"""``AsyncClient``: configuration, the shared HTTP connection pool, and the API resources."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx
import pydantic

from ._exceptions import APIResponseValidationError, MissingCredentialsError
from ._messages import Messages
from ._models import ResponseModel, first_validation_error
from ._models_resource import Models
from ._request import DEFAULT_BASE_URL, build_headers, encode_json, join_url
from ._resource import Parsed
from ._response import APICall, RawResponse
from ._transport import Transport

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_RETRY_WAIT = 60.0
# Streams hold a connection for their whole life, so the pool must admit as many as the
# caller runs at once; keep-alive is capped lower because every idle connection in httpcore's
# pool costs a little on each request. Measured (benchmarks/README.md, "Concurrency": 500
# concurrent 200-delta streams over loopback, one client, wire events/s): 1000/100 gave
# 11.9k-17.2k; httpx's default 100/20 6.9k (requests queue behind the pool, whose work grows
# with queued requests x connections); 250/100 5.2k with 13 of 500 streams timing out;
# 1000/1000 6.1k-6.3k (every idle connection kept costs on each pool operation).
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)

_ModelT = TypeVar("_ModelT", bound=ResponseModel)
_T = TypeVar("_T")
TimeoutTypes = float | httpx.Timeout | None


class AsyncClient:
    """An async client for the Anthropic Messages API and compatible gateways.

    Use it as an async context manager, or call :meth:`aclose` when done. Credentials and the
    base URL fall back to ``ANTHROPIC_API_KEY``, ``ANTHROPIC_AUTH_TOKEN`` and
    ``ANTHROPIC_BASE_URL``; a client with neither credential fails at its first request.
    """

    messages: Messages[Parsed]
    models: Models[Parsed]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        anthropic_version: str = "2023-06-01",
        idle_timeout: float | None = None,
        results_use_base_url: bool = False,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        if max_retry_wait < 0:
            raise ValueError(f"max_retry_wait must be >= 0, got {max_retry_wait}")
        # os.environ is an in-memory mapping: reading it never blocks the event loop.
        self._api_key = api_key if api_key is not None else os.environ.get("ANTHROPIC_API_KEY")
        self._auth_token = (
            auth_token if auth_token is not None else os.environ.get("ANTHROPIC_AUTH_TOKEN")
        )
        self.base_url = (
            base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL
        ).rstrip("/")
        self.timeout = _as_timeout(timeout)
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.anthropic_version = anthropic_version
        self.idle_timeout = idle_timeout
        # Gateways proxy the API under their own host, but the results_url of a batch names
        # the upstream host; this sends results requests to base_url instead.
        self.results_use_base_url = results_use_base_url
        self._default_headers = dict(default_headers) if default_headers else {}
        self._owns_http = http_client is None
        # Redirects are not followed: httpx drops Authorization on a cross-origin redirect but
        # would send x-api-key to whatever host a redirect names.
        self._http = http_client or httpx.AsyncClient(
            timeout=self.timeout, limits=DEFAULT_LIMITS, follow_redirects=False
        )
        self._transport = Transport(
            self._http, max_retries=max_retries, max_retry_wait=max_retry_wait
        )
        self.messages = Messages(self, Parsed)
        self.models = Models(self, Parsed)

    def __repr__(self) -> str:
        # Credentials are deliberately absent: reprs end up in logs and tracebacks.
        return f"<AsyncClient base_url={self.base_url!r}>"

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in as ``http_client``)."""
        if self._owns_http:
            await self._http.aclose()

    # --- used by the resources ---------------------------------------------------------------

    def _build_request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        betas: Iterable[str] | None = None,
        extra_headers: Mapping[str, str | None] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes = None,
    ) -> httpx.Request:
        if self._api_key is None and self._auth_token is None:
            raise MissingCredentialsError(
                "No credentials: pass api_key= (or auth_token=) to AsyncClient, or set the "
                "ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) environment variable"
            )
        headers = build_headers(
            api_key=self._api_key,
            auth_token=self._auth_token,
            anthropic_version=self.anthropic_version,
            default_headers=self._default_headers,
            betas=betas,
            extra_headers=extra_headers,
        )
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if extra_query:
            query.update(extra_query)
        # An absolute URL (a batch's results_url) is taken as it is.
        absolute = path.startswith(("http://", "https://"))
        return self._http.build_request(
            method,
            path if absolute else join_url(self.base_url, path),
            headers=headers,
            params=query or None,
            content=encode_json(body) if body is not None else None,
            timeout=self.timeout if timeout is None else _as_timeout(timeout),
        )

    async def _execute(self, call: APICall[_T]) -> _T:
        response, retries = await self._transport.send(call.request)
        return call.parse(response, retries)

    async def _execute_raw(self, call: APICall[_T]) -> RawResponse[_T]:
        response, retries = await self._transport.send(call.request)
        return RawResponse(response, retries, call)

    def _parse(self, model: type[_ModelT], response: httpx.Response, retries: int) -> _ModelT:
        request_id = response.headers.get("request-id")
        try:
            obj = model.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            raise APIResponseValidationError(
                f"The response to {response.request.method} {response.request.url.path} is not a "
                f"valid {model.__name__}: {first_validation_error(exc)}",
                body=response.text,
                request_id=request_id,
                retries_taken=retries,
            ) from None
        obj._request_id = request_id
        obj._retries_taken = retries
        return obj


def _as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
