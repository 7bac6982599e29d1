"""Faults: the ways the fake server misbehaves on purpose, and how error bodies look.

A ``Fault`` is a plain value. The server picks one per request to any /v1 endpoint (the stream
fields only matter to streamed messages), first match wins: the request's ``x-fake-fault``
header (a JSON object of Fault fields, for clients a test cannot reach such as a subprocess),
then the queue filled by ``FakeServer.enqueue``, then the server's ``fault=``. Fields combine:
e.g. ``delay`` + ``status``, or ``drip`` + ``drop_after``.

``fail_first`` limits a ``status`` fault to the first N requests that get an equal Fault (the
count lives in the server, keyed by the Fault's value, so a header fault counts across requests).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

CHUNKINGS = ("events", "random", "bytes")
BODIES = ("anthropic", "openai", "html", "text")

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "Number of requests has exceeded your rate limit.",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}


@dataclass(frozen=True)
class Fault:
    """How to break one response. Every field defaults to "behave normally"."""

    # An error status instead of a reply, and what comes with it.
    status: int | None = None
    error_type: str | None = None
    error_message: str | None = None
    body: Literal["anthropic", "openai", "html", "text"] = "anthropic"
    retry_after: float | str | None = None
    retry_after_ms: float | None = None
    should_retry: bool | None = None
    # A 429 carries ``retry-after: 1`` unless retry_after(_ms) says otherwise or this is set.
    omit_retry_after: bool = False
    fail_first: int | None = None
    # Before the response.
    delay: float = 0.0
    close_without_response: bool = False
    # Streams only; counts are events already sent (message_start and pings count).
    drop_after: int | None = None
    error_after: int | None = None
    stall: float = 0.0
    stall_after: int = 0
    ping_interval: float | None = None
    drip: float = 0.0
    malformed_after: int | None = None
    content_type: str | None = None
    omit_stop: bool = False
    chunking: str | None = None
    replay: str | os.PathLike[str] | None = None

    def __post_init__(self) -> None:
        if self.body not in BODIES:
            raise ValueError(f"body must be one of {BODIES}, not {self.body!r}")
        if self.chunking is not None and self.chunking not in CHUNKINGS:
            raise ValueError(f"chunking must be one of {CHUNKINGS}, not {self.chunking!r}")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP status, not {self.status!r}")
        for name in ("delay", "stall", "drip"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    @classmethod
    def from_header(cls, value: str) -> Fault:
        """Parse an ``x-fake-fault`` header; ValueError says what is wrong with it."""
        try:
            fields = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"x-fake-fault: not JSON ({exc})") from None
        if not isinstance(fields, dict):
            raise ValueError("x-fake-fault: expected a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f"x-fake-fault: unknown fields {unknown}")
        try:
            return cls(**fields)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"x-fake-fault: {exc}") from None

    def resolved_error_type(self, status: int) -> str:
        if self.error_type:
            return self.error_type
        return _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")


def default_message(error_type: str) -> str:
    return _MESSAGES.get(error_type, error_type.replace("_", " ").capitalize())


def error_envelope(error_type: str, message: str, request_id: str | None) -> dict[str, Any]:
    """The Anthropic error body."""
    body: dict[str, Any] = {"type": "error", "error": {"type": error_type, "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    return body


DEFAULT_429_RETRY_AFTER = "1"
"""Seconds a 429 fault asks to wait when it names no figure: real 429s always say how long."""


def default_retry_after(fault: Fault) -> list[tuple[str, str]]:
    """The ``retry-after`` a failing 429 gets when the fault names none and does not omit it."""
    if fault.status != 429 or fault.omit_retry_after:
        return []
    if fault.retry_after is not None or fault.retry_after_ms is not None:
        return []
    return [("retry-after", DEFAULT_429_RETRY_AFTER)]


def fault_headers(fault: Fault) -> list[tuple[str, str]]:
    """Retry hints the fault asks for; they go on whatever response the request gets."""
    headers = []
    if fault.retry_after is not None:
        value = fault.retry_after
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        headers.append(("retry-after", str(value)))
    if fault.retry_after_ms is not None:
        headers.append(("retry-after-ms", f"{fault.retry_after_ms:g}"))
    if fault.should_retry is not None:
        headers.append(("x-should-retry", "true" if fault.should_retry else "false"))
    return headers


def render_error(fault: Fault, status: int, request_id: str) -> tuple[str, bytes]:
    """Content type and body of a fault's error response, in the envelope it asks for."""
    error_type = fault.resolved_error_type(status)
    message = fault.error_message or default_message(error_type)
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    if fault.body == "openai":
        # Gateways in the wild: a different envelope, "None" as a string, a numeric code.
        data = {"error": {"message": message, "type": "None", "param": None, "code": status}}
        return "application/json", json.dumps(data).encode()
    if fault.body == "html":
        page = f"<html><body><h1>{status} {phrase}</h1></body></html>"
        return "text/html", page.encode()
    if fault.body == "text":
        return "text/plain; charset=utf-8", f"{status} {phrase}: {message}".encode()
    return "application/json", json.dumps(error_envelope(error_type, message, request_id)).encode()
