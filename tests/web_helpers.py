"""Start `aioanthropic web` in a subprocess for tests that need a real browser or socket."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from aioanthropic.testing import FakeServer
from helpers import spawn_env


def cli_env(**extra: str) -> dict[str, str]:
    """The test run's environment for the command line: no API key or base URL unless given in
    ``extra``, ``NO_COLOR=1``, this checkout's src/ first on PYTHONPATH (``spawn_env``)."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("ANTHROPIC_API_KEY", None)
    env.pop("ANTHROPIC_BASE_URL", None)
    return spawn_env(env, **extra)


@contextmanager
def running_web(base_url: str | None = None, *args: str) -> Iterator[str]:
    """`aioanthropic web --port 0` in front of ``base_url`` (else its own fake server);
    yields the page's URL (ending in "/"), stops it on exit and fails if it logged a
    traceback."""
    command = [sys.executable, "-m", "aioanthropic", "web", "--port", "0", *args]
    if base_url is not None:
        command += ["--base-url", base_url]
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=cli_env(ANTHROPIC_API_KEY="test-key"),
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # "chat page: http://127.0.0.1:PORT/ (...)"
            if not line.startswith("chat page: "):
                process.kill()
                process.wait(timeout=10)
                errors.seek(0)
                raise RuntimeError(f"aioanthropic web did not start: {line!r} {errors.read()}")
            yield line.split()[2]
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
            errors.seek(0)
            logged = errors.read()
    # Whatever the tests did (disconnects included), the server logged no exception.
    assert "Traceback" not in logged, logged


def open_streams_settled(server: FakeServer, timeout: float = 5.0) -> int:
    """``server.open_streams`` once it has dropped to 0, or when ``timeout`` seconds ran out.

    The fake server counts a stream closed in its handler's ``finally``, a moment after the
    client has read the last byte (or after the disconnect was counted), on the server's own
    thread: asserting the count at once races with that.
    """
    deadline = time.monotonic() + timeout
    while server.open_streams and time.monotonic() < deadline:
        time.sleep(0.01)
    return server.open_streams
