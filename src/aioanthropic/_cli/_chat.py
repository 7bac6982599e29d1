"""``aioanthropic chat``: a conversation with history, read line by line from the terminal.

The REPL runs on the main thread (``input()``, with readline's line editing when available);
each answer streams on the event loop behind an anyio blocking portal. Ctrl-C during an answer
cancels that request (the connection is closed, so the server stops generating) and keeps the
text shown so far, in the history too; Ctrl-C at the prompt or Ctrl-D leaves.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from concurrent.futures import Future
from typing import Any

from anyio.from_thread import BlockingPortal

from aioanthropic import AnthropicError, AsyncClient
from aioanthropic.types import MessageParam

from ._commands import stream_answer
from ._output import TextOutput

HELP = """commands:
  /system TEXT   set the system prompt (no TEXT: clear it)
  /reset         forget the conversation
  /save FILE     write the conversation (system and messages) to FILE as JSON
  /help          this text
  /exit          leave (or Ctrl-D)
Ctrl-C stops an answer."""

PROMPT = "you> "


class ChatSession:
    def __init__(self, portal: BlockingPortal, client: AsyncClient, args: argparse.Namespace):
        self.portal = portal
        self.client = client
        self.args = args
        self.messages: list[MessageParam] = []

    def command(self, line: str) -> bool:
        """Run a /command; False means leave."""
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        if name == "/exit":
            return False
        if name == "/system":
            self.args.system = rest or None
            print("system prompt set" if rest else "system prompt cleared")
        elif name == "/reset":
            self.messages.clear()
            print("conversation reset")
        elif name == "/save":
            if not rest:
                print("usage: /save FILE", file=sys.stderr)
                return True
            data: dict[str, Any] = {"system": self.args.system, "messages": self.messages}
            try:
                with open(rest, "w", encoding="utf-8") as file:
                    json.dump(data, file, ensure_ascii=False, indent=2)
            except OSError as exc:
                print(f"could not save: {exc}", file=sys.stderr)
                return True
            print(f"saved {len(self.messages)} messages to {rest}")
        elif name == "/help":
            print(HELP)
        else:
            print(f"unknown command {name}; /help lists them", file=sys.stderr)
        return True

    def turn(self, text: str) -> None:
        self.messages.append({"role": "user", "content": text})
        out = TextOutput()
        kept = ""
        try:
            with out:
                future = self.portal.start_task_soon(
                    stream_answer, self.client, self.args, list(self.messages), out
                )
                try:
                    message = future.result()
                except KeyboardInterrupt:
                    future.cancel()  # cancels the request: the connection is closed
                    _wait(future)
                    raise
            kept = "".join(getattr(block, "text", "") for block in message.content)
        except KeyboardInterrupt:
            kept = out.text
            print("(stopped)")
        except AnthropicError as error:
            kept = out.text
            print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        if kept:
            self.messages.append({"role": "assistant", "content": kept})
        else:
            self.messages.pop()  # no answer: forget the question so the history stays valid


def _wait(future: Future[Any]) -> None:
    # Cancelled, or failed while cancelling: either way it is over.
    with contextlib.suppress(BaseException):
        future.result(timeout=10)


def run_chat(portal: BlockingPortal, client: AsyncClient, args: argparse.Namespace) -> int:
    with contextlib.suppress(ImportError):  # not on every platform
        import readline  # noqa: F401  (line editing and history for input())
    session = ChatSession(portal, client, args)
    print("chat with", args.model, "- /help for commands, Ctrl-D to leave")
    while True:
        try:
            line = input(PROMPT)
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            return 130
        line = line.strip()
        if not line:
            continue
        if line.startswith("/"):
            if not session.command(line):
                return 0
            continue
        session.turn(line)
