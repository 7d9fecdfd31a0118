"""No production module imports from ``tests/``: not in its code, not in its doctests."""

from __future__ import annotations

import ast
import doctest
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ("app", "graph", "schemas", "queries")


def _imported(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _docstrings(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            text = ast.get_docstring(node, clean=False)
            if text:
                yield text


def imports_of_tests(source: str, where: str) -> list[str]:
    """The modules ``source`` imports from ``tests``, its doctests' imports included."""
    tree = ast.parse(source)
    found = list(_imported(tree))
    parser = doctest.DocTestParser()
    for text in _docstrings(tree):
        for example in parser.get_examples(text):
            try:
                found += _imported(ast.parse(example.source))
            except SyntaxError:  # a continuation the example itself would reject
                continue
    return [f"{where}: {name}" for name in found if name == "tests" or name.startswith("tests.")]


def test_no_production_module_imports_tests() -> None:
    files = sorted(f for package in PRODUCTION for f in (ROOT / package).rglob("*.py"))
    assert len(files) > 50
    offending = [
        hit for f in files for hit in imports_of_tests(f.read_text(), str(f.relative_to(ROOT)))
    ]
    assert offending == []


def test_the_check_sees_code_and_docimports_of_tests() -> None:
    source = '''
import tests.factories
from tests.factories import tiny_snapshot
from graph.samples import SnapshotBuilder


def f():
    """
    >>> from tests.factories import SnapshotBuilder
    >>> import tests
    """
'''
    assert imports_of_tests(source, "m.py") == [
        "m.py: tests.factories",
        "m.py: tests.factories",
        "m.py: tests.factories",
        "m.py: tests",
    ]
