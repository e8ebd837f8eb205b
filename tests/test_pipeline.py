"""The main run end to end on a small demo corpus: outputs, provenance, caching, byte-identical reruns."""

from __future__ import annotations

import html

import hashlib
import json
from dataclasses import replace

import pytest

from tests.conftest import needs_corpora
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
    # the measured-quality tables are a timed stage of their own (they segment the labelled articles)
    assert {"ingest", "preprocess", "themes", "quality", "figures", "topics"} <= set(first.timings)
    # every table the report lists says what it holds
    from toolkit.report.registry import TABLE_CAPTIONS

    assert sorted(p.stem for p in (out / "tables").glob("*.csv") if p.stem not in TABLE_CAPTIONS) == []
    # every demo page is dated: the dated/undated counts per locality have nothing to add
    made = [spec.name for spec in FIGURES if spec.name != "documents_per_locality"]
    for name in made:
        for suffix in (".png", ".svg", ".json"):
            assert (out / "figures" / f"{name}{suffix}").exists(), name
    assert not (out / "figures" / "documents_per_locality.png").exists()
    for name in ("theme_shares_locality_year", "theme_shares_locality", "keyness", "model_selection", "topic_terms",
                 "effects", "planted_vs_recovered", "documents_per_locality_year", "documents_per_locality"):
        for suffix in (".csv", ".parquet", ".json"):
            assert (out / "tables" / f"{name}{suffix}").exists(), name
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<img") == len(made)
    assert "figure documents_per_locality left out: no undated document with a locality" in html
    assert "What it shows" in html and "How it was made" in html and "SIMULATED" in html
    sidecar = json.loads((out / "figures" / "theme_trends.json").read_text(encoding="utf-8"))
    for key in ("config_hash", "corpus_hash", "lexicon_version", "packages", "git_commit", "caption"):
        assert sidecar[key]
    assert sidecar["config_hash"] == CONFIG.hash()
    assert first.n_topics in (5, 7)


@pytest.mark.slow
def test_two_cold_runs_are_byte_identical(runs):
    # cold stage caches; the reference tables (labelled-article quality, date accuracy) never depend on the run's
    # corpus and come from `.cache/reference` in the second run: `repro_check` computes them cold in both
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
    # C(locality)[T.…], or C(locality, Treatment(reference=…))[T.…] when the run chose a reference
    from toolkit.report.registry import _parse_term

    assert any((_parse_term(term) or ("",))[0] == "locality" for term in effects["term"])
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


def test_locality_figures_keep_a_provinces_districts_together():
    import matplotlib.pyplot as plt
    import pandas as pd

    from toolkit.report import plots
    from toolkit.report.registry import _row_groups, _row_order, _top_localities

    counts = pd.DataFrame({
        "locality": ["Thành phố Huế, Thừa Thiên Huế", "Thành phố Từ Sơn, Bắc Ninh", "Quận Ba Đình, Hà Nội",
                     "Thành phố Bắc Ninh, Bắc Ninh", "", "Quận Long Biên, Hà Nội", "Quận Hải Châu, Đà Nẵng"],
        "year": 2020, "n_docs": [4, 3, 2, 5, 1, 6, 2]})
    shown = _top_localities(counts, 30)
    order = ["Thành phố Bắc Ninh", "Thành phố Từ Sơn", "Quận Hải Châu", "Quận Ba Đình", "Quận Long Biên",
             "Thành phố Huế", "(unknown)"]
    # by province, then district, in Vietnamese alphabetical order ("Đà Nẵng" between "Bắc Ninh" and "Hà Nội",
    # not after "Thừa Thiên Huế" as code points would put it); unknown last
    assert _row_order(shown) == order
    ax = plots.doc_counts_heatmap(shown, row="locality", col="year", row_order=_row_order(shown),
                                  row_groups=_row_groups(shown))
    assert [t.get_text() for t in ax.get_yticklabels()] == order
    # a line parts the provinces, and each is named on the right, beside its rows
    rules = [line.get_ydata()[0] for line in ax.get_lines()]
    assert rules == [1.5, 2.5, 4.5, 5.5]
    right = ax.child_axes[0]
    assert [t.get_text() for t in right.get_yticklabels()] == ["Bắc Ninh", "Đà Nẵng", "Hà Nội", "Thừa Thiên Huế", ""]
    assert list(right.get_yticks()) == [0.5, 2.0, 3.5, 5.0, 6.0]
    plt.close(ax.figure)
    # one province: nothing to part or name
    one = shown[shown["locality_group"] == "Hà Nội"]
    ax = plots.doc_counts_heatmap(one, row="locality", col="year", row_groups=_row_groups(one))
    assert not ax.get_lines() and not ax.child_axes
    plt.close(ax.figure)


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
        # no quality stage (computed once per checkout from ../shared; tested by the `runs` fixture)
        themes=ThemesConfig(n_boot=50, devset_quality=False),
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
    assert table["source"].str.contains("held out").all()
    from toolkit.themes.validate import heldout_rounds

    held = {theme: ", ".join(map(str, rounds)) for theme, rounds in heldout_rounds().items()}
    for theme, rounds in zip(table["theme"], table["rounds"].astype(str)):  # each theme on its held-out rounds
        assert rounds == held[theme], (theme, rounds)
    assert page.count("Measured quality of the measure against human coding") >= 2
    # the captions name the rounds as ranges ("rounds 5–9, 12–28"), not twenty numbers
    from toolkit.themes.validate import rounds_label

    assert f"(rounds {rounds_label(held['covid'])})" in page and "(rounds 5, 6," not in page
    # what a reader must know about a theme's held-out rounds (heldout.csv's note) stands beside its scores
    from toolkit.themes.validate import heldout_notes

    notes = heldout_notes()
    assert notes and dict(zip(table["theme"], table["note"].fillna(""))) == {t: notes.get(t, "") for t in table["theme"]}
    for note in notes.values():
        assert html.escape(note) in page


