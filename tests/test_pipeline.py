"""The main run end to end on a small demo corpus: outputs, provenance, caching, byte-identical reruns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from toolkit.config import CorpusConfig, FiguresConfig, RunConfig, ThemesConfig, TopicsConfig
from toolkit.pipeline import run_pipeline
from toolkit.report.registry import FIGURES

CONFIG = RunConfig(
    name="test", random_state=7,
    corpus=CorpusConfig(n_pages=220),
    themes=ThemesConfig(n_boot=100),
    topics=TopicsConfig(n_topics_grid=(5, 7), random_states=(0, 1)),
    figures=FiguresConfig(formats=("png", "svg"), dpi=60),
)


def _hashes(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    first = run_pipeline(CONFIG, output_dir=root / "a", cache_dir=root / "cache-a")
    second = run_pipeline(CONFIG, output_dir=root / "b", cache_dir=root / "cache-b")
    warm = run_pipeline(CONFIG, output_dir=root / "a", cache_dir=root / "cache-a")
    return root, first, second, warm


@pytest.mark.slow
def test_every_figure_table_and_the_report(runs):
    root, first, *_ = runs
    out = root / "a"
    for spec in FIGURES:
        for suffix in (".png", ".svg", ".json"):
            assert (out / "figures" / f"{spec.name}{suffix}").exists(), spec.name
    for name in ("theme_shares_locality_year", "keyness", "model_selection", "topic_terms", "effects",
                 "planted_vs_recovered", "documents_per_locality_year"):
        for suffix in (".csv", ".parquet", ".json"):
            assert (out / "tables" / f"{name}{suffix}").exists(), name
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<img") == len(FIGURES)
    assert "What it shows" in html and "How it was made" in html and "SIMULATED" in html
    sidecar = json.loads((out / "figures" / "theme_trends.json").read_text(encoding="utf-8"))
    for key in ("config_hash", "corpus_hash", "lexicon_version", "packages", "git_commit", "caption"):
        assert sidecar[key]
    assert sidecar["config_hash"] == CONFIG.hash()
    assert first.n_topics in (5, 7)


@pytest.mark.slow
def test_two_cold_runs_are_byte_identical(runs):
    root, *_ = runs
    a, b = _hashes(root / "a"), _hashes(root / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


@pytest.mark.slow
def test_cached_rerun_reads_the_cache(runs):
    # every computing stage of the re-run came from the cache (how much faster that is: `make bench`)
    _, first, _, warm = runs
    assert {"tokens", "themes", "topics"} <= set(first.computed)
    assert warm.computed == []


def test_planted_covid_absent_before_2020(runs):
    root, *_ = runs
    import pandas as pd

    table = pd.read_parquet(root / "a" / "tables" / "planted_vs_recovered.parquet")
    covid = table[table["theme"] == "covid"]
    assert (covid.loc[covid["year"] < 2020, "share"] == 0).all()
    assert covid.loc[covid["year"].between(2020, 2021), "share"].min() > 0.1


def test_grouped_tables_carry_the_locality(runs):
    import pandas as pd

    root, *_ = runs
    tables = root / "a" / "tables"
    docs_per = pd.read_parquet(tables / "documents_per_locality_year.parquet")
    assert list(docs_per.columns) == ["province", "district", "locality", "year", "n_docs"]
    shares = pd.read_parquet(tables / "theme_shares_locality_year.parquet")
    assert list(shares.columns[:4]) == ["province", "district", "locality", "year"]
    known = shares[shares["district"] != ""]
    assert (known["locality"] == known["district"] + ", " + known["province"]).all()
    prevalence = pd.read_parquet(tables / "topic_prevalence_district_year.parquet")
    assert list(prevalence.columns[:4]) == ["province", "district", "locality", "year"]
    effects = pd.read_parquet(tables / "effects.parquet")
    assert effects["term"].str.startswith("C(locality)[T.").any()
    keyness = pd.read_parquet(tables / "keyness.parquet")
    assert set(keyness["group"]) <= set(shares["locality"])


@pytest.mark.slow
def test_keyness_table_keeps_the_top_terms_of_each_group(runs):
    import pandas as pd

    root, *_ = runs
    keyness = pd.read_parquet(root / "a" / "tables" / "keyness.parquet")
    sizes = keyness.groupby("group").size()
    assert sizes.max() == CONFIG.keyness.n_terms  # the top terms, not every term of every group
    assert {"n_docs", "small_group"} <= set(keyness.columns)
    assert (keyness["small_group"] == (keyness["n_docs"] < CONFIG.keyness.min_docs)).all()
    for _, group in keyness.groupby("group"):
        assert group["z"].is_monotonic_decreasing


def test_figure_labels_qualify_only_same_named_districts():
    import pandas as pd

    from toolkit.report.registry import _top_localities, locality_labels

    localities = pd.Series(["Huyện Châu Thành, Bến Tre", "Huyện Châu Thành, Tiền Giang", "Huyện Long Phú, Sóc Trăng",
                            "Bến Tre", "", "Huyện Châu Thành, Bến Tre"])
    assert locality_labels(localities).tolist() == [
        "Huyện Châu Thành, Bến Tre", "Huyện Châu Thành, Tiền Giang", "Huyện Long Phú", "Bến Tre", "(unknown)",
        "Huyện Châu Thành, Bến Tre"]
    # A table without a locality column: derived, and the two Châu Thành stay two rows of the figure.
    counts = pd.DataFrame({"province": ["Bến Tre", "Tiền Giang", "Sóc Trăng"],
                           "district": ["Huyện Châu Thành", "Huyện Châu Thành", "Huyện Long Phú"],
                           "year": 2020, "n_docs": [5, 3, 1]})
    shown = _top_localities(counts, 2)
    assert shown["locality"].tolist() == ["Huyện Châu Thành, Bến Tre", "Huyện Châu Thành, Tiền Giang"]


@pytest.mark.slow
def test_own_corpus_from_a_table_without_the_formula_columns(tmp_path):
    """`make figures CONFIG=my.toml` on a researcher's table: a formula naming a column the table lacks stops the
    run before any heavy work, with the fix; left unset, the formula fits the table and the run completes."""
    import pandas as pd

    from toolkit.config import EffectsConfig
    from toolkit.corpus import write_table
    from toolkit.errors import UserError
    from toolkit.pipeline import load_demo

    docs = load_demo(160, random_state=3).documents
    table = tmp_path / "my_corpus.jsonl"
    write_table(pd.DataFrame({"title": docs["title"], "text": docs["body"], "date": docs["date"]}), table)
    config = RunConfig(
        name="own", random_state=1,
        corpus=CorpusConfig(simulate=False, paths=(str(table),), text_field="text"),
        themes=ThemesConfig(n_boot=50),
        topics=TopicsConfig(n_topics_grid=(5,), random_states=(0, 1)),
        effects=EffectsConfig(formula="~ C(no_such_column)", n_draws=5),
        figures=FiguresConfig(formats=("png",), dpi=40),
    )
    with pytest.raises(UserError, match="no_such_column") as info:
        run_pipeline(config, output_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    assert "remove the line" in info.value.fix
    assert not (tmp_path / "out" / "index.html").exists()

    summary = run_pipeline(replace(config, effects=EffectsConfig(n_draws=5)), output_dir=tmp_path / "out",
                           cache_dir=tmp_path / "cache")
    assert summary.n_documents > 100
    assert (tmp_path / "out" / "index.html").exists()
    assert (tmp_path / "out" / "figures" / "topic_top_terms.png").exists()
    choices = pd.read_csv(tmp_path / "out" / "tables" / "run_choices.csv").set_index("setting")
    effects = tmp_path / "out" / "tables" / "effects.csv"
    assert effects.exists() == (choices.loc["effects.formula", "value"] != "(none)")
    assert not (tmp_path / "out" / "tables" / "planted_vs_recovered.csv").exists()


def test_theme_figures_carry_the_measured_quality(runs):
    from tests.conftest import CORPORA_DIR

    root = runs[0]
    quality = root / "a" / "tables" / "theme_quality.csv"
    page = (root / "a" / "index.html").read_text(encoding="utf-8")
    if not CORPORA_DIR.is_dir():  # without the labelled real articles there is nothing to report
        assert not quality.exists() and "Measured quality" not in page
        return
    import pandas as pd

    table = pd.read_csv(quality)
    assert {"site_clearance", "religion", "democracy_regulations", "covid"} <= set(table["theme"])
    assert table["source"].str.contains("holdout").all()
    assert page.count("Measured quality of the measure against human coding") >= 2
