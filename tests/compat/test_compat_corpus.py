"""Programs written for the official SDK's ``AsyncAnthropic`` give the same output on
aioanthropic, with only ``import anthropic`` swapped for ``import aioanthropic as anthropic``.

Each program in ``programs/`` runs twice against a fresh ``FakeServer`` (so ids and counters
start the same): once on the official ``anthropic`` package (a test-only peer, pinned in the
``test`` extra) and once on aioanthropic; the two outputs must be identical and non-empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from pathlib import Path

import pytest

from aioanthropic.testing import FakeServer

pytest.importorskip("anthropic")

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("*.py"))
KEY = "compat-key"


def swap_imports(source: str) -> str:
    """The one edit a user makes: the import lines."""
    swapped = source.replace("import anthropic\n", "import aioanthropic as anthropic\n")
    swapped = swapped.replace("from anthropic.types import", "from aioanthropic.types import")
    swapped = swapped.replace("from anthropic import", "from aioanthropic import")
    assert swapped != source, "the program imports nothing from anthropic"
    return swapped


def run_program(source: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    with FakeServer(api_key=KEY) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        namespace: dict[str, object] = {"__name__": "compat_program", "__file__": str(path)}
        exec(compile(source, str(path), "exec"), namespace)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            asyncio.run(namespace["main"]())  # type: ignore[operator]
    return out.getvalue()


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_output_matches_the_official_sdk(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = path.read_text()
    official = run_program(source, path, monkeypatch)
    ours = run_program(swap_imports(source), path, monkeypatch)
    assert official.strip(), "the official run printed nothing"
    assert ours.splitlines() == official.splitlines()
