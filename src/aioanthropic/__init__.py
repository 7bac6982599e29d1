"""aioanthropic: an async-first client for the Anthropic Messages API and compatible gateways.

Everything public is importable from here (and the models also from ``aioanthropic.types``);
modules whose names start with an underscore are private.
"""

import typing as _typing
from importlib import import_module as _import_module

from ._version import __version__

if _typing.TYPE_CHECKING:  # the real imports, for type checkers and IDEs
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
        OutputRefusedError,
        OutputTruncatedError,
        OutputValidationError,
        OverloadedError,
        PermissionDeniedError,
        RateLimitError,
        RequestTooLargeError,
        ServiceUnavailableError,
        StreamProtocolError,
        StructuredOutputError,
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
    from ._structured import (
        ParsedMessage,
        ParsedMessageStream,
        ParsedMessageStreamManager,
        ParsedTextBlock,
        RecursiveSchemaError,
    )
    from ._tokens import estimate_tokens
    from ._tools import FunctionTool, ToolInputError, ToolRunner, tool

# Nothing heavy at import (house style 11): each public name is imported from its module on
# first access (PEP 562). Building the pydantic models is most of the cost; measured in
# benchmarks/README.md ("Import time").
_LAZY: dict[str, str] = {
    "types": ".types",
    "MessageAccumulator": "._accumulator",
    "DeletedMessageBatch": "._batch_models",
    "MessageBatch": "._batch_models",
    "MessageBatchIndividualResponse": "._batch_models",
    "MessageBatchRequestCounts": "._batch_models",
    "BatchResults": "._batch_results",
    "MessageBatchRequestParam": "._batches",
    "DEFAULT_LIMITS": "._client",
    "DEFAULT_MAX_RETRIES": "._client",
    "DEFAULT_TIMEOUT": "._client",
    "AsyncClient": "._client",
    "AnthropicError": "._exceptions",
    "APIConnectionError": "._exceptions",
    "APIError": "._exceptions",
    "APIResponseValidationError": "._exceptions",
    "APIStatusError": "._exceptions",
    "APITimeoutError": "._exceptions",
    "AuthenticationError": "._exceptions",
    "BadRequestError": "._exceptions",
    "BatchResultsUnavailableError": "._exceptions",
    "BatchWaitTimeoutError": "._exceptions",
    "ConflictError": "._exceptions",
    "IncompleteStreamError": "._exceptions",
    "InternalServerError": "._exceptions",
    "MissingCredentialsError": "._exceptions",
    "NotFoundError": "._exceptions",
    "OutputRefusedError": "._exceptions",
    "OutputTruncatedError": "._exceptions",
    "OutputValidationError": "._exceptions",
    "OverloadedError": "._exceptions",
    "PermissionDeniedError": "._exceptions",
    "RateLimitError": "._exceptions",
    "RequestTooLargeError": "._exceptions",
    "ServiceUnavailableError": "._exceptions",
    "StreamProtocolError": "._exceptions",
    "StructuredOutputError": "._exceptions",
    "UnprocessableEntityError": "._exceptions",
    "MessageBodyParams": "._messages",
    "MessageCountTokensParams": "._messages",
    "MessageCreateParams": "._messages",
    "MessageStreamManager": "._messages",
    "Message": "._models",
    "MessageTokensCount": "._models",
    "ModelInfo": "._models",
    "AsyncPaginator": "._pagination",
    "Page": "._pagination",
    "RateLimitInfo": "._ratelimit",
    "RateLimitWindow": "._ratelimit",
    "parse_rate_limit": "._ratelimit",
    "RequestOptions": "._request",
    "RawResponse": "._response",
    "MessageStream": "._streaming",
    "estimate_tokens": "._tokens",
    "ParsedMessage": "._structured",
    "ParsedMessageStream": "._structured",
    "ParsedMessageStreamManager": "._structured",
    "RecursiveSchemaError": "._structured",
    "ParsedTextBlock": "._structured",
    "FunctionTool": "._tools",
    "ToolInputError": "._tools",
    "ToolRunner": "._tools",
    "tool": "._tools",
}


if not _typing.TYPE_CHECKING:  # hidden from type checkers, so a misspelt name stays an error

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        imported = _import_module(module, __name__)
        value = imported if module == "." + name else getattr(imported, name)
        globals()[name] = value  # later accesses are plain attribute reads
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    # tools and structured output (helpers above the resources)
    "FunctionTool",
    "ParsedMessage",
    "ParsedMessageStream",
    "ParsedMessageStreamManager",
    "ParsedTextBlock",
    "ToolRunner",
    "tool",
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
    "OutputRefusedError",
    "OutputTruncatedError",
    "OutputValidationError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RecursiveSchemaError",
    "RequestTooLargeError",
    "ServiceUnavailableError",
    "StreamProtocolError",
    "StructuredOutputError",
    "ToolInputError",
    "UnprocessableEntityError",
]
