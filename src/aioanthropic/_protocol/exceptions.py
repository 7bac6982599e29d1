"""Every error the SDK raises, sorted by what the caller should conclude.

    AnthropicError                     anything raised by this package
    ├── MissingCredentialsError        no API key or auth token: fix the configuration
    ├── InvalidCredentialsError        a key or token that cannot be sent as a header value
    │                                  (also a ``ValueError``; the message never shows it)
    ├── BatchWaitTimeoutError          ``batches.wait`` gave up; ``.batch`` is the last seen
    │                                  (also a ``TimeoutError``)
    ├── BatchResultsUnavailableError   the batch has no ``results_url`` yet: it has not ended
    ├── UnsupportedBackendError        ``http_backend`` cannot run here (aiohttp under trio)
    ├── ToolInputError                 a model's tool input failed the tool's schema (the runner
    │                                  sends it back as an ``is_error`` result; also a ValueError)
    ├── StructuredOutputError          ``messages.parse``/``stream(output_format=)`` got no valid
    │   │                              output; ``.message`` is the reply that came back
    │   ├── OutputRefusedError         ``stop_reason`` was ``refusal``: do not just re-ask
    │   ├── OutputTruncatedError       ``stop_reason`` was ``max_tokens``: raise ``max_tokens``
    │   └── OutputValidationError      the output is not valid for the type; ``.raw`` and
    │                                  ``.errors`` (pydantic's) say why
    ├── RateLimitWaitError             the client-side ``RateLimiter`` would wait past
    │                                  ``max_wait``; nothing was sent (also a ``TimeoutError``)
    ├── ConversationError              a ``Conversation``'s history breaks the API's rules, or
    │                                  saved data is not a conversation (also a ``ValueError``)
    └── APIError                       a request was made and did not give a usable result
        ├── APIConnectionError         no complete response: the network or the server went away
        │   └── APITimeoutError        ... because a timeout (connect, read, idle) ran out
        ├── APIStatusError             the server answered with an error status (or error event)
        │   ├── BadRequestError            400
        │   ├── AuthenticationError        401
        │   ├── PermissionDeniedError      403
        │   ├── NotFoundError              404
        │   ├── ConflictError              409
        │   ├── RequestTooLargeError       413
        │   ├── UnprocessableEntityError   422
        │   ├── RateLimitError             429
        │   └── InternalServerError        >= 500
        │       ├── ServiceUnavailableError    503
        │       └── OverloadedError            529
        ├── APIResponseValidationError the response or an event did not have the documented shape
        │   ├── StreamProtocolError    events arrived in an order the protocol forbids
        │   └── EventTooLargeError     a line or event passed ``max_event_bytes``
        └── IncompleteStreamError      the stream ended before ``message_stop``

Every ``APIError`` raised while streaming carries ``partial_message``: the message accumulated
from the events received before the failure, so nothing already received is lost. Errors from
httpx are translated into this tree at one place (``_http/errors.py``); none escape to callers.

Every class pickles with its attributes (``status_code``, ``body``, ``partial_message``, ...),
so errors cross process pools and task queues; the state pickled is the error's own
attributes, which never include a credential. ``str(error)`` cuts a message longer than
``MAX_MESSAGE_CHARS`` and says how long it was; ``error.message`` and ``.body`` keep it whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .ratelimit import RateLimitInfo, parse_rate_limit

if TYPE_CHECKING:
    from pydantic import ValidationError

    from .batch_responses import MessageBatch
    from .responses import Message

MAX_MESSAGE_CHARS = 1000
"""``str(error)`` shows at most this many characters of the message (a server's 1 MB error
message would otherwise fill a log line), then notes the original length."""


_NOT_PICKLED = frozenset({"request", "response"})


def _rebuild(cls: type[AnthropicError], args: tuple[Any, ...]) -> AnthropicError:
    # Unpickling: create without __init__ (whose keyword-only arguments pickle's default
    # ``cls(*args)`` cannot pass); ``__setstate__`` then restores the attributes.
    error = cls.__new__(cls, *args)
    error.args = args
    return error


class AnthropicError(Exception):
    """Root of every error raised by aioanthropic."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The httpx request and response stay behind: their headers carry the credentials,
        # and they are live objects; unpickled, ``.request`` / ``.response`` are None.
        state = {k: v for k, v in self.__dict__.items() if k not in _NOT_PICKLED}
        return _rebuild, (type(self), self.args), state


