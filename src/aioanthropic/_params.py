"""Request parameters as TypedDicts: callers write plain dict literals, type checkers check them.

Required keys sit in a private ``_...Base`` TypedDict and optional ones in the ``total=False``
subclass, which keeps Python 3.10 without needing ``typing_extensions`` at run time. At run time
these are plain dicts: the body goes to JSON as it is, with no walk over every union variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol, TypedDict, Union

from ._models import ContentBlock


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
