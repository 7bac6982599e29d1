"""Response models: what the Messages API sends back, validated by pydantic.

Every model keeps fields it does not know (``extra="allow"``) so that a newer API version or a
gateway adding fields never breaks a client. Unions of blocks and citations are discriminated by
``type``; a type we do not know validates into an explicit ``Unknown*`` model that keeps the raw
data, and a *known* type with bad data is a validation error rather than a silent fallback.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeAlias, Union

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)


def _none_to_empty(value: object) -> object:
    # Some gateways send null where the API sends "" (text, thinking, signature).
    return "" if value is None else value


def _none_to_list(value: object) -> object:
    return [] if value is None else value


LenientStr = Annotated[str, BeforeValidator(_none_to_empty)]


class BaseAPIModel(BaseModel):
    """Base of every response model: unknown fields are kept, not rejected."""

    model_config = ConfigDict(extra="allow")

    # The official SDK's two helpers, with its defaults (fields absent from the response are
    # left out, as ``exclude_unset=True`` does).
    def to_dict(
        self,
        *,
        mode: Literal["json", "python"] = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> dict[str, object]:
        """The model as a dict; ``mode="json"`` gives JSON-safe values (datetimes as text)."""
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> str:
        """The model as a JSON string (indented by ``indent`` spaces; None for compact)."""
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )


class ResponseModel(BaseAPIModel):
    """A top-level object returned by an endpoint; remembers the HTTP exchange it came from."""

    _request_id: str | None = PrivateAttr(default=None)
    _retries_taken: int = PrivateAttr(default=0)
    _elapsed: float | None = PrivateAttr(default=None)

    @property
    def elapsed(self) -> timedelta | None:
        """From sending the request (its first attempt: retries and their waits included) to
        having this result; for a streamed message, to its end. None for an object that did
        not come from a call (built by hand, or accumulated from recorded events)."""
        return None if self._elapsed is None else timedelta(seconds=self._elapsed)

    @property
    def request_id(self) -> str | None:
        """The ``request-id`` header of the response this object came from."""
        return self._request_id

    @property
    def retries_taken(self) -> int:
        """How many times the request was retried before this response arrived."""
        return self._retries_taken


def first_validation_error(exc: ValidationError) -> str:
    """The first error of a validation failure, short enough for an exception message."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


# Unions of typed objects are written ``Annotated[Union[Annotated[Union[known...],
# Field(discriminator="type")], Unknown], Field(union_mode="left_to_right")]``: known variants are
# tried first through pydantic-core's tagged lookup (one dict access); only a tag outside them
# reaches the Unknown model, whose validator refuses known tags so that a malformed known object
# is an error and never an Unknown.
def reject_known_type(value: str, known_types: frozenset[str]) -> str:
    if value in known_types:
        # Reaching here means the known model rejected the data: report that, rather than
        # pass a malformed known object off as an unknown type.
        raise ValueError(f"malformed {value!r} object")
    return value


# --- citations -------------------------------------------------------------------------------


class CitationCharLocation(BaseAPIModel):
    type: Literal["char_location"] = "char_location"
    cited_text: str = ""
    document_index: int = 0
    document_title: str | None = None
    start_char_index: int = 0
    end_char_index: int = 0


class CitationPageLocation(BaseAPIModel):
    type: Literal["page_location"] = "page_location"
    cited_text: str = ""
    document_index: int = 0
    document_title: str | None = None
    start_page_number: int = 0
    end_page_number: int = 0


class CitationContentBlockLocation(BaseAPIModel):
    type: Literal["content_block_location"] = "content_block_location"
    cited_text: str = ""
    document_index: int = 0
    document_title: str | None = None
    start_block_index: int = 0
    end_block_index: int = 0


class CitationWebSearchResultLocation(BaseAPIModel):
    type: Literal["web_search_result_location"] = "web_search_result_location"
    cited_text: str = ""
    encrypted_index: str = ""
    title: str | None = None
    url: str = ""


class CitationSearchResultLocation(BaseAPIModel):
    type: Literal["search_result_location"] = "search_result_location"
    cited_text: str = ""
    search_result_index: int = 0
    source: str = ""
    title: str | None = None
    start_block_index: int = 0
    end_block_index: int = 0


_KNOWN_CITATIONS = frozenset(
    {
        "char_location",
        "page_location",
        "content_block_location",
        "web_search_result_location",
        "search_result_location",
    }
)


class UnknownCitation(BaseAPIModel):
    """A citation of a type this version does not know; every field is kept in ``model_extra``."""

    type: str

    @field_validator("type")
    @classmethod
    def _not_a_known_type(cls, value: str) -> str:
        return reject_known_type(value, _KNOWN_CITATIONS)


