"""The repository keeps its promises: README commands, CI, public names."""

from __future__ import annotations

import re
from pathlib import Path

import aioanthropic

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_the_two_commands() -> None:
    demo, tests = _readme_commands()
    assert demo.endswith("python -m aioanthropic demo")
    assert tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, tests = _readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci_lines


def test_public_names_are_exported_and_nothing_private_leaks() -> None:
    exported = set(aioanthropic.__all__)
    assert exported == {name for name in dir(aioanthropic) if not name.startswith("_")} - {
        # submodules are attributes of the package once imported; only these are public
        "testing",
        "web",
    } | {"__version__"}
    for name in aioanthropic.__all__:
        assert hasattr(aioanthropic, name), name
    assert all(not name.startswith("_") or name == "__version__" for name in exported)


def test_types_namespace_exports_resolve() -> None:
    from aioanthropic import types

    for name in types.__all__:
        assert hasattr(types, name), name
