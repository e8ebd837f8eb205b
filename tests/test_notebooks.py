"""Every teaching notebook runs top to bottom on a small demo corpus.

Notebooks are kept as jupytext ``# %%`` scripts (readable diffs, no outputs in
git). Each is converted to ``.ipynb`` and executed by papermill with the
``n_pages`` parameter lowered, so the whole set runs in a few minutes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.py"))


def test_all_five_notebooks_exist():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    papermill = pytest.importorskip("papermill")
    notebook = jupytext.read(path)
    tags = [c.metadata.get("tags", []) for c in notebook.cells]
    assert any("parameters" in t for t in tags), f"{path.name}: no cell tagged 'parameters'"
    source = tmp_path / f"{path.stem}.ipynb"
    jupytext.write(notebook, source)
    # Small corpus; caches of the test run stay in tmp_path, not in the checkout's .cache.
    monkeypatch.setenv("TOOLKIT_CACHE", str(tmp_path / "cache"))
    papermill.execute_notebook(str(source), str(tmp_path / f"{path.stem}.out.ipynb"),
                               parameters={"n_pages": 300, "quick": True}, kernel_name="python3",
                               cwd=str(path.parent), progress_bar=False, log_output=False,
                               execution_timeout=600)
