"""``SyncConversation``: ``Conversation`` for the sync ``Client``, forwarded to the async one.

The history, the budget and every rule live in the async ``Conversation``; this class only
carries its calls to the client's loop thread (``send``) and enters its ``stream`` context
there (``BlockingPortal.wrap_async_context_manager``: one task holds the async context from
enter to exit).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from aioanthropic._conversation import Conversation
from aioanthropic._protocol.params import MessageParam, SystemParam
from aioanthropic._protocol.responses import Message
from aioanthropic.types import ParsedMessageStreamEvent

from .client import Client
from .wrappers import SyncMessageStream


class SyncConversation:
    """``conv = SyncConversation(client, model=..., max_tokens=...)``; ``conv.send("...")``
    returns the reply and appends both turns; ``with conv.stream("...") as stream:``. The
    arguments, attributes and errors are ``Conversation``'s (see there)."""

    def __init__(
        self,
        client: Client,
        *,
        model: str,
        max_tokens: int,
        system: SystemParam | None = None,
        context_budget: int | None = None,
        count: Literal["estimate", "api"] = "estimate",
        messages: Iterable[MessageParam] = (),
        **defaults: Any,
    ) -> None:
        self._loop = client._loop
        self.conversation = Conversation(
            client.async_client,
            model=model,
            max_tokens=max_tokens,
            system=system,
            context_budget=context_budget,
            count=count,
            messages=messages,
            **defaults,
        )
        """The async ``Conversation`` underneath (its state is this object's state)."""

    @property
    def messages(self) -> list[MessageParam]:
        return self.conversation.messages

    @property
    def dropped(self) -> list[MessageParam]:
        return self.conversation.dropped

    @property
    def system(self) -> SystemParam | None:
        return self.conversation.system

    @system.setter
    def system(self, value: SystemParam | None) -> None:
        self.conversation.system = value

    def send(self, content: Any, *, prefill: str | None = None, **overrides: Any) -> Message:
        """``Conversation.send``, blocking."""

        async def call() -> Message:
            return await self.conversation.send(content, prefill=prefill, **overrides)

        return self._loop.call(call)

    @contextmanager
    def stream(
        self, content: Any, *, prefill: str | None = None, **overrides: Any
    ) -> Iterator[SyncMessageStream[ParsedMessageStreamEvent]]:
        """``Conversation.stream``: both turns are appended when the stream was read to its
        end and the block exits without an error."""
        cm = self.conversation.stream(content, prefill=prefill, **overrides)
        with self._loop.portal.wrap_async_context_manager(cm) as stream:
            yield SyncMessageStream(self._loop, stream)

    def to_json(self) -> str:
        return self.conversation.to_json()

    def __repr__(self) -> str:
        return repr(self.conversation).replace("<Conversation", "<SyncConversation", 1)
