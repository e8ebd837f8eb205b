"""Dependencies that say the truth: pyproject.toml declares what the code imports, and only that.

The imports are read from the source (``ast``, every ``import`` in every function too), mapped to
distribution names with :func:`importlib.metadata.packages_distributions`, and compared with
``[project] dependencies`` (for ``toolkit/``) and the optional extras (for tests, notebooks and
benchmarks, and optional back ends).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Declared but never imported by us, on purpose (pyproject.toml says why beside each): pyvi's CRF engine
#: and wrapper, pinned because pyvi does not pin them and their releases change its segmentation.
INDIRECT = {"python-crfsuite", "sklearn-crfsuite"}

#: Development tools used without an import: the Jupyter kernel papermill runs the notebooks in, and the widgets
#: tqdm.auto draws the notebooks' progress bars with (tests/test_notebooks.py checks that it can).
USED_WITHOUT_IMPORT = {"ipykernel", "ipywidgets"}

#: Our own top-level packages and the test suite's modules (portal: the fixture web portal of tests/portal.py; a test
#: file may import another's helpers).
OURS = {"toolkit", "bench", "tests"} | {p.stem for p in (ROOT / "tests").glob("*.py")}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip()).group(0))


def _imports(source: str) -> set[str]:
    """Top-level module names imported by ``source`` (``pytest.importorskip("x")`` included)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("importorskip", "import_module") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value.split(".")[0])
    return names


def _third_party(paths) -> dict[str, set[str]]:
    """Distribution name → the files importing it, for the imports of ``paths`` outside the standard library."""
    mapping = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in paths:
        for module in _imports(path.read_text(encoding="utf-8")):
            if module in sys.stdlib_module_names or module in OURS or module == "__future__":
                continue
            # an optional back end not installed here is known by its module name
            for distribution in mapping.get(module, [module]):
                found.setdefault(_canonical(distribution), set()).add(path.relative_to(ROOT).as_posix())
    return found


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


RUNTIME = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
EXTRAS = {extra: {_requirement_name(r) for r in requirements}
          for extra, requirements in PYPROJECT["project"].get("optional-dependencies", {}).items()}
OPTIONAL = set().union(*(names for extra, names in EXTRAS.items() if extra != "dev"))


@pytest.mark.parametrize("source, expected", [
    ("import numpy as np\nfrom scipy import sparse", {"numpy", "scipy"}),
    ("def f():\n    from sklearn.utils import check_random_state", {"sklearn"}),
    ("from . import core\nfrom .tables import FieldMap", set()),
    ("import dask.distributed, os.path", {"dask", "os"}),
    ('jupytext = pytest.importorskip("jupytext")', {"jupytext"}),
    ('"""import pandas in a docstring"""', set()),
])
def test_imports_are_read_from_the_syntax_tree(source, expected):
    assert _imports(source) == expected


@pytest.mark.parametrize("requirement, expected", [
    ("gensim==4.4.0", "gensim"), ("dask[distributed]>=2024.8", "dask"), ("scikit-learn>=1.5,<2", "scikit-learn"),
    ("python_crfsuite==0.9.12", "python-crfsuite"),
])
def test_requirement_names(requirement, expected):
    assert _requirement_name(requirement) == expected


def test_every_import_of_the_package_is_declared():
    imported = _third_party(_sources("toolkit"))
    undeclared = {name: sorted(files) for name, files in imported.items() if name not in RUNTIME | OPTIONAL}
    assert undeclared == {}


def test_every_runtime_dependency_is_imported_by_the_package():
    imported = set(_third_party(_sources("toolkit")))
    assert RUNTIME - imported - INDIRECT == set()
    assert INDIRECT <= RUNTIME  # the exceptions are real declarations, not leftovers


def test_optional_back_ends_are_imported_only_where_they_are_asked_for():
    # an optional extra is imported lazily inside a function, never at module level
    mapping = importlib.metadata.packages_distributions()
    for path in _sources("toolkit"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = _imports(ast.unparse(ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))],
                                              type_ignores=[])))
        eager = {_canonical(d) for m in top for d in mapping.get(m, [m])} & (OPTIONAL - RUNTIME)
        assert not eager, f"{path.relative_to(ROOT)} imports optional {sorted(eager)} at module level"


def test_tests_notebooks_and_benchmarks_import_only_what_is_declared():
    imported = _third_party(_sources("tests", "notebooks", "bench"))
    declared = RUNTIME | OPTIONAL | EXTRAS.get("dev", set())
    undeclared = {name: sorted(files) for name, files in imported.items() if name not in declared}
    assert undeclared == {}


def test_every_development_tool_is_used():
    imported = set(_third_party(_sources("tests", "notebooks", "bench")))
    assert EXTRAS["dev"] - imported - USED_WITHOUT_IMPORT == set()
