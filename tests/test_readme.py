"""Every ```python block of README.md runs as written, as a script, against a FakeServer.

Each block runs in a fresh interpreter with ``ANTHROPIC_BASE_URL`` / ``ANTHROPIC_API_KEY``
pointing at a fake server started here (blocks that start their own server ignore them), and
must exit with status 0 and print something or assert something.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioanthropic.testing import FakeServer

ROOT = Path(__file__).resolve().parents[1]


def python_blocks() -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    text = (ROOT / "README.md").read_text()
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(1))
        for match in re.finditer(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)
    ]


BLOCKS = python_blocks()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    # Batches end as soon as they are created, so a block polling every 30 s polls once.
    with FakeServer(batch_processing_delay=0) as fake:
        yield fake


def test_the_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize(("line", "code"), BLOCKS, ids=[f"line-{line}" for line, _ in BLOCKS])
def test_readme_block_runs(line: int, code: str, server: FakeServer, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "ANTHROPIC_BASE_URL": server.url,
        "ANTHROPIC_API_KEY": "readme-test",
        "NO_COLOR": "1",
    }
    env.pop("ANTHROPIC_AUTH_TOKEN", None)
    script = tmp_path / f"readme_line_{line}.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, f"README.md line {line}:\n{done.stderr}"
    assert done.stdout.strip() or "assert" in code, f"README.md line {line} printed nothing"
