"""The README's sections on aioanthropic.web and the CLI: their Python blocks run as written."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from web_helpers import ROOT, cli_env


def _blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## In the browser: aioanthropic.web", 1)[1]
    return re.findall(r"```python\n(.+?)\n```", section, flags=re.DOTALL)


def test_the_sections_have_python_blocks() -> None:
    assert len(_blocks()) >= 1


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_web_block_runs(index: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _blocks()[index]],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_screenshot_is_committed() -> None:
    image = re.search(r"!\[[^\]]+\]\((docs/[^)]+\.png)\)", (ROOT / "README.md").read_text())
    assert image is not None
    assert (ROOT / image.group(1)).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
