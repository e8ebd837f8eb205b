"""Plot functions draw on given axes from tidy tables; the writer is byte-deterministic."""

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from toolkit.report import plots
from toolkit.provenance import frame_hash
from toolkit.report.files import save_figure, save_table

DISTRICTS = ["Quận Long Biên", "Huyện Đông Anh", "Thành phố Huế"]
THEMES = ["site_clearance", "religion", "covid"]


@pytest.fixture()
def trends():
    rng = np.random.default_rng(0)
    rows = []
    for d in DISTRICTS:
        for t in THEMES:
            for y in range(2015, 2025):
                share = rng.uniform(0.1, 0.6)
                rows.append({"district": d, "theme": t, "year": y, "share": share,
                             "ci_low": share - 0.05, "ci_high": share + 0.05, "planted_share": share + 0.01})
    return pd.DataFrame(rows)


def test_single_panel_plots_draw_on_the_given_axes(trends):
    fig, ax = plt.subplots()
    counts = trends.groupby(["district", "year"]).size().rename("n_docs").reset_index()
    assert plots.doc_counts_heatmap(counts, ax=ax) is ax
    assert ax.get_title() == "Documents per locality and year"
    fig2, ax2 = plt.subplots()
    assert plots.theme_share_heatmap(trends, ax=ax2, lang="vi") is ax2
    assert ax2.get_title() == "Tỷ lệ bài viết nhắc đến từng chủ đề"
    fig3, ax3 = plt.subplots()
    effects = pd.DataFrame({"term": ["C(district)[T.Huế]", "year"], "estimate": [0.1, -0.02],
                            "ci_low": [0.05, -0.03], "ci_high": [0.15, -0.01]})
    assert plots.forest_plot(effects, ax=ax3) is ax3
    assert [t.get_text() for t in ax3.get_yticklabels()] == ["C(district)[T.Huế]", "year"]
    plt.close("all")


def test_small_multiples_have_one_panel_per_group(trends):
    axes = plots.trend_small_multiples(trends, panel="district", series="theme")
    assert [ax.get_title() for ax in axes] == sorted(DISTRICTS)
    assert len(axes[0].get_lines()) == len(THEMES)
    axes = plots.planted_vs_recovered(trends[trends.district == DISTRICTS[0]])
    assert [ax.get_title() for ax in axes] == sorted(THEMES)
    terms = pd.DataFrame({"topic": ["t1"] * 3 + ["t2"] * 3, "term": ["giải_phóng_mặt_bằng", "bồi_thường", "dự_án",
                          "tôn_giáo", "chức_sắc", "tín_đồ"], "weight": [0.3, 0.2, 0.1, 0.25, 0.2, 0.05]})
    axes = plots.top_terms_bars(terms)
    assert [t.get_text() for t in axes[0].get_yticklabels()][-1] == "giải phóng mặt bằng"
    selection = pd.DataFrame({"n_topics": [5, 5, 10, 10], "random_state": [0, 1, 0, 1],
                              "npmi": [0.1, 0.12, 0.15, 0.14], "stability": [0.9, 0.9, 0.8, 0.85]})
    axes = plots.selection_panels(selection, chosen=10)
    assert [ax.get_title().replace("\n", " ") for ax in axes] == ["Coherence, NPMI (higher is better)",
                                                                   "Stability across seeds (higher is better)"]
    plt.close("all")


SELECTION = pd.DataFrame({"n_topics": [6, 6, 8, 8], "random_state": [0, 1, 0, 1], "family": "seeded",
                          "heldout": [-7.51, -7.49, -7.39, -7.43], "npmi": [0.23, 0.24, 0.24, 0.28],
                          "perplexity_like": [1.0, 1.1, 0.9, 0.8]})


def test_selection_ticks_k_at_whole_numbers_only():
    # a grid of 6 and 8 was ticked at 6.5, 7.0 and 7.5: K is a whole number of topics
    axes = plots.selection_panels(SELECTION, chosen=8)
    ax = axes[0]
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks == [6, 8]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["6", "8"]
    plt.close("all")
    # a long grid: whole numbers, not every value
    grid = pd.DataFrame({"n_topics": list(range(5, 41, 2)), "npmi": np.linspace(0.1, 0.3, 18)})
    ax = plots.selection_panels(grid)[0]
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())
    plt.close("all")


