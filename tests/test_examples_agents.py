"""The tool runner and structured output examples run offline and print what they say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_python(*args: str) -> str:
    """``python *args`` in a fresh process with only src/ on the path and no API key; stdout.
    (main has this as tests/helpers.run_python: use that one once both are merged.)"""
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_example(name: str) -> str:
    return run_python(str(ROOT / "examples" / name))


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


@pytest.mark.parametrize("section", ["## Tools and the tool runner", "## Structured output"])
def test_readme_sections_run_as_complete_scripts(section: str) -> None:
    readme = (ROOT / "README.md").read_text()
    text = readme.split(section + "\n", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("\n```", 1)[0] for b in text.split("```python\n")[1:]]
    assert blocks, f"{section} has no Python block"
    for code in blocks:
        assert run_python("-c", code)  # each block prints what it shows
