"""Where streamed text goes: live Markdown through ``rich`` on a terminal, plain text otherwise.

Plain text when standard output is not a terminal (piped, redirected), when ``NO_COLOR`` is set
to anything but "" (https://no-color.org), or when rich is not installed (extra ``[cli]``).
Rich re-renders the whole Markdown at each delta (``Live``), so a heading or a list takes its
final shape as soon as its line is complete; whatever was shown stays on the screen when the
answer is interrupted.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, TextIO


def wants_rich(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or not stream.isatty():
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


class TextOutput:
    """Shows one answer as it streams: ``with TextOutput(): out.add(delta)``."""

    def __init__(self, stream: TextIO | None = None, *, rich: bool | None = None) -> None:
        self._stream = stream or sys.stdout
        self._rich = wants_rich(self._stream) if rich is None else rich
        self._parts: list[str] = []
        self._live: Any = None

    def __enter__(self) -> TextOutput:
        if self._rich:
            from rich.console import Console
            from rich.live import Live
            from rich.markdown import Markdown

            self._markdown = Markdown
            console = Console(file=self._stream)
            self._live = Live(
                Markdown(""),
                console=console,
                refresh_per_second=12,
                vertical_overflow="visible",
            )
            self._live.start()
        return self

    def add(self, text: str) -> None:
        self._parts.append(text)
        if self._live is not None:
            self._live.update(self._markdown("".join(self._parts)))
        else:
            self._stream.write(text)
            self._stream.flush()

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            # The last render stays on screen, also when the answer was interrupted.
            self._live.update(self._markdown(self.text), refresh=True)
            self._live.stop()
        elif self._parts:
            self._stream.write("\n")
            self._stream.flush()
