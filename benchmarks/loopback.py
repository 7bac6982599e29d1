"""The fake server in its own process, so that its CPU does not contend for the client's GIL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

_SERVE = """
import sys
from aioanthropic.testing import FakeServer

with FakeServer() as server:
    print(server.url, flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
"""


class ServerProcess:
    """``with ServerProcess() as s: s.url``; stopped (and, if need be, killed) at exit."""

    def __init__(self, python: str = sys.executable) -> None:
        self._python = python
        self._proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> ServerProcess:
        src = Path(__file__).resolve().parents[1] / "src"
        self._proc = subprocess.Popen(
            [self._python, "-c", _SERVE],
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
