"""The README's sections on conversations, rate limiting and observability: each Python block
runs as written, as a script against the fake server, in a fresh interpreter."""

from __future__ import annotations

import os
import re

import pytest

from helpers import ROOT, run_python

FIRST, END = "## Conversations", "## In the browser: aioanthropic.web"


def _blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(FIRST, 1)[1].split(END, 1)[0]
    return re.findall(r"```python\n(.+?)\n```", section, flags=re.DOTALL)


def test_the_sections_have_their_blocks() -> None:
    assert len(_blocks()) == 5


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_block_runs(index: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("ANTHROPIC_API_KEY", None)
    out = run_python("-c", _blocks()[index], env=env)
    assert "Traceback" not in out


def test_the_telemetry_block_prints_the_span_name() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    (block,) = [b for b in _blocks() if "telemetry=True" in b]
    out = run_python("-c", block, env=env)
    assert out.strip() == "chat claude-sonnet-4-5"
