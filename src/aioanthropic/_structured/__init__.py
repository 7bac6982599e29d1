"""Structured output: replies validated into Python types, whole (``messages.parse``) and
streamed (``messages.stream(output_format=...)``)."""

from ._parse import ParsedMessage, ParsedTextBlock
from ._partial import PartialJSON
from ._schema import OutputSpec, RecursiveSchemaError, native_schema
from ._stream import ParsedMessageStream, ParsedMessageStreamManager

__all__ = [
    "OutputSpec",
    "ParsedMessage",
    "ParsedMessageStream",
    "ParsedMessageStreamManager",
    "ParsedTextBlock",
    "PartialJSON",
    "RecursiveSchemaError",
    "native_schema",
]
