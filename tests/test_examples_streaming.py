"""The streaming examples run as a user would run them: no key, the fake server, exit 0."""

from __future__ import annotations

import json

from helpers import run_example


def test_stream_chat() -> None:
    out = run_example("stream_chat.py")
    assert out.startswith("assistant: You said: Hello! Tell me")
    assert "[end_turn; " in out


def test_tool_use_stream_shows_arguments_growing_then_the_input() -> None:
    lines = run_example("tool_use_stream.py").splitlines()
    assert lines[0] == "calling search_flights ..."
    shown = [json.loads(line.split(": ", 1)[1]) for line in lines if "arguments so far" in line]
    final = json.loads(
        next(line for line in lines if line.startswith("final input")).split(": ", 1)[1]
    )
    assert len(shown) > 3
    assert shown[-1] == final
    assert set(final) >= {"origin", "destination", "passengers"}
    assert lines[-1] == "stop_reason: tool_use"