def test_selection_names_each_measure_with_its_better_direction_and_the_chosen_k():
    axes = plots.selection_panels(SELECTION, chosen=8)
    titles = [ax.get_title().replace("\n", " ") for ax in axes]
    # heldout is a log-likelihood per held-out token (toolkit.topics.metrics.heldout_loglik): higher is better
    assert titles == ["Held-out log-likelihood per token (higher is better)", "Coherence, NPMI (higher is better)",
                      "perplexity like"]
    legend = axes[0].figure.legends[0]
    texts = [t.get_text() for t in legend.get_texts()]
    assert "chosen K = 8" in texts
    # the legend's entry is the dashed line drawn at K = 8
    line = legend.legend_handles[texts.index("chosen K = 8")]
    assert line.get_linestyle() == "--"
    assert any(list(l.get_xdata()) == [8, 8] and l.get_linestyle() == "--" for l in axes[0].get_lines())
    plt.close("all")
    axes = plots.selection_panels(SELECTION, chosen=8, lang="vi")
    import unicodedata

    texts = [t.get_text() for t in axes[0].figure.legends[0].get_texts()] + [ax.get_title() for ax in axes]
    assert "K được chọn = 8" in texts and all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert "Độ mạch lạc NPMI" in texts[-2]
    plt.close("all")


def _one_year_and_two(n_themes: int = 3) -> pd.DataFrame:
    """Shares of one locality with a single dated year (2021, the year before without documents) and one with two."""
    rows = []
    for k, theme in enumerate(THEMES[:n_themes]):
        rows.append({"district": "Huyện Lý Nhân", "theme": theme, "year": 2020, "n_docs": 0, "share": np.nan,
                     "ci_low": np.nan, "ci_high": np.nan, "small_cell": True})
        share = [1.0, 0.0, 0.0][k]
        rows.append({"district": "Huyện Lý Nhân", "theme": theme, "year": 2021, "n_docs": 26, "share": share,
                     "ci_low": [0.91, 0.0, 0.0][k], "ci_high": [1.0, 0.09, 0.09][k], "small_cell": False})
        for year, s in ((2020, 0.2), (2021, 0.3)):
            rows.append({"district": "Hà Nội", "theme": theme, "year": year, "n_docs": 50, "share": s + 0.1 * k,
                         "ci_low": s + 0.1 * k - 0.1, "ci_high": s + 0.1 * k + 0.1, "small_cell": False})
    return pd.DataFrame(rows)


def _error_bars(ax) -> list[tuple[float, float]]:
    """(low, high) of every vertical error bar drawn on ``ax``."""
    from matplotlib.container import ErrorbarContainer

    spans = []
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            for collection in c.lines[2]:
                spans.extend((float(seg[0][1]), float(seg[1][1])) for seg in collection.get_segments())
    return sorted(spans)


def test_a_single_year_series_shows_its_interval_as_an_error_bar():
    axes = plots.trend_small_multiples(_one_year_and_two(), panel="district", series="theme")
    single = next(ax for ax in axes if ax.get_title() == "Huyện Lý Nhân")
    # one bar per theme, each the interval of the table (100 % with 0.91–1.00)
    assert np.ravel(_error_bars(single)) == pytest.approx([0.0, 0.09, 0.0, 0.09, 0.91, 1.0])
    # the bars of one year are set apart, so they do not hide each other
    single.figure.canvas.draw()
    xs = {round(float(c.lines[2][0].get_transform().transform(c.lines[2][0].get_segments()[0])[0][0]), 3)
          for c in single.containers}
    assert len(xs) == 3
    # the multi-year panel keeps its bands and has no error bar
    multi = next(ax for ax in axes if ax.get_title() == "Hà Nội")
    assert _error_bars(multi) == [] and len(multi.collections) == 3
    plt.close("all")