Citation: TypeAlias = Annotated[
    Union[  # noqa: UP007 - pydantic needs the runtime Union for Python 3.10
        Annotated[
            Union[  # noqa: UP007
                CitationCharLocation,
                CitationPageLocation,
                CitationContentBlockLocation,
                CitationWebSearchResultLocation,
                CitationSearchResultLocation,
            ],
            Field(discriminator="type"),
        ],
        UnknownCitation,
    ],
    Field(union_mode="left_to_right"),
]


# --- content blocks --------------------------------------------------------------------------


class TextBlock(BaseAPIModel):
    type: Literal["text"] = "text"
    text: LenientStr = ""
    citations: list[Citation] | None = None


class ToolUseBlock(BaseAPIModel):
    type: Literal["tool_use"] = "tool_use"
    id: str
    name: str
    input: dict[str, Any] = Field(default_factory=dict)
    partial_json: str | None = None
    """Set only on a streamed block whose input JSON never completed (for example cut short by
    ``max_tokens``): the raw JSON text received. ``input`` then holds the best-effort parse."""


class ThinkingBlock(BaseAPIModel):
    type: Literal["thinking"] = "thinking"
    thinking: LenientStr = ""
    signature: LenientStr = ""


class RedactedThinkingBlock(BaseAPIModel):
    type: Literal["redacted_thinking"] = "redacted_thinking"
    data: str


class ServerToolUseBlock(BaseAPIModel):
    type: Literal["server_tool_use"] = "server_tool_use"
    id: str
    name: str
    input: dict[str, Any] = Field(default_factory=dict)


class WebSearchToolResultBlock(BaseAPIModel):
    type: Literal["web_search_tool_result"] = "web_search_tool_result"
    tool_use_id: str
    content: Any = None
    """A list of search results, or an error object (``web_search_tool_result_error``)."""


KNOWN_BLOCK_TYPES = frozenset(
    {
        "text",
        "tool_use",
        "thinking",
        "redacted_thinking",
        "server_tool_use",
        "web_search_tool_result",
    }
)


class UnknownBlock(BaseAPIModel):
    """A content block of a type this version does not know.

    Never a text block in disguise: read ``type`` and ``data`` (every field as received).
    """

    type: str

    @field_validator("type")
    @classmethod
    def _not_a_known_type(cls, value: str) -> str:
        return reject_known_type(value, KNOWN_BLOCK_TYPES)

    @property
    def data(self) -> dict[str, Any]:
        return self.model_dump()


ContentBlock: TypeAlias = Annotated[
    Union[  # noqa: UP007
        Annotated[
            Union[  # noqa: UP007
                TextBlock,
                ToolUseBlock,
                ThinkingBlock,
                RedactedThinkingBlock,
                ServerToolUseBlock,
                WebSearchToolResultBlock,
            ],
            Field(discriminator="type"),
        ],
        UnknownBlock,
    ],
    Field(union_mode="left_to_right"),
]


# --- usage and message -----------------------------------------------------------------------


class CacheCreation(BaseAPIModel):
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0


class ServerToolUsage(BaseAPIModel):
    web_search_requests: int = 0


class Usage(BaseAPIModel):
    # Gateways that translate from OpenAI-style backends report prompt/completion tokens.
    input_tokens: int = Field(0, validation_alias=AliasChoices("input_tokens", "prompt_tokens"))
    output_tokens: int = Field(
        0, validation_alias=AliasChoices("output_tokens", "completion_tokens")
    )
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation: CacheCreation | None = None
    server_tool_use: ServerToolUsage | None = None
    service_tier: str | None = None


class StopDetails(BaseAPIModel):
    """Why generation stopped, beyond ``stop_reason`` (for example a refusal's category)."""

    type: str
    category: str | None = None
    explanation: str | None = None


StopReason = str
"""An open string. Known values: ``end_turn``, ``max_tokens``, ``stop_sequence``, ``tool_use``,
``pause_turn``, ``refusal``, ``model_context_window_exceeded``; gateways and newer API versions
may send others, which are kept as they are."""


class Message(ResponseModel):
    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    content: Annotated[list[ContentBlock], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )
    model: str
    stop_reason: StopReason | None = None
    stop_sequence: str | None = None
    stop_details: StopDetails | None = None
    usage: Usage = Field(default_factory=Usage)

    @field_validator("usage", mode="before")
    @classmethod
    def _usage_may_be_null(cls, value: object) -> object:
        return {} if value is None else value


# --- token counting and models ---------------------------------------------------------------


class MessageTokensCount(ResponseModel):
    """What ``messages.count_tokens`` returns."""

    input_tokens: int


class ModelInfo(ResponseModel):
    """One model, from ``models.list`` or ``models.retrieve``."""

    id: str
    type: str = "model"
    display_name: str = ""
    created_at: datetime
