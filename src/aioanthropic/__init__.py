"""aioanthropic: an async-first client for the Anthropic Messages API and compatible gateways.

Everything public is importable from here (and the models also from ``aioanthropic.types``);
modules whose names start with an underscore are private. The package is laid out in floors,
each importing only from the ones below it (``tests/test_architecture.py`` checks this):

    _protocol/    sans-IO: events, SSE, MessageStreamProtocol, accumulator, retry policy, models
    _http/        the I/O shell over httpx and anyio: requester, sender, streams, pagination
    _resources/   messages, batches, models: each method describes its call once
    _client.py    AsyncClient: configuration, the connection pool and the resources
    _sync/        Client: the blocking client, derived from AsyncClient (one loop thread each)
"""

import typing as _typing
from importlib import import_module as _import_module

from ._version import __version__

# Nothing heavy at import (house style 14): each public name is imported from its module on
# first access (PEP 562). Building the pydantic models is most of the cost; measured in
# benchmarks/README.md ("Import time"). This table is the one list of public names: __all__
# is derived from it, and tests/test_repo.py checks the TYPE_CHECKING block below against it.
_LAZY: dict[str, str] = {
    "types": ".types",
    "AsyncAnthropic": "._client",
    "AsyncClient": "._client",
    "DEFAULT_LIMITS": "._client",
    "DEFAULT_MAX_RETRIES": "._client",
    "DEFAULT_TIMEOUT": "._client",
    "BatchResults": "._http.batch_results",
    "AsyncPaginator": "._http.paginator",
    "RawResponse": "._http.response",
    "MessageStream": "._http.stream",
    "HelperMessageStream": "._http.helper_stream",
    "MessageAccumulator": "._protocol.accumulator",
    "DeletedMessageBatch": "._protocol.batch_responses",
    "MessageBatch": "._protocol.batch_responses",
    "MessageBatchIndividualResponse": "._protocol.batch_responses",
    "MessageBatchRequestCounts": "._protocol.batch_responses",
    "APIConnectionError": "._protocol.exceptions",
    "APIError": "._protocol.exceptions",
    "APIResponseValidationError": "._protocol.exceptions",
    "APIStatusError": "._protocol.exceptions",
    "APITimeoutError": "._protocol.exceptions",
    "AnthropicError": "._protocol.exceptions",
    "AuthenticationError": "._protocol.exceptions",
    "BadRequestError": "._protocol.exceptions",
    "BatchResultsUnavailableError": "._protocol.exceptions",
    "BatchWaitTimeoutError": "._protocol.exceptions",
    "ConflictError": "._protocol.exceptions",
    "ConversationError": "._protocol.exceptions",
    "EventTooLargeError": "._protocol.exceptions",
    "IncompleteStreamError": "._protocol.exceptions",
    "InternalServerError": "._protocol.exceptions",
    "InvalidCredentialsError": "._protocol.exceptions",
    "MissingCredentialsError": "._protocol.exceptions",
    "NotFoundError": "._protocol.exceptions",
    "OutputRefusedError": "._protocol.exceptions",
    "OutputTruncatedError": "._protocol.exceptions",
    "OutputValidationError": "._protocol.exceptions",
    "OverloadedError": "._protocol.exceptions",
    "PermissionDeniedError": "._protocol.exceptions",
    "RateLimitError": "._protocol.exceptions",
    "RateLimitWaitError": "._protocol.exceptions",
    "RequestTooLargeError": "._protocol.exceptions",
    "ServiceUnavailableError": "._protocol.exceptions",
    "StreamProtocolError": "._protocol.exceptions",
    "StructuredOutputError": "._protocol.exceptions",
    "ToolInputError": "._protocol.exceptions",
    "UnprocessableEntityError": "._protocol.exceptions",
    "NOT_GIVEN": "._protocol.not_given",
    "NotGiven": "._protocol.not_given",
    "Omit": "._protocol.not_given",
    "not_given": "._protocol.not_given",
    "omit": "._protocol.not_given",
    "UnsupportedBackendError": "._protocol.exceptions",
    "Page": "._protocol.pagination",
    "MessageBatchRequestParam": "._protocol.params",
    "MessageBodyParams": "._protocol.params",
    "MessageCountTokensParams": "._protocol.params",
    "MessageCreateParams": "._protocol.params",
    "RequestOptions": "._protocol.params",
    "RateLimitInfo": "._protocol.ratelimit",
    "RateLimitWindow": "._protocol.ratelimit",
    "parse_rate_limit": "._protocol.ratelimit",
    "Message": "._protocol.responses",
    "MessageTokensCount": "._protocol.responses",
    "ModelInfo": "._protocol.responses",
    "END": "._protocol.stream",
    "MessageStreamProtocol": "._protocol.stream",
    "NEED_DATA": "._protocol.stream",
    "estimate_tokens": "._protocol.tokens",
    "MessageStreamManager": "._resources.messages",
    # helpers above the resources: structured output, tools
    "ParsedMessage": "._structured._parse",
    "ParsedMessageStream": "._structured._stream",
    "ParsedMessageStreamManager": "._structured._stream",
    "ParsedTextBlock": "._structured._parse",
    "RecursiveSchemaError": "._structured._schema",
    "FunctionTool": "._tools._function",
    "ToolRunner": "._tools._runner",
    "tool": "._tools._function",
    "RateLimiter": "._ratelimiter",
    "Conversation": "._conversation",
    "Anthropic": "._sync.client",
    "Client": "._sync.client",
    "SyncConversation": "._sync.conversation",
    "SyncBatchResults": "._sync.wrappers",
    "SyncMessageStream": "._sync.wrappers",
    "SyncMessageStreamManager": "._sync.wrappers",
    "SyncPage": "._sync.wrappers",
    "SyncRawResponse": "._sync.wrappers",
    "SyncToolRunner": "._sync.tool_runner",
}

