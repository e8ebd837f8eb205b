"""Every teaching notebook runs top to bottom on a small demo corpus and shows its figures.

Notebooks are kept as jupytext ``# %%`` scripts (readable diffs, no outputs in
git). Each is converted to ``.ipynb`` and executed by papermill with the
``n_pages`` parameter lowered, so the whole set runs in a few minutes. A cell
that draws a figure must leave an ``image/png`` output in the executed
notebook: a backend switch (``matplotlib.use("Agg")`` on import) once hid
every figure and nothing noticed (issue #13).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.py"))

#: A code cell that draws: shows a figure, calls a plot function of the toolkit, or displays a figure.
DRAWS = re.compile(r"plt\.show\(\)|\bplots\.\w+\(|display\(\s*fig")


def drawing_cells_without_image(notebook) -> list[int]:
    """Indices of executed code cells that draw a figure but have no ``image/png`` output."""
    missing = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not DRAWS.search(cell.source):
            continue
        if not any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
            missing.append(index)
    return missing


def test_all_five_notebooks_exist():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("outputs, expected", [
    ([{"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}], []),
    ([{"output_type": "display_data", "data": {"text/plain": "<Figure size 640x480 with 1 Axes>"}}], [1]),
    ([], [1]),
])
def test_a_drawing_cell_without_an_image_is_found(outputs, expected):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1"),
                      nbformat.v4.new_code_cell("fig = plt.figure()\nplots.keyness_bars(t, fig=fig)\nplt.show()")]
    notebook.cells[1].outputs = [nbformat.from_dict(o) for o in outputs]
    assert drawing_cells_without_image(notebook) == expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_that_draw_ask_for_inline_figures(path):
    source = path.read_text(encoding="utf-8")
    if DRAWS.search(source):
        assert "# %matplotlib inline" in source, f"{path.name} draws figures but does not ask for the inline backend"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_demo_corpus_follows_the_notebooks_random_state(path):
    """A notebook's ``random_state`` parameter also seeds the simulated corpus it loads: changing it changes the
    corpus, not only the models (the default, 2024, is load_demo's own, so the default outputs are the same)."""
    calls = re.findall(r"load_demo\(([^)]*)\)", path.read_text(encoding="utf-8"))
    assert all("random_state=random_state" in args for args in calls), f"{path.name}: load_demo({calls})"


#: Calls that start worker processes; a notebook passes them ``n_jobs`` so that ``quick`` means one process.
PARALLEL_CALLS = ("load_demo", "select_n_topics")


def calls_of(source: str, names) -> list[ast.Call]:
    """The calls of a notebook's source to functions named ``names`` (``f(...)`` or ``module.f(...)``)."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in names:
                calls.append(node)
    return calls


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_quick_notebooks_use_one_process(path):
    """README: ``quick`` means small grids and one process. Every call that would otherwise use every core
    (load_demo's ingest and segmentation, select_n_topics' fits) is given ``n_jobs`` following ``quick``."""
    for call in calls_of(path.read_text(encoding="utf-8"), PARALLEL_CALLS):
        n_jobs = [kw.value for kw in call.keywords if kw.arg == "n_jobs"]
        shown = ast.unparse(call)
        assert n_jobs, f"{path.name}: {shown} does not pass n_jobs (it would use every core in a quick run)"
        assert "quick" in ast.unparse(n_jobs[0]), f"{path.name}: {shown}: n_jobs does not follow quick"


def test_load_demo_passes_n_jobs_to_ingest_and_segmentation(monkeypatch):
    """load_demo(..., n_jobs=1) runs the ingest and preprocess stages with one process (the default: every core)."""
    import toolkit.pipeline as pipeline

    seen = []

    def load_documents(config, cache):
        seen.append(("ingest", config.preprocess.n_jobs))
        return pd.DataFrame({"doc_id": ["bài-1"]}), pd.DataFrame(), Path("demo") / "truth"

    def tokenize_documents(config, documents, cache):
        seen.append(("tokens", config.preprocess.n_jobs))
        return pd.DataFrame({"doc_id": ["bài-1"], "tokens": [["giải_phóng_mặt_bằng"]]})

    monkeypatch.setattr(pipeline, "load_documents", load_documents)
    monkeypatch.setattr(pipeline, "tokenize_documents", tokenize_documents)
    pipeline.load_demo(10, random_state=1, n_jobs=1)
    pipeline.load_demo(10, random_state=1)
    assert seen == [("ingest", 1), ("tokens", 1), ("ingest", -1), ("tokens", -1)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_that_fit_seeded_models_say_which_themes_held(path):
    """A seeded topic the data took elsewhere keeps its theme's name; the notebook shows ``seed_retention`` and
    labels such a topic as the report's figures do, so a student does not read it by that name."""
    source = path.read_text(encoding="utf-8")
    if "fit_seeded_lda(" in source:
        assert "seed_retention(" in source and "seeded_topic_labels(" in source, path.name


def shows_the_words_of_its_topics(source: str) -> bool:
    """Whether a notebook's source calls ``top_terms`` and asks for FREX terms (``measure="frex"``, written in the
    call or in the loop that gives it its measure)."""
    strings = {node.value for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    return bool(calls_of(source, ("top_terms",))) and "frex" in strings


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_that_fit_seeded_models_show_the_topics_words(path):
    """A seeded topic is named after its theme whatever it holds (a demo "covid" topic at K = 10 was public
    security and held 59 pages of before 2020): a notebook that fits one shows every topic's words to read
    before its effects are read by name."""
    source = path.read_text(encoding="utf-8")
    if "fit_seeded_lda(" in source:
        assert shows_the_words_of_its_topics(source), f"{path.name} fits a seeded model but never shows its words"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    papermill = pytest.importorskip("papermill")
    nbformat = pytest.importorskip("nbformat")
    notebook = jupytext.read(path)
    tags = [c.metadata.get("tags", []) for c in notebook.cells]
    assert any("parameters" in t for t in tags), f"{path.name}: no cell tagged 'parameters'"
    # The toolkit warns through `logging` (an extrapolated prediction, a seeded topic that lost its seeds), which
    # shows nothing in a kernel until configured: a warning logged after the notebook's cells must be printed.
    probe = "a toolkit warning reaches the reader"
    notebook.cells.append(nbformat.v4.new_code_cell(
        f"import logging\nimport toolkit\nlogging.getLogger('toolkit.notebook_test').warning({probe!r})"))
    source = tmp_path / f"{path.stem}.ipynb"
    jupytext.write(notebook, source)
    # Small corpus; caches of the test run stay in tmp_path, not in the checkout's .cache.
    monkeypatch.setenv("TOOLKIT_CACHE", str(tmp_path / "cache"))
    # The kernel starts as a Jupyter user's does (no MPLBACKEND: inline figures), even when this process's
    # command line tests chose Agg (the kernel inherits the environment).
    monkeypatch.delenv("MPLBACKEND", raising=False)
    executed = tmp_path / f"{path.stem}.out.ipynb"
    papermill.execute_notebook(str(source), str(executed),
                               parameters={"n_pages": 300, "quick": True}, kernel_name="python3",
                               cwd=str(path.parent), progress_bar=False, log_output=False,
                               execution_timeout=600)
    ran = nbformat.read(executed, as_version=4)
    missing = drawing_cells_without_image(ran)
    assert not missing, f"{path.name}: cells {missing} draw a figure but show no image (inline backend lost?)"
    shown = "".join(str(o.get("text", "")) for o in ran.cells[-1].get("outputs", []))
    assert probe in shown, f"{path.name}: a toolkit warning is not shown (configure logging in the setup cell)"
    # what a student reads: no warning that the progress bars cannot be drawn (ipywidgets is installed)
    printed = [o.get("text", "") for c in ran.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [t for t in printed if "IProgress not found" in str(t)], f"{path.name}: tqdm cannot draw its bars"