# --------------------------------------------------------------------------
# Figures fit to print (issue #13): every registered figure, on the demo run and with long locality names
# --------------------------------------------------------------------------

LONG = " Mở Rộng Phía Tây Bắc Ven Sông Hồng Và Vùng Phụ Cận"


def _run_tables(root):
    import pandas as pd

    return {p.stem: pd.read_parquet(p) for p in sorted((root / "a" / "tables").glob("*.parquet"))}


def _lengthen(value, districts):
    if not isinstance(value, str):
        return value
    for d in districts:
        value = value.replace(d, d + LONG)
    return value


def _with_long_names(tables):
    """The same tables with every district renamed to a 70-character name, and some tiny and empty theme cells."""
    districts = sorted({d for t in tables.values() if "district" in t for d in t["district"].dropna().unique() if d})
    out = {}
    for name, table in tables.items():
        table = table.copy()
        for column in ("district", "locality", "group", "term"):
            if column in table:
                table[column] = [_lengthen(v, districts) for v in table[column]]
        if name.startswith("theme_shares_locality"):
            table.loc[table.index[:40:3], ["n_docs", "docs_with_theme", "share", "small_cell"]] = [2, 0, 0.0, True]
        out[name] = table
    return out


def _misfits(fig):
    """Texts drawn on ``fig`` that stick out of the figure, or are smaller than the minimum font size."""
    from unittest import mock

    import matplotlib.text

    from toolkit.report.plots import MIN_FONT

    drawn = []
    draw = matplotlib.text.Text.draw

    def record(text, renderer):  # only what is drawn counts (tick labels beyond the view are not)
        draw(text, renderer)
        if text.get_visible() and text.get_text().strip():
            drawn.append((text, text.get_window_extent(renderer)))

    with mock.patch.object(matplotlib.text.Text, "draw", record):
        fig.canvas.draw()
    box = fig.bbox
    bad = []
    for text, extent in drawn:
        if extent.x0 < box.x0 - 0.5 or extent.y0 < box.y0 - 0.5 or extent.x1 > box.x1 + 0.5 or \
                extent.y1 > box.y1 + 0.5:
            bad.append(("outside", text.get_text()[:40]))
        if text.get_fontsize() < MIN_FONT:
            bad.append((f"{text.get_fontsize():.1f} pt", text.get_text()[:40]))
    assert drawn, "nothing was drawn"
    return bad


@pytest.mark.slow
@pytest.mark.parametrize("names", ["demo", "long"])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_figure_fits_the_page_with_no_text_cut_off(runs, names, lang):
    import matplotlib.pyplot as plt

    from toolkit.report import plots
    from toolkit.report.registry import draw_figure, figure_context

    root, first, *_ = runs
    tables = _run_tables(root)
    if names == "long":
        tables = _with_long_names(tables)
    config = RunConfig(**{**CONFIG.__dict__, "figures": FiguresConfig(language=lang)})
    ctx = figure_context(config, tables, first.n_topics)
    drawn = 0
    for spec in FIGURES:
        fig = draw_figure(spec, tables, lang, ctx)
        assert fig is not None, spec.name
        drawn += 1
        assert fig.get_size_inches()[0] <= plots.PAGE_WIDTH + 1e-6, spec.name
        assert _misfits(fig) == [], spec.name
        plt.close(fig)
    assert drawn == len(FIGURES)


@pytest.mark.slow
def test_comparison_panels_share_one_scale(runs):
    import matplotlib.pyplot as plt

    from toolkit.report.registry import FIGURES as specs, draw_figure, figure_context

    root, first, *_ = runs
    tables = _run_tables(root)
    ctx = figure_context(CONFIG, tables, first.n_topics)
    by_name = {s.name: s for s in specs}
    fig = draw_figure(by_name["theme_share_by_period"], tables, "en", ctx)
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert len(heatmaps) == len(ctx["themes"]) > 1
    assert len({ax.images[0].get_clim() for ax in heatmaps}) == 1       # one colour scale…
    assert len(fig.axes) == len(heatmaps) + 1                           # …read off one colorbar
    plt.close(fig)
    fig = draw_figure(by_name["theme_trends"], tables, "en", ctx)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(panels) > 1 and len({ax.get_ylim() for ax in panels}) == 1
    # the figure themes are the seeded ones, not every theme of the dictionary
    assert {line.get_label() for line in panels[0].lines if not line.get_label().startswith("_")} == {
        ctx["labels"][t] for t in CONFIG.topics.seed_themes}
    plt.close(fig)


