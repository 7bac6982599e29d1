"""Interpreters the tests spawn import aioanthropic from this checkout's src/, not from
whatever is installed or on the run's PYTHONPATH, and keep that PYTHONPATH after it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import SRC, run_python, spawn_env
from web_helpers import cli_env

SHOW = "import sys, aioanthropic; print(aioanthropic.__file__); print(*sys.path, sep='\\n')"


@pytest.fixture
def decoy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on the run's PYTHONPATH holding another ``aioanthropic`` package."""
    (tmp_path / "aioanthropic").mkdir()
    (tmp_path / "aioanthropic" / "__init__.py").write_text("raise ImportError('the decoy')\n")
    before = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), before])))
    return tmp_path


@pytest.mark.parametrize(
    "make_env",
    [
        spawn_env,  # run_python's default: a bare environment
        lambda: spawn_env(dict(os.environ)),  # run_example, the README's fake-server blocks
        cli_env,  # the command line, aioanthropic web
    ],
    ids=["bare", "inherited", "cli"],
)
def test_a_spawned_interpreter_imports_this_checkout(
    make_env: Callable[[], dict[str, str]], decoy: Path
) -> None:
    imported, *path = run_python("-c", SHOW, env=make_env()).splitlines()
    assert Path(imported) == SRC / "aioanthropic" / "__init__.py"
    assert str(decoy) in path  # the run's own PYTHONPATH is kept, after src/
    assert path.index(str(SRC)) < path.index(str(decoy))
