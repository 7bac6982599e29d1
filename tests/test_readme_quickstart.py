"""The README's Quickstart: its fake-server block is a complete script and runs as written."""

from __future__ import annotations

import re

from helpers import ROOT, run_python


def _blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.+?)\n```", section, flags=re.DOTALL)


def test_the_fake_server_block_runs_as_a_script_with_no_key() -> None:
    _real_api, fake = _blocks()  # the first block needs a real ANTHROPIC_API_KEY
    out = run_python("-c", fake)  # no key in its environment
    assert out.strip() == "You said: Hi"
