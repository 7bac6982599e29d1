"""``Conversation``: a multi-turn history that is sent with each call and grows with each reply.

How this works
--------------
``conv.messages`` is what the next call sends before the new user turn. A call builds a
*candidate* history (the new user turn merged in, the oldest exchanges dropped to fit
``context_budget``, the shape checked), sends it, and only when the reply has arrived in full
replaces the history with candidate + reply. So a failed, cancelled or abandoned call leaves
``conv.messages`` (and ``conv.dropped``) exactly as they were.

The shape rules are the Messages API's: consecutive turns of one role are merged (the API does
the same), the first turn is the user's, and every ``tool_use`` of an assistant turn is answered
by a ``tool_result`` with its id in the very next user turn (and no ``tool_result`` answers
anything else). Dropping for the budget removes whole *exchanges*: a user turn, the assistant's
reply, and, while that reply asked for tools, the user turn of tool results and the reply after
it, so a ``tool_use`` is never parted from its ``tool_result``. The latest user turn is never
dropped.

The size estimate is ``aioanthropic.estimate_tokens`` scaled by how far it was off on the last
call (the ratio of that response's ``usage`` input tokens, cache included, to the estimate of
what it sent), or with ``count="api"`` the API's ``count_tokens`` (one request per check).

With ``@tool`` functions among the call's ``tools``, ``send`` hands the candidate history to
``client.messages.tool_runner`` and, when the loop has ended, commits everything the runner
appended (each assistant turn, each user turn of tool results, the final reply) in one step,
so the all-or-nothing rule holds for the whole loop. The budget is applied once, before the
loop: the turns a loop adds are never dropped while it runs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

from aioanthropic._http.stream import MessageStream
from aioanthropic._protocol.exceptions import ConversationError
from aioanthropic._protocol.params import MessageCreateParams, MessageParam, SystemParam
from aioanthropic._protocol.responses import Message, TextBlock
from aioanthropic._protocol.tokens import estimate_tokens
from aioanthropic._tools._function import FunctionTool

if TYPE_CHECKING:
    from aioanthropic._client import AsyncClient

_FORMAT = "aioanthropic.Conversation/1"
_RESERVED = frozenset({"model", "max_tokens", "system", "messages", "stream"})
_ALLOWED = frozenset(MessageCreateParams.__annotations__) - _RESERVED


class Conversation:
    """A conversation with one model: ``await conv.send("...")`` returns the reply ``Message``
    and appends both turns to ``conv.messages``.

    ``model``, ``max_tokens`` (output tokens a reply may use), ``system`` (settable between
    calls) and any other ``messages.create`` parameter given here (``temperature=``...) apply
    to every call; ``send``/``stream`` keyword arguments override them for one call.
    ``context_budget`` (input tokens) drops the oldest whole exchanges before a call until the
    history fits (what was dropped is appended to ``conv.dropped``); ``count`` says how the
    size is measured: ``"estimate"`` (offline, corrected by the last reply's real usage) or
    ``"api"`` (``messages.count_tokens``, one request per check).

    ``tools`` (here or per call) with ``@tool`` functions among them makes ``send`` run the
    tool runner (``client.messages.tool_runner``) with ``max_iterations`` (requests per
    ``send``), ``max_concurrency`` (tools of one turn running at once), ``tool_timeout``
    (seconds per tool call) and ``raise_on_tool_error``, and append the whole exchange. Plain
    tool params alone (no function to run) are only sent: answer the reply's ``tool_use``
    blocks by sending ``tool_result`` blocks as the next content. ``stream`` runs no tools: it
    raises ``TypeError`` when the call's tools include ``@tool`` functions.

    Raises ``ConversationError`` (a ``ValueError``) before sending when the history breaks the
    API's rules, saying which turn is wrong; the API's own errors as ``create`` does.
    """

    def __init__(
        self,
        client: AsyncClient,
        *,
        model: str,
        max_tokens: int,
        system: SystemParam | None = None,
        context_budget: int | None = None,
        count: Literal["estimate", "api"] = "estimate",
        messages: Iterable[MessageParam] = (),
        max_iterations: int = 10,
        max_concurrency: int = 8,
        tool_timeout: float | None = None,
        raise_on_tool_error: bool = False,
        **defaults: Any,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise TypeError(f"model must be a non-empty string, got {model!r}")
        _check_max_tokens(max_tokens)
        if context_budget is not None and (
            not isinstance(context_budget, int) or context_budget <= 0
        ):
            raise ValueError(
                f"context_budget must be a positive number of tokens, got {context_budget!r}"
            )
        if count not in ("estimate", "api"):
            raise ValueError(f'count must be "estimate" or "api", got {count!r}')
        _check_runner_limits(max_iterations, max_concurrency, tool_timeout)
        _check_keys(defaults)
        self.client = client
        self.model = model
        self.max_tokens = max_tokens
        self.system: SystemParam | None = system
        self.context_budget = context_budget
        self.count = count
        self.defaults: dict[str, Any] = dict(defaults)
        self.messages: list[MessageParam] = [_plain_message(m) for m in messages]
        self.dropped: list[MessageParam] = []
        """Turns dropped to fit ``context_budget``, oldest first, across all calls."""
        self.max_iterations = max_iterations
        self.max_concurrency = max_concurrency
        self.tool_timeout = tool_timeout
        self.raise_on_tool_error = raise_on_tool_error
        self._ratio: float | None = None  # real / estimated input tokens of the last call
        self._busy = False

    def __repr__(self) -> str:
        return (
            f"<Conversation model={self.model!r} turns={len(self.messages)} "
            f"dropped={len(self.dropped)}>"
        )

    # --- calls -------------------------------------------------------------------------------

    async def send(self, content: Any, *, prefill: str | None = None, **overrides: Any) -> Message:
        """Send a user turn (a string or content blocks) and return the reply; both turns are
        appended. ``prefill`` starts the assistant's turn: the reply continues it, and the
        history keeps prefill + continuation as one assistant turn (so does the returned
        message's first text block).

        With ``@tool`` functions in ``tools`` (the conversation's, or this call's override) the
        tool runner runs the loop and this returns its last message; the history gets every
        turn of it, in order: the assistant turn with ``tool_use``, the user turn of
        ``tool_result`` blocks as the runner built them, ..., the final reply. If the loop
        stopped at ``max_iterations``, the last turn still asks for tools (``stop_reason`` is
        ``"tool_use"``) and the next ``send`` must answer it with ``tool_result`` blocks.
        Nothing is appended if any request of the loop fails or the call is cancelled.
        """
        self._enter()
        try:
            params, kept, dropped = await self._prepare(content, prefill, overrides)
            if _runs_tools(params):
                message, turns, last_sent = await self._run_tools(params, prefill)
                self._commit(params, kept, dropped, message, None, turns, last_sent)
                return message
            reply: Message = await self.client.messages.create(**params)
            self._commit(params, kept, dropped, reply, prefill)
            return reply
        finally:
            self._busy = False

    async def _run_tools(
        self, params: Mapping[str, Any], prefill: str | None
    ) -> tuple[Message, list[MessageParam], list[MessageParam]]:
        """Run the tool loop on a copy of the history; return the last message, the turns the
        loop added (prefill joined into the first reply) and what the last request sent."""
        body = dict(params)
        sent: list[MessageParam] = body.pop("messages")
        runner = self.client.messages.tool_runner(
            messages=sent,
            max_iterations=self.max_iterations,
            max_concurrency=self.max_concurrency,
            tool_timeout=self.tool_timeout,
            raise_on_tool_error=self.raise_on_tool_error,
            **body,
        )
        first: Message | None = None
        async with runner:
            async for reply in runner:
                if first is None:
                    first = reply
        last = runner.last_message
        # max_iterations >= 1, so the loop made at least one request
        assert first is not None
        assert last is not None
        # What the last request sent: everything before the last assistant turn.
        last_sent = list(runner.messages[:-1])
        added = runner.messages[len(sent) :]
        if prefill is not None:
            # The runner sent [..., prefill, continuation, ...] (the API merges the two); the
            # history keeps them as one turn, as it does without tools. ``added[0]`` holds the
            # first reply's content list, which _join_prefill changes in place.
            _join_prefill(first, prefill)
        return last, [_plain_message(turn) for turn in added], last_sent

    @asynccontextmanager
    async def stream(
        self, content: Any, *, prefill: str | None = None, **overrides: Any
    ) -> AsyncIterator[MessageStream]:
        """``async with conv.stream("...") as stream:``: a ``MessageStream`` of the reply.
        Both turns are appended when the stream was read to its end and the block exits
        without an error; otherwise the history is left as it was.

        Raises ``TypeError`` before sending when the call's ``tools`` include ``@tool``
        functions: a tool loop is several replies, so it belongs to ``send``. Plain tool
        params are sent as they are."""
        self._enter()
        try:
            params, kept, dropped = await self._prepare(content, prefill, overrides)
            if _runs_tools(params):
                raise TypeError(
                    "conv.stream() does not run tools: a tool loop is several replies and a "
                    "stream is one. Use `await conv.send(...)`, which runs the tool runner; to "
                    "stream each turn of a loop, use client.messages.tool_runner(stream=True, "
                    "messages=...) directly"
                )
            async with self.client.messages.stream(**params) as stream:
                yield stream
                if stream.protocol.done:
                    message = await stream.get_final_message()
                    self._commit(params, kept, dropped, message, prefill)
        finally:
            self._busy = False

    def _enter(self) -> None:
        if self._busy:
            raise ConversationError(
                "This conversation is already waiting for a reply: one call at a time (the "
                "next turn depends on the reply)"
            )
        self._busy = True

    async def _prepare(
        self, content: Any, prefill: str | None, overrides: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[MessageParam], list[MessageParam]]:
        _check_keys(overrides)
        if prefill is not None:
            if not isinstance(prefill, str) or not prefill:
                raise TypeError(f"prefill must be a non-empty string, got {prefill!r}")
            if prefill != prefill.rstrip():
                raise ValueError(
                    "prefill must not end with whitespace: the API refuses a final assistant "
                    "turn that does"
                )
        turns = merge_turns([*self.messages, {"role": "user", "content": _content(content)}])
        check_history(turns)
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            **self.defaults,
            **overrides,
        }
        _check_max_tokens(params["max_tokens"])
        system = params.pop("system", self.system)
        if system is not None:
            params["system"] = system
        dropped: list[MessageParam] = []
        if self.context_budget is not None:
            turns, dropped = await self._fit(turns, params, prefill)
        sent = list(turns)
        if prefill is not None:
            sent.append({"role": "assistant", "content": prefill})
        params["messages"] = sent
        return params, turns, dropped

    def _commit(
        self,
        params: dict[str, Any],
        kept: list[MessageParam],
        dropped: list[MessageParam],
        message: Message,
        prefill: str | None,
        turns: list[MessageParam] | None = None,
        last_sent: list[MessageParam] | None = None,
    ) -> None:
        """Replace the history with what was kept + the reply (or ``turns``, a tool loop's
        turns), and learn the estimate's error from what the last request sent."""
        if prefill is not None:
            _join_prefill(message, prefill)
        if turns is None:
            turns = [_plain_message({"role": "assistant", "content": list(message.content)})]
        estimate = estimate_tokens(
            last_sent if last_sent is not None else params["messages"],
            system=params.get("system"),
            tools=_tool_params(params.get("tools")),
        )
        usage = message.usage
        real = (
            usage.input_tokens
            + (usage.cache_read_input_tokens or 0)
            + (usage.cache_creation_input_tokens or 0)
        )
        if estimate > 0 and real > 0:
            self._ratio = real / estimate
        self.messages = [*kept, *turns]
        self.dropped.extend(dropped)

    # --- the context budget ------------------------------------------------------------------

    async def _size(self, turns: list[MessageParam], params: Mapping[str, Any]) -> int:
        if self.count == "api":
            counted = await self.client.messages.count_tokens(
                model=params["model"],
                messages=turns,
                **({"system": params["system"]} if "system" in params else {}),
                **({"tools": params["tools"]} if "tools" in params else {}),
            )
            return counted.input_tokens
        estimate = estimate_tokens(
            turns, system=params.get("system"), tools=_tool_params(params.get("tools"))
        )
        return round(estimate * self._ratio) if self._ratio is not None else estimate

    async def _fit(
        self, turns: list[MessageParam], params: Mapping[str, Any], prefill: str | None
    ) -> tuple[list[MessageParam], list[MessageParam]]:
        assert self.context_budget is not None
        extra: list[MessageParam] = (
            [{"role": "assistant", "content": prefill}] if prefill is not None else []
        )
        dropped: list[MessageParam] = []
        while await self._size([*turns, *extra], params) > self.context_budget:
            cut = first_exchange_end(turns)
            if cut is None:
                break  # only the latest user turn is left: it is sent as it is
            dropped.extend(turns[:cut])
            turns = turns[cut:]
        return turns, dropped

    # --- persistence -------------------------------------------------------------------------

    def to_json(self) -> str:
        """The conversation as a JSON string (settings, history, dropped turns); the client
        and its credentials are not included. ``@tool`` functions are saved as their tool
        params (code cannot be saved as JSON): give them back to ``from_json(..., tools=...)``
        to run them again. ``Conversation.from_json`` restores it."""
        return json.dumps(
            {
                "format": _FORMAT,
                "model": self.model,
                "max_tokens": self.max_tokens,
                "system": _plain(self.system),
                "context_budget": self.context_budget,
                "count": self.count,
                "defaults": _plain(self.defaults),
                "messages": [_plain_message(m) for m in self.messages],
                "dropped": [_plain_message(m) for m in self.dropped],
                "ratio": self._ratio,
                "max_iterations": self.max_iterations,
                "max_concurrency": self.max_concurrency,
                "tool_timeout": self.tool_timeout,
                "raise_on_tool_error": self.raise_on_tool_error,
            }
        )

    @classmethod
    def from_json(
        cls,
        client: AsyncClient,
        data: str | bytes | Mapping[str, Any],
        *,
        tools: Iterable[object] | None = None,
    ) -> Conversation:
        """Restore a conversation saved by ``to_json`` (the string, or its parsed dict), to
        continue it with ``client``; ``tools`` replaces the saved tool params (pass the
        ``@tool`` functions again for ``send`` to run them). Raises ``ConversationError`` for
        anything else."""
        try:
            saved = json.loads(data) if isinstance(data, (str, bytes)) else dict(data)
        except ValueError as error:
            raise ConversationError(f"Not a saved conversation: invalid JSON ({error})") from None
        if not isinstance(saved, dict) or saved.get("format") != _FORMAT:
            raise ConversationError(
                f'Not a saved conversation: expected an object with "format": "{_FORMAT}" '
                "(what Conversation.to_json() writes)"
            )
        defaults = dict(saved.get("defaults", {}))
        if tools is not None:
            defaults["tools"] = list(tools)
        try:
            conversation = cls(
                client,
                model=saved["model"],
                max_tokens=saved["max_tokens"],
                system=saved.get("system"),
                context_budget=saved.get("context_budget"),
                count=saved.get("count", "estimate"),
                messages=saved.get("messages", []),
                max_iterations=saved.get("max_iterations", 10),
                max_concurrency=saved.get("max_concurrency", 8),
                tool_timeout=saved.get("tool_timeout"),
                raise_on_tool_error=saved.get("raise_on_tool_error", False),
                **defaults,
            )
        except KeyError as error:
            raise ConversationError(f"Saved conversation lacks {error.args[0]!r}") from None
        except (TypeError, ValueError) as error:
            raise ConversationError(f"Saved conversation is invalid: {error}") from None
        conversation.dropped = [_plain_message(m) for m in saved.get("dropped", [])]
        ratio = saved.get("ratio")
        conversation._ratio = float(ratio) if isinstance(ratio, (int, float)) else None
        check_history(merge_turns(conversation.messages), complete=False)
        return conversation


# --- the history's shape (pure) -------------------------------------------------------------


def merge_turns(turns: Iterable[MessageParam]) -> list[MessageParam]:
    """Consecutive turns of one role merged into one (their content blocks concatenated)."""
    merged: list[MessageParam] = []
    for turn in turns:
        if merged and merged[-1]["role"] == turn["role"]:
            previous = merged[-1]
            merged[-1] = {
                "role": previous["role"],
                "content": [*_blocks(previous["content"]), *_blocks(turn["content"])],
            }
        else:
            merged.append(turn)
    return merged


def check_history(turns: Sequence[MessageParam], *, complete: bool = True) -> None:
    """Raise ``ConversationError`` saying what is wrong if ``turns`` (merged) break the API's
    rules; ``complete`` also requires the last turn to be the user's."""
    if not turns:
        if complete:
            raise ConversationError("The conversation has no user turn to send")
        return
    if turns[0]["role"] != "user":
        raise ConversationError("Turn 0 is the assistant's: a conversation starts with a user turn")
    pending: set[str] = set()
    for index, turn in enumerate(turns):
        role = turn["role"]
        if role not in ("user", "assistant"):
            raise ConversationError(f'Turn {index} has role {role!r}: use "user" or "assistant"')
        blocks = [_block_dict(b) for b in _blocks(turn["content"])]
        if role == "user":
            answered = {b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"}
            if pending - answered:
                missing = ", ".join(sorted(pending - answered))
                raise ConversationError(
                    f"Turn {index} does not answer tool_use {missing} of turn {index - 1}: "
                    "send a tool_result block for each tool_use, in the next user turn"
                )
            if answered - pending:
                stray = ", ".join(sorted(str(a) for a in answered - pending))
                raise ConversationError(
                    f"Turn {index} has a tool_result for {stray}, which turn {index - 1} did "
                    "not ask for (a tool_result answers a tool_use of the turn just before)"
                )
            pending = set()
        else:
            pending = {str(b.get("id")) for b in blocks if b.get("type") == "tool_use"}
    if complete and turns[-1]["role"] != "user":
        raise ConversationError("The last turn is the assistant's: there is nothing to answer")


def first_exchange_end(turns: Sequence[MessageParam]) -> int | None:
    """Where the oldest whole exchange ends (turns before it can be dropped together), or
    None when dropping it would drop the latest user turn."""
    index = 0
    while True:
        # a user turn, then the assistant's reply; continue while the reply asked for tools
        index += 2
        if index >= len(turns):
            return None
        previous = [_block_dict(b) for b in _blocks(turns[index - 1]["content"])]
        if not any(b.get("type") == "tool_use" for b in previous):
            return index


# --- helpers --------------------------------------------------------------------------------


def _check_max_tokens(max_tokens: Any) -> None:
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise TypeError(
            f"max_tokens must be a positive int (the reply's output token limit), got "
            f"{max_tokens!r}"
        )


def _check_runner_limits(max_iterations: Any, max_concurrency: Any, tool_timeout: Any) -> None:
    for name, value in (("max_iterations", max_iterations), ("max_concurrency", max_concurrency)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int of at least 1, got {value!r}")
    if tool_timeout is not None and (
        isinstance(tool_timeout, bool)
        or not isinstance(tool_timeout, (int, float))
        or tool_timeout <= 0
    ):
        raise ValueError(
            f"tool_timeout must be a positive number of seconds or None, got {tool_timeout!r}"
        )


def _runs_tools(params: Mapping[str, Any]) -> bool:
    """Whether the call's tools include a function to run (a ``@tool``), so the runner runs."""
    return any(isinstance(t, FunctionTool) for t in params.get("tools") or ())


def _tool_params(tools: Any) -> list[Any] | None:
    """Tools as the dicts that go over the wire (``@tool`` objects by their ``to_param()``)."""
    if tools is None:
        return None
    return [t.to_param() if isinstance(t, FunctionTool) else t for t in tools]


def _check_keys(params: Mapping[str, Any]) -> None:
    unknown = set(params) - _ALLOWED - {"system", "max_tokens"}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise TypeError(
            f"unexpected keyword argument(s) {names}: a conversation takes the parameters of "
            "messages.create, except model and messages"
        )


def _content(content: Any) -> Any:
    if isinstance(content, str):
        if not content:
            raise ValueError("content must not be empty")
        return content
    if isinstance(content, Iterable) and not isinstance(content, (bytes, Mapping)):
        blocks = [_block_dict(b) for b in content]
        if not blocks or not all(isinstance(b.get("type"), str) for b in blocks):
            raise TypeError("content must be a string or a non-empty list of content blocks")
        return blocks
    raise TypeError(f"content must be a string or a list of content blocks, got {content!r}")


def _blocks(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content)


def _block_dict(block: Any) -> dict[str, Any]:
    if hasattr(block, "model_dump"):
        dumped: dict[str, Any] = block.model_dump(mode="json", exclude_none=True)
        return dumped
    return dict(block) if isinstance(block, Mapping) else {}


def _plain(value: Any) -> Any:
    """JSON-ready: models dumped, ``@tool`` objects as their params, tuples made lists."""
    if isinstance(value, FunctionTool):
        return _plain(value.to_param())
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _plain_message(message: Any) -> MessageParam:
    if not isinstance(message, Mapping) or message.get("role") not in ("user", "assistant"):
        raise ConversationError(
            f'A turn must be {{"role": "user" | "assistant", "content": ...}}, got {message!r}'
        )
    if "content" not in message:
        raise ConversationError(f"A turn has no content: {message!r}")
    return {"role": message["role"], "content": _plain(message["content"])}


def _join_prefill(message: Message, prefill: str) -> None:
    """Make the reply's first text block start with the prefill it continued."""
    first = message.content[0] if message.content else None
    if isinstance(first, TextBlock):
        first.text = prefill + first.text
    else:
        message.content.insert(0, TextBlock(type="text", text=prefill))


__all__ = ["Conversation", "check_history", "first_exchange_end", "merge_turns"]
