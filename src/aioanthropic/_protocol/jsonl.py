"""Splitting a JSON Lines body into lines, sans-IO: feed bytes, get complete lines.

Why not httpx's ``aiter_lines``: it decodes to text first and splits on every character
``str.splitlines`` treats as a line break, U+2028, U+2029 and U+0085 included, which JSON allows
unescaped inside strings, so a message containing one would be cut in two. JSONL lines end at
``\\n`` alone, and that byte never occurs inside a UTF-8 multi-byte character, so splitting the
bytes is both correct and cheaper.

Linear time and memory bounded by the longest line: a partial line is kept as a list of the
chunks it arrived in and joined once when its end arrives, so many small chunks never cause
re-copying, and each byte is copied at most twice (split, join).
"""

from __future__ import annotations


class LineSplitter:
    """Feed it chunks of a JSONL body; it returns each complete, non-blank line (without its
    ``\\n`` or ``\\r\\n``)."""

    def __init__(self) -> None:
        self._partial: list[bytes] = []

    def feed(self, data: bytes) -> list[bytes]:
        parts = data.split(b"\n")
        if len(parts) == 1:
            if data:
                self._partial.append(data)
            return []
        if self._partial:
            self._partial.append(parts[0])
            parts[0] = b"".join(self._partial)
        last = parts.pop()
        self._partial = [last] if last else []
        return [line for line in map(_strip_cr, parts) if line.strip()]

    def close(self) -> list[bytes]:
        """The last line, when the body did not end with a newline."""
        line = _strip_cr(b"".join(self._partial))
        self._partial = []
        return [line] if line.strip() else []


def _strip_cr(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\r") else line