if _typing.TYPE_CHECKING:  # the real imports, for type checkers and IDEs
    # "X as X" marks each as re-exported: mypy --strict (no implicit re-export) cannot read
    # __all__ built from _LAZY, and would reject `from aioanthropic import X` in user code.
    # (isort would split each "as" import into a statement of its own.)
    # isort: off
    from . import types as types
    from ._client import (
        DEFAULT_LIMITS as DEFAULT_LIMITS,
        DEFAULT_MAX_RETRIES as DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT as DEFAULT_TIMEOUT,
        AsyncAnthropic as AsyncAnthropic,
        AsyncClient as AsyncClient,
    )
    from ._http.batch_results import (
        BatchResults as BatchResults,
    )
    from ._http.helper_stream import (
        HelperMessageStream as HelperMessageStream,
    )
    from ._http.paginator import (
        AsyncPaginator as AsyncPaginator,
    )
    from ._http.response import (
        RawResponse as RawResponse,
    )
    from ._http.stream import (
        MessageStream as MessageStream,
    )
    from ._protocol.accumulator import (
        MessageAccumulator as MessageAccumulator,
    )
    from ._protocol.batch_responses import (
        DeletedMessageBatch as DeletedMessageBatch,
        MessageBatch as MessageBatch,
        MessageBatchIndividualResponse as MessageBatchIndividualResponse,
        MessageBatchRequestCounts as MessageBatchRequestCounts,
    )
    from ._protocol.exceptions import (
        AnthropicError as AnthropicError,
        APIConnectionError as APIConnectionError,
        APIError as APIError,
        APIResponseValidationError as APIResponseValidationError,
        APIStatusError as APIStatusError,
        APITimeoutError as APITimeoutError,
        AuthenticationError as AuthenticationError,
        BadRequestError as BadRequestError,
        BatchResultsUnavailableError as BatchResultsUnavailableError,
        BatchWaitTimeoutError as BatchWaitTimeoutError,
        ConflictError as ConflictError,
        ConversationError as ConversationError,
        EventTooLargeError as EventTooLargeError,
        IncompleteStreamError as IncompleteStreamError,
        InternalServerError as InternalServerError,
        InvalidCredentialsError as InvalidCredentialsError,
        MissingCredentialsError as MissingCredentialsError,
        NotFoundError as NotFoundError,
        OutputRefusedError as OutputRefusedError,
        OutputTruncatedError as OutputTruncatedError,
        OutputValidationError as OutputValidationError,
        OverloadedError as OverloadedError,
        PermissionDeniedError as PermissionDeniedError,
        RateLimitError as RateLimitError,
        RateLimitWaitError as RateLimitWaitError,
        RequestTooLargeError as RequestTooLargeError,
        ServiceUnavailableError as ServiceUnavailableError,
        StreamProtocolError as StreamProtocolError,
        StructuredOutputError as StructuredOutputError,
        ToolInputError as ToolInputError,
        UnprocessableEntityError as UnprocessableEntityError,
        UnsupportedBackendError as UnsupportedBackendError,
    )
    from ._protocol.not_given import (
        NOT_GIVEN as NOT_GIVEN,
        NotGiven as NotGiven,
        Omit as Omit,
        not_given as not_given,
        omit as omit,
    )
    from ._protocol.pagination import (
        Page as Page,
    )
    from ._protocol.params import (
        MessageBatchRequestParam as MessageBatchRequestParam,
        MessageBodyParams as MessageBodyParams,
        MessageCountTokensParams as MessageCountTokensParams,
        MessageCreateParams as MessageCreateParams,
        RequestOptions as RequestOptions,
    )
    from ._protocol.ratelimit import (
        RateLimitInfo as RateLimitInfo,
        RateLimitWindow as RateLimitWindow,
        parse_rate_limit as parse_rate_limit,
    )
    from ._protocol.responses import (
        Message as Message,
        MessageTokensCount as MessageTokensCount,
        ModelInfo as ModelInfo,
    )
    from ._protocol.stream import (
        END as END,
        NEED_DATA as NEED_DATA,
        MessageStreamProtocol as MessageStreamProtocol,
    )
    from ._protocol.tokens import (
        estimate_tokens as estimate_tokens,
    )
    from ._conversation import (
        Conversation as Conversation,
    )
    from ._ratelimiter import (
        RateLimiter as RateLimiter,
    )
    from ._resources.messages import (
        MessageStreamManager as MessageStreamManager,
    )
    from ._structured._parse import (
        ParsedMessage as ParsedMessage,
        ParsedTextBlock as ParsedTextBlock,
    )
    from ._structured._schema import RecursiveSchemaError as RecursiveSchemaError
    from ._structured._stream import (
        ParsedMessageStream as ParsedMessageStream,
        ParsedMessageStreamManager as ParsedMessageStreamManager,
    )
    from ._tools._function import (
        FunctionTool as FunctionTool,
        tool as tool,
    )
    from ._tools._runner import ToolRunner as ToolRunner
    from ._sync.client import (
        Anthropic as Anthropic,
        Client as Client,
    )
    from ._sync.conversation import SyncConversation as SyncConversation
    from ._sync.wrappers import (
        SyncBatchResults as SyncBatchResults,
        SyncMessageStream as SyncMessageStream,
        SyncMessageStreamManager as SyncMessageStreamManager,
        SyncPage as SyncPage,
        SyncRawResponse as SyncRawResponse,
    )
    from ._sync.tool_runner import SyncToolRunner as SyncToolRunner
    # isort: on


if not _typing.TYPE_CHECKING:  # hidden from type checkers, so a misspelt name stays an error

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        imported = _import_module(module, __name__)
        value = imported if module == "." + name else getattr(imported, name)
        if isinstance(value, type) and value.__module__.startswith(__name__ + "._"):
            # Public classes report the public module, as httpx's do (repr, docs, pickle).
            value.__module__ = __name__
        globals()[name] = value  # later accesses are plain attribute reads
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = ["__version__", *_LAZY]
