"""``NOT_GIVEN`` / ``NotGiven`` and ``omit`` / ``Omit``: "this parameter is absent".

The official SDK's signatures default their optional parameters to ``NOT_GIVEN`` (and, since
its 0.69 release, ``omit``), and code written for it passes these sentinels through its own
wrappers. Here every keyword argument whose value is one of them is dropped before the call
runs, so the parameter's default applies, as if it had not been passed
(``strip_not_given``). Both sentinels are falsy, as the official ones are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final, ParamSpec, TypeVar

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "Omit",
    "accepts_not_given",
    "is_given",
    "not_given",
    "omit",
    "strip_not_given",
]

K = TypeVar("K")


class NotGiven:
    """The type of ``NOT_GIVEN``: a parameter that was not given (its default applies)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


class Omit:
    """The type of ``omit``: the same meaning as ``NOT_GIVEN`` (the official SDK's newer
    spelling)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "omit"

    def __reduce__(self) -> str:
        return "omit"


NOT_GIVEN: Final = NotGiven()
not_given: Final = NOT_GIVEN  # the official SDK's newer spelling of the same sentinel
omit: Final = Omit()

_SENTINELS = (NotGiven, Omit)


def is_given(value: object) -> bool:
    """False for ``NOT_GIVEN`` and ``omit``, True for anything else (None included)."""
    return not isinstance(value, _SENTINELS)


def strip_not_given(values: Mapping[K, Any]) -> dict[K, Any]:
    """``values`` without the entries whose value is ``NOT_GIVEN`` or ``omit``."""
    return {key: value for key, value in values.items() if not isinstance(value, _SENTINELS)}


P = ParamSpec("P")
R = TypeVar("R")


def accepts_not_given(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate ``func`` so that keyword arguments passed as ``NOT_GIVEN`` / ``omit`` are
    dropped before it runs (their defaults apply)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return func(*args, **strip_not_given(kwargs))

    return wrapper
