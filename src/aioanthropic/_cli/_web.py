"""``aioanthropic web``: the example chat page on uvicorn, in front of the fake server or an API."""

from __future__ import annotations

import argparse
import os
import socket
import sys

from ._args import UsageError
from ._commands import open_client, request_kwargs


async def serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from aioanthropic.web import chat_app
    except ImportError as exc:
        hint = "pip install 'aioanthropic[web]'"
        # aioanthropic.web's own ImportError already names the extra; uvicorn's does not.
        raise UsageError(
            str(exc) if hint in str(exc) else f"{exc}; the web page needs: {hint}"
        ) from None
    fake = not (args.live or args.base_url)
    if args.live and not (
        os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN")
    ):
        raise UsageError(
            "--live needs ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the environment"
        )
    async with open_client(args, fake=fake) as client:
        backend = "fake server" if fake else client.base_url
        params = request_kwargs(args, [])
        for key in ("model", "max_tokens", "messages"):
            params.pop(key)
        app = chat_app(
            client, model=args.model, max_tokens=args.max_tokens, params=params, backend=backend
        )
        # Our own socket, so that --port 0 works and the address printed is the real one.
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((args.host, args.port))
        except OSError as exc:
            sock.close()
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        print(f"chat page: http://{shown}:{port}/ (talking to {backend}; Ctrl-C stops)")
        sys.stdout.flush()
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        with sock:
            await uvicorn.Server(config).serve(sockets=[sock])
    return 0
