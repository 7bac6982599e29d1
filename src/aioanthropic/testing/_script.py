"""Scripted turns: replies a test dictates, served instead of the deterministic model's.

``FakeServer.script(*turns)`` queues ``Turn`` values; each POST /v1/messages that gets as far
as the model (past faults, header and body checks and the rate-limit budget) takes the next one,
and once the queue is empty the deterministic model (``_responder``) answers again. A scripted turn
is served as written, streamed or not, whatever the request asks for: it ignores ``max_tokens``,
``stop_sequences``, ``tool_choice`` and the request's tools, so that a test can play a model that
misbehaves (calls a tool that does not exist, sends input that fails the tool's schema).
count_tokens and batch requests never take a turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._responder import TOOL_USE_TOKENS, Reply, pieces, thinking_block

STOP_REASONS = ("end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal")
"""The ``stop_reason`` values the Messages API documents."""


@dataclass(frozen=True)
class ToolCall:
    """One ``tool_use`` block of a scripted turn.

    ``input`` is sent as given, never checked against the tool's ``input_schema``: any JSON
    value, so that invalid input can be scripted. ``id`` defaults to a fresh
    ``toolu_fake_<n>``.
    """

    name: str
    input: Any = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class Turn:
    """One scripted assistant reply.

    Content comes out in this order: a ``thinking`` block (if ``thinking``), a text block (if
    ``text`` is a non-empty string), then one ``tool_use`` block per ``ToolCall`` in order.
    ``stop_reason`` defaults to ``"tool_use"`` when there are tool calls, else ``"end_turn"``;
    it may be any of ``STOP_REASONS`` (``"refusal"``, ``"max_tokens"``, ``"pause_turn"``...).
    ``stop_sequence`` is reported only with ``stop_reason="stop_sequence"`` (required then).
    ``usage.output_tokens`` counts the fake model's word pieces of the text and thinking, plus
    10 per tool call. Raises ``ValueError`` for an unknown stop reason.
    """

    text: str | None = None
    tool_calls: Sequence[ToolCall] = ()
    stop_reason: str | None = None
    stop_sequence: str | None = None
    thinking: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tool_calls", tuple(self.tool_calls))
        for call in self.tool_calls:
            if not isinstance(call, ToolCall):
                raise TypeError(f"tool_calls must hold ToolCall values, not {call!r}")
        if self.stop_reason is not None and self.stop_reason not in STOP_REASONS:
            raise ValueError(f"stop_reason must be one of {STOP_REASONS}, not {self.stop_reason!r}")
        if (self.stop_reason == "stop_sequence") != (self.stop_sequence is not None):
            raise ValueError("stop_sequence goes with stop_reason='stop_sequence', and only there")


def scripted_reply(
    turn: Turn,
    input_tokens: int,
    new_tool_id: Callable[[], str],
    server_tool_use: dict[str, int] | None = None,
) -> Reply:
    """The ``Reply`` that ``turn`` describes; ``input_tokens`` is the request's estimate."""
    content: list[dict[str, Any]] = []
    output_tokens = 0
    if turn.thinking is not None:
        content.append(thinking_block(turn.thinking))
        output_tokens += len(pieces(turn.thinking))
    if turn.text:
        content.append({"type": "text", "text": turn.text})
        output_tokens += len(pieces(turn.text))
    for call in turn.tool_calls:
        block = {"type": "tool_use", "id": call.id or new_tool_id(), "name": call.name}
        content.append({**block, "input": call.input})
        output_tokens += TOOL_USE_TOKENS
    stop_reason = turn.stop_reason or ("tool_use" if turn.tool_calls else "end_turn")
    return Reply(
        content,
        stop_reason,
        turn.stop_sequence,
        input_tokens,
        output_tokens,
        False,
        server_tool_use,
    )
