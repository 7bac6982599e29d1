"""The ``aioanthropic`` command line (also ``python -m aioanthropic``).

Exit status: 0 success; 1 an API error (its typed message on stderr); 2 usage (argparse's own
convention); 130 interrupted by Ctrl-C (128 + SIGINT, the shell's convention), the text already
printed left in place. Commands that talk to the API run on an event loop behind an anyio
blocking portal, so that Ctrl-C lands on the main thread and cancels the request cleanly.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from ._args import build_parser

EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        import anyio

        from aioanthropic._demo import run_demo

        return anyio.run(run_demo, args.live, args.model)

    from aioanthropic import AnthropicError

    from ._args import UsageError

    try:
        return _run(args)
    except UsageError as exc:
        parser.exit(EXIT_USAGE, f"aioanthropic {args.command}: error: {exc}\n")
    except AnthropicError as exc:
        sys.stdout.flush()
        print(f"aioanthropic: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_API_ERROR
    except KeyboardInterrupt:
        sys.stdout.flush()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``| head``): say nothing more, as Python's docs advise
        # ("Note on SIGPIPE"), and exit as a process killed by SIGPIPE would (128 + 13).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(args: argparse.Namespace) -> int:
    # Usage errors first, before the heavier imports (pydantic models, httpx).
    from ._args import UsageError, read_prompt

    prompt = read_prompt(args.prompt) if args.command in ("ask", "count") else ""
    if args.command == "web" and args.live and args.fake:
        raise UsageError("--live and --fake contradict each other")

    import anyio
    from anyio.from_thread import start_blocking_portal

    from . import _commands

    if args.command == "web":
        from ._web import serve

        return anyio.run(serve, args, backend="asyncio")
    if args.command == "ask":
        job: Any = (_commands.ask, args, prompt)
    elif args.command == "count":
        job = (_commands.count, args, prompt)
    elif args.command == "models":
        job = (_commands.models, args)
    else:
        job = None
    with start_blocking_portal() as portal:
        if job is None:  # chat: the REPL on this thread, each answer on the portal's loop
            from ._chat import run_chat

            with portal.wrap_async_context_manager(
                _commands.open_client(args, fake=args.fake)
            ) as client:
                return run_chat(portal, client, args)
        future: Future[int] = portal.start_task_soon(*job)
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()  # cancels the request; the shown text stays shown
            with contextlib.suppress(BaseException):  # cancelled, as asked
                future.result(timeout=10)
            raise