class InvalidCredentialsError(AnthropicError, ValueError):
    """An API key or auth token that cannot be sent as an HTTP header value (a trailing
    newline read from a file, CR/LF, other control characters). Raised when the client is
    constructed; the message names the parameter, never the value."""


class MissingCredentialsError(AnthropicError):
    """Neither an API key nor an auth token was configured."""


class BatchWaitTimeoutError(AnthropicError, TimeoutError):
    """``messages.batches.wait`` ran out of time before the batch ended."""

    batch: MessageBatch

    def __init__(self, message: str, *, batch: MessageBatch) -> None:
        super().__init__(message)
        self.batch = batch


class BatchResultsUnavailableError(AnthropicError):
    """The batch has no ``results_url``: it has not ended yet (``batches.wait`` first)."""


class UnsupportedBackendError(AnthropicError, RuntimeError):
    """The chosen ``http_backend`` cannot run on this event loop: aiohttp needs asyncio."""


class StructuredOutputError(AnthropicError):
    """Structured output was asked for and the reply holds none that is valid.

    ``message`` is the assistant ``Message`` that came back (the last one, after retries).
    """

    message: Message

    def __init__(self, text: str, *, message: Message) -> None:
        super().__init__(text)
        self.message = message


class OutputRefusedError(StructuredOutputError):
    """The model refused (``stop_reason="refusal"``); its text, if any, is on ``message``."""


class OutputTruncatedError(StructuredOutputError):
    """Generation stopped at ``max_tokens`` before the output was complete."""


class OutputValidationError(StructuredOutputError):
    """The output does not validate against ``output_format``.

    ``raw`` is the JSON text as the model wrote it (tool mode: the tool input, as JSON);
    ``errors`` is pydantic's list of errors (``ValidationError.errors()``, inputs left out).
    """

    raw: str
    errors: list[Any]

    def __init__(self, text: str, *, message: Message, raw: str, errors: list[Any]) -> None:
        super().__init__(text, message=message)
        self.raw = raw
        self.errors = errors


class ToolInputError(AnthropicError, ValueError):
    """The model's input for a tool did not validate; ``str()`` says what was wrong."""

    def __init__(self, tool_name: str, error: ValidationError) -> None:
        self.tool_name = tool_name
        self.errors = error.errors(include_url=False, include_context=False)
        lines = []
        for item in self.errors:
            where = ".".join(str(part) for part in item["loc"]) or "(input)"
            lines.append(f"- {where}: {item['msg']}")
        super().__init__(
            f"Invalid input for tool {tool_name!r}:\n" + "\n".join(lines) + "\nFix the input "
            "to match the tool's input_schema and call it again."
        )


class RateLimitWaitError(AnthropicError, TimeoutError):
    """A call would wait longer than its ``RateLimiter``'s ``max_wait``; it was not sent.

    ``budget`` names what it waited on (``"requests"``, ``"input_tokens"``,
    ``"output_tokens"``, ``"concurrency"``, or ``"queue"`` for calls ahead of it); ``wait`` is
    the further wait in seconds it needed, when known.
    """

    budget: str | None
    wait: float | None

    def __init__(self, message: str, *, budget: str | None, wait: float | None) -> None:
        super().__init__(message)
        self.budget = budget
        self.wait = wait


class ConversationError(AnthropicError, ValueError):
    """A ``Conversation`` cannot send its history as it is (the message says which turn is
    wrong and why: a ``tool_use`` left unanswered, a stray ``tool_result``...), or
    ``Conversation.from_json`` was given something ``to_json`` did not write."""


class APIError(AnthropicError):
    """A request was sent and did not produce a usable result."""

    message: str
    request_id: str | None
    retries_taken: int
    partial_message: Message | None
    request: Any = None
    """The ``httpx.Request`` that failed; set by the I/O shell (None only for an error built
    outside a request, as in a test)."""
    body: object = None
    """The response body, parsed when it was JSON; None when no body came (a connection error)."""

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        retries_taken: int = 0,
        partial_message: Message | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.retries_taken = retries_taken
        self.partial_message = partial_message

    def __str__(self) -> str:
        message = shorten(self.message)
        if self.request_id:
            return f"{message} (request_id: {self.request_id})"
        return message