def test_interval_bands_are_faint_and_edged_so_overlapping_lines_stay_readable():
    axes = plots.trend_small_multiples(_one_year_and_two(), panel="district", series="theme")
    multi = next(ax for ax in axes if ax.get_title() == "Hà Nội")
    for band in multi.collections:
        face, edge = band.get_facecolor()[0], band.get_edgecolor()[0]
        assert face[3] <= 0.08  # four overlapping bands stay light, not an opaque brown
        assert edge[3] >= 0.3 and band.get_linewidth()[0] > 0  # each band's extent still visible
    # the lines are above the bands, unchanged
    assert len(multi.get_lines()) == 3 and all(l.get_alpha() in (None, 1) for l in multi.get_lines())
    plt.close("all")


def test_locality_heatmap_hatches_small_cells_and_says_so_like_the_period_panels():
    from matplotlib.patches import Rectangle

    from toolkit.report.registry import _fig_theme_localities

    shares = pd.DataFrame({"province": ["Hà Nam", "Hà Nam", "Hà Nội", "Hà Nội"],
                           "district": ["Huyện Lý Nhân", "Huyện Lý Nhân", "", ""],
                           "theme": ["covid", "religion"] * 2, "n_docs": [2, 2, 105, 105],
                           "share": [1.0, 0.0, 0.27, 0.0], "small_cell": [True, True, False, False]})
    ctx = {"themes": ["covid", "religion"], "labels": {"covid": "COVID-19", "religion": "Tôn giáo"}, "min_docs": 5}
    fig = _fig_theme_localities(shares, "en", ctx)
    ax = fig.axes[0]
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert len(hatched) == 2 and {t.get_text() for t in ax.texts} >= {"n=2", "27"}
    assert fig.get_supxlabel() == "n=…: fewer than 5 documents (hatched); –: no documents"
    plt.close(fig)
    # nothing to explain: no key
    fig = _fig_theme_localities(shares.assign(n_docs=105, small_cell=False), "en", ctx)
    assert fig.get_supxlabel() == ""
    plt.close(fig)


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([2015, 2020, 2024], [0.1, 0.5, 0.2], label="giải phóng mặt bằng")
    ax.set_title("Ủy ban nhân dân – quy chế dân chủ ở cơ sở")
    ax.legend()
    return fig


def test_figures_are_byte_identical_across_runs(tmp_path):
    provenance = {"config_hash": "abc", "corpus_hash": "def"}
    first = save_figure(_figure(), tmp_path / "a" / "fig", provenance=provenance, caption="c",
                        formats=("png", "svg", "pdf"))
    second = save_figure(_figure(), tmp_path / "b" / "fig", provenance=provenance, caption="c",
                         formats=("png", "svg", "pdf"))
    for p, q in zip(first, second):
        assert p.read_bytes() == q.read_bytes(), p.name
    sidecar = json.loads((tmp_path / "a" / "fig.json").read_text(encoding="utf-8"))
    assert sidecar["files"] == ["fig.png", "fig.svg", "fig.pdf"] and sidecar["config_hash"] == "abc"
    assert (tmp_path / "a" / "fig.json").read_bytes() == (tmp_path / "b" / "fig.json").read_bytes()
    plt.close("all")


def test_png_is_written_at_300_dpi(tmp_path):
    from PIL import Image

    path = save_figure(_figure(), tmp_path / "fig", provenance={}, formats=("png",))[0]
    with Image.open(path) as image:
        assert round(image.info["dpi"][0]) == 300
        # a 3 x 2 inch figure, trimmed or grown to its drawn content
        assert 600 <= image.size[0] <= 1400 and 400 <= image.size[1] <= 900
    plt.close("all")


def test_long_labels_grow_the_saved_figure_instead_of_being_cut(tmp_path):
    from PIL import Image

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.barh(["Huyện Châu Thành, Tiền Giang — a very long locality label"], [1])
    path = save_figure(fig, tmp_path / "fig", provenance={}, formats=("png",), dpi=100)[0]
    with Image.open(path) as image:
        assert image.size[0] > 300  # wider than the 3-inch canvas: the label is all there
    plt.close("all")


def test_tables_have_csv_parquet_and_sidecar(tmp_path):
    df = pd.DataFrame({"district": ["Quận Long Biên"], "share": [0.25]})
    paths = save_table(df, tmp_path / "t", provenance={"lexicon_version": "x"}, caption="shares")
    assert [p.name for p in paths] == ["t.csv", "t.parquet"]
    assert pd.read_parquet(paths[1]).equals(df)
    assert json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["rows"] == 1
    assert frame_hash(df) == frame_hash(df.copy()) != frame_hash(df.assign(share=[0.3]))


