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


def _type_checking_names() -> dict[str, str]:
    """Name -> module of the imports in ``aioanthropic/__init__.py``'s TYPE_CHECKING block."""
    import ast

    tree = ast.parse((ROOT / "src" / "aioanthropic" / "__init__.py").read_text())
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    for alias in stmt.names:
                        module = "." * stmt.level + (stmt.module or alias.name)
                        names[alias.asname or alias.name] = module
    return names


def test_the_type_checking_imports_mirror_the_lazy_table() -> None:
    # Type checkers read the TYPE_CHECKING block, the runtime the _LAZY table: a name missing
    # from either is a name that exists for one and not the other.
    lazy = dict(aioanthropic._LAZY)
    assert _type_checking_names() == lazy
    assert aioanthropic.__all__ == ["__version__", *lazy]


def test_public_classes_report_the_public_module() -> None:
    classes = [
        value
        for name in aioanthropic.__all__
        if isinstance(value := getattr(aioanthropic, name), type)
    ]
    assert len(classes) > 40
    assert {cls.__name__: cls.__module__ for cls in classes} == {
        cls.__name__: "aioanthropic" for cls in classes
    }


def test_types_namespace_exports_resolve() -> None:
    from aioanthropic import types

    for name in types.__all__:
        assert hasattr(types, name), name
