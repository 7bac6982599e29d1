"""``PartialJSON``: the value of a JSON text that is still arriving, in linear total time.

How this works
--------------
Re-parsing the whole text on every delta (even with pydantic-core's ``allow_partial``) costs
O(n) per delta, so O(n^2) over a stream. This parser is a sans-IO state machine fed one delta at
a time that never looks at a character twice: it keeps a stack of the *open* containers (live
``dict``s and ``list``s it fills in as values complete) and the raw text of the one scalar in
progress. Complete scalars (strings with their escapes, numbers, literals) are decoded once by
pydantic-core's ``from_json``; an unfinished string by ``from_json(..., allow_partial=
"trailing-strings")`` on that string alone.

A snapshot (``value``) copies only the open containers, shallowly, and shares every finished
value with earlier snapshots, so its cost is the width of the open path, not the document's size;
finished values are never changed again (do not mutate what you are given). An unfinished number
or literal is left out until it ends (``1`` may still become ``12``), and so is a key.

The parser does not judge the JSON: on text it cannot follow it stops reporting changes
(``broken``) and the final validation of the whole text says what was wrong.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import from_json

__all__ = ["PartialJSON"]

_MISSING: Any = object()
_STRING_STOP = re.compile(r'["\\]')
_SCALAR = re.compile(r"[^\s,:\[\]{}\"]*")
_SPACE = re.compile(r"\s*")


class _Frame:
    __slots__ = ("container", "key", "slot")

    def __init__(self, container: dict[str, Any] | list[Any], slot: str | None) -> None:
        self.container = container
        self.key: str | None = None  # a dict's key whose value comes next
        self.slot = slot  # where this container sits in its parent dict (None: a list's last)


class PartialJSON:
    """Feed deltas with ``update(delta)``; read ``value`` whenever it returns True."""

    def __init__(self) -> None:
        self._stack: list[_Frame] = []
        self._root: Any = _MISSING
        self._token: list[str] = []  # raw text of the scalar in progress
        self._in_string = False
        self._in_scalar = False
        self._escape = False
        self._changed = False
        self._shown_partial: str | None = None
        self.broken = False
        self.done = False

    # --- public ----------------------------------------------------------------------------

    def update(self, delta: str) -> bool:
        """Consume ``delta``; True if ``value`` differs from its value at the last True."""
        if not self.broken:
            try:
                self._consume(delta)
            except (ValueError, TypeError, IndexError, KeyError):
                self.broken = True
                return False
        changed, self._changed = self._changed, False
        partial = self._partial_string()
        if partial is not None and partial != self._shown_partial:
            changed = True
        if changed:
            self._shown_partial = partial
        return changed and not self.broken

    def finish(self) -> bool:
        """The text has ended: a number or literal at its very end is complete now."""
        if self._in_scalar and not self.broken:
            try:
                self._end_scalar()
            except ValueError:
                self.broken = True
        changed, self._changed = self._changed, False
        return changed and not self.broken

    @property
    def value(self) -> Any:
        """The value so far: None before anything is known."""
        stack = self._stack
        partial = self._partial_string()
        if not stack:
            if self._root is _MISSING:
                return partial  # a top-level string in progress, or None
            return self._root
        child: Any = _MISSING
        if partial is not None:
            child = partial
        inner: _Frame | None = None
        for frame in reversed(stack):
            copy = frame.container.copy()
            if child is not _MISSING:
                if inner is None:  # the innermost frame: the unfinished string's slot
                    _place(copy, frame.key, child, append=True)
                else:  # an open child container: its copy replaces the live one
                    _place(copy, inner.slot, child, append=False)
            child, inner = copy, frame
        return child

    # --- the state machine -----------------------------------------------------------------

    def _consume(self, text: str) -> None:
        i, n = 0, len(text)
        while i < n:
            if self._in_string:
                i = self._string_part(text, i, n)
                continue
            if self._in_scalar:
                end = _SCALAR.match(text, i).end()  # type: ignore[union-attr]
                self._token.append(text[i:end])
                i = end
                if i < n:
                    self._end_scalar()
                continue
            char = text[i]
            if char == '"':
                self._in_string = True
                self._token = ['"']
                i += 1
                if self._expects_value():
                    self._changed = True  # an empty string appears
            elif char == "{" or char == "[":
                container: dict[str, Any] | list[Any] = {} if char == "{" else []
                slot = self._put(container)
                self._stack.append(_Frame(container, slot))
                self._changed = True
                i += 1
            elif char == "}" or char == "]":
                self._stack.pop()
                if not self._stack:
                    self.done = True
                i += 1
            elif char == "," or char == ":":
                i += 1
            elif char.isspace():
                i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            else:
                self._in_scalar = True
                self._token = []

    def _string_part(self, text: str, i: int, n: int) -> int:
        if self._escape:  # the character after a backslash, whatever it is
            self._token.append(text[i])
            self._escape = False
            return i + 1
        stop = _STRING_STOP.search(text, i)
        if stop is None:
            self._token.append(text[i:])
            return n
        j = stop.start()
        self._token.append(text[i : j + 1])
        if text[j] == "\\":
            self._escape = True
            return j + 1
        self._in_string = False
        raw = "".join(self._token)
        self._token = []
        value = from_json(raw)
        if self._expects_value():
            self._put(value)
            if value != self._shown_partial:
                self._changed = True
            self._shown_partial = None
        else:
            self._stack[-1].key = value
        return j + 1

    def _end_scalar(self) -> None:
        self._in_scalar = False
        raw = "".join(self._token)
        self._token = []
        self._put(from_json(raw))
        self._changed = True

    def _expects_value(self) -> bool:
        if not self._stack:
            return True
        frame = self._stack[-1]
        return isinstance(frame.container, list) or frame.key is not None

    def _put(self, value: Any) -> str | None:
        """Add a value where the grammar expects it; returns its key in a dict parent."""
        if not self._stack:
            if self._root is not _MISSING:
                raise ValueError("a second top-level value")
            self._root = value
            if not isinstance(value, (dict, list)):
                self.done = True
            return None
        frame = self._stack[-1]
        container = frame.container
        if isinstance(container, list):
            container.append(value)
            return None
        key = frame.key
        if key is None:
            raise ValueError("a value where a key belongs")
        container[key] = value
        frame.key = None
        return key

    def _partial_string(self) -> str | None:
        if not self._in_string or not self._expects_value():
            return None
        decoded = from_json("".join(self._token), allow_partial="trailing-strings")
        return decoded if isinstance(decoded, str) else None


def _place(
    container: dict[str, Any] | list[Any], key: str | None, value: Any, *, append: bool
) -> None:
    if isinstance(container, dict):
        assert key is not None
        container[key] = value
    elif append:
        container.append(value)
    else:
        container[-1] = value