def test_importing_the_toolkit_never_switches_the_matplotlib_backend():
    # a notebook's inline backend must survive `import toolkit.report.plots` (issue #13)
    import subprocess
    import sys

    code = ("import matplotlib; matplotlib.use('svg'); "
            "import toolkit.report.plots, toolkit.report.registry, toolkit.pipeline; print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "svg"


def _effects(terms: list[str]) -> pd.DataFrame:
    rows = [{"label": "religion", "term": term, "estimate": 0.01 * k, "ci_low": 0.0, "ci_high": 0.02 * k + 0.01}
            for k, term in enumerate(["Intercept", *terms])]
    return pd.DataFrame(rows)


def _effects_context(localities: list[str]) -> dict:
    return {"themes": ["religion"], "labels": {"religion": "Religion"}, "topic_labels": {},
            "localities": sorted(localities), "locality_sizes": {x: i + 1 for i, x in enumerate(localities)}}


def test_effects_figure_of_the_year_spline_alone_is_not_drawn_and_many_localities_are_capped():
    from toolkit.report.registry import MAX_HEATMAP_ROWS, NOTHING_TO_DRAW, _fig_effects

    spline = [f"bs(year, df=3)[{i}]" for i in range(3)]
    assert _fig_effects(_effects(spline), "en", _effects_context([])) is None
    assert "year spline" in NOTHING_TO_DRAW["effects_forest"]

    localities = [f"Huyện Số {i:03d}, Tỉnh Thử" for i in range(80)]  # sizes grow with i
    terms = [f"C(locality)[T.{x}]" for x in localities] + spline
    fig = _fig_effects(_effects(terms), "en", _effects_context(localities))
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    plt.close(fig)
    assert len(labels) == MAX_HEATMAP_ROWS
    # the localities with most documents are the ones shown
    assert any("079" in x for x in labels) and not any("000" in x for x in labels)


def test_effects_figure_names_each_variables_reference_level():
    from toolkit.report.registry import MAX_HEATMAP_ROWS, _effect_levels, _fig_effects

    # dantri 2019-2021 with `~ C(year)`: compared with the first year of the model
    counts = pd.DataFrame({"province": ["", "", "", "Hà Nội"], "district": ["", "", "", ""],
                           "year": [2019.0, 2020.0, 2021.0, 2021.0], "n_docs": [2, 146, 2000, 300]})
    ctx = {**_effects_context([]), "effect_levels": _effect_levels({"documents_per_locality_year": counts})}
    fig = _fig_effects(_effects(["C(year)[T.2020]", "C(year)[T.2021]"]), "en", ctx)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    note = fig.get_supxlabel()
    plt.close(fig)
    assert sorted(labels) == ["2020", "2021"]
    assert "Each year compared with 2019" in note and "locality" not in note

    # localities and years: the reference locality is the one no term names, even when the figure shows
    # only the largest localities; the reference year that of the documents with a locality
    localities = [f"Huyện Số {i:03d}, Tỉnh Thử" for i in range(60)]
    counts = pd.DataFrame({"province": "Tỉnh Thử", "district": [x.split(",")[0] for x in localities],
                           "year": [2016.0 + (i % 3) for i in range(60)], "n_docs": 5})
    counts = pd.concat([counts, pd.DataFrame({"province": [""], "district": [""], "year": [2015.0], "n_docs": [9]})])
    terms = [f"C(locality)[T.{x}]" for x in localities[1:]] + ["C(year)[T.2017]", "C(year)[T.2018]"]
    ctx = {**_effects_context(localities), "effect_levels": _effect_levels({"documents_per_locality_year": counts})}
    fig = _fig_effects(_effects(terms), "vi", ctx)
    note = fig.get_supxlabel()
    plt.close(fig)
    assert len(terms) > MAX_HEATMAP_ROWS
    assert "Mỗi địa phương so với Huyện Số 000, Tỉnh Thử; mỗi năm so với 2016" in note, note


def test_documents_of_no_known_locality_do_not_set_the_colour_scale():
    counts = pd.DataFrame({"locality": ["Huyện A", "Huyện B", "(unknown)"], "year": [2017] * 3,
                           "n_docs": [12, 151, 1669]})
    ax = plots.doc_counts_heatmap(counts, row="locality", col="year", unscaled_rows=["(unknown)"])
    image = ax.images[0]
    assert image.norm.vmax == 151 and image.norm.vmin == 0
    assert "1669" in {t.get_text() for t in ax.texts}  # still written in its cell
    assert ax.figure.axes[-1].get_label() == "<colorbar>"
    plt.close(ax.figure)
    # without the option, or with nothing above the known rows, the scale is the table's
    ax = plots.doc_counts_heatmap(counts, row="locality", col="year")
    assert ax.images[0].norm.vmax == 1669
    plt.close(ax.figure)


def test_the_small_cell_key_is_written_in_the_figures_language():
    from toolkit.report.plots import LABELS, small_cell_note

    assert set(LABELS["vi"]) == set(LABELS["en"])          # every label has its Vietnamese
    assert small_cell_note("vi", 5) == "n=…: ít hơn 5 bài viết (ô gạch chéo); –: không có bài viết"
    assert "hatched" not in small_cell_note("vi", 5)


def test_the_unknown_locality_is_named_in_the_figures_language():
    import matplotlib.pyplot as plt
    import pandas as pd

    from toolkit.report.plots import UNKNOWN_LOCALITY, theme_share_heatmap, trend_small_multiples

    trends = pd.DataFrame({"district": [UNKNOWN_LOCALITY, "Huyện Đại Từ"], "theme": ["religion", "religion"],
                           "year": [2021, 2021], "share": [0.2, 0.1], "ci_low": [0.1, 0.0], "ci_high": [0.3, 0.2]})
    for lang, shown in (("en", "(unknown)"), ("vi", "(không rõ)")):
        axes = trend_small_multiples(trends, lang=lang)
        assert shown in {ax.get_title() for ax in axes}
        plt.close(axes[0].figure)
        ax = theme_share_heatmap(trends.rename(columns={"district": "locality"}), row="locality", col="theme",
                                 lang=lang)
        assert shown in {t.get_text() for t in ax.get_yticklabels()}
        plt.close(ax.figure)


def test_planted_vs_recovered_ticks_whole_years_and_names_its_axes():
    import matplotlib.pyplot as plt
    import pandas as pd

    from toolkit.report.plots import planted_vs_recovered

    trends = pd.DataFrame({"theme": ["covid"] * 9, "year": list(range(2015, 2024)), "share": [0.1] * 9,
                           "planted_share": [0.1] * 9, "ci_low": [0.05] * 9, "ci_high": [0.15] * 9})
    axes = planted_vs_recovered(trends)
    axes[0].figure.canvas.draw()
    ticks = [t for t in axes[0].get_xticks() if 2015 <= t <= 2023]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert axes[0].get_xlabel() and axes[0].get_ylabel()
    plt.close(axes[0].figure)


def _prevalence_with_a_lone_high_point() -> pd.DataFrame:
    """Topic prevalence as the walk-through's: Huyện Lý Nhân dated in 2021 only, COVID 0.876 [0.83, 0.92] of 34
    documents, far above every other panel's bands; Đắk Nông 2021 a cell of one document."""
    rows = []
    for k, (label, p, lo, hi) in enumerate((("covid", 0.876, 0.83, 0.92), ("religion", 0.05, 0.03, 0.07),
                                            ("site_clearance", 0.01, 0.0, 0.04))):
        rows.append({"province": "Hà Nam", "district": "Huyện Lý Nhân", "year": 2020, "label": label, "topic": k,
                     "n_docs": 0, "prevalence": np.nan, "ci_low": np.nan, "ci_high": np.nan})
        rows.append({"province": "Hà Nam", "district": "Huyện Lý Nhân", "year": 2021, "label": label, "topic": k,
                     "n_docs": 34, "prevalence": p, "ci_low": lo, "ci_high": hi})
        for year, s, n in ((2020, 0.2, 40), (2021, 0.3, 1)):
            rows.append({"province": "Đắk Nông", "district": "", "year": year, "label": label, "topic": k,
                         "n_docs": n, "prevalence": s, "ci_low": s - 0.1, "ci_high": s + 0.1})
    return pd.DataFrame(rows)


def _drawn_outside(ax) -> list:
    """Display points of the lines and error bars drawn on ``ax`` that lie outside its window."""
    ax.figure.canvas.draw()
    box = ax.get_window_extent()
    outside = []
    artists = [line for line in ax.get_lines() if line.get_label() != "_child"] + list(ax.collections)
    for artist in artists:
        if hasattr(artist, "get_xydata"):
            points = [artist.get_transform().transform(artist.get_xydata())]
        elif hasattr(artist, "get_segments") and artist.get_segments():
            points = [artist.get_transform().transform(seg) for seg in artist.get_segments()]
        else:
            continue
        for p in np.concatenate(points):
            if np.isfinite(p).all() and not (box.x0 - 0.5 <= p[0] <= box.x1 + 0.5 and box.y0 - 0.5 <= p[1] <= box.y1 + 0.5):
                outside.append((artist.get_label(), tuple(p)))
    return outside


def test_lone_points_and_their_error_bars_lie_inside_the_shared_axes():
    # topic_prevalence.png: a lone 0.876 [0.83, 0.92] showed only its lower cap at the top edge, because the
    # points set aside by _dodge (an offset transform) were left out of the y axis' autoscaling
    from toolkit.report.registry import _fig_topic_prevalence

    table = _prevalence_with_a_lone_high_point()
    ctx = {"themes": ["covid", "religion", "site_clearance"], "topic_labels": {}, "labels": {}, "min_docs": 5}
    fig = _fig_topic_prevalence(table, "en", ctx)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    single = next(ax for ax in axes if ax.get_title() == "Huyện Lý Nhân")
    assert np.ravel(_error_bars(single)) == pytest.approx([0.0, 0.04, 0.03, 0.07, 0.83, 0.92])
    for ax in axes:
        low, high = ax.get_ylim()
        assert low <= table["ci_low"].min() and high >= table["ci_high"].max(), (ax.get_title(), ax.get_ylim())
        assert _drawn_outside(ax) == [], ax.get_title()
    plt.close(fig)
    # the same for the theme trends, and for a figure of lone points only (no band to set the range)
    trends = _one_year_and_two().assign(share=lambda t: t["share"].where(t["district"] != "Hà Nội", t["share"] - 0.15),
                                        ci_low=lambda t: t["ci_low"].where(t["district"] != "Hà Nội", 0.0),
                                        ci_high=lambda t: t["ci_high"].where(t["district"] != "Hà Nội", 0.4))
    for data in (trends, trends[trends["district"] == "Huyện Lý Nhân"]):
        axes = plots.trend_small_multiples(data, panel="district", series="theme")
        for ax in axes:
            assert ax.get_ylim()[1] >= 1.0 and ax.get_ylim()[0] <= 0.0, (ax.get_title(), ax.get_ylim())
            assert _drawn_outside(ax) == [], ax.get_title()
        plt.close("all")


def test_topic_prevalence_marks_cells_of_few_documents_hollow_like_the_theme_trends():
    from toolkit.report.registry import _fig_topic_prevalence

    ctx = {"themes": ["covid", "religion", "site_clearance"], "topic_labels": {}, "labels": {}, "min_docs": 5}
    fig = _fig_topic_prevalence(_prevalence_with_a_lone_high_point(), "en", ctx)
    panel = next(ax for ax in fig.axes if ax.get_title() == "Đắk Nông")
    hollow = [line for line in panel.get_lines() if line.get_label() == "_small"]
    # one hollow point per topic, at the 2021 cell of one document; the cell of 40 is solid
    assert len(hollow) == 3 and all(list(line.get_xdata()) == [2021] for line in hollow)
    assert all(line.get_markerfacecolor() == "white" for line in hollow)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "fewer than 5 documents" in texts
    plt.close(fig)


def test_a_share_that_rounds_to_zero_percent_reads_below_one_not_zero():
    # 9 of 1,801 documents (0.5%) printed "0", as a cell where no document mentions the theme
    shares = pd.DataFrame({"locality": ["A", "B", "C"], "theme": ["t"] * 3, "share": [0.004, 0.0, 0.2],
                           "n_docs": [1801, 900, 500], "small_cell": [False] * 3})
    ax = plots.theme_share_heatmap(shares, row="locality", col="theme")
    texts = [t.get_text() for t in ax.texts]
    plt.close(ax.figure)
    assert texts == ["<1", "0", "20"]


@pytest.mark.parametrize(("min_docs", "lang", "expected"), [
    (5, "en", "fewer than 5 documents"),
    # the table's own small_cell flag, its threshold unknown here: never "fewer than too few documents"
    (None, "en", "small cell (too few documents)"),
    (None, "vi", "ô nhỏ (quá ít bài viết)"),
])
def test_the_hollow_point_legend_says_what_a_small_cell_is(min_docs, lang, expected):
    trends = _one_year_and_two().assign(small_cell=True, n_docs=2)
    axes = plots.trend_small_multiples(trends, panel="district", series="theme", min_docs=min_docs, lang=lang)
    texts = [t.get_text() for legend in axes[0].figure.legends for t in legend.get_texts()]
    assert expected in texts and not any("too few documents" in t and "fewer than" in t for t in texts)
    plt.close("all")


@pytest.mark.parametrize("term, expected", [
    ("C(year)[T.2020]", ("year", "2020", None)),
    ("C(year, Treatment(reference=2021))[T.2019]", ("year", "2019", "2021")),
    ("C(year, Treatment(2021))[T.2019]", ("year", "2019", "2021")),
    ("C(year, Treatment)[T.2020]", ("year", "2020", None)),
    ('C(locality, Treatment(reference="Huyện Đông Anh, Hà Nội"))[T.Huyện Gia Lâm, Hà Nội]',
     ("locality", "Huyện Gia Lâm, Hà Nội", "Huyện Đông Anh, Hà Nội")),
    ("C(locality, Treatment('Quận 10, Hồ Chí Minh'))[T.Quận 1, Hồ Chí Minh]",
     ("locality", "Quận 1, Hồ Chí Minh", "Quận 10, Hồ Chí Minh")),
    # a reference that itself holds ")[T." is read whole
    ('C(category, Treatment(reference="a)[T.b"))[T.c]', ("category", "c", "a)[T.b")),
    ("bs(year, df=3)[0]", None),
    ("C(year)[T.2020]:C(locality)[A]", None),
    ("Intercept", None),
])
def test_formula_terms_are_parsed_with_or_without_an_explicit_reference(term, expected):
    from toolkit.report.registry import _parse_term

    assert _parse_term(term) == expected


def test_effects_figure_reads_an_explicit_reference_level():
    # `~ C(year, Treatment(reference=2021))` showed raw patsy names on the y axis and no "compared with" line
    from toolkit.report.registry import _effect_levels, _fig_effects

    counts = pd.DataFrame({"province": ["", "", "", "Hà Nội"], "district": ["", "", "", ""],
                           "year": [2019.0, 2020.0, 2021.0, 2021.0], "n_docs": [2, 146, 2000, 300]})
    ctx = {**_effects_context([]), "effect_levels": _effect_levels({"documents_per_locality_year": counts})}
    for written in ("Treatment(reference=2021)", "Treatment(2021)"):
        fig = _fig_effects(_effects([f"C(year, {written})[T.2019]", f"C(year, {written})[T.2020]"]), "en", ctx)
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        note = fig.get_supxlabel()
        plt.close(fig)
        assert sorted(labels) == ["2019", "2020"], labels
        assert "Each year compared with 2021" in note, note

    # a locality given as the reference, the largest localities shown by their short names
    localities = ["Huyện Đông Anh, Hà Nội", "Huyện Gia Lâm, Hà Nội", "Quận 10, Hồ Chí Minh"]
    reference = 'Treatment(reference="Huyện Đông Anh, Hà Nội")'
    terms = [f"C(locality, {reference})[T.{x}]" for x in localities[1:]] + \
        ["C(year, Treatment(reference=2021))[T.2020]"]
    fig = _fig_effects(_effects(terms), "vi", {**_effects_context(localities), "effect_levels": {}})
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    note = fig.get_supxlabel()
    plt.close(fig)
    assert labels == {"Huyện Gia Lâm", "Quận 10", "2020"}, labels
    assert "Mỗi địa phương so với Huyện Đông Anh, Hà Nội; mỗi năm so với 2021" in note, note


def test_theme_trends_open_with_a_panel_of_all_documents():
    # dantri: 66% of the documents have no locality; theme_shares_year (every document) was never drawn
    from toolkit.config import RunConfig, TopicsConfig
    from toolkit.report.registry import FIGURES, MAX_PANELS, draw_figure, figure_context

    rows, every = [], []
    localities = [f"Huyện Số {i:02d}, Tỉnh Thử" for i in range(14)] + [""]
    for year, n_year in ((2019, 2), (2020, 147), (2021, 1603)):
        for theme in ("covid", "religion"):
            share = 0.0 if year == 2019 else (0.3 if theme == "covid" else 0.05)
            every.append({"year": year, "theme": theme, "n_docs": n_year, "share": share, "ci_low": share / 2,
                          "ci_high": share + 0.1, "small_cell": n_year < 5})
            for k, loc in enumerate(localities):
                n = 3 + k
                rows.append({"province": loc.split(", ")[-1], "district": loc.split(", ")[0] if loc else "",
                             "locality": loc, "year": year, "theme": theme, "n_docs": n, "share": 0.5,
                             "ci_low": 0.2, "ci_high": 0.8, "small_cell": n < 5})
    tables = {"theme_shares_locality_year": pd.DataFrame(rows), "theme_shares_year": pd.DataFrame(every)}
    spec = next(s for s in FIGURES if s.name == "theme_trends")
    config = RunConfig(topics=TopicsConfig(seed_themes=("covid", "religion")))
    ctx = figure_context(config, tables, 2)
    assert "first “All documents”" in spec.caption.format(**ctx["text"])
    for lang, name in (("en", "All documents"), ("vi", "Tất cả bài viết")):
        fig = draw_figure(spec, tables, lang, ctx)
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
        assert panels[0].get_title() == name
        assert len(panels) == MAX_PANELS and len({ax.get_ylim() for ax in panels}) == 1
        covid = next(line for line in panels[0].lines if line.get_label() == "COVID-19")
        assert list(covid.get_ydata()) == [0.0, 0.3, 0.3]  # the whole corpus's shares
        # its small year (2 documents) is marked hollow like every small cell
        hollow = [line for line in panels[0].lines if line.get_label() == "_small"]
        assert hollow and all(list(line.get_xdata()) == [2019.0] for line in hollow)
        plt.close(fig)
    # without the table: the localities alone, as before
    fig = draw_figure(spec, {"theme_shares_locality_year": tables["theme_shares_locality_year"]}, "en", ctx)
    assert [ax for ax in fig.axes if ax.get_visible() and ax.lines][0].get_title() != "All documents"
    plt.close(fig)



def test_a_year_with_no_row_breaks_the_line_instead_of_joining_across_it():
    # a topic's prevalence table has no row where a locality has no document: Quận 1's 2020 and 2023 were joined
    # by a line through 2021-22, a trend through years nobody wrote about
    rows = [{"district": "Quận 1", "theme": "covid", "year": y, "n_docs": 10, "share": s, "ci_low": s - 0.1,
             "ci_high": s + 0.1} for y, s in ((2020, 0.4), (2023, 0.2))]
    rows += [{"district": "Quận 10", "theme": "covid", "year": y, "n_docs": 10, "share": 0.3, "ci_low": 0.2,
              "ci_high": 0.4} for y in (2020, 2021, 2022, 2023)]
    axes = plots.trend_small_multiples(pd.DataFrame(rows), panel="district", series="theme")
    gap = next(ax for ax in axes if ax.get_title() == "Quận 1")
    joined = [line for line in gap.get_lines() if line.get_label() == "covid"]
    ys = joined[0].get_ydata()
    assert np.isfinite(ys).sum() < 2  # no two drawn neighbours: no segment across 2021-22
    assert len(_error_bars(gap)) == 2  # each lone year keeps its interval, as an error bar
    full = next(ax for ax in axes if ax.get_title() == "Quận 10")
    assert np.isfinite([line for line in full.get_lines() if line.get_label() == "covid"][0].get_ydata()).sum() == 4
    plt.close("all")
