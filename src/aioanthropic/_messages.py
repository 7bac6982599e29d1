"""``client.messages``: create a message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._models import Message
from ._params import (
    MessageParam,
    MetadataParam,
    SystemParam,
    ThinkingConfigParam,
    ToolChoiceParam,
    ToolParam,
)
from ._request import build_body

if TYPE_CHECKING:
    from ._client import AsyncClient, TimeoutTypes


class Messages:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[MessageParam],
        system: SystemParam | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        stop_sequences: Sequence[str] | None = None,
        metadata: MetadataParam | None = None,
        tools: Iterable[ToolParam | Mapping[str, Any]] | None = None,
        tool_choice: ToolChoiceParam | None = None,
        thinking: ThinkingConfigParam | None = None,
        service_tier: str | None = None,
        betas: Iterable[str] | None = None,
        extra_headers: Mapping[str, str | None] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes = None,
    ) -> Message:
        """Send ``POST /v1/messages`` and return the validated ``Message``."""
        body = build_body(
            {
                "model": model,
                "max_tokens": max_tokens,
                "messages": messages,
                "system": system,
                "temperature": temperature,
                "top_p": top_p,
                "top_k": top_k,
                "stop_sequences": stop_sequences,
                "metadata": metadata,
                "tools": tools,
                "tool_choice": tool_choice,
                "thinking": thinking,
                "service_tier": service_tier,
            },
            extra_body,
        )
        client = self._client
        request = client._build_request(
            "POST",
            "/v1/messages",
            body=body,
            betas=betas,
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )
        response, retries = await client._transport.send(request)
        return client._parse(Message, response, retries)
