"""The example chat page's server: ``GET /`` the page, ``POST /api/chat`` the NDJSON events.

``POST /api/chat`` takes ``{"messages": [...], "system": ...}`` (``system`` optional: a string
or text blocks, as the Messages API takes it) and answers with ``ndjson_response``. A body that
is not that shape gets 400 and one ``error`` event of type ``invalid_request_error`` saying what
was wrong; the Messages API checks the rest and its errors come back as ``error`` events too.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aioanthropic import AsyncClient

from ._encode import ndjson_line
from ._responses import DEFAULT_KEEPALIVE, ndjson_response

__all__ = ["STATIC_DIR", "chat_app"]

STATIC_DIR = str(files("aioanthropic.web") / "static")
"""The folder of ``anthropic-stream.js`` (the ES module) and the chat page's files."""


def _bad_request(message: str) -> Response:
    event = {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
    return Response(ndjson_line(event), status_code=400, media_type="application/x-ndjson")


def _chat_params(body: Any) -> dict[str, Any] | str:
    """The request's messages and system, or what is wrong with it."""
    if not isinstance(body, dict):
        return 'expected a JSON object {"messages": [...], "system": ...}'
    unknown = sorted(set(body) - {"messages", "system"})
    if unknown:
        return f"unknown fields {unknown}; expected only messages and system"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list of {role, content} objects"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return f'messages[{i}] must be an object with role "user" or "assistant"'
        if not isinstance(message.get("content"), (str, list)):
            return f"messages[{i}].content must be a string or a list of content blocks"
    params: dict[str, Any] = {"messages": messages}
    system = body.get("system")
    if system is not None:
        if not isinstance(system, (str, list)):
            return "system must be a string or a list of text blocks"
        params["system"] = system
    return params


def chat_app(
    client: AsyncClient,
    *,
    model: str,
    max_tokens: int = 1024,
    params: dict[str, Any] | None = None,
    backend: str = "",
    keepalive: float | None = DEFAULT_KEEPALIVE,
) -> Starlette:
    """The chat page as a Starlette app, answering through ``client``.

    ``model`` and ``max_tokens`` (tokens) go into every request, with ``params``: other
    keyword arguments of ``client.messages.stream`` (``{"temperature": 0.2}``, ``extra_body``
    for parameters this SDK does not know; a ``system`` here is the default the page's own
    replaces). ``backend`` is a label the page shows
    (e.g. "fake server"). ``keepalive``: see ``ndjson_response``. The app does not close
    ``client``: its owner does.
    """
    page = (files("aioanthropic.web") / "static" / "index.html").read_text(encoding="utf-8")
    extra = dict(params or {})

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={"cache-control": "no-cache"})

    async def info(request: Request) -> Response:
        return JSONResponse({"model": model, "backend": backend})

    async def chat(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            return _bad_request(f"the body is not JSON ({exc})")
        checked = _chat_params(body)
        if isinstance(checked, str):
            return _bad_request(checked)
        stream = client.messages.stream(model=model, max_tokens=max_tokens, **{**extra, **checked})
        return ndjson_response(stream, keepalive=keepalive)

    return Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/api/info", info, methods=["GET"]),
            Route("/api/chat", chat, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ]
    )
