"""The commands that talk to the API: ``ask``, one chat turn, ``count``, ``models``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from aioanthropic import (
    AnthropicError,
    AsyncClient,
    InvalidCredentialsError,
    Message,
    MessageBodyParams,
    estimate_tokens,
)
from aioanthropic.types import ContentBlockDeltaEvent, MessageParam, TextDelta
from aioanthropic.web import error_event, event_json

from ._args import UsageError, body_params
from ._output import TextOutput

FAKE_KEY = "fake-key"
_BODY_KEYS = MessageBodyParams.__required_keys__ | MessageBodyParams.__optional_keys__


@asynccontextmanager
async def open_client(args: argparse.Namespace, *, fake: bool) -> AsyncIterator[AsyncClient]:
    """A client for the options: the embedded fake server, ``--base-url``, or the real API."""
    async with AsyncExitStack() as stack:
        if fake:
            try:
                from aioanthropic.testing import FakeServer
            except ImportError as exc:
                raise UsageError(
                    f"the fake server needs uvicorn ({exc}): pip install 'aioanthropic[server]'"
                ) from None
            server = await stack.enter_async_context(FakeServer())
            client = AsyncClient(base_url=server.url, api_key=FAKE_KEY)
        else:
            try:
                client = AsyncClient(base_url=args.base_url)
            except InvalidCredentialsError:
                raise  # an API-side problem: exit 1 with its typed message
            except ValueError as exc:  # a base URL that is not an http(s) URL
                raise UsageError(str(exc)) from None
        yield await stack.enter_async_context(client)


def request_kwargs(args: argparse.Namespace, messages: Sequence[MessageParam]) -> dict[str, Any]:
    """Keyword arguments for ``messages.stream``: known body parameters by name, any other
    ``-o KEY VALUE`` through ``extra_body`` (so that new API parameters work today)."""
    params = body_params(args)
    known = {key: value for key, value in params.items() if key in _BODY_KEYS}
    extra = {key: value for key, value in params.items() if key not in _BODY_KEYS}
    kwargs: dict[str, Any] = {**known, "messages": list(messages)}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _print_json_line(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


async def stream_answer(
    client: AsyncClient,
    args: argparse.Namespace,
    messages: Sequence[MessageParam],
    out: TextOutput | None,
) -> Message:
    """Stream one answer: text into ``out``, or each event as a JSON line (``--events``), or
    nothing until the end (``--json``). Raises the typed ``AnthropicError``; what was shown
    stays shown."""
    async with client.messages.stream(**request_kwargs(args, messages)) as stream:
        try:
            async for event in stream.raw_events():
                if args.events:
                    _print_json_line(event_json(event))
                elif (
                    out is not None
                    and isinstance(event, ContentBlockDeltaEvent)
                    and isinstance(event.delta, TextDelta)
                ):
                    out.add(event.delta.text)
        except AnthropicError as error:
            if args.events:
                _print_json_line(error_event(error))
            raise
        message: Message = await stream.get_final_message()
    if args.json:
        sys.stdout.write(message.model_dump_json(indent=2, exclude_unset=True) + "\n")
    return message


async def ask(args: argparse.Namespace, prompt: str) -> int:
    async with open_client(args, fake=args.fake) as client:
        messages: list[MessageParam] = [{"role": "user", "content": prompt}]
        if args.events or args.json:
            await stream_answer(client, args, messages, None)
        else:
            with TextOutput() as out:
                await stream_answer(client, args, messages, out)
    return 0


async def count(args: argparse.Namespace, prompt: str) -> int:
    messages: list[MessageParam] = [{"role": "user", "content": prompt}]
    estimate = estimate_tokens(messages, system=args.system)
    async with open_client(args, fake=args.fake) as client:
        kwargs: dict[str, Any] = {"model": args.model, "messages": messages}
        if args.system is not None:
            kwargs["system"] = args.system
        counted = await client.messages.count_tokens(**kwargs)
    if args.json:
        _print_json_line({"input_tokens": counted.input_tokens, "estimate": estimate})
    else:
        print(f"count_tokens: {counted.input_tokens}")
        print(f"estimate_tokens (offline): {estimate}")
    return 0


async def models(args: argparse.Namespace) -> int:
    async with open_client(args, fake=args.fake) as client:
        found = [model async for model in client.models.list()]
    if args.json:
        print(json.dumps([m.model_dump(mode="json") for m in found], indent=2))
    else:
        for model in found:
            print(f"{model.id}\t{model.display_name}\t{model.created_at:%Y-%m-%d}")
    return 0
