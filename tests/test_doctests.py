"""Every docstring example of the package runs as written (the README sends readers to them)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import types

import pytest

import toolkit

MODULES = sorted(info.name for info in pkgutil.walk_packages(toolkit.__path__, prefix="toolkit.")
                 if not info.name.endswith("__main__"))


def _failures(module: types.ModuleType) -> str:
    """The report of every failing example of ``module`` (empty when all pass), run in the module's namespace."""
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, module.__name__):
        runner.run(test, out=report.append)
    return "".join(report)


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    assert _failures(importlib.import_module(name)) == ""


def test_a_wrong_example_is_reported():
    module = types.ModuleType("example")
    module.__doc__ = ">>> 1 + 1\n3\n"
    assert "Expected:\n    3\nGot:\n    2" in _failures(module)
