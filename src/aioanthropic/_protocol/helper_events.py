"""The official SDK's helper events, synthesized from the raw ones with no I/O.

How this works
--------------
``messages.stream()`` in the official SDK yields, after each raw event, the events its helper
derives from it, in this order (``anthropic/lib/streaming/_messages.py``, ``build_events``):

    text_delta        -> the raw delta event, then ``text``       (.text, .snapshot)
    citations_delta   -> the raw delta event, then ``citation``   (.citation, .snapshot)
    thinking_delta    -> the raw delta event, then ``thinking``   (.thinking, .snapshot)
    signature_delta   -> the raw delta event, then ``signature``  (.signature)
    input_json_delta  -> the raw delta event, then ``input_json`` (.partial_json, .snapshot =
                         the input parsed so far)
    content_block_stop   -> the same event, also carrying ``.content_block``
    message_stop         -> the same event, also carrying ``.message``

A synthesized event is emitted only when the delta fits its block (a text delta for a text
block, and so on), as there. ``HelperEventBuilder.build(event)`` takes one raw event *after*
the ``MessageAccumulator`` applied it and returns what to yield.

Cost. The official helper rebuilds the block's whole text on every delta, so a stream of n
deltas costs O(n^2). Here each block keeps its fragments in a list (shared with nobody, one
slot per delta) and an event records only how many fragments existed when it was made:
``.snapshot`` is joined when read, from the fragments up to that point, so it is exactly the
value it had at that event. Building the events is O(1) per delta; reading ``.snapshot`` costs
O(size of the block so far), paid only by callers that read it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeAlias, Union

import pydantic_core
from pydantic import Field

from .accumulator import MessageAccumulator
from .events import (
    CitationsDelta,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    InputJSONDelta,
    MessageDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
)
from .responses import Citation, ContentBlock, Message

__all__ = [
    "CitationEvent",
    "HelperEventBuilder",
    "InputJsonEvent",
    "ParsedContentBlockStopEvent",
    "ParsedMessageStopEvent",
    "ParsedMessageStreamEvent",
    "SignatureEvent",
    "TextEvent",
    "ThinkingEvent",
]

_TOOL_BLOCKS = frozenset({"tool_use", "server_tool_use"})


class _Fragments:
    """A view of one block's text (or tool-input JSON) as the accumulator holds it, and how
    long it was at each synthesized event (``size``, in characters). The fragments are the
    accumulator's own, not a second copy: measured on 10,000 text deltas, a list of its own
    here doubled the stream's peak memory (benchmarks/README.md, "Peak memory")."""

    __slots__ = ("_acc", "_index", "_json", "size")

    def __init__(self, acc: MessageAccumulator, index: int, *, json: bool, start: str = "") -> None:
        self._acc = acc
        self._index = index
        self._json = json
        self.size = len(start)

    def add(self, piece: str) -> int:
        self.size += len(piece)
        return self.size

    def upto(self, size: int) -> str:
        whole = (
            self._acc.input_json(self._index) if self._json else self._acc.block_text(self._index)
        )
        return whole if len(whole) == size else whole[:size]


class _HelperEvent:
    """Base of the synthesized events: ``type``-tagged, ``to_dict`` / ``to_json``.

    Immutable: the public fields are read-only properties over private slots. Plain slotted
    classes rather than pydantic models, because one is built per delta (the values in them
    were validated with the raw event already); building one costs a few slot stores.
    """

    __slots__ = ()
    type: str
    _FIELDS: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field (``snapshot`` included) as plain Python values."""
        out: dict[str, Any] = {"type": self.type}
        for name in self._FIELDS:
            value = getattr(self, name)
            if isinstance(value, list):
                value = [v.model_dump() if hasattr(v, "model_dump") else v for v in value]
            elif hasattr(value, "model_dump"):
                value = value.model_dump()
            out[name] = value
        return out

    model_dump = to_dict

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"{type(self).__name__}(type={self.type!r}, {fields})"


class TextEvent(_HelperEvent):
    """After a ``text_delta``: ``text`` is the delta, ``snapshot`` the block's text so far."""

    __slots__ = ("_frags", "_n", "_text")
    type: Literal["text"] = "text"
    _FIELDS = ("text", "snapshot")

    def __init__(self, text: str, frags: _Fragments, n: int) -> None:
        self._text = text
        self._frags = frags
        self._n = n

    _text: str

    @property
    def text(self) -> str:
        return self._text

    _frags: _Fragments
    _n: int

    @property
    def snapshot(self) -> str:
        return self._frags.upto(self._n)


class ThinkingEvent(_HelperEvent):
    """After a ``thinking_delta``: ``thinking`` is the delta, ``snapshot`` the thinking so far."""

    __slots__ = ("_frags", "_n", "_thinking")
    type: Literal["thinking"] = "thinking"
    _FIELDS = ("thinking", "snapshot")

    def __init__(self, thinking: str, frags: _Fragments, n: int) -> None:
        self._thinking = thinking
        self._frags = frags
        self._n = n

    _thinking: str

    @property
    def thinking(self) -> str:
        return self._thinking

    _frags: _Fragments
    _n: int

    @property
    def snapshot(self) -> str:
        return self._frags.upto(self._n)


class SignatureEvent(_HelperEvent):
    """After a ``signature_delta``: the thinking block's ``signature``."""

    __slots__ = ("_signature",)
    type: Literal["signature"] = "signature"
    _FIELDS = ("signature",)

    def __init__(self, signature: str) -> None:
        self._signature = signature

    _signature: str

    @property
    def signature(self) -> str:
        return self._signature


