"""``aioanthropic.web``: relay a ``MessageStream`` to a browser (optional extra ``[web]``).

* ``encode_sse(stream)`` / ``encode_ndjson(stream)``: the stream's events as the Messages API's
  own event JSON, framed as server-sent events or as NDJSON (async iterators of bytes);
  ``event_json(event)`` and ``error_event(error)`` give one event's JSON object.
* ``sse_response(stream)`` / ``ndjson_response(stream)``: Starlette responses that relay them
  with no caching, ``X-Accel-Buffering: no``, pings while idle, and the upstream stream closed
  as soon as the browser goes away.
* ``static/anthropic-stream.js`` (in ``STATIC_DIR``): a dependency-free ES module that reads
  either format from ``fetch`` and rebuilds the message.
* ``chat_app(client, model=...)``: the example chat page (``GET /``, ``POST /api/chat``).

Example (a complete app; serve it with ``uvicorn module:app``)::

    from starlette.applications import Starlette
    from starlette.routing import Route
    from aioanthropic import AsyncClient
    from aioanthropic.web import ndjson_response

    client = AsyncClient()

    async def chat(request):
        body = await request.json()
        return ndjson_response(client.messages.stream(
            model="claude-sonnet-4-5", max_tokens=1024, messages=body["messages"]))

    app = Starlette(routes=[Route("/api/chat", chat, methods=["POST"])])
"""

from typing import TYPE_CHECKING

from ._encode import encode_ndjson, encode_sse, error_event, event_json

if TYPE_CHECKING:
    from ._app import STATIC_DIR, chat_app
    from ._responses import DEFAULT_KEEPALIVE, EventStreamResponse, ndjson_response, sse_response

# The encoders need nothing but aioanthropic (the CLI's --events uses them); the responses and
# the app need Starlette, imported on first use so that its absence is a clear ImportError.
_NEEDS_STARLETTE = {
    "STATIC_DIR": "._app",
    "chat_app": "._app",
    "DEFAULT_KEEPALIVE": "._responses",
    "EventStreamResponse": "._responses",
    "ndjson_response": "._responses",
    "sse_response": "._responses",
}


def __getattr__(name: str) -> object:
    module = _NEEDS_STARLETTE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        import starlette  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"aioanthropic.web.{name} needs Starlette: pip install 'aioanthropic[web]'"
        ) from exc
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_KEEPALIVE",
    "STATIC_DIR",
    "EventStreamResponse",
    "chat_app",
    "encode_ndjson",
    "encode_sse",
    "error_event",
    "event_json",
    "ndjson_response",
    "sse_response",
]
