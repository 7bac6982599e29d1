"""``Requester``: the one request pipeline every API method goes through.

    build_request (URL, headers, body)  ->  RetryingSender.send  ->  APICall.parse

Resources depend on this class, never on ``AsyncClient``: the client is the floor above that
owns a requester and the resources. The pure pieces (URL joining, headers, JSON body) are in
``_protocol/request.py``; the retry policy in ``_protocol/retry.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from time import perf_counter
from typing import Any, TypeVar

import httpx
import pydantic

from aioanthropic._protocol.exceptions import (
    APIError,
    APIResponseValidationError,
    MissingCredentialsError,
)
from aioanthropic._protocol.not_given import is_given, strip_not_given
from aioanthropic._protocol.request import build_body, build_headers, encode_json, join_url
from aioanthropic._protocol.responses import ResponseModel, first_validation_error
from aioanthropic._protocol.sse import DEFAULT_MAX_EVENT_BYTES

from .observe import CallObserver, CallProbe, notify_end
from .response import APICall, RawResponse
from .sender import RetryingSender

logger = logging.getLogger("aioanthropic")

T = TypeVar("T")
M = TypeVar("M", bound=ResponseModel)

TimeoutTypes = float | httpx.Timeout | None
_BOM = b"\xef\xbb\xbf"
_MAX_CACHED_URLS = 64  # API paths (a few) plus per-id paths (batches, models) up to this


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
        default_query: Mapping[str, Any] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random: Callable[[], float] | None = None,
        observers: Sequence[CallObserver] = (),
    ) -> None:
        self.http = http
        # Rate limiter, telemetry (floor 4) watch calls through these; empty costs one check.
        self.observers: tuple[CallObserver, ...] = tuple(observers)
        self._api_key = api_key
        self._auth_token = auth_token
        self.base_url = base_url
        self.timeout = timeout
        self.anthropic_version = anthropic_version
        self.default_headers = dict(default_headers)
        self.default_query = dict(default_query or {})
        self.idle_timeout = idle_timeout
        self.results_use_base_url = results_use_base_url
        self.max_event_bytes = max_event_bytes
        self._urls: dict[str, httpx.URL] = {}
        self._urls_base = base_url
        self._client_raw: list[tuple[bytes, bytes]] | None = None
        self._client_headers: list[tuple[str, str, str]] = []
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
        # NOT_GIVEN / omit mean "absent" wherever a parameter may be passed.
        options = strip_not_given(options or {})
        headers = build_headers(
            api_key=self._api_key,
            auth_token=self._auth_token,
            anthropic_version=self.anthropic_version,
            default_headers=self.default_headers,
            betas=options.get("betas"),
            extra_headers=options.get("extra_headers"),
            accept=accept,
        )
        params = {**self.default_query}
        params.update((k, v) for k, v in (query or {}).items() if v is not None and is_given(v))
        extra_query = options.get("extra_query")
        if extra_query:
            params.update(extra_query)
        extra_body = options.get("extra_body")
        if body is not None or extra_body:
            body = build_body(strip_not_given(body or {}), extra_body)
        timeout = options.get("timeout")
        return self._http_request(
            method,
            self._url(path),
            headers=headers,
            params=params or None,
            content=encode_json(body) if body is not None else None,
            timeout=self.timeout if timeout is None else as_timeout(timeout),
        )

    def _url(self, path: str) -> httpx.URL:
        # Parsed once per path: httpx URLs are immutable, and parsing one was ~5% of a
        # one-delta streamed request (py-spy, benchmarks/README.md "fixed").
        if self._urls_base != self.base_url:
            self._urls.clear()
            self._urls_base = self.base_url
        url = self._urls.get(path)
        if url is None:
            absolute = path.startswith(("http://", "https://"))
            url = httpx.URL(path if absolute else join_url(self.base_url, path))
            if not absolute and len(self._urls) < _MAX_CACHED_URLS:
                self._urls[path] = url
        return url

    def _http_request(
        self,
        method: str,
        url: httpx.URL,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None,
        content: bytes | None,
        timeout: httpx.Timeout,
    ) -> httpx.Request:
        """What ``httpx.AsyncClient.build_request`` builds, without its general merging.

        The httpx client's own headers go under ours, as httpx merges them; its timeout is
        replaced by ours as always. A client with default query params or cookies gets
        httpx's own ``build_request``, which merges those. Measured on a one-delta streamed
        request: httpx's merging was ~20% of the SDK's time (py-spy).
        """
        http = self.http
        if http.params or http.cookies:
            return http.build_request(
                method, url, headers=headers, params=params, content=content, timeout=timeout
            )
        return httpx.Request(
            method,
            url,
            params=params,
            headers=self._merged_headers(headers),
            content=content,
            extensions={"timeout": timeout.as_dict()},
        )

    def _merged_headers(self, ours: dict[str, str]) -> list[tuple[str, str]]:
        # The httpx client's headers are read again only when they changed (compared by
        # value: a user may edit http_client.headers between calls).
        headers = self.http.headers
        raw = headers.raw
        if raw != self._client_raw:
            encoding = headers.encoding
            self._client_raw = raw
            self._client_headers = [
                (key.decode("latin-1").lower(), key.decode("latin-1"), value.decode(encoding))
                for key, value in raw
            ]
        merged = [(key, value) for name, key, value in self._client_headers if name not in ours]
        merged.extend(ours.items())
        return merged

    async def execute(self, call: APICall[T]) -> T:
        """Send the call (with retries) and return its parsed result.

        A ``ResponseModel`` result gets ``elapsed``; a stream learns when its request was sent
        (``call.attach``). Observers, if any, see the call from start to end (``observe.py``).
        """
        probes = await self._start(call) if self.observers else ()
        started = perf_counter()
        try:
            response, retries = await self.sender.send(
                call.request, stream=call.stream, probes=probes
            )
            if logger.isEnabledFor(logging.DEBUG):
                log_response(response, retries, started)
            for probe in probes:
                probe.on_response(response)
            result = await call.parse(response, retries)
        except BaseException as error:
            if isinstance(error, APIError) and error.request is None:
                error.request = call.request
            notify_end(probes, None, error)
            raise
        if isinstance(result, ResponseModel):
            result._elapsed = perf_counter() - started
        if call.attach is not None:
            call.attach(result, started, probes)  # the stream reports the end to the probes
        elif probes:
            notify_end(probes, result, None)
        return result

    async def execute_raw(self, call: APICall[T]) -> RawResponse[T]:
        """Send the call (with retries) and return the ``RawResponse`` (parsed when asked)."""
        probes = await self._start(call) if self.observers else ()
        started = perf_counter()
        try:
            response, retries = await self.sender.send(call.request, probes=probes)
        except BaseException as error:
            notify_end(probes, None, error)
            raise
        if logger.isEnabledFor(logging.DEBUG):
            log_response(response, retries, started)
        raw = RawResponse(response, retries, call)
        for probe in probes:
            probe.on_response(response)
            probe.on_end(raw, None)
        return raw

    async def _start(self, call: APICall[Any]) -> tuple[CallProbe, ...]:
        probes: list[CallProbe] = []
        try:
            for observer in self.observers:
                probe = await observer.start(call.request, stream=call.stream)
                if probe is not None:
                    probes.append(probe)
        except BaseException as error:
            notify_end(tuple(probes), None, error)  # the ones already started end here
            raise
        return tuple(probes)

    def parse_model(self, model: type[M], response: httpx.Response, retries: int) -> M:
        """Validate a read response body into ``model``; ``APIResponseValidationError`` if it
        does not fit."""
        request_id = response.headers.get("request-id")
        content = response.content
        if content.startswith(_BOM):  # some gateways prefix JSON with one (RFC 8259 s8.1)
            content = content[len(_BOM) :]
        try:
            obj = model.model_validate_json(content)
        except pydantic.ValidationError as exc:
            error = APIResponseValidationError(
                f"The response to {response.request.method} {response.request.url.path} is not a "
                f"valid {model.__name__}: {first_validation_error(exc)}",
                body=response.text,
                request_id=request_id,
                retries_taken=retries,
            )
            error.request = response.request
            raise error from None
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


def log_response(response: httpx.Response, retries: int, started: float) -> None:
    """The DEBUG line for a response: method, path, status, request id, seconds since the
    call's first attempt was sent, retries. Never headers or bodies (they hold secrets)."""
    request = response.request
    logger.debug(
        "%s %s -> %d request-id=%s in %.3fs (retries: %d)",
        request.method,
        request.url.path,
        response.status_code,
        response.headers.get("request-id"),
        perf_counter() - started,
        retries,
    )


def as_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """``timeout`` as an ``httpx.Timeout``: a number is seconds for every phase, None no limit
    (as in httpx). Raises ``ValueError`` for anything else (a string such as ``"30"`` would
    otherwise fail later, at every request, as a bare ``TypeError``)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(
            f"timeout must be a positive number of seconds or an httpx.Timeout, got {timeout!r}"
        )
    return httpx.Timeout(timeout)
