"""The fake server in its own process, so that its CPU does not contend for the client's GIL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

_SERVE = """
import socket
import sys
import threading

import uvicorn

from aioanthropic.testing import FakeServer

fast = sys.argv[1] == "fast"
if not fast:
    with FakeServer() as server:  # the fake server exactly as the tests run it
        print(server.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    sys.exit(0)

# The fake server's app and state, served by uvicorn's httptools protocol on uvloop: with
# h11 on asyncio the server, not the client, set the pace under concurrency.
app = FakeServer()._app
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0))
sock.listen(2048)
config = uvicorn.Config(
    app, http="httptools", loop="uvloop", lifespan="off", log_level="warning",
    access_log=False, backlog=2048, timeout_keep_alive=30,
)
server = uvicorn.Server(config)


def stop_on_eof():
    sys.stdin.read()
    server.should_exit = True


threading.Thread(target=stop_on_eof, daemon=True).start()
print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
server.run(sockets=[sock])
"""


def fast_server_available() -> bool:
    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


class ServerProcess:
    """``with ServerProcess() as s: s.url``; stopped (and, if need be, killed) at exit."""

    def __init__(
        self,
        python: str = sys.executable,
        fast: bool | None = None,
        argv: list[str] | None = None,
    ) -> None:
        self._python = python
        self.fast = fast_server_available() if fast is None else fast
        self._proc: subprocess.Popen[str] | None = None
        self.url = ""
        # Another server script (benchmarks/fastserver.py) instead of the fake server.
        self._argv = argv

    def __enter__(self) -> ServerProcess:
        src = Path(__file__).resolve().parents[1] / "src"
        argv = self._argv or ["-c", _SERVE, "fast" if self.fast else "plain"]
        self._proc = subprocess.Popen(
            [self._python, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=src,
        )
        assert self._proc.stdout is not None
        self.url = self._proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.__exit__(None, None, None)
            raise RuntimeError("the fake server process did not start")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
