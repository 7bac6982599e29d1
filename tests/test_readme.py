"""Every ```python block of README.md runs here, once, as written, as a script in a fresh
interpreter, with this checkout's src/ first on PYTHONPATH.

A block runs in one of two environments:

- by default, with ``ANTHROPIC_BASE_URL`` / ``ANTHROPIC_API_KEY`` pointing at a FakeServer
  started here (the README says its examples read them);
- a block that ``CHECKS`` marks ``bare`` runs with no ``ANTHROPIC_*`` variable at all (only
  PATH, PYTHONPATH and NO_COLOR): it is a complete script that starts its own server or
  transport, and this shows it.

Every block must exit with status 0, print no traceback, and print something or assert
something. ``CHECKS`` adds what a block must print, keyed by the heading the block stands
under ("Heading", then "Heading #2" for the second block under the same heading).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest

from aioanthropic.testing import FakeServer
from helpers import ROOT, spawn_env

README = (ROOT / "README.md").read_text()


class Block(NamedTuple):
    key: str  # the heading it stands under, "#2" and on for the later blocks under one heading
    line: int  # where its ```python line is in README.md
    code: str


def python_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    heading = "(top)"
    seen: dict[str, int] = {}
    pattern = r"^#{2,3} ([^\n]+)$|^```python\n(.*?)^```$"
    for match in re.finditer(pattern, text, flags=re.DOTALL | re.MULTILINE):
        if match.group(1) is not None:
            heading = match.group(1)
            continue
        seen[heading] = seen.get(heading, 0) + 1
        key = heading if seen[heading] == 1 else f"{heading} #{seen[heading]}"
        blocks.append(Block(key, text.count("\n", 0, match.start()) + 1, match.group(2)))
    return blocks


BLOCKS = python_blocks(README)


@dataclass(frozen=True)
class Expect:
    """What one block must do beyond the checks every block gets."""

    bare: bool = False  # runs with no ANTHROPIC_* variable (a complete script)
    output: Callable[[str], None] | None = None  # raises AssertionError on a wrong stdout


def prints_something(out: str) -> None:
    assert out.strip(), "the block printed nothing"


def prints_the_span_name(out: str) -> None:
    assert out.strip() == "chat claude-sonnet-4-5"


def prints_the_replayed_stream(out: str) -> None:
    assert out.splitlines() == ["You said: hi", "retried 1 time(s); 2 requests sent"]


CHECKS: dict[str, Expect] = {
    "Testing without sockets": Expect(bare=True, output=prints_the_replayed_stream),
    "Conversations": Expect(bare=True),
    "Conversations with tools": Expect(bare=True),
    "Client-side rate limiting": Expect(bare=True),
    "Observability: logs, timings, OpenTelemetry": Expect(bare=True),
    "Observability: logs, timings, OpenTelemetry #2": Expect(
        bare=True, output=prints_the_span_name
    ),
    "In the browser: aioanthropic.web": Expect(bare=True),
    "Tools and the tool runner": Expect(bare=True, output=prints_something),
    "Structured output": Expect(bare=True, output=prints_something),
    "Testing with the fake server": Expect(bare=True),
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    # Batches end as soon as they are created, so a block polling every 30 s polls once.
    with FakeServer(batch_processing_delay=0) as fake:
        yield fake


def test_every_python_block_is_found() -> None:
    fences = [line for line in README.splitlines() if line.startswith("```python")]
    assert len(BLOCKS) == len(fences) >= 10


def test_every_check_names_a_block() -> None:
    # A renamed heading must not drop its block's checks silently.
    assert set(CHECKS) <= {block.key for block in BLOCKS}


def test_the_screenshot_is_committed() -> None:
    image = re.search(r"!\[[^\]]+\]\((docs/[^)]+\.png)\)", README)
    assert image is not None
    assert (ROOT / image.group(1)).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _slug(key: str) -> str:
    return re.sub(r"[^a-z0-9#]+", "-", key.lower()).strip("-").replace("-#", "#")


@pytest.mark.parametrize("block", BLOCKS, ids=[_slug(block.key) for block in BLOCKS])
def test_readme_block_runs(block: Block, server: FakeServer, tmp_path: Path) -> None:
    expect = CHECKS.get(block.key, Expect())
    if expect.bare:
        env = spawn_env(NO_COLOR="1")
    else:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        env = spawn_env(
            inherited,
            ANTHROPIC_BASE_URL=server.url,
            ANTHROPIC_API_KEY="readme-test",
            NO_COLOR="1",
        )
    script = tmp_path / f"readme_line_{block.line}.py"
    script.write_text(block.code)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    where = f"README.md line {block.line} ({block.key})"
    assert done.returncode == 0, f"{where}:\n{done.stderr}"
    assert "Traceback" not in done.stdout, f"{where}:\n{done.stdout}"
    assert done.stdout.strip() or "assert" in block.code, f"{where} printed nothing"
    if expect.output is not None:
        expect.output(done.stdout)
