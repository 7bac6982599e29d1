"""``Requester``: the one request pipeline every API method goes through.

    build_request (URL, headers, body)  ->  RetryingSender.send  ->  APICall.parse

Resources depend on this class, never on ``AsyncClient``: the client is the floor above that
owns a requester and the resources. The pure pieces (URL joining, headers, JSON body) are in
``_protocol/request.py``; the retry policy in ``_protocol/retry.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx
import pydantic

from aioanthropic._protocol.exceptions import APIResponseValidationError, MissingCredentialsError
from aioanthropic._protocol.request import build_body, build_headers, encode_json, join_url
from aioanthropic._protocol.responses import ResponseModel, first_validation_error
from aioanthropic._protocol.sse import DEFAULT_MAX_EVENT_BYTES

from .response import APICall, RawResponse
from .sender import RetryingSender

T = TypeVar("T")
M = TypeVar("M", bound=ResponseModel)

TimeoutTypes = float | httpx.Timeout | None


class Requester:
    """A client's configuration and its path for every call: build, send, parse.

    Attributes are the resolved configuration (credentials are private and never shown).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_key: str | None,
        auth_token: str | None,
        base_url: str,
        timeout: httpx.Timeout,
        max_retries: int,
        max_retry_wait: float,
        anthropic_version: str,
        default_headers: Mapping[str, str],
        idle_timeout: float | None,
        results_use_base_url: bool,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.http = http
        self._api_key = api_key
        self._auth_token = auth_token
        self.base_url = base_url
        self.timeout = timeout
        self.anthropic_version = anthropic_version
        self.default_headers = dict(default_headers)
        self.idle_timeout = idle_timeout
        self.results_use_base_url = results_use_base_url
        self.max_event_bytes = max_event_bytes
        extra: dict[str, Any] = {}
        if sleep is not None:
            extra["sleep"] = sleep
        if random is not None:
            extra["random"] = random
        self.sender = RetryingSender(
            http, max_retries=max_retries, max_retry_wait=max_retry_wait, **extra
        )

    @property
    def max_retries(self) -> int:
        return self.sender.max_retries

    @property
    def max_retry_wait(self) -> float:
        return self.sender.max_retry_wait

    def build_request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        accept: str = "application/json",
    ) -> httpx.Request:
        """The one place a request is built: URL, headers (``accept`` included) and body.

        ``options`` are the per-call ``RequestOptions`` (betas, extra_headers, extra_query,
        extra_body, timeout). ``path`` may be an absolute URL (a batch's ``results_url``).
        Raises ``MissingCredentialsError`` when neither credential is configured.
        """
        if self._api_key is None and self._auth_token is None:
            raise MissingCredentialsError(
                "No credentials: pass api_key= (or auth_token=) to AsyncClient, or set the "
                "ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) environment variable"
            )
        options = options or {}
        headers = build_headers(
            api_key=self._api_key,
            auth_token=self._auth_token,
            anthropic_version=self.anthropic_version,
            default_headers=self.default_headers,
            betas=options.get("betas"),
            extra_headers=options.get("extra_headers"),
            accept=accept,
        )
        params = {k: v for k, v in (query or {}).items() if v is not None}
        extra_query = options.get("extra_query")
        if extra_query:
            params.update(extra_query)
        extra_body = options.get("extra_body")
        if body is not None or extra_body:
            body = build_body(body or {}, extra_body)
        timeout = options.get("timeout")
        absolute = path.startswith(("http://", "https://"))
        return self.http.build_request(
            method,
            path if absolute else join_url(self.base_url, path),
            headers=headers,
            params=params or None,
            content=encode_json(body) if body is not None else None,
            timeout=self.timeout if timeout is None else as_timeout(timeout),
        )

    async def execute(self, call: APICall[T]) -> T:
        """Send the call (with retries) and return its parsed result."""
        response, retries = await self.sender.send(call.request, stream=call.stream)
        return await call.parse(response, retries)

    async def execute_raw(self, call: APICall[T]) -> RawResponse[T]:
        """Send the call (with retries) and return the ``RawResponse`` (parsed when asked)."""
        response, retries = await self.sender.send(call.request)
        return RawResponse(response, retries, call)

    def parse_model(self, model: type[M], response: httpx.Response, retries: int) -> M:
        """Validate a read response body into ``model``; ``APIResponseValidationError`` if it
        does not fit."""
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

    def model_call(
        self,
        model: type[M],
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> APICall[M]:
        """A call whose response body validates into ``model``."""
        request = self.build_request(method, path, body=body, query=query, options=options)
        parse_model = self.parse_model

        async def parse(response: httpx.Response, retries: int) -> M:
            return parse_model(model, response, retries)

        return APICall(request, parse)


def as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
