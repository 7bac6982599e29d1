"""Response models of the Message Batches API: batches, their counts, and their results.

A result's ``result`` is a union discriminated by ``type``, built like the content blocks of
``_models``: known types through a tagged lookup, anything else into ``UnknownBatchResult``
(which refuses known tags, so a malformed known result is an error, never an unknown one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeAlias, Union

from pydantic import Field, field_validator

from .responses import BaseAPIModel, Message, ResponseModel, reject_known_type

ProcessingStatus = str
"""An open string. Known values: ``in_progress``, ``canceling``, ``ended``."""


class MessageBatchRequestCounts(BaseAPIModel):
    """How many of a batch's requests are in each state (all zero until they get there)."""

    processing: int = 0
    succeeded: int = 0
    errored: int = 0
    canceled: int = 0
    expired: int = 0


class MessageBatch(ResponseModel):
    id: str
    type: str = "message_batch"
    processing_status: ProcessingStatus
    request_counts: MessageBatchRequestCounts = Field(default_factory=MessageBatchRequestCounts)
    created_at: datetime | None = None
    expires_at: datetime | None = None
    ended_at: datetime | None = None
    cancel_initiated_at: datetime | None = None
    archived_at: datetime | None = None
    results_url: str | None = None
    """Where the results can be read (JSONL), once ``processing_status`` is ``ended``."""


class DeletedMessageBatch(ResponseModel):
    id: str
    type: str = "message_batch_deleted"


# --- results ---------------------------------------------------------------------------------


class ErrorObject(BaseAPIModel):
    type: str
    message: str = ""


class ErrorResponse(BaseAPIModel):
    """An error as the API reports it: ``{"type": "error", "error": {"type", "message"}}``."""

    type: str = "error"
    error: ErrorObject


class MessageBatchSucceededResult(BaseAPIModel):
    type: Literal["succeeded"] = "succeeded"
    message: Message


class MessageBatchErroredResult(BaseAPIModel):
    type: Literal["errored"] = "errored"
    error: ErrorResponse


class MessageBatchCanceledResult(BaseAPIModel):
    type: Literal["canceled"] = "canceled"


class MessageBatchExpiredResult(BaseAPIModel):
    type: Literal["expired"] = "expired"


_KNOWN_RESULTS = frozenset({"succeeded", "errored", "canceled", "expired"})


class UnknownBatchResult(BaseAPIModel):
    """A result of a type this version does not know; every field is kept in ``model_extra``."""

    type: str

    @field_validator("type")
    @classmethod
    def _not_a_known_type(cls, value: str) -> str:
        return reject_known_type(value, _KNOWN_RESULTS)


MessageBatchResult: TypeAlias = Annotated[
    Union[  # noqa: UP007 - pydantic needs the runtime Union for Python 3.10
        Annotated[
            Union[  # noqa: UP007
                MessageBatchSucceededResult,
                MessageBatchErroredResult,
                MessageBatchCanceledResult,
                MessageBatchExpiredResult,
            ],
            Field(discriminator="type"),
        ],
        UnknownBatchResult,
    ],
    Field(union_mode="left_to_right"),
]


class MessageBatchIndividualResponse(BaseAPIModel):
    """One line of a batch's results file: which request (``custom_id``) and how it went."""

    custom_id: str
    result: MessageBatchResult
