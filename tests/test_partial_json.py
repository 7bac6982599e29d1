"""``PartialJSON`` at every split point: whole, character by character, and random splits."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioanthropic._structured._partial import PartialJSON

DOCS = [
    {"name": 'Ada "L" é☃\\ \n', "tags": ["a", "bc", {"x": [1, 2.5e3, True, None, False]}]},
    {"n": -12, "empty": {}, "e2": [], "nested": [[[]], [{}]], "u": "😀 emoji"},
    [1, "two", {"three": 3}],
    "just a string",
    12345,
    {"k": 1e-7, "big": 123456789012345678901234567890},
]


def is_prefix(partial: Any, final: Any) -> bool:
    """Could ``partial`` be what ``final`` looked like while it was being written?"""
    if isinstance(final, dict):
        return (
            isinstance(partial, dict)
            and list(partial) == list(final)[: len(partial)]
            and all(is_prefix(v, final[k]) for k, v in partial.items())
        )
    if isinstance(final, list):
        return (
            isinstance(partial, list)
            and len(partial) <= len(final)
            and all(is_prefix(v, f) for v, f in zip(partial, final, strict=False))
        )
    if isinstance(final, str):
        return isinstance(partial, str) and final.startswith(partial)
    return partial == final and type(partial) is type(final)


def run(pieces: list[str], final: Any) -> list[Any]:
    parser = PartialJSON()
    shown: list[Any] = []
    for piece in pieces:
        if parser.update(piece):
            shown.append(parser.value)
    if parser.finish():
        shown.append(parser.value)
    assert not parser.broken
    assert parser.value == final
    assert shown[-1] == final
    for before, after in itertools.pairwise(shown):
        assert before != after  # each value differs from the last
    for value in shown:
        assert is_prefix(value, final), (value, final)
    return shown


def splits(text: str, rng: random.Random) -> list[str]:
    cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 12))))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=False)]


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("indent", [None, 2])
def test_every_split_gives_the_same_final_value(doc: Any, indent: int | None) -> None:
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    run([text], doc)
    run(list(text), doc)
    for at in range(1, len(text)):
        run([text[:at], text[at:]], doc)
    rng = random.Random(12)
    for _ in range(50):
        run(splits(text, rng), doc)


def test_escapes_split_inside_are_decoded_once_complete() -> None:
    text = json.dumps({"s": 'a\u00e9\\"b'}, ensure_ascii=True)  # \u00e9 and \\ and \"
    shown = run(list(text), {"s": 'aé\\"b'})
    assert {"s": "a"} in shown
    assert all(not isinstance(v, dict) or "\\u" not in v.get("s", "") for v in shown)


def test_unfinished_numbers_and_keys_are_left_out() -> None:
    parser = PartialJSON()
    assert parser.update('{"count": 1')
    assert parser.value == {}
    assert not parser.update("2")
    assert parser.update(', "na')
    assert parser.value == {"count": 12}
    assert parser.update('me": "x')
    assert parser.value == {"count": 12, "name": "x"}


def test_snapshots_share_finished_values_and_are_not_changed_later() -> None:
    parser = PartialJSON()
    parser.update('{"done": {"a": [1, 2]}, "open": [')
    first = parser.value
    parser.update('3, 4], "more": 5}')
    assert first == {"done": {"a": [1, 2]}, "open": []}
    assert parser.value["done"] is first["done"]  # shared, not copied


def test_text_it_cannot_follow_stops_it_without_raising() -> None:
    parser = PartialJSON()
    parser.update('{"a": 1}')
    assert not parser.update("}")
    assert parser.broken


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(value=json_values, seed=st.integers(0, 2**32), ascii_only=st.booleans())
def test_any_json_value_at_random_splits(value: Any, seed: int, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    if len(text) < 2:
        run([text], value)
        return
    run(splits(text, random.Random(seed)), value)
