"""The synchronous client, derived from the async one (FLOOR 4).

``Client`` runs one event loop per client in a background thread (anyio's blocking portal) and
sends every call of the async classes through it. No API logic lives here: each sync method is
the async method of the same name, called through the portal, with its result wrapped when it
is itself asynchronous (a stream, a paginator, batch results, a raw response).
"""
