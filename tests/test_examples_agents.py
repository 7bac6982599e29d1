"""The tool runner and structured output examples run offline and print what they say."""

from __future__ import annotations

from helpers import run_example


def test_tool_runner_example_runs_the_calls_at_once_with_an_error_result() -> None:
    out = run_example("tool_runner.py").splitlines()
    assert out[0] == "assistant: Let me look these up."
    assert "  calls get_weather({'city': 'Atlantis'})" in out
    assert out[out.index("the results the model got:") + 1 :][:4] == [
        "  result [ok]: 18 C",
        "  result [ok]: 24 C",
        "  result [error]: KeyError: 'Atlantis'",
        "  result [ok]: 9",
    ]
    assert "most weather calls running at once: 3" in out
    assert out[-1] == "stop_reason: end_turn"


def test_structured_output_example_parses_whole_and_streamed() -> None:
    out = run_example("structured_output.py")
    whole, streamed = out.split("streamed (messages.stream(output_format=...)):\n")
    facts = [
        "  person: Ana Ribeiro (councillor)",
        "  event: 2025-03-14 Council approves tram line 15E @ Lisbon",
        "  fact: The trams will carry 40,000 passengers a day.",
    ]
    for line in facts:
        assert line in whole.splitlines()
        assert line in streamed.splitlines()
    growth = [line for line in streamed.splitlines() if line.startswith("  so far: ")]
    assert growth[0] == "  so far: 1 people, 0 places, 0 events, 0 key_facts"
    assert growth[-1] == "  so far: 2 people, 3 places, 2 events, 2 key_facts"
