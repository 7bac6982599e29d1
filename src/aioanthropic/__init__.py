"""aioanthropic: an async-first client for the Anthropic Messages API and compatible gateways.

Everything public is importable from here (and the models also from ``aioanthropic.types``);
modules whose names start with an underscore are private.
"""

from . import types
from ._accumulator import MessageAccumulator
from ._batch_models import (
    DeletedMessageBatch,
    MessageBatch,
    MessageBatchIndividualResponse,
    MessageBatchRequestCounts,
)
from ._batch_results import BatchResults
from ._batches import MessageBatchRequestParam
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
    BatchResultsUnavailableError,
    BatchWaitTimeoutError,
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
from ._messages import (
    MessageBodyParams,
    MessageCountTokensParams,
    MessageCreateParams,
    MessageStreamManager,
)
from ._models import Message, MessageTokensCount, ModelInfo
from ._pagination import AsyncPaginator, Page
from ._ratelimit import RateLimitInfo, RateLimitWindow, parse_rate_limit
from ._request import RequestOptions
from ._response import RawResponse
from ._streaming import MessageStream
from ._tokens import estimate_tokens
from ._version import __version__

__all__ = [
    "__version__",
    "types",
    "AsyncClient",
    "AsyncPaginator",
    "BatchResults",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DeletedMessageBatch",
    "Message",
    "MessageAccumulator",
    "MessageBatch",
    "MessageBatchIndividualResponse",
    "MessageBatchRequestCounts",
    "MessageBatchRequestParam",
    "MessageBodyParams",
    "MessageCountTokensParams",
    "MessageCreateParams",
    "MessageStream",
    "MessageStreamManager",
    "MessageTokensCount",
    "ModelInfo",
    "Page",
    "RateLimitInfo",
    "RateLimitWindow",
    "RawResponse",
    "RequestOptions",
    "estimate_tokens",
    "parse_rate_limit",
    # errors
    "AnthropicError",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchResultsUnavailableError",
    "BatchWaitTimeoutError",
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
