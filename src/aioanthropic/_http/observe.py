"""Call observers: the one hook through which helpers above watch (and pace) API calls.

A ``CallObserver`` is given each call before it is sent (``start``, which may wait: that is
how a rate limiter paces calls) and returns a ``CallProbe`` for that call, or None to ignore
it. The requester and the stream then tell the probe, synchronously, what happens:

    on_error(error)        an attempt failed (also each one that is retried: a 429's headers)
    on_response(response)  the successful response's status line and headers arrived
    on_first_token()       streams only: the first ``content_block_delta`` arrived
    on_end(result, error)  the call is over: the parsed result (for a stream, the accumulated
                           ``Message``, partial if it was closed early) and the error, if any

Every call ends with exactly one ``on_end``, whatever happens (a cancelled call reports the
cancellation as its error). A client without observers skips all of this: the requester
checks one empty tuple per call, and a stream one attribute when it closes.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from aioanthropic._protocol.exceptions import APIError


class CallProbe(Protocol):
    """What an observer learns about one call; every method is called synchronously."""

    def on_error(self, error: APIError) -> None: ...

    def on_response(self, response: httpx.Response) -> None: ...

    def on_first_token(self) -> None: ...

    def on_end(self, result: object, error: BaseException | None) -> None: ...


class CallObserver(Protocol):
    """Watches the calls of a client (``Requester.observers``)."""

    async def start(self, request: httpx.Request, *, stream: bool) -> CallProbe | None:
        """Called before ``request`` is sent (at most once per call; retries reuse the probe).
        May wait; an exception raised here fails the call before anything is sent."""
        ...


def notify_error(probes: tuple[CallProbe, ...], error: APIError) -> None:
    for probe in probes:
        probe.on_error(error)


def notify_end(probes: tuple[CallProbe, ...], result: object, error: BaseException | None) -> None:
    for probe in probes:
        probe.on_end(result, error)


__all__ = ["CallObserver", "CallProbe", "notify_end", "notify_error"]
