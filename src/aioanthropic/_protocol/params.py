"""Request parameters as TypedDicts: callers write plain dict literals, type checkers check them.

Required keys sit in a private ``_...Base`` TypedDict and optional ones in the ``total=False``
subclass, which keeps Python 3.10 without needing ``typing_extensions`` at run time. At run time
these are plain dicts: the body goes to JSON as it is, with no walk over every union variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypedDict, Union

from .responses import ContentBlock

if TYPE_CHECKING:
    import httpx


class CacheControlParam(TypedDict, total=False):
    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"]


# --- content block params --------------------------------------------------------------------


class _TextBlockParamBase(TypedDict):
    type: Literal["text"]
    text: str


class TextBlockParam(_TextBlockParamBase, total=False):
    cache_control: CacheControlParam | None
    citations: Sequence[dict[str, Any]] | None


class _Base64ImageSourceParam(TypedDict):
    type: Literal["base64"]
    media_type: Literal["image/jpeg", "image/png", "image/gif", "image/webp"]
    data: str


class Base64ImageSourceParam(_Base64ImageSourceParam, total=False):
    pass


class URLImageSourceParam(TypedDict):
    type: Literal["url"]
    url: str


class _ImageBlockParamBase(TypedDict):
    type: Literal["image"]
    source: Base64ImageSourceParam | URLImageSourceParam


class ImageBlockParam(_ImageBlockParamBase, total=False):
    cache_control: CacheControlParam | None


class Base64PDFSourceParam(TypedDict):
    type: Literal["base64"]
    media_type: Literal["application/pdf"]
    data: str


class PlainTextSourceParam(TypedDict):
    type: Literal["text"]
    media_type: Literal["text/plain"]
    data: str


class URLPDFSourceParam(TypedDict):
    type: Literal["url"]
    url: str


class ContentBlockSourceParam(TypedDict):
    type: Literal["content"]
    content: str | Sequence[TextBlockParam | ImageBlockParam]


class CitationsConfigParam(TypedDict, total=False):
    enabled: bool


class _DocumentBlockParamBase(TypedDict):
    type: Literal["document"]
    source: (
        Base64PDFSourceParam | PlainTextSourceParam | URLPDFSourceParam | ContentBlockSourceParam
    )


class DocumentBlockParam(_DocumentBlockParamBase, total=False):
    cache_control: CacheControlParam | None
    citations: CitationsConfigParam
    context: str | None
    title: str | None


class _ToolUseBlockParamBase(TypedDict):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, Any]


class ToolUseBlockParam(_ToolUseBlockParamBase, total=False):
    cache_control: CacheControlParam | None


class _ToolResultBlockParamBase(TypedDict):
    type: Literal["tool_result"]
    tool_use_id: str


class ToolResultBlockParam(_ToolResultBlockParamBase, total=False):
    content: str | Sequence[TextBlockParam | ImageBlockParam | DocumentBlockParam]
    is_error: bool
    cache_control: CacheControlParam | None


class ThinkingBlockParam(TypedDict):
    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlockParam(TypedDict):
    type: Literal["redacted_thinking"]
    data: str


ContentBlockParam = Union[  # noqa: UP007 - a runtime alias must work on Python 3.10
    TextBlockParam,
    ImageBlockParam,
    DocumentBlockParam,
    ToolUseBlockParam,
    ToolResultBlockParam,
    ThinkingBlockParam,
    RedactedThinkingBlockParam,
]


class MessageParam(TypedDict):
    role: Literal["user", "assistant"]
    # Response blocks are accepted too, so ``message.content`` can be sent back as history.
    content: str | Iterable[ContentBlockParam | ContentBlock]


# --- tools, tool choice, thinking, metadata --------------------------------------------------


class _ToolParamBase(TypedDict):
    name: str
    input_schema: dict[str, Any]


class ToolParam(_ToolParamBase, total=False):
    description: str
    type: str
    cache_control: CacheControlParam | None


class ToolParamConvertible(Protocol):
    """A tool object (``@tool``) accepted in ``tools=[...]``: sent as ``to_param()``."""

    def to_param(self) -> ToolParam: ...


class _ToolChoiceAutoBase(TypedDict):
    type: Literal["auto"]


class ToolChoiceAutoParam(_ToolChoiceAutoBase, total=False):
    disable_parallel_tool_use: bool


class _ToolChoiceAnyBase(TypedDict):
    type: Literal["any"]


class ToolChoiceAnyParam(_ToolChoiceAnyBase, total=False):
    disable_parallel_tool_use: bool


class _ToolChoiceToolBase(TypedDict):
    type: Literal["tool"]
    name: str


class ToolChoiceToolParam(_ToolChoiceToolBase, total=False):
    disable_parallel_tool_use: bool


class ToolChoiceNoneParam(TypedDict):
    type: Literal["none"]


ToolChoiceParam = Union[  # noqa: UP007
    ToolChoiceAutoParam, ToolChoiceAnyParam, ToolChoiceToolParam, ToolChoiceNoneParam
]


class ThinkingConfigEnabledParam(TypedDict):
    type: Literal["enabled"]
    budget_tokens: int


class ThinkingConfigDisabledParam(TypedDict):
    type: Literal["disabled"]


ThinkingConfigParam = Union[ThinkingConfigEnabledParam, ThinkingConfigDisabledParam]  # noqa: UP007


class MetadataParam(TypedDict, total=False):
    user_id: str | None


SystemParam = Union[str, Sequence[TextBlockParam]]  # noqa: UP007


# --- request bodies and per-call options ------------------------------------------------------


class RequestOptions(TypedDict, total=False):
    """Per-call options every method takes besides its API parameters."""

    betas: Iterable[str]
    extra_headers: Mapping[str, str | None]
    extra_query: Mapping[str, Any]
    extra_body: Mapping[str, Any]
    timeout: float | httpx.Timeout | None


class _MessageBodyParamsBase(TypedDict):
    model: str
    max_tokens: int
    messages: Sequence[MessageParam]


class MessageBodyParams(_MessageBodyParamsBase, total=False):
    """The body of a message request: what ``create`` sends, and each batch request's
    ``params``."""

    system: SystemParam
    temperature: float
    top_p: float
    top_k: int
    stop_sequences: Sequence[str]
    metadata: MetadataParam
    tools: Iterable[ToolParam | ToolParamConvertible | Mapping[str, Any]]
    tool_choice: ToolChoiceParam
    thinking: ThinkingConfigParam
    service_tier: str


class MessageCreateParams(MessageBodyParams, RequestOptions, total=False):
    """The keyword arguments of ``messages.create`` and ``messages.stream``."""

    idle_timeout: float | None
    """Streaming only: raise ``APITimeoutError`` when no event but pings arrives for this long."""


class _MessageCountTokensParamsBase(TypedDict):
    model: str
    messages: Sequence[MessageParam]


class MessageCountTokensParams(_MessageCountTokensParamsBase, RequestOptions, total=False):
    """The keyword arguments of ``messages.count_tokens``."""

    system: SystemParam
    tools: Iterable[ToolParam | ToolParamConvertible | Mapping[str, Any]]
    tool_choice: ToolChoiceParam
    thinking: ThinkingConfigParam


class MessageBatchRequestParam(TypedDict):
    """One request of a batch: ``params`` is the body ``messages.create`` would send."""

    custom_id: str
    params: MessageBodyParams