class CitationEvent(_HelperEvent):
    """After a ``citations_delta``: ``citation`` is the new one, ``snapshot`` every citation of
    the block so far (a new list on each read)."""

    __slots__ = ("_all", "_citation", "_n")
    type: Literal["citation"] = "citation"
    _FIELDS = ("citation", "snapshot")

    def __init__(self, citation: Citation, all_citations: list[Any], n: int) -> None:
        self._citation = citation
        self._all = all_citations
        self._n = n

    _citation: Citation

    @property
    def citation(self) -> Citation:
        return self._citation

    _all: list[Any]
    _n: int

    @property
    def snapshot(self) -> list[Citation]:
        return list(self._all[: self._n])


class InputJsonEvent(_HelperEvent):
    """After an ``input_json_delta``: ``partial_json`` is the delta, ``snapshot`` the tool input
    parsed from the JSON so far (incomplete values left out, as the official helper's
    ``partial_mode=True`` parse does; ``{}`` before anything parses)."""

    __slots__ = ("_frags", "_n", "_partial_json")
    type: Literal["input_json"] = "input_json"
    _FIELDS = ("partial_json", "snapshot")

    def __init__(self, partial_json: str, frags: _Fragments, n: int) -> None:
        self._partial_json = partial_json
        self._frags = frags
        self._n = n

    _partial_json: str

    @property
    def partial_json(self) -> str:
        return self._partial_json

    _frags: _Fragments
    _n: int

    @property
    def snapshot(self) -> object:
        text = self._frags.upto(self._n)
        if not text.strip():
            return {}
        try:
            return pydantic_core.from_json(text, allow_partial=True)
        except ValueError:
            return {}


class ParsedContentBlockStopEvent(ContentBlockStopEvent):
    """``content_block_stop`` as ``messages.stream()`` yields it: also the finished block."""

    content_block: ContentBlock


class ParsedMessageStopEvent(MessageStopEvent):
    """``message_stop`` as ``messages.stream()`` yields it: also the whole message."""

    message: Message


ParsedMessageStreamEvent: TypeAlias = Union[  # noqa: UP007
    TextEvent,
    CitationEvent,
    ThinkingEvent,
    SignatureEvent,
    InputJsonEvent,
    MessageStartEvent,
    MessageDeltaEvent,
    ParsedMessageStopEvent,
    ContentBlockStartEvent,
    ContentBlockDeltaEvent,
    ParsedContentBlockStopEvent,
    Annotated[Any, Field(description="ping, error and unknown events pass through")],
]
"""What ``messages.stream()`` yields (the official ``lib.streaming.MessageStreamEvent``)."""


class HelperEventBuilder:
    """Fed each raw event after the accumulator applied it; returns what the helper stream
    yields for it: the event itself (or its parsed form) and any synthesized event."""

    def __init__(self, accumulator: MessageAccumulator) -> None:
        self._acc = accumulator
        self._kinds: dict[int, str] = {}
        self._frags: dict[int, _Fragments] = {}
        self._citations: dict[int, list[Any]] = {}

    def synthesize(self, event: Any) -> Any:
        """The synthesized event that follows ``event``, or None (deltas only)."""
        if type(event) is not ContentBlockDeltaEvent:
            if type(event) is ContentBlockStartEvent:
                self._start(event)
            return None
        delta: Any = event.delta
        index = event.index
        kind = self._kinds.get(index)
        delta_type = type(delta)
        if delta_type is TextDelta:
            if kind == "text":
                frags = self._frags[index]
                return TextEvent(delta.text, frags, frags.add(delta.text))
        elif delta_type is InputJSONDelta:
            if kind in _TOOL_BLOCKS:
                frags = self._frags[index]
                return InputJsonEvent(delta.partial_json, frags, frags.add(delta.partial_json))
        elif delta_type is ThinkingDelta:
            if kind == "thinking":
                frags = self._frags[index]
                return ThinkingEvent(delta.thinking, frags, frags.add(delta.thinking))
        elif delta_type is SignatureDelta:
            if kind == "thinking":
                return SignatureEvent(delta.signature)
        elif delta_type is CitationsDelta and kind == "text":
            citations = self._citations.setdefault(index, [])
            citations.append(delta.citation)
            return CitationEvent(delta.citation, citations, len(citations))
        return None

    def replace(self, event: Any) -> Any:
        """``content_block_stop`` / ``message_stop`` in their parsed form; others as they are."""
        kind = type(event)
        if kind is ContentBlockStopEvent:
            block = self._acc.content_block(event.index)
            # Both parts were validated already (the event, and the block by content_block);
            # validating them again would only copy them.
            return ParsedContentBlockStopEvent.model_construct(
                type="content_block_stop", index=event.index, content_block=block
            )
        if kind is MessageStopEvent:
            return ParsedMessageStopEvent.model_construct(
                type="message_stop", message=self._acc.message
            )
        return event

    def _start(self, event: ContentBlockStartEvent) -> None:
        block = event.content_block
        kind = block.type
        index = event.index
        self._kinds[index] = kind
        if kind == "text":
            self._frags[index] = _Fragments(
                self._acc, index, json=False, start=getattr(block, "text", "") or ""
            )
            self._citations[index] = list(getattr(block, "citations", None) or [])
        elif kind == "thinking":
            self._frags[index] = _Fragments(
                self._acc, index, json=False, start=getattr(block, "thinking", "") or ""
            )
        elif kind in _TOOL_BLOCKS:
            self._frags[index] = _Fragments(self._acc, index, json=True)