def test_figure_themes_come_from_the_config():
    from toolkit.report.registry import figure_themes

    available = {"covid", "religion", "site_clearance", "tax"}
    seeded = RunConfig(topics=TopicsConfig(seed_themes=("religion", "covid", "elections")))
    assert figure_themes(seeded, available) == ["religion", "covid"]
    assert figure_themes(RunConfig(topics=TopicsConfig(seeded=False)), available) == sorted(available)
    assert figure_themes(RunConfig(topics=TopicsConfig(seed_themes=())), available) == sorted(available)
    chosen = RunConfig(figures=FiguresConfig(themes=("tax",)))
    assert figure_themes(chosen, available) == ["tax"]
    with pytest.raises(ValueError, match="unknown theme.*no_such"):
        figure_themes(RunConfig(figures=FiguresConfig(themes=("no_such",))), available)


def test_topic_figure_labels_use_frex_terms():
    import pandas as pd

    from toolkit.report.registry import topic_figure_labels

    frex = pd.DataFrame({"topic": [0, 0, 0, 0, 1, 1], "label": ["religion"] * 4 + ["topic_05"] * 2,
                         "rank": [2, 1, 3, 4, 1, 2],
                         "term": ["giáo_xứ", "chức_sắc", "linh_mục", "lễ", "vỉa_hè", "lấn_chiếm"]})
    assert topic_figure_labels(frex, {"religion": "Religion"}) == {
        "religion": "Religion: chức sắc, giáo xứ, linh mục", "topic_05": "topic_05: vỉa hè, lấn chiếm"}
    # a seeded topic whose seed terms are gone from its top terms says so, in the figure's language
    assert topic_figure_labels(frex, {"religion": "Religion"}, lost=["religion"])["religion"] == \
        "Religion (seed terms lost): chức sắc, giáo xứ, linh mục"
    assert topic_figure_labels(frex, {"religion": "Tôn giáo"}, lost=["religion"], lang="vi")["religion"] == \
        "Tôn giáo (lệch khỏi từ khóa gốc): chức sắc, giáo xứ, linh mục"


@pytest.mark.slow
def test_the_demos_seeded_topics_hold_their_seeds(runs):
    import pandas as pd

    root, *_ = runs
    retention = pd.read_csv(root / "a" / "tables" / "seed_retention.csv")
    assert list(retention["label"]) == ["site_clearance", "religion", "democracy_regulations", "covid"]
    assert retention["held"].all() and (retention["lift"] > 2).all(), retention


def test_a_lost_seeded_topic_is_named_in_the_caption_and_its_label():
    import pandas as pd

    from toolkit.report.registry import FIGURES, figure_context

    frex = pd.DataFrame({"topic": [0, 0, 1, 1], "label": ["religion"] * 2 + ["democracy_regulations"] * 2,
                         "rank": [1, 2, 1, 2], "term": ["giáo_xứ", "linh_mục", "tổng_thống", "ukraine"]})
    retention = pd.DataFrame({"topic": [0, 1], "label": ["religion", "democracy_regulations"],
                              "held": [True, False]})
    ctx = figure_context(RunConfig(), {"topic_terms_frex": frex, "seed_retention": retention}, 2)
    assert ctx["topic_labels"]["democracy_regulations"].startswith(
        "Grassroots democracy regulations (seed terms lost): tổng thống")
    assert "lost" not in ctx["topic_labels"]["religion"]
    caption = next(s for s in FIGURES if s.name == "topic_top_terms").caption.format(**ctx["text"])
    assert 'Marked "seed terms lost" (Grassroots democracy regulations)' in caption
    # a topic whose seeds are among its top terms but mostly in another topic's occurrences says where they went
    moved = pd.DataFrame({"topic": [0, 1], "label": ["religion", "democracy_regulations"], "held": [True, False],
                          "seeds_in_top_terms": ["giáo_xứ", "công_khai"], "seed_capture": [0.9, 0.11],
                          "main_seed_topic": ["religion", "topic_13"], "main_seed_capture": [0.9, 0.62]})
    ctx = figure_context(RunConfig(), {"topic_terms_frex": frex, "seed_retention": moved}, 2)
    assert ctx["topic_labels"]["democracy_regulations"].startswith(
        "Grassroots democracy regulations (seed terms mostly elsewhere): tổng thống")
    caption = next(s for s in FIGURES if s.name == "topic_top_terms").caption.format(**ctx["text"])
    assert ('Marked "seed terms mostly elsewhere" (Grassroots democracy regulations: 62% of its seed terms\' '
            "occurrences in topic_13, 11% in the seeded topic") in caption
    assert "seed terms lost" not in caption
    # every seeded topic held: the caption says nothing more
    ctx = figure_context(RunConfig(), {"topic_terms_frex": frex, "seed_retention": retention.assign(held=True)}, 2)
    assert next(s for s in FIGURES if s.name == "topic_top_terms").caption.format(**ctx["text"]).endswith(
        "Seeded topics carry their theme's name.")


def _refuse(monkeypatch, target: str, why: str) -> None:
    """Make ``target`` fail the test if the run calls it."""
    def refused(*args, **kwargs):
        raise AssertionError(why)

    monkeypatch.setattr(target, refused)