def shorten(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message`` cut to ``limit`` characters, noting its length when cut."""
    if len(message) <= limit:
        return message
    return f"{message[:limit]}... [cut: {len(message):,} characters in all]"


class APIConnectionError(APIError):
    """No complete response arrived: the connection failed, was refused or dropped."""


class APITimeoutError(APIConnectionError):
    """A timeout ran out: connecting, waiting for the response, or between stream events."""


class APIResponseValidationError(APIError):
    """The server's response (or one streamed event) did not have the documented shape."""

    body: str | None

    def __init__(self, message: str, *, body: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.body = body


class StreamProtocolError(APIResponseValidationError):
    """Stream events broke the protocol, for example a delta for a block never started."""


class EventTooLargeError(APIResponseValidationError):
    """A stream line or event was longer than ``max_event_bytes``: raised as soon as the limit
    is passed, rather than after buffering whatever the server chose to send."""


class IncompleteStreamError(APIError):
    """The stream ended (the server closed it cleanly) before ``message_stop`` arrived."""


class APIStatusError(APIError):
    """The server answered with an error status, or sent an ``error`` event mid-stream.

    ``error_type`` is the error's type as the body names it (``overloaded_error``, ...), or None
    when the body says nothing usable; ``body`` is the parsed JSON body, or the raw text when it
    was not JSON. ``retry_after`` is the wait in seconds the server asked for, when it asked.
    """

    status_code: int
    error_type: str | None
    body: object
    headers: Mapping[str, str]
    retry_after: float | None
    response: Any = None
    """The ``httpx.Response`` with the error status (body already read); set by the I/O shell."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code
        self.error_type = error_type
        self.body = body
        self.headers = dict(headers) if headers is not None else {}
        self.retry_after = retry_after

    @property
    def rate_limit(self) -> RateLimitInfo:
        """The ``anthropic-ratelimit-*`` headers of the error response, parsed."""
        return parse_rate_limit(self.headers)

    def __str__(self) -> str:
        kind = f" {self.error_type}" if self.error_type else ""
        return f"{self.status_code}{kind}: {super().__str__()}"


class BadRequestError(APIStatusError):
    """400: the request is malformed; fix it before sending again."""


class AuthenticationError(APIStatusError):
    """401: the API key or token is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not use this resource."""


class NotFoundError(APIStatusError):
    """404: no such resource (model, batch, path)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state."""


class RequestTooLargeError(APIStatusError):
    """413: the request body is larger than the server accepts."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens for the current window; ``retry_after`` says how long."""


class InternalServerError(APIStatusError):
    """A 5xx status: a fault on the server's side."""


class ServiceUnavailableError(InternalServerError):
    """503: the service (or a proxy in front of it) is not available right now."""


class OverloadedError(InternalServerError):
    """529: the API is overloaded; retry later."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: RequestTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
    529: OverloadedError,
}

# The status a response would have had for each error type the API documents: an ``error``
# event arriving mid-stream maps to the same class as that status.
STATUS_BY_ERROR_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "timeout_error": 504,
    "api_error": 500,
    "overloaded_error": 529,
}


def error_for_type(
    error_type: str,
    message: str | None,
    *,
    body: object = None,
    headers: Mapping[str, str] | None = None,
) -> APIStatusError:
    """The error for an ``error`` event (or error object) of this type: the class the same
    error has as an HTTP status (``STATUS_BY_ERROR_TYPE``; an unknown type counts as 500)."""
    status = STATUS_BY_ERROR_TYPE.get(error_type, 500)
    return status_error_class(status)(
        message or f"The server reported {error_type} without a message",
        status_code=status,
        error_type=error_type,
        body=body,
        headers=headers,
    )


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    cls = _BY_STATUS.get(status_code)
    if cls is not None:
        return cls
    if status_code >= 500:
        return InternalServerError
    return APIStatusError
