"""The pure cursor rule of pagination."""

from __future__ import annotations

import pytest

from aioanthropic._protocol.pagination import next_cursor


@pytest.mark.parametrize(
    ("has_more", "first_id", "last_id", "backward", "expected"),
    [
        (True, "a", "z", False, {"after_id": "z"}),
        (True, "a", "z", True, {"before_id": "a"}),
        (False, "a", "z", False, None),
        (False, "a", "z", True, None),
        (True, None, None, False, None),
        (True, None, None, True, None),
    ],
)
def test_next_cursor(
    has_more: bool,
    first_id: str | None,
    last_id: str | None,
    backward: bool,
    expected: dict[str, str] | None,
) -> None:
    got = next_cursor(has_more=has_more, first_id=first_id, last_id=last_id, backward=backward)
    assert got == expected