@pytest.mark.slow
def test_no_effects_formula_fits_no_refits(tmp_path, monkeypatch):
    from toolkit.config import EffectsConfig

    _refuse(monkeypatch, "toolkit.pipeline._refit", "a refit was fitted though the run has no effects formula")
    config = replace(CONFIG, corpus=CorpusConfig(n_pages=120), themes=ThemesConfig(n_boot=20, devset_quality=False),
                     topics=TopicsConfig(n_topics_grid=(), n_topics=5, random_states=(0,)),
                     effects=EffectsConfig(formula=""), figures=FiguresConfig(formats=("png",), dpi=40))
    run_pipeline(config, output_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "out" / "tables" / "topic_matching.csv").exists()
    assert not (tmp_path / "out" / "tables" / "effects.csv").exists()


@pytest.mark.slow
def test_theme_figures_alone_fit_no_topic_model_and_say_so(tmp_path, monkeypatch):
    import pandas as pd

    from toolkit.study.check import run_cost

    _refuse(monkeypatch, "toolkit.pipeline._topics_stage",
            "a topic model was fitted though [figures] include names no topic figure")
    config = replace(CONFIG, corpus=CorpusConfig(n_pages=120), themes=ThemesConfig(n_boot=20, devset_quality=False),
                     figures=FiguresConfig(formats=("png",), dpi=40, include=("theme_trends", "keyness")))
    summary = run_pipeline(config, output_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    out = tmp_path / "out"
    assert {p.stem for p in (out / "figures").glob("*.png")} == {"theme_trends", "keyness"}
    assert not (out / "tables" / "topic_terms.csv").exists() and not (out / "tables" / "effects.csv").exists()
    assert summary.n_topics == 0 and "topics" not in summary.timings
    choices = pd.read_csv(out / "tables" / "run_choices.csv").set_index("setting")
    assert choices.loc["topics", "value"] == "not fitted"
    assert "names no topic figure" in choices.loc["topics", "reason"]
    methods = (out / "methods.md").read_text(encoding="utf-8")
    assert "No topic model was fitted" in methods and "No effects were estimated: no topic model" in methods
    assert "topics = not fitted" in (out / "index.html").read_text(encoding="utf-8")
    # the check's cost table says the same before the run
    cost = run_cost(config, 120, estimated=False).set_index("stage")
    assert (cost.loc[["select (K grid × seeds)", "topics (final model)", "effects"], "n_fits"] == 0).all()
    assert cost.loc["topics (final model)", "note"].startswith("left out")
    # one topic figure brings the model back
    assert run_cost(replace(config, figures=FiguresConfig(include=("keyness", "topic_top_terms"))), 120,
                    estimated=False).set_index("stage").loc["topics (final model)", "n_fits"] == 1


def test_a_researchers_bad_validation_sheet_stops_the_run_naming_the_sheet_and_rows(tmp_path):
    from toolkit.errors import UserError
    from toolkit.pipeline import StageCache, theme_quality_table

    sheet = tmp_path / "coded.csv"
    sheet.write_text("doc_id,weight,site__dictionary,site__coder1\na,1,1,1\na,1,0,0\nb,1,0,1\n", encoding="utf-8")
    config = RunConfig(themes=ThemesConfig(validation_sheet=str(sheet)))
    with pytest.raises(UserError, match=r"doc_id 'a' is on sheet rows 2, 3") as info:
        theme_quality_table(config, None, StageCache(tmp_path / "cache"))
    assert info.value.path == str(sheet) and "validate score" in info.value.fix
    sheet.write_text("doc_id,weight,site__dictionary,site__coder1\na,1,1,1\nc,1,0,0\nb,1,0,1\n", encoding="utf-8")
    table = theme_quality_table(config, None, StageCache(tmp_path / "cache"))
    assert table[["theme", "tp", "fn", "source"]].values.tolist() == [["site", 1, 1, str(sheet)]]


def test_a_sheets_quality_is_drawn_again_with_another_seed(tmp_path):
    # the stage cache keyed the sheet's scores without the run's seed: a run with another random_state read the
    # interval bounds drawn with the first one
    from dataclasses import replace

    from toolkit.pipeline import StageCache, theme_quality_table

    sheet = tmp_path / "coded.csv"
    rows = ["doc_id,weight,site__dictionary,site__coder1"]
    rows += [f"d{i},1,{i % 2},{i % 3 == 0:d}" for i in range(12)]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = RunConfig(themes=ThemesConfig(validation_sheet=str(sheet)), random_state=1)
    cache = StageCache(tmp_path / "cache")
    theme_quality_table(config, None, cache)
    theme_quality_table(replace(config, random_state=2), None, cache)
    theme_quality_table(config, None, cache)
    assert cache.computed == ["theme_quality", "theme_quality"]


def test_an_edited_lexicon_segments_the_corpus_again(tmp_path, monkeypatch):
    # the token stage's key left the lexicons out: after a terms.txt edit `make figures` read the tokens of
    # the lexicons before it from the stage cache while its sidecars recorded the new lexicon version
    import shutil

    import pandas as pd

    from toolkit.config import lexicon_dir
    from toolkit.pipeline import StageCache, tokenize_documents

    lex = tmp_path / "lexicons"
    shutil.copytree(lexicon_dir(), lex)
    monkeypatch.setenv("TOOLKIT_LEXICONS", str(lex))
    docs = pd.DataFrame({"doc_id": ["a"], "title": [""], "body": ["Thành phố khởi công đường vành đai mới."]})
    cache = StageCache(tmp_path / "cache")
    before = tokenize_documents(RunConfig(), docs, cache)
    assert "vành_đai" in before["tokens"][0]
    with open(lex / "terms.txt", "a", encoding="utf-8") as fh:
        fh.write("\n## test\nđường vành đai\n")
    after = tokenize_documents(RunConfig(), docs, cache)
    assert "đường_vành_đai" in after["tokens"][0] and cache.computed == ["tokens", "tokens"]
    # nothing changed since: read from the cache
    tokenize_documents(RunConfig(), docs, cache)
    assert cache.computed == ["tokens", "tokens"]


def test_a_runs_quality_from_a_sheet_coded_twice_carries_the_coders_agreement(tmp_path):
    # a walk-through coded its sheet twice; the report's captions named neither the agreement nor how many
    # documents both coders read
    import pandas as pd

    from toolkit.pipeline import StageCache, theme_quality_table

    sheet = tmp_path / "coded.csv"
    rows = ["doc_id,weight,site__dictionary,site__coder1,site__coder2,road__dictionary,road__coder1"]
    rows += [f"d{i},1,{i % 2},{i % 2},{(i % 2) if i < 8 else 1 - i % 2},{i % 3 == 0:d},{i % 3 == 0:d}"
             for i in range(10)]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = RunConfig(themes=ThemesConfig(validation_sheet=str(sheet)))
    table = theme_quality_table(config, None, StageCache(tmp_path / "cache")).set_index("theme")
    assert table.loc["site", "n_both"] == 10 and table.loc["site", "percent_agreement"] == 0.8
    assert 0 < table.loc["site", "cohen_kappa"] < 1 and table.loc["site", "coders"] == "coder1, coder2"
    # a theme coded once has no agreement, and keeps its rates
    assert pd.isna(table.loc["road", "cohen_kappa"]) and table.loc["road", "f1"] == 1.0


def test_a_coded_sheet_is_scored_with_the_runs_dictionary_not_the_one_it_was_drawn_with(caplog):
    # the themes file was edited after the sheet was drawn: the report showed the old dictionary's precision
    # beside the new dictionary's shares
    import logging

    import pandas as pd

    from toolkit.pipeline import sheet_with_run_flags

    sheet = pd.DataFrame({"doc_id": ["a", "b", "c", "z"], "weight": [1.0, 1.0, 2.0, 2.0],
                          "complaints__dictionary": [1, 1, 0, 1], "complaints__coder1": [1, 0, 0, 1],
                          "covid__dictionary": [0, 0, 0, 0]})
    hits = pd.DataFrame({"doc_id": ["a", "b", "c"] * 2, "theme": ["complaints"] * 3 + ["covid"] * 3,
                         "present": [True, False, False, False, False, False]})
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        out = sheet_with_run_flags(sheet, hits)
    # b is no longer flagged (an exclusion added since); z, not in this run's corpus, keeps the sheet's flag
    assert out["complaints__dictionary"].tolist() == [1, 0, 0, 1]
    assert out["covid__dictionary"].tolist() == [0, 0, 0, 0]
    assert out["complaints__coder1"].tolist() == [1, 0, 0, 1] and sheet["complaints__dictionary"].tolist() == [1, 1, 0, 1]
    assert "1 of the coded sheet's documents are not in this run's corpus" in caplog.text
    assert "flags 1 complaints coded document(s) otherwise" in caplog.text
    # the same dictionary: nothing said, nothing changed
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        same = sheet_with_run_flags(sheet.iloc[:3].assign(complaints__dictionary=[1, 0, 0]), hits)
    assert same["complaints__dictionary"].tolist() == [1, 0, 0] and caplog.text == ""


def test_a_sheets_flagged_counts_per_stratum_are_dropped_when_the_run_flags_otherwise(caplog):
    # validate sample records how many documents of each stratum the dictionary flags (t__stratum_flagged); once
    # the themes file is edited those counts are another dictionary's, and scoring with them could contradict the
    # run's flags (more flagged rows than flagged documents) or report the old dictionary's share
    import logging

    import pandas as pd

    from toolkit.pipeline import sheet_with_run_flags

    sheet = pd.DataFrame({"doc_id": ["a", "b", "c"], "stratum": ["hit:x", "hit:x", "miss"], "weight": [2.0, 2.0, 5.0],
                          "x__dictionary": [1, 1, 0], "x__stratum_flagged": [3, 3, 0], "x__coder1": [1, 0, 0]})
    hits = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "theme": "x", "present": [True, True, False, True]})
    kept = sheet_with_run_flags(sheet, hits)  # the same dictionary: 3 flagged documents, as drawn
    assert kept["x__stratum_flagged"].tolist() == [3, 3, 0]
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        edited_unread = sheet_with_run_flags(sheet, hits.assign(present=[True, True, False, False]))
    assert "x__stratum_flagged" not in edited_unread.columns  # same coded flags, but 2 flagged documents in all
    # an edit that changed only documents nobody coded is said: the score cannot see it
    assert "flags 2 x document(s) in this run's corpus, 3 when the sheet was drawn" in caplog.text
    edited_coded = sheet_with_run_flags(sheet, hits.assign(present=[True, False, True, True]))
    assert "x__stratum_flagged" not in edited_coded.columns


