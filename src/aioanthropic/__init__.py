"""aioanthropic: an async-first client for the Anthropic Messages API and compatible gateways.

Everything public is importable from here (and the models also from ``aioanthropic.types``);
modules whose names start with an underscore are private.
"""

from . import types
from ._accumulator import MessageAccumulator
from ._client import DEFAULT_LIMITS, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, AsyncClient
from ._exceptions import (
    AnthropicError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    IncompleteStreamError,
    InternalServerError,
    MissingCredentialsError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    ServiceUnavailableError,
    StreamProtocolError,
    UnprocessableEntityError,
)
from ._messages import MessageCreateParams, MessageStreamManager, RequestOptions
from ._models import Message
from ._streaming import MessageStream
from ._version import __version__

__all__ = [
    "__version__",
    "types",
    "AsyncClient",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "Message",
    "MessageAccumulator",
    "MessageCreateParams",
    "MessageStream",
    "MessageStreamManager",
    "RequestOptions",
    # errors
    "AnthropicError",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "IncompleteStreamError",
    "InternalServerError",
    "MissingCredentialsError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "ServiceUnavailableError",
    "StreamProtocolError",
    "UnprocessableEntityError",
]
