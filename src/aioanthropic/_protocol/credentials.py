"""Checks on what the client puts into header values, done once at construction.

HTTP field values (RFC 9110, section 5.5) are visible ASCII characters with spaces and tabs
between them; h11 refuses anything else when the request is sent, with an error that quotes
the value. A key read from a file with its trailing newline would then fail every request, be
retried as a "connection error", and print the key. Checking here fails at once, names the
parameter and never the value.
"""

from __future__ import annotations

import re

from .exceptions import InvalidCredentialsError

__all__ = ["check_credential"]

# Visible ASCII, with single spaces or tabs inside (not at either end): RFC 9110 field-value.
_FIELD_VALUE = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")


def check_credential(parameter: str, value: str | None, *, source: str | None = None) -> None:
    """Raise ``InvalidCredentialsError`` if ``value`` cannot be sent as a header value.

    ``parameter`` is the constructor argument's name (``api_key``), ``source`` the environment
    variable it came from, if any. The message says what is wrong (which character class and
    where) but never contains the value or any part of it.
    """
    where = f"{parameter} (read from {source})" if source else parameter
    if value is not None and not isinstance(value, str):
        # Untyped callers pass ints or bytes; the regex below would fail with its own TypeError.
        raise InvalidCredentialsError(f"{where} must be a str, got {type(value).__name__}")
    if value is None or _FIELD_VALUE.fullmatch(value):
        return
    if not value and source is not None:
        return  # an exported but empty variable (``ANTHROPIC_API_KEY=``) behaves as before
    raise InvalidCredentialsError(f"{where} cannot be sent as an HTTP header: {_problem(value)}")


def _problem(value: str) -> str:
    if not value:
        return "it is empty"
    if value != value.strip():
        end = "ends" if value[-1:].isspace() else "starts"
        return f"it {end} with whitespace (a newline read from a file?); strip it, e.g. key.strip()"
    for position, char in enumerate(value):
        if char in "\r\n":
            return f"it contains a line break at character {position}"
        if ord(char) < 0x20 or ord(char) == 0x7F:
            return f"it contains a control character (U+{ord(char):04X}) at character {position}"
        if ord(char) > 0x7E:
            return f"it contains a non-ASCII character at character {position}"
    return "it contains a run of whitespace that is not allowed"