def test_the_effects_figure_names_the_formula_and_a_variable_it_has_no_levels_of():
    # dantri with "~ C(category) + C(year)": the caption said "locality and year (spline) terms" and the note
    # named only the year's reference, not the category's (business)
    import matplotlib.pyplot as plt
    import pandas as pd

    from toolkit.config import EffectsConfig
    from toolkit.report.registry import FIGURES, _effect_levels, _fig_effects, figure_context

    terms = ["C(category)[T.health]", "C(category)[T.science]", "C(year)[T.2020]", "C(year)[T.2021]"]
    effects = pd.DataFrame([{"label": "religion", "term": t, "estimate": 0.01, "ci_low": 0.0, "ci_high": 0.02}
                            for t in ["Intercept", *terms]])
    counts = pd.DataFrame({"province": [""] * 3, "district": [""] * 3, "year": [2019.0, 2020.0, 2021.0],
                           "n_docs": [2, 146, 2000]})
    ctx = {"themes": ["religion"], "labels": {"religion": "Religion"}, "topic_labels": {}, "localities": [],
           "locality_sizes": {}, "effect_levels": _effect_levels({"documents_per_locality_year": counts})}
    fig = _fig_effects(effects, "en", ctx)
    note = fig.get_supxlabel()
    plt.close(fig)
    assert "Each category compared with the level no term names (the first in sorted order)" in note, note
    assert "each year with 2019" in note
    config = RunConfig(effects=EffectsConfig(formula="~ C(category) + C(year)"))
    text = figure_context(config, {}, 2)["text"]
    caption = next(s for s in FIGURES if s.name == "effects_forest").caption.format(**text)
    assert caption.startswith("Effects of the terms of `~ C(category) + C(year)` on the proportion")


def test_the_topic_prevalence_caption_says_how_many_documents_its_cells_hold():
    # dantri: the cells held 900 of 2,651 documents (no locality), said only in a log line
    import pandas as pd

    from toolkit.report.registry import _prevalence_sentence

    prevalence = pd.DataFrame({"topic": [0, 0, 1, 1], "n_docs": [600, 300, 600, 300]})
    doc_topics = pd.DataFrame({"doc_id": [f"d{i}" for i in range(2651)]})
    sentence = _prevalence_sentence({"topic_prevalence_district_year": prevalence, "doc_topics": doc_topics})
    assert "The cells hold 900 of the model's 2651 documents (34%)" in sentence
    full = _prevalence_sentence({"topic_prevalence_district_year": prevalence, "doc_topics": doc_topics.head(900)})
    assert "The cells hold" not in full


def test_the_runs_random_state_draws_model_selections_sample_and_split(tmp_path, monkeypatch):
    # the config says random_state "seeds every random choice of the run"; model selection's held-out split was
    # always drawn with seed 0
    seen = {}

    class Stop(Exception):
        pass

    def select(*args, **kwargs):
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr("toolkit.topics.select_n_topics", select)
    config = replace(CONFIG, random_state=7, corpus=CorpusConfig(n_pages=60),
                     themes=ThemesConfig(n_boot=20, devset_quality=False),
                     topics=TopicsConfig(n_topics_grid=(5, 6), random_states=(0,)))
    with pytest.raises(Stop):
        run_pipeline(config, output_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    assert seen["split_random_state"] == 7


@pytest.mark.slow
def test_a_run_leaves_a_manifest_its_inputs_and_no_file_of_an_earlier_run(tmp_path, monkeypatch):
    # a reviewer found svg figures of an earlier seed beside this run's png, and, after a Ctrl-C, a report page of
    # the earlier run over this run's tables
    import hashlib

    from toolkit.config import EffectsConfig

    base = replace(CONFIG, corpus=CorpusConfig(n_pages=120), themes=ThemesConfig(n_boot=20, devset_quality=False),
                   topics=TopicsConfig(n_topics_grid=(), n_topics=5, random_states=(0,)),
                   effects=EffectsConfig(formula="", global_seeds=()))
    out = tmp_path / "out"
    run_pipeline(replace(base, figures=FiguresConfig(formats=("png", "svg"), dpi=40)), output_dir=out,
                 cache_dir=tmp_path / "cache")
    assert list((out / "figures").glob("*.svg"))
    (out / "notes.txt").write_text("the researcher's own file", encoding="utf-8")
    run_pipeline(replace(base, figures=FiguresConfig(formats=("png",), dpi=40)), output_dir=out,
                 cache_dir=tmp_path / "cache")
    assert not list((out / "figures").glob("*.svg")) and list((out / "figures").glob("*.png"))
    assert (out / "notes.txt").exists()  # not the run's: left alone
    # the manifest checks every file of the run, in sha256sum's format
    lines = (out / "manifest.sha256").read_text(encoding="utf-8").splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    assert {"index.html", "methods.md", "run_inputs/settings.json", "run_inputs/themes.toml"} <= set(listed)
    assert all(hashlib.sha256((out / p).read_bytes()).hexdigest() == h for p, h in listed.items())
    assert "notes.txt" not in listed
    # the settings file is what config_hash hashes; the themes copy what themes_version hashes
    sidecar = json.loads((out / "tables" / "corpus_summary.json").read_text(encoding="utf-8"))
    provenance = sidecar.get("provenance", sidecar)
    assert hashlib.sha256((out / "run_inputs" / "settings.json").read_bytes()).hexdigest()[:16] == \
        provenance["config_hash"]
    assert hashlib.sha256((out / "run_inputs" / "themes.toml").read_bytes()).hexdigest()[:12] == \
        provenance["themes_version"]
    assert provenance["python"].count(".") == 2

    # a run stopped half-way leaves no report page over a mix of files
    class Stop(Exception):
        pass

    def stop(*args, **kwargs):
        raise Stop

    monkeypatch.setattr("toolkit.report.registry.write_outputs", stop)
    with pytest.raises(Stop):
        run_pipeline(base, output_dir=out, cache_dir=tmp_path / "cache")
    assert not (out / "index.html").exists() and not (out / "manifest.sha256").exists()


def test_a_lost_seeded_topic_is_marked_in_the_written_tables_too():
    # the figures said "democracy_regulations (seed terms lost)" while effects.csv, topic_terms.csv … named the topic
    # after the theme: a reader of the tables would cite its effect as the theme's
    import pandas as pd

    from toolkit.report.registry import tables_as_written

    retention = pd.DataFrame({"topic": [0, 1], "label": ["religion", "democracy_regulations"], "held": [True, False]})
    effects = pd.DataFrame({"topic": [0, 1], "label": ["religion", "democracy_regulations"], "estimate": [0.1, 0.2]})
    correlations = pd.DataFrame({"topic_a": [0], "topic_b": [1], "label_a": ["religion"],
                                 "label_b": ["democracy_regulations"], "correlation": [-0.1]})
    shares = pd.DataFrame({"theme": ["democracy_regulations"], "share": [0.3]})
    written = tables_as_written({"seed_retention": retention, "effects": effects,
                                 "topic_correlations": correlations, "theme_shares_year": shares})
    assert written["effects"]["label"].tolist() == ["religion", "democracy_regulations (seed terms lost)"]
    assert written["topic_correlations"]["label_b"].tolist() == ["democracy_regulations (seed terms lost)"]
    assert written["effects"]["topic"].tolist() == [0, 1] and effects["label"][1] == "democracy_regulations"
    assert written["seed_retention"]["label"].tolist() == ["religion", "democracy_regulations"]
    assert written["theme_shares_year"] is shares  # a theme is no topic
    held = tables_as_written({"seed_retention": retention.assign(held=True), "effects": effects})
    assert held["effects"]["label"].tolist() == ["religion", "democracy_regulations"]


_CODED_SHEET = ("doc_id,stratum,weight,covid__dictionary,covid__coder1\n"
                "a,hit:covid,2,1,1\nb,hit:covid,2,1,1\nc,hit:covid,2,1,0\nd,rest,5,0,0\ne,rest,5,0,1\n")


def test_a_runs_coded_sheet_is_kept_with_its_report_and_named_in_its_provenance(tmp_path):
    # a walk-through changed three labels of the coded sheet: COVID precision in theme_quality went from 0.90 to
    # 0.82, yet both reports carried the same config_hash and corpus_hash, and neither kept nor hashed the sheet
    import pandas as pd

    from toolkit.pipeline import (RunSummary, StageCache, _finish_outputs, quality_provenance, theme_quality_table,
                                  write_run_inputs)

    themes = tmp_path / "themes.toml"
    themes.write_text('[covid]\nlabel = "COVID-19"\nterms = ["dịch covid"]\n', encoding="utf-8")
    sheet = tmp_path / "validation" / "sheet_coded.csv"
    sheet.parent.mkdir()
    config = RunConfig(root=str(tmp_path), themes=ThemesConfig(file="themes.toml", devset_quality=False,
                                                               validation_sheet="validation/sheet_coded.csv"))
    manifests, versions, qualities = [], [], []
    # a spreadsheet saves the sheet with a byte-order mark: the copy keeps the bytes the run read
    for i, text in enumerate(("\ufeff" + _CODED_SHEET, "\ufeff" + _CODED_SHEET.replace("c,hit:covid,2,1,0",
                                                                                      "c,hit:covid,2,1,1"))):
        sheet.write_text(text, encoding="utf-8")
        out = tmp_path / f"out{i}"
        quality = theme_quality_table(config, themes, StageCache(tmp_path / "cache"))
        inputs = write_run_inputs(config, themes, out)
        _finish_outputs(out, RunSummary(output_dir=out), inputs)
        copy = out / "run_inputs" / "validation_sheet.csv"
        assert copy.read_bytes() == sheet.read_bytes()
        listed = dict(reversed(line.split("  ", 1)) for line in
                      (out / "manifest.sha256").read_text(encoding="utf-8").splitlines())
        assert listed["run_inputs/validation_sheet.csv"] == hashlib.sha256(sheet.read_bytes()).hexdigest()
        provenance = quality_provenance(config, quality)
        assert provenance == {"validation_sheet_version": hashlib.sha256(copy.read_bytes()).hexdigest()[:12]}
        # a reviewer rerunning from the report's copy gets the report's scores
        rerun = theme_quality_table(replace(config, themes=replace(config.themes, validation_sheet=str(copy))),
                                    themes, StageCache(tmp_path / "cache"))
        pd.testing.assert_frame_equal(rerun.drop(columns="source"), quality.drop(columns="source"))
        manifests.append(listed)
        versions.append(provenance)
        qualities.append(quality)
    assert qualities[0]["precision"].tolist() != qualities[1]["precision"].tolist()
    # two runs scored on two sheets differ in what they record
    assert versions[0] != versions[1]
    assert manifests[0]["run_inputs/validation_sheet.csv"] != manifests[1]["run_inputs/validation_sheet.csv"]

    # no sheet configured: nothing recorded, and an earlier run's copy does not stay beside this run's inputs
    bare = replace(config, themes=replace(config.themes, validation_sheet=""))
    out = tmp_path / "out1"
    _finish_outputs(out, RunSummary(output_dir=out), write_run_inputs(bare, themes, out))
    assert not list((out / "run_inputs").glob("validation_sheet*"))
    assert "validation_sheet" not in (out / "manifest.sha256").read_text(encoding="utf-8")
    assert quality_provenance(bare, theme_quality_table(bare, themes, StageCache(tmp_path / "cache"))) == {}


def test_the_labelled_articles_a_runs_quality_was_scored_on_are_named_in_its_provenance(tmp_path, monkeypatch):
    # without a sheet the dictionary is scored on the project's labelled articles (corpora/validation): their labels
    # are the run's input too, and an edited label file changes what the run records
    import shutil

    import pandas as pd

    from toolkit.pipeline import DEVSET_FILES, quality_provenance
    from toolkit.themes import validate as va

    for name in DEVSET_FILES:
        shutil.copy(va.devset_path().with_name(name), tmp_path / name)
    monkeypatch.setattr(va, "devset_path", lambda: tmp_path / "devset.csv")
    config = RunConfig(themes=ThemesConfig(devset_quality=True))
    scored = pd.DataFrame({"theme": ["covid"], "precision": [0.9]})
    before = quality_provenance(config, scored)
    assert set(before) == {"devset_version"} and before == quality_provenance(config, scored)
    heldout = tmp_path / "heldout.csv"
    heldout.write_bytes(heldout.read_bytes() + b"\n")
    assert quality_provenance(config, scored) != before
    # no ../shared, or devset_quality = false: no quality measured, none recorded
    assert quality_provenance(config, None) == {}


def test_the_sheet_a_run_scored_is_in_its_sidecars_and_manifest(tmp_path, monkeypatch):
    # the run itself (not the report stage, stubbed here): the sheet's version goes into every sidecar's provenance
    seen = {}

    def write_outputs(config, tables, out, provenance, summary, **kwargs):
        seen.update(provenance=dict(provenance), quality=tables.get("theme_quality"))

    monkeypatch.setattr("toolkit.report.registry.write_outputs", write_outputs)
    sheet = tmp_path / "sheet_coded.csv"
    sheet.write_text(_CODED_SHEET, encoding="utf-8")
    config = replace(CONFIG, corpus=CorpusConfig(n_pages=60),
                     themes=ThemesConfig(n_boot=20, devset_quality=False, validation_sheet=str(sheet)),
                     figures=FiguresConfig(include=("documents_per_locality_year",), formats=("png",), dpi=40))
    out = tmp_path / "out"
    run_pipeline(config, output_dir=out, cache_dir=tmp_path / "cache")
    assert seen["quality"] is not None
    assert seen["provenance"]["validation_sheet_version"] == hashlib.sha256(sheet.read_bytes()).hexdigest()[:12]
    assert "run_inputs/validation_sheet.csv" in (out / "manifest.sha256").read_text(encoding="utf-8")


@needs_corpora
def test_reference_tables_are_computed_once_per_checkout_not_per_stage_cache(tmp_path, monkeypatch):
    # the date rules' accuracy (and the dictionary's quality on the labelled articles) never depends on the run's
    # corpus: two runs with their own stage caches computed it twice (in the test suite, every cold run did)
    import pandas as pd

    import toolkit.ingest.accuracy as accuracy
    import toolkit.pipeline as pipeline
    from toolkit.pipeline import StageCache, date_quality_table

    calls = []
    monkeypatch.setattr(pipeline, "CACHE_DIR", tmp_path / "toolkit-cache")
    monkeypatch.setattr(accuracy, "date_rules_without_dates", lambda path, n_jobs: calls.append(path) or ("docs", [1, 2]))
    monkeypatch.setattr(accuracy, "date_accuracy", lambda documents, truth: pd.DataFrame({"rule": ["r"], "n": [3]}))
    config = RunConfig()
    first = date_quality_table(config, StageCache(tmp_path / "run-a"))
    second = date_quality_table(config, StageCache(tmp_path / "run-b"))
    assert len(calls) == 1 and first.equals(second)
    assert list((tmp_path / "toolkit-cache" / "reference").glob("date_quality-*"))
    # caching off: computed again, nothing read
    date_quality_table(config, StageCache(tmp_path / "run-c", enabled=False))
    assert len(calls) == 2


def test_repro_check_gives_each_run_its_own_toolkit_cache(tmp_path, monkeypatch):
    # the token cache and the reference tables live in TOOLKIT_CACHE: shared by the two runs, the second would
    # read what the first computed, and the check would not cover it
    import subprocess

    from toolkit.pipeline import repro_check

    seen = []

    def run(args, env, check):
        seen.append(env)
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(subprocess, "run", run)
    identical, differences = repro_check(RunConfig(), workdir=tmp_path)
    assert identical and differences == []
    caches = [env["TOOLKIT_CACHE"] for env in seen]
    assert len(set(caches)) == 2 and all(c.startswith(str(tmp_path)) for c in caches)
    assert [env["PYTHONHASHSEED"] for env in seen] == ["1", "2"]
